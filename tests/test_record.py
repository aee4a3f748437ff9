"""The shift record on its own: no Home Assistant, no files."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
import pytest

from custom_components.time_clock.api import Action
from custom_components.time_clock.punch import Punch, Source
from custom_components.time_clock.record import HISTORY, ShiftRecord

NOON = datetime(2026, 12, 1, 11, 0, tzinfo=UTC)  # 12:00 in Warsaw


def _punch(seq: int, action: str, when: datetime, who: str = "ann") -> Punch:
    """Return a kept punch."""
    return Punch(
        seq=seq,
        punch_id=f"p{seq}",
        employee_id=who,
        action=Action(action),
        time=when,
        source=Source.READER,
    )


@pytest.fixture(autouse=True)
async def warsaw(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Run in Warsaw at noon."""
    await hass.config.async_set_time_zone("Europe/Warsaw")
    freezer.move_to(NOON)


def test_punches_set_the_shift_and_its_start() -> None:
    """A clock-in starts a shift; a clock-out ends it; the last source is kept."""
    record = ShiftRecord()
    record.apply(_punch(1, "clock_in", NOON - timedelta(hours=3)))
    ann = record.get("ann")
    assert (ann.on_shift, ann.since, ann.last_source) == (
        True,
        NOON - timedelta(hours=3),
        "reader",
    )
    record.apply(_punch(2, "clock_out", NOON - timedelta(hours=1)))
    assert (record.get("ann").on_shift, record.get("ann").since) == (False, None)
    assert record.through == 2
    assert record.get("nobody").on_shift is False


def test_worked_today_counts_from_local_midnight_and_up_to_now() -> None:
    """A night shift counts from midnight; an open shift counts until now."""
    midnight = datetime(2026, 11, 30, 23, 0, tzinfo=UTC)  # 00:00 in Warsaw
    record = ShiftRecord()
    record.apply(_punch(1, "clock_in", midnight - timedelta(hours=2)))
    record.apply(_punch(2, "clock_out", midnight + timedelta(hours=6)))
    record.apply(_punch(3, "clock_in", NOON - timedelta(minutes=30)))
    assert record.worked_today("ann", NOON) == timedelta(hours=6, minutes=30)


def test_load_applies_punches_after_the_stored_state_only() -> None:
    """Stored states stand; later punches apply; earlier recent ones fill the history."""
    record = ShiftRecord()
    stored = {
        "ann": {"on_shift": True, "since": (NOON - timedelta(hours=4)).isoformat()}
    }
    punches = [
        _punch(1, "clock_in", NOON - timedelta(hours=4)),
        _punch(2, "clock_out", NOON - timedelta(hours=2)),
        _punch(3, "clock_in", NOON - timedelta(hours=1), who="bob"),
    ]
    record.load(stored, punches, through=1, now=NOON)
    assert record.get("ann").on_shift is False  # punch 2 applied
    assert record.get("bob").on_shift is True
    assert [a for _t, a in record.get("ann").history] == [
        Action.CLOCK_IN,
        Action.CLOCK_OUT,
    ]
    assert record.through == 3


def test_prune_forget_and_the_backends_word() -> None:
    """Old history goes; a removed employee goes; a state sync sets the shift."""
    record = ShiftRecord()
    record.apply(_punch(1, "clock_in", NOON - HISTORY - timedelta(hours=1)))
    record.prune(NOON)
    assert record.get("ann").history == []
    record.set_on_shift("bob", True, NOON)
    assert record.get("bob").since == NOON
    record.forget(["ann", "bob"])
    assert record.employees == {}


def test_check_resolves_toggles_and_refuses_nonsense() -> None:
    """A toggle becomes the right action; impossible punches are refused in words."""
    record = ShiftRecord()
    assert record.check("ann", None, NOON, name="Ann") is Action.CLOCK_IN
    record.apply(_punch(1, "clock_in", NOON - timedelta(hours=1)))
    assert record.check("ann", None, NOON, name="Ann") is Action.CLOCK_OUT
    for action, when, key in (
        (Action.CLOCK_IN, NOON, "already_on_shift"),
        (Action.CLOCK_OUT, NOON + timedelta(hours=1), "time_in_future"),
        (Action.CLOCK_OUT, NOON - timedelta(hours=2), "time_before_last_punch"),
    ):
        with pytest.raises(ServiceValidationError) as err:
            record.check("ann", action, when, name="Ann")
        assert err.value.translation_key == key
        assert err.value.translation_placeholders["employee"] == "Ann"
    with pytest.raises(ServiceValidationError) as err:
        record.check("bob", Action.CLOCK_OUT, NOON, name="Bob")
    assert err.value.translation_key == "not_on_shift"


def test_snapshot_builds_again_only_what_changed() -> None:
    """The stored form follows every change, reusing unchanged records' dicts."""
    record = ShiftRecord()
    record.apply(_punch(1, "clock_in", NOON, who="ann"))
    record.apply(_punch(2, "clock_in", NOON, who="bob"))
    first = record.snapshot()
    record.apply(_punch(3, "clock_out", NOON, who="bob"))
    second = record.snapshot()
    assert second["ann"] is first["ann"]
    assert second["bob"]["on_shift"] is False
    record.forget(["ann"])
    assert set(record.snapshot()) == {"bob"}
