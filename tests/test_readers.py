"""Tests of the reader input: MQTT readers and tag_scanned events (SPEC §7)."""

from __future__ import annotations

from collections.abc import Generator
import copy
import json
import logging
from pathlib import Path
from typing import Any
from unittest.mock import patch

from homeassistant.components import tag
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_mqtt_message,
)
from pytest_homeassistant_custom_component.typing import (
    MqttMockHAClient,
    MqttMockHAClientGenerator,
)

from custom_components.time_clock import readers as readers_module
from custom_components.time_clock.const import DOMAIN
from custom_components.time_clock.reader_config import (
    Reader,
    compile_template,
    readers_from_options,
)
from custom_components.time_clock.readers import ReaderInput

from .conftest import ENTRY_ID, JANE, JOHN, call_punch, employee, entity_id

FIXTURES = Path(__file__).parent / "fixtures" / "readers"
JOHN_TAG = "74103794"
JANE_TAG = "04A1B2C3"
UNKNOWN_TAG = "DEADBEEF"
FRONT = "tele/frontdoor/SENSOR"
BACK = "tele/backdoor/SENSOR"
ENTRANCE = "readers/entrance"
EXIT = "readers/exit"
CUSTOM = "readers/custom"
FEEDBACK = "time_clock/frontdoor/feedback"
EXIT_FEEDBACK = "time_clock/exit/feedback"


def reader(name: str, topic: str, **extra: str) -> dict[str, str]:
    """Return a reader as the options keep it."""
    return {
        "name": name,
        "topic": topic,
        "role": "toggle",
        "template": "",
        "feedback_topic": "",
        **extra,
    }


OPTIONS: dict[str, Any] = {
    "readers": [
        reader("Front door", FRONT, feedback_topic=FEEDBACK),
        reader("Back door", BACK),
        reader("Entrance", ENTRANCE, role="clock_in", feedback_topic=FEEDBACK),
        reader("Exit", EXIT, role="clock_out", feedback_topic=EXIT_FEEDBACK),
        reader(
            "Custom", CUSTOM, template="{{ value_json.badge.number | default('') }}"
        ),
    ],
    "debounce": 3.0,
    "tag_scanned": True,
    "auto_clock_out_hours": 0,
}


class FakeClock:
    """A monotonic clock moved by hand."""

    def __init__(self) -> None:
        """Start at an arbitrary time."""
        self.now = 1000.0

    def __call__(self) -> float:
        """Return the current time."""
        return self.now

    def tick(self, seconds: float) -> None:
        """Move the clock forward."""
        self.now += seconds


@pytest.fixture
def entry_options() -> dict[str, Any]:
    """Return the account's options: five readers, tag_scanned on."""
    return copy.deepcopy(OPTIONS)


@pytest.fixture(autouse=True)
def clock() -> Generator[FakeClock]:
    """Replace the readers' monotonic clock."""
    fake = FakeClock()
    with patch.object(readers_module, "monotonic", fake):
        yield fake


@pytest.fixture
def expected_lingering_timers() -> bool:
    """Let MQTT's client timers outlive a test, as core does for MQTT users."""
    return True


@pytest.fixture
async def loaded(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient, init_integration: MockConfigEntry
) -> MockConfigEntry:
    """Set up MQTT, then the account."""
    return init_integration


@pytest.fixture
def punches(hass: HomeAssistant) -> list[Event]:
    """Capture the recorded punches (not the deliveries)."""
    return async_capture_events(hass, "time_clock_punch")


def recorded(events: list[Event]) -> list[Event]:
    """Return the punch events of recording, not of delivery."""
    return [event for event in events if not event.data["delivered"]]


def tasmota(uid: str) -> bytes:
    """Return a Tasmota PN532 message carrying a UID."""
    message = json.loads((FIXTURES / "tasmota_pn532.json").read_bytes())
    message["PN532"]["UID"] = uid
    return json.dumps(message).encode()


def on_shift(hass: HomeAssistant, employee_id: str = JOHN) -> bool:
    """Return whether the on-shift sensor of an employee is on."""
    state = hass.states.get(entity_id(hass, "binary_sensor", f"{employee_id}_on_shift"))
    assert state is not None
    return state.state == "on"


def feedback(mqtt_mock: MqttMockHAClient, topic: str) -> list[dict[str, Any]]:
    """Return the feedback messages published to a topic."""
    return [
        json.loads(call.args[1])
        for call in mqtt_mock.async_publish.call_args_list
        if call.args[0] == topic
    ]


async def read(hass: HomeAssistant, topic: str, payload: bytes | str) -> None:
    """Deliver one reader message and let the punch settle."""
    async_fire_mqtt_message(hass, topic, payload)
    await hass.async_block_till_done()


async def test_tasmota_read_punches_john(
    hass: HomeAssistant, loaded: MockConfigEntry, punches: list[Event]
) -> None:
    """A Tasmota PN532 message on the reader topic clocks John in."""
    await read(hass, FRONT, tasmota(JOHN_TAG))

    assert on_shift(hass)
    state = hass.states.get(entity_id(hass, "binary_sensor", f"{JOHN}_on_shift"))
    assert state is not None
    assert state.attributes["last_source"] == "reader"
    [event] = recorded(punches)
    assert event.data["employee"] == "John White"
    assert event.data["action"] == "clock_in"
    assert event.data["source"] == "reader"
    assert event.data["reader"] == "Front door"
    assert not on_shift(hass, JANE)


async def test_separator_forms_are_one_card(
    hass: HomeAssistant, loaded: MockConfigEntry, punches: list[Event]
) -> None:
    """74-10-37-94 and 74:10:37:94 are John's card, and one read within the window."""
    await read(hass, FRONT, "74-10-37-94")
    await read(hass, FRONT, json.dumps({"uid": "74:10:37:94"}))

    assert on_shift(hass)
    assert len(recorded(punches)) == 1


async def test_held_card_is_one_read(
    hass: HomeAssistant,
    loaded: MockConfigEntry,
    punches: list[Event],
    clock: FakeClock,
) -> None:
    """Five messages within the window punch once; one after the window toggles."""
    for _ in range(5):
        await read(hass, FRONT, tasmota(JOHN_TAG))
        clock.tick(0.5)
    assert len(recorded(punches)) == 1
    assert on_shift(hass)

    clock.tick(3.0)
    await read(hass, FRONT, tasmota(JOHN_TAG))

    assert [event.data["action"] for event in recorded(punches)] == [
        "clock_in",
        "clock_out",
    ]
    assert not on_shift(hass)


async def test_held_card_keeps_the_window_open(
    hass: HomeAssistant,
    loaded: MockConfigEntry,
    punches: list[Event],
    clock: FakeClock,
) -> None:
    """A card held longer than the window, repeating every second, is one read."""
    for _ in range(10):
        await read(hass, FRONT, tasmota(JOHN_TAG))
        clock.tick(1.0)

    assert len(recorded(punches)) == 1


async def test_readers_debounce_independently(
    hass: HomeAssistant, loaded: MockConfigEntry, punches: list[Event]
) -> None:
    """The same card at two readers within the window is two reads."""
    await read(hass, FRONT, tasmota(JOHN_TAG))
    await read(hass, BACK, tasmota(JOHN_TAG))

    assert [(e.data["reader"], e.data["action"]) for e in recorded(punches)] == [
        ("Front door", "clock_in"),
        ("Back door", "clock_out"),
    ]


async def test_cards_debounce_independently(
    hass: HomeAssistant, loaded: MockConfigEntry, punches: list[Event]
) -> None:
    """Two cards at one reader within the window are two reads."""
    await read(hass, FRONT, tasmota(JOHN_TAG))
    await read(hass, FRONT, tasmota(JANE_TAG))

    assert on_shift(hass)
    assert on_shift(hass, JANE)


@pytest.mark.parametrize(
    "entry_options",
    [{"readers": [reader("Front door", FRONT)], "debounce": 0}],
)
async def test_zero_debounce_counts_every_read(
    hass: HomeAssistant, loaded: MockConfigEntry, punches: list[Event]
) -> None:
    """With no debounce window every message is a read."""
    await read(hass, FRONT, JOHN_TAG)
    await read(hass, FRONT, JOHN_TAG)

    assert [e.data["action"] for e in recorded(punches)] == ["clock_in", "clock_out"]


async def test_debounce_memory_is_pruned(
    hass: HomeAssistant, loaded: MockConfigEntry, clock: FakeClock
) -> None:
    """Many different cards do not grow the debounce memory without bound."""
    for number in range(600):
        await read(hass, BACK, f"{number:08X}")
        clock.tick(0.01)
    clock.tick(5)
    await read(hass, BACK, JOHN_TAG)

    assert len(loaded.runtime_data.readers.reading.seen) <= 257
    assert on_shift(hass)


async def test_roles(
    hass: HomeAssistant,
    loaded: MockConfigEntry,
    *,
    mqtt_mock: MqttMockHAClient,
    punches: list[Event],
    caplog: pytest.LogCaptureFixture,
    clock: FakeClock,
) -> None:
    """A clock-in reader only clocks in, a clock-out reader only clocks out."""
    await read(hass, ENTRANCE, JOHN_TAG)
    assert on_shift(hass)
    clock.tick(10)

    caplog.set_level(logging.INFO)
    await read(hass, ENTRANCE, JOHN_TAG)

    assert on_shift(hass)
    assert len(recorded(punches)) == 1
    assert "already on shift" in caplog.text
    assert feedback(mqtt_mock, FEEDBACK)[-1] == {
        "employee": "John White",
        "action": "clock_in",
        "on_shift": True,
        "delivered": False,
        "error": "already_on_shift",
    }

    await read(hass, EXIT, JOHN_TAG)
    assert not on_shift(hass)
    clock.tick(10)
    await read(hass, EXIT, JOHN_TAG)

    assert [e.data["action"] for e in recorded(punches)] == ["clock_in", "clock_out"]
    assert feedback(mqtt_mock, EXIT_FEEDBACK)[-1]["error"] == "not_on_shift"
    assert "Traceback" not in caplog.text


def allow_list_entry(entry_options: dict[str, Any]) -> MockConfigEntry:
    """Return the account with John allowed at the back door only."""
    john = employee(JOHN, "John White", "john.white@example.com", [JOHN_TAG])
    john["data"] = {**john["data"], "readers": ["back door"]}
    return MockConfigEntry(
        domain=DOMAIN,
        title="Workshop",
        entry_id=ENTRY_ID,
        data={"backend": "local", "name": "Workshop"},
        options=entry_options,
        subentries_data=[
            john,
            employee(JANE, "Jane Doe", "jane.doe@example.com", [JANE_TAG]),
        ],
    )


async def test_allow_list_refuses_other_readers(
    hass: HomeAssistant,
    mqtt_mock: MqttMockHAClient,
    entry_options: dict[str, Any],
    punches: list[Event],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An employee with a reader list punches only at those readers."""
    entry = allow_list_entry(entry_options)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    caplog.set_level(logging.INFO)

    await read(hass, FRONT, JOHN_TAG)

    assert not on_shift(hass)
    assert not punches
    assert "John White may not punch at reader Front door" in caplog.text
    assert feedback(mqtt_mock, FEEDBACK) == [
        {
            "employee": "John White",
            "action": None,
            "on_shift": False,
            "delivered": False,
            "error": "reader_not_allowed",
        }
    ]

    await read(hass, BACK, JOHN_TAG)
    await read(hass, FRONT, JANE_TAG)

    assert on_shift(hass)
    assert on_shift(hass, JANE)


async def test_unknown_tag(
    hass: HomeAssistant,
    loaded: MockConfigEntry,
    *,
    mqtt_mock: MqttMockHAClient,
    punches: list[Event],
    caplog: pytest.LogCaptureFixture,
    clock: FakeClock,
) -> None:
    """An unknown tag fires an event and logs once per window at info, without its UID."""
    unknown = async_capture_events(hass, "time_clock_unknown_tag")
    caplog.set_level(logging.INFO)

    await read(hass, FRONT, UNKNOWN_TAG)
    clock.tick(0.5)
    await read(hass, FRONT, UNKNOWN_TAG)
    await read(hass, BACK, UNKNOWN_TAG)
    await read(hass, BACK, "CAFEBABE")

    assert [(e.data["uid"], e.data["reader"]) for e in unknown] == [
        (UNKNOWN_TAG, "Front door"),
        (UNKNOWN_TAG, "Back door"),
        ("CAFEBABE", "Back door"),
    ]
    assert unknown[0].data["account"] == "Workshop"
    infos = [
        r
        for r in caplog.records
        if r.levelno >= logging.INFO and "Unknown tag" in r.getMessage()
    ]
    assert len(infos) == 1
    assert all(
        UNKNOWN_TAG not in r.getMessage() and "CAFEBABE" not in r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.INFO
    )
    assert feedback(mqtt_mock, FEEDBACK) == [
        {
            "employee": None,
            "action": None,
            "on_shift": None,
            "delivered": False,
            "error": "unknown_tag",
        }
    ]
    assert not punches

    clock.tick(3.0)
    await read(hass, FRONT, UNKNOWN_TAG)

    assert len(unknown) == 4
    infos = [
        r
        for r in caplog.records
        if r.levelno >= logging.INFO and "Unknown tag" in r.getMessage()
    ]
    assert len(infos) == 2


async def test_feedback_after_punch(
    hass: HomeAssistant, loaded: MockConfigEntry, mqtt_mock: MqttMockHAClient
) -> None:
    """After a punch the reader's feedback topic gets JSON, qos 0, not retained."""
    await read(hass, FRONT, tasmota(JOHN_TAG))

    assert feedback(mqtt_mock, FEEDBACK) == [
        {
            "employee": "John White",
            "action": "clock_in",
            "on_shift": True,
            "delivered": False,
        }
    ]
    [call] = [
        c for c in mqtt_mock.async_publish.call_args_list if c.args[0] == FEEDBACK
    ]
    assert call.args[2:] == (0, False)

    await read(hass, BACK, tasmota(JOHN_TAG))

    assert len(feedback(mqtt_mock, FEEDBACK)) == 1


async def test_feedback_failure_is_swallowed(
    hass: HomeAssistant,
    loaded: MockConfigEntry,
    mqtt_mock: MqttMockHAClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A failing feedback publish changes nothing and raises nothing."""
    with patch(
        "homeassistant.components.mqtt.async_publish",
        side_effect=HomeAssistantError("broker gone"),
    ):
        await read(hass, FRONT, tasmota(JOHN_TAG))

    assert on_shift(hass)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


async def test_punch_failure_is_logged_not_raised(
    hass: HomeAssistant,
    loaded: MockConfigEntry,
    mqtt_mock: MqttMockHAClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An unexpected punch failure is logged and reported to the reader."""
    account = loaded.runtime_data.account
    with patch.object(account, "async_punch", side_effect=OSError("disk full")):
        await read(hass, FRONT, tasmota(JOHN_TAG))

    assert not on_shift(hass)
    assert "the punch of John White failed" in caplog.text
    assert feedback(mqtt_mock, FEEDBACK)[-1]["error"] == "punch_failed"


async def test_punch_not_stored_is_logged_without_traceback(
    hass: HomeAssistant,
    loaded: MockConfigEntry,
    mqtt_mock: MqttMockHAClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A punch the disk refused is an error with its reason, not a crash report."""
    account = loaded.runtime_data.account
    with patch.object(
        account._outbox, "async_append", side_effect=OSError(28, "No space left")
    ):
        await read(hass, FRONT, tasmota(JOHN_TAG))

    assert not on_shift(hass)
    (record,) = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "could not be written to disk" in record.getMessage()
    assert not record.exc_info
    assert feedback(mqtt_mock, FEEDBACK)[-1]["error"] == "punch_failed"


@pytest.mark.parametrize(
    "payload",
    [
        b"\xff\xfe\x00\x81\x92junk\x00",
        b"A" * (1 << 20),
        b'{"uid": "74103794"',
        b'{"PN532": {"UID": ',
        b"[" * 1000,
        b"",
        b"null",
        json.dumps({"uid": ["74103794"]}).encode(),
        (FIXTURES / "esp_rfid_heartbeat.json").read_bytes(),
    ],
    ids=[
        "binary",
        "megabyte",
        "invalid-json",
        "truncated-tasmota",
        "deep",
        "empty",
        "null",
        "list-uid",
        "heartbeat",
    ],
)
async def test_malformed_payload_is_dropped(
    hass: HomeAssistant,
    loaded: MockConfigEntry,
    punches: list[Event],
    caplog: pytest.LogCaptureFixture,
    payload: bytes,
) -> None:
    """Junk on the reader topic raises nothing and punches nothing."""
    unknown = async_capture_events(hass, "time_clock_unknown_tag")

    await read(hass, FRONT, payload)

    assert not punches
    assert not unknown
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


async def test_callback_error_is_swallowed(
    hass: HomeAssistant,
    loaded: MockConfigEntry,
    punches: list[Event],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Even a bug behind the MQTT callback is logged at debug, never raised."""
    caplog.set_level(logging.DEBUG, logger="custom_components.time_clock")
    with patch.object(readers_module, "extract_uid", side_effect=RuntimeError("bug")):
        await read(hass, FRONT, tasmota(JOHN_TAG))

    assert not punches
    assert "message dropped" in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


async def test_retained_message_is_not_a_read(
    hass: HomeAssistant, loaded: MockConfigEntry, punches: list[Event]
) -> None:
    """A retained message replayed on subscribing does not punch."""
    async_fire_mqtt_message(hass, FRONT, tasmota(JOHN_TAG), retain=True)
    await hass.async_block_till_done()

    assert not punches


async def test_template_reader(
    hass: HomeAssistant, loaded: MockConfigEntry, punches: list[Event]
) -> None:
    """A reader's template finds the UID in a format nothing else reads."""
    await read(hass, CUSTOM, json.dumps({"badge": {"number": "04-A1-B2-C3"}}))
    await read(hass, CUSTOM, "not json at all")

    assert on_shift(hass, JANE)
    assert len(recorded(punches)) == 1


@pytest.mark.parametrize(
    "entry_options",
    [{"readers": [reader("Custom", CUSTOM, template="{{ value_json.uid ")]}],
)
async def test_invalid_template_reads_without_it(
    hass: HomeAssistant,
    loaded: MockConfigEntry,
    punches: list[Event],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A broken template (set outside the flow) is reported and the reader still reads."""
    assert any(
        "Reader Custom: its template is not valid" in record.getMessage()
        for record in caplog.get_records("setup")
    )

    await read(hass, CUSTOM, JOHN_TAG)

    assert on_shift(hass)


async def test_template_render(hass: HomeAssistant) -> None:
    """The template gets the text as value and the parsed JSON as value_json."""
    render = compile_template(hass, "{{ value }}|{{ value_json.a if value_json }}")

    assert render('{"a": 1}') == '{"a": 1}|1'
    assert render("x") == "x|"


async def test_tag_scanned_names_reader_from_device(
    hass: HomeAssistant,
    loaded: MockConfigEntry,
    punches: list[Event],
    device_registry: dr.DeviceRegistry,
) -> None:
    """An ESPHome or companion-app scan punches, with the device as the reader."""
    assert await async_setup_component(hass, "tag", {})
    source = MockConfigEntry(domain="esphome")
    source.add_to_hass(hass)
    device = device_registry.async_get_or_create(
        config_entry_id=source.entry_id,
        identifiers={("esphome", "reception")},
        name="Reception reader",
    )

    await tag.async_scan_tag(hass, "74-10-37-94", device.id)
    await hass.async_block_till_done()
    device_registry.async_update_device(device.id, name_by_user="Desk")
    await tag.async_scan_tag(hass, "04a1b2c3", device.id)
    await hass.async_block_till_done()
    await tag.async_scan_tag(hass, "04a1b2c3", None)
    await hass.async_block_till_done()

    assert [(e.data["employee"], e.data["reader"]) for e in recorded(punches)] == [
        ("John White", "Reception reader"),
        ("Jane Doe", "Desk"),
        ("Jane Doe", "Home Assistant"),
    ]


@pytest.mark.parametrize("entry_options", [{"tag_scanned": True}])
async def test_tag_scanned_ids(
    hass: HomeAssistant, init_integration: MockConfigEntry, punches: list[Event]
) -> None:
    """Tag ids are normalised like reader UIDs; ids that are no UID are dropped."""
    unknown = async_capture_events(hass, "time_clock_unknown_tag")

    for data in (
        {"tag_id": None},
        {"tag_id": "ü" * 8},
        {"tag_id": "x" * 100},
        {"tag_id": "garage-key"},
        {"tag_id": "04 a1 b2 c3", "device_id": "no-such-device"},
    ):
        hass.bus.async_fire("tag_scanned", data)
        await hass.async_block_till_done()

    assert [(e.data["employee"], e.data["reader"]) for e in recorded(punches)] == [
        ("Jane Doe", "Home Assistant")
    ]
    assert not unknown


@pytest.mark.parametrize(
    "entry_options", [{"readers": [reader("Front door", FRONT)], "tag_scanned": False}]
)
async def test_tag_scanned_off_ignores_events(
    hass: HomeAssistant, loaded: MockConfigEntry, punches: list[Event]
) -> None:
    """With tag_scanned off, Home Assistant tag scans do not punch."""
    unknown = async_capture_events(hass, "time_clock_unknown_tag")
    hass.bus.async_fire("tag_scanned", {"tag_id": JOHN_TAG})
    hass.bus.async_fire("tag_scanned", {"tag_id": UNKNOWN_TAG})
    await hass.async_block_till_done()

    assert not punches
    assert not unknown

    await read(hass, FRONT, JOHN_TAG)
    assert on_shift(hass)


async def test_tag_scanned_listener_never_raises(
    hass: HomeAssistant,
    loaded: MockConfigEntry,
    punches: list[Event],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A failure while handling tag_scanned is logged at debug only."""
    caplog.set_level(logging.DEBUG, logger="custom_components.time_clock")
    with patch.object(
        ReaderInput, "_device_name", side_effect=RuntimeError("registry broken")
    ):
        hass.bus.async_fire("tag_scanned", {"tag_id": JOHN_TAG, "device_id": "x"})
        await hass.async_block_till_done()

    assert not punches
    assert "tag_scanned dropped" in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


async def test_tag_scanned_unknown_reported_once_across_accounts(
    hass: HomeAssistant, loaded: MockConfigEntry, punches: list[Event]
) -> None:
    """Every account hears tag_scanned; an unknown tag is reported once, a known one never."""
    other = MockConfigEntry(
        domain=DOMAIN,
        title="Office",
        data={"backend": "local", "name": "Office"},
        options={"tag_scanned": True},
        subentries_data=[employee("01OFFICEANNA", "Anna", "anna", ["11223344"])],
    )
    other.add_to_hass(hass)
    assert await hass.config_entries.async_setup(other.entry_id)
    await hass.async_block_till_done()
    unknown = async_capture_events(hass, "time_clock_unknown_tag")

    hass.bus.async_fire("tag_scanned", {"tag_id": UNKNOWN_TAG})
    hass.bus.async_fire("tag_scanned", {"tag_id": "11223344"})
    await hass.async_block_till_done()

    assert [(e.data["uid"], e.data["account"]) for e in unknown] == [
        (UNKNOWN_TAG, "Workshop")
    ]
    assert [e.data["employee"] for e in recorded(punches)] == ["Anna"]


async def test_options_change_moves_subscriptions(
    hass: HomeAssistant, loaded: MockConfigEntry, punches: list[Event]
) -> None:
    """After an options change the account reloads and reads the new topic only."""
    hass.config_entries.async_update_entry(
        loaded,
        options={**loaded.options, "readers": [reader("Gate", "readers/gate")]},
    )
    await hass.async_block_till_done()

    assert loaded.state is ConfigEntryState.LOADED
    await read(hass, FRONT, JOHN_TAG)
    assert not punches

    await read(hass, "readers/gate", JOHN_TAG)
    assert [e.data["reader"] for e in recorded(punches)] == ["Gate"]


async def test_unload_stops_reading(
    hass: HomeAssistant, loaded: MockConfigEntry, punches: list[Event]
) -> None:
    """An unloaded account reads nothing."""
    assert await hass.config_entries.async_unload(loaded.entry_id)
    await hass.async_block_till_done()

    await read(hass, FRONT, JOHN_TAG)
    hass.bus.async_fire("tag_scanned", {"tag_id": JOHN_TAG})
    await hass.async_block_till_done()

    assert not punches


async def test_without_mqtt_repair_issue_and_tag_scanned_works(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    punches: list[Event],
) -> None:
    """Without MQTT the account loads, says readers need MQTT, and tag scans punch."""
    assert init_integration.state is ConfigEntryState.LOADED
    issue = issue_registry.async_get_issue(DOMAIN, f"mqtt_missing_{ENTRY_ID}")
    assert issue is not None
    assert issue.translation_key == "mqtt_missing"
    assert issue.severity is ir.IssueSeverity.WARNING
    assert not issue.is_fixable
    assert issue.translation_placeholders == {
        "account": "Workshop",
        "readers": "Front door, Back door, Entrance, Exit, Custom",
    }

    hass.bus.async_fire("tag_scanned", {"tag_id": JOHN_TAG})
    await hass.async_block_till_done()
    assert on_shift(hass)
    await call_punch(hass, "clock_out", JOHN)
    assert not on_shift(hass)

    assert await hass.config_entries.async_unload(init_integration.entry_id)
    assert issue_registry.async_get_issue(DOMAIN, f"mqtt_missing_{ENTRY_ID}") is None


@pytest.mark.parametrize("entry_options", [{"tag_scanned": True}])
async def test_without_readers_no_issue(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """An account without MQTT readers does not need MQTT."""
    assert issue_registry.async_get_issue(DOMAIN, f"mqtt_missing_{ENTRY_ID}") is None
    assert init_integration.runtime_data.readers.readers == []


async def test_mqtt_set_up_later_starts_readers(
    hass: HomeAssistant,
    *,
    mock_hass_config: None,
    mqtt_mock_entry: MqttMockHAClientGenerator,
    mock_config_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    punches: list[Event],
) -> None:
    """When MQTT comes up after the account, the issue goes and the readers read."""
    mock_config_entry.add_to_hass(hass)
    with patch("homeassistant.components.mqtt.util.AVAILABILITY_TIMEOUT", 0.01):
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()
    assert issue_registry.async_get_issue(DOMAIN, f"mqtt_missing_{ENTRY_ID}")

    await mqtt_mock_entry()
    await hass.async_block_till_done()

    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert issue_registry.async_get_issue(DOMAIN, f"mqtt_missing_{ENTRY_ID}") is None
    await read(hass, FRONT, JOHN_TAG)
    assert [e.data["reader"] for e in recorded(punches)] == ["Front door"]


async def test_subscribe_failure_raises_issue(
    hass: HomeAssistant,
    mqtt_mock: MqttMockHAClient,
    mock_config_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """If MQTT refuses a subscription, the account still loads and says so."""
    mock_config_entry.add_to_hass(hass)
    with patch(
        "homeassistant.components.mqtt.async_subscribe",
        side_effect=HomeAssistantError("not enabled"),
    ):
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()

    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert issue_registry.async_get_issue(DOMAIN, f"mqtt_missing_{ENTRY_ID}")


def test_reader_options_are_read_leniently() -> None:
    """Readers without a topic or with an unknown role are read safely."""
    readers = readers_from_options(
        {
            "readers": [
                {"name": " Gate ", "topic": " a/b ", "role": "sideways"},
                {"name": "No topic", "topic": ""},
                "not a reader",
            ]
        }
    )

    assert readers == [Reader(name="Gate", topic="a/b")]
    assert readers[0].action is None


@pytest.mark.parametrize("expected_lingering_tasks", [True])  # MQTT's own cooldown
async def test_readers_listen_again_after_mqtt_reloads(
    hass: HomeAssistant,
    loaded: MockConfigEntry,
    punches: list[Event],
    issue_registry: ir.IssueRegistry,
) -> None:
    """MQTT unloaded (new broker settings) says so; back, the readers read again."""
    (mqtt_entry,) = hass.config_entries.async_entries("mqtt")
    assert await hass.config_entries.async_unload(mqtt_entry.entry_id)
    await hass.async_block_till_done()
    issue = issue_registry.async_get_issue(DOMAIN, f"mqtt_missing_{ENTRY_ID}")
    assert issue is not None

    assert await hass.config_entries.async_setup(mqtt_entry.entry_id)
    await hass.async_block_till_done()

    assert loaded.state is ConfigEntryState.LOADED
    assert issue_registry.async_get_issue(DOMAIN, f"mqtt_missing_{ENTRY_ID}") is None
    await read(hass, FRONT, JOHN_TAG)
    assert [e.data["reader"] for e in recorded(punches)] == ["Front door"]

    # A reload in one go, as the MQTT options flow does.
    assert await hass.config_entries.async_reload(mqtt_entry.entry_id)
    await hass.async_block_till_done()
    await read(hass, FRONT, JANE_TAG)
    assert [e.data["reader"] for e in recorded(punches)] == ["Front door"] * 2
