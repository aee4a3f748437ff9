"""The reasons and activities an account's options name (Protime's breaks and jobs)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from homeassistant.config_entries import ConfigEntry

from .api import DATA_ENTRY_CODE, ActivityLevel
from .errors import refusal
from .vendors import vendor_of

CONF_REASONS: Final = "reasons"
CONF_ACTIVITIES: Final = "activities"
CONF_REASON_ID: Final = "reason_id"
CONF_LEVELS: Final = "levels"
# How an activity's levels name their definitions: by id or by data-entry code.
BY_ID: Final = "id"
BY_CODE: Final = "data_entry_code"


@dataclass(frozen=True, kw_only=True, slots=True)
class Reason:
    """A named reason: a break or an absence the backend knows by id."""

    name: str
    reason_id: int


@dataclass(frozen=True, kw_only=True, slots=True)
class Activity:
    """A named activity: one definition per level."""

    name: str
    levels: tuple[ActivityLevel, ...]


def _items(options: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    """Return the well-formed items of an option list."""
    return [
        item
        for item in options.get(key) or []
        if isinstance(item, Mapping) and str(item.get("name") or "").strip()
    ]


def reasons_from_options(options: Mapping[str, Any]) -> dict[str, Reason]:
    """Return the account's reasons by their name folded to lower case."""
    found: dict[str, Reason] = {}
    for item in _items(options, CONF_REASONS):
        try:
            reason = Reason(
                name=str(item["name"]).strip(), reason_id=int(item[CONF_REASON_ID])
            )
        except (KeyError, TypeError, ValueError):
            continue
        found[reason.name.casefold()] = reason
    return found


def activity_levels(stored: Any) -> tuple[ActivityLevel, ...]:
    """Return an activity's levels from their stored form (bad ones left out)."""
    levels = []
    for item in stored or []:
        try:
            levels.append(ActivityLevel.from_dict(item))
        except (KeyError, TypeError, ValueError):
            continue
    return tuple(sorted(levels, key=lambda level: level.level))


def activities_from_options(options: Mapping[str, Any]) -> dict[str, Activity]:
    """Return the account's activities by their name folded to lower case."""
    found: dict[str, Activity] = {}
    for item in _items(options, CONF_ACTIVITIES):
        if levels := activity_levels(item.get(CONF_LEVELS)):
            activity = Activity(name=str(item["name"]).strip(), levels=levels)
            found[activity.name.casefold()] = activity
    return found


def levels_of(values: list[str], kind: str) -> list[dict[str, Any]]:
    """Return stored levels from the form's values (level 1 first)."""
    return [
        ActivityLevel(
            level=number,
            definition_id=int(value) if kind == BY_ID else None,
            reference=None if kind == BY_ID else value,
            reference_kind=DATA_ENTRY_CODE,
        ).as_dict()
        for number, value in enumerate(values, start=1)
    ]


class Catalog:
    """The reasons and activities an account can send, looked up by name."""

    def __init__(
        self,
        options: Mapping[str, Any],
        *,
        account: str,
        reasons: bool,
        activities: bool,
    ) -> None:
        """Read the options of ``account``, whose backend may know reasons, activities."""
        self._account = account
        self._reasons = reasons_from_options(options) if reasons else None
        self._activities = activities_from_options(options) if activities else None

    @classmethod
    def of(cls, entry: ConfigEntry[Any]) -> Catalog:
        """Return the catalog of an account."""
        vendor = vendor_of(entry.data)
        return cls(
            entry.options,
            account=entry.title,
            reasons=vendor.reasons,
            activities=vendor.activities,
        )

    @property
    def can_reason(self) -> bool:
        """Return whether the backend takes reasons."""
        return self._reasons is not None

    @property
    def can_activity(self) -> bool:
        """Return whether the backend takes activities."""
        return self._activities is not None

    def reason(self, name: str | None) -> Reason | None:
        """Return the reason of a name (``None`` for none); refuse an unknown one."""
        if name is None:
            return None
        if self._reasons is None:
            raise refusal("reasons_not_supported", account=self._account)
        if (reason := self._reasons.get(name.casefold())) is None:
            raise refusal("unknown_reason", reason=name)
        return reason

    def activity(self, name: str | None) -> Activity | None:
        """Return the activity of a name (``None``: end one); refuse an unknown one."""
        if self._activities is None:
            raise refusal("activities_not_supported", account=self._account)
        if name is None:
            return None
        if (activity := self._activities.get(name.casefold())) is None:
            raise refusal("unknown_activity", activity=name)
        return activity
