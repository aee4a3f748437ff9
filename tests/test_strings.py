"""The texts a user reads: strings.json and the translations Home Assistant loads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

INTEGRATION = Path(__file__).parents[1] / "custom_components" / "time_clock"
STRINGS = INTEGRATION / "strings.json"
TRANSLATIONS = sorted((INTEGRATION / "translations").glob("*.json"))


def _texts(node: object, path: str = "") -> list[tuple[str, str]]:
    """Return every text of a strings tree with its dotted path."""
    if isinstance(node, dict):
        return [
            item
            for key, value in node.items()
            for item in _texts(value, f"{path}.{key}" if path else key)
        ]
    return [(path, node)] if isinstance(node, str) else []


def test_english_translation_is_strings_json() -> None:
    """Home Assistant reads only translations/: en.json must say what strings.json says."""
    strings = json.loads(STRINGS.read_text(encoding="utf-8"))
    english = json.loads((INTEGRATION / "translations" / "en.json").read_text("utf-8"))
    assert english == strings


@pytest.mark.parametrize("path", [STRINGS, *TRANSLATIONS], ids=lambda p: p.name)
def test_no_unresolved_key_references(path: Path) -> None:
    """A custom integration's texts hold words: HA resolves [%key:…] only for core."""
    texts = _texts(json.loads(path.read_text(encoding="utf-8")))
    raw = [where for where, text in texts if "[%key:" in text]
    assert not raw, f"{path.name} refers to other keys instead of words: {raw}"
