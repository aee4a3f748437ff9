"""hassfest's and HACS's rules on the integration, and on the texts its flows show.

The files are checked as hassfest reads them; the flows are driven through every form,
menu, error and abort the code can show (for every backend, from the code's own lists),
and each one is checked for its texts, its selector options and its placeholders. Each
rule is proved able to fail by a test of the checker on a bad example.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
import importlib
import inspect
from pathlib import Path
import textwrap
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, section
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    SelectSelector,
    TextSelector,
)
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import voluptuous as vol
import yaml

from custom_components.time_clock import PLATFORMS, config_flow, options_flow
from custom_components.time_clock.api import (
    AccountInfo,
    TimeClockAccountError,
    TimeClockAuthenticationError,
    TimeClockConnectionError,
)
from custom_components.time_clock.const import BACKEND_LOCAL, DOMAIN
from custom_components.time_clock.repairs import RejectedPunchesRepairFlow
from custom_components.time_clock.vendors import BACKENDS, VENDORS

from . import hassfest_rules as rules
from .fake_backend import FakeBackend
from .fix_flow import start_rejected_punch_fix_flow

ROOT = Path(__file__).parents[1]
INTEGRATION = ROOT / "custom_components" / "time_clock"
STRINGS = rules.load_json(INTEGRATION / "strings.json")
MANIFEST = rules.load_json(INTEGRATION / "manifest.json")
ICONS = rules.load_json(INTEGRATION / "icons.json")
SERVICES = yaml.safe_load((INTEGRATION / "services.yaml").read_text(encoding="utf-8"))
# Steps Home Assistant starts a flow with; they may hand over to a step of another name.
ENTRY_POINTS = {"user", "reauth", "reconfigure", "init"}
EXISTING_TAG = "04A1B2C3"
EXISTING_LOCAL = "Existing local"


# --- The files, as hassfest and HACS read them ------------------------------------


@pytest.mark.parametrize("name", ["strings.json", "translations/en.json"])
def test_translation_file_passes_hassfest(name: str) -> None:
    """hassfest validates strings.json and, for a custom integration, en.json."""
    assert rules.strings_problems(rules.load_json(INTEGRATION / name)) == []


def test_services_have_texts_icons_and_valid_selectors() -> None:
    """Every service and field has a name and description, every service an icon."""
    assert rules.services_problems(SERVICES, STRINGS, ICONS) == []


def entity_keys() -> dict[str, dict[str, bool]]:
    """Return each platform's entity translation keys, with whether a device class is set."""
    keys: dict[str, dict[str, bool]] = {}
    for platform in PLATFORMS:
        module = importlib.import_module(f"custom_components.time_clock.{platform}")
        for value in vars(module).values():
            if isinstance(value, tuple | list):
                for item in value:
                    if isinstance(item, EntityDescription) and item.translation_key:
                        keys.setdefault(str(platform), {})[item.translation_key] = (
                            getattr(item, "device_class", None) is not None
                        )
    return keys


def test_every_entity_has_a_name_and_an_icon() -> None:
    """Entity names and icons come from translation keys: none missing, none stale."""
    keys = entity_keys()
    assert set(keys) == {str(p) for p in PLATFORMS}
    assert rules.entity_text_problems(STRINGS, keys) == []
    assert rules.icons_problems(ICONS, keys) == []


def test_manifest_passes_hassfest_and_hacs() -> None:
    """The manifest has every key, sorted as hassfest wants, and names what it imports."""
    assert rules.manifest_problems(MANIFEST, INTEGRATION) == []
    assert rules.dependency_problems(MANIFEST, INTEGRATION) == []


def test_quality_scale_lists_every_rule_honestly() -> None:
    """quality_scale.yaml gives every rule a status, and a reason where not done."""
    scale = yaml.safe_load((INTEGRATION / "quality_scale.yaml").read_text("utf-8"))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert rules.check_quality_scale(scale, readme) == []


def test_quality_scale_checker_finds_missing_rules_and_reasons() -> None:
    """The checker objects to missing rules, unknown ones, silent exemptions, bad links."""
    rules_listed: dict[str, Any] = {
        rule: "done" for tier in rules.QUALITY_SCALE_RULES.values() for rule in tier
    }
    del rules_listed["brands"]
    rules_listed["made-up"] = "done"
    rules_listed["discovery"] = {"status": "exempt"}
    rules_listed["devices"] = "maybe"
    rules_listed["docs-actions"] = {
        "status": "done",
        "comment": 'README, section "Nope".',
    }
    found = rules.check_quality_scale({"rules": rules_listed}, "# Title\n## Services")
    assert sorted(found) == sorted(
        [
            "brands: missing",
            "made-up: not a rule",
            "devices: status 'maybe'",
            "discovery: exempt without a reason",
            "docs-actions: README has no section 'Nope'",
        ]
    )
    assert rules.check_quality_scale([], "") == ["quality_scale.yaml: no rules mapping"]


def test_hacs_json_passes_hacs() -> None:
    """hacs.json holds only keys HACS knows, and the oldest release the code supports."""
    hacs = rules.load_json(ROOT / "hacs.json")
    assert rules.hacs_problems(hacs, MANIFEST) == []
    assert hacs["homeassistant"] == "2025.4.0"


def test_brand_images_follow_home_assistants_rules() -> None:
    """brand/ holds a 256 px icon, a 512 px one and logos with 128-256 px short sides."""
    assert rules.brand_problems(INTEGRATION / "brand") == []
    names = {path.name for path in (INTEGRATION / "brand").iterdir()}
    assert {"icon.png", "icon@2x.png", "logo.png", "logo@2x.png"} <= names


# --- Exceptions and repair issues raised by the code --------------------------------


def _constants(node: ast.expr | None) -> set[str]:
    """Return the texts an expression can be: a constant, or either branch of an if."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _constants(node.body) | _constants(node.orelse)
    return set()


@dataclass
class Raised:
    """A translated exception or repair issue the code raises."""

    where: str
    keys: set[str]
    placeholders: set[str] | None  # None: built elsewhere, not read here
    fixable: bool = False


def raised_translations(
    source: str, module: Any, where: str
) -> dict[str, list[Raised]]:
    """Return the exceptions and issues a module's code raises, with their placeholders."""
    found: dict[str, list[Raised]] = defaultdict(list)
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        kwargs = {k.arg: k.value for k in node.keywords if k.arg}
        if ast.unparse(node.func) in ("refusal", "failure") and node.args:
            # errors.refusal / errors.failure(key, **placeholders).
            found["exceptions"].append(
                Raised(
                    f"{where}:{node.lineno}",
                    _constants(node.args[0]),
                    set(kwargs),
                    False,
                )
            )
            continue
        if "translation_key" not in kwargs:
            continue
        if ast.unparse(node.func).endswith("async_create_issue"):
            kind = "issues"
        elif "translation_domain" in kwargs:
            kind = "exceptions"
        else:
            continue
        key = kwargs["translation_key"]
        keys = _constants(key)
        if isinstance(key, ast.Name):
            if not hasattr(module, key.id):
                continue  # a helper that passes on its caller's key (refusal)
            keys = {getattr(module, key.id)}
        given = kwargs.get("translation_placeholders")
        placeholders = None
        if isinstance(given, ast.Dict) and all(
            isinstance(k, ast.Constant) for k in given.keys
        ):
            placeholders = {
                str(k.value) for k in given.keys if isinstance(k, ast.Constant)
            }
        flag = kwargs.get("is_fixable")
        fixable = isinstance(flag, ast.Constant) and flag.value is True
        found[kind].append(
            Raised(f"{where}:{node.lineno}", keys, placeholders, fixable)
        )
    return found


def raised_problems(
    strings: Mapping[str, Any], raised: Mapping[str, list[Raised]]
) -> list[str]:
    """Return translated errors and issues without texts, or with unknown placeholders."""
    problems = []
    for kind, text_key in (("exceptions", "message"), ("issues", "title")):
        texts = strings.get(kind, {})
        for item in raised.get(kind, []):
            for key in item.keys:
                if key not in texts:
                    problems.append(f"{item.where}: {kind}.{key} has no text")
                    continue
                if kind == "issues" and item.fixable != ("fix_flow" in texts[key]):
                    problems.append(
                        f"{item.where}: issues.{key} fixable={item.fixable} but "
                        f"{'no ' if item.fixable else ''}fix_flow texts"
                    )
                words = [texts[key].get(text_key, "")]
                if kind == "issues":
                    words.append(texts[key].get("description", ""))
                used = set().union(*(rules.placeholders(w) for w in words))
                if item.placeholders is not None and used - item.placeholders:
                    problems.append(
                        f"{item.where}: {kind}.{key} uses {sorted(used - item.placeholders)}"
                        " the code does not give"
                    )
        produced = {key for item in raised.get(kind, []) for key in item.keys}
        problems += [
            f"{kind}.{key}: raised nowhere" for key in texts if key not in produced
        ]
    return problems


def test_translated_errors_and_issues_have_texts() -> None:
    """Every exception and issue the code raises has its text, with the placeholders given."""
    raised: dict[str, list[Raised]] = defaultdict(list)
    for path in sorted(INTEGRATION.glob("*.py")):
        module = importlib.import_module(f"custom_components.time_clock.{path.stem}")
        found = raised_translations(path.read_text(encoding="utf-8"), module, path.name)
        for kind, items in found.items():
            raised[kind] += items
    assert raised["exceptions"]
    assert raised["issues"]
    assert raised_problems(STRINGS, raised) == []


# --- Flows: every form, menu, error and abort the code can show ---------------------


def _get(strings: Mapping[str, Any], path: Iterable[str]) -> Any:
    """Return a nested value of the texts, or an empty mapping."""
    node: Any = strings
    for part in path:
        node = node.get(part, {}) if isinstance(node, Mapping) else {}
    return node


def _fields(schema: vol.Schema | None) -> Iterable[tuple[str, Any, str | None]]:
    """Yield each field of a form: name, selector and the section holding it."""
    for marker, value in (schema.schema if schema else {}).items():
        name = str(getattr(marker, "schema", marker))
        if isinstance(value, section):
            yield name, value, None
            for inner, selector, _ in _fields(value.schema):
                yield inner, selector, name
        else:
            yield name, value, None


def shown_problems(
    strings: Mapping[str, Any], where: tuple[str, ...], result: Mapping[str, Any]
) -> list[str]:
    """Return what a shown form, menu or abort lacks in the texts of its flow."""
    flow = _get(strings, where)
    name = ".".join(where)
    given = set(result.get("description_placeholders") or {})
    if result["type"] is FlowResultType.ABORT:
        if (text := flow.get("abort", {}).get(result["reason"])) is None:
            return [f"{name}.abort.{result['reason']}: no text"]
        if missing := rules.placeholders(text) - given:
            return [
                f"{name}.abort.{result['reason']}: placeholders {missing} not given"
            ]
        return []
    if result["type"] is FlowResultType.CREATE_ENTRY:
        return []
    step_id = result["step_id"]
    here = f"{name}.step.{step_id}"
    if (step := flow.get("step", {}).get(step_id)) is None:
        return [f"{here}: no texts for this step"]
    problems = []
    texts = [step.get("title", ""), step.get("description", "")]
    texts += step.get("data_description", {}).values()
    if result["type"] is FlowResultType.MENU:
        problems += [
            f"{here}.menu_options.{option}: no text"
            for option in result["menu_options"]
            if option not in step.get("menu_options", {})
        ]
        texts += step.get("menu_options", {}).values()
    schema = (
        result.get("data_schema") if result["type"] is FlowResultType.FORM else None
    )
    for field_name, selector, in_section in _fields(schema):
        texts_of = (
            step if in_section is None else step.get("sections", {}).get(in_section, {})
        )
        label = field_name if in_section is None else f"{in_section}.{field_name}"
        if isinstance(selector, section):
            texts_of = step.get("sections", {}).get(field_name, {})
            if "name" not in texts_of:
                problems.append(f"{here}.sections.{field_name}: no name")
            texts += [texts_of.get("description", "")]
            texts += texts_of.get("data_description", {}).values()
            continue
        if field_name not in texts_of.get("data", {}):
            problems.append(f"{here}.data.{label}: no text")
        problems += _selector_problems(strings, here, label, selector)
    for error in (result.get("errors") or {}).values():
        if (text := flow.get("error", {}).get(error)) is None:
            problems.append(f"{name}.error.{error}: no text")
        else:
            texts.append(text)
    missing = set().union(*(rules.placeholders(t) for t in texts)) - given
    if missing:
        problems.append(f"{here}: placeholders {sorted(missing)} not given by the code")
    return problems


def _selector_problems(
    strings: Mapping[str, Any], here: str, label: str, selector: Any
) -> list[str]:
    """Return the options of a translated drop-down that are no keys or have no text."""
    if not isinstance(selector, SelectSelector) or not (
        key := selector.config.get("translation_key")
    ):
        return []
    problems = []
    texts = _get(strings, ("selector", key, "options"))
    for option in selector.config["options"]:
        value = option["value"] if isinstance(option, Mapping) else option
        if not rules.TRANSLATION_KEY.match(value):
            problems.append(
                f"{here}.{label}: option {value!r} is not a translation key"
            )
        if value not in texts:
            problems.append(
                f"{here}.{label}: selector.{key}.options.{value} has no text"
            )
    return problems


def undriven_steps(flow_class: type, shown: set[str]) -> list[str]:
    """Return the steps of a flow class no drive showed (their texts went unchecked)."""
    defined = {
        name.removeprefix("async_step_")
        for name in vars(flow_class)
        if name.startswith("async_step_")
    }
    return sorted(
        f"{flow_class.__name__}.async_step_{step}"
        for step in defined - shown - ENTRY_POINTS
    )


def literal_outcomes(source: str, class_name: str) -> tuple[set[str], set[str]]:
    """Return the error and abort keys a flow class's code writes as literals."""
    tree = ast.parse(textwrap.dedent(source))
    cls = next(
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.ClassDef) and n.name == class_name
    )
    errors: set[str] = set()
    aborts: set[str] = set()
    for function in ast.walk(cls):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        names: dict[str, set[str]] = {}
        for node in ast.walk(function):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        names[target.id] = _constants(node.value)
                    elif (
                        isinstance(target, ast.Subscript)
                        and isinstance(target.value, ast.Name)
                        and target.value.id == "errors"
                    ):
                        errors |= _constants(node.value)
            elif isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple):
                for item in node.value.elts:
                    if isinstance(item, ast.Dict):
                        for value in item.values:
                            errors |= _constants(value)
        for node in ast.walk(function):
            if isinstance(node, ast.Call):
                for keyword in node.keywords:
                    if keyword.arg == "reason":
                        aborts |= _constants(keyword.value)
                        if isinstance(keyword.value, ast.Name):
                            aborts |= names.get(keyword.value.id, set())
    return errors, aborts


@dataclass
class Drive:
    """What the drive of the flows showed, by flow class and by text section."""

    shown: dict[type, set[str]] = field(default_factory=lambda: defaultdict(set))
    results: list[tuple[tuple[str, ...], Any]] = field(default_factory=list)

    def record(self, flow_class: type, where: tuple[str, ...], result: Any) -> Any:
        """Keep a shown result and return it."""
        if result["type"] in (FlowResultType.FORM, FlowResultType.MENU):
            self.shown[flow_class].add(result["step_id"])
        self.results.append((where, result))
        return result

    def outcomes(self, where: tuple[str, ...]) -> tuple[set[str], set[str]]:
        """Return the errors and aborts shown in one flow's texts."""
        errors = {
            error
            for w, r in self.results
            if w == where
            for error in (r.get("errors") or {}).values()
        }
        aborts = {
            r["reason"]
            for w, r in self.results
            if w == where and r["type"] is FlowResultType.ABORT
        }
        return errors, aborts


class ScriptedCheck:
    """A backend whose credential check gives what the test scripted next."""

    def __init__(self) -> None:
        """Accept by default, as the account with unique id ``uid``."""
        self.next: Exception | AccountInfo = AccountInfo(unique_id="uid", title="T")

    async def async_validate(self) -> AccountInfo:
        """Raise or return the scripted outcome."""
        if isinstance(self.next, Exception):
            raise self.next
        return self.next


def _value(name: str, selector: Any) -> Any:
    """Return a valid value for a form field."""
    if name in config_flow.URL_FIELDS:
        return "https://example.com/api"
    if isinstance(selector, SelectSelector):
        first = selector.config["options"][0]
        options = [first["value"] if isinstance(first, Mapping) else first]
        return options if selector.config.get("multiple") else options[0]
    if isinstance(selector, NumberSelector):
        return 1
    if isinstance(selector, BooleanSelector):
        return True
    if isinstance(selector, TextSelector) and selector.config.get("multiple"):
        return []
    return "12345"


def fill(schema: vol.Schema) -> dict[str, Any]:
    """Return valid input for every required field of a form (sections left empty)."""
    values: dict[str, Any] = {}
    for marker, selector in schema.schema.items():
        name = str(getattr(marker, "schema", marker))
        if isinstance(selector, section):
            values[name] = {}
        elif isinstance(marker, vol.Required):
            values[name] = _value(name, selector)
    return values


def _with(values: dict[str, Any], name: str, value: Any) -> dict[str, Any]:
    """Return form input with one field (top level or in a section) changed."""
    for key, inner in values.items():
        if isinstance(inner, dict) and (
            name in inner or key == config_flow.SECTION_ADVANCED
        ):
            return {**values, key: {**inner, name: value}}
    return {**values, name: value}


def _url_fields(schema: vol.Schema) -> list[str]:
    """Return the URL fields of a form, top level or in a section."""
    return [name for name, _, _ in _fields(schema) if name in config_flow.URL_FIELDS]


CHECK_FAILURES: list[Callable[[], Exception]] = [
    lambda: TimeClockAuthenticationError("refused"),
    lambda: TimeClockConnectionError("down"),
    *(
        partial(TimeClockAccountError, "account", reason=reason)
        for reason in sorted(config_flow.ACCOUNT_ERRORS | {"not_a_known_reason"})
    ),
    lambda: RuntimeError("surprise"),
]


async def _drive_credentials(
    hass: HomeAssistant,
    drive: Drive,
    check: ScriptedCheck,
    start: Callable[[], Any],
    *,
    backend: str,
    unique_id: str,
) -> None:
    """Submit a credential form with each failure, bad URLs, another account, then accept."""
    record = drive.record
    configure = hass.config_entries.flow.async_configure
    where = ("config",)
    result = record(config_flow.TimeClockConfigFlow, where, await start())
    if backend == BACKEND_LOCAL:
        for name in ("", EXISTING_LOCAL.upper(), f"{unique_id} renamed"):
            result = record(
                config_flow.TimeClockConfigFlow,
                where,
                await configure(result["flow_id"], {"name": name}),
            )
        return
    values = fill(result["data_schema"])
    for failure in CHECK_FAILURES:
        check.next = failure()
        result = record(
            config_flow.TimeClockConfigFlow,
            where,
            await configure(result["flow_id"], values),
        )
    for url_field in _url_fields(result["data_schema"]):
        for url in ("not a url", "http://example.com/api"):
            check.next = AccountInfo(unique_id=unique_id, title="T")
            result = record(
                config_flow.TimeClockConfigFlow,
                where,
                await configure(result["flow_id"], _with(values, url_field, url)),
            )
    if result["step_id"] != backend:  # reauth and reconfigure check the account too
        check.next = AccountInfo(unique_id="another account", title="T")
        record(
            config_flow.TimeClockConfigFlow,
            where,
            await configure(result["flow_id"], values),
        )
        result = await start()
    check.next = AccountInfo(unique_id=unique_id, title="T")
    record(
        config_flow.TimeClockConfigFlow,
        where,
        await configure(result["flow_id"], values),
    )


def _account(backend: str, unique_id: str) -> MockConfigEntry:
    """Return an account of a backend with two readers and one employee."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=unique_id,
        version=config_flow.TimeClockConfigFlow.VERSION,
        minor_version=config_flow.TimeClockConfigFlow.MINOR_VERSION,
        unique_id=None if backend == BACKEND_LOCAL else unique_id,
        data={
            "backend": backend,
            "name": unique_id,
            **dict.fromkeys(config_flow.URL_FIELDS, "https://example.com/api"),
            **{
                field: "12345"
                for field in VENDORS[backend].credentials
                if field not in config_flow.URL_FIELDS
            },
        },
        options={
            "readers": [
                {"name": "Front door", "topic": "door/front", "role": "toggle"},
                {"name": "Back door", "topic": "door/back", "role": "toggle"},
                {
                    "name": "Canteen",
                    "topic": "door/canteen",
                    "role": "reason",
                    "reason": "Lunch",
                },
                {
                    "name": "Workshop",
                    "topic": "door/shop",
                    "role": "activity",
                    "activity": "Welding",
                },
            ],
            "reasons": [
                {"name": "Lunch", "reason_id": 1},
                {"name": "Doctor", "reason_id": 2},
            ],
            "activities": [
                {"name": "Welding", "levels": [{"level": 1, "reference": "W1"}]},
                {"name": "Cutting", "levels": [{"level": 1, "reference": "C1"}]},
            ],
        },
        subentries_data=[
            ConfigSubentryData(
                data={"identifier": "1", "tags": [EXISTING_TAG]},
                subentry_id=f"01EXISTING{backend.upper()}",
                subentry_type="employee",
                title="Existing",
                unique_id=None,
            )
        ],
    )


async def _drive_account_flows(
    hass: HomeAssistant, drive: Drive, check: ScriptedCheck
) -> None:
    """Drive the account menu, each backend's form, reauthentication and reconfiguration."""
    flows = hass.config_entries.flow
    _account(BACKEND_LOCAL, EXISTING_LOCAL).add_to_hass(hass)
    menu = drive.record(
        config_flow.TimeClockConfigFlow,
        ("config",),
        await flows.async_init(DOMAIN, context={"source": "user"}),
    )
    assert set(menu["menu_options"]) == set(BACKENDS)
    for backend in menu["menu_options"]:

        async def start(backend: str = backend) -> Any:
            result = await flows.async_init(DOMAIN, context={"source": "user"})
            return await flows.async_configure(
                result["flow_id"], {"next_step_id": backend}
            )

        uid = f"uid-{backend}"
        await _drive_credentials(
            hass, drive, check, start, backend=backend, unique_id=uid
        )
        if backend != BACKEND_LOCAL:  # the same account twice
            check.next = AccountInfo(unique_id=uid, title="T")
            result = await start()
            drive.record(
                config_flow.TimeClockConfigFlow,
                ("config",),
                await flows.async_configure(
                    result["flow_id"], fill(result["data_schema"])
                ),
            )
        entry = _account(backend, f"{backend} account")
        entry.add_to_hass(hass)
        starts = [entry.start_reconfigure_flow]
        if VENDORS[backend].reauth:
            starts.append(entry.start_reauth_flow)
        for start_flow in starts:
            await _drive_credentials(
                hass,
                drive,
                check,
                partial(start_flow, hass),
                backend=backend,
                unique_id=entry.unique_id or entry.title,
            )


def _employee_inputs(backend: str, schema: vol.Schema) -> list[dict[str, Any]]:
    """Return employee forms the code must refuse, each for one reason, then a valid one."""
    valid = {**fill(schema), "name": "New Person", "identifier": "42"}
    wrong = [
        {**valid, "name": " "},
        {**valid, "name": "existing"},
        {**valid, "tags": ["not a tag"]},
        {**valid, "tags": [EXISTING_TAG]},
    ]
    numeric = {
        (vendor.key, kind)
        for vendor in VENDORS.values()
        for kind in vendor.numeric_identifier
    }
    for numeric_backend, kind in numeric:
        if numeric_backend != backend:
            continue
        kind_fields = {
            name: kind
            for name, selector, _ in _fields(schema)
            if isinstance(selector, SelectSelector)
            and kind in selector.config["options"]
        }
        wrong.append({**valid, **kind_fields, "identifier": "abc"})
    return [*wrong, valid]


async def _drive_employee_flows(hass: HomeAssistant, drive: Drive) -> None:
    """Drive adding and changing an employee of an account of each backend."""
    subentries = hass.config_entries.subentries
    for backend in BACKENDS:
        entry = _account(backend, f"{backend} staff")
        entry.add_to_hass(hass)
        flow_types = config_flow.TimeClockConfigFlow.async_get_supported_subentry_types(
            entry
        )
        for subentry_type, flow_class in flow_types.items():
            where = ("config_subentries", subentry_type)
            result = drive.record(
                flow_class,
                where,
                await subentries.async_init(
                    (entry.entry_id, subentry_type), context={"source": "user"}
                ),
            )
            for form in _employee_inputs(backend, result["data_schema"]):
                result = drive.record(
                    flow_class,
                    where,
                    await subentries.async_configure(result["flow_id"], form),
                )
            assert result["type"] is FlowResultType.CREATE_ENTRY
            existing = f"01EXISTING{backend.upper()}"
            result = drive.record(
                flow_class,
                where,
                await subentries.async_init(
                    (entry.entry_id, subentry_type),
                    context={"source": "reconfigure", "subentry_id": existing},
                ),
            )
            drive.record(
                flow_class,
                where,
                await subentries.async_configure(
                    result["flow_id"],
                    {**fill(result["data_schema"]), "name": "Existing"},
                ),
            )


# Refused input of each list's form, after the valid input of the form.
ITEM_ERRORS = {
    "reader": (
        {"name": " "},
        {"name": "back door"},
        {"topic": " "},
        {"topic": "door/#/wrong"},
        {"feedback_topic": "door/+/feedback"},
        {"template": "{{ value"},
        {"role": "reason"},
        {"role": "activity"},
    ),
    "reason": ({"name": " "}, {"name": "lunch"}),
    "activity": (
        {"name": " "},
        {"name": "welding"},
        {"level_1": " "},
        {"level_2": "", "level_3": "x"},
        {"definition_kind": "id", "level_1": "W1"},
    ),
}
# A removal first tries the item a reader names.
IN_USE = {"reason": "Lunch", "activity": "Welding"}


async def _drive_options_flows(hass: HomeAssistant, drive: Drive) -> None:
    """Drive every option of the options menu, with each refused reader."""
    entry = _account(BACKEND_LOCAL, "options")
    entry.add_to_hass(hass)
    options = hass.config_entries.options
    where = ("options",)
    flow_class = options_flow.TimeClockOptionsFlow
    menu = drive.record(flow_class, where, await options.async_init(entry.entry_id))
    for option in menu["menu_options"]:
        result = await options.async_init(entry.entry_id)
        result = drive.record(
            flow_class,
            where,
            await options.async_configure(result["flow_id"], {"next_step_id": option}),
        )
        step, _, item = str(result["step_id"]).partition("_")
        if step == "remove" and item in IN_USE:
            result = drive.record(
                flow_class,
                where,
                await options.async_configure(result["flow_id"], {item: IN_USE[item]}),
            )
        if step in ("edit", "remove"):
            (selector,) = result["data_schema"].schema.values()
            pick = next(
                name for name in selector.config["options"] if name != IN_USE.get(item)
            )
            result = drive.record(
                flow_class,
                where,
                await options.async_configure(result["flow_id"], {item: pick}),
            )
            if step == "remove":
                assert result["type"] is FlowResultType.CREATE_ENTRY
                continue
        valid = fill(result["data_schema"])
        if "name" in valid:
            valid["name"] = f"New {option}"
        if "topic" in valid:
            valid |= {"topic": "door/side"}
        for wrong in ITEM_ERRORS.get(item, ()):
            result = drive.record(
                flow_class,
                where,
                await options.async_configure(result["flow_id"], {**valid, **wrong}),
            )
            assert result["errors"], (option, wrong)
        result = drive.record(
            flow_class, where, await options.async_configure(result["flow_id"], valid)
        )
        assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.fixture
def drive() -> Drive:
    """Return an empty record of shown forms."""
    return Drive()


@pytest.fixture
async def driven(hass: HomeAssistant, drive: Drive) -> Drive:
    """Drive every config, reauth, reconfigure, employee and options flow."""
    check = ScriptedCheck()
    with (
        patch.object(config_flow, "create_backend", return_value=check),
        patch("custom_components.time_clock.async_setup_entry", return_value=True),
        patch("custom_components.time_clock.async_unload_entry", return_value=True),
    ):
        await _drive_account_flows(hass, drive, check)
        await _drive_employee_flows(hass, drive)
        await _drive_options_flows(hass, drive)
        await hass.async_block_till_done()
    return drive


async def test_every_shown_form_has_its_texts(driven: Drive) -> None:
    """Every form, menu, field, selector option, error and abort shown has its text."""
    problems = [
        problem
        for where, result in driven.results
        for problem in shown_problems(STRINGS, where, result)
    ]
    assert problems == []
    assert len(driven.results) > 100


async def test_every_step_of_the_code_was_driven(driven: Drive) -> None:
    """A step added to a flow class is caught here until the drive shows it."""
    flow_classes = [
        config_flow.TimeClockConfigFlow,
        config_flow.EmployeeSubentryFlow,
        options_flow.TimeClockOptionsFlow,
    ]
    problems = [
        step
        for flow_class in flow_classes
        for step in undriven_steps(flow_class, driven.shown[flow_class])
    ]
    assert problems == []


@pytest.mark.parametrize(
    ("flow_class", "where"),
    [
        (config_flow.TimeClockConfigFlow, ("config",)),
        (config_flow.EmployeeSubentryFlow, ("config_subentries", "employee")),
        (options_flow.TimeClockOptionsFlow, ("options",)),
    ],
    ids=["config", "employee", "options"],
)
async def test_every_error_and_abort_has_a_text_and_every_text_a_use(
    driven: Drive, flow_class: type, where: tuple[str, ...]
) -> None:
    """Errors and aborts the code writes or the drive met have texts; no text is stale."""
    written_errors, written_aborts = literal_outcomes(
        inspect.getsource(inspect.getmodule(flow_class)), flow_class.__name__
    )
    shown_errors, shown_aborts = driven.outcomes(where)
    flow = _get(STRINGS, where)
    problems = [
        f"{'.'.join(where)}.{kind}.{key}: no text"
        for kind, keys in (("error", written_errors), ("abort", written_aborts))
        for key in sorted(keys)
        if key not in flow.get(kind, {})
    ]
    problems += [
        f"{'.'.join(where)}.{kind}.{key}: neither written by the code nor shown"
        for kind, keys in (
            ("error", written_errors | shown_errors),
            ("abort", written_aborts | shown_aborts),
        )
        for key in flow.get(kind, {})
        if key not in keys
    ]
    problems += [
        f"{'.'.join(where)}.step.{step}: never shown"
        for step in flow.get("step", {})
        if step not in driven.shown[flow_class]
    ]
    assert problems == []


async def test_rejected_punches_fix_flow_has_its_texts(
    hass: HomeAssistant,
    hass_client: Any,
    fake_backend: FakeBackend,
    init_integration: MockConfigEntry,
    drive: Drive,
) -> None:
    """The fix flow of a rejected punch shows a step with texts and their placeholders."""
    result = await start_rejected_punch_fix_flow(hass, hass_client, fake_backend)
    # The frontend's view of the step: its schema is a list, its type a string.
    result |= {"data_schema": None}
    result["type"] = FlowResultType(result["type"])
    drive.record(
        RejectedPunchesRepairFlow, ("issues", "punch_rejected", "fix_flow"), result
    )
    assert shown_problems(STRINGS, *drive.results[0]) == []
    assert (
        undriven_steps(
            RejectedPunchesRepairFlow, drive.shown[RejectedPunchesRepairFlow]
        )
        == []
    )


# --- The checkers fail on bad examples ----------------------------------------------


def assert_reported(problems: list[str], *expected: str) -> None:
    """Assert that a checker reported each expected problem (as part of a sentence)."""
    missing = [text for text in expected if not any(text in p for p in problems)]
    assert missing == [], problems


def test_translation_key_rule_matches_hassfest() -> None:
    """Keys of lower case, digits, - and _; not first, last or doubled."""
    good = ["api_id", "badge_number", "id", "a-b", "x1"]
    bad = ["apiId", "@badge-number", "_id", "id_", "a__b", "a-_b", "", "uniqueId"]
    assert [key for key in good if not rules.TRANSLATION_KEY.match(key)] == []
    assert [key for key in bad if rules.TRANSLATION_KEY.match(key)] == []


def test_strings_checker_finds_each_hassfest_violation() -> None:
    """Bad selector keys, issue with both texts, URLs, bad placeholders, unknown keys."""
    bad = {
        "selector": {
            "kind": {"options": {"apiId": "API ID", "@badge-number": "Badge"}}
        },
        "issues": {
            "both": {
                "title": "T",
                "description": "D",
                "fix_flow": {"step": {"confirm": {"title": "C"}}},
            },
            "neither": {"title": "T"},
        },
        "config": {
            "step": {
                "user": {
                    "description": "See https://example.com/docs for more.",
                    "data": {"a": "A"},
                    "data_description": {"b": "B"},
                    "colour": "red",
                }
            },
            "error": {
                "spaces": " padded ",
                "html": "Read <b>this</b>",
                "quoted": "Name '{name}' taken",
                "placeholder": "Bad {0} and {a-b}",
                "reference": "[%key:common::config_flow::error::unknown%]",
            },
        },
        "config_subentries": {"employee": {"step": {}}},
        "entity": {"sensor": {"Bad": {"name": "N", "state": {"On": "on {x}"}}}},
        "services": {"go": {"name": "Go", "fields": {"f": {"name": "F"}}}},
        "unknown_top": {},
    }
    problems = rules.strings_problems(bad)
    assert_reported(
        problems,
        "selector.kind.options.apiId: not a translation key",
        "selector.kind.options.@badge-number: not a translation key",
        "issues.both: needs a description or a fix_flow, not both",
        "issues.neither: needs a description or a fix_flow",
        "config.step.user.description: a URL in the text",
        "config.step.user.data_description.b: no such data field",
        "config.step.user.colour: unknown key",
        "config.error.spaces: leading or trailing spaces",
        "config.error.html: contains HTML",
        "config.error.quoted: a placeholder in single quotes",
        "config.error.placeholder: placeholders ['0', 'a-b'] are not identifiers",
        "config.error.reference: a [%key:] reference",
        "config_subentries.employee: no entry_type",
        "config_subentries.employee: no initiate_flow.user",
        "entity.sensor.Bad: not a translation key",
        "entity.sensor.Bad.state.On: not a translation key",
        "entity.sensor.Bad.state.On: placeholders are not allowed here",
        "services.go: no description",
        "services.go.fields.f: no description",
        "strings.unknown_top: unknown key",
    )


def test_services_checker_finds_missing_texts_icons_and_bad_selectors() -> None:
    """A service without texts or icon, a field without texts, an invalid selector."""
    services = {
        "go": {"fields": {"when": {"selector": {"no_such_selector": {}}}}},
        "stop": None,
    }
    strings = {"services": {"stop": {"name": "S", "description": "D"}, "gone": {}}}
    icons = {"services": {"stop": "mdi:stop", "old": "mdi:x"}}
    problems = rules.services_problems(services, strings, icons)
    assert_reported(
        problems,
        "service go: no icon in icons.json",
        "service go: no name and description in strings.json",
        "service go: field when has no name and description",
        "service go: field when selector invalid",
        "strings.json services.gone: no such service",
        "icons.json services.old: no such service",
    )


def test_entity_checkers_find_missing_names_and_icons() -> None:
    """A used key without name or icon, a stale name and a stale icon, a bad icon."""
    used = {"sensor": {"worked": False, "reachable": True}}
    strings = {"entity": {"sensor": {"reachable": {"name": "R"}, "old": {"name": "O"}}}}
    icons = {"entity": {"sensor": {"old": {"default": "timer"}}}}
    problems = rules.entity_text_problems(strings, used)
    problems += rules.icons_problems(icons, used)
    assert_reported(
        problems,
        "entity sensor.worked: no name in strings.json",
        "strings.json entity.sensor.old: no entity uses this translation key",
        "icons.entity.sensor.old: no entity uses this translation key",
        "icons.entity.sensor.old.default: not an mdi: icon",
        "entity sensor.worked: no icon in icons.json",
    )
    assert not [p for p in problems if "sensor.reachable: no icon" in p]  # device class


def test_manifest_checker_finds_missing_and_unsorted_keys(tmp_path: Path) -> None:
    """Missing keys, keys out of order, a bad version, a domain not the directory's."""
    integration = tmp_path / "time_clock"
    integration.mkdir()
    manifest = {
        "name": "Time Clock",
        "domain": "other",
        "version": "not a version",
        "documentation": "http://example.com",
        "codeowners": ["nobody"],
        "config_flow": True,
        "iot_class": "cloud_magic",
    }
    problems = rules.manifest_problems(manifest, integration)
    assert_reported(
        problems,
        "manifest: no issue_tracker",
        "manifest: no integration_type",
        "manifest: keys not sorted",
        "manifest: domain is not the directory's name",
        "manifest: unknown iot_class cloud_magic",
        "manifest: version 'not a version' is not a version",
        "manifest: documentation is not an https URL",
        "manifest: codeowners must list GitHub @names",
        "manifest: config_flow does not match config_flow.py",
    )


def test_dependency_checker_finds_an_unlisted_integration(tmp_path: Path) -> None:
    """Importing another integration needs it in dependencies or after_dependencies."""
    integration = tmp_path / "time_clock"
    integration.mkdir()
    (integration / "cloud_link.py").write_text(
        "from homeassistant.components.cloud import async_is_logged_in\n"
        "from homeassistant.components import mqtt\n"
        "from homeassistant.components.sensor import SensorEntity\n"
        "if TYPE_CHECKING:\n    from homeassistant.components.zha import x\n"
    )
    problems = rules.dependency_problems({"after_dependencies": ["mqtt"]}, integration)
    assert problems == [
        "cloud_link.py: uses cloud, which is not in dependencies or after_dependencies"
    ]


def test_hacs_checker_finds_unknown_keys_and_bad_versions() -> None:
    """HACS refuses keys it does not know, a bad version, zip_release without filename."""
    problems = rules.hacs_problems(
        {
            "homeassistant": "soon",
            "zip_release": True,
            "domains": ["x"],
            "country": "NOR",
        },
        {"domain": "time_clock"},
    )
    assert_reported(
        problems,
        "hacs.json: unknown key domains",
        "hacs.json: no name",
        "hacs.json: homeassistant 'soon' is not a version",
        "hacs.json: zip_release needs filename",
        "hacs.json: country 'NOR' is not a 2-letter code",
        "manifest.json: HACS needs version",
    )


def _png(path: Path, width: int, height: int, colour: int = 6) -> None:
    """Write the first bytes of a PNG: signature and header."""
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
        + width.to_bytes(4, "big")
        + height.to_bytes(4, "big")
        + bytes([8, colour, 0, 0, 0])
    )


def test_brand_checker_finds_wrong_sizes_and_names(tmp_path: Path) -> None:
    """Icons must be 256 (512) px squares, logos 128-256 (256-512) px short, with alpha."""
    _png(tmp_path / "icon@2x.png", 500, 500)
    _png(tmp_path / "logo.png", 600, 100)
    _png(tmp_path / "dark_logo.png", 512, 200, colour=2)
    (tmp_path / "banner.png").write_bytes(b"")
    problems = rules.brand_problems(tmp_path)
    assert_reported(
        problems,
        "brand/icon.png is missing",
        "brand/icon@2x.png: 500x500, wants 512 square",
        "brand/logo.png: shortest side 100 px, wants 128 to 256",
        "brand/dark_logo.png: no transparency",
        "brand/banner.png: not an image Home Assistant reads",
    )


def test_form_checker_finds_missing_texts_options_and_placeholders() -> None:
    """A step without texts, a field, option, error or placeholder without text."""
    strings = {
        "config": {
            "step": {"known": {"description": "Hello {who}", "data": {"a": "A"}}},
            "error": {},
        },
        "selector": {"kind": {"options": {"api_id": "API"}}},
    }
    kind = SelectSelector({"options": ["api_id", "apiId"], "translation_key": "kind"})
    form = {
        "type": FlowResultType.FORM,
        "step_id": "known",
        "data_schema": vol.Schema({vol.Required("a"): TextSelector(), "kind": kind}),
        "errors": {"base": "brand_new"},
        "description_placeholders": None,
    }
    problems = shown_problems(strings, ("config",), form)
    assert_reported(
        problems,
        "config.step.known.data.kind: no text",
        "option 'apiId' is not a translation key",
        "selector.kind.options.apiId has no text",
        "config.error.brand_new: no text",
        "placeholders ['who'] not given by the code",
    )
    new_step = {**form, "step_id": "new_step", "errors": None}
    assert shown_problems(strings, ("config",), new_step) == [
        "config.step.new_step: no texts for this step"
    ]
    abort = {"type": FlowResultType.ABORT, "reason": "gone"}
    assert shown_problems(strings, ("config",), abort) == ["config.abort.gone: no text"]


def test_step_and_outcome_collectors_find_new_code() -> None:
    """A new step method, error or abort in a flow class is found without running it."""

    class NewFlow:
        async def async_step_user(self) -> None:
            """Start."""

        async def async_step_brand_new(self) -> None:
            """A step no drive shows."""

    assert undriven_steps(NewFlow, {"user"}) == ["NewFlow.async_step_brand_new"]
    source = """
    class Flow:
        async def async_step_x(self):
            errors = {}
            errors["base"] = "new_error"
            reason = "done" if ok else "failed"
            return self.async_abort(reason=reason)

        def _check(self):
            return "", {"base": "checked" if a else "unchecked"}

        def _other(self):
            self._abort_if_unique_id_mismatch(reason="mismatch")
    """
    assert literal_outcomes(source, "Flow") == (
        {"new_error", "checked", "unchecked"},
        {"done", "failed", "mismatch"},
    )


def test_raised_checker_finds_missing_texts_and_placeholders() -> None:
    """An exception without text, an issue using a placeholder nobody gives."""
    source = """
raise HomeAssistantError(translation_domain=DOMAIN, translation_key="new_error")
ir.async_create_issue(hass, DOMAIN, "x", is_fixable=True, translation_key="known",
    translation_placeholders={"account": "a"})
"""
    raised = raised_translations(source, None, "m.py")
    strings = {
        "exceptions": {"stale": {"message": "M"}},
        "issues": {"known": {"title": "{account} {count}", "description": "D"}},
    }
    problems = raised_problems(strings, raised)
    assert_reported(
        problems,
        "m.py:2: exceptions.new_error has no text",
        "m.py:3: issues.known fixable=True but no fix_flow texts",
        "m.py:3: issues.known uses ['count'] the code does not give",
        "exceptions.stale: raised nowhere",
    )


def _workflow(name: str) -> dict[str, Any]:
    """Return a GitHub workflow of the repository ("on" read as a key, not as true)."""
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text())
    workflow["on"] = workflow.pop(True, workflow.get("on"))
    return workflow


def _steps(workflow: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Return the steps of every job of a workflow."""
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def test_github_runs_hassfest_hacs_lint_and_tests() -> None:
    """Pushes and pull requests run hassfest, the HACS action, scripts/lint and scripts/test."""
    validate, tests = _workflow("validate.yml"), _workflow("tests.yml")
    for workflow in (validate, tests):
        assert {"push", "pull_request"} <= set(workflow["on"])
    uses = {step.get("uses", "").split("@")[0]: step for step in _steps(validate)}
    assert "home-assistant/actions/hassfest" in uses
    assert uses["hacs/action"]["with"]["category"] == "integration"
    assert {"scripts/lint", "scripts/test"} <= {
        step.get("run") for step in _steps(tests)
    }
