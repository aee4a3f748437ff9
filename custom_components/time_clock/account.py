"""One account at run time: it decides every punch and tells its entities.

Readers, services, buttons and the automatic clock-out ask it to punch; it
checks the punch against the shift record and hands it to the outbox, which
keeps it on disk until the backend confirmed it and tells what happened.
Entities, repairs, services and diagnostics read its small surface only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.util import dt as dt_util

from .api import (
    Action,
    Backend,
    Delivery,
    LocalBackend,
    TimeClockAuthenticationError,
    TimeClockRejectedError,
)
from .auto_clock_out import AutoClockOut
from .catalog import Catalog
from .const import CONF_REFRESH_TOKEN, LOGGER
from .employee import Employee
from .issues import create_auth_failed
from .listeners import Listeners
from .outbox import DeliveryStatus, Outbox
from .punch import Punch, Source
from .punching import PunchDesk, plan_activity, plan_punch
from .record import EmployeeRecord, ShiftRecord
from .reporting import PunchReporter
from .roster import Roster, rename_devices
from .storage import AccountFiles
from .sync import BackendSync

if TYPE_CHECKING:
    from .readers import ReaderInput

REFRESH_INTERVAL = timedelta(minutes=1)
SYNC_INTERVAL = timedelta(minutes=5)


@dataclass(kw_only=True)
class TimeClockData:
    """What a loaded account keeps at run time."""

    account: TimeClockAccount
    readers: ReaderInput


type TimeClockConfigEntry = ConfigEntry[TimeClockData]


def settings_fingerprint(entry: ConfigEntry[Any]) -> dict[str, Any]:
    """Return what an account is built from: all but its employees and rotated tokens.

    Employees are applied while the account runs (``async_sync_employees``); a
    change of anything here reloads it.
    """
    return {
        "title": entry.title,
        "data": {k: v for k, v in entry.data.items() if k != CONF_REFRESH_TOKEN},
        "options": dict(entry.options),
    }


class TimeClockAccount:
    """One account: who works for it, who is on shift, and what waits to be sent."""

    def __init__(
        self, hass: HomeAssistant, entry: TimeClockConfigEntry, backend: Backend
    ) -> None:
        """Build the account from its config entry."""
        self.hass = hass
        self.entry = entry
        self.backend = backend
        self.settings = settings_fingerprint(entry)
        self.catalog = Catalog.of(entry)
        self.roster = Roster()
        self.roster.read(entry)
        self.record = ShiftRecord()
        self._files = AccountFiles(hass, entry.entry_id)
        self._outbox = Outbox(
            hass, name=entry.title, files=self._files, backend=backend, events=self
        )
        self._outbox.employees = self.roster.employees
        self.listeners = Listeners()
        self._auto = AutoClockOut(hass, entry, clock_out=self._async_auto_clock_out)
        self._sync = BackendSync(
            backend=backend,
            roster=self.roster,
            record=self.record,
            outbox=self._outbox,
            followed=self._followed,
            changed=self.listeners.notify,
        )
        self._reporter = PunchReporter(
            hass, entry, local=isinstance(backend, LocalBackend)
        )
        self._desk = PunchDesk(
            roster=self.roster,
            record=self.record,
            outbox=self._outbox,
            reporter=self._reporter,
            changed=self._punched,
        )
        self._unsubs: list[CALLBACK_TYPE] = []

    @property
    def employees(self) -> dict[str, Employee]:
        """Return the account's employees by id (their subentry id)."""
        return self.roster.employees

    # Life cycle ------------------------------------------------------------

    async def async_setup(self) -> None:
        """Load the files, rebuild the shift record and the queue, start delivering."""
        loaded = await self._files.async_load()
        self.record.load(
            loaded.state.get("employees"),
            loaded.punches,
            through=loaded.through,
            now=dt_util.utcnow(),
        )
        self._outbox.load(loaded)
        stale = [key for key in self.record.employees if key not in self.employees]
        self._forget(stale)
        self._save_record(schedule=loaded.rebuilt or bool(stale))
        self._reporter.recall(self._outbox.failed, self.record)
        self._outbox.start(
            lambda coro, name: self.entry.async_create_background_task(
                self.hass, coro, name
            )
        )
        self._unsubs += [
            async_track_time_interval(self.hass, self._async_refresh, REFRESH_INTERVAL),
            async_track_time_interval(self.hass, self._sync.async_run, SYNC_INTERVAL),
        ]
        for employee_id in self.employees:
            self._auto.arm(employee_id, self.state(employee_id))
        self.entry.async_create_background_task(
            self.hass, self._sync.async_run(), "time_clock state sync"
        )

    async def async_shutdown(self) -> None:
        """Stop delivering and write what waits for a delayed save."""
        for unsub in self._unsubs:
            unsub()
        self._unsubs.clear()
        self._auto.cancel_all()
        await self._outbox.async_stop()

    def _save_record(self, *, schedule: bool = True) -> None:
        """Hand the shift record to the files (written soon, if ``schedule``)."""
        self._files.set_parts(
            employees=self.record.snapshot(), through=self.record.through
        )
        if schedule:
            self._files.schedule_state_save()

    # Employees -------------------------------------------------------------

    @callback
    def async_sync_employees(self) -> None:
        """Apply employees added, changed or removed in the entry, without a reload.

        Home Assistant removes a removed employee's device and entities itself.
        """
        added, changed, removed = self.roster.read(self.entry)
        if not (added or changed or removed):
            return
        LOGGER.debug(
            "%s: employees %s, %s, %s", self.entry.title, added, changed, removed
        )
        if removed:
            self._forget(removed)
            self._save_record()
        for employee_id in added:
            self._auto.arm(employee_id, self.state(employee_id))
        if added:
            self.listeners.employees_added(added)
        if changed:
            rename_devices(
                self.hass,
                self.entry.entry_id,
                {key: self.employees[key].name for key in changed},
            )
            for employee_id in changed:
                self.listeners.notify(employee_id)

    def _forget(self, employee_ids: list[str]) -> None:
        """Forget the shift and backend state of employees who were removed."""
        self.record.forget(employee_ids)
        for employee_id in employee_ids:
            self._auto.cancel(employee_id)
            self._outbox.forget_employee(employee_id)

    # What entities, services, repairs and diagnostics read -----------------------

    def state(self, employee_id: str) -> EmployeeRecord:
        """Return an employee's shift state."""
        return self.record.get(employee_id)

    def worked_today(self, employee_id: str, now: datetime | None = None) -> timedelta:
        """Return how long an employee has worked since local midnight."""
        return self.record.worked_today(employee_id, now or dt_util.utcnow())

    def pending_for(self, employee_id: str) -> int:
        """Return how many punches of an employee wait to be delivered."""
        return self._outbox.pending_for(employee_id)

    def is_delivered(self, punch: Punch) -> bool:
        """Return whether the backend has confirmed a punch of this run."""
        return not self._outbox.is_pending(punch.seq)

    @property
    def delivery(self) -> DeliveryStatus:
        """Return how delivery stands: waiting, failed, reachable, last delivery."""
        return self._outbox.status

    def retry(self) -> None:
        """Send the waiting punches now, skipping any backoff wait."""
        self._outbox.resume()

    def delivery_details(self) -> dict[str, Any]:
        """Return the outbox's details for diagnostics."""
        return self._outbox.diagnostics()

    def last_rejection(self, employee_id: str) -> dict[str, Any] | None:
        """Return the backend's refusal of the employee's last punch, if it was refused."""
        return self._reporter.rejections.get(employee_id)

    async def async_clear_failed(self) -> None:
        """Forget the rejected punches once the user has dealt with them."""
        await self._outbox.async_clear_failed()
        self._reporter.rejections.clear()
        for employee_id in self.employees:
            self.listeners.notify(employee_id)
        self.listeners.notify(None)

    async def async_read_record(self, since: datetime) -> list[tuple[Punch, bool]]:
        """Return the kept punches after ``since``, each with whether it was delivered."""
        return await self._outbox.async_read_record(since)

    # Time ------------------------------------------------------------------

    @callback
    def _async_refresh(self, now: datetime) -> None:
        """Update worked-today while on shift, and everyone at a new day."""
        self.record.prune(now)
        self.listeners.minute(
            now,
            (key for key in self.employees if self.state(key).on_shift),
            self.employees,
            lambda coro: self.entry.async_create_background_task(
                self.hass, coro, "time_clock minute update"
            ),
        )

    def _punched(self, employee_id: str) -> None:
        """Show an employee's and the account's new state after a recording."""
        self.listeners.notify(employee_id)
        self.listeners.notify(None)

    def _followed(self, employee_id: str) -> None:
        """Keep and show a state taken from the backend."""
        self._save_record()
        self._auto.arm(employee_id, self.state(employee_id))
        self.listeners.notify(employee_id)

    # Punching --------------------------------------------------------------

    async def async_punch(
        self,
        employee_id: str,
        action: Action | None,
        *,
        source: Source,
        time: datetime | None = None,
        reader: str | None = None,
        project_id: int | None = None,
        description: str | None = None,
        reason: str | None = None,
    ) -> Punch:
        """Record a clock-in or clock-out (``None`` toggles), for a reason if given."""
        found = self.catalog.reason(reason)
        return await self._desk.async_record(
            employee_id,
            time,
            source,
            reader,
            lambda record, occasion: plan_punch(
                record,
                occasion,
                action,
                project_id=project_id,
                description=description,
                reason=found,
            ),
        )

    async def async_activity(
        self,
        employee_id: str,
        activity: str | None,
        *,
        source: Source,
        time: datetime | None = None,
        reader: str | None = None,
    ) -> Punch:
        """Start an activity (clocking in first if need be), or end it with ``None``."""
        found = self.catalog.activity(activity)
        return await self._desk.async_record(
            employee_id,
            time,
            source,
            reader,
            partial(plan_activity, activity=found),
        )

    def validate_punch(
        self,
        employee_id: str,
        action: Action | None,
        when: datetime | None,
        *,
        reason: str | None = None,
    ) -> None:
        """Refuse a punch that could not be recorded now (and an unknown reason)."""
        found = self.catalog.reason(reason)
        self._desk.validate(
            employee_id, when, partial(plan_punch, action=action, reason=found)
        )

    def validate_activity(
        self, employee_id: str, activity: str | None, when: datetime | None
    ) -> None:
        """Refuse an activity (``None``: ending one) that could not be recorded now."""
        found = self.catalog.activity(activity)
        self._desk.validate(employee_id, when, partial(plan_activity, activity=found))

    async def _async_auto_clock_out(self, employee_id: str, time: datetime) -> None:
        """End a shift that lasted as long as the account allows."""
        if employee_id in self.employees and self.state(employee_id).on_shift:
            await self.async_punch(
                employee_id, Action.CLOCK_OUT, source=Source.AUTOMATIC, time=time
            )

    # What the outbox tells -------------------------------------------------

    def punch_kept(self, punch: Punch) -> None:
        """Apply a punch that is on disk to the shift record."""
        self.record.apply(punch)
        self._save_record()
        self._auto.arm(punch.employee_id, self.state(punch.employee_id))

    async def async_punch_delivered(self, punch: Punch, delivery: Delivery) -> None:
        """Report a punch the backend confirmed."""
        self._reporter.delivered(punch, delivery, self.roster.name(punch.employee_id))
        self.listeners.notify(punch.employee_id)

    async def async_punch_rejected(
        self, punch: Punch, err: TimeClockRejectedError
    ) -> None:
        """Tell the user about a punch the backend refused for good."""
        name = self.roster.name(punch.employee_id)
        self._reporter.rejected(punch, err, name, len(self._outbox.failed))
        self.listeners.notify(punch.employee_id)

    def credentials_refused(self, err: TimeClockAuthenticationError) -> None:
        """Ask for new credentials and raise a repair issue (delivery is paused)."""
        self.entry.async_start_reauth(self.hass)
        create_auth_failed(self.hass, self.entry, self._outbox.pending_count)

    def outbox_changed(self) -> None:
        """Tell the account's entities that the outbox changed."""
        self.listeners.notify(None)
