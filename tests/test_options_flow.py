"""Tests of the options flow: settings and the account's readers."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigEntryState, ConfigFlowResult
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from .conftest import JANE, JOHN

FRONT = {
    "name": "Front door",
    "topic": "tele/frontdoor/SENSOR",
    "role": "toggle",
    "template": "",
    "feedback_topic": "time_clock/frontdoor/feedback",
}
BACK = {
    "name": "Back door",
    "topic": "tele/backdoor/SENSOR",
    "role": "clock_out",
    "template": "",
    "feedback_topic": "",
}
WITH_READERS = {"readers": [FRONT, BACK], "debounce": 2.0, "tag_scanned": True}


async def open_step(
    hass: HomeAssistant, entry: MockConfigEntry, step: str
) -> ConfigFlowResult:
    """Open the options and choose one menu item."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.MENU
    assert result["step_id"] == "init"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": step}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == step
    return result


async def submit(
    hass: HomeAssistant, result: ConfigFlowResult, user_input: dict[str, Any]
) -> ConfigFlowResult:
    """Submit a form and let a reload settle."""
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], user_input
    )
    await hass.async_block_till_done()
    return result


def suggested(result: ConfigFlowResult) -> dict[str, Any]:
    """Return the suggested values of a form."""
    schema = result["data_schema"]
    assert schema is not None
    return {
        key.schema: key.description["suggested_value"]
        for key in schema.schema
        if key.description and "suggested_value" in key.description
    }


async def test_menu_without_readers(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Without readers the menu offers the settings and adding a reader.

    A local account keeps reasons and activities, so it offers adding them too.
    """
    result = await hass.config_entries.options.async_init(init_integration.entry_id)

    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == [
        "settings",
        "add_reader",
        "add_reason",
        "add_activity",
    ]


@pytest.mark.parametrize("entry_options", [WITH_READERS])
async def test_menu_with_readers(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """With readers the menu also offers changing and removing one."""
    result = await hass.config_entries.options.async_init(init_integration.entry_id)

    assert result["menu_options"] == [
        "settings",
        "add_reader",
        "edit_reader",
        "remove_reader",
        "add_reason",
        "add_activity",
    ]


@pytest.mark.parametrize("entry_options", [WITH_READERS])
async def test_settings(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """The settings change the window, tag_scanned and auto clock-out, keeping readers."""
    result = await open_step(hass, init_integration, "settings")
    assert suggested(result)["debounce"] == 2.0

    result = await submit(
        hass,
        result,
        {"debounce": 5, "tag_scanned": False, "auto_clock_out_hours": 10},
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.options == {
        "readers": [FRONT, BACK],
        "debounce": 5,
        "tag_scanned": False,
        "auto_clock_out_hours": 10,
    }
    assert init_integration.state is ConfigEntryState.LOADED
    readers = init_integration.runtime_data.readers
    assert readers.debounce == 5
    assert readers.tag_scanned is False


async def test_settings_defaults(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """An account without options gets the documented defaults."""
    result = await open_step(hass, init_integration, "settings")

    result = await submit(hass, result, {})

    assert init_integration.options == {
        "debounce": 3.0,
        "tag_scanned": True,
        "auto_clock_out_hours": 0,
    }


async def test_add_reader(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A new reader is stored with every field, empty ones as empty strings."""
    result = await open_step(hass, init_integration, "add_reader")

    result = await submit(
        hass,
        result,
        {"name": " Front door ", "topic": " tele/frontdoor/SENSOR "},
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.options["readers"] == [
        {
            "name": "Front door",
            "topic": "tele/frontdoor/SENSOR",
            "role": "toggle",
            "template": "",
            "feedback_topic": "",
        }
    ]
    assert init_integration.runtime_data.readers.readers[0].name == "Front door"


@pytest.mark.parametrize("entry_options", [WITH_READERS])
async def test_add_reader_with_every_field(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A wildcard topic typed by the user, a role, a template and a feedback topic are kept."""
    result = await open_step(hass, init_integration, "add_reader")
    reader = {
        "name": "Gates",
        "topic": "gates/+/tag",
        "role": "clock_in",
        "template": "{{ value_json.badge }}",
        "feedback_topic": "gates/feedback",
    }

    result = await submit(hass, result, reader)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.options["readers"] == [FRONT, BACK, reader]
    assert init_integration.options["debounce"] == 2.0


@pytest.mark.parametrize("entry_options", [WITH_READERS])
@pytest.mark.parametrize(
    ("user_input", "errors"),
    [
        ({"name": "  ", "topic": "a/b"}, {"name": "reader_name_required"}),
        ({"name": "front DOOR", "topic": "a/b"}, {"name": "reader_exists"}),
        ({"name": "Gate", "topic": " "}, {"topic": "topic_required"}),
        ({"name": "Gate", "topic": "a/#/b"}, {"topic": "invalid_topic"}),
        ({"name": "Gate", "topic": "a+/b"}, {"topic": "invalid_topic"}),
        ({"name": "Gate", "topic": "a\0b"}, {"topic": "invalid_topic"}),
        (
            {"name": "Gate", "topic": "a/b", "feedback_topic": "fb/+"},
            {"feedback_topic": "invalid_feedback_topic"},
        ),
        (
            {"name": "Gate", "topic": "a/b", "feedback_topic": "fb/#"},
            {"feedback_topic": "invalid_feedback_topic"},
        ),
        (
            {"name": "Gate", "topic": "a/b", "template": "{{ value_json.uid "},
            {"template": "invalid_template"},
        ),
        (
            {"name": "", "topic": "", "template": "{% if %}"},
            {
                "name": "reader_name_required",
                "topic": "topic_required",
                "template": "invalid_template",
            },
        ),
    ],
)
async def test_add_reader_errors(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    user_input: dict[str, Any],
    errors: dict[str, str],
) -> None:
    """Every invalid field is named with a translated error, and can be corrected."""
    result = await open_step(hass, init_integration, "add_reader")

    result = await submit(hass, result, user_input)

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "add_reader"
    assert result["errors"] == errors
    assert suggested(result)["name"] == user_input["name"]
    assert init_integration.options == WITH_READERS

    result = await submit(hass, result, {"name": "Gate", "topic": "a/b"})

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert [r["name"] for r in init_integration.options["readers"]] == [
        "Front door",
        "Back door",
        "Gate",
    ]


@pytest.mark.parametrize("entry_options", [WITH_READERS])
async def test_add_reader_refuses_unknown_role(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Only the three roles are accepted."""
    result = await open_step(hass, init_integration, "add_reader")

    with pytest.raises(InvalidData):
        await submit(hass, result, {"name": "Gate", "topic": "a/b", "role": "open"})


@pytest.mark.parametrize("entry_options", [WITH_READERS])
async def test_edit_reader(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A chosen reader is shown as it is, and changed in place."""
    result = await open_step(hass, init_integration, "edit_reader")
    result = await submit(hass, result, {"reader": "Back door"})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "change_reader"
    assert suggested(result) == BACK

    result = await submit(
        hass,
        result,
        {
            "name": "Back door",
            "topic": "tele/backdoor2/SENSOR",
            "role": "toggle",
            "feedback_topic": "back/feedback",
        },
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.options["readers"] == [
        FRONT,
        {
            "name": "Back door",
            "topic": "tele/backdoor2/SENSOR",
            "role": "toggle",
            "template": "",
            "feedback_topic": "back/feedback",
        },
    ]


@pytest.mark.parametrize("entry_options", [WITH_READERS])
async def test_edit_reader_errors(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A changed reader may not take another reader's name, nor lose its topic."""
    result = await open_step(hass, init_integration, "edit_reader")
    result = await submit(hass, result, {"reader": "Front door"})

    result = await submit(hass, result, {"name": "BACK DOOR", "topic": ""})

    assert result["step_id"] == "change_reader"
    assert result["errors"] == {"name": "reader_exists", "topic": "topic_required"}

    result = await submit(
        hass, result, {"name": "Front entrance", "topic": FRONT["topic"]}
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert [r["name"] for r in init_integration.options["readers"]] == [
        "Front entrance",
        "Back door",
    ]


@pytest.mark.parametrize("entry_options", [WITH_READERS])
async def test_remove_reader(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A removed reader is gone, the others and the settings stay."""
    result = await open_step(hass, init_integration, "remove_reader")

    result = await submit(hass, result, {"reader": "Front door"})

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.options == {**WITH_READERS, "readers": [BACK]}
    assert [r.name for r in init_integration.runtime_data.readers.readers] == [
        "Back door"
    ]


@pytest.mark.parametrize("entry_options", [WITH_READERS])
async def test_renamed_reader_is_renamed_in_allow_lists(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """An employee limited to a reader keeps it, under its new name."""
    john = init_integration.subentries[JOHN]
    hass.config_entries.async_update_subentry(
        init_integration,
        john,
        data={**john.data, "readers": ["back door", "Front door"]},
    )
    await hass.async_block_till_done()
    result = await open_step(hass, init_integration, "edit_reader")
    result = await submit(hass, result, {"reader": "Back door"})
    result = await submit(hass, result, {**BACK, "name": "Loading dock"})

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.subentries[JOHN].data["readers"] == [
        "Loading dock",
        "Front door",
    ]
    assert "readers" not in init_integration.subentries[JANE].data
    assert init_integration.state is ConfigEntryState.LOADED


WITH_CATALOG = {
    "readers": [
        {
            "name": "Canteen",
            "topic": "door/canteen",
            "role": "reason",
            "template": "",
            "feedback_topic": "",
            "reason": "Lunch",
        }
    ],
    "reasons": [{"name": "Lunch", "reason_id": 6578}],
    "activities": [],
}


@pytest.mark.parametrize("entry_options", [WITH_CATALOG])
async def test_reasons_are_added_renamed_and_kept_while_named(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A renamed reason is renamed in its reader; one a reader names is not removed."""
    result = await open_step(hass, init_integration, "add_reason")
    result = await submit(hass, result, {"name": "Doctor", "reason_id": 7})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.options["reasons"][-1] == {"name": "Doctor", "reason_id": 7}

    result = await open_step(hass, init_integration, "edit_reason")
    result = await submit(hass, result, {"reason": "Lunch"})
    assert result["step_id"] == "change_reason"
    assert suggested(result) == {"name": "Lunch", "reason_id": 6578}
    result = await submit(hass, result, {"name": "doctor", "reason_id": 1})
    assert result["errors"] == {"name": "reason_exists"}
    result = await submit(hass, result, {"name": "Break", "reason_id": 6578})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.options["readers"][0]["reason"] == "Break"

    result = await open_step(hass, init_integration, "remove_reason")
    result = await submit(hass, result, {"reason": "Break"})
    assert result["errors"] == {"reason": "reason_in_use"}
    assert result["description_placeholders"] == {"reader": "Canteen"}
    result = await submit(hass, result, {"reason": "Doctor"})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert [r["name"] for r in init_integration.options["reasons"]] == ["Break"]


@pytest.mark.parametrize("entry_options", [WITH_CATALOG])
async def test_activities_take_one_definition_per_level(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """An activity's levels are data-entry codes or internal ids, from level 1 on."""
    result = await open_step(hass, init_integration, "add_activity")
    base = {"name": "Welding", "definition_kind": "id", "level_1": "4711"}
    result = await submit(hass, result, {**base, "level_1": "order"})
    assert result["errors"] == {"level_1": "level_not_number"}
    result = await submit(hass, result, {**base, "level_3": "12"})
    assert result["errors"] == {"level_2": "level_missing"}
    result = await submit(hass, result, {**base, "level_2": "12"})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.options["activities"] == [
        {
            "name": "Welding",
            "levels": [
                {
                    "level": 1,
                    "definition_id": 4711,
                    "reference": None,
                    "reference_kind": "@data-entry-code",
                },
                {
                    "level": 2,
                    "definition_id": 12,
                    "reference": None,
                    "reference_kind": "@data-entry-code",
                },
            ],
        }
    ]
    result = await open_step(hass, init_integration, "edit_activity")
    result = await submit(hass, result, {"activity": "Welding"})
    assert suggested(result) == {
        "name": "Welding",
        "definition_kind": "id",
        "level_1": "4711",
        "level_2": "12",
    }

    result = await open_step(hass, init_integration, "add_reader")
    result = await submit(
        hass,
        result,
        {"name": "Station", "topic": "door/station", "role": "activity"},
    )
    assert result["errors"] == {"activity": "unknown_activity"}
    result = await submit(
        hass,
        result,
        {
            "name": "Station",
            "topic": "door/station",
            "role": "activity",
            "activity": "Welding",
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.options["readers"][-1]["activity"] == "Welding"
