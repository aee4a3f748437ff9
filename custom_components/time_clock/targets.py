"""Find the loaded accounts and the employees a call names, or refuse the call."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er

from .const import DOMAIN
from .errors import refusal

if TYPE_CHECKING:
    from .account import TimeClockAccount


def loaded_accounts(hass: HomeAssistant) -> list[TimeClockAccount]:
    """Return the loaded accounts."""
    return [
        entry.runtime_data.account
        for entry in hass.config_entries.async_loaded_entries(DOMAIN)
    ]


def pick_accounts(hass: HomeAssistant, entry_id: str | None) -> list[TimeClockAccount]:
    """Return every loaded account, or the one asked for (refusing an unknown one)."""
    accounts = loaded_accounts(hass)
    if entry_id is None:
        return accounts
    if not (picked := [a for a in accounts if a.entry.entry_id == entry_id]):
        raise refusal("unknown_account", account=entry_id)
    return picked


def resolve_employees(
    hass: HomeAssistant, device_ids: Iterable[str], entity_ids: Iterable[str] = ()
) -> list[tuple[TimeClockAccount, str]]:
    """Return the (account, employee id) pairs that devices and entities name."""
    dev_reg = dr.async_get(hass)
    ent_reg = er.async_get(hass)
    devices = list(device_ids)
    for entity_id in entity_ids:
        if (entity := ent_reg.async_get(entity_id)) is None or entity.device_id is None:
            raise refusal("unknown_employee", target=entity_id)
        devices.append(entity.device_id)
    if not devices:
        raise refusal("unknown_employee", target="-")
    by_employee = {
        employee_id: account
        for account in loaded_accounts(hass)
        for employee_id in account.employees
    }
    found: list[tuple[TimeClockAccount, str]] = []
    for device_id in dict.fromkeys(devices):
        device = dev_reg.async_get(device_id)
        ids = [
            value
            for domain, value in (device.identifiers if device else ())
            if domain == DOMAIN and value in by_employee
        ]
        if not ids:
            name = (device.name or device_id) if device else device_id
            raise refusal("unknown_employee", target=name)
        found.append((by_employee[ids[0]], ids[0]))
    return found
