"""Fixtures for Time Clock tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Generator
from datetime import datetime
from pathlib import Path
from typing import Any
from unittest.mock import PropertyMock, patch

from homeassistant.config_entries import ConfigSubentryData
from homeassistant.const import MAJOR_VERSION, MINOR_VERSION
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

from custom_components.time_clock.const import DOMAIN

from .fake_backend import FakeBackend

JOHN = "01JOHNWHITE00000000000000"
JANE = "01JANEDOE0000000000000000"
ENTRY_ID = "01WORKSHOPACCOUNT00000000"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Load the integration from custom_components."""


def employee(
    subentry_id: str, name: str, identifier: str, tags: list[str]
) -> ConfigSubentryData:
    """Return the subentry data of one employee."""
    return ConfigSubentryData(
        data={"identifier": identifier, "tags": tags},
        subentry_id=subentry_id,
        subentry_type="employee",
        title=name,
        unique_id=None,
    )


@pytest.fixture
def entity_registry_enabled_by_default() -> Generator[None]:
    """Enable the entities that are disabled by default (as core's fixture does)."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        return_value=True,
        new_callable=PropertyMock,
    ):
        yield


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


@pytest.fixture
def fake_backend() -> Generator[FakeBackend]:
    """Replace the account's backend with a scriptable fake."""
    backend = FakeBackend()
    with patch(
        "custom_components.time_clock.async_create_backend", return_value=backend
    ):
        yield backend


def device_id(hass: HomeAssistant, entry_id: str, identifier: str) -> str:
    """Return the device id of an employee or account device."""
    for device in dr.async_entries_for_config_entry(dr.async_get(hass), entry_id):
        if (DOMAIN, identifier) in device.identifiers:
            return device.id
    raise AssertionError(f"no device {identifier}")


async def call_punch(
    hass: HomeAssistant,
    service: str,
    employee_id: str,
    *,
    when: datetime | None = None,
    **fields: Any,
) -> Any:
    """Call a punch service for an employee (targeted by its device)."""
    data: dict[str, Any] = {"device_id": device_id(hass, ENTRY_ID, employee_id)}
    if when is not None:
        data["time"] = when.isoformat()
    data.update(fields)
    return await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=True
    )


class ReleaseSnapshotExtension(HomeAssistantSnapshotExtension):
    """Home Assistant's snapshots, kept apart for each Home Assistant release."""

    @classmethod
    def dirname(cls, *, test_location: Any) -> str:
        """Return snapshots/<major.minor>: registry entries differ between releases."""
        base = Path(super().dirname(test_location=test_location))
        return str(base / f"{MAJOR_VERSION}.{MINOR_VERSION}")


async def until(hass: HomeAssistant, cond: Callable[[], bool], what: str) -> None:
    """Run the loop (and real I/O to a fake backend) until ``cond`` holds."""
    for _ in range(500):
        await hass.async_block_till_done()
        if cond():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Return the snapshot assertion with Home Assistant's serializer."""
    return snapshot.use_extension(ReleaseSnapshotExtension)
