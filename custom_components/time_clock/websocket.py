"""Websocket commands of Time Clock, for the door-tablet card."""

from __future__ import annotations

from typing import Any

from homeassistant.components import websocket_api
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import (
    config_validation as cv,
    device_registry as dr,
    entity_registry as er,
)
import voluptuous as vol

from .const import CONF_BACKEND, DOMAIN
from .reports import async_timesheets, timesheet_answer
from .targets import loaded_accounts

# The entities of an account's device and of an employee's, by platform.
ACCOUNT_ENTITIES = {
    "pending_punches": "sensor",
    "failed_punches": "sensor",
    "backend_reachable": "binary_sensor",
    "last_delivery": "sensor",
}
EMPLOYEE_ENTITIES = {
    "on_shift": "binary_sensor",
    "worked_today": "sensor",
    "clock_in": "button",
    "clock_out": "button",
}


@callback
def async_setup_websocket(hass: HomeAssistant) -> None:
    """Register the card's commands."""
    websocket_api.async_register_command(hass, websocket_accounts)
    websocket_api.async_register_command(hass, websocket_timesheet)


def _entities(
    registry: er.EntityRegistry, owner: str, keys: dict[str, str]
) -> dict[str, str | None]:
    """Return the entity ids of a device's entities, by description key."""
    return {
        key: registry.async_get_entity_id(platform, DOMAIN, f"{owner}_{key}")
        for key, platform in keys.items()
    }


def _device_ids(registry: dr.DeviceRegistry, entry_id: str) -> dict[str, str]:
    """Return the ids of an account's devices by Time Clock's identifier."""
    return {
        value: device.id
        for device in dr.async_entries_for_config_entry(registry, entry_id)
        for domain, value in device.identifiers
        if domain == DOMAIN
    }


@websocket_api.websocket_command({vol.Required("type"): f"{DOMAIN}/accounts"})
@callback
def websocket_accounts(
    hass: HomeAssistant,
    connection: websocket_api.ActiveConnection,
    msg: dict[str, Any],
) -> None:
    """Describe the loaded accounts and their employees, with their entities."""
    entities = er.async_get(hass)
    devices = dr.async_get(hass)
    accounts = []
    for account in loaded_accounts(hass):
        entry_id = account.entry.entry_id
        device_ids = _device_ids(devices, entry_id)
        accounts.append(
            {
                "entry_id": entry_id,
                "title": account.entry.title,
                "backend": account.entry.data.get(CONF_BACKEND, "local"),
                "device_id": device_ids.get(entry_id),
                "entities": _entities(entities, entry_id, ACCOUNT_ENTITIES),
                "status": account.delivery.as_dict(),
                "employees": [
                    {
                        "employee_id": key,
                        "name": employee.name,
                        "device_id": device_ids.get(key),
                        "entities": _entities(entities, key, EMPLOYEE_ENTITIES),
                    }
                    for key, employee in account.employees.items()
                ],
            }
        )
    connection.send_result(msg["id"], {"accounts": accounts})


@websocket_api.websocket_command(
    {
        vol.Required("type"): f"{DOMAIN}/timesheet",
        vol.Required("start"): cv.date,
        vol.Required("end"): cv.date,
        vol.Optional("entry_id"): cv.string,
        vol.Optional("employees"): [cv.string],
    }
)
@websocket_api.async_response
async def websocket_timesheet(
    hass: HomeAssistant,
    connection: websocket_api.ActiveConnection,
    msg: dict[str, Any],
) -> None:
    """Answer the timesheet of a date range (errors are translated refusals)."""
    sheets = await async_timesheets(
        hass,
        start=msg["start"],
        end=msg["end"],
        entry_id=msg.get("entry_id"),
        employee_ids=msg.get("employees"),
    )
    connection.send_result(
        msg["id"], timesheet_answer(msg["start"], msg["end"], sheets)
    )
