"""Durable storage of one account's punches.

The punches live in segments of ``SEGMENT_SIZE`` punches, each its own storage
file, so that appending rewrites one small file and delivering rewrites only the
cursor (a few hundred bytes): draining a backlog costs bytes linear in its length.

Files under ``.storage`` for an account ``<id>``:

- ``time_clock.<id>``: the segment index, each employee's state, backend state;
- ``time_clock.<id>.cursor``: which punches are settled (delivered or failed) and
  which may be in flight;
- ``time_clock.<id>.failed``: punches the backend rejected, newest last;
- ``time_clock.<id>.punches.<first seq>``: one segment of punches.

Settled segments stay as the local record for ``RETENTION`` and are then removed.

A punch appended while the outbox is idle joins it as its write starts, so
that its request can leave while the disk works; it is reported, and settled,
only once the write has landed (``async_written``). A crash before the write
lands loses a punch nobody was told of, which the backend may hold: the one
case where a request leaves before the files list its punch.

Before a punch is sent, the files must list it as possibly in flight, so that
after a crash it is resent as uncertain (the backend is read first), and must
hold as settled every punch sent before it of the same employee (a backend is
read about the last punch of an employee only). Two cases need no write of
their own: a punch appended while the outbox is idle and the cursor on disk is
up to date is listed by the segment write that stores it; while a backlog
drains, one cursor write lists the next punches, at most ``IN_FLIGHT_BATCH``
and no employee twice. Listing a punch that was not sent only costs a read of
the backend after a crash.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
import heapq
import os
from typing import Any
import uuid

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import STORAGE_DIR, Store
from homeassistant.util import dt as dt_util
from homeassistant.util.file import WriteError

from .api import Action
from .const import DOMAIN, LOGGER
from .punch import Punch, Source

STORAGE_VERSION = 1
# 1.2: the cursor's "marked" list and a segment's "in_flight" (both optional).
# 1.3: the state file's copy of the cursor's "settled_through"/"settled_above".
STORAGE_MINOR_VERSION = 3
SEGMENT_SIZE = 100
RETENTION = timedelta(days=62)
HISTORY = timedelta(days=2)
MAX_FAILED = 500
STATE_SAVE_DELAY = 2.0
CURSOR_SAVE_DELAY = 1.0
# At most this many punches are listed in flight by one cursor write; the batch is
# a 1/IN_FLIGHT_SHARE of the outbox, so a short outbox lists one punch at a time.
IN_FLIGHT_BATCH = 64
IN_FLIGHT_SHARE = 16
# An outbox that stays empty this long gets its cursor written at once.
IDLE_CURSOR_DELAY = 0.05


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


@dataclass(kw_only=True, slots=True)
class EmployeeRecord:
    """What the store knows of one employee's shift."""

    on_shift: bool = False
    since: datetime | None = None
    last_time: datetime | None = None
    last_source: str | None = None
    history: list[tuple[datetime, Action]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Return the record as stored (history is rebuilt from the segments)."""
        return {
            "on_shift": self.on_shift,
            "since": self.since.isoformat() if self.since else None,
            "last_time": self.last_time.isoformat() if self.last_time else None,
            "last_source": self.last_source,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EmployeeRecord:
        """Return a record from its stored form."""
        return cls(
            on_shift=bool(data.get("on_shift")),
            since=_parse_time(data.get("since")),
            last_time=_parse_time(data.get("last_time")),
            last_source=data.get("last_source"),
        )

    def apply(self, punch: Punch) -> None:
        """Apply one punch to the record."""
        self.on_shift = punch.action is Action.CLOCK_IN
        self.since = punch.time if self.on_shift else None
        self.last_time = punch.time
        self.last_source = punch.source.value
        self.history.append((punch.time, punch.action))


def _fill_index(index: list[SegmentInfo], loaded: list[dict[str, Any] | None]) -> None:
    """Note the last number and newest time of closed segments read again."""
    for info, data in zip(index, loaded, strict=False):
        if items := (data or {}).get("punches"):
            info.last = max(int(item["seq"]) for item in items)
            info.newest = max(str(item["time"]) for item in items)


def _parse_time(value: Any) -> datetime | None:
    """Return a stored time, or ``None``."""
    return dt_util.parse_datetime(value) if isinstance(value, str) else None


class PunchStore:
    """The durable punches, cursor, employee state and failed list of an account."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Prepare the storage files of the account ``entry_id``."""
        self._hass = hass
        self._key = f"{DOMAIN}.{entry_id}"
        self._state_store = TimeClockStore(hass, self._key)
        self._cursor_store = TimeClockStore(hass, f"{self._key}.cursor")
        self._failed_store = TimeClockStore(hass, f"{self._key}.failed")
        self._segment_stores: dict[int, TimeClockStore] = {}
        self._index: list[SegmentInfo] = []
        self._tail: list[dict[str, Any]] = []
        self._next_seq = 1
        # Punches up to this number are in the employees' state.
        self._applied_through = 0
        self._settled_through = 0
        self._settled_above: set[int] = set()
        self._in_flight: int | None = None
        # Punches the files list as in flight: sending one needs no cursor write.
        self._marked: set[int] = set()
        self._tail_marker: int | None = None
        # Settlements made, and those the cursor on disk is known to hold.
        self._settle_version = 0
        self._durable_version = 0
        self._cursor_write: asyncio.Task[None] | None = None
        # Writes of punches that joined the outbox before they were on disk.
        self._writing: dict[int, asyncio.Future[bool]] = {}
        self._pending: dict[int, Punch] = {}
        self._pending_by_employee: Counter[str] = Counter()
        self._order: list[tuple[float, int]] = []
        self._index_cache: list[dict[str, Any]] | None = None
        self._employee_cache: dict[str, dict[str, Any]] = {}
        self._dirty_employees: set[str] | None = None
        self.uncertain: set[int] = set()
        self.employees: dict[str, EmployeeRecord] = {}
        self.backend_state: dict[str, dict[str, Any]] = {}
        self.failed: list[dict[str, Any]] = []
        self.last_delivery: datetime | None = None

    # Loading ---------------------------------------------------------------

    async def _async_read_index(
        self,
    ) -> tuple[dict[str, Any], dict[str, Any], bool, bool]:
        """Read the state file and the cursor, standing in for a lost one.

        Return the state, the cursor, whether the segment index was rebuilt
        from the punch files and whether the cursor was lost.
        """
        state = await self._state_store.async_load()
        cursor = await self._cursor_store.async_load()
        rebuilt = False
        if state is None and (found := await self._async_find_segments()):
            # The state file is gone (damaged and moved aside by Home Assistant):
            # its segment index is rebuilt from the punch files, and the
            # employees' state from the punches.
            LOGGER.warning(
                "The state file of %s was lost; reading its %s punch files again",
                self._key,
                len(found),
            )
            self._index = [SegmentInfo(first=first) for first in found]
            rebuilt = True
        else:
            self._index = [
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

    def _check_after_lost_cursor(self) -> None:
        """Have the first waiting punch of each employee checked with the backend.

        It may have been delivered after the state file's copy of the cursor.
        """
        first: dict[str, int] = {}
        for punch in self.pending_punches():
            first.setdefault(punch.employee_id, punch.seq)
        self.uncertain |= set(first.values())
        LOGGER.warning(
            "The cursor of %s was lost; %s punches wait, the first of each "
            "employee checked with the backend before it is sent",
            self._key,
            len(self._pending),
        )

    async def async_load(self) -> None:
        """Load the account's files and rebuild the outbox and employee state."""
        state, cursor, rebuilt, cursor_lost = await self._async_read_index()
        failed = await self._failed_store.async_load() or {}
        self.employees = {
            key: EmployeeRecord.from_dict(value)
            for key, value in state.get("employees", {}).items()
        }
        self.backend_state = dict(state.get("backend", {}))
        employees_through = int(state.get("through", 0))
        self._settled_through = int(cursor.get("settled_through", 0))
        self._settled_above = set(cursor.get("settled_above", []))
        self._in_flight = cursor.get("in_flight")
        marked = {int(seq) for seq in cursor.get("marked", [])}
        if isinstance(self._in_flight, int):
            marked.add(self._in_flight)
        self.last_delivery = _parse_time(cursor.get("last_delivery"))
        self.failed = list(failed.get("punches", []))

        horizon = (dt_util.utcnow() - HISTORY).isoformat()
        wanted = [
            info
            for pos, info in enumerate(self._index)
            if rebuilt
            or pos == len(self._index) - 1
            or (info.last or 0) > min(self._settled_through, employees_through)
            or (info.newest or "") >= horizon
        ]
        loaded = await asyncio.gather(
            *(self._segment(info.first).async_load() for info in wanted)
        )
        if rebuilt:
            _fill_index(wanted[:-1], loaded)
        for data in loaded:
            if isinstance(marker := (data or {}).get("in_flight"), int):
                marked.add(marker)
        if self._index and wanted and wanted[-1] is self._index[-1]:
            marker = (loaded[-1] or {}).get("in_flight")
            self._tail_marker = marker if isinstance(marker, int) else None
        punches = [
            Punch.from_dict(item)
            for data in loaded
            for item in (data or {}).get("punches", [])
        ]
        if self._index:
            self._tail = [
                p.as_dict() for p in punches if p.seq >= self._index[-1].first
            ]
        cutoff = dt_util.utcnow() - HISTORY
        for punch in sorted(punches, key=lambda p: p.seq):
            self._next_seq = max(self._next_seq, punch.seq + 1)
            record = self.employees.setdefault(punch.employee_id, EmployeeRecord())
            if punch.seq > employees_through:
                record.apply(punch)
            elif punch.time >= cutoff:
                record.history.append((punch.time, punch.action))
            if not self._is_settled(punch.seq):
                self._add_pending(punch)
        self._marked = {seq for seq in marked if seq in self._pending}
        self.uncertain |= self._marked
        if cursor_lost and self._pending:
            self._check_after_lost_cursor()
        self._applied_through = max(employees_through, self._next_seq - 1)
        if self._in_flight not in self._pending:
            self._in_flight = None
        self._index_cache = None
        self._dirty_employees = None
        self._next_seq = self._first_free_number(employees_through)
        if rebuilt:
            self._schedule_state_save()

    def _first_free_number(self, employees_through: int) -> int:
        """Return the number of the next punch, after every number used before.

        After a lost (corrupt) tail segment, a reused number at or below the
        cursor would read as settled.
        """
        number = self._next_seq
        if self._index:
            number = max(number, self._index[-1].first)
        used = max(employees_through, self._settled_through, *self._settled_above)
        return max(number, used + 1)

    async def _async_find_segments(self) -> list[int]:
        """Return the first numbers of the account's punch files in ``.storage``."""
        prefix = f"{self._key}.punches."
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
        if (store := self._segment_stores.get(first)) is None:
            store = TimeClockStore(self._hass, f"{self._key}.punches.{first}")
            self._segment_stores[first] = store
        return store

    # Queries ---------------------------------------------------------------

    def _is_settled(self, seq: int) -> bool:
        """Return whether the punch ``seq`` was delivered or failed."""
        return seq <= self._settled_through or seq in self._settled_above

    def _add_pending(self, punch: Punch) -> None:
        """Put a punch in the outbox, ordered by time of occurrence."""
        self._pending[punch.seq] = punch
        self._pending_by_employee[punch.employee_id] += 1
        heapq.heappush(self._order, (punch.time.timestamp(), punch.seq))

    def _remove_pending(self, seq: int) -> None:
        """Take a punch out of the outbox (its heap entry goes lazily)."""
        if (punch := self._pending.pop(seq, None)) is None:
            return
        left = self._pending_by_employee[punch.employee_id] - 1
        if left > 0:
            self._pending_by_employee[punch.employee_id] = left
        else:
            del self._pending_by_employee[punch.employee_id]

    def next_pending(self) -> Punch | None:
        """Return the oldest undelivered punch by time of occurrence."""
        while self._order:
            if (punch := self._pending.get(self._order[0][1])) is not None:
                return punch
            heapq.heappop(self._order)
        return None

    @property
    def pending_count(self) -> int:
        """Return how many punches wait in the outbox."""
        return len(self._pending)

    def pending_punches(self) -> list[Punch]:
        """Return the undelivered punches in order of occurrence."""
        return sorted(self._pending.values(), key=lambda p: (p.time, p.seq))

    def pending_for(self, employee_id: str) -> int:
        """Return how many punches of one employee wait in the outbox."""
        return self._pending_by_employee.get(employee_id, 0)

    def is_pending(self, seq: int) -> bool:
        """Return whether the punch ``seq`` waits in the outbox."""
        return seq in self._pending

    async def async_read_record(self, since: datetime) -> list[tuple[Punch, bool]]:
        """Return the kept punches that may have happened after ``since``.

        Each comes with whether the backend confirmed it. Segments whose newest
        punch is older are not read (the local record keeps ``RETENTION``).
        """
        horizon = since.isoformat()
        failed = {str(item.get("id")) for item in self.failed}
        items: list[dict[str, Any]] = []
        for pos, info in enumerate(self._index):
            if pos == len(self._index) - 1:
                items.extend(self._tail)
            elif info.newest is None or info.newest >= horizon:
                data = await self._segment(info.first).async_load()
                items.extend((data or {}).get("punches", []))
        punches = [Punch.from_dict(item) for item in items]
        return [
            (
                punch,
                self._is_settled(punch.seq) and punch.punch_id not in failed,
            )
            for punch in punches
            if punch.time >= since and punch.seq not in self._writing
        ]

    # Changes ---------------------------------------------------------------

    async def async_append(
        self,
        *,
        employee_id: str,
        action: Action,
        time: datetime,
        source: Source,
        reader: str | None = None,
        project_id: int | None = None,
        description: str | None = None,
        on_queued: Callable[[], None] | None = None,
    ) -> Punch:
        """Write a new punch to disk and put it in the outbox.

        When the outbox is idle the punch goes next, and it joins the outbox
        while its write is still under way (``on_queued`` is called then), so it
        can be sent at once: ``async_written`` tells the sender when it is on
        disk. This call returns only once it is.
        """
        punch = Punch(
            seq=self._next_seq,
            punch_id=uuid.uuid4().hex,
            employee_id=employee_id,
            action=action,
            time=dt_util.as_utc(time),
            source=source,
            reader=reader,
            project_id=project_id,
            description=description,
        )
        if not self._index or len(self._tail) >= SEGMENT_SIZE:
            await self._async_open_segment(punch.seq)
        # With nothing else to send and every settlement on disk, this punch goes
        # next and nothing is resent before it: the segment write that stores it
        # also lists it as in flight.
        idle = (
            not self._pending
            and self._in_flight is None
            and self._durable_version == self._settle_version
        )
        previous_marker = self._tail_marker
        if idle:
            self._tail_marker = punch.seq
        item = punch.as_dict()
        self._tail.append(item)
        self._next_seq += 1
        if not idle:
            # Others go first: write, then join the outbox (no task to schedule,
            # which a busy loop would make every tap of a burst wait for).
            try:
                await self._segment(self._index[-1].first).async_save(self._tail_data())
            except BaseException:
                self._forget(item, punch.seq, previous_marker)
                raise
            self._add_pending(punch)
            self._keep(punch)
            return punch
        # Resolved (True when kept) once the punch is on disk and in the books.
        recorded: asyncio.Future[bool] = self._hass.loop.create_future()

        def written(write: asyncio.Future[None]) -> None:
            """Keep the punch once it is on disk, or forget it (once)."""
            if recorded.done():
                return
            ok = not write.cancelled() and write.exception() is None
            self._writing.pop(punch.seq, None)
            if ok:
                self._keep(punch)
            else:
                self._forget(item, punch.seq, previous_marker)
            recorded.set_result(ok)

        # The write runs as a task of its own: a caller that is cancelled does
        # not stop a write begun, and ``written`` keeps or forgets the punch.
        # It starts at once (to the executor), and the sender that ``on_queued``
        # woke puts the request on the wire at the loop's next turn.
        self._writing[punch.seq] = recorded
        self._marked.add(punch.seq)
        self._add_pending(punch)
        if on_queued is not None:
            on_queued()
        write = self._hass.async_create_task(
            self._segment(self._index[-1].first).async_save(self._tail_data()),
            f"{self._key} append",
        )
        write.add_done_callback(written)
        try:
            await asyncio.shield(write)
        finally:
            if write.done():
                written(write)
        return punch

    def _keep(self, punch: Punch) -> None:
        """Apply a punch that is on disk to its employee's state."""
        self.employees.setdefault(punch.employee_id, EmployeeRecord()).apply(punch)
        self._applied_through = max(self._applied_through, punch.seq)
        self._employee_changed(punch.employee_id)
        self._schedule_state_save()

    def _forget(
        self, item: dict[str, Any], seq: int, previous_marker: int | None
    ) -> None:
        """Take back a punch whose write failed, as if it had never been made."""
        self._remove_pending(seq)
        self._marked.discard(seq)
        if self._in_flight == seq:
            self._in_flight = None
        if item in self._tail:
            self._tail.remove(item)
        if self._tail_marker == seq:
            self._tail_marker = previous_marker
        if self._next_seq == seq + 1:
            self._next_seq = seq

    async def async_written(self, seq: int) -> bool:
        """Wait until a punch sent during its write is on disk; ``False`` if it failed.

        It resolves after the appending caller has its answer, so a punch is
        reported as recorded before anything about its delivery.
        """
        if (recorded := self._writing.get(seq)) is None:
            return True
        return await asyncio.shield(recorded)

    def _tail_data(self) -> dict[str, Any]:
        """Return the tail segment as stored."""
        data: dict[str, Any] = {"punches": list(self._tail)}
        if self._tail_marker is not None:
            data["in_flight"] = self._tail_marker
        return data

    async def _async_open_segment(self, first: int) -> None:
        """Close the tail segment and list a new one before anything is written to it."""
        if self._index and self._tail:
            tail = self._index[-1]
            tail.last = self._tail[-1]["seq"]
            tail.newest = max(item["time"] for item in self._tail)
        self._index.append(SegmentInfo(first=first))
        self._index_cache = None
        self._tail = []
        self._tail_marker = None
        await self._state_store.async_save(self._state_snapshot())
        await self._async_prune()

    async def async_mark_in_flight(self, punch: Punch) -> None:
        """Make sure the files list ``punch`` as in flight before it is sent."""
        self._in_flight = punch.seq
        if punch.seq in self._marked:
            return
        self._marked = set(self._next_batch(punch))
        await self._async_write_cursor()

    def _next_batch(self, punch: Punch) -> list[int]:
        """Return ``punch`` and the punches due after it, no employee twice.

        The batch grows with the backlog (a sixteenth of it, at most
        ``IN_FLIGHT_BATCH``), so a short outbox lists one punch at a time. It
        stops before a second punch of an employee: that one is sent only after
        the next cursor write has settled the first.
        """
        size = min(IN_FLIGHT_BATCH, max(1, len(self._pending) // IN_FLIGHT_SHARE))
        batch = [punch.seq]
        employees = {punch.employee_id}
        order = list(self._order) if size > 1 else []
        while order and len(batch) < size:
            seq = heapq.heappop(order)[1]
            if seq == punch.seq or (due := self._pending.get(seq)) is None:
                continue
            if due.employee_id in employees:
                break
            employees.add(due.employee_id)
            batch.append(seq)
        return batch

    async def _async_write_cursor(self) -> None:
        """Write the cursor now; then every settlement made so far is on disk."""
        version = self._settle_version
        await self._cursor_store.async_save(self._cursor_snapshot())
        self._durable_version = max(self._durable_version, version)

    def settle(self, punch: Punch, *, delivered: bool) -> None:
        """Take a punch out of the outbox; the cursor is written soon after.

        While punches wait, the next cursor write comes with the next batch (or
        after ``CURSOR_SAVE_DELAY``). An outbox that stays empty for
        ``IDLE_CURSOR_DELAY`` gets it written then, so that the next punch can go
        out after a single write; in a burst the next punch comes first and
        writes the cursor itself.
        """
        self._settle(punch, delivered=delivered)
        snapshot = self._cursor_snapshot()
        self._cursor_store.async_delay_save(lambda: snapshot, CURSOR_SAVE_DELAY)
        self._schedule_state_save()
        if not self._pending and self._cursor_write is None:
            self._cursor_write = self._hass.async_create_background_task(
                self._async_write_idle_cursor(), f"{self._key} cursor"
            )

    async def _async_write_idle_cursor(self) -> None:
        """Write the cursor if the outbox stays empty a moment."""
        try:
            await asyncio.sleep(IDLE_CURSOR_DELAY)
            while not self._pending and self._durable_version < self._settle_version:
                await self._async_write_cursor()
        finally:
            self._cursor_write = None

    def _settle(self, punch: Punch, *, delivered: bool) -> None:
        """Take a punch out of the outbox, in memory."""
        self._settle_version += 1
        self._remove_pending(punch.seq)
        self._marked.discard(punch.seq)
        self.uncertain.discard(punch.seq)
        self._settled_above.add(punch.seq)
        while self._settled_through + 1 in self._settled_above:
            self._settled_through += 1
            self._settled_above.discard(self._settled_through)
        if delivered:
            self.last_delivery = dt_util.utcnow()
        if self._in_flight == punch.seq:
            self._in_flight = None

    async def async_settle(self, punch: Punch, *, delivered: bool) -> None:
        """Take a punch out of the outbox and write the cursor now."""
        self._settle(punch, delivered=delivered)
        await self._async_write_cursor()
        self._schedule_state_save()

    async def async_fail(self, punch: Punch, *, code: str, message: str) -> None:
        """Move a rejected punch to the failed list."""
        entry = {
            **punch.as_dict(),
            "code": code,
            "message": message,
            "failed_at": dt_util.utcnow().isoformat(),
        }
        self.failed = [item for item in self.failed if item["id"] != punch.punch_id]
        self.failed.append(entry)
        if (excess := len(self.failed) - MAX_FAILED) > 0:
            LOGGER.warning(
                "The failed list of %s holds more than %s punches; dropping the %s oldest",
                self._key,
                MAX_FAILED,
                excess,
            )
            del self.failed[:excess]
        await self._failed_store.async_save({"punches": list(self.failed)})
        await self.async_settle(punch, delivered=False)

    async def async_clear_failed(self) -> None:
        """Forget the failed punches."""
        self.failed = []
        await self._failed_store.async_save({"punches": []})

    async def async_set_backend_state(
        self, employee_id: str, state: dict[str, Any]
    ) -> None:
        """Remember what the backend asked to keep for an employee, on disk now."""
        if self.backend_state.get(employee_id, {}) == state:
            return
        if state:
            self.backend_state[employee_id] = dict(state)
        else:
            self.backend_state.pop(employee_id, None)
        await self._state_store.async_save(self._state_snapshot())

    def set_on_shift(
        self, employee_id: str, on_shift: bool, since: datetime | None
    ) -> None:
        """Take the backend's word for an employee's state (state sync)."""
        record = self.employees.setdefault(employee_id, EmployeeRecord())
        record.on_shift = on_shift
        record.since = since if on_shift else None
        self._employee_changed(employee_id)
        self._schedule_state_save()

    def prune_history(self, now: datetime) -> None:
        """Forget history older than ``HISTORY`` (the worked-today sensor needs less)."""
        cutoff = now - HISTORY
        for record in self.employees.values():
            if record.history and record.history[0][0] < cutoff:
                record.history = [item for item in record.history if item[0] >= cutoff]

    def forget_employee(self, employee_id: str) -> None:
        """Drop the state of an employee who was removed."""
        if self.employees.pop(employee_id, None) is not None:
            self.backend_state.pop(employee_id, None)
            self._employee_changed(employee_id)
            self._schedule_state_save()

    def forget_employees(self, keep: Iterable[str]) -> None:
        """Drop the state of employees no longer configured."""
        keep = set(keep)
        for employee_id in [e for e in self.employees if e not in keep]:
            del self.employees[employee_id]
            self.backend_state.pop(employee_id, None)
            self._employee_changed(employee_id)
        self._schedule_state_save()

    async def _async_prune(self) -> None:
        """Remove settled segments older than ``RETENTION`` (the local record's bound)."""
        horizon = (dt_util.utcnow() - RETENTION).isoformat()
        old = [
            info
            for info in self._index[:-1]
            if info.last is not None
            and info.last <= self._settled_through
            and (info.newest or "") < horizon
        ]
        if not old:
            return
        self._index = [info for info in self._index if info not in old]
        self._index_cache = None
        await self._state_store.async_save(self._state_snapshot())
        for info in old:
            await self._segment(info.first).async_remove()
            self._segment_stores.pop(info.first, None)
        LOGGER.debug(
            "Removed %s segments older than %s from %s", len(old), RETENTION, self._key
        )

    # Saving ----------------------------------------------------------------

    def _state_snapshot(self) -> dict[str, Any]:
        """Return the index and employee state as stored, built in the event loop.

        It is built after every punch, so the parts that did not change come from
        caches: lists and dicts that are replaced, never changed, once shared.
        """
        if self._index_cache is None:
            self._index_cache = [info.as_dict() for info in self._index]
        return {
            "segments": self._index_cache,
            "through": self._applied_through,
            # A copy of the cursor's settlements, for when the cursor is lost.
            "settled_through": self._settled_through,
            "settled_above": sorted(self._settled_above),
            "employees": self._employees_snapshot(),
            "backend": {key: dict(value) for key, value in self.backend_state.items()},
        }

    def _employee_changed(self, employee_id: str) -> None:
        """Note that an employee's stored state must be rebuilt."""
        if self._dirty_employees is not None:
            self._dirty_employees.add(employee_id)

    def _employees_snapshot(self) -> dict[str, dict[str, Any]]:
        """Return every employee's state as stored, rebuilding only what changed."""
        dirty = self._dirty_employees
        if dirty is None or len(self._employee_cache) != len(self.employees):
            self._employee_cache = {
                key: rec.as_dict() for key, rec in self.employees.items()
            }
        else:
            for key in dirty:
                if (record := self.employees.get(key)) is not None:
                    self._employee_cache[key] = record.as_dict()
                else:
                    self._employee_cache.pop(key, None)
        self._dirty_employees = set()
        return dict(self._employee_cache)

    def _cursor_snapshot(self) -> dict[str, Any]:
        """Return the cursor as stored, built in the event loop."""
        return {
            "settled_through": self._settled_through,
            "settled_above": sorted(self._settled_above),
            "in_flight": self._in_flight,
            "marked": sorted(self._marked),
            "last_delivery": self.last_delivery.isoformat()
            if self.last_delivery
            else None,
        }

    def _schedule_state_save(self) -> None:
        """Write the employee state soon; punches on disk let a crash rebuild it."""
        snapshot = self._state_snapshot()
        self._state_store.async_delay_save(lambda: snapshot, STATE_SAVE_DELAY)

    async def async_flush(self) -> None:
        """Write everything that waits for a delayed save."""
        await self._state_store.async_save(self._state_snapshot())
        await self._async_write_cursor()

    async def async_remove(self) -> None:
        """Delete every storage file of the account."""
        for info in self._index:
            await self._segment(info.first).async_remove()
        for store in (self._state_store, self._cursor_store, self._failed_store):
            await store.async_remove()
