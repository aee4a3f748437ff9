"""The events Time Clock fires on the bus: one home for their payloads."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant

from .const import (
    ATTR_ACCOUNT,
    ATTR_ACTION,
    ATTR_DELIVERED,
    ATTR_EMPLOYEE,
    ATTR_EMPLOYEE_ID,
    ATTR_SOURCE,
    ATTR_TIME,
    EVENT_PUNCH,
    EVENT_PUNCH_FAILED,
    EVENT_UNKNOWN_TAG,
)
from .punch import Punch


def fire_punch(
    hass: HomeAssistant,
    entry: ConfigEntry[Any],
    punch: Punch,
    *,
    employee: str,
    delivered: bool,
    stamped_at: datetime | None = None,
) -> None:
    """Fire ``time_clock_punch``: when a punch is recorded, and when it is delivered.

    ``stamped_at`` is the time a backend recorded instead of the punch's own
    (SonoranCMS takes no time and stamps a punch when it arrives).
    """
    hass.bus.async_fire(
        EVENT_PUNCH,
        {
            ATTR_EMPLOYEE: employee,
            ATTR_EMPLOYEE_ID: punch.employee_id,
            ATTR_ACTION: punch.action.value,
            ATTR_TIME: punch.time.isoformat(),
            ATTR_SOURCE: punch.source.value,
            "reader": punch.reader,
            ATTR_ACCOUNT: entry.title,
            "account_id": entry.entry_id,
            ATTR_DELIVERED: delivered,
            "stamped_at": stamped_at.isoformat() if stamped_at else None,
            "reason": punch.reason,
            "activity": punch.activity,
        },
    )


def fire_punch_failed(
    hass: HomeAssistant,
    entry: ConfigEntry[Any],
    punch: Punch,
    *,
    employee: str,
    code: str,
    message: str,
) -> None:
    """Fire ``time_clock_punch_failed`` for a punch the backend rejected."""
    hass.bus.async_fire(
        EVENT_PUNCH_FAILED,
        {
            ATTR_EMPLOYEE: employee,
            ATTR_EMPLOYEE_ID: punch.employee_id,
            ATTR_ACTION: punch.action.value,
            ATTR_TIME: punch.time.isoformat(),
            ATTR_ACCOUNT: entry.title,
            "code": code,
            "message": message,
        },
    )


def fire_unknown_tag(
    hass: HomeAssistant, entry: ConfigEntry[Any], *, uid: str, reader: str
) -> None:
    """Fire ``time_clock_unknown_tag`` for a tag that belongs to no employee."""
    hass.bus.async_fire(
        EVENT_UNKNOWN_TAG,
        {
            "uid": uid,
            "reader": reader,
            "account": entry.title,
            "account_id": entry.entry_id,
        },
    )
