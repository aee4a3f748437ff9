"""How an account's readers are configured: the options and what they mean."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
import json
from typing import Any, Final

from homeassistant.core import HomeAssistant
from homeassistant.helpers.template import Template

from .api import Action

CONF_READERS: Final = "readers"
CONF_TAG_SCANNED: Final = "tag_scanned"
CONF_ROLE: Final = "role"
CONF_TOPIC: Final = "topic"
CONF_TEMPLATE: Final = "template"
CONF_FEEDBACK_TOPIC: Final = "feedback_topic"
CONF_REASON: Final = "reason"
CONF_ACTIVITY: Final = "activity"
DEFAULT_TAG_SCANNED: Final = True

ROLE_TOGGLE: Final = "toggle"
ROLE_CLOCK_IN: Final = "clock_in"
ROLE_CLOCK_OUT: Final = "clock_out"
# A reason reader toggles, its clock-outs for its reason (a canteen reader: a break);
# an activity reader starts its activity, or ends it when it runs.
ROLE_REASON: Final = "reason"
ROLE_ACTIVITY: Final = "activity"
ROLES: Final = (ROLE_TOGGLE, ROLE_CLOCK_IN, ROLE_CLOCK_OUT, ROLE_REASON, ROLE_ACTIVITY)
ROLE_ACTIONS: Final[Mapping[str, Action | None]] = {
    ROLE_TOGGLE: None,
    ROLE_CLOCK_IN: Action.CLOCK_IN,
    ROLE_CLOCK_OUT: Action.CLOCK_OUT,
    ROLE_REASON: None,
    ROLE_ACTIVITY: None,
}


@dataclass(frozen=True, kw_only=True, slots=True)
class Reader:
    """One configured reader: a source of tag reads with a role."""

    name: str
    role: str = ROLE_TOGGLE
    topic: str = ""
    template: str = ""
    feedback_topic: str = ""
    reason: str = ""
    activity: str = ""

    @classmethod
    def from_options(cls, data: Mapping[str, Any]) -> Reader:
        """Return the reader an options item describes."""
        role = str(data.get(CONF_ROLE) or ROLE_TOGGLE)
        return cls(
            name=str(data.get("name") or "").strip(),
            role=role if role in ROLES else ROLE_TOGGLE,
            topic=str(data.get(CONF_TOPIC) or "").strip(),
            template=str(data.get(CONF_TEMPLATE) or "").strip(),
            feedback_topic=str(data.get(CONF_FEEDBACK_TOPIC) or "").strip(),
            reason=str(data.get(CONF_REASON) or "").strip(),
            activity=str(data.get(CONF_ACTIVITY) or "").strip(),
        )

    @property
    def action(self) -> Action | None:
        """Return the action of the reader's role; ``None`` toggles."""
        return ROLE_ACTIONS[self.role]


def readers_from_options(options: Mapping[str, Any]) -> list[Reader]:
    """Return the MQTT readers of an account's options."""
    items = [
        item for item in options.get(CONF_READERS) or [] if isinstance(item, Mapping)
    ]
    return [reader for item in items if (reader := Reader.from_options(item)).topic]


def compile_template(hass: HomeAssistant, source: str) -> Callable[[str], str | None]:
    """Return a callable rendering a reader template with ``value`` and ``value_json``.

    Raise TemplateError when the template is not valid.
    """
    template = Template(source, hass)
    template.ensure_valid()

    def render(text: str) -> str | None:
        """Return what the template makes of a payload's text."""
        try:
            value_json: Any = json.loads(text)
        except ValueError:
            value_json = None
        result = template.async_render(
            {"value": text, "value_json": value_json}, parse_result=False, strict=True
        )
        return str(result)

    return render
