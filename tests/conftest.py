"""Fixtures for Time Clock tests."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from custom_components.time_clock.const import DOMAIN

JOHN = "01JOHNWHITE00000000000000"
JANE = "01JANEDOE0000000000000000"
ENTRY_ID = "01WORKSHOPACCOUNT00000000"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> Generator[None]:
    """Load the integration from custom_components."""
    yield


def employee(subentry_id: str, name: str, identifier: str, tags: list[str]) -> ConfigSubentryData:
    """Return the subentry data of one employee."""
    return ConfigSubentryData(
        data={"identifier": identifier, "tags": tags},
        subentry_id=subentry_id,
        subentry_type="employee",
        title=name,
        unique_id=None,
    )


@pytest.fixture
def entry_options() -> dict[str, Any]:
    """Return the account's options."""
    return {}


@pytest.fixture
def mock_config_entry(entry_options: dict[str, Any]) -> MockConfigEntry:
    """Return a local account with two employees."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="Workshop",
        entry_id=ENTRY_ID,
        data={"backend": "local", "name": "Workshop"},
        options=entry_options,
        subentries_data=[
            employee(JOHN, "John White", "john.white@example.com", ["74103794"]),
            employee(JANE, "Jane Doe", "jane.doe@example.com", ["04A1B2C3"]),
        ],
    )


@pytest.fixture
async def init_integration(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> MockConfigEntry:
    """Set up the integration with the mock account."""
    await hass.config.async_set_time_zone("Europe/Warsaw")
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    return mock_config_entry


def entity_id(hass: HomeAssistant, platform: str, unique_id: str) -> str:
    """Return the entity id of a Time Clock entity by its unique id."""
    found = er.async_get(hass).async_get_entity_id(platform, DOMAIN, unique_id)
    assert found is not None, unique_id
    return found
