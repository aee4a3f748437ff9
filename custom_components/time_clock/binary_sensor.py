"""Binary sensors of Time Clock: on shift, and backend reachable."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import EntityCategory
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


@dataclass(frozen=True, kw_only=True)
class TimeClockBinarySensorDescription(
    BinarySensorEntityDescription, TimeClockEntityDescription
):
    """A binary sensor of an account or an employee."""

    is_on_fn: Callable[[TimeClockAccount, str | None], bool | None]
    attributes_fn: (
        Callable[[TimeClockAccount, str | None], Mapping[str, Any]] | None
    ) = None


def _shift_attributes(
    account: TimeClockAccount, employee_id: str | None
) -> dict[str, Any]:
    """Return the shift start, last source and pending punches of an employee."""
    assert employee_id is not None
    record = account.state(employee_id)
    return {
        "shift_start": record.since.isoformat() if record.since else None,
        "last_source": record.last_source,
        "pending_punches": account.pending_for(employee_id),
        "last_rejection": account.last_rejection(employee_id),
    }


EMPLOYEE_SENSORS = (
    TimeClockBinarySensorDescription(
        key="on_shift",
        translation_key="on_shift",
        is_on_fn=lambda account, employee_id: account.state(employee_id or "").on_shift,
        attributes_fn=_shift_attributes,
    ),
    TimeClockBinarySensorDescription(
        key="on_break",
        translation_key="on_break",
        exists_fn=lambda account: account.catalog.can_reason,
        is_on_fn=lambda account, employee_id: account.state(employee_id or "").on_break,
        attributes_fn=lambda account, employee_id: {
            "reason": account.state(employee_id or "").reason
        },
    ),
)
ACCOUNT_SENSORS = (
    TimeClockBinarySensorDescription(
        key="backend_reachable",
        translation_key="backend_reachable",
        device_class=BinarySensorDeviceClass.CONNECTIVITY,
        entity_category=EntityCategory.DIAGNOSTIC,
        is_on_fn=lambda account, _: account.delivery.reachable,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TimeClockConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the binary sensors of an account and of each employee."""
    async_add_account_entities(
        entry,
        async_add_entities,
        account=(TimeClockBinarySensor, ACCOUNT_SENSORS),
        employee=(EmployeeBinarySensor, EMPLOYEE_SENSORS),
    )


class TimeClockBinarySensor(TimeClockEntity, BinarySensorEntity):
    """A binary sensor of an account."""

    entity_description: TimeClockBinarySensorDescription

    @property
    def is_on(self) -> bool | None:
        """Return the state."""
        return self.entity_description.is_on_fn(self.account, self._employee_id)

    @property
    def extra_state_attributes(self) -> Mapping[str, Any] | None:
        """Return the attributes."""
        if (fn := self.entity_description.attributes_fn) is None:
            return None
        return fn(self.account, self._employee_id)


class EmployeeBinarySensor(EmployeeEntity, TimeClockBinarySensor):
    """A binary sensor of an employee."""
