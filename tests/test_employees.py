"""Employees added, changed and removed while the account runs: no reload."""

from __future__ import annotations

import asyncio
from types import MappingProxyType
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    SOURCE_USER,
    ConfigEntryState,
    ConfigSubentry,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.time_clock.const import DOMAIN
from custom_components.time_clock.readers import ReaderInput
from custom_components.time_clock.storage import AccountFiles

from .conftest import ENTRY_ID, JANE, JOHN, call_punch

ENTITIES = (
    ("binary_sensor", "on_shift"),
    ("button", "clock_in"),
    ("button", "clock_out"),
    ("sensor", "worked_today"),
)


async def _add_employee(
    hass: HomeAssistant, name: str, tags: list[str], entry_id: str = ENTRY_ID
) -> str:
    """Add an employee through the subentry flow, as the UI does; return its id."""
    before = set(hass.config_entries.async_get_entry(entry_id).subentries)  # type: ignore[union-attr]
    result = await hass.config_entries.subentries.async_init(
        (entry_id, "employee"), context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": name, "identifier": "", "tags": tags}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    entry = hass.config_entries.async_get_entry(entry_id)
    assert entry is not None
    (added,) = set(entry.subentries) - before
    return added


def _subentry(subentry_id: str, name: str, tags: list[str]) -> ConfigSubentry:
    """Return an employee subentry to add directly to the entry."""
    return ConfigSubentry(
        data=MappingProxyType({"identifier": "", "tags": tags}),
        subentry_id=subentry_id,
        subentry_type="employee",
        title=name,
        unique_id=None,
    )


def _entities_of(hass: HomeAssistant, employee_id: str) -> dict[str, str | None]:
    """Return the employee's entity ids (None where missing) by description key."""
    registry = er.async_get(hass)
    return {
        key: registry.async_get_entity_id(platform, DOMAIN, f"{employee_id}_{key}")
        for platform, key in ENTITIES
    }


def _device(hass: HomeAssistant, employee_id: str) -> dr.DeviceEntry | None:
    """Return the employee's device, if any."""
    registry = dr.async_get(hass)
    return next(
        (
            device
            for device in dr.async_entries_for_config_entry(registry, ENTRY_ID)
            if (DOMAIN, employee_id) in device.identifiers
        ),
        None,
    )


def _assert_present(hass: HomeAssistant, employee_id: str, name: str) -> None:
    """Assert that an employee has a device named after them and live entities."""
    device = _device(hass, employee_id)
    assert device is not None
    assert device.name == name
    for key, entity_id in _entities_of(hass, employee_id).items():
        assert entity_id is not None, key
        assert hass.states.get(entity_id) is not None, entity_id


def _runtime(entry: MockConfigEntry) -> tuple[Any, ...]:
    """Return the objects a reload would replace."""
    data = entry.runtime_data
    return (data, data.account, data.readers, data.account._outbox._sender._task)


async def test_employee_added_appears_without_reload(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The new employee gets a device and entities; the outbox and readers keep running."""
    before = _runtime(init_integration)

    maria = await _add_employee(hass, "Maria Lopez", ["0A0B0C0D"])
    await hass.async_block_till_done()

    _assert_present(hass, maria, "Maria Lopez")
    assert _runtime(init_integration) == before
    assert not before[3].done()
    await call_punch(hass, "clock_in", maria)
    on_shift = _entities_of(hass, maria)["on_shift"]
    assert on_shift is not None
    assert hass.states.get(on_shift).state == "on"  # type: ignore[union-attr]


async def test_added_employee_punches_by_tag(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A tag of an employee added a moment ago punches at once."""
    maria = await _add_employee(hass, "Maria Lopez", ["0A:0B:0C:0D"])
    hass.bus.async_fire("tag_scanned", {"tag_id": "0a0b0c0d"})
    await hass.async_block_till_done()

    on_shift = _entities_of(hass, maria)["on_shift"]
    assert hass.states.get(on_shift).state == "on"  # type: ignore[arg-type,union-attr]


async def test_employee_changed_without_reload(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A new name renames the device; a new tag punches; nothing reloads."""
    before = _runtime(init_integration)
    result = await hass.config_entries.subentries.async_init(
        (ENTRY_ID, "employee"),
        context={"source": SOURCE_RECONFIGURE, "subentry_id": JANE},
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {"name": "Jane Smith", "identifier": "", "tags": ["DEADBEEF"]},
    )
    assert result["type"] is FlowResultType.ABORT
    await hass.async_block_till_done()

    assert _runtime(init_integration) == before
    _assert_present(hass, JANE, "Jane Smith")
    assert init_integration.runtime_data.account.employees[JANE].name == "Jane Smith"
    hass.bus.async_fire("tag_scanned", {"tag_id": "04A1B2C3"})  # her old tag
    hass.bus.async_fire("tag_scanned", {"tag_id": "DEADBEEF"})
    await hass.async_block_till_done()
    on_shift = _entities_of(hass, JANE)["on_shift"]
    state = hass.states.get(on_shift)  # type: ignore[arg-type]
    assert state is not None
    assert state.state == "on"
    assert state.name == "Jane Smith On shift"


async def test_employee_removed_without_reload(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Removing an employee removes their device and entities, and nothing else."""
    before = _runtime(init_integration)
    ids = _entities_of(hass, JANE)
    await call_punch(hass, "clock_in", JANE)

    assert hass.config_entries.async_remove_subentry(init_integration, JANE)
    await hass.async_block_till_done()

    assert _runtime(init_integration) == before
    assert _device(hass, JANE) is None
    assert all(value is None for value in _entities_of(hass, JANE).values())
    assert all(hass.states.get(entity) is None for entity in ids.values() if entity)
    account = init_integration.runtime_data.account
    assert JANE not in account.employees
    assert "04A1B2C3" not in account.roster.tags
    assert JANE not in account.record.employees
    _assert_present(hass, JOHN, "John White")


async def test_two_changes_in_one_loop_turn(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Two employees added and one removed before the loop runs: all applied."""
    hass.config_entries.async_add_subentry(
        init_integration, _subentry("01MARIA", "Maria Lopez", ["0A0B0C0D"])
    )
    hass.config_entries.async_add_subentry(
        init_integration, _subentry("01PIOTR", "Piotr Nowak", ["0E0F1011"])
    )
    hass.config_entries.async_remove_subentry(init_integration, JANE)
    await hass.async_block_till_done()

    _assert_present(hass, "01MARIA", "Maria Lopez")
    _assert_present(hass, "01PIOTR", "Piotr Nowak")
    assert _device(hass, JANE) is None


@pytest.mark.parametrize("slow", ["store", "readers"])
async def test_employees_changed_while_the_account_sets_up(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, slow: str
) -> None:
    """Employees added or removed while setup waits (a busy disk) are all applied."""
    await hass.config.async_set_time_zone("Europe/Warsaw")
    release = asyncio.Event()
    waiting = asyncio.Event()
    target = (
        (AccountFiles, "async_load")
        if slow == "store"
        else (ReaderInput, "async_start")
    )
    original = getattr(*target)

    async def slow_step(self: Any) -> Any:
        waiting.set()
        await release.wait()
        return await original(self)

    mock_config_entry.add_to_hass(hass)
    with patch.object(*target, slow_step):
        setup = hass.async_create_task(
            hass.config_entries.async_setup(mock_config_entry.entry_id)
        )
        await waiting.wait()
        for number in range(6):
            hass.config_entries.async_add_subentry(
                mock_config_entry,
                _subentry(f"01EMPLOYEE{number}", f"Employee {number}", []),
            )
            await asyncio.sleep(0)
        hass.config_entries.async_remove_subentry(mock_config_entry, JANE)
        release.set()
        assert await setup
        await hass.async_block_till_done()

    assert mock_config_entry.state is ConfigEntryState.LOADED
    for number in range(6):
        _assert_present(hass, f"01EMPLOYEE{number}", f"Employee {number}")
    assert _device(hass, JANE) is None
    assert all(value is None for value in _entities_of(hass, JANE).values())
    _assert_present(hass, JOHN, "John White")


async def test_employee_added_while_the_account_reloads(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """An employee added while a reload runs is there once it is done."""
    hass.config_entries.async_schedule_reload(ENTRY_ID)
    await asyncio.sleep(0)
    maria = await _add_employee(hass, "Maria Lopez", ["0A0B0C0D"])
    await hass.async_block_till_done()

    assert init_integration.state is ConfigEntryState.LOADED
    _assert_present(hass, maria, "Maria Lopez")


async def test_options_change_still_reloads(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Options build the account's readers and timers: a change reloads it."""
    before = _runtime(init_integration)
    hass.config_entries.async_update_entry(
        init_integration, options={"auto_clock_out_hours": 10}
    )
    await hass.async_block_till_done()

    assert init_integration.state is ConfigEntryState.LOADED
    assert init_integration.runtime_data.account is not before[1]
