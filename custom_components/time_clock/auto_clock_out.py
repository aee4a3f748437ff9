"""Clock an employee out after the longest shift the account allows."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.util import dt as dt_util

from .const import CONF_AUTO_CLOCK_OUT_HOURS
from .record import EmployeeRecord


class AutoClockOut:
    """One timer per employee on shift, ending the shift after ``hours``."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        *,
        clock_out: Callable[[str, datetime], Awaitable[object]],
    ) -> None:
        """Prepare the timers of ``entry``; ``clock_out(employee_id, time)`` ends a shift."""
        self._hass = hass
        self._entry = entry
        self._hours = float(entry.options.get(CONF_AUTO_CLOCK_OUT_HOURS) or 0)
        self._clock_out = clock_out
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
            self._entry.async_create_task(self._hass, clock_out(deadline))
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
