"""The four kinds of Protime clocking: their own fields, and recognising a listed one.

A clock-in or clock-out is an ``InOut`` clocking, or a ``Reason`` clocking with
``reason.id`` when it carries a reason; neither states a direction (Protime pairs
them in order). Starting an activity is an ``Activity`` clocking with its
``activityLevels`` (each a ``level`` and an ``activityDefinition`` named by
``id`` or by ``externalReferences`` such as ``@data-entry-code``); ending one is
an ``ActivityEnd`` clocking, which names no activity.
"""

# api/ imports only itself, relatively, so it can be lifted out whole.
# ruff: noqa: TID252

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from ..errors import TimeClockRejectedError
from ..models import Action, ActivityLevel, PunchRequest

INOUT: Final = "InOut"
REASON: Final = "Reason"
ACTIVITY: Final = "Activity"
ACTIVITY_END: Final = "ActivityEnd"


def kind_fields(punch: PunchRequest) -> dict[str, Any]:
    """Return the ``kind`` of a punch's clocking and the fields only that kind has."""
    if punch.action is Action.ACTIVITY_START:
        if not punch.activity_levels:
            raise TimeClockRejectedError(
                "Protime activity has no levels", code="INVALID_ACTIVITY"
            )
        levels = [_level(level) for level in punch.activity_levels]
        return {"kind": ACTIVITY, "activityLevels": levels}
    if punch.action is Action.ACTIVITY_END:
        return {"kind": ACTIVITY_END}
    if punch.reason_id is not None:
        return {"kind": REASON, "reason": {"id": punch.reason_id}}
    return {"kind": INOUT}


def _level(level: ActivityLevel) -> dict[str, Any]:
    """Return one entry of ``activityLevels``."""
    if level.definition_id is not None:
        definition: dict[str, Any] = {"id": level.definition_id}
    elif (reference := (level.reference or "").strip()) and level.reference_kind:
        definition = {"externalReferences": {level.reference_kind: reference}}
    else:
        raise TimeClockRejectedError(
            f"Protime activity level {level.level} names no definition",
            code="INVALID_ACTIVITY",
        )
    return {"level": level.level, "activityDefinition": definition}


def same_kind(item: Mapping[str, Any], fields: Mapping[str, Any]) -> bool:
    """Return whether a listed clocking has the kind and kind fields of ``fields``.

    What the listing carries must agree; a field it leaves out, or names in
    another form (an id where a reference was sent), cannot tell them apart.
    """
    kind = item.get("kind", INOUT)
    if kind != fields["kind"]:
        return False
    if kind == REASON:
        return _same_reason(item.get("reason"), fields["reason"])
    if kind == ACTIVITY:
        return _same_levels(item.get("activityLevels"), fields["activityLevels"])
    return True


def _same_reason(found: Any, sent: Mapping[str, Any]) -> bool:
    """Return whether a listed ``reason`` may be the one sent."""
    if found is None:
        return True
    if not isinstance(found, Mapping):
        return False
    return found.get("id") is None or str(found["id"]) == str(sent["id"])


def _same_levels(found: Any, sent: list[dict[str, Any]]) -> bool:
    """Return whether listed ``activityLevels`` may be the ones sent."""
    if found is None:
        return True
    if not isinstance(found, list):
        return False
    by_level = {
        item.get("level"): item.get("activityDefinition")
        for item in found
        if isinstance(item, Mapping)
    }
    if set(by_level) != {level["level"] for level in sent}:
        return False
    return all(
        _same_definition(by_level[level["level"]], level["activityDefinition"])
        for level in sent
    )


def _same_definition(found: Any, sent: Mapping[str, Any]) -> bool:
    """Return whether a listed activity definition may be the one sent."""
    if not isinstance(found, Mapping):
        return found is None
    if "id" in sent and found.get("id") is not None:
        return str(found["id"]) == str(sent["id"])
    refs = found.get("externalReferences")
    for name, value in (sent.get("externalReferences") or {}).items():
        if isinstance(refs, Mapping) and refs.get(name) is not None:
            return str(refs[name]) == str(value)
    return True
