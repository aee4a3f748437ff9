"""A tag read becomes a punch: debounce, whose tag, which reader, then feedback."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
import json
import logging
from typing import Any, Final, Protocol

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from .api import Action
from .const import DOMAIN
from .employee import Employee
from .events import fire_unknown_tag
from .punch import Punch, Source
from .reader_config import CONF_READERS, ROLE_ACTIVITY, ROLE_REASON, Reader
from .record import EmployeeRecord
from .roster import Roster

LOGGER = logging.getLogger(__package__)

ERROR_UNKNOWN_TAG: Final = "unknown_tag"
ERROR_NOT_ALLOWED: Final = "reader_not_allowed"
ERROR_PUNCH_FAILED: Final = "punch_failed"
# Forget debounce entries once this many are kept, dropping the expired ones.
DEBOUNCE_PRUNE_SIZE: Final = 256


class Puncher(Protocol):
    """What a read needs of its account."""

    @property
    def employees(self) -> Mapping[str, Employee]:
        """Return the account's employees."""

    @property
    def roster(self) -> Roster:
        """Return the account's employees and whose badge each tag is."""

    def state(self, employee_id: str) -> EmployeeRecord:
        """Return an employee's shift state."""

    def is_delivered(self, punch: Punch) -> bool:
        """Return whether the backend confirmed a punch."""

    async def async_punch(
        self,
        employee_id: str,
        action: Action | None,
        *,
        source: Source,
        time: datetime | None = None,
        reader: str | None = None,
        reason: str | None = None,
    ) -> Punch:
        """Record a clock-in or clock-out."""

    async def async_activity(
        self,
        employee_id: str,
        activity: str | None,
        *,
        source: Source,
        time: datetime | None = None,
        reader: str | None = None,
    ) -> Punch:
        """Start an activity, or end the running one."""


def feedback(
    *,
    employee: str | None,
    action: str | None,
    on_shift: bool | None,
    delivered: bool = False,
    error: str | None = None,
) -> str:
    """Return the JSON a reader's feedback topic gets after a read."""
    message: dict[str, Any] = {
        "employee": employee,
        "action": action,
        "on_shift": on_shift,
        "delivered": delivered,
    }
    if error is not None:
        message["error"] = error
    return json.dumps(message)


class TagReading:
    """Turn one account's tag reads into punches and tell the reader."""

    def __init__(
        self,
        *,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        account: Puncher,
        debounce: float,
        clock: Callable[[], float],
        publish: Callable[[Reader, str], None],
        reports_unknown: Callable[[str], bool],
    ) -> None:
        """Prepare the reads of an account.

        ``publish(reader, payload)`` sends feedback; ``reports_unknown(uid)``
        says whether this account reports a shared tag nobody knows.
        """
        self.hass = hass
        self.entry = entry
        self.account = account
        self.debounce = debounce
        self._clock = clock
        self._publish = publish
        self._reports_unknown = reports_unknown
        self.seen: dict[tuple[str, str], float] = {}
        self._unknown_logged: float | None = None

    def _debounced(self, reader: Reader, uid: str) -> bool:
        """Return whether a read repeats the last one of its reader and tag.

        Every repeat restarts the window, so a card held on a reader is one read.
        """
        now = self._clock()
        key = (reader.name, uid)
        last = self.seen.get(key)
        self.seen[key] = now
        if len(self.seen) > DEBOUNCE_PRUNE_SIZE:
            self.seen = {
                seen: at for seen, at in self.seen.items() if now - at < self.debounce
            }
            self.seen[key] = now
        return last is not None and now - last < self.debounce

    def read(self, reader: Reader, uid: str, *, shared: bool = False) -> None:
        """Punch for one tag read, unless it repeats the last one."""
        if self._debounced(reader, uid):
            LOGGER.debug("Reader %s: repeated read ignored", reader.name)
            return
        if (employee_id := self.account.roster.tags.get(uid)) is None:
            self._unknown(reader, uid, shared=shared)
            return
        if not self._allowed(employee_id, reader):
            name = self.account.employees[employee_id].name
            LOGGER.info("%s may not punch at reader %s", name, reader.name)
            self._tell(reader, employee_id, None, error=ERROR_NOT_ALLOWED)
            return
        self.entry.async_create_task(
            self.hass,
            self._async_punch(employee_id, reader),
            f"{DOMAIN} read at {reader.name}",
        )

    def _allowed(self, employee_id: str, reader: Reader) -> bool:
        """Return whether an employee may punch at a reader."""
        subentry = self.entry.subentries.get(employee_id)
        allowed = subentry.data.get(CONF_READERS) if subentry else None
        if not allowed:
            return True
        name = reader.name.casefold()
        return any(str(item).casefold() == name for item in allowed)

    def _unknown(self, reader: Reader, uid: str, *, shared: bool) -> None:
        """Report a tag that belongs to no employee."""
        if shared and not self._reports_unknown(uid):
            LOGGER.debug("tag_scanned of an unknown tag left to another account")
            return
        fire_unknown_tag(self.hass, self.entry, uid=uid, reader=reader.name)
        now = self._clock()
        if self._unknown_logged is None or now - self._unknown_logged >= self.debounce:
            self._unknown_logged = now
            LOGGER.info(
                "Unknown tag at reader %s of %s; its UID is in the "
                "time_clock_unknown_tag event",
                reader.name,
                self.entry.title,
            )
        else:
            LOGGER.debug("Unknown tag at reader %s", reader.name)
        self._publish(
            reader,
            feedback(
                employee=None, action=None, on_shift=None, error=ERROR_UNKNOWN_TAG
            ),
        )

    def _tell(
        self,
        reader: Reader,
        employee_id: str,
        punch: Punch | None,
        *,
        action: str | None = None,
        error: str | None = None,
    ) -> None:
        """Send the feedback of a read of a known tag."""
        self._publish(
            reader,
            feedback(
                employee=self.account.employees[employee_id].name,
                action=punch.action.value if punch else action,
                on_shift=self.account.state(employee_id).on_shift,
                delivered=punch is not None and self.account.is_delivered(punch),
                error=error,
            ),
        )

    async def _async_read_punch(self, employee_id: str, reader: Reader) -> Punch:
        """Record what a read at this reader means."""
        state = self.account.state(employee_id)
        if reader.role == ROLE_ACTIVITY:
            # A second tap at the activity's reader ends it.
            running = (state.activity or "").casefold() == reader.activity.casefold()
            return await self.account.async_activity(
                employee_id,
                None if running else reader.activity,
                source=Source.READER,
                reader=reader.name,
            )
        return await self.account.async_punch(
            employee_id,
            reader.action,
            source=Source.READER,
            reader=reader.name,
            # A reason reader's clock-outs are for its reason (a break).
            reason=reader.reason
            if reader.role == ROLE_REASON and state.on_shift
            else None,
        )

    async def _async_punch(self, employee_id: str, reader: Reader) -> None:
        """Punch an employee for a read, then tell the reader; never raise."""
        name = self.account.employees[employee_id].name
        try:
            punch = await self._async_read_punch(employee_id, reader)
        except ServiceValidationError as err:
            LOGGER.info("Reader %s: %s", reader.name, err)
            action = reader.action.value if reader.action else None
            self._tell(
                reader, employee_id, None, action=action, error=err.translation_key
            )
            return
        except Exception as err:  # a read must never raise
            LOGGER.error(  # noqa: TRY400 - a traceback only for an unexpected error
                "Reader %s: the punch of %s failed: %s",
                reader.name,
                name,
                err,
                exc_info=not isinstance(err, HomeAssistantError),
            )
            self._tell(reader, employee_id, None, error=ERROR_PUNCH_FAILED)
            return
        LOGGER.debug("Reader %s: %s %s", reader.name, name, punch.action)
        self._tell(reader, employee_id, punch)
