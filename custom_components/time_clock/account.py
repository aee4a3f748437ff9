"""One account at run time: it decides every punch and tells its entities.

Readers, services, buttons and the automatic clock-out ask it to punch; it
checks the punch against the shift record and hands it to the outbox, which
keeps it on disk until the backend confirmed it and tells what happened.
Entities, repairs, services and diagnostics read its small surface only.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
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
from .const import CONF_AUTO_CLOCK_OUT_HOURS, CONF_REFRESH_TOKEN, LOGGER
from .employee import Employee
from .errors import failure
from .issues import create_auth_failed
from .listeners import Listeners
from .outbox import DeliveryStatus, NewPunch, Outbox
from .punch import Punch, Source
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
        self.roster = Roster()
        self.roster.read(entry)
        self.record = ShiftRecord()
        self._files = AccountFiles(hass, entry.entry_id)
        self._outbox = Outbox(
            hass, name=entry.title, files=self._files, backend=backend, events=self
        )
        self._outbox.employees = self.roster.employees
        self._listeners = Listeners()
        self._auto = AutoClockOut(
            hass,
            hours=float(entry.options.get(CONF_AUTO_CLOCK_OUT_HOURS) or 0),
            clock_out=self._async_auto_clock_out,
            create_task=lambda coro: entry.async_create_task(hass, coro),  # type: ignore[arg-type]
        )
        self._sync = BackendSync(
            backend=backend,
            roster=self.roster,
            record=self.record,
            waiting=self.pending_for,
            followed=self._followed,
            reachable=self._set_reachable,
        )
        self._lock = asyncio.Lock()
        self._unsubs: list[CALLBACK_TYPE] = []
        self._reporter = PunchReporter(
            hass, entry, local=isinstance(backend, LocalBackend)
        )

    @property
    def employees(self) -> dict[str, Employee]:
        """Return the account's employees by id (their subentry id)."""
        return self.roster.employees

    @property
    def tags(self) -> dict[str, str]:
        """Return whose badge each tag UID is."""
        return self.roster.tags

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
            async_track_time_interval(self.hass, self._async_sync, SYNC_INTERVAL),
        ]
        for employee_id in self.employees:
            self._auto.arm(employee_id, self.state(employee_id))
        self.entry.async_create_background_task(
            self.hass, self._async_sync(), "time_clock state sync"
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
            self._listeners.employees_added(added)
        if changed:
            rename_devices(
                self.hass,
                self.entry.entry_id,
                {key: self.employees[key].name for key in changed},
            )
            for employee_id in changed:
                self._listeners.notify(employee_id)

    def _forget(self, employee_ids: list[str]) -> None:
        """Forget the shift and backend state of employees who were removed."""
        self.record.forget(employee_ids)
        for employee_id in employee_ids:
            self._auto.cancel(employee_id)
            self._outbox.forget_employee(employee_id)

    @callback
    def async_add_employee_listener(
        self, add: Callable[[list[str]], None]
    ) -> Callable[[], None]:
        """Call ``add`` with the ids of employees added while the account runs."""
        return self._listeners.add_employee_listener(add)

    # What entities, services, repairs and diagnostics read -----------------------

    @callback
    def async_add_listener(
        self,
        update: CALLBACK_TYPE,
        employee_id: str | None = None,
        *,
        every_minute: bool = False,
    ) -> Callable[[], None]:
        """Call ``update`` when an employee (or, with ``None``, the account) changes.

        With ``every_minute``, also every minute while the employee is on shift
        and at the start of a day (for what grows with the time worked).
        """
        return self._listeners.add(update, employee_id, every_minute=every_minute)

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
            self._listeners.notify(employee_id)
        self._listeners.notify(None)

    async def async_read_record(self, since: datetime) -> list[tuple[Punch, bool]]:
        """Return the kept punches after ``since``, each with whether it was delivered."""
        return await self._outbox.async_read_record(since)

    # Time ------------------------------------------------------------------

    @callback
    def _async_refresh(self, now: datetime) -> None:
        """Update worked-today while on shift, and everyone at a new day."""
        self.record.prune(now)
        self._listeners.minute(
            now,
            (key for key in self.employees if self.state(key).on_shift),
            self.employees,
            lambda coro: self.entry.async_create_background_task(
                self.hass, coro, "time_clock minute update"
            ),
        )

    async def _async_sync(self, _now: datetime | None = None) -> None:
        """Follow the backend, unless delivery waits for new credentials."""
        if not self._outbox.paused:
            await self._sync.async_run()

    def _followed(self, employee_id: str) -> None:
        """Keep and show a state taken from the backend."""
        self._save_record()
        self._auto.arm(employee_id, self.state(employee_id))
        self._listeners.notify(employee_id)

    def _set_reachable(self, reachable: bool) -> None:
        """Note whether the backend answers, and tell the account's entities."""
        if self._outbox.reachable is not reachable:
            self._outbox.reachable = reachable
            self._listeners.notify(None)

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
    ) -> Punch:
        """Record a punch (``None`` toggles) on disk, then report it."""
        employee = self.employees[employee_id]
        async with self._lock:
            when = dt_util.as_utc(time) if time is not None else dt_util.utcnow()
            action = self.validate_punch(employee_id, action, when)
            new = NewPunch(
                employee_id=employee_id,
                action=action,
                time=when,
                source=source,
                reader=reader,
                project_id=employee.project_id if project_id is None else project_id,
                description=employee.description
                if description is None
                else description,
            )
            try:
                punch = await self._outbox.async_append(new)
            except OSError as err:
                raise failure(
                    "punch_not_stored", employee=employee.name, error=str(err)
                ) from err
        self._reporter.recorded(punch, employee.name)
        self._listeners.notify(employee_id)
        self._listeners.notify(None)
        return punch

    def validate_punch(
        self, employee_id: str, action: Action | None, when: datetime | None
    ) -> Action:
        """Return the punch's action; refuse a time in the future or before the last punch.

        ``None`` toggles from the current state. A punch that would change nothing
        (clock-in while on shift) is refused too.
        """
        return self.record.check(
            employee_id,
            action,
            when or dt_util.utcnow(),
            name=self.employees[employee_id].name,
        )

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
        self._listeners.notify(punch.employee_id)

    async def async_punch_rejected(
        self, punch: Punch, err: TimeClockRejectedError
    ) -> None:
        """Tell the user about a punch the backend refused for good."""
        name = self.roster.name(punch.employee_id)
        self._reporter.rejected(punch, err, name, len(self._outbox.failed))
        self._listeners.notify(punch.employee_id)

    def credentials_refused(self, err: TimeClockAuthenticationError) -> None:
        """Ask for new credentials and raise a repair issue (delivery is paused)."""
        self.entry.async_start_reauth(self.hass)
        create_auth_failed(self.hass, self.entry, self._outbox.pending_count)

    def outbox_changed(self) -> None:
        """Tell the account's entities that the outbox changed."""
        self._listeners.notify(None)
