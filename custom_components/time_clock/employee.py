"""Employees as configured in the account's subentries, and tag UID normalisation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from homeassistant.config_entries import ConfigSubentry

from .api.protime import BADGE_NUMBER, EMPLOYEE_NUMBER, REFERENCE_ID
from .const import (
    CONF_DESCRIPTION,
    CONF_ID_TYPE,
    CONF_IDENTIFIER,
    CONF_PROJECT_ID,
    CONF_REFERENCE,
    CONF_TAGS,
)
from .reader_payload import normalize_uid

EXTRA_KEYS = ("id_type", "reference", "position", "account")

# The employee form offers these choices under translation keys; the backends name them
# otherwise. Subentries store the keys (since config entry version 1.2), the clients get
# the vendor's values.
ID_TYPE_VALUES: Final = {
    "api_id": "apiId",
    "username": "username",
    "acc_id": "accId",
    "discord": "discord",
    "unique_id": "uniqueId",
}
REFERENCE_VALUES: Final = {
    "id": REFERENCE_ID,
    "badge_number": BADGE_NUMBER,
    "employee_number": EMPLOYEE_NUMBER,
}
VENDOR_VALUES: Final = {CONF_ID_TYPE: ID_TYPE_VALUES, CONF_REFERENCE: REFERENCE_VALUES}


def vendor_value(key: str, value: Any) -> Any:
    """Return what the backend calls a stored choice; other settings pass unchanged."""
    return VENDOR_VALUES.get(key, {}).get(value, value)


def with_option_keys(data: Mapping[str, Any]) -> dict[str, Any]:
    """Return subentry data with vendor values of the choices replaced by their keys."""
    keys = {
        name: {vendor: key for key, vendor in values.items()}
        for name, values in VENDOR_VALUES.items()
    }
    return {
        name: keys[name].get(value, value) if name in keys else value
        for name, value in data.items()
    }


def normalize_tag(raw: str) -> str:
    """Return a tag UID as readers report it (see ``normalize_uid``), or ``""``."""
    return normalize_uid(raw) or ""


@dataclass(frozen=True, kw_only=True)
class Employee:
    """One employee of an account."""

    employee_id: str
    name: str
    identifier: str
    tags: tuple[str, ...] = ()
    project_id: int | None = None
    description: str | None = None
    extras: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_subentry(cls, subentry: ConfigSubentry) -> Employee:
        """Return the employee described by a subentry."""
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
                key: vendor_value(key, data[key])
                for key in EXTRA_KEYS
                if data.get(key) not in (None, "")
            },
        )
