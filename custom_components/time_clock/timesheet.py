"""Timesheets from the local record: per employee and day, first in, last out, worked.

Pure computation, no I/O: the punches come in, the days go out. A shift that
runs over midnight counts on each day for the part that lies in it; a shift
still open counts up to now.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
import csv
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
import io
from typing import Any

from .api import Action
from .punch import Punch

CSV_COLUMNS = (
    "employee",
    "date",
    "first_in",
    "last_out",
    "worked_hours",
    "open",
    "punches",
)


@dataclass(frozen=True, kw_only=True, slots=True)
class RecordedPunch:
    """A punch of the local record and whether the backend confirmed it."""

    punch: Punch
    delivered: bool


@dataclass(kw_only=True)
class Day:
    """One employee's day."""

    day: date
    zone: tzinfo
    first_in: datetime | None = None
    last_out: datetime | None = None
    worked: timedelta = field(default_factory=timedelta)
    open: bool = False
    punches: list[RecordedPunch] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Return the day as the service and the websocket command answer it.

        Times are local, with their offset.
        """
        return {
            "date": self.day.isoformat(),
            "first_in": self._local(self.first_in),
            "last_out": self._local(self.last_out),
            "worked_seconds": round(self.worked.total_seconds()),
            "open": self.open,
            "punches": [
                {
                    "time": self._local(item.punch.time),
                    "action": item.punch.action.value,
                    "delivered": item.delivered,
                    "source": item.punch.source.value,
                    "reader": item.punch.reader,
                    "reason": item.punch.reason,
                    "activity": item.punch.activity,
                }
                for item in self.punches
            ],
        }

    def _local(self, moment: datetime | None) -> str | None:
        """Return a time as local ISO text, or ``None``."""
        return moment.astimezone(self.zone).isoformat() if moment else None


def _midnight(day: date, zone: tzinfo) -> datetime:
    """Return the start of a local day."""
    return datetime.combine(day, time.min, tzinfo=zone)


def employee_days(
    punches: Iterable[RecordedPunch],
    *,
    start: date,
    end: date,
    zone: tzinfo,
    now: datetime,
) -> list[Day]:
    """Return one ``Day`` per date from ``start`` to ``end`` for one employee.

    ``punches`` are the employee's punches in order of occurrence, including the
    last one before ``start`` (which tells whether a shift was already open).
    """
    days = [
        Day(day=start + timedelta(days=offset), zone=zone)
        for offset in range((end - start).days + 1)
    ]
    first = _midnight(start, zone)
    last = _midnight(end + timedelta(days=1), zone)
    started: datetime | None = None

    def count(begin: datetime, finish: datetime) -> None:
        """Add the worked span to the days it covers, within the range."""
        for day in days:
            lower = _midnight(day.day, zone)
            upper = _midnight(day.day + timedelta(days=1), zone)
            if (part := min(finish, upper) - max(begin, lower)) > timedelta():
                day.worked += part

    for item in punches:
        moment, action = item.punch.time, item.punch.action
        if first <= moment < last:
            day = days[(moment.astimezone(zone).date() - start).days]
            day.punches.append(item)
            if action is Action.CLOCK_IN:
                day.first_in = day.first_in or moment
            elif action is Action.CLOCK_OUT:
                day.last_out = moment
        # Activities come and go within a shift: its time counts once.
        if action is Action.CLOCK_IN:
            started = started or moment
        elif action is Action.CLOCK_OUT and started is not None:
            count(started, moment)
            started = None
    if started is not None:
        count(started, min(now, last))
        for day in days:
            if started < _midnight(day.day + timedelta(days=1), zone) and (
                _midnight(day.day, zone) <= now
            ):
                day.open = True
    return days


def timesheet(
    punches: Iterable[RecordedPunch],
    employees: Mapping[str, str],
    *,
    start: date,
    end: date,
    zone: tzinfo,
    now: datetime,
) -> dict[str, list[Day]]:
    """Return the days of each employee (id -> name given) over the range."""
    mine: dict[str, list[RecordedPunch]] = {key: [] for key in employees}
    for item in sorted(punches, key=lambda i: (i.punch.time, i.punch.seq)):
        if (found := mine.get(item.punch.employee_id)) is not None:
            found.append(item)
    return {
        key: employee_days(items, start=start, end=end, zone=zone, now=now)
        for key, items in mine.items()
    }


def as_csv(rows: Iterable[tuple[str, Day]], zone: tzinfo) -> str:
    """Return the days as CSV: a row per employee and day, local times."""

    def local(moment: datetime | None) -> str:
        return moment.astimezone(zone).strftime("%H:%M:%S") if moment else ""

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for name, day in rows:
        writer.writerow(
            (
                name,
                day.day.isoformat(),
                local(day.first_in),
                local(day.last_out),
                f"{day.worked.total_seconds() / 3600:.2f}",
                "yes" if day.open else "no",
                " ".join(
                    f"{local(item.punch.time)} {item.punch.action.value}"
                    for item in day.punches
                ),
            )
        )
    return out.getvalue()
