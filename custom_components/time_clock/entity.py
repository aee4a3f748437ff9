"""Base entities of Time Clock: one device per employee, one per account."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .account import TimeClockAccount, TimeClockConfigEntry
from .const import DOMAIN


@dataclass(frozen=True, kw_only=True)
class TimeClockEntityDescription(EntityDescription):
    """What every entity description of Time Clock may say."""

    # Whether the account has the entity (its backend may not know activities).
    exists_fn: Callable[[TimeClockAccount], bool] = lambda _account: True


class TimeClockEntity(Entity):
    """An entity of an account that updates when the account tells it to."""

    _attr_has_entity_name = True
    _attr_should_poll = False
    _employee_id: str | None = None
    _follows_account = True
    # Whether the state grows with the time worked (updated every minute on shift).
    _follows_clock = False

    def __init__(
        self, account: TimeClockAccount, description: EntityDescription
    ) -> None:
        """Describe the entity of the account's service device."""
        self.account = account
        self.entity_description = description
        self._attr_unique_id, self._attr_device_info = self._identity()

    def _identity(self) -> tuple[str, DeviceInfo]:
        """Return the entity's unique id and its device."""
        entry = self.account.entry
        return f"{entry.entry_id}_{self.entity_description.key}", DeviceInfo(
            identifiers={(DOMAIN, entry.entry_id)},
            name=entry.title,
            manufacturer="Time Clock",
            model=entry.data.get("backend", "local").capitalize(),
            entry_type=DeviceEntryType.SERVICE,
        )

    async def async_added_to_hass(self) -> None:
        """Follow the account's changes."""
        await super().async_added_to_hass()
        if self._follows_account:
            self.account.listeners.add(
                self.async_write_ha_state,
                self._employee_id,
                every_minute=self._follows_clock,
            )

    async def async_will_remove_from_hass(self) -> None:
        """Stop following the account's changes."""
        await super().async_will_remove_from_hass()
        if self._follows_account:
            self.account.listeners.discard(self.async_write_ha_state, self._employee_id)


class EmployeeEntity(TimeClockEntity):
    """An entity of one employee's device."""

    def __init__(
        self,
        account: TimeClockAccount,
        description: EntityDescription,
        employee_id: str,
    ) -> None:
        """Describe the entity of an employee's device."""
        self._employee_id = employee_id
        super().__init__(account, description)

    def _identity(self) -> tuple[str, DeviceInfo]:
        """Return the entity's unique id and the device its employee's entities share."""
        key = self.employee_id
        return (
            f"{key}_{self.entity_description.key}",
            self.account.employees[key].device_info,
        )

    @property
    def employee_id(self) -> str:
        """Return the employee's id (its subentry id)."""
        assert self._employee_id is not None
        return self._employee_id


@callback
def async_add_account_entities(
    entry: TimeClockConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    *,
    account: tuple[type[TimeClockEntity], Iterable[EntityDescription]] | None = None,
    employee: tuple[type[EmployeeEntity], Iterable[EntityDescription]],
) -> None:
    """Add a platform's entities: the account's, and each employee's now and later.

    ``account`` and ``employee`` give the entity class and its descriptions.
    """
    runtime = entry.runtime_data.account
    if account is not None:
        account_class, account_descriptions = account
        async_add_entities(account_class(runtime, d) for d in account_descriptions)
    employee_class, employee_descriptions = employee
    descriptions = tuple(
        d
        for d in employee_descriptions
        if not isinstance(d, TimeClockEntityDescription) or d.exists_fn(runtime)
    )

    @callback
    def add(employee_ids: Iterable[str]) -> None:
        for employee_id in employee_ids:
            # An employee removed meanwhile has no subentry to add entities to.
            if employee_id in entry.subentries:
                async_add_entities(
                    (employee_class(runtime, d, employee_id) for d in descriptions),
                    config_subentry_id=employee_id,
                )

    add(list(runtime.employees))
    entry.async_on_unload(runtime.listeners.add_employee_listener(add))
