"""The fake Protime tenant's model validation of a posted clocking (seed 003).

Every clocking names its person by ``id`` or by one external reference, has a
``date`` (YYYY-MM-DD), a ``timeOfDayInMinutes`` from -1440 to 2880, a ``kind``
(``InOut``, ``Reason``, ``Activity``, ``ActivityEnd``), status ``Active`` and
optionally ``terminal.id`` and ``geolocation``. A ``Reason`` clocking requires
``reason.id``; an ``Activity`` clocking requires ``activityLevels``: distinct
positive ``level`` numbers, each with an ``activityDefinition`` named by ``id`` or
by ``externalReferences``. ``reason`` on another kind than ``Reason`` and
``activityLevels`` on another kind than ``Activity`` are refused. Each problem is
one entry of the answer's ``validationErrors``: property name -> message.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

INOUT = "InOut"
REASON = "Reason"
ACTIVITY = "Activity"
ACTIVITY_END = "ActivityEnd"
KINDS = frozenset({INOUT, REASON, ACTIVITY, ACTIVITY_END})
MIN_MINUTES = -1440
MAX_MINUTES = 2880


def is_int(value: Any) -> bool:
    """Return whether a JSON value is an integer (not a boolean)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    """Return whether a JSON value is a number or a text holding one."""
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            return False
        return True
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_date(value: Any) -> bool:
    """Return whether a JSON value is a YYYY-MM-DD date."""
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_references(value: Any, *, one: bool) -> bool:
    """Return whether a JSON value is an object of text references (exactly one)."""
    return (
        isinstance(value, dict)
        and (len(value) == 1 if one else len(value) >= 1)
        and all(isinstance(v, str) and v.strip() for v in value.values())
    )


def body_problems(body: Any) -> dict[str, str]:
    """Return the model errors of a posted clocking (none: it is well formed)."""
    if not isinstance(body, dict):
        return {"body": "An object is required"}
    problems = _common_problems(body)
    kind = body.get("kind")
    if kind not in KINDS:
        problems["kind"] = "Unknown clocking kind"
    if kind == REASON:
        reason = body.get("reason")
        if not (isinstance(reason, dict) and is_int(reason.get("id"))):
            problems["reason.id"] = "A Reason clocking requires reason.id (integer)"
    elif "reason" in body:
        problems["reason"] = "Only a Reason clocking has a reason"
    if kind == ACTIVITY:
        problems.update(_levels_problems(body.get("activityLevels")))
    elif "activityLevels" in body:
        problems["activityLevels"] = "Only an Activity clocking has activity levels"
    return problems


def _common_problems(body: dict[str, Any]) -> dict[str, str]:
    """Return the model errors of the properties every kind shares."""
    problems: dict[str, str] = {}
    person = body.get("person")
    if not isinstance(person, dict) or ("id" in person) == (
        "externalReferences" in person
    ):
        problems["person"] = "Either person.id or person.externalReferences is required"
    elif "id" in person and not is_int(person["id"]):
        problems["person.id"] = "Must be an integer"
    elif "id" not in person and not _is_references(
        person["externalReferences"], one=True
    ):
        problems["person.externalReferences"] = "Exactly one text reference is required"
    if not _is_date(body.get("date")):
        problems["date"] = "The date must be YYYY-MM-DD"
    minutes = body.get("timeOfDayInMinutes")
    if not (is_int(minutes) and MIN_MINUTES <= minutes <= MAX_MINUTES):
        problems["timeOfDayInMinutes"] = "Must be an integer from -1440 to 2880"
    if body.get("status", "Active") != "Active":
        problems["status"] = "Only Active clockings can be created"
    terminal = body.get("terminal")
    if terminal is not None and not (
        isinstance(terminal, dict) and is_int(terminal.get("id"))
    ):
        problems["terminal.id"] = "Must be an integer"
    geo = body.get("geolocation")
    if geo is not None and not (
        isinstance(geo, dict)
        and _is_number(geo.get("longitude"))
        and _is_number(geo.get("latitude"))
    ):
        problems["geolocation"] = "Longitude and latitude must be numbers"
    return problems


def _levels_problems(levels: Any) -> dict[str, str]:
    """Return the model errors of an Activity clocking's ``activityLevels``."""
    if not isinstance(levels, list) or not levels:
        return {"activityLevels": "An Activity clocking requires activity levels"}
    problems: dict[str, str] = {}
    seen: set[int] = set()
    for index, item in enumerate(levels):
        name = f"activityLevels[{index}]"
        if not isinstance(item, dict):
            problems[name] = "An object is required"
            continue
        level = item.get("level")
        if not (is_int(level) and level >= 1) or level in seen:
            problems[f"{name}.level"] = "Must be a distinct integer from 1"
        else:
            seen.add(level)
        definition = item.get("activityDefinition")
        if not isinstance(definition, dict) or ("id" in definition) == (
            "externalReferences" in definition
        ):
            problems[f"{name}.activityDefinition"] = (
                "Either activityDefinition.id or .externalReferences is required"
            )
        elif "id" in definition and not is_int(definition["id"]):
            problems[f"{name}.activityDefinition.id"] = "Must be an integer"
        elif "id" not in definition and not _is_references(
            definition["externalReferences"], one=False
        ):
            problems[f"{name}.activityDefinition.externalReferences"] = (
                "Text references are required"
            )
    return problems


def kind_key(clocking: dict[str, Any]) -> tuple[Any, ...]:
    """Return what tells two clockings of one person at one minute apart."""
    reason = clocking.get("reason") or {}
    levels = tuple(
        (item["level"], repr(sorted(item["activityDefinition"].items())))
        for item in clocking.get("activityLevels") or ()
    )
    return (clocking["kind"], reason.get("id"), levels)
