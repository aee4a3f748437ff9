"""The reference's binary sensors: on shift, and backend reachable."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import EmployeeReferenceEntity, ReferenceEntity, employees

PARALLEL_UPDATES = 0
ON_SHIFT = BinarySensorEntityDescription(key="on_shift", translation_key="on_shift")
REACHABLE = BinarySensorEntityDescription(
    key="backend_reachable",
    translation_key="backend_reachable",
    device_class=BinarySensorDeviceClass.CONNECTIVITY,
    entity_category=EntityCategory.DIAGNOSTIC,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the account's binary sensor and each employee's."""
    async_add_entities([ReachableSensor(entry, REACHABLE)])
    for sub in employees(entry):
        async_add_entities(
            [OnShiftSensor(entry, ON_SHIFT, sub)], config_subentry_id=sub.subentry_id
        )


class ReachableSensor(ReferenceEntity, BinarySensorEntity):
    """Backend reachable: unknown at first, on once the backend answered."""

    _attr_is_on: bool | None = None

    async def async_added_to_hass(self) -> None:
        """Turn on right after the start, as Time Clock's does after its first sync."""

        @callback
        def reachable() -> None:
            self._attr_is_on = True
            self.async_write_ha_state()

        self.hass.loop.call_soon(reachable)


class OnShiftSensor(EmployeeReferenceEntity, BinarySensorEntity):
    """On shift: off, with the same attributes as Time Clock's."""

    _attr_is_on = False

    @property
    def extra_state_attributes(self) -> Mapping[str, Any]:
        """Return the shift start, last source and pending punches."""
        return {"shift_start": None, "last_source": None, "pending_punches": 0}
