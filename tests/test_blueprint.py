"""The shipped blueprint is valid for Home Assistant."""

from __future__ import annotations

from pathlib import Path
import shutil
from typing import Any

from homeassistant.components.automation.config import AUTOMATION_BLUEPRINT_SCHEMA
from homeassistant.components.blueprint import models
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import load_yaml_dict
from pytest_homeassistant_custom_component.common import async_capture_events

BLUEPRINTS = Path(__file__).parent.parent / "blueprints" / "automation" / "time_clock"


def test_blueprints_validate() -> None:
    """Every blueprint passes Home Assistant's blueprint schema and names its inputs."""
    files = sorted(BLUEPRINTS.glob("*.yaml"))
    assert files
    for path in files:
        blueprint = models.Blueprint(
            load_yaml_dict(str(path)),
            expected_domain="automation",
            schema=AUTOMATION_BLUEPRINT_SCHEMA,
        )
        assert blueprint.domain == "automation"
        assert {
            "reader",
            "clock_in_action",
            "clock_out_action",
            "unknown_tag_action",
        } <= set(blueprint.inputs)


async def test_blueprint_automation_gives_feedback(hass: HomeAssistant) -> None:
    """An automation from the blueprint runs the clock-in, clock-out and unknown actions."""
    target = Path(hass.config.path("blueprints", "automation", "time_clock"))
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(BLUEPRINTS / "punch_feedback.yaml", target / "punch_feedback.yaml")
    calls = async_capture_events(hass, "door_feedback")

    def fire(kind: str) -> dict[str, Any]:
        return [{"event": "door_feedback", "event_data": {"kind": kind}}]

    try:
        assert await async_setup_component(
            hass,
            "automation",
            {
                "automation": {
                    "use_blueprint": {
                        "path": "time_clock/punch_feedback.yaml",
                        "input": {
                            "reader": "Front door",
                            "clock_in_action": fire("in"),
                            "clock_out_action": fire("out"),
                            "unknown_tag_action": fire("unknown"),
                        },
                    }
                }
            },
        )
        base = {"delivered": False, "source": "reader"}
        hass.bus.async_fire(
            "time_clock_punch", {**base, "action": "clock_in", "reader": "Front door"}
        )
        hass.bus.async_fire(
            "time_clock_punch", {**base, "action": "clock_out", "reader": "Front door"}
        )
        hass.bus.async_fire(
            "time_clock_punch", {**base, "action": "clock_in", "reader": "Back door"}
        )
        hass.bus.async_fire(
            "time_clock_punch",
            {
                "delivered": True,
                "source": "reader",
                "action": "clock_in",
                "reader": "Front door",
            },
        )
        hass.bus.async_fire(
            "time_clock_unknown_tag", {"uid": "X", "reader": "Front door"}
        )
        await hass.async_block_till_done()
        assert [c.data["kind"] for c in calls] == ["in", "out", "unknown"]
    finally:
        shutil.rmtree(target)
