"""Diagnostics of Time Clock, with credentials and personal data redacted."""

from __future__ import annotations

from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.core import HomeAssistant

from .account import TimeClockConfigEntry

TO_REDACT = {
    "api_key",
    "client_secret",
    "password",
    "username",
    "refresh_token",
    "access_token",
    "token",
    "community_id",
    "client_id",
    "identifier",
    "person",
    "tags",
    "tag",
    "uid",
    "email",
    "message",
    "description",
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: TimeClockConfigEntry
) -> dict[str, Any]:
    """Return the account's settings and outbox, redacted."""
    account = entry.runtime_data.account
    return async_redact_data(
        {
            "entry": {
                "title": entry.title,
                "data": dict(entry.data),
                "options": dict(entry.options),
            },
            "employees": [
                {"subentry_id": sub.subentry_id, "data": dict(sub.data)}
                for sub in entry.subentries.values()
            ],
            "runtime": {
                **account.delivery_details(),
                "employees": {
                    key: {
                        **account.state(key).as_dict(),
                        "pending": account.pending_for(key),
                    }
                    for key in account.employees
                },
            },
        },
        TO_REDACT,
    )
