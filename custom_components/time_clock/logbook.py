"""Time Clock in the logbook: one line per punch, in words, on the employee's page.

A punch is written to the logbook once, when it is recorded; its delivery gets a
line of its own only when it came late (after an outage or a restart). The
``time_clock_punch`` events stay for automations and are not described, so an
on-time delivery adds nothing to read. Rejected punches and unknown tags are
described from their events.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from homeassistant.components.logbook import (
    LOGBOOK_ENTRY_ENTITY_ID,
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.const import (
    ATTR_DOMAIN,
    ATTR_ENTITY_ID,
    ATTR_NAME,
    EVENT_LOGBOOK_ENTRY,
)
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util

from .api import Action
from .const import DOMAIN, EVENT_PUNCH_FAILED, EVENT_UNKNOWN_TAG
from .punch import Punch

VERBS = {"clock_in": "clocked in", "clock_out": "clocked out"}
# How a punch came about, after the verb; a reader is named instead.
SOURCES = {
    "button": "with the dashboard button",
    "service": "by an action",
    "automatic": "automatically, after the longest shift allowed",
}


def on_shift_entity(hass: HomeAssistant, employee_id: str) -> str | None:
    """Return the on-shift entity of an employee, to file lines on their page."""
    return er.async_get(hass).async_get_entity_id(
        "binary_sensor", DOMAIN, f"{employee_id}_on_shift"
    )


def _verb(punch: Punch) -> str:
    """Return what a punch did, without where ("went on a break (Lunch)")."""
    if punch.action is Action.ACTIVITY_START:
        return f"started {punch.activity}"
    if punch.action is Action.ACTIVITY_END:
        return f"ended {punch.activity}"
    if punch.reason and punch.action is Action.CLOCK_OUT:
        return f"went on a break ({punch.reason})"
    verb = VERBS.get(punch.action, "punched")
    return f"{verb} ({punch.reason})" if punch.reason else verb


def punch_words(punch: Punch) -> str:
    """Return what a punch did, in words ("clocked in at Front door")."""
    verb = _verb(punch)
    if punch.reader:
        return f"{verb} at {punch.reader}"
    if how := SOURCES.get(punch.source):
        return f"{verb} {how}"
    return verb


def late_words(punch: Punch, account: str, late: timedelta) -> str:
    """Return what a late delivery did, in words."""
    minutes = max(1, round(late.total_seconds() / 60))
    hours, minutes = divmod(minutes, 60)
    delay = f"{hours} h {minutes} min" if hours else f"{minutes} min"
    when = dt_util.as_local(punch.time).strftime("%H:%M")
    return f"{_verb(punch)} at {when}; delivered to {account} {delay} later"


@callback
def async_log(
    hass: HomeAssistant, *, employee: str, employee_id: str, message: str
) -> None:
    """Write one line to the logbook, on the employee's page."""
    data: dict[str, Any] = {
        ATTR_NAME: employee,
        "message": message,
        ATTR_DOMAIN: DOMAIN,
    }
    if entity_id := on_shift_entity(hass, employee_id):
        data[ATTR_ENTITY_ID] = entity_id
    hass.bus.async_fire(EVENT_LOGBOOK_ENTRY, data)


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Callable[[Event], dict[str, str]]], None],
) -> None:
    """Describe rejected punches and unknown tags in words."""

    @callback
    def describe_failed(event: Event) -> dict[str, str]:
        data: Mapping[str, Any] = event.data
        verb = VERBS.get(data.get("action", ""), "punched")
        described = {
            LOGBOOK_ENTRY_NAME: str(data.get("employee")),
            LOGBOOK_ENTRY_MESSAGE: (
                f"{verb}, but the backend rejected it ({data.get('code')})"
            ),
        }
        employee_id = data.get("employee_id")
        if isinstance(employee_id, str) and (
            entity_id := on_shift_entity(hass, employee_id)
        ):
            described[LOGBOOK_ENTRY_ENTITY_ID] = entity_id
        return described

    @callback
    def describe_unknown(event: Event) -> dict[str, str]:
        return {
            LOGBOOK_ENTRY_NAME: "Time Clock",
            LOGBOOK_ENTRY_MESSAGE: f"unknown tag read at {event.data.get('reader')}",
        }

    async_describe_event(DOMAIN, EVENT_PUNCH_FAILED, describe_failed)
    async_describe_event(DOMAIN, EVENT_UNKNOWN_TAG, describe_unknown)
