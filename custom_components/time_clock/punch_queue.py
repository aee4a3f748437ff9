"""The queue of an account's punches: what waits, what may be in flight, what failed.

A punch appended while the outbox is idle joins the queue as its write starts,
so that its request can leave while the disk works; it is reported, and
settled, only once the write has landed (``async_written``). A crash before the
write lands loses a punch nobody was told of, which the backend may hold: the
one case where a request leaves before the files list its punch.

Before a punch is sent, the files must list it as possibly in flight, so that
after a crash it is resent as uncertain (the backend is read first), and must
hold as settled every punch sent before it of the same employee (a backend is
read about the last punch of an employee only). Two cases need no write of
their own: a punch appended while the queue is idle and the cursor on disk is
up to date is listed by the segment write that stores it; while a backlog
drains, one cursor write lists the next punches, at most ``IN_FLIGHT_BATCH``
and no employee twice. Listing a punch that was not sent only costs a read of
the backend after a crash.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from datetime import datetime
import heapq
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .const import LOGGER
from .failed_list import FailedList
from .punch import NewPunch, Punch
from .record import parse_time
from .storage import AccountFiles, LoadedFiles

CURSOR_SAVE_DELAY = 1.0
# At most this many punches are listed in flight by one cursor write; the batch is
# a 1/IN_FLIGHT_SHARE of the queue, so a short queue lists one punch at a time.
IN_FLIGHT_BATCH = 64
IN_FLIGHT_SHARE = 16
# A queue that stays empty this long gets its cursor written at once.
IDLE_CURSOR_DELAY = 0.05


class PunchQueue:
    """The punches of an account not yet settled, in order of occurrence."""

    def __init__(
        self,
        hass: HomeAssistant,
        files: AccountFiles,
        *,
        kept: Callable[[Punch], None] = lambda _punch: None,
    ) -> None:
        """Prepare the queue of ``files``; ``kept`` hears of each punch once on disk."""
        self._hass = hass
        self._files = files
        self._kept = kept
        self._next_seq = 1
        self._settled_through = 0
        self._settled_above: set[int] = set()
        self._in_flight: int | None = None
        # Punches the files list as in flight: sending one needs no cursor write.
        self._marked: set[int] = set()
        # Settlements made, and those the cursor on disk is known to hold.
        self._settle_version = 0
        self._durable_version = 0
        self._cursor_write: asyncio.Task[None] | None = None
        # Writes of punches that joined the queue before they were on disk.
        self._writing: dict[int, asyncio.Future[bool]] = {}
        self._pending: dict[int, Punch] = {}
        self._pending_by_employee: Counter[str] = Counter()
        self._order: list[tuple[float, int]] = []
        self.uncertain: set[int] = set()
        self.failed_list = FailedList(files)
        self.last_delivery: datetime | None = None

    # Loading -------------------------------------------------------------------

    def load(self, loaded: LoadedFiles) -> None:
        """Rebuild the queue from what the account's files held."""
        cursor = loaded.cursor
        self._settled_through = int(cursor.get("settled_through", 0))
        self._settled_above = set(cursor.get("settled_above", []))
        self._in_flight = cursor.get("in_flight")
        self.last_delivery = parse_time(cursor.get("last_delivery"))
        self.failed_list.items = list(loaded.failed)
        for punch in sorted(loaded.punches, key=lambda p: p.seq):
            self._next_seq = max(self._next_seq, punch.seq + 1)
            if not self.is_settled(punch.seq):
                self._add_pending(punch)
        self._marked = {seq for seq in loaded.marked if seq in self._pending}
        self.uncertain |= self._marked
        if loaded.cursor_lost and self._pending:
            self._check_after_lost_cursor()
        if self._in_flight not in self._pending:
            self._in_flight = None
        self._next_seq = self._first_free_number(loaded.through)

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
            self._files.key,
            len(self._pending),
        )

    def _first_free_number(self, through: int) -> int:
        """Return the number of the next punch, after every number used before.

        After a lost (corrupt) tail segment, a reused number at or below the
        cursor would read as settled.
        """
        number = self._next_seq
        if self._files.index:
            number = max(number, self._files.index[-1].first)
        used = max(through, self._settled_through, *self._settled_above)
        return max(number, used + 1)

    # Queries ---------------------------------------------------------------------

    def is_settled(self, seq: int) -> bool:
        """Return whether the punch ``seq`` was delivered or failed."""
        return seq <= self._settled_through or seq in self._settled_above

    def _add_pending(self, punch: Punch) -> None:
        """Put a punch in the queue, ordered by time of occurrence."""
        self._pending[punch.seq] = punch
        self._pending_by_employee[punch.employee_id] += 1
        heapq.heappush(self._order, (punch.time.timestamp(), punch.seq))

    def _remove_pending(self, seq: int) -> None:
        """Take a punch out of the queue (its heap entry goes lazily)."""
        if (punch := self._pending.pop(seq, None)) is None:
            return
        left = self._pending_by_employee[punch.employee_id] - 1
        if left > 0:
            self._pending_by_employee[punch.employee_id] = left
        else:
            del self._pending_by_employee[punch.employee_id]

    def next_pending(self) -> Punch | None:
        """Return the oldest waiting punch by time of occurrence."""
        while self._order:
            if (punch := self._pending.get(self._order[0][1])) is not None:
                return punch
            heapq.heappop(self._order)
        return None

    @property
    def pending_count(self) -> int:
        """Return how many punches wait."""
        return len(self._pending)

    def pending_punches(self) -> list[Punch]:
        """Return the waiting punches in order of occurrence."""
        return sorted(self._pending.values(), key=lambda p: (p.time, p.seq))

    def pending_for(self, employee_id: str) -> int:
        """Return how many punches of one employee wait."""
        return self._pending_by_employee.get(employee_id, 0)

    def is_pending(self, seq: int) -> bool:
        """Return whether the punch ``seq`` waits."""
        return seq in self._pending

    def is_writing(self, seq: int) -> bool:
        """Return whether a punch is still being written (not yet recorded)."""
        return seq in self._writing

    # Appending -------------------------------------------------------------------

    async def async_append(
        self, new: NewPunch, *, on_queued: Callable[[], None] | None = None
    ) -> Punch:
        """Write a new punch to disk and put it in the queue.

        When the queue is idle the punch goes next, and it joins the queue while
        its write is still under way (``on_queued`` is called then), so it can be
        sent at once: ``async_written`` tells the sender when it is on disk. This
        call returns only once it is.
        """
        files = self._files
        punch = new.numbered(self._next_seq)
        if files.tail_full:
            await files.async_open_segment(punch.seq, self._settled_through)
        # With nothing else to send and every settlement on disk, this punch goes
        # next and nothing is resent before it: the segment write that stores it
        # also lists it as in flight.
        idle = (
            not self._pending
            and self._in_flight is None
            and self._durable_version == self._settle_version
        )
        previous_marker = files.tail_marker
        if idle:
            files.tail_marker = punch.seq
        item = punch.as_dict()
        files.tail.append(item)
        self._next_seq += 1
        if not idle:
            # Others go first: write, then join the queue (no task to schedule,
            # which a busy loop would make every tap of a burst wait for).
            try:
                await files.write_tail()
            except BaseException:
                self._forget(item, punch.seq, previous_marker)
                raise
            self._add_pending(punch)
            self._kept(punch)
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
                self._kept(punch)
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
        write = self._hass.async_create_task(files.write_tail(), f"{files.key} append")
        write.add_done_callback(written)
        try:
            await asyncio.shield(write)
        finally:
            if write.done():
                written(write)
        return punch

    def _forget(
        self, item: dict[str, Any], seq: int, previous_marker: int | None
    ) -> None:
        """Take back a punch whose write failed, as if it had never been made."""
        files = self._files
        self._remove_pending(seq)
        self._marked.discard(seq)
        if self._in_flight == seq:
            self._in_flight = None
        if item in files.tail:
            files.tail.remove(item)
        if files.tail_marker == seq:
            files.tail_marker = previous_marker
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

    # In flight -------------------------------------------------------------------

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
        ``IN_FLIGHT_BATCH``), so a short queue lists one punch at a time. It
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

    async def _async_write_cursor(self) -> None:
        """Write the cursor now; then every settlement made so far is on disk."""
        version = self._settle_version
        await self._files.async_write_cursor(self._cursor_snapshot())
        self._durable_version = max(self._durable_version, version)

    # Settling --------------------------------------------------------------------

    def settle(self, punch: Punch, *, delivered: bool) -> None:
        """Take a punch out of the queue; the cursor is written soon after.

        While punches wait, the next cursor write comes with the next batch (or
        after ``CURSOR_SAVE_DELAY``). A queue that stays empty for
        ``IDLE_CURSOR_DELAY`` gets it written then, so that the next punch can go
        out after a single write; in a burst the next punch comes first and
        writes the cursor itself.
        """
        self._settle(punch, delivered=delivered)
        self._files.delay_cursor(self._cursor_snapshot(), CURSOR_SAVE_DELAY)
        self._files.schedule_state_save()
        if not self._pending and self._cursor_write is None:
            self._cursor_write = self._hass.async_create_background_task(
                self._async_write_idle_cursor(), f"{self._files.key} cursor"
            )

    async def _async_write_idle_cursor(self) -> None:
        """Write the cursor if the queue stays empty a moment."""
        try:
            await asyncio.sleep(IDLE_CURSOR_DELAY)
            while not self._pending and self._durable_version < self._settle_version:
                await self._async_write_cursor()
        finally:
            self._cursor_write = None

    def _settle(self, punch: Punch, *, delivered: bool) -> None:
        """Take a punch out of the queue, in memory."""
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
        # The state file keeps a copy, for when the cursor is lost.
        self._files.set_parts(
            settled_through=self._settled_through,
            settled_above=sorted(self._settled_above),
        )

    async def async_settle(self, punch: Punch, *, delivered: bool) -> None:
        """Take a punch out of the queue and write the cursor now."""
        self._settle(punch, delivered=delivered)
        await self._async_write_cursor()
        self._files.schedule_state_save()

    async def async_fail(self, punch: Punch, *, code: str, message: str) -> None:
        """Move a rejected punch to the failed list."""
        await self.failed_list.async_add(punch, code=code, message=message)
        await self.async_settle(punch, delivered=False)

    async def async_flush(self) -> None:
        """Write the cursor and the state file now (at unload)."""
        await self._files.async_write_state()
        await self._async_write_cursor()
