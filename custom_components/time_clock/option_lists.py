"""The named lists of an account's options: readers, reasons and activities.

Each kind says how its form looks and how an item is checked; the options flow
adds, changes and removes items of any kind the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.components.mqtt.util import (
    valid_publish_topic,
    valid_subscribe_topic,
)
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import TemplateError
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
)
import voluptuous as vol

from .catalog import (
    BY_CODE,
    BY_ID,
    CONF_ACTIVITIES,
    CONF_LEVELS,
    CONF_REASON_ID,
    CONF_REASONS,
    levels_of,
)
from .reader_config import (
    CONF_ACTIVITY,
    CONF_FEEDBACK_TOPIC,
    CONF_READERS,
    CONF_REASON,
    CONF_ROLE,
    CONF_TEMPLATE,
    CONF_TOPIC,
    ROLE_ACTIVITY,
    ROLE_REASON,
    ROLE_TOGGLE,
    ROLES,
    compile_template,
)

CONF_DEFINITION_KIND = "definition_kind"
LEVEL_FIELDS = ("level_1", "level_2", "level_3", "level_4")
READER_FIELDS = (CONF_NAME, CONF_TOPIC, CONF_ROLE, CONF_TEMPLATE, CONF_FEEDBACK_TOPIC)

type Errors = dict[str, str]
type Check = Callable[
    [HomeAssistant, dict[str, Any], Mapping[str, Any]], tuple[dict[str, Any], Errors]
]


def _choice(options: list[str], key: str | None = None) -> SelectSelector:
    """Return a drop-down (translated when ``key`` is given)."""
    config = SelectSelectorConfig(options=options, mode=SelectSelectorMode.DROPDOWN)
    if key is not None:
        config["translation_key"] = key
    return SelectSelector(config)


def _names(options: Mapping[str, Any], key: str) -> list[str]:
    """Return the names of the items of an option list."""
    return [str(item.get(CONF_NAME)) for item in options.get(key) or []]


def _valid(validator: Callable[[Any], str], topic: str) -> bool:
    """Return whether an MQTT topic passes one of MQTT's validators."""
    try:
        validator(topic)
    except vol.Invalid:
        return False
    return True


def reader_schema(options: Mapping[str, Any]) -> vol.Schema:
    """Return the form of a reader; reason and activity readers name theirs."""
    fields: dict[Any, Any] = {
        vol.Required(CONF_NAME): TextSelector(),
        vol.Required(CONF_TOPIC): TextSelector(),
        vol.Required(CONF_ROLE, default=ROLE_TOGGLE): _choice(
            list(ROLES), "reader_role"
        ),
    }
    if reasons := _names(options, CONF_REASONS):
        fields[vol.Optional(CONF_REASON)] = _choice(reasons)
    if activities := _names(options, CONF_ACTIVITIES):
        fields[vol.Optional(CONF_ACTIVITY)] = _choice(activities)
    fields[vol.Optional(CONF_TEMPLATE)] = TextSelector(
        TextSelectorConfig(multiline=True)
    )
    fields[vol.Optional(CONF_FEEDBACK_TOPIC)] = TextSelector()
    return vol.Schema(fields)


def check_reader(
    hass: HomeAssistant, user_input: dict[str, Any], options: Mapping[str, Any]
) -> tuple[dict[str, Any], Errors]:
    """Return a reader as stored and the form's field errors."""
    reader = {key: str(user_input.get(key) or "").strip() for key in READER_FIELDS}
    reader[CONF_ROLE] = reader[CONF_ROLE] or ROLE_TOGGLE
    errors: Errors = {}
    if not reader[CONF_TOPIC]:
        errors[CONF_TOPIC] = "topic_required"
    elif not _valid(valid_subscribe_topic, reader[CONF_TOPIC]):
        errors[CONF_TOPIC] = "invalid_topic"
    if reader[CONF_FEEDBACK_TOPIC] and not _valid(
        valid_publish_topic, reader[CONF_FEEDBACK_TOPIC]
    ):
        errors[CONF_FEEDBACK_TOPIC] = "invalid_feedback_topic"
    if reader[CONF_TEMPLATE]:
        try:
            compile_template(hass, reader[CONF_TEMPLATE])
        except TemplateError:
            errors[CONF_TEMPLATE] = "invalid_template"
    # A reason reader names a reason of the account, an activity reader an activity.
    for role, field, key in (
        (ROLE_REASON, CONF_REASON, CONF_REASONS),
        (ROLE_ACTIVITY, CONF_ACTIVITY, CONF_ACTIVITIES),
    ):
        if reader[CONF_ROLE] != role:
            continue
        reader[field] = str(user_input.get(field) or "").strip()
        if reader[field].casefold() not in {
            name.casefold() for name in _names(options, key)
        }:
            errors[field] = f"unknown_{field}"
    return reader, errors


REASON_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_NAME): TextSelector(),
        vol.Required(CONF_REASON_ID): NumberSelector(
            NumberSelectorConfig(min=1, max=2**31 - 1, mode=NumberSelectorMode.BOX)
        ),
    }
)


def check_reason(
    hass: HomeAssistant, user_input: dict[str, Any], options: Mapping[str, Any]
) -> tuple[dict[str, Any], Errors]:
    """Return a reason as stored (its name and the backend's id)."""
    reason_id = user_input.get(CONF_REASON_ID)
    return {
        CONF_NAME: str(user_input.get(CONF_NAME) or "").strip(),
        CONF_REASON_ID: int(reason_id) if reason_id is not None else 0,
    }, {}


_ACTIVITY_FIELDS: dict[vol.Marker, Any] = {
    vol.Required(CONF_NAME): TextSelector(),
    vol.Required(CONF_DEFINITION_KIND, default=BY_CODE): _choice(
        [BY_CODE, BY_ID], CONF_DEFINITION_KIND
    ),
    vol.Required(LEVEL_FIELDS[0]): TextSelector(),
}
_ACTIVITY_FIELDS.update(
    {vol.Optional(field): TextSelector() for field in LEVEL_FIELDS[1:]}
)
ACTIVITY_SCHEMA = vol.Schema(_ACTIVITY_FIELDS)


def check_activity(
    hass: HomeAssistant, user_input: dict[str, Any], options: Mapping[str, Any]
) -> tuple[dict[str, Any], Errors]:
    """Return an activity as stored: its name and one definition per level."""
    kind = str(user_input.get(CONF_DEFINITION_KIND) or BY_CODE)
    values = [str(user_input.get(field) or "").strip() for field in LEVEL_FIELDS]
    errors: Errors = {}
    while values and not values[-1]:
        values.pop()
    for field, value in zip(LEVEL_FIELDS, values, strict=False):
        if not value:
            errors[field] = "level_missing"
        elif kind == BY_ID and not value.isdigit():
            errors[field] = "level_not_number"
    if not values:
        errors[LEVEL_FIELDS[0]] = "level_missing"
    levels = [] if errors else levels_of(values, kind)
    return {
        CONF_NAME: str(user_input.get(CONF_NAME) or "").strip(),
        CONF_LEVELS: levels,
    }, errors


def activity_form_values(item: Mapping[str, Any]) -> dict[str, Any]:
    """Return a stored activity as its form's values."""
    levels = list(item.get(CONF_LEVELS) or [])
    by_id = any(level.get("definition_id") is not None for level in levels)
    values: dict[str, Any] = {
        CONF_NAME: item.get(CONF_NAME),
        CONF_DEFINITION_KIND: BY_ID if by_id else BY_CODE,
    }
    for field, level in zip(LEVEL_FIELDS, levels, strict=False):
        value = level.get("definition_id") if by_id else level.get("reference")
        values[field] = str(value)
    return values


@dataclass(frozen=True, kw_only=True, slots=True)
class ListKind:
    """A named list of the options: its key, its form and its check."""

    key: str
    item: str
    schema: Callable[[Mapping[str, Any]], vol.Schema]
    check: Check
    form_values: Callable[[Mapping[str, Any]], dict[str, Any]] = dict
    # The reader field naming an item of this list (renamed along, kept if used).
    reader_field: str | None = None


LISTS = {
    kind.item: kind
    for kind in (
        ListKind(
            key=CONF_READERS, item="reader", schema=reader_schema, check=check_reader
        ),
        ListKind(
            key=CONF_REASONS,
            item="reason",
            schema=lambda _options: REASON_SCHEMA,
            check=check_reason,
            reader_field=CONF_REASON,
        ),
        ListKind(
            key=CONF_ACTIVITIES,
            item="activity",
            schema=lambda _options: ACTIVITY_SCHEMA,
            check=check_activity,
            form_values=activity_form_values,
            reader_field=CONF_ACTIVITY,
        ),
    )
}
