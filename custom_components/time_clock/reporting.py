"""Tell users about punches: events, logbook lines, repair issues, refusals."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .api import Delivery, TimeClockRejectedError
from .events import fire_punch, fire_punch_failed
from .issues import ISSUE_AUTH_FAILED, create_punch_rejected, delete_issue
from .logbook import async_log, late_words, punch_words
from .punch import Punch
from .record import ShiftRecord

# A delivery this long after its punch was recorded gets a logbook line.
LATE_AFTER = timedelta(minutes=1)


class PunchReporter:
    """Report an account's punches, and remember the refusals to show."""

    def __init__(
        self, hass: HomeAssistant, entry: ConfigEntry[Any], *, local: bool
    ) -> None:
        """Prepare the reports of an account (``local``: nothing is ever late)."""
        self._hass = hass
        self._entry = entry
        self._local = local
        # The refusal of each employee's last punch (until one is delivered).
        self.rejections: dict[str, dict[str, Any]] = {}
        # When punches of this run were recorded, to tell a late delivery.
        self._recorded_at: dict[int, datetime] = {}

    def recorded(self, punch: Punch, name: str) -> None:
        """Report a punch on disk: its event and its logbook line."""
        self._recorded_at[punch.seq] = dt_util.utcnow()
        fire_punch(self._hass, self._entry, punch, employee=name, delivered=False)
        async_log(
            self._hass,
            employee=name,
            employee_id=punch.employee_id,
            message=punch_words(punch),
        )

    def delivered(self, punch: Punch, delivery: Delivery, name: str) -> None:
        """Report a confirmed punch; a late one gets a logbook line of its own."""
        delete_issue(self._hass, ISSUE_AUTH_FAILED, self._entry.entry_id)
        fire_punch(
            self._hass,
            self._entry,
            punch,
            employee=name,
            delivered=True,
            stamped_at=delivery.stamped_at,
        )
        recorded = self._recorded_at.pop(punch.seq, None)
        now = dt_util.utcnow()
        if not self._local and (recorded is None or now - recorded >= LATE_AFTER):
            async_log(
                self._hass,
                employee=name,
                employee_id=punch.employee_id,
                message=late_words(punch, self._entry.title, now - punch.time),
            )
        self.rejections.pop(punch.employee_id, None)

    def rejected(
        self, punch: Punch, err: TimeClockRejectedError, name: str, failed: int
    ) -> None:
        """Report a punch the backend refused: event, repair issue, tile."""
        self._recorded_at.pop(punch.seq, None)
        self.rejections[punch.employee_id] = {
            "code": err.code,
            "message": str(err),
            "time": punch.time.isoformat(),
            "action": punch.action.value,
        }
        fire_punch_failed(
            self._hass,
            self._entry,
            punch,
            employee=name,
            code=err.code,
            message=str(err),
        )
        create_punch_rejected(
            self._hass,
            self._entry,
            employee=name,
            action=punch.action.value,
            time=punch.time,
            code=err.code,
            count=failed,
        )

    def recall(self, failed: list[dict[str, Any]], record: ShiftRecord) -> None:
        """Note the refusals of punches that are still their employee's last."""
        for item in failed:
            employee_id = str(item.get("employee"))
            last = record.get(employee_id).last_time
            if last is not None and item.get("time") == last.isoformat():
                self.rejections[employee_id] = {
                    key: item.get(key) for key in ("code", "message", "time", "action")
                }
