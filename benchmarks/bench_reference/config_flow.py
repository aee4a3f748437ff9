"""The reference's config flow: entries are seeded by the benchmarks only."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigFlow, ConfigFlowResult

from . import DOMAIN


class ReferenceConfigFlow(ConfigFlow, domain=DOMAIN):
    """Refuse to be set up from the UI."""

    VERSION = 1

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Abort: the benchmarks write the entry."""
        return self.async_abort(reason="not_supported")
