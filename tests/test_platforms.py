"""Snapshot tests of each platform, and the worked-today and automatic clock-out logic."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from .conftest import JANE, JOHN, call_punch, entity_id

START = datetime(2026, 11, 23, 7, 0, tzinfo=dt_util.UTC)


@pytest.mark.freeze_time(START)
@pytest.mark.parametrize(
    "platform", [Platform.BINARY_SENSOR, Platform.BUTTON, Platform.SENSOR]
)
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_platform_snapshot(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    platform: Platform,
) -> None:
    """Every entity of the platform, with John on shift since 08:00 local time."""
    with patch("custom_components.time_clock.PLATFORMS", [platform]):
        await hass.config.async_set_time_zone("Europe/Warsaw")
        mock_config_entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()
        if platform is not Platform.BUTTON:
            await call_punch(hass, "clock_in", JOHN)
            await hass.async_block_till_done()
        await snapshot_platform(
            hass, entity_registry, snapshot, mock_config_entry.entry_id
        )


def worked(hass: HomeAssistant, employee_id: str) -> float:
    """Return the worked-today sensor of an employee."""
    return float(
        hass.states.get(entity_id(hass, "sensor", f"{employee_id}_worked_today")).state
    )


@pytest.mark.freeze_time(START)
async def test_worked_today_counts_shifts_and_updates_while_on_shift(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Worked today adds closed shifts, grows each minute on shift, and resets at midnight."""
    await call_punch(hass, "clock_in", JOHN, when=START - timedelta(hours=2))
    await call_punch(hass, "clock_out", JOHN, when=START - timedelta(hours=1))
    await call_punch(hass, "clock_in", JOHN)
    assert worked(hass, JOHN) == 1.0
    freezer.tick(timedelta(minutes=30))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert worked(hass, JOHN) == 1.5
    assert worked(hass, JANE) == 0.0

    # Still on shift at midnight: the new day counts from 00:00 local time.
    midnight = dt_util.start_of_local_day(dt_util.as_local(START) + timedelta(days=1))
    freezer.move_to(midnight + timedelta(minutes=45))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert worked(hass, JOHN) == 0.75


@pytest.mark.freeze_time(START)
async def test_minute_update_touches_only_worked_today_a_few_at_a_time(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The minute tick rewrites worked today only, yielding between batches."""
    await call_punch(hass, "clock_in", JOHN)
    await call_punch(hass, "clock_in", JANE)
    await hass.async_block_till_done()
    shift = entity_id(hass, "binary_sensor", f"{JOHN}_on_shift")
    reported = hass.states.get(shift).last_reported

    with patch("custom_components.time_clock.listeners.MINUTE_BATCH", 1):
        freezer.tick(timedelta(minutes=30))
        async_fire_time_changed(hass)
        # One employee per turn of the loop: John first, Jane a turn later.
        for _ in range(10):
            if worked(hass, JOHN) == 0.5:
                break
            await asyncio.sleep(0)
        assert worked(hass, JOHN) == 0.5
        assert worked(hass, JANE) == 0.0
        await hass.async_block_till_done()

    assert worked(hass, JANE) == 0.5
    assert hass.states.get(shift).last_reported == reported


@pytest.mark.freeze_time(START)
@pytest.mark.parametrize("entry_options", [{"auto_clock_out_hours": 8}])
async def test_automatic_clock_out(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """After the configured hours on shift the employee is clocked out at that time."""
    await call_punch(hass, "clock_in", JOHN)
    freezer.tick(timedelta(hours=8, minutes=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    state = hass.states.get(entity_id(hass, "binary_sensor", f"{JOHN}_on_shift"))
    assert state.state == "off"
    assert state.attributes["last_source"] == "automatic"
    record = init_integration.runtime_data.account.state(JOHN)
    assert record.last_time == START + timedelta(hours=8)


@pytest.mark.freeze_time(START)
@pytest.mark.parametrize("entry_options", [{"auto_clock_out_hours": 8}])
async def test_automatic_clock_out_after_restart(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A deadline that passed while Home Assistant was down is applied at start."""
    await call_punch(hass, "clock_in", JOHN)
    await hass.config_entries.async_unload(init_integration.entry_id)
    freezer.tick(timedelta(hours=10))
    await hass.config_entries.async_setup(init_integration.entry_id)
    await hass.async_block_till_done()
    record = init_integration.runtime_data.account.state(JOHN)
    assert not record.on_shift
    assert record.last_time == START + timedelta(hours=8)


@pytest.mark.freeze_time(START)
async def test_state_restored_from_storage(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """After a reload the on-shift state and shift start come back from storage."""
    await call_punch(hass, "clock_in", JANE)
    await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    state = hass.states.get(entity_id(hass, "binary_sensor", f"{JANE}_on_shift"))
    assert state.state == "on"
    assert state.attributes["shift_start"] == START.isoformat()


async def test_last_delivery_is_disabled_by_default(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Last delivery changes with every punch: off unless a user turns it on."""
    entry = entity_registry.async_get(
        entity_id(hass, "sensor", f"{init_integration.entry_id}_last_delivery")
    )
    assert entry is not None
    assert entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION
