"""Compare the translations with strings.json, and fill in the texts they lack.

The checks are tests/test_strings.py's own, so what this reports is what the tests fail on.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
import sys
from typing import Any

from tests.hassfest_rules import leaves, text_problems
from tests.test_strings import translation_problems

INTEGRATION = Path(__file__).parents[1] / "custom_components" / "time_clock"
STRINGS = INTEGRATION / "strings.json"
TRANSLATIONS = INTEGRATION / "translations"
MISSING = ": missing"


def load(path: Path) -> Any:
    """Return a JSON file's content."""
    return json.loads(path.read_text(encoding="utf-8"))


def dump(data: Any) -> str:
    """Return JSON written as strings.json is: 2-space indent, UTF-8 as is, a newline."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def languages() -> list[str]:
    """Return the languages translated besides English."""
    return sorted(
        path.stem for path in TRANSLATIONS.glob("*.json") if path.stem != "en"
    )


def texts_of(strings: Any, keep: dict[str, str]) -> Any:
    """Return the texts of ``keep`` (dotted keys) nested and ordered like strings.json."""

    def walk(node: Any, path: str) -> Any:
        if not isinstance(node, dict):
            return keep.get(path)
        nested = {}
        for key, value in node.items():
            sub = walk(value, f"{path}.{key}" if path else key)
            if sub not in (None, {}):
                nested[key] = sub
        return nested

    return walk(strings, "")


def missing(strings: Any, translation: Any) -> dict[str, str]:
    """Return the English texts (by dotted key) that the translation lacks."""
    translated = dict(leaves(translation))
    return {key: text for key, text in leaves(strings) if key not in translated}


def report(strings: Any, language: str) -> int:
    """Print what one translation lacks or gets wrong; return how many problems."""
    translation = load(TRANSLATIONS / f"{language}.json")
    english = dict(leaves(strings))
    problems = translation_problems(strings, translation) + text_problems(translation)
    lacking = [p.removesuffix(MISSING) for p in problems if p.endswith(MISSING)]
    others = [p for p in problems if not p.endswith(MISSING)]
    if not problems:
        print(f"{language}: complete")
        return 0
    print(f"{language}: {len(lacking)} missing, {len(others)} other problems")
    for key in lacking:
        print(f"  missing  {key}: {json.dumps(english[key], ensure_ascii=False)}")
    for problem in others:
        print(f"  problem  {problem}")
    return len(problems)


def merge(strings: Any, language: str, filled: Path) -> int:
    """Add the texts of a filled-in skeleton to a translation; return problems left."""
    path = TRANSLATIONS / f"{language}.json"
    english = dict(leaves(strings))
    texts = dict(leaves(load(path)))
    new = dict(leaves(load(filled)))
    unknown = sorted(set(new) - set(english))
    if unknown:
        print(f"{filled}: not in strings.json: {', '.join(unknown)}", file=sys.stderr)
        return len(unknown)
    texts.update(new)
    dropped = sorted(set(texts) - set(english))
    path.write_text(dump(texts_of(strings, texts)), encoding="utf-8")
    print(f"{language}: {len(new)} texts merged")
    if dropped:
        print(f"{language}: dropped, no longer in strings.json: {', '.join(dropped)}")
    return report(strings, language)


def main() -> int:
    """Run the mode the command line asks for."""
    parser = argparse.ArgumentParser(
        prog="scripts/translations",
        description=(
            "List, per language, the texts of strings.json that a translation lacks "
            "(with the English to translate), the texts strings.json no longer has and "
            "the texts whose {placeholders} differ. Exit status 1 when there are any."
        ),
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--missing",
        action="store_true",
        help="list the problems of the languages given, or of all (the default mode)",
    )
    mode.add_argument(
        "--skeleton",
        action="store_true",
        help=(
            "print the texts LANGUAGE lacks as JSON in English, nested like "
            "strings.json, to translate and then --merge"
        ),
    )
    mode.add_argument(
        "--merge",
        metavar="FILE",
        type=Path,
        help=(
            "add the translated texts of FILE (a filled-in skeleton) to LANGUAGE, "
            "written in the order and format of strings.json"
        ),
    )
    parser.add_argument("language", nargs="*", help="de, nl, fr, pl, es, ...")
    args = parser.parse_args()
    strings = load(STRINGS)
    chosen = args.language or languages()
    unknown = [lang for lang in chosen if not (TRANSLATIONS / f"{lang}.json").exists()]
    if unknown:
        parser.error(f"no translations/{unknown[0]}.json (add one containing {{}})")
    if args.skeleton or args.merge:
        if len(chosen) != 1 or not args.language:
            parser.error("--skeleton and --merge take exactly one language")
        language = chosen[0]
        if args.merge:
            return 1 if merge(strings, language, args.merge) else 0
        lacking = missing(strings, load(TRANSLATIONS / f"{language}.json"))
        print(dump(texts_of(strings, lacking)), end="")
        return 0
    return 1 if sum(report(strings, language) for language in chosen) else 0


if __name__ == "__main__":
    sys.exit(main())
