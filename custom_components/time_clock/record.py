"""The shift record: who is on shift since when, recent history and worked time.

Pure bookkeeping with no I/O: punches go in, states and durations come out
(and refusals of punches that make no sense), and ``snapshot`` gives what the
account keeps on disk (history is rebuilt from the punches when it loads).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from homeassistant.util import dt as dt_util

from .api import Action
from .const import MAX_FUTURE
from .errors import refusal
from .punch import Punch

# History kept for the worked-today sensor (a night shift reaches into yesterday).
HISTORY = timedelta(days=2)
SHIFT_ACTIONS = (Action.CLOCK_IN, Action.CLOCK_OUT)


@dataclass(kw_only=True, slots=True)
class EmployeeRecord:
    """What is known of one employee's shift."""

    on_shift: bool = False
    since: datetime | None = None
    last_time: datetime | None = None
    last_source: str | None = None
    # The reason of the last clock-in or clock-out (a break while off shift).
    reason: str | None = None
    # The activity running, and since when.
    activity: str | None = None
    activity_since: datetime | None = None
    history: list[tuple[datetime, Action]] = field(default_factory=list)

    @property
    def on_break(self) -> bool:
        """Return whether the employee clocked out for a reason (until back)."""
        return not self.on_shift and self.reason is not None

    def as_dict(self) -> dict[str, Any]:
        """Return the record as stored (history is rebuilt from the punches)."""
        stored: dict[str, Any] = {
            "on_shift": self.on_shift,
            "since": self.since.isoformat() if self.since else None,
            "last_time": self.last_time.isoformat() if self.last_time else None,
            "last_source": self.last_source,
        }
        if self.reason is not None:
            stored["reason"] = self.reason
        if self.activity is not None:
            stored["activity"] = self.activity
            stored["activity_since"] = (
                self.activity_since.isoformat() if self.activity_since else None
            )
        return stored

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EmployeeRecord:
        """Return a record from its stored form."""
        return cls(
            on_shift=bool(data.get("on_shift")),
            since=parse_time(data.get("since")),
            last_time=parse_time(data.get("last_time")),
            last_source=data.get("last_source"),
            reason=data.get("reason"),
            activity=data.get("activity"),
            activity_since=parse_time(data.get("activity_since")),
        )

    def apply(self, punch: Punch) -> None:
        """Apply one punch to the record."""
        self.last_time = punch.time
        self.last_source = punch.source.value
        if punch.action is Action.ACTIVITY_START:
            self.activity, self.activity_since = punch.activity, punch.time
            return
        if punch.action is Action.ACTIVITY_END:
            self.activity = self.activity_since = None
            return
        self.on_shift = punch.action is Action.CLOCK_IN
        self.since = punch.time if self.on_shift else None
        self.reason = punch.reason
        if not self.on_shift:
            self.activity = self.activity_since = None
        self.history.append((punch.time, punch.action))


def parse_time(value: Any) -> datetime | None:
    """Return a stored time, or ``None``."""
    return dt_util.parse_datetime(value) if isinstance(value, str) else None


def _overlap(
    start: datetime, end: datetime, lower: datetime, upper: datetime
) -> timedelta:
    """Return how much of ``start``..``end`` lies within ``lower``..``upper``."""
    return max(timedelta(), min(end, upper) - max(start, lower))


class ShiftRecord:
    """Every employee's shift state, as punches and the backend's word leave it."""

    def __init__(self) -> None:
        """Start empty; ``load`` fills the record."""
        self.employees: dict[str, EmployeeRecord] = {}
        # Punches up to this number are in the states.
        self.through = 0
        self._cache: dict[str, dict[str, Any]] = {}
        self._dirty: set[str] | None = None

    def get(self, employee_id: str) -> EmployeeRecord:
        """Return an employee's record (an empty one for somebody unknown)."""
        return self.employees.get(employee_id) or EmployeeRecord()

    def load(
        self,
        stored: Mapping[str, Any] | None,
        punches: Iterable[Punch],
        *,
        through: int,
        now: datetime,
    ) -> None:
        """Start from the stored states, then apply the punches after ``through``.

        Recent punches before it only fill the history.
        """
        self.employees = {
            key: EmployeeRecord.from_dict(value)
            for key, value in (stored or {}).items()
        }
        cutoff = now - HISTORY
        self.through = through
        for punch in sorted(punches, key=lambda p: p.seq):
            record = self.employees.setdefault(punch.employee_id, EmployeeRecord())
            if punch.seq > through:
                record.apply(punch)
                self.through = max(self.through, punch.seq)
            elif punch.time >= cutoff and punch.action in SHIFT_ACTIONS:
                record.history.append((punch.time, punch.action))
        self._dirty = None

    def apply(self, punch: Punch) -> None:
        """Apply a punch that is on disk."""
        self.employees.setdefault(punch.employee_id, EmployeeRecord()).apply(punch)
        self.through = max(self.through, punch.seq)
        self._changed(punch.employee_id)

    def check(
        self, employee_id: str, action: Action | None, when: datetime, *, name: str
    ) -> Action:
        """Return what a punch does (``None`` toggles), or refuse it with words.

        Refused: a time in the future or before the employee's last punch, and
        a punch that would change nothing (a clock-in while on shift).
        """
        record = self.get(employee_id)
        if action is None:
            action = Action.CLOCK_OUT if record.on_shift else Action.CLOCK_IN
        if when > dt_util.utcnow() + MAX_FUTURE:
            raise refusal("time_in_future", employee=name)
        if record.last_time is not None and when < record.last_time:
            last = dt_util.as_local(record.last_time).isoformat(timespec="seconds")
            raise refusal("time_before_last_punch", employee=name, last=last)
        if record.on_shift and action is Action.CLOCK_IN:
            raise refusal("already_on_shift", employee=name)
        if not record.on_shift and action in (Action.CLOCK_OUT, Action.ACTIVITY_START):
            raise refusal("not_on_shift", employee=name)
        if action is Action.ACTIVITY_END and record.activity is None:
            raise refusal("no_activity", employee=name)
        return action

    def set_on_shift(
        self, employee_id: str, on_shift: bool, since: datetime | None
    ) -> None:
        """Take the backend's word for an employee's state (state sync)."""
        record = self.employees.setdefault(employee_id, EmployeeRecord())
        record.on_shift = on_shift
        record.since = since if on_shift else None
        self._changed(employee_id)

    def forget(self, employee_ids: Iterable[str]) -> None:
        """Drop the records of employees who were removed."""
        for employee_id in employee_ids:
            if self.employees.pop(employee_id, None) is not None:
                self._changed(employee_id)

    def prune(self, now: datetime) -> None:
        """Forget history older than ``HISTORY`` (worked-today needs no more)."""
        cutoff = now - HISTORY
        for record in self.employees.values():
            if record.history and record.history[0][0] < cutoff:
                record.history = [item for item in record.history if item[0] >= cutoff]

    def worked_today(self, employee_id: str, now: datetime) -> timedelta:
        """Return how long an employee has worked since local midnight."""
        midnight = dt_util.start_of_local_day(dt_util.as_local(now))
        record = self.get(employee_id)
        total = timedelta()
        started: datetime | None = None
        for time, action in record.history:
            if action is Action.CLOCK_IN:
                started = started or time
            elif started is not None:
                total += _overlap(started, time, midnight, now)
                started = None
        if started is not None and record.on_shift:
            total += _overlap(started, now, midnight, now)
        return total

    def _changed(self, employee_id: str) -> None:
        """Note that an employee's stored record must be built again."""
        if self._dirty is not None:
            self._dirty.add(employee_id)

    def snapshot(self) -> dict[str, dict[str, Any]]:
        """Return every record as stored, building again only what changed.

        It is taken after every punch: the records that did not change come
        from a cache of dicts that are replaced, never changed, once shared.
        """
        dirty = self._dirty
        if dirty is None or len(self._cache) != len(self.employees):
            self._cache = {key: rec.as_dict() for key, rec in self.employees.items()}
        else:
            for key in dirty:
                if (record := self.employees.get(key)) is not None:
                    self._cache[key] = record.as_dict()
                else:
                    self._cache.pop(key, None)
        self._dirty = set()
        return dict(self._cache)
