"""Build the backend client of an account from its settings."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from homeassistant.const import CONF_LATITUDE, CONF_LOCATION, CONF_LONGITUDE
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util import dt as dt_util

from .api import Backend, LocalBackend
from .api.calamari import CalamariClient
from .api.protime import ProtimeClient
from .api.sonoran import SonoranClient
from .api.tracktik import TrackTikClient
from .const import (
    BACKEND_CALAMARI,
    BACKEND_LOCAL,
    BACKEND_PROTIME,
    BACKEND_SONORAN,
    BACKEND_TRACKTIK,
    CONF_API_KEY,
    CONF_API_URL,
    CONF_BACKEND,
    CONF_CLIENT_ID,
    CONF_CLIENT_SECRET,
    CONF_COMMUNITY_ID,
    CONF_PORTAL_URL,
    CONF_REFRESH_TOKEN,
    CONF_TENANT,
    CONF_TERMINAL_ID,
    CONF_TOKEN_URL,
)


def create_backend(
    hass: HomeAssistant,
    data: Mapping[str, Any],
    *,
    title: str = "",
    options: Mapping[str, Any] | None = None,
    on_tokens: Callable[[str], None] | None = None,
) -> Backend:
    """Return the backend client for an account's settings and options."""
    session = async_get_clientsession(hass)
    time_zone = dt_util.get_default_time_zone()
    match data.get(CONF_BACKEND, BACKEND_LOCAL):
        case "calamari":
            return CalamariClient(
                session=session,
                api_url=data[CONF_API_URL],
                api_key=data[CONF_API_KEY],
                time_zone=time_zone,
            )
        case "sonoran":
            return SonoranClient(
                session=session,
                community_id=data[CONF_COMMUNITY_ID],
                api_key=data[CONF_API_KEY],
                **({"base_url": data[CONF_API_URL]} if data.get(CONF_API_URL) else {}),
            )
        case "protime":
            terminal = data.get(CONF_TERMINAL_ID)
            # The site's geolocation option; Home Assistant's home when unset.
            site = (options or {}).get(CONF_LOCATION) or {}
            return ProtimeClient(
                session=session,
                tenant=data[CONF_TENANT],
                client_id=data[CONF_CLIENT_ID],
                client_secret=data[CONF_CLIENT_SECRET],
                time_zone=time_zone,
                api_url=data.get(CONF_API_URL) or None,
                token_url=data.get(CONF_TOKEN_URL) or None,
                terminal_id=int(terminal) if terminal not in (None, "") else None,
                latitude=float(site.get(CONF_LATITUDE, hass.config.latitude)),
                longitude=float(site.get(CONF_LONGITUDE, hass.config.longitude)),
            )
        case "tracktik":
            return TrackTikClient(
                session=session,
                portal_url=data[CONF_PORTAL_URL],
                client_id=data[CONF_CLIENT_ID],
                client_secret=data[CONF_CLIENT_SECRET],
                username=data["username"],
                password=data["password"],
                time_zone=time_zone,
                refresh_token=data.get(CONF_REFRESH_TOKEN),
                on_tokens=on_tokens,
            )
        case _:
            return LocalBackend(name=title or str(data.get("name", "")))


def async_create_backend(hass: HomeAssistant, entry: Any) -> Backend:
    """Return the backend client of a config entry; rotated tokens go back into it."""

    def on_tokens(refresh_token: str) -> None:
        if entry.data.get(CONF_REFRESH_TOKEN) != refresh_token:
            hass.config_entries.async_update_entry(
                entry, data={**entry.data, CONF_REFRESH_TOKEN: refresh_token}
            )

    return create_backend(
        hass, entry.data, title=entry.title, options=entry.options, on_tokens=on_tokens
    )


BACKENDS = (
    BACKEND_LOCAL,
    BACKEND_CALAMARI,
    BACKEND_SONORAN,
    BACKEND_PROTIME,
    BACKEND_TRACKTIK,
)
