"""Tests of the punch store: segments, linear write cost, retention and migration."""

from __future__ import annotations

from collections.abc import Generator
from datetime import timedelta
import json
from typing import Any
from unittest.mock import patch

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import storage
from homeassistant.util import dt as dt_util
import pytest

from custom_components.time_clock.api import Action
from custom_components.time_clock.punch import Source
from custom_components.time_clock.storage import (
    SEGMENT_SIZE,
    AccountFiles,
    TimeClockStore,
)

from .store_harness import StoreHarness as PunchStore

ENTRY = "store_test"


async def _fill(store: PunchStore, count: int, *, start: Any = None) -> None:
    """Append ``count`` alternating punches of one employee."""
    start = start or dt_util.utcnow() - timedelta(days=1)
    for i in range(count):
        await store.async_append(
            employee_id="emp",
            action=Action.CLOCK_IN if i % 2 == 0 else Action.CLOCK_OUT,
            time=start + timedelta(seconds=i),
            source=Source.SERVICE,
        )


async def _drain(store: PunchStore) -> None:
    """Deliver every punch the way the outbox does."""
    while (punch := store.next_pending()) is not None:
        await store.async_mark_in_flight(punch)
        store.settle(punch, delivered=True)


@pytest.fixture
def bytes_written(hass_storage: dict[str, Any]) -> Generator[list[int]]:
    """Count the bytes of every storage write."""
    written: list[int] = []
    original = storage.Store._async_write_data

    # Takes *args: Store._async_write_data lost its path argument in 2026.1.
    async def spy(self: storage.Store, *args: Any) -> None:
        await original(self, *args)
        written.append(len(json.dumps(hass_storage[self.key])))

    with patch.object(storage.Store, "_async_write_data", spy):
        yield written


async def test_drain_writes_bytes_linear_in_backlog(
    hass: HomeAssistant, bytes_written: list[int]
) -> None:
    """Delivering a backlog rewrites only the small cursor per punch, whatever the backlog."""
    per_punch = []
    for count in (300, 1500):
        store = PunchStore(hass, f"{ENTRY}_{count}")
        await store.async_load()
        await _fill(store, count)
        bytes_written.clear()
        await _drain(store)
        await store.async_flush()
        per_punch.append(sum(bytes_written) / count)
    assert per_punch[0] < 400
    assert per_punch[1] < per_punch[0] * 1.2


async def test_segments_roll_over_and_reload(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """Punches spread over segments; a new store sees them all, in order."""
    store = PunchStore(hass, ENTRY)
    await store.async_load()
    await _fill(store, SEGMENT_SIZE * 2 + 5)
    keys = sorted(
        k for k in hass_storage if k.startswith(f"time_clock.{ENTRY}.punches.")
    )
    assert len(keys) == 3
    assert all(len(hass_storage[k]["data"]["punches"]) <= SEGMENT_SIZE for k in keys)

    again = PunchStore(hass, ENTRY)
    await again.async_load()
    assert again.pending_count == SEGMENT_SIZE * 2 + 5
    seqs = [p.seq for p in again.pending_punches()]
    assert seqs == list(range(1, SEGMENT_SIZE * 2 + 6))
    assert again.employees["emp"].on_shift is True


async def test_in_flight_punch_is_uncertain_after_a_crash(hass: HomeAssistant) -> None:
    """A punch that was being sent when the power went is resent as uncertain."""
    store = PunchStore(hass, ENTRY)
    await store.async_load()
    await _fill(store, 3)
    first = store.next_pending()
    assert first is not None
    await store.async_mark_in_flight(first)

    again = PunchStore(hass, ENTRY)
    await again.async_load()
    assert again.uncertain == {first.seq}
    assert again.pending_count == 3


async def test_settled_segments_are_removed_after_retention(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """The local record keeps delivered segments for the retention period only."""
    store = PunchStore(hass, ENTRY)
    await store.async_load()
    await _fill(store, SEGMENT_SIZE + 1, start=dt_util.utcnow() - timedelta(days=90))
    await _drain(store)
    await store.async_flush()
    before = {k for k in hass_storage if ".punches." in k}
    await _fill(store, SEGMENT_SIZE, start=dt_util.utcnow())
    after = {k for k in hass_storage if ".punches." in k}
    assert f"time_clock.{ENTRY}.punches.1" in before
    assert f"time_clock.{ENTRY}.punches.1" not in after


async def test_failed_list_is_bounded(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    """Past the bound, the oldest failures are dropped with a warning, never silently."""
    from custom_components.time_clock import failed_list as store_module

    store = PunchStore(hass, ENTRY)
    await store.async_load()
    await _fill(store, 5)
    store_module.MAX_FAILED, saved = 3, store_module.MAX_FAILED
    try:
        while (punch := store.next_pending()) is not None:
            await store.async_fail(punch, code="INVALID_TIME", message="bad")
    finally:
        store_module.MAX_FAILED = saved
    assert [f["seq"] for f in store.failed] == [3, 4, 5]
    assert "dropping the 1 oldest" in caplog.text
    await store.async_clear_failed()
    assert store.failed == []


async def test_backend_state_and_forgotten_employees(hass: HomeAssistant) -> None:
    """Backend state is written at once; employees no longer configured are forgotten."""
    store = PunchStore(hass, ENTRY)
    await store.async_load()
    await _fill(store, 1)
    await store.async_set_backend_state("emp", {"work_session_id": 7})
    await store.async_set_backend_state("emp", {"work_session_id": 7})
    again = PunchStore(hass, ENTRY)
    await again.async_load()
    assert again.backend_state == {"emp": {"work_session_id": 7}}
    await again.async_set_backend_state("emp", {})
    assert again.backend_state == {}
    again.forget_employees([])
    assert again.employees == {}
    again.set_on_shift("other", True, dt_util.utcnow())
    assert again.employees["other"].on_shift


async def test_migration_hook(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """Data of an older minor version loads as it is; a newer major version is refused."""
    hass_storage["time_clock.migrate"] = {
        "version": 1,
        "minor_version": 0,
        "key": "x",
        "data": {"a": 1},
    }
    assert await TimeClockStore(hass, "time_clock.migrate").async_load() == {"a": 1}
    hass_storage["time_clock.future"] = {
        "version": 2,
        "minor_version": 1,
        "key": "x",
        "data": {},
    }
    store = TimeClockStore(hass, "time_clock.future")
    with pytest.raises(NotImplementedError):
        await store._async_migrate_func(2, 1, {})
    # From 2026.4 Store refuses a newer major version itself, before the hook.
    with pytest.raises((NotImplementedError, HomeAssistantError)):
        await store.async_load()
    assert hass_storage["time_clock.future"]["version"] == 2


def _list_storage(hass_storage: dict[str, Any]) -> Any:
    """Stand in for the listing of ``.storage`` by the keys the mocked storage holds."""

    async def find(self: AccountFiles) -> list[int]:
        prefix = f"time_clock.{ENTRY}.punches."
        return sorted(
            int(key[len(prefix) :]) for key in hass_storage if key.startswith(prefix)
        )

    return patch.object(AccountFiles, "_async_find_segments", find)


async def test_lost_state_file_is_rebuilt_from_the_punch_files(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """Without the state file the punches are read again: none waiting is lost."""
    store = PunchStore(hass, ENTRY)
    await store.async_load()
    start = dt_util.utcnow() - timedelta(hours=5)
    for i in range(SEGMENT_SIZE + 30):
        await store.async_append(
            employee_id=f"emp{i % 2}",
            action=Action.CLOCK_IN if (i // 2) % 2 == 0 else Action.CLOCK_OUT,
            time=start + timedelta(seconds=i),
            source=Source.SERVICE,
        )
    for _ in range(SEGMENT_SIZE + 10):
        punch = store.next_pending()
        assert punch is not None
        await store.async_mark_in_flight(punch)
        await store.async_settle(punch, delivered=True)
    await store.async_flush()
    del hass_storage[f"time_clock.{ENTRY}"]

    again = PunchStore(hass, ENTRY)
    with _list_storage(hass_storage):
        await again.async_load()

    assert [p.seq for p in again.pending_punches()] == list(
        range(SEGMENT_SIZE + 11, SEGMENT_SIZE + 31)
    )
    # The employees' state comes back from their punches.
    assert again.employees["emp0"].on_shift is store.employees["emp0"].on_shift
    assert again.employees["emp1"].last_time == store.employees["emp1"].last_time
    # The rebuilt index is written, and new punches go on from the right number.
    await again.async_flush()
    segments = hass_storage[f"time_clock.{ENTRY}"]["data"]["segments"]
    assert [s["first"] for s in segments] == [1, SEGMENT_SIZE + 1]
    assert segments[0]["last"] == SEGMENT_SIZE
    punch = await again.async_append(
        employee_id="emp0",
        action=Action.CLOCK_OUT
        if again.employees["emp0"].on_shift
        else Action.CLOCK_IN,
        time=dt_util.utcnow(),
        source=Source.SERVICE,
    )
    assert punch.seq == SEGMENT_SIZE + 31


async def test_lost_cursor_falls_back_on_the_state_files_copy(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """Without the cursor, nothing settled is sent again; the next are checked."""
    store = PunchStore(hass, ENTRY)
    await store.async_load()
    await _fill(store, 6)
    for _ in range(3):
        punch = store.next_pending()
        assert punch is not None
        await store.async_mark_in_flight(punch)
        store.settle(punch, delivered=True)
    await store.async_flush()
    del hass_storage[f"time_clock.{ENTRY}.cursor"]

    again = PunchStore(hass, ENTRY)
    await again.async_load()

    assert [p.seq for p in again.pending_punches()] == [4, 5, 6]
    # The first waiting punch of the employee is read from the backend first.
    assert again.uncertain == {4}


async def test_fresh_account_has_nothing_uncertain(hass: HomeAssistant) -> None:
    """A new account (no files at all) starts empty, with no warning needed."""
    store = PunchStore(hass, ENTRY)
    await store.async_load()
    assert store.pending_count == 0
    assert store.uncertain == set()


async def test_delayed_saves_carry_a_snapshot(hass: HomeAssistant) -> None:
    """A delayed save writes what was built when it was asked for.

    Home Assistant 2025.4 calls the data function in a worker thread: it must
    only hand over data built in the event loop, never read the live store.
    """
    store = PunchStore(hass, ENTRY)
    await store.async_load()
    await _fill(store, 3)
    funcs: list[Any] = []

    def capture(_self: TimeClockStore, func: Any, delay: float = 0) -> None:
        funcs.append(func)

    with patch.object(TimeClockStore, "async_delay_save", capture):
        punch = store.next_pending()
        assert punch is not None
        await store.async_mark_in_flight(punch)
        store.settle(punch, delivered=True)
    assert funcs
    before = [json.dumps(func(), sort_keys=True) for func in funcs]

    await _drain(store)
    await _fill(store, 2)

    assert [json.dumps(func(), sort_keys=True) for func in funcs] == before
