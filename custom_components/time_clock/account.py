"""The runtime of one account: employees, their state, punching and the outbox."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.helpers.event import (
    async_track_point_in_utc_time,
    async_track_time_interval,
)
from homeassistant.util import dt as dt_util

from .api import (
    Action,
    Backend,
    Delivery,
    LocalBackend,
    PunchRequest,
    TimeClockAuthenticationError,
    TimeClockConnectionError,
    TimeClockError,
    TimeClockRejectedError,
)
from .const import (
    ATTR_ACCOUNT,
    ATTR_ACTION,
    ATTR_DELIVERED,
    ATTR_EMPLOYEE,
    ATTR_EMPLOYEE_ID,
    ATTR_SOURCE,
    ATTR_TIME,
    CONF_AUTO_CLOCK_OUT_HOURS,
    CONF_REFRESH_TOKEN,
    DOMAIN,
    EVENT_PUNCH,
    EVENT_PUNCH_FAILED,
    LOGGER,
    MAX_FUTURE,
    SUBENTRY_EMPLOYEE,
)
from .employee import Employee
from .logbook import async_log, late_words, punch_words
from .outbox import Outbox
from .punch import Punch, Source
from .store import EmployeeRecord, PunchStore
from .timesheet import Day, RecordedPunch, timesheet

if TYPE_CHECKING:
    from . import TimeClockConfigEntry

REFRESH_INTERVAL = timedelta(minutes=1)
# Employees whose per-minute sensors are updated in one turn of the event loop.
MINUTE_BATCH = 25
SYNC_INTERVAL = timedelta(minutes=5)
# How far before a timesheet's first day a shift open at its start may have begun.
OPEN_SHIFT_LOOKBACK = timedelta(days=2)
# A delivery this long after its punch was recorded gets a logbook line.
LATE_AFTER = timedelta(minutes=1)


def settings_fingerprint(entry: TimeClockConfigEntry) -> dict[str, Any]:
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
        self.store = PunchStore(hass, entry.entry_id)
        self.employees: dict[str, Employee] = {}
        self.tags: dict[str, str] = {}
        # The title and data each employee was built from, to spot a change.
        self._built_from: dict[str, tuple[str, Mapping[str, Any]]] = {}
        self._employee_listeners: list[Callable[[list[str]], None]] = []
        self._read_employees()
        self.outbox = Outbox(
            hass, name=entry.title, store=self.store, backend=backend, listener=self
        )
        self._lock = asyncio.Lock()
        self._listeners: dict[str | None, list[CALLBACK_TYPE]] = {}
        self._minute_listeners: dict[str, list[CALLBACK_TYPE]] = {}
        self._minute_task: asyncio.Task[None] | None = None
        self._auto_clock_out: dict[str, CALLBACK_TYPE] = {}
        self._unsubs: list[CALLBACK_TYPE] = []
        self._today = dt_util.now().date()
        # The refusal of each employee's last punch (until one is delivered).
        self._rejections: dict[str, dict[str, Any]] = {}
        # When punches of this run were recorded, to tell a late delivery.
        self._recorded_at: dict[int, datetime] = {}

    # Life cycle ------------------------------------------------------------

    async def async_setup(self) -> None:
        """Load the storage and start delivering."""
        await self.store.async_load()
        self._recall_rejections()
        self.store.forget_employees(self.employees)
        self.outbox.async_start(
            lambda coro, name: self.entry.async_create_background_task(
                self.hass, coro, name
            )
        )
        self._unsubs.append(
            async_track_time_interval(self.hass, self._async_refresh, REFRESH_INTERVAL)
        )
        for employee_id in self.employees:
            self._arm_auto_clock_out(employee_id)
        self._unsubs.append(
            async_track_time_interval(self.hass, self._async_sync, SYNC_INTERVAL)
        )
        self.entry.async_create_background_task(
            self.hass, self._async_sync(), "time_clock state sync"
        )

    async def async_shutdown(self) -> None:
        """Stop delivering and write what waits for a delayed save."""
        for unsub in [*self._unsubs, *self._auto_clock_out.values()]:
            unsub()
        self._unsubs.clear()
        self._auto_clock_out.clear()
        await self.outbox.async_stop()
        await self.store.async_flush()

    # Employees -------------------------------------------------------------

    def _read_employees(self) -> tuple[list[str], list[str], list[str]]:
        """Take the employees from the entry's subentries; return added, changed, removed."""
        current = {
            sub.subentry_id: sub
            for sub in self.entry.subentries.values()
            if sub.subentry_type == SUBENTRY_EMPLOYEE
        }
        removed = [key for key in self.employees if key not in current]
        added: list[str] = []
        changed: list[str] = []
        for key in removed:
            del self.employees[key]
            del self._built_from[key]
        for key, sub in current.items():
            built = self._built_from.get(key)
            if built is not None and built[0] == sub.title and built[1] is sub.data:
                continue
            (changed if built is not None else added).append(key)
            self.employees[key] = Employee.from_subentry(sub)
            self._built_from[key] = (sub.title, sub.data)
        if added or changed or removed:
            self.tags = {
                tag: employee.employee_id
                for employee in self.employees.values()
                for tag in employee.tags
            }
        return added, changed, removed

    @callback
    def async_sync_employees(self) -> None:
        """Apply employees added, changed or removed in the entry, without a reload.

        Home Assistant removes a removed employee's device and entities itself.
        """
        added, changed, removed = self._read_employees()
        if not (added or changed or removed):
            return
        LOGGER.debug(
            "%s: %s employees added, %s changed, %s removed",
            self.entry.title,
            len(added),
            len(changed),
            len(removed),
        )
        for employee_id in removed:
            if unsub := self._auto_clock_out.pop(employee_id, None):
                unsub()
            self.store.forget_employee(employee_id)
        for employee_id in added:
            self._arm_auto_clock_out(employee_id)
        if added:
            for add in list(self._employee_listeners):
                add(added)
        if changed:
            self._rename_devices(changed)
            for employee_id in changed:
                self._notify(employee_id)

    def _rename_devices(self, employee_ids: list[str]) -> None:
        """Give the devices of renamed employees their new names."""
        registry = dr.async_get(self.hass)
        for device in dr.async_entries_for_config_entry(registry, self.entry.entry_id):
            for domain, key in device.identifiers:
                if (
                    domain == DOMAIN
                    and key in employee_ids
                    and device.name != (name := self.employees[key].name)
                ):
                    registry.async_update_device(device.id, name=name)

    @callback
    def async_add_employee_listener(
        self, add: Callable[[list[str]], None]
    ) -> Callable[[], None]:
        """Call ``add`` with the ids of employees added while the account runs."""
        self._employee_listeners.append(add)
        return lambda: self._employee_listeners.remove(add)

    # Listeners -------------------------------------------------------------

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
        self._listeners.setdefault(employee_id, []).append(update)
        if every_minute and employee_id is not None:
            self._minute_listeners.setdefault(employee_id, []).append(update)

        def remove() -> None:
            self._listeners[employee_id].remove(update)
            if every_minute and employee_id is not None:
                self._minute_listeners[employee_id].remove(update)

        return remove

    @callback
    def _notify(self, employee_id: str | None) -> None:
        """Tell the listeners of an employee, or of the account, about a change."""
        for update in list(self._listeners.get(employee_id, ())):
            update()

    @callback
    def _async_refresh(self, now: datetime) -> None:
        """Update worked-today while on shift, and everyone at a new day."""
        self.store.prune_history(now)
        today = dt_util.as_local(now).date()
        new_day, self._today = today != self._today, today
        due = [
            employee_id
            for employee_id in self.employees
            if new_day or self.state(employee_id).on_shift
        ]
        if due and (self._minute_task is None or self._minute_task.done()):
            self._minute_task = self.entry.async_create_background_task(
                self.hass, self._async_minute(due), "time_clock minute update"
            )

    async def _async_minute(self, due: list[str]) -> None:
        """Tell the per-minute listeners of ``due``, a few at a time.

        A shift change puts hundreds on shift; updating all their sensors in one
        turn of the event loop would hold up every tap waiting behind it.
        """
        for start in range(0, len(due), MINUTE_BATCH):
            if start:
                await asyncio.sleep(0)
            for employee_id in due[start : start + MINUTE_BATCH]:
                for update in list(self._minute_listeners.get(employee_id, ())):
                    update()

    async def _async_sync(self, _now: datetime | None = None) -> None:
        """Take shifts started or ended on other terminals from the backend.

        An employee with a punch still in the outbox keeps the local state: the
        backend has not seen that punch yet.
        """
        persons = {
            e.identifier: key for key, e in self.employees.items() if e.identifier
        }
        if self.outbox.paused:
            return
        # A punch made while the answer travels is newer than the answer.
        seen = {key: self._sync_mark(key) for key in persons.values()}
        try:
            states = (
                await self.backend.async_fetch_states(list(persons))
                if persons
                else None
            )
        except TimeClockError as err:
            LOGGER.debug("State sync failed: %s", err)
            # Any answer but a failed connection shows the backend is there.
            self._set_reachable(not isinstance(err, TimeClockConnectionError))
            return
        if states is None:
            # The backend cannot tell states cheaply: learn whether it answers.
            self._set_reachable(await self.backend.async_probe())
            return
        self._set_reachable(True)
        busy = {key for key in persons.values() if self.store.pending_for(key)}
        folded = {person.casefold(): on for person, on in states.items()}
        for person, employee_id in persons.items():
            on_shift = folded.get(person.casefold())
            if on_shift is None or employee_id in busy:
                continue
            if seen[employee_id] != self._sync_mark(employee_id):
                continue
            if self.state(employee_id).on_shift != on_shift:
                LOGGER.info(
                    "%s is %s at the backend; following it",
                    self.employees[employee_id].name,
                    "on shift" if on_shift else "off shift",
                )
                self.store.set_on_shift(employee_id, on_shift, dt_util.utcnow())
                self._arm_auto_clock_out(employee_id)
                self._notify(employee_id)

    def _set_reachable(self, reachable: bool) -> None:
        """Note whether the backend answers, and tell the account's entities."""
        if self.outbox.reachable is not reachable:
            self.outbox.reachable = reachable
            self._notify(None)

    def _sync_mark(self, employee_id: str) -> tuple[bool, datetime | None]:
        """Return what a punch changes in an employee's state (to spot one)."""
        record = self.state(employee_id)
        return record.on_shift, record.last_time

    # State -----------------------------------------------------------------

    def state(self, employee_id: str) -> EmployeeRecord:
        """Return an employee's shift state."""
        return self.store.employees.get(employee_id) or EmployeeRecord()

    def worked_today(self, employee_id: str, now: datetime | None = None) -> timedelta:
        """Return how long an employee has worked since local midnight."""
        now = now or dt_util.utcnow()
        midnight = dt_util.start_of_local_day(dt_util.as_local(now))
        total = timedelta()
        started: datetime | None = None
        for time, action in self.state(employee_id).history:
            if action is Action.CLOCK_IN:
                started = started or time
            elif started is not None:
                total += _overlap(started, time, midnight, now)
                started = None
        if started is not None and self.state(employee_id).on_shift:
            total += _overlap(started, now, midnight, now)
        return total

    async def async_timesheet(
        self, start: date, end: date, employee_ids: Iterable[str] | None = None
    ) -> dict[str, list[Day]]:
        """Return the days of the account's employees (or of some) from the record.

        A shift already open at ``start`` is seen if it began within
        ``OPEN_SHIFT_LOOKBACK`` before.
        """
        zone = dt_util.get_default_time_zone()
        since = dt_util.as_utc(
            datetime.combine(start, datetime.min.time(), tzinfo=zone)
            - OPEN_SHIFT_LOOKBACK
        )
        wanted = self.employees if employee_ids is None else set(employee_ids)
        recorded = [
            RecordedPunch(punch=punch, delivered=delivered)
            for punch, delivered in await self.store.async_read_record(since)
        ]
        return timesheet(
            recorded,
            {key: e.name for key, e in self.employees.items() if key in wanted},
            start=start,
            end=end,
            zone=zone,
            now=dt_util.utcnow(),
        )

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
            try:
                punch = await self.store.async_append(
                    employee_id=employee_id,
                    action=action,
                    time=when,
                    source=source,
                    reader=reader,
                    project_id=project_id
                    if project_id is not None
                    else employee.project_id,
                    description=description
                    if description is not None
                    else employee.description,
                    on_queued=self.outbox.wake,
                )
            except OSError as err:
                raise HomeAssistantError(
                    translation_domain=DOMAIN,
                    translation_key="punch_not_stored",
                    translation_placeholders={
                        "employee": employee.name,
                        "error": str(err),
                    },
                ) from err
        self._arm_auto_clock_out(employee_id)
        self._recorded_at[punch.seq] = dt_util.utcnow()
        self._fire_punch(punch, delivered=False)
        async_log(
            self.hass,
            employee=employee.name,
            employee_id=employee_id,
            message=punch_words(punch.action, punch.source, punch.reader),
        )
        self._notify(employee_id)
        self._notify(None)
        self.outbox.wake()
        return punch

    def validate_punch(
        self, employee_id: str, action: Action | None, when: datetime | None
    ) -> Action:
        """Return the punch's action; refuse a time in the future or before the last punch.

        ``None`` toggles from the current state. A punch that would change nothing
        (clock-in while on shift) is refused too.
        """
        employee = self.employees[employee_id]
        record = self.state(employee_id)
        now = dt_util.utcnow()
        when = when or now
        if action is None:
            action = Action.CLOCK_OUT if record.on_shift else Action.CLOCK_IN
        placeholders = {"employee": employee.name}
        if when > now + MAX_FUTURE:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="time_in_future",
                translation_placeholders=placeholders,
            )
        if record.last_time is not None and when < record.last_time:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="time_before_last_punch",
                translation_placeholders={
                    **placeholders,
                    "last": dt_util.as_local(record.last_time).isoformat(
                        timespec="seconds"
                    ),
                },
            )
        if (action is Action.CLOCK_IN) == record.on_shift:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="already_on_shift"
                if record.on_shift
                else "not_on_shift",
                translation_placeholders=placeholders,
            )
        return action

    def _fire_punch(
        self, punch: Punch, *, delivered: bool, stamped_at: datetime | None = None
    ) -> None:
        """Fire the punch event.

        ``stamped_at`` is the time a backend recorded instead of the punch's own
        (SonoranCMS takes no time and stamps a punch when it arrives).
        """
        self.hass.bus.async_fire(
            EVENT_PUNCH,
            {
                ATTR_EMPLOYEE: self.employees[punch.employee_id].name
                if punch.employee_id in self.employees
                else punch.employee_id,
                ATTR_EMPLOYEE_ID: punch.employee_id,
                ATTR_ACTION: punch.action.value,
                ATTR_TIME: punch.time.isoformat(),
                ATTR_SOURCE: punch.source.value,
                "reader": punch.reader,
                ATTR_ACCOUNT: self.entry.title,
                "account_id": self.entry.entry_id,
                ATTR_DELIVERED: delivered,
                "stamped_at": stamped_at.isoformat() if stamped_at else None,
            },
        )

    # Automatic clock-out ---------------------------------------------------

    def _arm_auto_clock_out(self, employee_id: str) -> None:
        """Schedule the automatic clock-out of an employee on shift, if enabled."""
        if unsub := self._auto_clock_out.pop(employee_id, None):
            unsub()
        hours = float(self.entry.options.get(CONF_AUTO_CLOCK_OUT_HOURS) or 0)
        record = self.state(employee_id)
        if hours <= 0 or not record.on_shift or record.since is None:
            return
        deadline = record.since + timedelta(hours=hours)

        async def clock_out(_now: datetime) -> None:
            self._auto_clock_out.pop(employee_id, None)
            if not self.state(employee_id).on_shift:
                return
            await self.async_punch(
                employee_id,
                Action.CLOCK_OUT,
                source=Source.AUTOMATIC,
                time=min(deadline, dt_util.utcnow()),
            )

        if deadline <= dt_util.utcnow():
            self.entry.async_create_task(self.hass, clock_out(deadline))
            return
        self._auto_clock_out[employee_id] = async_track_point_in_utc_time(
            self.hass, clock_out, deadline
        )

    # Outbox listener -------------------------------------------------------

    def build_request(self, punch: Punch, *, uncertain: bool) -> PunchRequest:
        """Return the backend request for a punch."""
        employee = self.employees.get(punch.employee_id)
        return PunchRequest(
            punch_id=punch.punch_id,
            person=employee.identifier if employee else "",
            action=punch.action,
            time=punch.time,
            project_id=punch.project_id,
            description=punch.description,
            extras=dict(employee.extras) if employee else {},
            state=dict(self.store.backend_state.get(punch.employee_id, {})),
            uncertain=uncertain,
        )

    async def async_delivered(self, punch: Punch, delivery: Delivery) -> None:
        """Settle a confirmed punch and report it."""
        if delivery.state is not None:
            await self.store.async_set_backend_state(
                punch.employee_id, dict(delivery.state)
            )
        self.store.settle(punch, delivered=True)
        ir.async_delete_issue(self.hass, DOMAIN, f"auth_failed_{self.entry.entry_id}")
        self._fire_punch(punch, delivered=True, stamped_at=delivery.stamped_at)
        self._log_if_late(punch)
        self._rejections.pop(punch.employee_id, None)
        self._notify(punch.employee_id)

    def _log_if_late(self, punch: Punch) -> None:
        """Write a late delivery (after an outage or a restart) to the logbook."""
        recorded = self._recorded_at.pop(punch.seq, None)
        now = dt_util.utcnow()
        if isinstance(self.backend, LocalBackend) or (
            recorded is not None and now - recorded < LATE_AFTER
        ):
            return
        employee = self.employees.get(punch.employee_id)
        async_log(
            self.hass,
            employee=employee.name if employee else punch.employee_id,
            employee_id=punch.employee_id,
            message=late_words(
                punch.action, punch.time, self.entry.title, now - punch.time
            ),
        )

    async def async_rejected(self, punch: Punch, err: TimeClockRejectedError) -> None:
        """Move a refused punch to the failed list and tell the user."""
        self._recorded_at.pop(punch.seq, None)
        await self.store.async_fail(punch, code=err.code, message=str(err))
        self._rejections[punch.employee_id] = {
            "code": err.code,
            "message": str(err),
            "time": punch.time.isoformat(),
            "action": punch.action.value,
        }
        name = (
            self.employees[punch.employee_id].name
            if punch.employee_id in self.employees
            else punch.employee_id
        )
        self.hass.bus.async_fire(
            EVENT_PUNCH_FAILED,
            {
                ATTR_EMPLOYEE: name,
                ATTR_EMPLOYEE_ID: punch.employee_id,
                ATTR_ACTION: punch.action.value,
                ATTR_TIME: punch.time.isoformat(),
                ATTR_ACCOUNT: self.entry.title,
                "code": err.code,
                "message": str(err),
            },
        )
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            f"punch_rejected_{self.entry.entry_id}",
            is_fixable=True,
            is_persistent=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key="punch_rejected",
            translation_placeholders={
                "account": self.entry.title,
                "employee": name,
                "action": punch.action.value,
                "time": dt_util.as_local(punch.time).isoformat(timespec="seconds"),
                "code": err.code,
                "count": str(len(self.store.failed)),
            },
            data={"entry_id": self.entry.entry_id},
        )
        self._notify(punch.employee_id)

    def auth_failed(self, err: TimeClockAuthenticationError) -> None:
        """Pause (the outbox did), ask for new credentials and raise a repair issue."""
        self.entry.async_start_reauth(self.hass)
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            f"auth_failed_{self.entry.entry_id}",
            is_fixable=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key="auth_failed",
            translation_placeholders={
                "account": self.entry.title,
                "pending": str(self.store.pending_count),
            },
        )

    def outbox_changed(self) -> None:
        """Tell the account's entities that the outbox changed."""
        self._notify(None)

    def status(self) -> dict[str, Any]:
        """Return how delivery stands: waiting, failed, reachable, last delivery."""
        last = self.store.last_delivery
        return {
            "pending": self.store.pending_count,
            "failed": len(self.store.failed),
            "reachable": self.outbox.reachable,
            "paused": self.outbox.paused,
            "last_delivery": last.isoformat() if last else None,
        }

    async def async_clear_failed(self) -> None:
        """Forget the rejected punches once the user has dealt with them."""
        await self.store.async_clear_failed()
        self._rejections.clear()
        for employee_id in self.employees:
            self._notify(employee_id)
        self._notify(None)

    def _recall_rejections(self) -> None:
        """Note the refusals of punches that are still their employee's last."""
        for item in self.store.failed:
            employee_id = str(item.get("employee"))
            last = self.state(employee_id).last_time
            if last is not None and item.get("time") == last.isoformat():
                self._rejections[employee_id] = {
                    "code": item.get("code"),
                    "message": item.get("message"),
                    "time": item.get("time"),
                    "action": item.get("action"),
                }

    def last_rejection(self, employee_id: str) -> dict[str, Any] | None:
        """Return the backend's refusal of the employee's last punch, if it was refused."""
        return self._rejections.get(employee_id)

    def diagnostics(self) -> dict[str, Any]:
        """Return the runtime state for diagnostics."""
        return {
            "pending": self.store.pending_count,
            "uncertain": len(self.store.uncertain),
            "failed": self.store.failed,
            "pending_punches": [p.as_dict() for p in self.store.pending_punches()[:50]],
            "outbox": {
                "paused": self.outbox.paused,
                "reachable": self.outbox.reachable,
                "attempts": self.outbox.attempts,
                "not_before": self.outbox.not_before.isoformat()
                if self.outbox.not_before
                else None,
                "last_error": self.outbox.last_error,
            },
            "last_delivery": self.store.last_delivery.isoformat()
            if self.store.last_delivery
            else None,
            "employees": {
                key: {
                    **self.state(key).as_dict(),
                    "pending": self.store.pending_for(key),
                }
                for key in self.employees
            },
        }


def _overlap(
    start: datetime, end: datetime, lower: datetime, upper: datetime
) -> timedelta:
    """Return how much of ``start``..``end`` lies within ``lower``..``upper``."""
    return max(timedelta(), min(end, upper) - max(start, lower))
