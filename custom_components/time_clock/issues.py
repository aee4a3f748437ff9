"""The repair issues of an account: one home for their ids and their texts' data."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from .const import DOMAIN

ISSUE_AUTH_FAILED: Final = "auth_failed"
ISSUE_PUNCH_REJECTED: Final = "punch_rejected"
ISSUE_MQTT_MISSING: Final = "mqtt_missing"
ISSUES: Final = (ISSUE_AUTH_FAILED, ISSUE_PUNCH_REJECTED, ISSUE_MQTT_MISSING)


def issue_id(kind: str, entry_id: str) -> str:
    """Return the id of an account's issue of one kind."""
    return f"{kind}_{entry_id}"


def delete_issue(hass: HomeAssistant, kind: str, entry_id: str) -> None:
    """Delete an account's issue of one kind (it was resolved)."""
    ir.async_delete_issue(hass, DOMAIN, issue_id(kind, entry_id))


def delete_issues(hass: HomeAssistant, entry_id: str) -> None:
    """Delete every issue of an account (it was removed)."""
    for kind in ISSUES:
        delete_issue(hass, kind, entry_id)


def create_auth_failed(
    hass: HomeAssistant, entry: ConfigEntry[Any], pending: int
) -> None:
    """Say that the backend refused the account's credentials."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id(ISSUE_AUTH_FAILED, entry.entry_id),
        is_fixable=False,
        severity=ir.IssueSeverity.ERROR,
        translation_key=ISSUE_AUTH_FAILED,
        translation_placeholders={"account": entry.title, "pending": str(pending)},
    )


def create_punch_rejected(
    hass: HomeAssistant,
    entry: ConfigEntry[Any],
    *,
    employee: str,
    action: str,
    time: datetime,
    code: str,
    count: int,
) -> None:
    """Say that the backend rejected punches (the newest named); fixed by a flow."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id(ISSUE_PUNCH_REJECTED, entry.entry_id),
        is_fixable=True,
        is_persistent=False,
        severity=ir.IssueSeverity.ERROR,
        translation_key=ISSUE_PUNCH_REJECTED,
        translation_placeholders={
            "account": entry.title,
            "employee": employee,
            "action": action,
            "time": dt_util.as_local(time).isoformat(timespec="seconds"),
            "code": code,
            "count": str(count),
        },
        data={"entry_id": entry.entry_id},
    )


def create_mqtt_missing(
    hass: HomeAssistant, entry: ConfigEntry[Any], readers: Iterable[str]
) -> None:
    """Say that the account's MQTT readers need the MQTT integration."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id(ISSUE_MQTT_MISSING, entry.entry_id),
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key=ISSUE_MQTT_MISSING,
        translation_placeholders={
            "account": entry.title,
            "readers": ", ".join(readers),
        },
    )
