"""The rules of Home Assistant's validator (hassfest) and of HACS for a custom integration.

hassfest and the HACS action run on GitHub; these checks apply their rules here, without
network, so a test fails before a push would. Each check returns the problems it finds
as sentences: a test asserts an empty list (and shows every problem at once), and a unit
test feeds it a bad example to prove it can fail.

Sources of the rules: hassfest's ``translations.py``, ``services.py``, ``icons.py``,
``manifest.py`` and ``dependencies.py``; HACS's ``hacs.json`` schema and its manifest
check; Home Assistant's developer documentation on translations and brand images.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
import json
from pathlib import Path
import re
import string
from typing import Any

from awesomeversion import (
    AwesomeVersion,
    AwesomeVersionException,
    AwesomeVersionStrategy,
)
from homeassistant.const import Platform
from homeassistant.helpers import config_validation as cv, selector
import voluptuous as vol

# Keys that name a translation (selector options, entity keys, states, services):
# lower case letters, digits, - and _, neither first nor last, never two in a row.
TRANSLATION_KEY = re.compile(r"^[a-z0-9](?:[a-z0-9]|[-_](?![-_]))*(?<![-_])$")
# A link in a text: the frontend cannot translate it, so it goes in a placeholder.
URL = re.compile(
    r"(?:(?:https?|ftps?|scp|mqtts?|socket|socks5)://|www\.)"
    r"[a-z0-9]+(?:[-.][a-z0-9]+)*\.[a-z]{2,5}",
    re.IGNORECASE,
)
QUOTED_PLACEHOLDER = re.compile(r"'\{\w+\}'")
KEY_REFERENCE = re.compile(r"\[%key:")

TOP_KEYS = {
    "title",
    "config",
    "config_subentries",
    "options",
    "selector",
    "issues",
    "entity",
    "entity_component",
    "device",
    "device_automation",
    "exceptions",
    "services",
    "system_health",
    "application_credentials",
    "conversation",
    "common",
    "preview_features",
    "conditions",
    "triggers",
    "config_panel",
}
FLOW_KEYS = {
    "flow_title",
    "step",
    "error",
    "abort",
    "progress",
    "create_entry",
    "initiate_flow",
}
STEP_KEYS = {
    "title",
    "description",
    "data",
    "data_description",
    "menu_options",
    "menu_option_descriptions",
    "submit",
    "sections",
}
SECTION_KEYS = {"name", "description", "data", "data_description"}
ENTITY_KEYS = {"name", "state", "state_attributes", "unit_of_measurement"}
SELECTOR_KEYS = {"options", "choices", "unit_of_measurement", "fields"}

MANIFEST_REQUIRED = (
    "domain",
    "name",
    "codeowners",
    "config_flow",
    "documentation",
    "integration_type",
    "iot_class",
    "issue_tracker",
    "version",
)
MANIFEST_KEYS = {
    *MANIFEST_REQUIRED,
    "after_dependencies",
    "bluetooth",
    "dependencies",
    "dhcp",
    "homekit",
    "import_executor",
    "loggers",
    "mqtt",
    "quality_scale",
    "requirements",
    "single_config_entry",
    "ssdp",
    "usb",
    "zeroconf",
}
IOT_CLASSES = {
    "assumed_state",
    "calculated",
    "cloud_polling",
    "cloud_push",
    "local_polling",
    "local_push",
}
INTEGRATION_TYPES = {
    "device",
    "entity",
    "hardware",
    "helper",
    "hub",
    "service",
    "system",
}
# Integrations any integration may import without naming them in its manifest (part of
# hassfest's list: the ones an integration like this one could plausibly use).
ALWAYS_IMPORTABLE = {
    "automation",
    "frontend",
    "homeassistant",
    "persistent_notification",
    "person",
    "script",
    "sun",
    "system_health",
    "webhook",
    "websocket_api",
    "zone",
}
HACS_KEYS = {
    "name": str,
    "content_in_root": bool,
    "zip_release": bool,
    "filename": str,
    "hide_default_branch": bool,
    "country": (str, list),
    "homeassistant": str,
    "hacs": str,
    "persistent_directory": str,
    "render_readme": bool,
    "readme_languages": list,
}
# What HACS reads from manifest.json before it accepts an integration.
HACS_MANIFEST_KEYS = (
    "domain",
    "documentation",
    "issue_tracker",
    "codeowners",
    "name",
    "version",
)


def load_json(path: Path) -> Any:
    """Return a JSON file's content."""
    return json.loads(path.read_text(encoding="utf-8"))


def leaves(node: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    """Yield every value of a nested mapping that is not a mapping, with its dotted path."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            yield from leaves(value, (*path, str(key)))
    else:
        yield ".".join(path), node


def placeholders(text: str) -> set[str]:
    """Return the names of a text's {placeholders}."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _takes_no_placeholders(path: str) -> bool:
    """Return whether a text is an entity state or attribute text (never formatted)."""
    parts = path.split(".")
    return (
        parts[0] == "entity"
        and len(parts) > 3
        and parts[3] in ("state", "state_attributes", "unit_of_measurement")
    )


def text_problems(strings: Mapping[str, Any]) -> list[str]:
    """Return the texts hassfest refuses: HTML, URLs, bad placeholders, stray spaces."""
    problems = []
    for where, value in leaves(strings):
        if not isinstance(value, str):
            problems.append(f"{where}: not a text ({value!r})")
            continue
        try:
            cv.string_with_no_html(value)
        except vol.Invalid:
            problems.append(f"{where}: contains HTML")
        if value != value.strip():
            problems.append(f"{where}: leading or trailing spaces")
        if QUOTED_PLACEHOLDER.search(value):
            problems.append(f"{where}: a placeholder in single quotes")
        if KEY_REFERENCE.search(value):
            problems.append(
                f"{where}: a [%key:] reference (resolved for core integrations only)"
            )
        if URL.search(value):
            problems.append(f"{where}: a URL in the text; pass it as a placeholder")
        try:
            names = placeholders(value)
        except ValueError:
            problems.append(f"{where}: unbalanced braces")
            continue
        if bad := sorted(name for name in names if not name.isidentifier()):
            problems.append(f"{where}: placeholders {bad} are not identifiers")
        if names and _takes_no_placeholders(where):
            problems.append(f"{where}: placeholders are not allowed here")
    return problems


def _key_problems(where: str, keys: Any, *, slug: bool = False) -> list[str]:
    """Return the keys that are not translation keys (or slugs)."""
    problems = []
    for key in keys:
        if slug:
            try:
                cv.slug(key)
            except vol.Invalid:
                problems.append(f"{where}.{key}: not a slug")
        elif not TRANSLATION_KEY.match(str(key)):
            problems.append(
                f"{where}.{key}: not a translation key ([a-z0-9-_], "
                "no - or _ first, last or twice in a row)"
            )
    return problems


def _unknown_keys(where: str, node: Any, allowed: set[str]) -> list[str]:
    """Return the keys of a mapping hassfest's schema does not know."""
    if not isinstance(node, Mapping):
        return [f"{where}: not a mapping"]
    return [f"{where}.{key}: unknown key" for key in node if key not in allowed]


def _flow_problems(where: str, flow: Any, *, subentry: bool = False) -> list[str]:
    """Return the problems of one flow's texts (config, options, subentry, fix flow)."""
    allowed = FLOW_KEYS | ({"entry_type"} if subentry else set())
    if problems := _unknown_keys(where, flow, allowed):
        return problems
    if "step" not in flow:
        problems.append(f"{where}: no step texts")
    if subentry:
        if "entry_type" not in flow:
            problems.append(f"{where}: no entry_type")
        if "user" not in flow.get("initiate_flow", {}):
            problems.append(f"{where}: no initiate_flow.user")
    elif set(flow.get("initiate_flow", {})) - {"user"}:
        problems.append(f"{where}.initiate_flow: only user is allowed")
    for step_id, step in flow.get("step", {}).items():
        here = f"{where}.step.{step_id}"
        problems += _unknown_keys(here, step, STEP_KEYS)
        if not isinstance(step, Mapping):
            continue
        problems += [
            f"{here}.data_description.{key}: no such data field"
            for key in step.get("data_description", {})
            if key not in step.get("data", {})
        ]
        for name, section in step.get("sections", {}).items():
            problems += _unknown_keys(f"{here}.sections.{name}", section, SECTION_KEYS)
            if isinstance(section, Mapping):
                problems += [
                    f"{here}.sections.{name}.data_description.{key}: no such field"
                    for key in section.get("data_description", {})
                    if key not in section.get("data", {})
                ]
    return problems


def _issue_problems(issues: Mapping[str, Any]) -> list[str]:
    """Return the problems of the repair issues' texts."""
    problems = []
    for key, issue in issues.items():
        where = f"issues.{key}"
        if problems_here := _unknown_keys(
            where, issue, {"title", "description", "fix_flow"}
        ):
            problems += problems_here
            continue
        if "title" not in issue:
            problems.append(f"{where}: no title")
        if ("description" in issue) == ("fix_flow" in issue):
            problems.append(
                f"{where}: needs a description or a fix_flow, not both: "
                "a fixable issue keeps its words in the fix flow's steps"
            )
        if "fix_flow" in issue:
            problems += _flow_problems(f"{where}.fix_flow", issue["fix_flow"])
    return problems


def _entity_problems(entity: Mapping[str, Any]) -> list[str]:
    """Return the problems of the entity texts' structure and keys."""
    problems = _key_problems("entity", entity, slug=True)
    for platform, keys in entity.items():
        problems += _key_problems(f"entity.{platform}", keys)
        for key, texts in keys.items():
            where = f"entity.{platform}.{key}"
            problems += _unknown_keys(where, texts, ENTITY_KEYS)
            problems += _key_problems(f"{where}.state", texts.get("state", {}))
            attributes = texts.get("state_attributes", {})
            problems += _key_problems(f"{where}.state_attributes", attributes)
            for name, attribute in attributes.items():
                here = f"{where}.state_attributes.{name}"
                problems += _unknown_keys(here, attribute, {"name", "state"})
                problems += _key_problems(f"{here}.state", attribute.get("state", {}))
    return problems


def _service_text_problems(services: Mapping[str, Any]) -> list[str]:
    """Return the problems of the service texts' structure and keys."""
    problems = _key_problems("services", services)
    for key, service in services.items():
        where = f"services.{key}"
        allowed = {"name", "description", "fields", "sections"}
        if problems_here := _unknown_keys(where, service, allowed):
            problems += problems_here
            continue
        problems += [
            f"{where}: no {text}"
            for text in ("name", "description")
            if text not in service
        ]
        fields = service.get("fields", {})
        problems += _key_problems(f"{where}.fields", fields)
        for name, field in fields.items():
            here = f"{where}.fields.{name}"
            problems += _unknown_keys(here, field, {"name", "description", "example"})
            problems += [
                f"{here}: no {text}"
                for text in ("name", "description")
                if text not in field
            ]
    return problems


def strings_problems(strings: Mapping[str, Any]) -> list[str]:
    """Return what hassfest's translation schema refuses in strings.json (or en.json)."""
    problems = _unknown_keys("strings", strings, TOP_KEYS) + text_problems(strings)
    for name in ("config", "options"):
        if name in strings:
            problems += _flow_problems(name, strings[name])
    subentries = strings.get("config_subentries", {})
    problems += _key_problems("config_subentries", subentries, slug=True)
    for key, flow in subentries.items():
        problems += _flow_problems(f"config_subentries.{key}", flow, subentry=True)
    problems += _issue_problems(strings.get("issues", {}))
    problems += _entity_problems(strings.get("entity", {}))
    problems += _service_text_problems(strings.get("services", {}))
    exceptions = strings.get("exceptions", {})
    problems += _key_problems("exceptions", exceptions, slug=True)
    for key, texts in exceptions.items():
        problems += _unknown_keys(f"exceptions.{key}", texts, {"message"})
    selectors = strings.get("selector", {})
    problems += _key_problems("selector", selectors, slug=True)
    for key, texts in selectors.items():
        problems += _unknown_keys(f"selector.{key}", texts, SELECTOR_KEYS)
        for part in ("options", "choices", "unit_of_measurement"):
            problems += _key_problems(f"selector.{key}.{part}", texts.get(part, {}))
    return problems


def services_problems(
    services: Mapping[str, Any], strings: Mapping[str, Any], icons: Mapping[str, Any]
) -> list[str]:
    """Return what services.yaml lacks: valid selectors, texts and an icon per service."""
    problems = []
    texts = strings.get("services", {})
    for name, declared in services.items():
        service = declared or {}
        try:
            cv.slug(name)
        except vol.Invalid:
            problems.append(f"services.yaml {name}: not a slug")
        if name not in icons.get("services", {}):
            problems.append(f"service {name}: no icon in icons.json")
        if not {"name", "description"} <= set(texts.get(name, {})):
            problems.append(f"service {name}: no name and description in strings.json")
        if "target" in service:
            try:
                selector.TargetSelector.CONFIG_SCHEMA(service["target"] or {})
            except vol.Invalid as err:
                problems.append(f"service {name}: invalid target ({err})")
        for field, spec in (service.get("fields") or {}).items():
            problems += _field_problems(name, field, spec or {}, texts, strings)
    problems += [
        f"strings.json services.{name}: no such service in services.yaml"
        for name in texts
        if name not in services
    ]
    problems += [
        f"icons.json services.{name}: no such service in services.yaml"
        for name in icons.get("services", {})
        if name not in services
    ]
    return problems


def _field_problems(
    service: str,
    field: str,
    spec: Mapping[str, Any],
    texts: Mapping[str, Any],
    strings: Mapping[str, Any],
) -> list[str]:
    """Return what one field of a service lacks (a section: each of its fields)."""
    if "fields" in spec:
        problems = []
        if "name" not in texts.get(service, {}).get("sections", {}).get(field, {}):
            problems.append(f"service {service}: section {field} has no name")
        for inner, inner_spec in spec["fields"].items():
            problems += _field_problems(
                service, inner, inner_spec or {}, texts, strings
            )
        return problems
    problems = []
    field_texts = texts.get(service, {}).get("fields", {}).get(field, {})
    if not {"name", "description"} <= set(field_texts):
        problems.append(
            f"service {service}: field {field} has no name and description in strings.json"
        )
    if "selector" in spec:
        try:
            selector.validate_selector(spec["selector"])
        except vol.Invalid as err:
            problems.append(
                f"service {service}: field {field} selector invalid ({err})"
            )
        select = (spec["selector"] or {}).get("select") or {}
        if (key := select.get("translation_key")) and key not in strings.get(
            "selector", {}
        ):
            problems.append(
                f"service {service}: field {field} selector {key} has no texts"
            )
    return problems


def icons_problems(
    icons: Mapping[str, Any], entities: Mapping[str, Mapping[str, bool]]
) -> list[str]:
    """Return what icons.json lacks or holds wrongly.

    ``entities`` maps each platform to the translation keys its entities use, each
    with whether the entity has a device class (whose icon Home Assistant shows).
    """
    problems = _unknown_keys("icons", icons, {"entity", "services"})
    for where, value in leaves(icons):
        if not isinstance(value, str) or not value.startswith("mdi:"):
            problems.append(f"icons.{where}: not an mdi: icon ({value!r})")
    problems += _key_problems("icons.services", icons.get("services", {}))
    used = icons.get("entity", {})
    problems += _key_problems("icons.entity", used, slug=True)
    for platform, keys in used.items():
        problems += _key_problems(f"icons.entity.{platform}", keys)
        for key, icon in keys.items():
            where = f"icons.entity.{platform}.{key}"
            problems += _unknown_keys(
                where, icon, {"default", "state", "state_attributes"}
            )
            if isinstance(icon, Mapping):
                problems += _key_problems(f"{where}.state", icon.get("state", {}))
            if key not in entities.get(platform, {}):
                problems.append(f"{where}: no entity uses this translation key")
    for platform, keys in entities.items():
        for key, has_device_class in keys.items():
            if not has_device_class and key not in used.get(platform, {}):
                problems.append(f"entity {platform}.{key}: no icon in icons.json")
    return problems


def entity_text_problems(
    strings: Mapping[str, Any], entities: Mapping[str, Mapping[str, bool]]
) -> list[str]:
    """Return the entity translation keys in use without a name, and names not in use."""
    texts = strings.get("entity", {})
    problems = [
        f"entity {platform}.{key}: no name in strings.json"
        for platform, keys in entities.items()
        for key in keys
        if "name" not in texts.get(platform, {}).get(key, {})
    ]
    problems += [
        f"strings.json entity.{platform}.{key}: no entity uses this translation key"
        for platform, keys in texts.items()
        for key in keys
        if key not in entities.get(platform, {})
    ]
    return problems


def _valid_version(value: Any) -> bool:
    """Return whether a version string is one Home Assistant and HACS accept."""
    if not isinstance(value, str):
        return False
    try:
        AwesomeVersion(
            value,
            ensure_strategy=[
                AwesomeVersionStrategy.CALVER,
                AwesomeVersionStrategy.SEMVER,
                AwesomeVersionStrategy.SIMPLEVER,
                AwesomeVersionStrategy.BUILDVER,
                AwesomeVersionStrategy.PEP440,
            ],
        )
    except AwesomeVersionException:
        return False
    return True


def _https_url(value: Any) -> bool:
    """Return whether a value is an https URL."""
    try:
        return bool(cv.url(value)) and str(value).startswith("https://")
    except vol.Invalid:
        return False


def manifest_problems(manifest: Mapping[str, Any], integration: Path) -> list[str]:
    """Return what hassfest and HACS refuse in a custom integration's manifest.json."""
    problems = [
        f"manifest: no {key}" for key in MANIFEST_REQUIRED if key not in manifest
    ]
    problems += [
        f"manifest: unknown key {key}" for key in manifest if key not in MANIFEST_KEYS
    ]
    keys = list(manifest)
    wanted = sorted(
        keys, key=lambda key: f".{key}" if key in ("domain", "name") else key
    )
    if keys != wanted:
        problems.append(
            f"manifest: keys not sorted (domain, name, then alphabetical): {wanted}"
        )
    if manifest.get("domain") != integration.name:
        problems.append("manifest: domain is not the directory's name")
    if "iot_class" in manifest and manifest["iot_class"] not in IOT_CLASSES:
        problems.append(f"manifest: unknown iot_class {manifest['iot_class']}")
    if manifest.get("integration_type", "hub") not in INTEGRATION_TYPES:
        problems.append(
            f"manifest: unknown integration_type {manifest['integration_type']}"
        )
    if "version" in manifest and not _valid_version(manifest["version"]):
        problems.append(f"manifest: version {manifest['version']!r} is not a version")
    for key in ("documentation", "issue_tracker"):
        if key in manifest and not _https_url(manifest[key]):
            problems.append(f"manifest: {key} is not an https URL")
    owners = manifest.get("codeowners")
    if not owners or not all(isinstance(o, str) and o.startswith("@") for o in owners):
        problems.append("manifest: codeowners must list GitHub @names")
    if manifest.get("config_flow") is not (integration / "config_flow.py").is_file():
        problems.append("manifest: config_flow does not match config_flow.py")
    for key in ("requirements", "dependencies", "after_dependencies"):
        if not all(isinstance(item, str) for item in manifest.get(key, [])):
            problems.append(f"manifest: {key} must be a list of strings")
    both = set(manifest.get("dependencies", [])) & set(
        manifest.get("after_dependencies", [])
    )
    problems += [
        f"manifest: {dep} both in dependencies and after_dependencies" for dep in both
    ]
    return problems


def _imported_integrations(tree: ast.Module) -> set[str]:
    """Return the Home Assistant integrations a module imports (TYPE_CHECKING aside)."""
    found: set[str] = set()
    prefix = "homeassistant.components."

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.If):
                if not (
                    isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"
                ):
                    visit(node.body)
                visit(node.orelse)
                continue
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.module.startswith(prefix):
                    found.add(node.module.split(".")[2])
                elif node.module == "homeassistant.components":
                    found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.Import):
                found.update(
                    alias.name.split(".")[2]
                    for alias in node.names
                    if alias.name.startswith(prefix)
                )
            for field in ("body", "orelse", "finalbody", "handlers"):
                children = getattr(node, field, None)
                if isinstance(children, list):
                    visit([c for c in children if isinstance(c, ast.stmt)])
                    for handler in children:
                        if isinstance(handler, ast.ExceptHandler):
                            visit(handler.body)

    visit(tree.body)
    return found


def dependency_problems(manifest: Mapping[str, Any], integration: Path) -> list[str]:
    """Return the integrations the code imports that manifest.json does not name."""
    allowed = (
        {platform.value for platform in Platform}
        | ALWAYS_IMPORTABLE
        | set(manifest.get("dependencies", []))
        | set(manifest.get("after_dependencies", []))
        # A module of the integration named after an integration is its platform.
        | {path.stem for path in integration.glob("*.py")}
        | {path.name for path in integration.iterdir() if path.is_dir()}
    )
    problems = []
    for path in sorted(integration.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        problems += [
            f"{path.relative_to(integration)}: uses {name}, which is not in "
            "dependencies or after_dependencies"
            for name in sorted(_imported_integrations(tree) - allowed)
        ]
    return problems


def hacs_problems(hacs: Mapping[str, Any], manifest: Mapping[str, Any]) -> list[str]:
    """Return what the HACS action refuses in hacs.json and, for HACS, in manifest.json."""
    problems = []
    for key, value in hacs.items():
        if key not in HACS_KEYS:
            problems.append(f"hacs.json: unknown key {key}")
        elif not isinstance(value, HACS_KEYS[key]):
            problems.append(f"hacs.json: {key} has the wrong type")
    if not isinstance(hacs.get("name"), str) or not hacs.get("name"):
        problems.append("hacs.json: no name")
    problems += [
        f"hacs.json: {key} {hacs[key]!r} is not a version"
        for key in ("homeassistant", "hacs")
        if key in hacs and not _valid_version(hacs[key])
    ]
    if hacs.get("zip_release") and not hacs.get("filename"):
        problems.append("hacs.json: zip_release needs filename")
    countries = hacs.get("country", [])
    problems += [
        f"hacs.json: country {country!r} is not a 2-letter code"
        for country in ([countries] if isinstance(countries, str) else countries)
        if not (isinstance(country, str) and re.fullmatch(r"[A-Za-z]{2}", country))
    ]
    problems += [
        f"manifest.json: HACS needs {key}"
        for key in HACS_MANIFEST_KEYS
        if not manifest.get(key)
    ]
    return problems


def png_size(path: Path) -> tuple[int, int, int]:
    """Return a PNG's width, height and colour type, read from its IHDR header."""
    head = path.read_bytes()[:26]
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        raise ValueError(f"{path.name} is not a PNG")
    return (
        int.from_bytes(head[16:20], "big"),
        int.from_bytes(head[20:24], "big"),
        head[25],
    )


def brand_problems(brand: Path) -> list[str]:
    """Return what Home Assistant's brand image rules refuse in an integration's brand/."""
    problems = []
    known = {
        f"{dark}{kind}{hidpi}.png"
        for dark in ("", "dark_")
        for kind in ("icon", "logo")
        for hidpi in ("", "@2x")
    }
    files = {path.name: path for path in brand.glob("*")} if brand.is_dir() else {}
    problems += [
        f"brand/{name}: not an image Home Assistant reads"
        for name in files
        if name not in known
    ]
    if "icon.png" not in files:
        problems.append("brand/icon.png is missing")
    for name, path in sorted(files.items()):
        if name not in known:
            continue
        try:
            width, height, colour = png_size(path)
        except ValueError as err:
            problems.append(f"brand/{err}")
            continue
        scale = 2 if "@2x" in name else 1
        if colour not in (4, 6):
            problems.append(f"brand/{name}: no transparency (not a PNG with alpha)")
        if "icon" in name and (width, height) != (256 * scale, 256 * scale):
            problems.append(
                f"brand/{name}: {width}x{height}, wants {256 * scale} square"
            )
        if "logo" in name and not 128 * scale <= min(width, height) <= 256 * scale:
            problems.append(
                f"brand/{name}: shortest side {min(width, height)} px, wants "
                f"{128 * scale} to {256 * scale}"
            )
        if "@2x" not in name and (hidpi := name.replace(".png", "@2x.png")) in files:
            big = png_size(files[hidpi])[:2]
            if big != (2 * width, 2 * height):
                problems.append(f"brand/{hidpi}: {big}, not twice {name}")
    return problems


# The rules of Home Assistant's integration quality scale, by tier, as hassfest lists them.
QUALITY_SCALE_RULES = {
    "bronze": (
        "action-setup",
        "appropriate-polling",
        "brands",
        "common-modules",
        "config-flow",
        "config-flow-test-coverage",
        "dependency-transparency",
        "docs-actions",
        "docs-conditions",
        "docs-high-level-description",
        "docs-installation-instructions",
        "docs-removal-instructions",
        "docs-triggers",
        "entity-event-setup",
        "entity-unique-id",
        "has-entity-name",
        "runtime-data",
        "test-before-configure",
        "test-before-setup",
        "unique-config-entry",
    ),
    "silver": (
        "action-exceptions",
        "config-entry-unloading",
        "docs-configuration-parameters",
        "docs-installation-parameters",
        "entity-unavailable",
        "integration-owner",
        "log-when-unavailable",
        "parallel-updates",
        "reauthentication-flow",
        "test-coverage",
    ),
    "gold": (
        "devices",
        "diagnostics",
        "discovery",
        "discovery-update-info",
        "docs-data-update",
        "docs-examples",
        "docs-known-limitations",
        "docs-supported-devices",
        "docs-supported-functions",
        "docs-troubleshooting",
        "docs-use-cases",
        "dynamic-devices",
        "entity-category",
        "entity-device-class",
        "entity-disabled-by-default",
        "entity-translations",
        "exception-translations",
        "icon-translations",
        "reconfiguration-flow",
        "repair-issues",
        "stale-devices",
    ),
    "platinum": ("async-dependency", "inject-websession", "strict-typing"),
}
QUALITY_SCALE_STATUSES = {"done", "todo", "exempt"}
README_SECTION = re.compile(r'"([^"]+)"')


def check_quality_scale(scale: Any, readme: str) -> list[str]:
    """Return what hassfest and a reader would object to in ``quality_scale.yaml``.

    Every rule of every tier is listed, with a known status; an exempt or todo rule
    says why in a comment; a section of the README a comment names in quotes exists.
    """
    if not isinstance(scale, dict) or not isinstance(scale.get("rules"), dict):
        return ["quality_scale.yaml: no rules mapping"]
    listed: dict[str, Any] = scale["rules"]
    known = {rule for tier in QUALITY_SCALE_RULES.values() for rule in tier}
    problems = [f"{rule}: missing" for rule in sorted(known - listed.keys())]
    problems += [f"{rule}: not a rule" for rule in sorted(listed.keys() - known)]
    headings = {
        line.lstrip("#").strip() for line in readme.splitlines() if line.startswith("#")
    }
    for rule, value in listed.items():
        status, comment = (
            (value.get("status"), value.get("comment"))
            if isinstance(value, dict)
            else (value, None)
        )
        if status not in QUALITY_SCALE_STATUSES:
            problems.append(f"{rule}: status {status!r}")
        if status in {"exempt", "todo"} and not comment:
            problems.append(f"{rule}: {status} without a reason")
        if "README" in (comment or ""):
            for name in README_SECTION.findall(comment):
                if name not in headings:
                    problems.append(f"{rule}: README has no section {name!r}")
    return problems
