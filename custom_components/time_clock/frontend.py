"""Serve the Time Clock card and load it on every dashboard (no resource to add)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from homeassistant.components.frontend import add_extra_js_url
from homeassistant.components.http import StaticPathConfig
from homeassistant.core import HomeAssistant
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN, LOGGER

CARD_FILE = Path(__file__).parent / "dist" / "time-clock-card.js"
CARD_URL = f"/{DOMAIN}/time-clock-card.js"
DATA_CARD_URL: HassKey[str] = HassKey(f"{DOMAIN}_card_url")


def _version(path: Path) -> str:
    """Return a short hash of the bundle, so that browsers fetch a changed one."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


async def async_register_card(hass: HomeAssistant) -> None:
    """Serve the card's bundle and add it to every page of the frontend, once.

    The frontend integration (and with it http) is set up before custom integrations;
    without it (a headless Home Assistant) there is no page to add the card to.
    """
    if DATA_CARD_URL in hass.data:
        return
    if "frontend" not in hass.config.components:
        LOGGER.debug("Home Assistant runs without its frontend: the card is not served")
        return
    version = await hass.async_add_executor_job(_version, CARD_FILE)
    await hass.http.async_register_static_paths(
        [StaticPathConfig(CARD_URL, str(CARD_FILE), cache_headers=True)]
    )
    url = f"{CARD_URL}?v={version}"
    add_extra_js_url(hass, url)
    hass.data[DATA_CARD_URL] = url
