"""The Time Clock integration: a workforce time clock in Home Assistant."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import ConfigType

from .account import (
    TimeClockAccount,
    TimeClockConfigEntry,
    TimeClockData,
    settings_fingerprint,
)
from .const import DOMAIN
from .employee import with_option_keys
from .frontend import async_register_card
from .issues import delete_issues
from .readers import ReaderInput
from .removal import async_export_and_remove
from .services import async_setup_services
from .vendors import async_create_backend
from .websocket import async_setup_websocket

PLATFORMS: list[Platform] = [Platform.BINARY_SENSOR, Platform.BUTTON, Platform.SENSOR]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the services, the card's websocket commands and the card, once."""
    async_setup_services(hass)
    async_setup_websocket(hass)
    await async_register_card(hass)
    return True


async def async_migrate_entry(hass: HomeAssistant, entry: TimeClockConfigEntry) -> bool:
    """Bring a stored account up to version 1.2; refuse one from a newer major version.

    1.2: employees store the keys of the identifier and reference kinds
    (``api_id``, ``badge_number``) instead of the vendor's values (``apiId``,
    ``@badge-number``), which are not valid translation keys.
    """
    if entry.version > 1:
        return False
    if entry.minor_version < 2:
        for subentry in list(entry.subentries.values()):
            hass.config_entries.async_update_subentry(
                entry, subentry, data=with_option_keys(subentry.data)
            )
        hass.config_entries.async_update_entry(entry, minor_version=2)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: TimeClockConfigEntry) -> bool:
    """Load an account: its storage, its outbox and its entities."""
    backend = async_create_backend(hass, entry)
    account = TimeClockAccount(hass, entry, backend)
    await account.async_setup()
    readers = ReaderInput(hass=hass, entry=entry, account=account)
    entry.runtime_data = TimeClockData(account=account, readers=readers)
    entry.async_on_unload(account.async_shutdown)
    # Employees added or removed while the storage loaded.
    account.async_sync_employees()
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    await readers.async_start()
    entry.async_on_unload(readers.async_stop)
    entry.async_on_unload(entry.add_update_listener(_async_update_listener))
    # Employees added, changed or removed while the platforms were set up.
    account.async_sync_employees()
    return True


async def async_unload_entry(hass: HomeAssistant, entry: TimeClockConfigEntry) -> bool:
    """Unload an account; its outbox stays on disk for the next start."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: TimeClockConfigEntry) -> None:
    """Remove an account's storage, first exporting undelivered punches."""
    await async_export_and_remove(hass, entry)
    delete_issues(hass, entry.entry_id)


async def _async_update_listener(
    hass: HomeAssistant, entry: TimeClockConfigEntry
) -> None:
    """Reload when options or credentials change; apply employees without a reload.

    A refresh token the backend rotated changes nothing here.
    """
    account = entry.runtime_data.account
    if account.settings != settings_fingerprint(entry):
        hass.config_entries.async_schedule_reload(entry.entry_id)
    else:
        account.async_sync_employees()
