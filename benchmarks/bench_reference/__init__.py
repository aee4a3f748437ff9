"""A reference integration for the memory benchmark (not part of Time Clock).

It makes what Time Clock makes for an account, with nothing behind it: one
device per employee subentry with the same four entities (binary sensor *On
shift* with the same attributes, buttons *Clock in* and *Clock out*, sensor
*Worked today*), the account's service device with its diagnostic entities,
the same platforms, unique ids, translated names and device classes, entities
added per subentry. The benchmark seeds its config entry with the same
subentries as the Time Clock account; the memory of a Home Assistant running
it is Home Assistant's own cost of those entities and devices, and the
difference to Time Clock's is Time Clock's own share.
"""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription

DOMAIN = "bench_reference"
PLATFORMS = [Platform.BINARY_SENSOR, Platform.BUTTON, Platform.SENSOR]
SUBENTRY_EMPLOYEE = "employee"


async def async_setup_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """Set up the platforms."""
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """Unload the platforms."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


def employees(entry: ConfigEntry) -> list[ConfigSubentry]:
    """Return the entry's employee subentries."""
    return [
        sub
        for sub in entry.subentries.values()
        if sub.subentry_type == SUBENTRY_EMPLOYEE
    ]


class ReferenceEntity(Entity):
    """An entity of the account's service device."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, entry: ConfigEntry, description: EntityDescription) -> None:
        """Describe the entity."""
        self.entity_description = description
        self._attr_unique_id = f"{entry.entry_id}_{description.key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, entry.entry_id)},
            name=entry.title,
            manufacturer="Time Clock",
            model=str(entry.data.get("backend", "local")).capitalize(),
            entry_type=DeviceEntryType.SERVICE,
        )


class EmployeeReferenceEntity(ReferenceEntity):
    """An entity of an employee's device."""

    def __init__(
        self,
        entry: ConfigEntry,
        description: EntityDescription,
        subentry: ConfigSubentry,
    ) -> None:
        """Describe the entity."""
        super().__init__(entry, description)
        self._attr_unique_id = f"{subentry.subentry_id}_{description.key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, subentry.subentry_id)},
            name=subentry.title,
            manufacturer="Time Clock",
            model="Employee",
        )
