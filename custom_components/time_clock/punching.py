"""What a request to punch becomes: the punches to record, in order (pure).

A clock-out while an activity runs ends the activity first; starting an activity
off shift clocks in first, and one started while another runs ends that one
first. Each becomes a punch of its own, in order, with the same time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from homeassistant.util import dt as dt_util

from .api import Action
from .catalog import Activity, Reason
from .employee import Employee
from .errors import failure, refusal
from .punch import NewPunch, Punch, Source
from .record import EmployeeRecord, ShiftRecord
from .roster import Roster

if TYPE_CHECKING:
    from .outbox import Outbox
    from .reporting import PunchReporter

type Plan = Callable[[EmployeeRecord, Occasion], list[NewPunch]]


@dataclass(frozen=True, kw_only=True, slots=True)
class Occasion:
    """Who punches, when and where."""

    employee: Employee
    time: datetime
    source: Source
    reader: str | None = None


def _punch(occasion: Occasion, action: Action, **fields: Any) -> NewPunch:
    """Return a punch of the occasion."""
    return NewPunch(
        employee_id=occasion.employee.employee_id,
        action=action,
        time=occasion.time,
        source=occasion.source,
        reader=occasion.reader,
        **fields,
    )


def plan_punch(
    record: EmployeeRecord,
    occasion: Occasion,
    action: Action | None,
    *,
    project_id: int | None = None,
    description: str | None = None,
    reason: Reason | None = None,
) -> list[NewPunch]:
    """Return the punches of a clock-in or clock-out (``None`` toggles)."""
    if action is None:
        action = Action.CLOCK_OUT if record.on_shift else Action.CLOCK_IN
    employee = occasion.employee
    steps = []
    if action is Action.CLOCK_OUT and record.activity is not None:
        steps.append(_punch(occasion, Action.ACTIVITY_END, activity=record.activity))
    steps.append(
        _punch(
            occasion,
            action,
            project_id=employee.project_id if project_id is None else project_id,
            description=employee.description if description is None else description,
            reason=reason.name if reason else None,
            reason_id=reason.reason_id if reason else None,
        )
    )
    return steps


def plan_activity(
    record: EmployeeRecord, occasion: Occasion, activity: Activity | None
) -> list[NewPunch]:
    """Return the punches that start ``activity``, or end the running one (``None``)."""
    name = occasion.employee.name
    if activity is None:
        if record.activity is None:
            raise refusal("no_activity", employee=name)
        return [_punch(occasion, Action.ACTIVITY_END, activity=record.activity)]
    running = record.activity
    if running is not None and running.casefold() == activity.name.casefold():
        raise refusal("activity_running", employee=name, activity=activity.name)
    steps = []
    if not record.on_shift:
        steps += plan_punch(record, occasion, Action.CLOCK_IN)
    elif running is not None:
        steps.append(_punch(occasion, Action.ACTIVITY_END, activity=running))
    steps.append(
        _punch(
            occasion,
            Action.ACTIVITY_START,
            activity=activity.name,
            activity_levels=activity.levels,
        )
    )
    return steps


class PunchDesk:
    """Record the punches of a plan, one account at a time, and report each."""

    def __init__(
        self,
        *,
        roster: Roster,
        record: ShiftRecord,
        outbox: Outbox,
        reporter: PunchReporter,
        changed: Callable[[str], None],
    ) -> None:
        """Prepare the desk; ``changed(employee_id)`` is told after each recording."""
        self._roster = roster
        self._record = record
        self._outbox = outbox
        self._reporter = reporter
        self._changed = changed
        self._lock = asyncio.Lock()

    def check(self, employee_id: str, action: Action | None, when: datetime) -> Action:
        """Return what a punch does now, or refuse it (see ``ShiftRecord.check``)."""
        name = self._roster.employees[employee_id].name
        return self._record.check(employee_id, action, when, name=name)

    def validate(self, employee_id: str, time: datetime | None, plan: Plan) -> None:
        """Refuse a plan that could not be recorded now (its first punch is checked)."""
        occasion = Occasion(
            employee=self._roster.employees[employee_id],
            time=dt_util.as_utc(time) if time else dt_util.utcnow(),
            source=Source.SERVICE,
        )
        first = plan(self._record.get(employee_id), occasion)[0]
        self.check(employee_id, first.action, first.time)

    async def async_record(
        self,
        employee_id: str,
        time: datetime | None,
        source: Source,
        reader: str | None,
        plan: Plan,
    ) -> Punch:
        """Record a plan's punches on disk in order, report each; return the last."""
        employee = self._roster.employees[employee_id]
        punches: list[Punch] = []
        async with self._lock:
            occasion = Occasion(
                employee=employee,
                time=dt_util.as_utc(time) if time else dt_util.utcnow(),
                source=source,
                reader=reader,
            )
            for new in plan(self._record.get(employee_id), occasion):
                self.check(employee_id, new.action, occasion.time)
                try:
                    punch = await self._outbox.async_append(new)
                except OSError as err:
                    raise failure(
                        "punch_not_stored", employee=employee.name, error=str(err)
                    ) from err
                self._reporter.recorded(punch, employee.name)
                punches.append(punch)
        self._changed(employee_id)
        return punches[-1]
