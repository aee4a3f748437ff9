"""Tests of diagnostics, logbook, repairs and removing an account."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)

from custom_components.time_clock.api import TimeClockRejectedError
from custom_components.time_clock.const import DOMAIN

from .conftest import ENTRY_ID, JANE, JOHN, call_punch, entity_id, until
from .fake_backend import FakeBackend
from .fix_flow import start_rejected_punch_fix_flow


async def test_diagnostics_hide_secrets_emails_and_tags(
    hass: HomeAssistant,
    hass_client: Any,
    fake_backend: FakeBackend,
    init_integration: MockConfigEntry,
) -> None:
    """Diagnostics show the outbox but no credential, e-mail or tag UID."""
    hass.config_entries.async_update_entry(
        init_integration, data={**init_integration.data, "api_key": "s3cr3t-key"}
    )
    await hass.async_block_till_done()
    fake_backend.errors = [
        TimeClockRejectedError("bad person", code="INVALID_EMPLOYEE")
    ]
    fake_backend.down = False
    await call_punch(hass, "clock_in", JOHN, description="Private note")
    await hass.async_block_till_done()
    fake_backend.down = True
    await call_punch(hass, "clock_in", JANE)
    await hass.async_block_till_done()
    result = await get_diagnostics_for_config_entry(hass, hass_client, init_integration)
    text = json.dumps(result)
    for secret in (
        "s3cr3t-key",
        "john.white@example.com",
        "jane.doe@example.com",
        "74103794",
        "04A1B2C3",
        "Private note",
    ):
        assert secret not in text
    assert result["runtime"]["pending"] == 1
    assert result["runtime"]["failed"][0]["code"] == "INVALID_EMPLOYEE"
    assert result["runtime"]["outbox"]["reachable"] is False


async def test_logbook_describes_rejections_and_unknown_tags(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Rejected punches land on the employee's page; unknown tags are named."""
    from homeassistant.core import Event

    from custom_components.time_clock.logbook import async_describe_events

    described: dict[str, Any] = {}
    async_describe_events(
        hass, lambda domain, event_type, fn: described.__setitem__(event_type, fn)
    )
    assert set(described) == {"time_clock_punch_failed", "time_clock_unknown_tag"}
    failed = {
        "employee": "Jane Doe",
        "employee_id": JANE,
        "action": "clock_in",
        "code": "INVALID_TIME",
    }
    assert described["time_clock_punch_failed"](
        Event("time_clock_punch_failed", failed)
    ) == {
        "name": "Jane Doe",
        "message": "clocked in, but the backend rejected it (INVALID_TIME)",
        "entity_id": entity_id(hass, "binary_sensor", f"{JANE}_on_shift"),
    }
    assert described["time_clock_unknown_tag"](
        Event("time_clock_unknown_tag", {"reader": "Back door"})
    ) == {"name": "Time Clock", "message": "unknown tag read at Back door"}


async def test_logbook_has_one_line_per_punch_in_words(
    hass: HomeAssistant, fake_backend: FakeBackend, init_integration: MockConfigEntry
) -> None:
    """Each punch is one line on the employee's page; an on-time delivery adds none."""
    lines = async_capture_events(hass, "logbook_entry")
    john = entity_id(hass, "binary_sensor", f"{JOHN}_on_shift")
    await hass.services.async_call(
        "button",
        "press",
        {"entity_id": entity_id(hass, "button", f"{JOHN}_clock_in")},
        blocking=True,
    )
    await call_punch(hass, "clock_out", JOHN)
    hass.bus.async_fire("tag_scanned", {"tag_id": "74103794"})
    await until(hass, lambda: len(fake_backend.delivered) == 3, "three deliveries")

    assert [
        (e.data["name"], e.data["message"], e.data["entity_id"]) for e in lines
    ] == [
        ("John White", "clocked in with the dashboard button", john),
        ("John White", "clocked out by an action", john),
        ("John White", "clocked in at Home Assistant", john),
    ]


async def test_logbook_line_for_a_late_delivery(
    hass: HomeAssistant,
    fake_backend: FakeBackend,
    init_integration: MockConfigEntry,
    freezer: Any,
) -> None:
    """A punch delivered after an outage gets a second line saying so."""
    await hass.config.async_set_time_zone("UTC")
    freezer.move_to("2026-12-01 08:30:00+00:00")
    fake_backend.down = True
    await call_punch(hass, "clock_in", JANE)
    lines = async_capture_events(hass, "logbook_entry")
    freezer.move_to("2026-12-01 10:35:00+00:00")
    fake_backend.down = False
    await hass.services.async_call(DOMAIN, "retry", {}, blocking=True)
    await until(hass, lambda: len(fake_backend.delivered) == 1, "the delivery")

    assert [(e.data["name"], e.data["message"]) for e in lines] == [
        ("Jane Doe", "clocked in at 08:30; delivered to Workshop 2 h 5 min later")
    ]


async def test_repair_flow_clears_failed_list(
    hass: HomeAssistant,
    hass_client: Any,
    fake_backend: FakeBackend,
    init_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Confirming the rejected-punches repair clears the failed list."""
    assert await async_setup_component(hass, "repairs", {})
    fake_backend.errors = [TimeClockRejectedError("bad", code="INVALID_EMPLOYEE")]
    await call_punch(hass, "clock_in", JOHN)
    await hass.async_block_till_done()
    on_shift = entity_id(hass, "binary_sensor", f"{JOHN}_on_shift")
    failed = entity_id(hass, "sensor", f"{ENTRY_ID}_failed_punches")
    rejection = hass.states.get(on_shift).attributes["last_rejection"]  # type: ignore[union-attr]
    assert (rejection["code"], rejection["action"]) == ("INVALID_EMPLOYEE", "clock_in")
    assert hass.states.get(failed).state == "1"  # type: ignore[union-attr]
    issue_id = f"punch_rejected_{ENTRY_ID}"
    client = await hass_client()
    # The fix flow runs as the frontend runs it: through the repairs HTTP API.
    resp = await client.post(
        "/api/repairs/issues/fix", json={"handler": DOMAIN, "issue_id": issue_id}
    )
    assert resp.status == 200, await resp.text()
    result = await resp.json()
    assert result["step_id"] == "confirm"
    resp = await client.post(f"/api/repairs/issues/fix/{result['flow_id']}", json={})
    assert resp.status == 200, await resp.text()
    result = await resp.json()
    assert result["type"] == "create_entry"
    assert init_integration.runtime_data.account._outbox.failed == []
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    assert hass.states.get(failed).state == "0"  # type: ignore[union-attr]
    assert hass.states.get(on_shift).attributes["last_rejection"] is None  # type: ignore[union-attr]


async def test_repair_fix_flow_names_the_rejected_punch(
    hass: HomeAssistant,
    hass_client: Any,
    fake_backend: FakeBackend,
    init_integration: MockConfigEntry,
) -> None:
    """The fix flow's step gets the issue's placeholders: its text names the punch."""
    result = await start_rejected_punch_fix_flow(hass, hass_client, fake_backend)
    assert result["step_id"] == "confirm"
    placeholders = result["description_placeholders"]
    assert placeholders["account"] == "Workshop"
    assert (placeholders["employee"], placeholders["code"]) == (
        "John White",
        "INVALID_EMPLOYEE",
    )
    assert placeholders["count"] == "1"


async def test_remove_account_exports_undelivered_punches(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    fake_backend: FakeBackend,
    init_integration: MockConfigEntry,
) -> None:
    """Removing an account writes undelivered punches to a file, notifies, and deletes storage."""
    fake_backend.down = True
    await call_punch(hass, "clock_in", JOHN)
    await call_punch(hass, "clock_in", JANE)
    await hass.async_block_till_done()
    assert any(key.startswith(f"{DOMAIN}.{ENTRY_ID}") for key in hass_storage)

    await hass.config_entries.async_remove(ENTRY_ID)
    await hass.async_block_till_done()

    assert not any(key.startswith(f"{DOMAIN}.{ENTRY_ID}") for key in hass_storage)
    exports = list(Path(hass.config.config_dir).glob("time_clock_workshop_*.json"))
    assert len(exports) == 1
    content = json.loads(exports[0].read_text())
    assert [(p["employee_name"], p["action"]) for p in content["undelivered"]] == [
        ("John White", "clock_in"),
        ("Jane Doe", "clock_in"),
    ]
    from homeassistant.components.persistent_notification import (
        _async_get_or_create_notifications,
    )

    notice = _async_get_or_create_notifications(hass)[f"{DOMAIN}_{ENTRY_ID}_export"]
    assert str(exports[0]) in notice["message"]
    exports[0].unlink()


async def test_remove_account_with_nothing_pending(
    hass: HomeAssistant, hass_storage: dict[str, Any], init_integration: MockConfigEntry
) -> None:
    """An account with everything delivered leaves no export file."""
    await call_punch(hass, "clock_in", JOHN)
    await hass.async_block_till_done()
    await hass.config_entries.async_remove(ENTRY_ID)
    await hass.async_block_till_done()
    assert not list(Path(hass.config.config_dir).glob("time_clock_workshop_*.json"))
    assert not any(key.startswith(f"{DOMAIN}.{ENTRY_ID}") for key in hass_storage)
