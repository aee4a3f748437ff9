"""The punch model: one clock-in or clock-out of one employee."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from enum import StrEnum
from typing import Any
import uuid

from homeassistant.util import dt as dt_util

from .api import Action, ActivityLevel


class Source(StrEnum):
    """Where a punch came from."""

    READER = "reader"
    BUTTON = "button"
    SERVICE = "service"
    AUTOMATIC = "automatic"


@dataclass(frozen=True, kw_only=True, slots=True)
class NewPunch:
    """What a punch is made of before the queue numbers it."""

    employee_id: str
    action: Action
    time: datetime
    source: Source
    reader: str | None = None
    project_id: int | None = None
    description: str | None = None
    # A clock-in or clock-out for a reason: its name and the backend's id.
    reason: str | None = None
    reason_id: int | None = None
    # The activity an activity_start starts: its name and definition per level.
    activity: str | None = None
    activity_levels: tuple[ActivityLevel, ...] = ()

    def numbered(self, seq: int) -> Punch:
        """Return the punch with its number, a new id and its time in UTC."""
        made = {item.name: getattr(self, item.name) for item in fields(self)}
        made["time"] = dt_util.as_utc(self.time)
        return Punch(seq=seq, punch_id=uuid.uuid4().hex, **made)


@dataclass(frozen=True, kw_only=True, slots=True)
class Punch(NewPunch):
    """One explicit punch, as kept in the outbox and the local record."""

    seq: int
    punch_id: str

    def as_dict(self) -> dict[str, Any]:
        """Return the punch as stored."""
        data: dict[str, Any] = {
            "seq": self.seq,
            "id": self.punch_id,
            "employee": self.employee_id,
            "action": self.action.value,
            "time": self.time.isoformat(),
            "source": self.source.value,
        }
        if self.reader is not None:
            data["reader"] = self.reader
        if self.project_id is not None:
            data["project_id"] = self.project_id
        if self.description is not None:
            data["description"] = self.description
        if self.reason is not None:
            data["reason"] = self.reason
            data["reason_id"] = self.reason_id
        if self.activity is not None:
            data["activity"] = self.activity
            data["activity_levels"] = [lvl.as_dict() for lvl in self.activity_levels]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Punch:
        """Return a punch from its stored form."""
        time = dt_util.parse_datetime(data["time"])
        if time is None:
            raise ValueError(f"invalid punch time {data['time']!r}")
        return cls(
            seq=int(data["seq"]),
            punch_id=str(data["id"]),
            employee_id=str(data["employee"]),
            action=Action(data["action"]),
            time=time,
            source=Source(data["source"]),
            reader=data.get("reader"),
            project_id=data.get("project_id"),
            description=data.get("description"),
            reason=data.get("reason"),
            reason_id=data.get("reason_id"),
            activity=data.get("activity"),
            activity_levels=tuple(
                ActivityLevel.from_dict(item)
                for item in data.get("activity_levels") or ()
            ),
        )
