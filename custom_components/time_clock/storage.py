"""The files of one account under ``.storage``: reading and writing, nothing more.

The punches live in segments of ``SEGMENT_SIZE`` punches, each its own storage
file, so that appending rewrites one small file and delivering rewrites only the
cursor (a few hundred bytes): draining a backlog costs bytes linear in its length.

Files for an account ``<id>``:

- ``time_clock.<id>``: the segment index, and the parts its owners hand in (the
  shift record, the backend state, a copy of the settlements);
- ``time_clock.<id>.cursor``: which punches are settled and which may be in flight;
- ``time_clock.<id>.failed``: punches the backend rejected, newest last;
- ``time_clock.<id>.punches.<first seq>``: one segment of punches.

Settled segments stay as the local record for ``RETENTION`` and are then removed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
import os
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import STORAGE_DIR, Store
from homeassistant.util import dt as dt_util
from homeassistant.util.file import WriteError

from .const import DOMAIN, LOGGER
from .punch import Punch
from .record import HISTORY

STORAGE_VERSION = 1
# 1.2: the cursor's "marked" list and a segment's "in_flight" (both optional).
# 1.3: the state file's copy of the cursor's "settled_through"/"settled_above".
# 1.4: punches with a reason or an activity; records with the current activity.
STORAGE_MINOR_VERSION = 4
SEGMENT_SIZE = 100
RETENTION = timedelta(days=62)
STATE_SAVE_DELAY = 2.0
# The parts of the state file that its owners hand in.
STATE_PARTS = ("through", "settled_through", "settled_above", "employees", "backend")


class StorageWriteError(OSError):
    """A storage file could not be written (Home Assistant only logs that)."""


class TimeClockStore(Store[dict[str, Any]]):
    """A storage file of this integration, with its migration hook.

    Home Assistant's ``Store`` logs a failed write and returns as if it had
    written: ``async_save`` here raises ``StorageWriteError`` instead, so that a
    punch the disk refused is never reported as recorded.
    """

    _write_failure: WriteError | None = None

    def __init__(self, hass: HomeAssistant, key: str) -> None:
        """Open the file ``key`` with atomic writes."""
        super().__init__(
            hass,
            STORAGE_VERSION,
            key,
            minor_version=STORAGE_MINOR_VERSION,
            atomic_writes=True,
        )

    async def async_save(self, data: dict[str, Any]) -> None:
        """Write the file now; raise ``StorageWriteError`` when the write failed."""
        self._take_write_failure()
        await super().async_save(data)
        if (failure := self._take_write_failure()) is not None:
            raise StorageWriteError(str(failure)) from failure

    def _take_write_failure(self) -> WriteError | None:
        """Return the failure of the last write, and forget it."""
        failure, self._write_failure = self._write_failure, None
        return failure

    async def _async_write_data(self, *args: Any) -> None:
        """Write through Home Assistant, noting a failure it would only log."""
        try:
            await super()._async_write_data(*args)
        except WriteError as err:
            self._write_failure = err
            raise

    async def _async_migrate_func(
        self, old_major_version: int, old_minor_version: int, old_data: dict[str, Any]
    ) -> dict[str, Any]:
        """Migrate older data: minor versions only add keys, so they load as they are."""
        if old_major_version > STORAGE_VERSION:
            raise NotImplementedError(
                f"{self.key} was written by a newer Time Clock (v{old_major_version})"
            )
        return old_data


@dataclass(kw_only=True, slots=True)
class SegmentInfo:
    """Where one segment of punches starts, and, once closed, what it holds."""

    first: int
    last: int | None = None
    newest: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the index entry as stored."""
        return {"first": self.first, "last": self.last, "newest": self.newest}


@dataclass(kw_only=True)
class LoadedFiles:
    """What an account's files held when it loaded."""

    state: dict[str, Any]
    cursor: dict[str, Any]
    failed: list[dict[str, Any]]
    # The punches of the segments read (every one not yet settled among them).
    punches: list[Punch]
    # Punches some file lists as possibly in flight.
    marked: set[int] = field(default_factory=set)
    # The index was rebuilt from the punch files; the cursor was lost.
    rebuilt: bool = False
    cursor_lost: bool = False

    @property
    def through(self) -> int:
        """Return the last punch the stored shift record holds."""
        return int(self.state.get("through", 0))


def _fill_index(index: list[SegmentInfo], loaded: list[dict[str, Any] | None]) -> None:
    """Note the last number and newest time of closed segments read again."""
    for info, data in zip(index, loaded, strict=False):
        if items := (data or {}).get("punches"):
            info.last = max(int(item["seq"]) for item in items)
            info.newest = max(str(item["time"]) for item in items)


class AccountFiles:
    """Read and write the storage files of one account."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Prepare the files of the account ``entry_id``."""
        self._hass = hass
        self.key = f"{DOMAIN}.{entry_id}"
        self._state = TimeClockStore(hass, self.key)
        self._cursor = TimeClockStore(hass, f"{self.key}.cursor")
        self._failed = TimeClockStore(hass, f"{self.key}.failed")
        self._segments: dict[int, TimeClockStore] = {}
        self.index: list[SegmentInfo] = []
        self.tail: list[dict[str, Any]] = []
        # The punch the tail segment lists as possibly in flight.
        self.tail_marker: int | None = None
        self._index_cache: list[dict[str, Any]] | None = None
        self._parts: dict[str, Any] = {}

    # Loading -------------------------------------------------------------------

    async def async_load(self) -> LoadedFiles:
        """Read the files: state, cursor, failed list and the segments that matter.

        The segments read are the tail, those holding punches not yet settled or
        not yet in the shift record, and those of the last ``HISTORY``.
        """
        state, cursor, rebuilt, cursor_lost = await self._async_read_index()
        failed = await self._failed.async_load() or {}
        self._parts = {key: state[key] for key in STATE_PARTS if key in state}
        settled = int(cursor.get("settled_through", 0))
        horizon = (dt_util.utcnow() - HISTORY).isoformat()
        wanted = [
            info
            for pos, info in enumerate(self.index)
            if rebuilt
            or pos == len(self.index) - 1
            or (info.last or 0) > min(settled, int(state.get("through", 0)))
            or (info.newest or "") >= horizon
        ]
        loaded = await asyncio.gather(
            *(self._segment(info.first).async_load() for info in wanted)
        )
        if rebuilt:
            _fill_index(wanted[:-1], loaded)
        marked = {int(seq) for seq in cursor.get("marked", [])}
        if isinstance(in_flight := cursor.get("in_flight"), int):
            marked.add(in_flight)
        for data in loaded:
            if isinstance(marker := (data or {}).get("in_flight"), int):
                marked.add(marker)
        if self.index and wanted and wanted[-1] is self.index[-1]:
            marker = (loaded[-1] or {}).get("in_flight")
            self.tail_marker = marker if isinstance(marker, int) else None
        punches = [
            Punch.from_dict(item)
            for data in loaded
            for item in (data or {}).get("punches", [])
        ]
        if self.index:
            self.tail = [p.as_dict() for p in punches if p.seq >= self.index[-1].first]
        if rebuilt:
            self.schedule_state_save()
        return LoadedFiles(
            state=state,
            cursor=cursor,
            failed=list(failed.get("punches", [])),
            punches=punches,
            marked=marked,
            rebuilt=rebuilt,
            cursor_lost=cursor_lost,
        )

    async def _async_read_index(
        self,
    ) -> tuple[dict[str, Any], dict[str, Any], bool, bool]:
        """Read the state file and the cursor, standing in for a lost one.

        Return the state, the cursor, whether the segment index was rebuilt
        from the punch files and whether the cursor was lost.
        """
        state = await self._state.async_load()
        cursor = await self._cursor.async_load()
        rebuilt = False
        if state is None and (found := await self._async_find_segments()):
            # The state file is gone (damaged and moved aside by Home Assistant):
            # its segment index is rebuilt from the punch files, and the shift
            # record from the punches.
            LOGGER.warning(
                "The state file of %s was lost; reading its %s punch files again",
                self.key,
                len(found),
            )
            self.index = [SegmentInfo(first=first) for first in found]
            rebuilt = True
        else:
            self.index = [
                SegmentInfo(**item) for item in (state or {}).get("segments", [])
            ]
        if (
            cursor is None
            and state
            and (state.get("settled_through") or state.get("settled_above"))
        ):
            # The cursor is gone (the state file's copy says it was written): the
            # copy, written a moment after the settlements, stands in for it, and
            # what follows may have been sent.
            return (
                state,
                {
                    "settled_through": state["settled_through"],
                    "settled_above": state.get("settled_above", []),
                },
                rebuilt,
                True,
            )
        return state or {}, cursor or {}, rebuilt, False

    async def _async_find_segments(self) -> list[int]:
        """Return the first numbers of the account's punch files in ``.storage``."""
        prefix = f"{self.key}.punches."
        directory = self._hass.config.path(STORAGE_DIR)

        def listdir() -> list[str]:
            try:
                return os.listdir(directory)
            except OSError:
                return []

        names = await self._hass.async_add_executor_job(listdir)
        return sorted(
            int(name[len(prefix) :])
            for name in names
            if name.startswith(prefix) and name[len(prefix) :].isdigit()
        )

    def _segment(self, first: int) -> TimeClockStore:
        """Return the storage file of the segment starting at ``first``."""
        if (store := self._segments.get(first)) is None:
            store = TimeClockStore(self._hass, f"{self.key}.punches.{first}")
            self._segments[first] = store
        return store

    # Segments ------------------------------------------------------------------

    @property
    def tail_full(self) -> bool:
        """Return whether the next punch needs a new segment."""
        return not self.index or len(self.tail) >= SEGMENT_SIZE

    def write_tail(self) -> Coroutine[Any, Any, None]:
        """Return the write of the tail segment as it is now."""
        data: dict[str, Any] = {"punches": list(self.tail)}
        if self.tail_marker is not None:
            data["in_flight"] = self.tail_marker
        return self._segment(self.index[-1].first).async_save(data)

    async def async_open_segment(self, first: int, settled_through: int) -> None:
        """Close the tail segment and list a new one before anything is written to it.

        Settled segments older than ``RETENTION`` go (the local record's bound).
        """
        if self.index and self.tail:
            tail = self.index[-1]
            tail.last = self.tail[-1]["seq"]
            tail.newest = max(item["time"] for item in self.tail)
        self.index.append(SegmentInfo(first=first))
        self._index_cache = None
        self.tail = []
        self.tail_marker = None
        await self._state.async_save(self._state_snapshot())
        await self._async_prune(settled_through)

    async def _async_prune(self, settled_through: int) -> None:
        """Remove settled segments older than ``RETENTION``."""
        horizon = (dt_util.utcnow() - RETENTION).isoformat()
        old = [
            info
            for info in self.index[:-1]
            if info.last is not None
            and info.last <= settled_through
            and (info.newest or "") < horizon
        ]
        if not old:
            return
        self.index = [info for info in self.index if info not in old]
        self._index_cache = None
        await self._state.async_save(self._state_snapshot())
        for info in old:
            await self._segment(info.first).async_remove()
            self._segments.pop(info.first, None)
        LOGGER.debug(
            "Removed %s segments older than %s from %s", len(old), RETENTION, self.key
        )

    async def async_read_since(self, since: datetime) -> list[dict[str, Any]]:
        """Return the stored punches of the segments that reach past ``since``."""
        horizon = since.isoformat()
        items: list[dict[str, Any]] = []
        for pos, info in enumerate(self.index):
            if pos == len(self.index) - 1:
                items.extend(self.tail)
            elif info.newest is None or info.newest >= horizon:
                data = await self._segment(info.first).async_load()
                items.extend((data or {}).get("punches", []))
        return items

    # The cursor, the state file and the failed list -------------------------------

    async def async_write_cursor(self, cursor: dict[str, Any]) -> None:
        """Write the cursor now."""
        await self._cursor.async_save(cursor)

    def delay_cursor(self, cursor: dict[str, Any], delay: float) -> None:
        """Write the cursor soon (a later write supersedes it)."""
        self._cursor.async_delay_save(lambda: cursor, delay)

    def set_parts(self, **parts: Any) -> None:
        """Hand in parts of the state file, for its next write."""
        self._parts.update(parts)

    def _state_snapshot(self) -> dict[str, Any]:
        """Return the state file as stored, built in the event loop."""
        if self._index_cache is None:
            self._index_cache = [info.as_dict() for info in self.index]
        return {"segments": self._index_cache, **self._parts}

    def schedule_state_save(self) -> None:
        """Write the state file soon; the punches on disk let a crash rebuild it."""
        snapshot = self._state_snapshot()
        self._state.async_delay_save(lambda: snapshot, STATE_SAVE_DELAY)

    async def async_write_state(self) -> None:
        """Write the state file now."""
        await self._state.async_save(self._state_snapshot())

    async def async_write_failed(self, failed: list[dict[str, Any]]) -> None:
        """Write the failed list now."""
        await self._failed.async_save({"punches": list(failed)})

    async def async_remove(self) -> None:
        """Delete every storage file of the account."""
        for info in self.index:
            await self._segment(info.first).async_remove()
        for store in (self._state, self._cursor, self._failed):
            await store.async_remove()

    @property
    def parts(self) -> Mapping[str, Any]:
        """Return the parts of the state file handed in so far."""
        return self._parts
