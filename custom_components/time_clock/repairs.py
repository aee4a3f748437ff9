"""Repair flows of Time Clock."""

from __future__ import annotations

from typing import Any

from homeassistant.components.repairs import RepairsFlow
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResult
from homeassistant.helpers import issue_registry as ir
import voluptuous as vol

from .const import DOMAIN


class RejectedPunchesRepairFlow(RepairsFlow):
    """Acknowledge rejected punches: clear the account's failed list."""

    def __init__(self, entry_id: str) -> None:
        """Remember the account."""
        self._entry_id = entry_id

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> FlowResult[Any, str]:
        """Start with the confirmation."""
        return await self.async_step_confirm()

    async def async_step_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> FlowResult[Any, str]:
        """Clear the failed list once the user has dealt with it."""
        if user_input is not None:
            entry = self.hass.config_entries.async_get_entry(self._entry_id)
            if entry is not None and hasattr(entry, "runtime_data"):
                await entry.runtime_data.account.async_clear_failed()
            return self.async_create_entry(data={})
        # The step tells what was rejected: the issue's words live in the fix flow.
        issue = ir.async_get(self.hass).async_get_issue(DOMAIN, self.issue_id)
        return self.async_show_form(
            step_id="confirm",
            data_schema=vol.Schema({}),
            description_placeholders=dict(issue.translation_placeholders or {})
            if issue
            else None,
        )


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, Any] | None
) -> RepairsFlow:
    """Return the repair flow of an issue."""
    return RejectedPunchesRepairFlow(str((data or {})["entry_id"]))
