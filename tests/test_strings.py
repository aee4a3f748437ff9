"""The texts a user reads: strings.json and the translations Home Assistant loads.

Every translation other than English must hold exactly the texts of strings.json with
the same placeholders, so a translated form never shows a raw key or a {name}.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .hassfest_rules import leaves, placeholders, text_problems

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


def translation_problems(strings: dict, translation: dict) -> list[str]:
    """Return how a translation differs from strings.json in keys and placeholders."""
    source = dict(_texts(strings))
    translated = dict(_texts(translation))
    problems = [f"{key}: missing" for key in source if key not in translated]
    problems += [
        f"{key}: not in strings.json" for key in translated if key not in source
    ]
    for key in source.keys() & translated.keys():
        try:
            wanted, got = placeholders(source[key]), placeholders(translated[key])
        except ValueError:
            problems.append(f"{key}: unbalanced braces")
            continue
        if wanted != got:
            problems.append(
                f"{key}: placeholders {sorted(got)} instead of {sorted(wanted)}"
            )
    problems += [
        f"{where}: not text"
        for where, value in leaves(translation)
        if not isinstance(value, str)
    ]
    return sorted(problems)


def test_other_languages_match_strings_json() -> None:
    """Every translation has exactly the texts of strings.json, with the same placeholders."""
    assert (INTEGRATION / "translations" / "en.json") in TRANSLATIONS
    strings = json.loads(STRINGS.read_text(encoding="utf-8"))
    problems = {}
    for path in TRANSLATIONS:
        if path.stem == "en":
            continue
        translation = json.loads(path.read_text(encoding="utf-8"))
        found = translation_problems(strings, translation) + text_problems(translation)
        if found:
            problems[path.name] = found
    assert problems == {}


def test_translation_checker_finds_missing_extra_and_changed_texts() -> None:
    """A missing text, an extra one, a lost or renamed placeholder, a number for a text."""
    strings = {
        "config": {"error": {"tag": "{tag} is taken by {employee}.", "plain": "P"}},
        "issues": {"a": {"title": "Account {account}"}},
        "entity": {"sensor": {"x": {"name": "X"}}},
    }
    german = {
        "config": {"error": {"tag": "{tag} gehört {mitarbeiter}.", "new": "N"}},
        "issues": {"a": {"title": "Konto"}},
        "entity": {"sensor": {"x": {"name": 5}}},
    }
    assert translation_problems(strings, german) == [
        "config.error.new: not in strings.json",
        "config.error.plain: missing",
        (
            "config.error.tag: placeholders ['mitarbeiter', 'tag'] instead of "
            "['employee', 'tag']"
        ),
        "entity.sensor.x.name: missing",
        "entity.sensor.x.name: not text",
        "issues.a.title: placeholders [] instead of ['account']",
    ]
    assert translation_problems(strings, strings) == []
