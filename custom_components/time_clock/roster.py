"""The employees of an account, read from its subentries, and their tags."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr

from .const import DOMAIN, SUBENTRY_EMPLOYEE
from .employee import Employee
from .vendors import vendor_of


class Roster:
    """Who works for an account, and whose badge a tag is."""

    def __init__(self) -> None:
        """Start with nobody; ``read`` fills the roster from the entry."""
        self.employees: dict[str, Employee] = {}
        self.tags: dict[str, str] = {}
        # The title and data each employee was built from, to spot a change.
        self._built_from: dict[str, tuple[str, Mapping[str, Any]]] = {}

    def read(self, entry: ConfigEntry[Any]) -> tuple[list[str], list[str], list[str]]:
        """Take the employees from the entry; return those added, changed, removed.

        A change is spotted by the subentry's title and its data object, which
        Home Assistant replaces on every change: no data is compared.
        """
        subentries = entry.subentries
        removed = [
            key
            for key in self.employees
            if (sub := subentries.get(key)) is None
            or sub.subentry_type != SUBENTRY_EMPLOYEE
        ]
        added: list[str] = []
        changed: list[str] = []
        for key in removed:
            del self.employees[key]
            del self._built_from[key]
        built_from = self._built_from
        for key, sub in subentries.items():
            built = built_from.get(key)
            if built is not None and built[1] is sub.data and built[0] == sub.title:
                continue
            if sub.subentry_type != SUBENTRY_EMPLOYEE:
                continue
            (changed if built is not None else added).append(key)
            self.employees[key] = Employee.from_subentry(sub, vendor_of(entry.data))
            built_from[key] = (sub.title, sub.data)
        if changed or removed:
            self.tags = {
                tag: employee.employee_id
                for employee in self.employees.values()
                for tag in employee.tags
            }
        else:
            # Only additions: their tags join the index (a thousand employees
            # added one by one must not rebuild it a thousand times).
            for key in added:
                for tag in self.employees[key].tags:
                    self.tags[tag] = key
        return added, changed, removed

    def name(self, employee_id: str) -> str:
        """Return an employee's name (their id once they were removed)."""
        employee = self.employees.get(employee_id)
        return employee.name if employee else employee_id


def rename_devices(
    hass: HomeAssistant, entry_id: str, names: Mapping[str, str]
) -> None:
    """Give employees' devices their new names (employee id -> name)."""
    registry = dr.async_get(hass)
    for device in dr.async_entries_for_config_entry(registry, entry_id):
        for domain, key in device.identifiers:
            if domain == DOMAIN and (name := names.get(key)) and device.name != name:
                registry.async_update_device(device.id, name=name)
