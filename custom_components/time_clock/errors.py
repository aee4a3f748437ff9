"""The errors a user meets, translated: one place builds them."""

from __future__ import annotations

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from .const import DOMAIN


def refusal(key: str, **placeholders: str) -> ServiceValidationError:
    """Return a translated refusal of a call (a user's mistake; nothing changed)."""
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders or None,
    )


def failure(key: str, **placeholders: str) -> HomeAssistantError:
    """Return a translated failure of Home Assistant's side (a disk, a file)."""
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders or None,
    )
