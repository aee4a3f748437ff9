"""The whole life of an account uses nothing deprecated, on every release tested.

Home Assistant reports a custom integration's use of a deprecated API in its log
("Detected that custom integration 'time_clock' ...", the frame helper; "... was
used from time_clock, this is a deprecated ...", the deprecation helper); Python and
the libraries warn with a ``DeprecationWarning``. Either fails the test here, at both
ends of the tested range, before a release that turns the warning into an error
reaches users.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
import json
from pathlib import Path
import warnings

from homeassistant.config_entries import SOURCE_USER, ConfigEntry, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import frame
import pytest
from pytest_homeassistant_custom_component.common import (
    async_capture_events,
    async_fire_mqtt_message,
)
from pytest_homeassistant_custom_component.typing import MqttMockHAClient

import custom_components.time_clock
from custom_components.time_clock.const import DOMAIN
from tests.fakes.calamari import FakeCalamari

from .conftest import device_id, entity_id, until

INTEGRATION = Path(custom_components.time_clock.__file__).parent
API_KEY = "life-key"
JOHN_EMAIL = "john.white@example.com"
JOHN_TAG = "74103794"
READER_TOPIC = "tele/frontdoor/SENSOR"
FRAME_REPORT = f"integration '{DOMAIN}' "
HELPER_REPORT = f" from {DOMAIN}, this is a deprecated "


@pytest.fixture
def expected_lingering_timers() -> bool:
    """Let MQTT's client timers outlive a test, as core does for MQTT users."""
    return True


@contextmanager
def watch_deprecations(caplog: pytest.LogCaptureFixture) -> Iterator[list[str]]:
    """Collect, when the block ends, every deprecation Time Clock's code caused in it."""
    found: list[str] = []
    first = len(caplog.records)
    with (
        # The frame helper reports a line of code once per process: forget the reports
        # of earlier tests (a private set of homeassistant.helpers.frame).
        pytest.MonkeyPatch.context() as monkeypatch,
        warnings.catch_warnings(record=True) as caught,
    ):
        monkeypatch.setattr(frame, "_REPORTED_INTEGRATIONS", set())
        warnings.simplefilter("always")
        yield found
    found.extend(
        f"{w.filename}:{w.lineno}: {w.category.__name__}: {w.message}"
        for w in caught
        if issubclass(w.category, (DeprecationWarning, PendingDeprecationWarning))
        and Path(w.filename).is_relative_to(INTEGRATION)
    )
    found.extend(
        record.getMessage()
        for record in caplog.records[first:]
        if FRAME_REPORT in record.getMessage() or HELPER_REPORT in record.getMessage()
    )


@pytest.fixture
async def calamari(socket_enabled: None) -> AsyncIterator[FakeCalamari]:
    """Run a Calamari tenant on 127.0.0.1 that knows John White."""
    fake = FakeCalamari(api_key=API_KEY)
    fake.add_person(JOHN_EMAIL)
    await fake.start()
    yield fake
    await fake.stop()


async def add_account(hass: HomeAssistant, backend: str, fake: FakeCalamari) -> str:
    """Create the account through the config flow and return its entry id."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.MENU
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": backend}
    )
    assert result["type"] is FlowResultType.FORM
    user_input = (
        {"name": "Workshop"}
        if backend == "local"
        else {"api_url": fake.url, "api_key": API_KEY}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    await hass.async_block_till_done()
    return str(result["result"].entry_id)


async def add_employee(hass: HomeAssistant, entry: ConfigEntry) -> str:
    """Add John White through the subentry flow and return his subentry id."""
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "employee"), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {"name": "John White", "identifier": JOHN_EMAIL, "tags": [JOHN_TAG]},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    await hass.async_block_till_done()
    return next(iter(entry.subentries))


async def add_reader(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Add the front door reader through the options flow."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.MENU
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "add_reader"}
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"name": "Front door", "topic": READER_TOPIC}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    await hass.async_block_till_done()


@pytest.mark.parametrize("backend", ["local", "calamari"])
async def test_account_life_uses_nothing_deprecated(
    hass: HomeAssistant,
    mqtt_mock: MqttMockHAClient,
    calamari: FakeCalamari,
    caplog: pytest.LogCaptureFixture,
    backend: str,
) -> None:
    """Flows, button, service and reader punches, reload, unload and removal."""
    await hass.config.async_set_time_zone("Europe/Warsaw")
    events = async_capture_events(hass, "time_clock_punch")
    with watch_deprecations(caplog) as deprecations:
        entry_id = await add_account(hass, backend, calamari)
        entry = hass.config_entries.async_get_entry(entry_id)
        assert entry is not None
        assert entry.state is ConfigEntryState.LOADED
        john = await add_employee(hass, entry)
        await add_reader(hass, entry)

        await hass.services.async_call(
            "button",
            "press",
            {"entity_id": entity_id(hass, "button", f"{john}_clock_in")},
            blocking=True,
        )
        await hass.services.async_call(
            DOMAIN,
            "clock_out",
            {"device_id": device_id(hass, entry_id, john)},
            blocking=True,
            return_response=True,
        )
        async_fire_mqtt_message(
            hass, READER_TOPIC, json.dumps({"PN532": {"UID": JOHN_TAG, "DATA": ""}})
        )
        await hass.async_block_till_done()
        recorded = [e for e in events if not e.data["delivered"]]
        assert [e.data["action"] for e in recorded] == [
            "clock_in",
            "clock_out",
            "clock_in",
        ]
        if backend == "calamari":
            await until(hass, lambda: len(calamari.accepted) == 3, "the deliveries")

        assert await hass.config_entries.async_reload(entry_id)
        await hass.async_block_till_done()
        assert entry.state is ConfigEntryState.LOADED
        assert await hass.config_entries.async_unload(entry_id)
        await hass.async_block_till_done()
        assert entry.state is ConfigEntryState.NOT_LOADED
        assert await hass.config_entries.async_setup(entry_id)
        await hass.async_block_till_done()
        await hass.config_entries.async_remove(entry_id)
        await hass.async_block_till_done()
        assert hass.config_entries.async_get_entry(entry_id) is None
    assert deprecations == []


async def test_watch_sees_a_deprecation_warning_from_the_integration(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A DeprecationWarning raised in Time Clock's code is caught; others are not."""
    with watch_deprecations(caplog) as deprecations:
        warnings.warn_explicit(
            "old", DeprecationWarning, str(INTEGRATION / "store.py"), 1
        )
        warnings.warn_explicit("old", DeprecationWarning, "/elsewhere/library.py", 1)
    assert len(deprecations) == 1
    assert "store.py:1: DeprecationWarning: old" in deprecations[0]


async def test_watch_sees_a_frame_report_from_the_integration(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    """A frame helper report about a line of Time Clock's code is caught, every time."""
    # Code compiled as a line of the integration, as the frame helper finds callers.
    code = compile(
        "report_usage('calls a retired helper')", str(INTEGRATION / "punch.py"), "exec"
    )
    for _ in range(2):
        with watch_deprecations(caplog) as deprecations:
            exec(code, {"report_usage": frame.report_usage})  # noqa: S102
        assert len(deprecations) == 1
        assert "integration 'time_clock' calls a retired helper" in deprecations[0]
