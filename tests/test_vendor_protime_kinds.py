"""Breaks and jobs on a Protime account: the outbox's Reason, Activity, ActivityEnd."""

# The fixtures are the Protime account tests' own, imported by name.
# ruff: noqa: F811

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.util import dt as dt_util

from custom_components.time_clock.const import DOMAIN

from .conftest import device_id
from .fakes.protime import FakeProtime
from .test_vendor_protime import (  # noqa: F401
    ANN,
    BART,
    add_account,
    brussels,
    delivered,
    fake,
    fake_clock,
    lookups,
    pending,
    posts,
    retry,
    wait_for,
    waiting,
    wall,
)

LUNCH = 6578
WELDING = [
    {
        "level": 1,
        "activityDefinition": {"externalReferences": {"@data-entry-code": "00014"}},
    },
    {
        "level": 2,
        "activityDefinition": {"externalReferences": {"@data-entry-code": "10019"}},
    },
]
CUTTING = [{"level": 1, "activityDefinition": {"id": 41}}]


async def option_step(
    hass: HomeAssistant, entry: ConfigEntry, step: str, form: dict[str, Any]
) -> None:
    """Add an item to the account's options through the options flow's menu."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.MENU
    assert step in result["menu_options"]
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": step}
    )
    result = await hass.config_entries.options.async_configure(result["flow_id"], form)
    assert result["type"] is FlowResultType.CREATE_ENTRY, result.get("errors")
    await hass.async_block_till_done()


async def add_breaks_and_jobs(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Give the account a Lunch reason, Welding by code and Cutting by id."""
    await option_step(hass, entry, "add_reason", {"name": "Lunch", "reason_id": LUNCH})
    await option_step(
        hass,
        entry,
        "add_activity",
        {
            "name": "Welding",
            "definition_kind": "data_entry_code",
            "level_1": "00014",
            "level_2": "10019",
        },
    )
    await option_step(
        hass,
        entry,
        "add_activity",
        {"name": "Cutting", "definition_kind": "id", "level_1": "41"},
    )


async def act(
    hass: HomeAssistant,
    entry: ConfigEntry,
    employee_id: str,
    service: str,
    when: datetime | None = None,
    **data: Any,
) -> None:
    """Call a service for an employee's device."""
    data["device_id"] = device_id(hass, entry.entry_id, employee_id)
    if when is not None:
        data["time"] = when.isoformat()
    await hass.services.async_call(DOMAIN, service, data, blocking=True)


def kept(fake: FakeProtime) -> list[tuple[Any, ...]]:
    """Return the fake's clockings: person, date, minute, kind and kind fields."""
    return [
        (
            c["person"]["id"],
            c["date"],
            c["timeOfDayInMinutes"],
            c["kind"],
            c.get("reason"),
            c.get("activityLevels"),
        )
        for c in fake.clockings
    ]


def clocking(
    person: int, when: datetime, kind: str, reason: Any = None, levels: Any = None
) -> tuple[Any, ...]:
    """Return how Protime should hold one clocking."""
    return (*wall(person, when), kind, reason, levels)


async def test_kinds_wait_out_an_outage_and_go_in_order(
    hass: HomeAssistant, fake: FakeProtime, freezer: FrozenDateTimeFactory
) -> None:
    """Breaks and jobs of two people, made offline at past times, go out in order."""
    entry, ann, bart = await add_account(hass, fake)
    await add_breaks_and_jobs(hass, entry)
    freezer.tick(timedelta(hours=2))
    now = dt_util.utcnow()
    fake.down = True

    def ago(minutes: int) -> datetime:
        return now - timedelta(minutes=minutes)

    await act(hass, entry, ann, "start_activity", ago(90), activity="Welding")
    await act(hass, entry, bart, "clock_in", ago(80))
    await act(hass, entry, ann, "clock_out", ago(60), reason="Lunch")
    await act(hass, entry, bart, "start_activity", ago(50), activity="cutting")
    await act(hass, entry, ann, "clock_in", ago(30))
    await act(hass, entry, bart, "end_activity", ago(20))
    await act(hass, entry, ann, "start_activity", ago(10), activity="Cutting")
    await act(hass, entry, ann, "clock_out", ago(5))
    await wait_for(hass, lambda: waiting(entry), "the outage")
    assert pending(entry) == 11
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert pending(entry) == 11

    fake.down = False
    await retry(hass, entry)
    await delivered(hass, entry)

    reason = {"id": LUNCH}
    assert kept(fake) == [
        clocking(ANN, ago(90), "InOut"),
        clocking(ANN, ago(90), "Activity", levels=WELDING),
        clocking(BART, ago(80), "InOut"),
        clocking(ANN, ago(60), "ActivityEnd"),
        clocking(ANN, ago(60), "Reason", reason=reason),
        clocking(BART, ago(50), "Activity", levels=CUTTING),
        clocking(ANN, ago(30), "InOut"),
        clocking(BART, ago(20), "ActivityEnd"),
        clocking(ANN, ago(10), "Activity", levels=CUTTING),
        clocking(ANN, ago(5), "ActivityEnd"),
        clocking(ANN, ago(5), "InOut"),
    ]
    assert fake.duplicates == 0


async def test_uncertain_activity_is_looked_up_and_not_sent_twice(
    hass: HomeAssistant, fake: FakeProtime, freezer: FrozenDateTimeFactory
) -> None:
    """Protime kept the Activity but the connection dropped: the retry finds it."""
    entry, _ann, bart = await add_account(hass, fake)
    await add_breaks_and_jobs(hass, entry)
    await act(hass, entry, bart, "clock_in")
    await delivered(hass, entry)
    freezer.tick(timedelta(minutes=3))
    started = dt_util.utcnow()

    fake.store_then_fail(None)
    await act(hass, entry, bart, "start_activity", activity="Welding")
    await wait_for(hass, lambda: len(fake.clockings) == 2 and waiting(entry), "the cut")
    assert pending(entry) == 1
    freezer.tick(timedelta(minutes=3))
    await act(hass, entry, bart, "end_activity")
    ended = dt_util.utcnow()
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    await retry(hass, entry)
    await delivered(hass, entry)

    assert posts(fake) == 3
    assert lookups(fake)[-1].query["externalReferences"] == "(people,@badge-number)"
    assert [c[3:] for c in kept(fake)] == [
        ("InOut", None, None),
        ("Activity", None, WELDING),
        ("ActivityEnd", None, None),
    ]
    assert [c[:3] for c in kept(fake)[1:]] == [wall(BART, started), wall(BART, ended)]
    assert fake.duplicates == 0
