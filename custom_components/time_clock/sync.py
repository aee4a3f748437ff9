"""Follow the backend: shifts started or ended on other terminals, and reachability."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from homeassistant.util import dt as dt_util

from .api import Backend, TimeClockConnectionError, TimeClockError
from .const import LOGGER
from .outbox import Outbox
from .record import ShiftRecord
from .roster import Roster


class BackendSync:
    """Read the backend's states now and then, and take them where nothing waits."""

    def __init__(
        self,
        *,
        backend: Backend,
        roster: Roster,
        record: ShiftRecord,
        outbox: Outbox,
        followed: Callable[[str], None],
        changed: Callable[[str | None], None],
    ) -> None:
        """Prepare the sync of an account.

        ``followed(employee)`` is told when a state was taken from the backend;
        ``changed(None)`` when the backend's reachability changed.
        """
        self._backend = backend
        self._roster = roster
        self._record = record
        self._outbox = outbox
        self._followed = followed
        self._changed = changed

    def _reachable(self, reachable: bool) -> None:
        """Note whether the backend answers, and say so when it changed."""
        if self._outbox.reachable is not reachable:
            self._outbox.reachable = reachable
            self._changed(None)

    def _mark(self, employee_id: str) -> tuple[bool, datetime | None]:
        """Return what a punch changes in an employee's state (to spot one)."""
        record = self._record.get(employee_id)
        return record.on_shift, record.last_time

    async def async_run(self, _now: datetime | None = None) -> None:
        """Take shifts started or ended elsewhere from the backend.

        An employee with a punch still waiting keeps the local state: the
        backend has not seen that punch yet. A backend that cannot tell states
        is asked whether it answers at all. Nothing is asked while delivery
        waits for new credentials.
        """
        if self._outbox.paused:
            return
        persons = {
            e.identifier: key
            for key, e in self._roster.employees.items()
            if e.identifier
        }
        # A punch made while the answer travels is newer than the answer.
        seen = {key: self._mark(key) for key in persons.values()}
        try:
            states = (
                await self._backend.async_fetch_states(list(persons))
                if persons
                else None
            )
        except TimeClockError as err:
            LOGGER.debug("State sync failed: %s", err)
            # Any answer but a failed connection shows the backend is there.
            self._reachable(not isinstance(err, TimeClockConnectionError))
            return
        if states is None:
            self._reachable(await self._backend.async_probe())
            return
        self._reachable(True)
        folded = {person.casefold(): on for person, on in states.items()}
        for person, employee_id in persons.items():
            on_shift = folded.get(person.casefold())
            if (
                on_shift is None
                or self._outbox.pending_for(employee_id)
                or seen[employee_id] != self._mark(employee_id)
                or self._record.get(employee_id).on_shift == on_shift
            ):
                continue
            LOGGER.info(
                "%s is %s at the backend; following it",
                self._roster.name(employee_id),
                "on shift" if on_shift else "off shift",
            )
            self._record.set_on_shift(employee_id, on_shift, dt_util.utcnow())
            self._followed(employee_id)
