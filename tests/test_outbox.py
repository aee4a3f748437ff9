"""Tests of the durable outbox: order, retries, restarts and every error class."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import copy
from datetime import timedelta
import logging
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir, storage
from homeassistant.util import dt as dt_util
from homeassistant.util.file import WriteError
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.time_clock.api import (
    Action,
    TimeClockAuthenticationError,
    TimeClockConnectionError,
    TimeClockRateLimitedError,
    TimeClockRejectedError,
)
from custom_components.time_clock.const import DOMAIN
from custom_components.time_clock.outbox import backoff_delay
from custom_components.time_clock.storage import TimeClockStore

from .conftest import ENTRY_ID, JANE, JOHN, call_punch, employee, entity_id
from .fake_backend import FakeBackend

TEN = [f"01EMPLOYEE{i:02d}000000000000000" for i in range(10)]


def pending(hass: HomeAssistant) -> int:
    """Return the pending punches sensor's value."""
    return int(
        hass.states.get(entity_id(hass, "sensor", f"{ENTRY_ID}_pending_punches")).state
    )


async def drain(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, rounds: int = 50
) -> None:
    """Let the outbox run, moving time past every backoff wait."""
    for _ in range(rounds):
        await hass.async_block_till_done()
        if pending(hass) == 0:
            return
        freezer.tick(timedelta(seconds=301))
        async_fire_time_changed(hass)
    await hass.async_block_till_done()


@pytest.fixture
def ten_employees_entry() -> MockConfigEntry:
    """Return a local account with ten employees."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="Workshop",
        entry_id=ENTRY_ID,
        data={"backend": "local", "name": "Workshop"},
        subentries_data=[
            employee(sub, f"Employee {i}", f"e{i}@example.com", [f"AA{i:02d}"])
            for i, sub in enumerate(TEN)
        ],
    )


async def _setup(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Set the account up."""
    await hass.config.async_set_time_zone("Europe/Warsaw")
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


async def _hundred_punches(hass: HomeAssistant) -> list[tuple[str, str, str]]:
    """Record 100 punches across ten employees while the backend is down."""
    start = dt_util.utcnow() - timedelta(hours=3)
    made = []
    for i in range(100):
        employee_id = TEN[(i * 3) % 10]
        when = start + timedelta(minutes=i, seconds=7)
        result = await call_punch(hass, "punch", employee_id, when=when)
        made.append((employee_id, result["punches"][0]["action"], when.isoformat()))
    return made


def _assert_delivered_in_order(
    backend: FakeBackend, made: list[tuple[str, str, str]]
) -> None:
    """Assert every punch reached the backend once, in order, with its own time."""
    got = [(p.person, p.action.value, p.time.isoformat()) for p in backend.delivered]
    expected = [(f"e{TEN.index(e)}@example.com", a, t) for e, a, t in made]
    assert got == expected
    assert len({p.punch_id for p in backend.delivered}) == 100


async def test_hundred_punches_delivered_in_order_after_transient_outage(
    hass: HomeAssistant,
    fake_backend: FakeBackend,
    ten_employees_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """100 punches of 10 employees wait out an outage and go out in order, on time.

    The log says once that the backend cannot be reached and once that it can again,
    however many attempts fail in between.
    """
    caplog.set_level(logging.INFO, logger="custom_components.time_clock")
    fake_backend.down = True
    await _setup(hass, ten_employees_entry)
    made = await _hundred_punches(hass)
    await hass.async_block_till_done()
    for _ in range(3):
        freezer.tick(timedelta(minutes=10))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
    assert fake_backend.attempts > 3
    assert pending(hass) == 100
    assert fake_backend.delivered == []
    reachable = entity_id(hass, "binary_sensor", f"{ENTRY_ID}_backend_reachable")
    assert hass.states.get(reachable).state == "off"

    fake_backend.down = False
    await drain(hass, freezer)
    assert pending(hass) == 0
    assert hass.states.get(reachable).state == "on"
    _assert_delivered_in_order(fake_backend, made)
    logged = [r.getMessage() for r in caplog.records if "reached" in r.getMessage()]
    assert logged == [
        "The backend of Workshop cannot be reached; punches wait",
        "The backend of Workshop can be reached again",
    ]


async def test_reload_and_restart_mid_drain_lose_and_duplicate_nothing(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    fake_backend: FakeBackend,
    ten_employees_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A reload, then a power cut, in the middle of a drain lose and repeat nothing."""
    fake_backend.down = True
    await _setup(hass, ten_employees_entry)
    made = await _hundred_punches(hass)

    # The backend comes back but fails again after 30 deliveries: reload then.
    fake_backend.down = False
    fake_backend.fail_after = 30
    await drain(hass, freezer, rounds=2)
    assert len(fake_backend.delivered) == 30
    assert await hass.config_entries.async_reload(ten_employees_entry.entry_id)
    await hass.async_block_till_done()
    assert pending(hass) == 70

    # Power cut after 60 deliveries: only what was written to disk survives.
    fake_backend.fail_after = 60
    freezer.tick(timedelta(seconds=301))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert len(fake_backend.delivered) == 60
    on_disk = copy.deepcopy(hass_storage)
    assert await hass.config_entries.async_unload(ten_employees_entry.entry_id)
    hass_storage.clear()
    hass_storage.update(on_disk)

    fake_backend.fail_after = None
    assert await hass.config_entries.async_setup(ten_employees_entry.entry_id)
    await drain(hass, freezer)
    assert pending(hass) == 0
    _assert_delivered_in_order(fake_backend, made)


async def test_punch_on_disk_before_it_is_reported(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    fake_backend: FakeBackend,
    init_integration: MockConfigEntry,
) -> None:
    """The punch is in storage when the event fires and when the service returns."""
    fake_backend.down = True
    seen_on_disk: list[bool] = []

    def on_punch(event: Any) -> None:
        seen_on_disk.append(_stored_ids(hass_storage) >= {event.data["time"]})

    hass.bus.async_listen("time_clock_punch", on_punch)
    result = await call_punch(hass, "clock_in", JOHN)
    assert result["punches"][0]["time"] in _stored_ids(hass_storage)
    await hass.async_block_till_done()
    assert seen_on_disk == [True]


def _stored_ids(hass_storage: dict[str, Any]) -> set[str]:
    """Return the times of every punch in the storage segments."""
    return {
        punch["time"]
        for key, value in hass_storage.items()
        if key.startswith(f"{DOMAIN}.{ENTRY_ID}.punches.")
        for punch in value["data"]["punches"]
    }


class _HeldSegmentWrites:
    """Hold every write of a punch segment until released; fail it if told."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.error: OSError | None = None
        self.held = 0
        save = TimeClockStore.async_save

        async def async_save(store: TimeClockStore, data: Any) -> None:
            if ".punches." in store.key:
                self.held += 1
                await self.release.wait()
                if self.error is not None:
                    raise self.error
            await save(store, data)

        self.async_save = async_save


async def _until(predicate: Callable[[], bool]) -> None:
    """Run the event loop until ``predicate`` holds (or fail after a while)."""
    for _ in range(1000):
        if predicate():
            return
        await asyncio.sleep(0)
    raise AssertionError("condition never held")


async def test_idle_punch_is_sent_while_it_is_written(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    fake_backend: FakeBackend,
    init_integration: MockConfigEntry,
) -> None:
    """On an idle outbox the request goes out while the punch is written.

    The punch is reported (event, state, service return) and settled only once
    it is on disk: sending is not reporting.
    """
    events = async_capture_events(hass, "time_clock_punch")
    held = _HeldSegmentWrites()
    with patch.object(TimeClockStore, "async_save", held.async_save):
        call = hass.async_create_task(call_punch(hass, "clock_in", JOHN))
        await _until(lambda: len(fake_backend.delivered) == 1)
        assert held.held == 1
        assert not call.done()
        assert events == []
        assert (
            hass.states.get(entity_id(hass, "binary_sensor", f"{JOHN}_on_shift")).state
            == "off"
        )
        assert _stored_ids(hass_storage) == set()

        held.release.set()
        result = await call
        await hass.async_block_till_done()

    assert result["punches"][0]["time"] in _stored_ids(hass_storage)
    assert [e.data["delivered"] for e in events] == [False, True]
    assert (
        hass.states.get(entity_id(hass, "binary_sensor", f"{JOHN}_on_shift")).state
        == "on"
    )
    assert pending(hass) == 0
    assert fake_backend.delivered[0].action is Action.CLOCK_IN


async def test_punch_sent_while_its_write_fails_is_not_recorded(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    fake_backend: FakeBackend,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A write that fails after the send: the caller is told, nothing is kept."""
    events = async_capture_events(hass, "time_clock_punch")
    held = _HeldSegmentWrites()
    held.error = OSError(28, "No space left on device")
    with patch.object(TimeClockStore, "async_save", held.async_save):
        call = hass.async_create_task(call_punch(hass, "clock_in", JOHN))
        await _until(lambda: len(fake_backend.delivered) == 1)
        held.release.set()
        with pytest.raises(HomeAssistantError) as err:
            await call
        await hass.async_block_till_done()

    assert err.value.translation_key == "punch_not_stored"
    assert "could not be written to disk" in str(err.value)
    assert events == []
    assert pending(hass) == 0
    assert _stored_ids(hass_storage) == set()
    assert (
        hass.states.get(entity_id(hass, "binary_sensor", f"{JOHN}_on_shift")).state
        == "off"
    )
    assert "the backend may hold a punch" in caplog.text

    # The next punch takes the number the failed one had, and goes out as usual,
    # again while it is written: nothing was left in flight.
    held = _HeldSegmentWrites()
    with patch.object(TimeClockStore, "async_save", held.async_save):
        call = hass.async_create_task(call_punch(hass, "clock_in", JOHN))
        await _until(lambda: len(fake_backend.delivered) == 2)
        held.release.set()
        result = await call
    await hass.async_block_till_done()
    assert pending(hass) == 0
    assert len(fake_backend.delivered) == 2
    segment = hass_storage[f"{DOMAIN}.{ENTRY_ID}.punches.1"]["data"]["punches"]
    assert [p["seq"] for p in segment] == [1]
    assert segment[0]["time"] == result["punches"][0]["time"]
    assert [e.data["delivered"] for e in events] == [False, True]


async def test_punch_waiting_for_the_outbox_is_not_sent_before_it_is_written(
    hass: HomeAssistant,
    fake_backend: FakeBackend,
    init_integration: MockConfigEntry,
) -> None:
    """Only a punch that goes next may leave before its write: order holds."""
    fake_backend.down = True
    await call_punch(hass, "clock_in", JOHN)
    await hass.async_block_till_done()
    assert pending(hass) == 1
    fake_backend.down = False

    held = _HeldSegmentWrites()
    with patch.object(TimeClockStore, "async_save", held.async_save):
        call = hass.async_create_task(call_punch(hass, "clock_in", JANE))
        await _until(lambda: held.held == 1)
        await hass.services.async_call(DOMAIN, "retry", {}, blocking=True)
        await _until(lambda: len(fake_backend.delivered) == 1)
        for _ in range(50):
            await asyncio.sleep(0)
        assert [p.person for p in fake_backend.delivered] == ["john.white@example.com"]
        held.release.set()
        await call
        await hass.async_block_till_done()

    assert [p.person for p in fake_backend.delivered] == [
        "john.white@example.com",
        "jane.doe@example.com",
    ]
    assert pending(hass) == 0


async def test_rate_limited_waits_as_told(
    hass: HomeAssistant,
    fake_backend: FakeBackend,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A 429 keeps the punch and waits for Retry-After before the next try."""
    fake_backend.errors = [TimeClockRateLimitedError("quota", retry_after=120)]
    await call_punch(hass, "clock_in", JOHN)
    await hass.async_block_till_done()
    assert fake_backend.attempts == 1
    assert pending(hass) == 1

    freezer.tick(timedelta(seconds=100))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert fake_backend.attempts == 1

    freezer.tick(timedelta(seconds=21))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert fake_backend.attempts == 2
    assert pending(hass) == 0
    assert len(fake_backend.delivered) == 1


async def test_rate_limited_without_retry_after_waits_default(
    hass: HomeAssistant,
    fake_backend: FakeBackend,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A 429 without Retry-After waits a minute."""
    fake_backend.errors = [TimeClockRateLimitedError("quota")]
    await call_punch(hass, "clock_in", JOHN)
    await hass.async_block_till_done()
    freezer.tick(timedelta(seconds=61))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert pending(hass) == 0


async def test_authentication_error_pauses_and_starts_reauth(
    hass: HomeAssistant,
    fake_backend: FakeBackend,
    init_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Refused credentials pause delivery, start reauth and raise a repair issue."""
    fake_backend.errors = [TimeClockAuthenticationError("invalid api key")]
    await call_punch(hass, "clock_in", JOHN)
    await hass.async_block_till_done()
    await call_punch(hass, "clock_in", JANE)
    freezer.tick(timedelta(seconds=600))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()

    assert fake_backend.attempts == 1
    assert pending(hass) == 2
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [f["context"]["source"] for f in flows] == [SOURCE_REAUTH]
    assert issue_registry.async_get_issue(DOMAIN, f"auth_failed_{ENTRY_ID}") is not None

    # New credentials: the account reloads and delivers everything.
    result = await hass.config_entries.flow.async_configure(flows[0]["flow_id"], {})
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert init_integration.state is ConfigEntryState.LOADED
    assert pending(hass) == 0
    assert [p.person for p in fake_backend.delivered] == [
        "john.white@example.com",
        "jane.doe@example.com",
    ]
    assert issue_registry.async_get_issue(DOMAIN, f"auth_failed_{ENTRY_ID}") is None


async def test_retry_service_resumes_paused_outbox(
    hass: HomeAssistant,
    fake_backend: FakeBackend,
    init_integration: MockConfigEntry,
) -> None:
    """The retry service tries again at once, also after an authentication pause."""
    fake_backend.errors = [TimeClockAuthenticationError("invalid api key")]
    await call_punch(hass, "clock_in", JOHN)
    await hass.async_block_till_done()
    assert pending(hass) == 1
    await hass.services.async_call(
        DOMAIN, "retry", {"account": ENTRY_ID}, blocking=True
    )
    await hass.async_block_till_done()
    assert pending(hass) == 0


async def test_retry_service_skips_backoff(
    hass: HomeAssistant,
    fake_backend: FakeBackend,
    init_integration: MockConfigEntry,
) -> None:
    """After a transient failure the retry service sends before the backoff ends."""
    fake_backend.errors = [TimeClockConnectionError("refused")]
    await call_punch(hass, "clock_in", JOHN)
    await hass.async_block_till_done()
    assert pending(hass) == 1
    await hass.services.async_call(DOMAIN, "retry", {}, blocking=True)
    await hass.async_block_till_done()
    assert pending(hass) == 0


async def test_rejected_punch_goes_to_failed_list(
    hass: HomeAssistant,
    fake_backend: FakeBackend,
    init_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """A rejected punch moves to the failed list, fires an event, raises an issue."""
    failed_events = async_capture_events(hass, "time_clock_punch_failed")
    fake_backend.errors = [
        TimeClockRejectedError("unknown employee", code="INVALID_EMPLOYEE")
    ]
    await call_punch(hass, "clock_in", JOHN)
    await call_punch(hass, "clock_in", JANE)
    await hass.async_block_till_done()

    assert pending(hass) == 0
    assert [p.person for p in fake_backend.delivered] == ["jane.doe@example.com"]
    account = init_integration.runtime_data.account
    assert [
        (f["employee"], f["code"]) for f in account.delivery_details()["failed"]
    ] == [(JOHN, "INVALID_EMPLOYEE")]
    assert len(failed_events) == 1
    assert failed_events[0].data["employee"] == "John White"
    assert failed_events[0].data["code"] == "INVALID_EMPLOYEE"
    issue = issue_registry.async_get_issue(DOMAIN, f"punch_rejected_{ENTRY_ID}")
    assert issue is not None
    assert issue.translation_placeholders["employee"] == "John White"
    assert issue.translation_placeholders["code"] == "INVALID_EMPLOYEE"


async def test_ambiguous_failure_marks_punch_uncertain(
    hass: HomeAssistant,
    fake_backend: FakeBackend,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """After a timeout that may have reached the backend the resend says so."""
    fake_backend.errors = [TimeClockConnectionError("timeout", ambiguous=True)]
    await call_punch(hass, "clock_in", JOHN)
    await drain(hass, freezer)
    assert [p.uncertain for p in fake_backend.delivered] == [True]


async def test_unexpected_error_keeps_the_punch(
    hass: HomeAssistant,
    fake_backend: FakeBackend,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A bug in a client never kills the sender nor drops the punch."""
    fake_backend.errors = [RuntimeError("bug")]  # type: ignore[list-item]
    await call_punch(hass, "clock_in", JOHN)
    await hass.async_block_till_done()
    assert pending(hass) == 1
    await drain(hass, freezer)
    assert pending(hass) == 0


def test_backoff_is_exponential_jittered_and_capped() -> None:
    """Waits double per attempt, stay within half of the ceiling, and stop at 5 min."""
    assert backoff_delay(1, rand=lambda: 1.0) == 2.0
    assert backoff_delay(1, rand=lambda: 0.0) == 1.0
    assert backoff_delay(4, rand=lambda: 1.0) == 16.0
    assert backoff_delay(50, rand=lambda: 1.0) == 300.0
    assert backoff_delay(50, rand=lambda: 0.0) == 150.0


async def test_punch_behind_others_whose_write_fails_is_not_recorded(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    fake_backend: FakeBackend,
    init_integration: MockConfigEntry,
) -> None:
    """A punch waiting behind others whose write fails: refused, nothing kept."""
    fake_backend.down = True
    await call_punch(hass, "clock_in", JOHN)
    await hass.async_block_till_done()
    held = _HeldSegmentWrites()
    held.error = OSError(28, "No space left on device")
    held.release.set()
    with (
        patch.object(TimeClockStore, "async_save", held.async_save),
        pytest.raises(HomeAssistantError) as err,
    ):
        await call_punch(hass, "clock_in", JANE)
    assert err.value.translation_key == "punch_not_stored"
    assert pending(hass) == 1

    result = await call_punch(hass, "clock_in", JANE)
    segment = hass_storage[f"{DOMAIN}.{ENTRY_ID}.punches.1"]["data"]["punches"]
    assert [p["seq"] for p in segment] == [1, 2]
    assert segment[1]["time"] == result["punches"][0]["time"]
    fake_backend.down = False
    await hass.services.async_call(DOMAIN, "retry", {}, blocking=True)
    await hass.async_block_till_done()
    assert [p.person for p in fake_backend.delivered] == [
        "john.white@example.com",
        "jane.doe@example.com",
    ]


@pytest.mark.parametrize("busy", [False, True], ids=["idle", "behind_others"])
async def test_write_that_home_assistant_only_logs_refuses_the_punch(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    fake_backend: FakeBackend,
    init_integration: MockConfigEntry,
    busy: bool,
) -> None:
    """Home Assistant's Store logs a failed write and returns: the punch is refused."""
    if busy:
        fake_backend.down = True
        await call_punch(hass, "clock_in", JANE)
    events = async_capture_events(hass, "time_clock_punch")
    real_write = storage.Store._async_write_data

    async def failing_write(store: storage.Store, *args: Any) -> None:
        if ".punches." in store.key:
            raise WriteError("Read-only file system")
        await real_write(store, *args)

    with (
        patch.object(storage.Store, "_async_write_data", failing_write),
        pytest.raises(HomeAssistantError) as err,
    ):
        await call_punch(hass, "clock_in", JOHN)
    await hass.async_block_till_done()

    assert err.value.translation_key == "punch_not_stored"
    assert "Read-only file system" in str(err.value)
    assert events == []
    state = hass.states.get(entity_id(hass, "binary_sensor", f"{JOHN}_on_shift"))
    assert state is not None
    assert state.state == "off"
