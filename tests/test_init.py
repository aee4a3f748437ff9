"""Tests of setting up, migrating and unloading an account."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigEntryState, ConfigSubentryData
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.time_clock.api import protime, sonoran
from custom_components.time_clock.const import DOMAIN
from custom_components.time_clock.employee import with_option_keys
from custom_components.time_clock.vendors import VENDORS

from .conftest import ENTRY_ID, JOHN, call_punch, entity_id
from .fake_backend import FakeBackend

ID_TYPE_VALUES = VENDORS["sonoran"].employee["id_type"].choices
REFERENCE_VALUES = VENDORS["protime"].employee["reference"].choices


async def test_setup_and_unload(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """An account loads its entities and unloads cleanly."""
    assert init_integration.state is ConfigEntryState.LOADED
    state = hass.states.get(entity_id(hass, "binary_sensor", f"{JOHN}_on_shift"))
    assert state is not None
    assert state.state == "off"
    await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert init_integration.state is ConfigEntryState.NOT_LOADED


def _account_at(
    version: int, minor_version: int, backend: str, employee_data: dict[str, Any]
) -> MockConfigEntry:
    """Return an account as an older or newer release stored it."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="Stored",
        entry_id=ENTRY_ID,
        version=version,
        minor_version=minor_version,
        data={"backend": backend, "community_id": "c", "api_key": "k", "tenant": "t"},
        subentries_data=[
            ConfigSubentryData(
                data={"identifier": "17", "tags": ["74103794"], **employee_data},
                subentry_id=JOHN,
                subentry_type="employee",
                title="John White",
                unique_id=None,
            )
        ],
    )


@pytest.mark.parametrize(
    ("backend", "field", "stored", "key"),
    [
        ("protime", "reference", "@badge-number", "badge_number"),
        ("protime", "reference", "@employee-number", "employee_number"),
        ("protime", "reference", "id", "id"),
        ("sonoran", "id_type", "apiId", "api_id"),
        ("sonoran", "id_type", "accId", "acc_id"),
        ("sonoran", "id_type", "uniqueId", "unique_id"),
        ("sonoran", "id_type", "discord", "discord"),
    ],
)
async def test_version_1_1_account_is_migrated_and_backend_gets_vendor_value(
    hass: HomeAssistant,
    fake_backend: FakeBackend,
    *,
    backend: str,
    field: str,
    stored: str,
    key: str,
) -> None:
    """An account stored at 1.1 loads at 1.2 with option keys; punches carry the vendor value."""
    entry = _account_at(1, 1, backend, {field: stored, "position": 5})
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert entry.state is ConfigEntryState.LOADED
    assert (entry.version, entry.minor_version) == (1, 2)
    assert dict(entry.subentries[JOHN].data) == {
        "identifier": "17",
        "tags": ["74103794"],
        field: key,
        "position": 5,
    }
    await call_punch(hass, "clock_in", JOHN)
    await hass.async_block_till_done()
    # The backend gets its own fields only (position is TrackTik's).
    assert [dict(p.extras) for p in fake_backend.delivered] == [{field: stored}]


async def test_account_from_a_newer_major_version_is_refused(
    hass: HomeAssistant, fake_backend: FakeBackend
) -> None:
    """An account a newer release stored (version 2) is not loaded nor rewritten."""
    entry = _account_at(2, 1, "sonoran", {"id_type": "apiId"})
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.MIGRATION_ERROR
    assert (entry.version, entry.minor_version) == (2, 1)
    assert entry.subentries[JOHN].data["id_type"] == "apiId"


async def test_account_from_a_newer_minor_version_loads_unchanged(
    hass: HomeAssistant, fake_backend: FakeBackend
) -> None:
    """A newer minor version is compatible by definition: it loads as it is."""
    entry = _account_at(1, 3, "sonoran", {"id_type": "api_id"})
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert (entry.version, entry.minor_version) == (1, 3)
    assert entry.subentries[JOHN].data["id_type"] == "api_id"


def test_option_keys_name_every_vendor_value_once() -> None:
    """The form's keys map one to one onto what the clients send."""
    assert sorted(ID_TYPE_VALUES.values()) == sorted(sonoran.ID_TYPES)
    assert set(REFERENCE_VALUES.values()) == {
        protime.REFERENCE_ID,
        protime.BADGE_NUMBER,
        protime.EMPLOYEE_NUMBER,
    }
    for values in (ID_TYPE_VALUES, REFERENCE_VALUES):
        assert len(set(values.values())) == len(values)
        assert with_option_keys({"x": 1}) == {"x": 1}
        for key, vendor in values.items():
            field = "id_type" if values is ID_TYPE_VALUES else "reference"
            assert with_option_keys({field: vendor}) == {field: key}
            assert with_option_keys({field: key}) == {field: key}


async def test_local_account_is_reachable_from_the_start(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A local account keeps its record in Home Assistant: always reachable."""
    reachable = entity_id(hass, "binary_sensor", f"{ENTRY_ID}_backend_reachable")
    assert hass.states.get(reachable).state == "on"  # type: ignore[union-attr]


@pytest.mark.parametrize(("down", "expected"), [(False, "on"), (True, "off")])
async def test_vendor_reachability_known_after_the_first_sync(
    hass: HomeAssistant,
    fake_backend: FakeBackend,
    mock_config_entry: MockConfigEntry,
    down: bool,
    expected: str,
) -> None:
    """A backend that cannot tell states is asked whether it answers at start."""
    fake_backend.down = down
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    reachable = entity_id(hass, "binary_sensor", f"{ENTRY_ID}_backend_reachable")
    assert hass.states.get(reachable).state == expected  # type: ignore[union-attr]
