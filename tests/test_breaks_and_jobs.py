"""Reasons (breaks) and activities (jobs) on a local account, and refused elsewhere."""

from __future__ import annotations

from collections.abc import Generator
import copy
from datetime import timedelta
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)
from pytest_homeassistant_custom_component.typing import MqttMockHAClient

from custom_components.time_clock import readers as readers_module
from custom_components.time_clock.const import DOMAIN

from .conftest import (
    ENTRY_ID,
    JANE,
    JOHN,
    call_punch,
    device_id,
    employee,
    entity_id,
)
from .fake_backend import FakeBackend
from .test_readers import FEEDBACK, FakeClock, feedback, read, reader, tasmota

CANTEEN = "readers/canteen"
WELDING = "readers/welding"
JOHN_TAG = "74103794"
OPTIONS: dict[str, Any] = {
    "readers": [
        reader(
            "Canteen", CANTEEN, role="reason", reason="Lunch", feedback_topic=FEEDBACK
        ),
        reader("Welding station", WELDING, role="activity", activity="Welding"),
    ],
    "reasons": [
        {"name": "Lunch", "reason_id": 6578},
        {"name": "Doctor", "reason_id": 7},
    ],
    "activities": [
        {
            "name": "Welding",
            "levels": [
                {"level": 1, "reference": "00014"},
                {"level": 2, "reference": "10019"},
            ],
        },
        {"name": "Cutting", "levels": [{"level": 1, "definition_id": 41}]},
    ],
    "debounce": 3.0,
    "tag_scanned": True,
    "auto_clock_out_hours": 0,
}


@pytest.fixture
def entry_options() -> dict[str, Any]:
    """Return a local account's options with reasons, activities and their readers."""
    return copy.deepcopy(OPTIONS)


@pytest.fixture
def clock() -> Generator[FakeClock]:
    """Replace the readers' monotonic clock (their debounce window)."""
    fake = FakeClock()
    with patch.object(readers_module, "monotonic", fake):
        yield fake


@pytest.fixture
def expected_lingering_timers() -> bool:
    """Let MQTT's client timers outlive a test, as core does for MQTT users."""
    return True


def state(hass: HomeAssistant, platform: str, key: str, employee: str = JOHN) -> Any:
    """Return the state object of an employee's entity."""
    found = hass.states.get(entity_id(hass, platform, f"{employee}_{key}"))
    assert found is not None
    return found


async def call(hass: HomeAssistant, service: str, **data: Any) -> Any:
    """Call a service for John and return its answer."""
    return await hass.services.async_call(
        DOMAIN,
        service,
        {"device_id": device_id(hass, ENTRY_ID, JOHN), **data},
        blocking=True,
        return_response=True,
    )


async def test_break_for_a_reason(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A clock-out for a reason is a break until the next clock-in."""
    events = async_capture_events(hass, "time_clock_punch")
    lines = async_capture_events(hass, "logbook_entry")
    await call_punch(hass, "clock_in", JOHN)
    answer = await call(hass, "clock_out", reason="lunch")

    assert answer["punches"][0]["reason"] == "Lunch"
    on_break = state(hass, "binary_sensor", "on_break")
    assert (on_break.state, on_break.attributes["reason"]) == ("on", "Lunch")
    assert state(hass, "binary_sensor", "on_shift").state == "off"
    assert events[-1].data["reason"] == "Lunch"
    assert lines[-1].data["message"] == "went on a break (Lunch) by an action"

    await call_punch(hass, "clock_in", JOHN)
    assert state(hass, "binary_sensor", "on_break").state == "off"


async def test_unknown_reason_is_refused_and_records_nothing(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A reason the account does not know is refused before anything is recorded."""
    events = async_capture_events(hass, "time_clock_punch")
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "clock_in", reason="Holiday")
    assert err.value.translation_key == "unknown_reason"
    assert events == []
    assert state(hass, "binary_sensor", "on_shift").state == "off"


async def test_activity_clocks_in_first_and_clock_out_ends_it(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Starting off shift clocks in first; clocking out ends the activity first."""
    events = async_capture_events(hass, "time_clock_punch")
    answer = await call(hass, "start_activity", activity="Welding")

    assert answer["punches"][0]["activity"] == "Welding"
    assert [e.data["action"] for e in events] == ["clock_in", "activity_start"]
    assert state(hass, "sensor", "current_activity").state == "Welding"
    assert state(hass, "binary_sensor", "on_shift").state == "on"

    freezer.tick(timedelta(minutes=30))
    await call(hass, "start_activity", activity="Cutting")
    assert [e.data["action"] for e in events][2:] == ["activity_end", "activity_start"]
    assert state(hass, "sensor", "current_activity").state == "Cutting"
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "start_activity", activity="cutting")
    assert err.value.translation_key == "activity_running"

    freezer.tick(timedelta(minutes=30))
    await call_punch(hass, "clock_out", JOHN)
    assert [e.data["action"] for e in events][4:] == ["activity_end", "clock_out"]
    assert events[4].data["activity"] == "Cutting"
    assert state(hass, "sensor", "current_activity").state == "none"
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "end_activity")
    assert err.value.translation_key == "no_activity"


async def test_activity_refusals(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """An unknown activity, or one in the future, changes nothing."""
    events = async_capture_events(hass, "time_clock_punch")
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "start_activity", activity="Painting")
    assert err.value.translation_key == "unknown_activity"
    future = (dt_util.now() + timedelta(hours=1)).isoformat()
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "start_activity", activity="Welding", time=future)
    assert err.value.translation_key == "time_in_future"
    assert events == []


async def test_reason_and_activity_readers(
    hass: HomeAssistant,
    mqtt_mock: MqttMockHAClient,
    clock: FakeClock,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The canteen reader makes a break; the welding station starts and ends Welding."""
    lines = async_capture_events(hass, "logbook_entry")
    await read(hass, WELDING, tasmota(JOHN_TAG))
    assert state(hass, "sensor", "current_activity").state == "Welding"
    freezer.tick(timedelta(seconds=10))
    clock.tick(10)
    await read(hass, WELDING, tasmota(JOHN_TAG))
    assert state(hass, "sensor", "current_activity").state == "none"
    assert [line.data["message"] for line in lines] == [
        "clocked in at Welding station",
        "started Welding at Welding station",
        "ended Welding at Welding station",
    ]

    freezer.tick(timedelta(seconds=10))
    clock.tick(10)
    await read(hass, CANTEEN, tasmota(JOHN_TAG))
    assert state(hass, "binary_sensor", "on_break").state == "on"
    assert lines[-1].data["message"] == "went on a break (Lunch) at Canteen"
    assert feedback(mqtt_mock, FEEDBACK)[-1]["action"] == "clock_out"
    freezer.tick(timedelta(seconds=10))
    clock.tick(10)
    await read(hass, CANTEEN, tasmota(JOHN_TAG))
    assert state(hass, "binary_sensor", "on_shift").state == "on"
    assert state(hass, "binary_sensor", "on_break").state == "off"


async def test_timesheet_shows_reasons_and_activities(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The timesheet's punches name their reason and activity."""
    await call(hass, "start_activity", activity="Welding")
    await call(hass, "clock_out", reason="Lunch")
    today = dt_util.now().date().isoformat()
    answer = await hass.services.async_call(
        DOMAIN,
        "timesheet",
        {"start": today, "end": today, "employees": [device_id(hass, ENTRY_ID, JOHN)]},
        blocking=True,
        return_response=True,
    )
    punches = answer["employees"][0]["days"][0]["punches"]
    assert [(p["action"], p["reason"], p["activity"]) for p in punches] == [
        ("clock_in", None, None),
        ("activity_start", None, "Welding"),
        ("activity_end", None, "Welding"),
        ("clock_out", "Lunch", None),
    ]


async def test_backend_without_reasons_or_activities_refuses_them(
    hass: HomeAssistant,
    fake_backend: FakeBackend,
    entry_options: dict[str, Any],
) -> None:
    """Calamari takes no reasons or activities: refused at once, nothing queued."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Calamari",
        entry_id=ENTRY_ID,
        data={
            "backend": "calamari",
            "api_url": "https://x.example/api",
            "api_key": "k",
        },
        options=entry_options,
        subentries_data=[
            employee(JOHN, "John White", "john.white@example.com", ["74103794"]),
            employee(JANE, "Jane Doe", "jane.doe@example.com", ["04A1B2C3"]),
        ],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    for service, data, key in (
        ("clock_in", {"reason": "Lunch"}, "reasons_not_supported"),
        ("start_activity", {"activity": "Welding"}, "activities_not_supported"),
        ("end_activity", {}, "activities_not_supported"),
    ):
        with pytest.raises(ServiceValidationError) as err:
            await call(hass, service, **data)
        assert err.value.translation_key == key
    assert fake_backend.delivered == []
    registry = hass.states.async_entity_ids("sensor")
    assert not [e for e in registry if e.endswith("current_activity")]
    assert state(hass, "binary_sensor", "on_shift", JANE).state == "off"
