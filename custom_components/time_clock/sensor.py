"""Sensors of Time Clock: worked today, pending punches and last delivery."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import EntityCategory, UnitOfTime
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .account import TimeClockAccount, TimeClockConfigEntry
from .entity import (
    EmployeeEntity,
    TimeClockEntity,
    TimeClockEntityDescription,
    async_add_account_entities,
)

PARALLEL_UPDATES = 0
# The current activity's state when none runs (translated).
NO_ACTIVITY = "none"


@dataclass(frozen=True, kw_only=True)
class TimeClockSensorDescription(SensorEntityDescription, TimeClockEntityDescription):
    """A sensor of an account or an employee."""

    value_fn: Callable[
        [TimeClockAccount, str | None], float | int | str | datetime | None
    ]


EMPLOYEE_SENSORS = (
    TimeClockSensorDescription(
        key="worked_today",
        translation_key="worked_today",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.HOURS,
        suggested_display_precision=2,
        value_fn=lambda account, employee_id: round(
            account.worked_today(employee_id or "").total_seconds() / 3600, 4
        ),
    ),
    TimeClockSensorDescription(
        key="current_activity",
        translation_key="current_activity",
        exists_fn=lambda account: account.catalog.can_activity,
        value_fn=lambda account, employee_id: (
            account.state(employee_id or "").activity or NO_ACTIVITY
        ),
    ),
)
ACCOUNT_SENSORS = (
    TimeClockSensorDescription(
        key="pending_punches",
        translation_key="pending_punches",
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda account, _: account.delivery.pending,
    ),
    TimeClockSensorDescription(
        key="failed_punches",
        translation_key="failed_punches",
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda account, _: account.delivery.failed,
    ),
    TimeClockSensorDescription(
        key="last_delivery",
        translation_key="last_delivery",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        # It changes with every delivery: off by default, out of the logbook.
        entity_registry_enabled_default=False,
        value_fn=lambda account, _: account.delivery.last_delivery,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TimeClockConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the sensors of an account and of each employee."""
    async_add_account_entities(
        entry,
        async_add_entities,
        account=(TimeClockSensor, ACCOUNT_SENSORS),
        employee=(EmployeeSensor, EMPLOYEE_SENSORS),
    )


class TimeClockSensor(TimeClockEntity, SensorEntity):
    """A sensor of an account."""

    entity_description: TimeClockSensorDescription

    @property
    def native_value(self) -> float | int | str | datetime | None:
        """Return the state."""
        return self.entity_description.value_fn(self.account, self._employee_id)


class EmployeeSensor(EmployeeEntity, TimeClockSensor):
    """A sensor of an employee (worked today: it grows with the time worked)."""

    _follows_clock = True
