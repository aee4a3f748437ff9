"""Read the tag UID out of an NFC or RFID reader's message.

Pure: no Home Assistant import, nothing raised, nothing logged above debug.

A UID is normalised to upper-case hexadecimal digits with the separators ``:``,
``-`` and whitespace removed, so ``74-10-37-94``, ``74:10:37:94``, ``74103794``
and `` 74 10 37 94 `` are one card. Decimal ids (RDM6300, Wiegand) are digits,
so they pass unchanged, leading zeros included.

Formats read without configuration, tried in this order on a JSON object:

- esp-rfid messages that are not reads (``type`` heartbeat, boot, INFO, WARN,
  ERRO; any ``cmd`` other than ``log``) are ignored, also by the template;
- Tasmota: ``{"PN532"|"RC522"|"MFRC522"|"RDM6300"|"Wiegand": {"UID": ...}}``;
- esp-rfid reads and generic/ESPHome JSON: the first of the top-level keys
  ``uid``, ``tag_id``, ``tag``, ``card``, ``id`` that is present decides;

and otherwise a plain-text UID or a JSON string or number.

An optional template (the user's, for anything else) gets the decoded text of
every payload that is not rejected or ignored; when it yields a UID, that UID
wins over the built-in reading, so a template can also correct a wrong guess.
Payloads larger than MAX_PAYLOAD, not UTF-8, or nested deeper than MAX_DEPTH
are rejected before any parsing or template.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
import json
import logging
import re
from typing import Final

LOGGER = logging.getLogger(__package__)

MAX_PAYLOAD: Final = 4096
"""Largest payload read, in bytes (or characters for text)."""
MAX_DEPTH: Final = 16
"""Deepest JSON nesting read; readers send two levels at most."""
MIN_UID_LENGTH: Final = 4
MAX_UID_LENGTH: Final = 64
"""Longest UID: ISO 14443 UIDs have 20 digits, a SHA-256 hex digest 64."""

TASMOTA_SENSORS: Final = ("pn532", "rc522", "mfrc522", "rdm6300", "wiegand")
GENERIC_KEYS: Final = ("uid", "tag_id", "tag", "card", "id")
ESP_RFID_IGNORED_TYPES: Final = frozenset(
    {"heartbeat", "hearthbeat", "boot", "info", "warn", "erro", "error"}
)
ESP_RFID_READ_COMMAND: Final = "log"

_SEPARATORS: Final = re.compile(r"[\s:\-]+")
_UID: Final = re.compile(rf"[0-9A-F]{{{MIN_UID_LENGTH},{MAX_UID_LENGTH}}}")
# Longest raw UID considered: every digit separated, plus padding and affixes.
_MAX_RAW_LENGTH: Final = 4 * MAX_UID_LENGTH
# Integers from here on have too many digits (and str() may refuse them).
_MAX_INT: Final = 10**MAX_UID_LENGTH

type Payload = str | bytes | bytearray
type Template = Callable[[str], str | None]


class _Ignored:
    """Marker for a message that is understood and is not a tag read."""


_IGNORED: Final = _Ignored()


def normalize_uid(raw: str) -> str | None:
    """Return the normalised UID for a raw UID, or None if it is not one.

    Strip, drop ``:``, ``-`` and whitespace, upper-case, drop a ``0x`` prefix and
    an ``h`` suffix (Tasmota's hex Wiegand output), then require 4 to 64
    characters of ``0-9A-F``.
    """
    if len(raw) > _MAX_RAW_LENGTH:
        return None
    compact = _SEPARATORS.sub("", raw)
    if not compact.isascii():
        return None
    uid = compact.upper().removeprefix("0X").removesuffix("H")
    return uid if _UID.fullmatch(uid) else None


def extract_uid(payload: Payload, *, template: Template | None = None) -> str | None:
    """Return the normalised UID a reader's payload carries, or None."""
    try:
        return _extract(payload, template)
    except Exception:  # the MQTT callback must never raise
        LOGGER.debug("Reader payload dropped: unreadable", exc_info=True)
        return None


def _extract(payload: Payload, template: Template | None) -> str | None:
    """Return the UID of a payload, raising only on a programming error."""
    if (text := _decode(payload)) is None:
        return None
    found = _parse(text.strip())
    if isinstance(found, _Ignored):
        return None
    if template is not None and (own := _apply_template(template, text)):
        return own
    if found is None:
        LOGGER.debug("Reader payload dropped: no tag UID found")
    return found


def _decode(payload: Payload) -> str | None:
    """Return the payload as text, or None if it is too large or not UTF-8."""
    if len(payload) > MAX_PAYLOAD:
        LOGGER.debug("Reader payload dropped: %d bytes is too large", len(payload))
        return None
    if isinstance(payload, str):
        return payload.removeprefix("\ufeff")
    try:
        return payload.decode("utf-8-sig")
    except UnicodeDecodeError:
        LOGGER.debug("Reader payload dropped: not UTF-8")
        return None


def _parse(text: str) -> str | _Ignored | None:
    """Return the UID of a known format, _IGNORED, or None if not understood."""
    if not text:
        return None
    if text[0] not in '{["':
        return normalize_uid(text)
    if _too_deep(text):
        LOGGER.debug("Reader payload dropped: JSON nested too deeply")
        return _IGNORED
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if isinstance(data, dict):
        return _from_object(data)
    return _scalar_uid(data)


def _too_deep(text: str) -> bool:
    """Return whether the JSON text nests deeper than MAX_DEPTH, without parsing."""
    depth = 0
    in_string = escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif in_string:
            escaped, in_string = char == "\\", char != '"'
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif char in "]}":
            depth -= 1
    return False


def _from_object(data: Mapping[str, object]) -> str | _Ignored | None:
    """Return the UID of a JSON object from a known reader."""
    fields = _folded(data)
    if _is_esp_rfid_noise(fields):
        return _IGNORED
    for sensor in TASMOTA_SENSORS:
        if isinstance(reading := fields.get(sensor), dict):
            return _scalar_uid(_folded(reading).get("uid"))
    for key in GENERIC_KEYS:
        if key in fields:
            return _scalar_uid(fields[key])
    return None


def _folded(data: Mapping[str, object]) -> dict[str, object]:
    """Return a JSON object with its keys case-folded."""
    return {key.casefold(): value for key, value in data.items()}


def _is_esp_rfid_noise(fields: Mapping[str, object]) -> bool:
    """Return whether an object is an esp-rfid message that is not a read."""
    kind, command = fields.get("type"), fields.get("cmd")
    if isinstance(kind, str) and kind.casefold() in ESP_RFID_IGNORED_TYPES:
        return True
    return isinstance(command, str) and command.casefold() != ESP_RFID_READ_COMMAND


def _scalar_uid(value: object) -> str | None:
    """Return the normalised UID of a JSON string or non-negative integer."""
    if isinstance(value, str):
        return normalize_uid(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < _MAX_INT:
        return normalize_uid(str(value))
    return None


def _apply_template(template: Template, text: str) -> str | None:
    """Return the normalised UID the user's template finds in the text."""
    try:
        raw: object = template(text)
    except Exception:  # a user's template may fail in any way
        LOGGER.debug("Reader payload template failed", exc_info=True)
        return None
    return _scalar_uid(raw)
