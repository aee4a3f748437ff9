"""Typed models shared by the Time Clock backend clients."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol


class Action(StrEnum):
    """An explicit punch action; toggles are resolved before they reach a backend.

    Activities (job costing) start and end within a shift; only backends that
    know them (Protime) get those punches.
    """

    CLOCK_IN = "clock_in"
    CLOCK_OUT = "clock_out"
    ACTIVITY_START = "activity_start"
    ACTIVITY_END = "activity_end"


# The external reference an activity definition is named by when no id is given.
DATA_ENTRY_CODE = "@data-entry-code"


@dataclass(frozen=True, kw_only=True)
class ActivityLevel:
    """One level of an activity: its definition by id or by external reference."""

    level: int
    definition_id: int | None = None
    reference: str | None = None
    reference_kind: str = DATA_ENTRY_CODE

    def as_dict(self) -> dict[str, Any]:
        """Return the level as stored with a punch."""
        return {
            "level": self.level,
            "definition_id": self.definition_id,
            "reference": self.reference,
            "reference_kind": self.reference_kind,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ActivityLevel:
        """Return a level from its stored form."""
        definition = data.get("definition_id")
        return cls(
            level=int(data["level"]),
            definition_id=int(definition) if definition is not None else None,
            reference=data.get("reference"),
            reference_kind=str(data.get("reference_kind") or DATA_ENTRY_CODE),
        )


@dataclass(frozen=True, kw_only=True)
class PunchRequest:
    """One punch as a backend client sends it.

    ``time`` is timezone-aware; each client converts it to what its vendor wants.
    ``extras`` carries the employee's backend-specific settings (TrackTik position
    and account, Protime reference kind). ``state`` is what the backend asked to be
    remembered for this employee after an earlier delivery (TrackTik work session).
    ``uncertain`` is true when an earlier attempt may have reached the backend, so
    the client must read the backend's state before sending where a duplicate harms.
    """

    punch_id: str
    person: str
    action: Action
    time: datetime
    project_id: int | None = None
    description: str | None = None
    extras: Mapping[str, Any] = field(default_factory=dict)
    state: Mapping[str, Any] = field(default_factory=dict)
    uncertain: bool = False
    # A clock-in or clock-out for a reason (Protime's Reason clocking).
    reason_id: int | None = None
    # The activity an ACTIVITY_START punch starts.
    activity_levels: tuple[ActivityLevel, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Delivery:
    """A backend's confirmation of one punch.

    ``state``, when not ``None``, replaces what is remembered for the employee.
    ``stamped_at`` is set by backends that record the delivery time instead of the
    punch time (SonoranCMS).
    """

    state: Mapping[str, Any] | None = None
    stamped_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class AccountInfo:
    """What a credential check learned about the account."""

    unique_id: str
    title: str


class Backend(Protocol):
    """What the outbox needs from a backend client."""

    async def async_validate(self) -> AccountInfo:
        """Check the credentials against the backend."""

    async def async_deliver(self, punch: PunchRequest) -> Delivery:
        """Deliver one punch, or raise a ``TimeClockError``."""

    async def async_probe(self) -> bool:
        """Return whether the backend answers at all (for when states cannot tell)."""

    async def async_fetch_states(
        self, persons: Sequence[str]
    ) -> Mapping[str, bool] | None:
        """Return who is on shift at the backend, or ``None`` when it cannot tell cheaply."""
