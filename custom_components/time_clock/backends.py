"""Build the backend client of an account from its config entry."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.core import HomeAssistant

from .api import Backend, LocalBackend
from .const import BACKEND_LOCAL, CONF_BACKEND

if TYPE_CHECKING:
    from . import TimeClockConfigEntry


def async_create_backend(hass: HomeAssistant, entry: TimeClockConfigEntry) -> Backend:
    """Return the backend client for an account."""
    backend = entry.data.get(CONF_BACKEND, BACKEND_LOCAL)
    if backend == BACKEND_LOCAL:
        return LocalBackend(name=entry.title)
    raise ValueError(f"unknown backend {backend}")
