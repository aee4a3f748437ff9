"""Describe Time Clock events in the logbook."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from homeassistant.components.logbook import (
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.core import Event, HomeAssistant, callback

from .const import DOMAIN, EVENT_PUNCH, EVENT_PUNCH_FAILED, EVENT_UNKNOWN_TAG

VERBS = {"clock_in": "clocked in", "clock_out": "clocked out"}


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Callable[[Event], dict[str, str]]], None],
) -> None:
    """Describe the punch events in words."""

    @callback
    def describe_punch(event: Event) -> dict[str, str]:
        data: Mapping[str, Any] = event.data
        verb = VERBS.get(data.get("action", ""), "punched")
        where = data.get("reader") or data.get("source", "")
        if data.get("delivered"):
            message = f"{verb} (delivered to {data.get('account')})"
        else:
            message = f"{verb} at {where}" if where else verb
        return {
            LOGBOOK_ENTRY_NAME: str(data.get("employee")),
            LOGBOOK_ENTRY_MESSAGE: message,
        }

    @callback
    def describe_failed(event: Event) -> dict[str, str]:
        data: Mapping[str, Any] = event.data
        verb = VERBS.get(data.get("action", ""), "punched")
        return {
            LOGBOOK_ENTRY_NAME: str(data.get("employee")),
            LOGBOOK_ENTRY_MESSAGE: f"{verb}, but the backend rejected it ({data.get('code')})",
        }

    @callback
    def describe_unknown(event: Event) -> dict[str, str]:
        return {
            LOGBOOK_ENTRY_NAME: "Time Clock",
            LOGBOOK_ENTRY_MESSAGE: f"unknown tag read at {event.data.get('reader')}",
        }

    async_describe_event(DOMAIN, EVENT_PUNCH, describe_punch)
    async_describe_event(DOMAIN, EVENT_PUNCH_FAILED, describe_failed)
    async_describe_event(DOMAIN, EVENT_UNKNOWN_TAG, describe_unknown)
