"""Tests of the store's cheap bookkeeping (found by benchmarks/, see BENCHMARKS.md).

A punch must be listed on disk as possibly in flight before it is sent; the
store does that without a write of its own for a punch appended to an idle
outbox, and with one cursor write per batch while a backlog drains. A crash at
any point must leave every punch that may have been sent either settled on disk
or uncertain (read from the backend before it is sent again), and an uncertain
punch must be the last one sent of its employee: the backend's state tells
whether it arrived only then.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest.mock import patch

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from custom_components.time_clock import punch_queue as store_module
from custom_components.time_clock.api import Action
from custom_components.time_clock.punch import Punch, Source
from custom_components.time_clock.record import EmployeeRecord

from .store_harness import StoreHarness as PunchStore

ENTRY = "marking_test"


async def _append(store: PunchStore, count: int, employees: int = 3) -> list[Punch]:
    """Append ``count`` punches, round-robin over ``employees`` employees."""
    start = dt_util.utcnow() - timedelta(hours=1)
    return [
        await store.async_append(
            employee_id=f"emp{i % employees}",
            action=Action.CLOCK_IN if (i // employees) % 2 == 0 else Action.CLOCK_OUT,
            time=start + timedelta(seconds=i),
            source=Source.SERVICE,
        )
        for i in range(count)
    ]


def _cursor_writes(hass_storage: dict[str, Any]) -> Any:
    """Return the cursor as last written."""
    return hass_storage.get(f"time_clock.{ENTRY}.cursor", {}).get("data")


async def test_idle_append_lists_the_punch_without_a_cursor_write(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """A tap on an idle outbox is sent after one write: the one that stores it."""
    store = PunchStore(hass, ENTRY)
    await store.async_load()
    (punch,) = await _append(store, 1)
    segment = hass_storage[f"time_clock.{ENTRY}.punches.1"]["data"]
    assert segment["in_flight"] == punch.seq
    await store.async_mark_in_flight(punch)
    assert _cursor_writes(hass_storage) is None  # no cursor write was needed

    # Power cut while it is being sent: it comes back uncertain.
    again = PunchStore(hass, ENTRY)
    await again.async_load()
    assert again.uncertain == {punch.seq}

    # Once delivered it is not uncertain any more, although the segment still
    # names it.
    store.settle(punch, delivered=True)
    await store.async_flush()
    third = PunchStore(hass, ENTRY)
    await third.async_load()
    assert third.uncertain == set()
    assert third.pending_count == 0


async def test_marker_survives_later_appends_to_the_same_segment(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """Punches appended while the first is in flight keep its marker on disk."""
    store = PunchStore(hass, ENTRY)
    await store.async_load()
    first, *_ = await _append(store, 4)
    await store.async_mark_in_flight(first)
    segment = hass_storage[f"time_clock.{ENTRY}.punches.1"]["data"]
    assert segment["in_flight"] == first.seq
    again = PunchStore(hass, ENTRY)
    await again.async_load()
    assert again.uncertain == {first.seq}
    # A reloaded store keeps the marker when it rewrites the tail segment.
    await _append(again, 1)
    third = PunchStore(hass, ENTRY)
    await third.async_load()
    assert first.seq in third.uncertain


def _assert_crash_safe(again: PunchStore, sent: list[Punch], cursor: Any) -> None:
    """Assert what a reloaded store must know about the punches sent before a crash."""
    settled_on_disk = {
        p.seq
        for p in sent
        if p.seq <= cursor["settled_through"] or p.seq in cursor["settled_above"]
    }
    for punch in sent:
        assert punch.seq in settled_on_disk or punch.seq in again.uncertain, punch
    last_sent = {p.employee_id: p.seq for p in sent}
    for punch in sent:
        if punch.seq in again.uncertain:
            assert last_sent[punch.employee_id] == punch.seq, punch


async def test_a_crash_during_a_drain_loses_track_of_no_sent_punch(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """Mid-drain, every sent punch is settled on disk or uncertain after a crash."""
    store = PunchStore(hass, ENTRY)
    await store.async_load()
    await _append(store, 1000, employees=40)
    sent: list[Punch] = []
    for _ in range(300):
        punch = store.next_pending()
        assert punch is not None
        await store.async_mark_in_flight(punch)
        sent.append(punch)
        store.settle(punch, delivered=True)
    # One more is in flight when the power goes (no delayed save ran).
    punch = store.next_pending()
    assert punch is not None
    await store.async_mark_in_flight(punch)
    sent.append(punch)

    again = PunchStore(hass, ENTRY)
    await again.async_load()
    cursor = _cursor_writes(hass_storage)
    _assert_crash_safe(again, sent, cursor)
    # Not more than one batch is in doubt (40 employees: at most 40).
    assert 1 <= len(again.uncertain) <= 40
    settled = cursor["settled_through"] + len(cursor["settled_above"])
    assert again.pending_count == 1000 - settled


async def test_taps_of_one_employee_settle_on_disk_before_the_next_is_sent(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """A tap right after a delivery (a burst) writes the cursor itself first."""
    store = PunchStore(hass, ENTRY)
    await store.async_load()
    (clock_in,) = await _append(store, 1, employees=1)
    await store.async_mark_in_flight(clock_in)
    with patch.object(store_module, "IDLE_CURSOR_DELAY", 3600):
        store.settle(clock_in, delivered=True)  # its cursor write has not run yet
        (clock_out,) = await _append(store, 1, employees=1)
    segment = hass_storage[f"time_clock.{ENTRY}.punches.1"]["data"]
    assert segment["in_flight"] == clock_in.seq  # not moved to the clock-out
    await store.async_mark_in_flight(clock_out)  # so this writes the cursor

    again = PunchStore(hass, ENTRY)
    await again.async_load()
    _assert_crash_safe(again, [clock_in, clock_out], _cursor_writes(hass_storage))
    assert again.uncertain == {clock_out.seq}
    await hass.async_block_till_done()


async def test_idle_taps_after_the_cursor_write_need_one_write_each(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """Once the cursor is on disk, the next idle punch is listed by its own write."""
    store = PunchStore(hass, ENTRY)
    await store.async_load()
    (first,) = await _append(store, 1, employees=1)
    await store.async_mark_in_flight(first)
    store.settle(first, delivered=True)
    # The outbox stays empty: its cursor is written a moment later.
    await hass.async_block_till_done(wait_background_tasks=True)
    assert _cursor_writes(hass_storage)["settled_through"] == first.seq
    (second,) = await _append(store, 1, employees=1)
    segment = hass_storage[f"time_clock.{ENTRY}.punches.1"]["data"]
    assert segment["in_flight"] == second.seq
    await store.async_mark_in_flight(second)
    again = PunchStore(hass, ENTRY)
    await again.async_load()
    _assert_crash_safe(again, [first, second], _cursor_writes(hass_storage))
    assert again.uncertain == {second.seq}


async def test_drain_writes_the_cursor_once_per_batch(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """A long backlog costs one cursor write per batch, not one per punch."""
    store = PunchStore(hass, ENTRY)
    await store.async_load()
    await _append(store, 2000, employees=100)
    writes = 0
    original = store.files._cursor.async_save

    async def counting(data: dict[str, Any]) -> None:
        nonlocal writes
        writes += 1
        await original(data)

    store.files._cursor.async_save = counting  # type: ignore[method-assign]
    while (punch := store.next_pending()) is not None:
        await store.async_mark_in_flight(punch)
        store.settle(punch, delivered=True)
    assert store.pending_count == 0
    assert writes < 2000 / 10
    await hass.async_block_till_done()


async def test_short_outbox_marks_one_punch_at_a_time(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """With a handful of punches waiting, only the one being sent is in doubt."""
    store = PunchStore(hass, ENTRY)
    await store.async_load()
    punches = await _append(store, 5)
    await store.async_mark_in_flight(punches[0])
    store.settle(punches[0], delivered=True)
    await store.async_mark_in_flight(punches[1])
    assert _cursor_writes(hass_storage)["marked"] == [punches[1].seq]
    again = PunchStore(hass, ENTRY)
    await again.async_load()
    # The first is settled on disk by the write that listed the second.
    assert again.uncertain == {punches[1].seq}


async def test_old_cursor_format_loads(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """A cursor of version 1.1 (one ``in_flight`` seq, no ``marked``) still loads."""
    store = PunchStore(hass, ENTRY)
    await store.async_load()
    await _append(store, 3)
    await store.async_flush()
    hass_storage[f"time_clock.{ENTRY}.cursor"] = {
        "version": 1,
        "minor_version": 1,
        "key": f"time_clock.{ENTRY}.cursor",
        "data": {"settled_through": 0, "settled_above": [], "in_flight": 2},
    }
    for key, value in hass_storage.items():
        if ".punches." in key:
            value["data"].pop("in_flight", None)
    again = PunchStore(hass, ENTRY)
    await again.async_load()
    assert again.uncertain == {2}


async def test_pending_counts_and_state_snapshot_stay_exact(
    hass: HomeAssistant,
) -> None:
    """Counters and cached snapshots agree with a recount after any mix of changes."""
    store = PunchStore(hass, ENTRY)
    await store.async_load()
    punches = await _append(store, 30, employees=4)
    for punch in punches[:7]:
        store.settle(punch, delivered=True)
    store.settle(punches[0], delivered=True)  # settling twice changes nothing
    store.set_on_shift("emp9", True, dt_util.utcnow())
    store.forget_employees(["emp0", "emp1", "emp9"])
    await _append(store, 2, employees=1)
    for employee in ("emp0", "emp1", "emp2", "emp3", "emp9"):
        expected = sum(1 for p in store.pending_punches() if p.employee_id == employee)
        assert store.pending_for(employee) == expected
    assert store.is_pending(punches[-1].seq)
    assert not store.is_pending(punches[0].seq)
    snapshot = store.state_snapshot()
    assert snapshot["employees"] == {
        key: record.as_dict() for key, record in store.employees.items()
    }
    assert snapshot["segments"] == [info.as_dict() for info in store.files.index]
    store.record._changed("ghost")  # a change of an employee who is gone
    store._save_record()
    assert "ghost" not in store.state_snapshot()["employees"]
    # A record changed behind the record's back is caught by the size check only
    # when employees come or go; the record itself always says what changed.
    store.employees["emp7"] = EmployeeRecord(on_shift=True)
    store._save_record()
    assert "emp7" in store.state_snapshot()["employees"]
