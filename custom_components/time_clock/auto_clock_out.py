"""Clock an employee out after the longest shift the account allows."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from homeassistant.core import CALLBACK_TYPE, HomeAssistant
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.util import dt as dt_util

from .record import EmployeeRecord


class AutoClockOut:
    """One timer per employee on shift, ending the shift after ``hours``."""

    def __init__(
        self,
        hass: HomeAssistant,
        *,
        hours: float,
        clock_out: Callable[[str, datetime], Awaitable[object]],
        create_task: Callable[[Awaitable[object]], object],
    ) -> None:
        """Prepare the timers; ``clock_out(employee_id, time)`` ends a shift."""
        self._hass = hass
        self._hours = hours
        self._clock_out = clock_out
        self._create_task = create_task
        self._timers: dict[str, CALLBACK_TYPE] = {}

    def arm(self, employee_id: str, record: EmployeeRecord) -> None:
        """Schedule the clock-out of an employee on shift, if the account wants it."""
        self.cancel(employee_id)
        if self._hours <= 0 or not record.on_shift or record.since is None:
            return
        deadline = record.since + timedelta(hours=self._hours)

        async def clock_out(_now: datetime) -> None:
            self._timers.pop(employee_id, None)
            await self._clock_out(employee_id, min(deadline, dt_util.utcnow()))

        if deadline <= dt_util.utcnow():
            self._create_task(clock_out(deadline))
            return
        self._timers[employee_id] = async_track_point_in_utc_time(
            self._hass, clock_out, deadline
        )

    def cancel(self, employee_id: str) -> None:
        """Cancel an employee's timer."""
        if unsub := self._timers.pop(employee_id, None):
            unsub()

    def cancel_all(self) -> None:
        """Cancel every timer."""
        for unsub in self._timers.values():
            unsub()
        self._timers.clear()
