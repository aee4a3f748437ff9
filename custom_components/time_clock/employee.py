"""Employees as configured in the account's subentries, and tag UID normalisation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from homeassistant.config_entries import ConfigSubentry
from homeassistant.helpers.device_registry import DeviceInfo

from .const import (
    CONF_DESCRIPTION,
    CONF_IDENTIFIER,
    CONF_PROJECT_ID,
    CONF_TAGS,
    DOMAIN,
)
from .reader_payload import normalize_uid
from .vendors import VENDORS, Vendor


def with_option_keys(data: Mapping[str, Any]) -> dict[str, Any]:
    """Return subentry data with vendor values of the choices replaced by their keys.

    Subentries store the keys the form offers (since config entry version 1.2);
    older ones stored the vendor's values.
    """
    keys = {
        name: {value: key for key, value in spec.choices.items()}
        for vendor in VENDORS.values()
        for name, spec in vendor.employee.items()
        if spec.choices
    }
    return {
        name: keys[name].get(value, value) if name in keys else value
        for name, value in data.items()
    }


def normalize_tag(raw: str) -> str:
    """Return a tag UID as readers report it (see ``normalize_uid``), or ``""``."""
    return normalize_uid(raw) or ""


@dataclass(frozen=True, kw_only=True, slots=True)
class Employee:
    """One employee of an account."""

    employee_id: str
    name: str
    identifier: str
    tags: tuple[str, ...] = ()
    project_id: int | None = None
    description: str | None = None
    extras: Mapping[str, Any] = field(default_factory=dict)
    # The employee's device, one object for all of its entities.
    device_info: DeviceInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Describe the employee's device."""
        object.__setattr__(
            self,
            "device_info",
            DeviceInfo(
                identifiers={(DOMAIN, self.employee_id)},
                name=self.name,
                manufacturer="Time Clock",
                model="Employee",
            ),
        )

    @classmethod
    def from_subentry(cls, subentry: ConfigSubentry, vendor: Vendor) -> Employee:
        """Return the employee described by a subentry of an account of ``vendor``."""
        data = subentry.data
        project = data.get(CONF_PROJECT_ID)
        return cls(
            employee_id=subentry.subentry_id,
            name=subentry.title,
            identifier=str(data.get(CONF_IDENTIFIER) or ""),
            tags=tuple(normalize_tag(tag) for tag in data.get(CONF_TAGS, [])),
            project_id=int(project) if project not in (None, "") else None,
            description=data.get(CONF_DESCRIPTION) or None,
            extras={
                key: spec.choices.get(data[key], data[key])
                for key, spec in vendor.employee.items()
                if spec.extra and data.get(key) not in (None, "")
            },
        )
