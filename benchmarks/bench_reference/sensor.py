"""The reference's sensors: worked today, pending punches, last delivery."""

from __future__ import annotations

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import EntityCategory, UnitOfTime
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import EmployeeReferenceEntity, ReferenceEntity, employees

PARALLEL_UPDATES = 0
WORKED_TODAY = SensorEntityDescription(
    key="worked_today",
    translation_key="worked_today",
    device_class=SensorDeviceClass.DURATION,
    native_unit_of_measurement=UnitOfTime.HOURS,
    suggested_display_precision=2,
)
ACCOUNT_SENSORS = (
    SensorEntityDescription(
        key="pending_punches",
        translation_key="pending_punches",
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
    ),
    SensorEntityDescription(
        key="last_delivery",
        translation_key="last_delivery",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the account's sensors and each employee's."""
    async_add_entities(
        AccountSensor(entry, description) for description in ACCOUNT_SENSORS
    )
    for sub in employees(entry):
        async_add_entities(
            [WorkedTodaySensor(entry, WORKED_TODAY, sub)],
            config_subentry_id=sub.subentry_id,
        )


class AccountSensor(ReferenceEntity, SensorEntity):
    """Pending punches (0) and last delivery (none)."""

    def __init__(
        self, entry: ConfigEntry, description: SensorEntityDescription
    ) -> None:
        """Describe the sensor and its value."""
        super().__init__(entry, description)
        self._attr_native_value = 0 if description.key == "pending_punches" else None


class WorkedTodaySensor(EmployeeReferenceEntity, SensorEntity):
    """Worked today: 0 hours."""

    _attr_native_value = 0.0
