"""The card's bundle is served by the integration and loaded on every page."""

from __future__ import annotations

import hashlib
import logging
import socket

from homeassistant.components.frontend import DATA_EXTRA_MODULE_URL
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.time_clock.frontend import (
    CARD_FILE,
    CARD_URL,
    DATA_CARD_URL,
    async_register_card,
)


def free_port() -> int:
    """Return a TCP port of 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_card_is_served_and_added_to_every_page(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, socket_enabled: None
) -> None:
    """The bundle is served at a URL with its hash; the frontend loads it as a module."""
    # The http server starts at once here: on 127.0.0.1 and a free port, not 8123.
    http = {"server_host": "127.0.0.1", "server_port": free_port()}
    assert await async_setup_component(hass, "http", {"http": http})
    assert await async_setup_component(hass, "frontend", {})
    await async_register_card(hass)
    await async_register_card(hass)

    digest = hashlib.sha256(CARD_FILE.read_bytes()).hexdigest()[:12]
    url = f"{CARD_URL}?v={digest}"
    assert hass.data[DATA_CARD_URL] == url
    modules = hass.data[DATA_EXTRA_MODULE_URL].urls
    assert [item for item in modules if item.startswith(CARD_URL)] == [url]

    client = await hass_client()
    response = await client.get(url)
    assert response.status == 200
    assert "javascript" in response.headers["Content-Type"]
    body = await response.read()
    assert body == CARD_FILE.read_bytes()
    assert b"time-clock-card" in body


async def test_no_frontend_no_card(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    """Without the frontend (a headless Home Assistant) nothing is registered."""
    caplog.set_level(logging.DEBUG, logger="custom_components.time_clock")
    await async_register_card(hass)
    assert DATA_CARD_URL not in hass.data
    assert "the card is not served" in caplog.text
