"""Start the fix flow of a rejected punch, as the frontend does."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component

from custom_components.time_clock.api import TimeClockRejectedError
from custom_components.time_clock.const import DOMAIN

from .conftest import ENTRY_ID, JOHN, call_punch
from .fake_backend import FakeBackend


async def start_rejected_punch_fix_flow(
    hass: HomeAssistant, hass_client: Any, fake_backend: FakeBackend
) -> dict[str, Any]:
    """Have the backend reject John's clock-in; return the repair's first step.

    The step comes through the repairs HTTP API, as the frontend sees it.
    """
    assert await async_setup_component(hass, "repairs", {})
    fake_backend.errors = [TimeClockRejectedError("bad", code="INVALID_EMPLOYEE")]
    await call_punch(hass, "clock_in", JOHN)
    await hass.async_block_till_done()
    client = await hass_client()
    resp = await client.post(
        "/api/repairs/issues/fix",
        json={"handler": DOMAIN, "issue_id": f"punch_rejected_{ENTRY_ID}"},
    )
    assert resp.status == 200, await resp.text()
    result: dict[str, Any] = await resp.json()
    return result
