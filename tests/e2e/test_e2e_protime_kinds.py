"""End to end: breaks and jobs of a Protime account, through an outage and a restart.

A real Home Assistant process on the fake Protime tenant of tests/fakes (run in
the test's event loop on 127.0.0.1) and the test broker. Reasons, activities and
their readers are added through the options flow's REST API as a user would;
punches come from service calls over REST and from taps on the broker. Home
Assistant runs in UTC, so the wall-clock minutes Protime receives are UTC.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from tests.fakes.protime import CLIENT_ID, CLIENT_SECRET, TENANT, FakeProtime

from .conftest import JANE_TAG, JOHN_TAG, READER_TOPIC, record_timing
from .harness import (
    Account,
    Employee,
    HomeAssistantProcess,
    MqttClient,
    async_wait_reader_subscribed,
    async_wait_until,
    tasmota_pn532,
)

type UniqueId = Callable[..., str]

JOHN = 101
JANE = 102
JANE_BADGE = "JD-0102"
CANTEEN = "tele/canteen/SENSOR"
WELDING_STATION = "tele/welding/SENSOR"
LUNCH = {"id": 6578}
CODE = "@data-entry-code"
WELDING = [
    {"level": level, "activityDefinition": {"externalReferences": {CODE: code}}}
    for level, code in ((1, "00014"), (2, "10019"))
]
CUTTING = [{"level": 1, "activityDefinition": {"id": 41}}]
# Enough 503 answers for every attempt of the outage; forgotten when it ends.
OUTAGE_ANSWERS = 10_000
# How long after a tap or a service call its punch may be stamped.
SLACK = timedelta(seconds=5)


@dataclass
class ProtimeEmployee(Employee):
    """An employee of the Protime account, named by Protime id or by badge."""

    reference: str = "id"

    def as_subentry(self) -> dict[str, Any]:
        """Return the subentry with the Protime reference kind."""
        subentry = super().as_subentry()
        subentry["data"]["reference"] = self.reference
        return subentry


@pytest.fixture
async def protime(socket_enabled: None) -> AsyncIterator[FakeProtime]:
    """Run a fake Protime tenant with John (by id) and Jane (by badge)."""
    fake = FakeProtime()
    fake.add_person(JOHN, badge="JW-0101")
    fake.add_person(JANE, badge=JANE_BADGE)
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
def account_options(account_options: dict[str, Any]) -> dict[str, Any]:
    """Shorten the debounce window so that a second tap at a station comes soon."""
    return {**account_options, "debounce": 1}


@pytest.fixture
def account(protime: FakeProtime, account_options: dict[str, Any]) -> Account:
    """Return the Protime account to seed, pointing at the fake."""
    return Account(
        title="Protime E2E",
        data={
            "backend": "protime",
            "tenant": TENANT,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "api_url": protime.api_url,
            "token_url": protime.token_url,
        },
        options=account_options,
        employees=[
            ProtimeEmployee("John White", str(JOHN), [JOHN_TAG]),
            ProtimeEmployee(
                "Jane Doe", JANE_BADGE, [JANE_TAG], reference="badge_number"
            ),
        ],
    )


async def add_option(
    hass: HomeAssistantProcess, entry_id: str, step: str, form: dict[str, Any]
) -> None:
    """Add a reason, an activity or a reader through the options flow's REST API."""
    result = await hass.async_flow(
        "options/", {"handler": entry_id}, {"next_step_id": step}, form
    )
    assert result["type"] == "create_entry", result


async def add_breaks_and_jobs(hass: HomeAssistantProcess, entry_id: str) -> None:
    """Add Lunch, Welding (by code), Cutting (by id), a canteen and a welding reader."""
    for step, form in (
        ("add_reason", {"name": "Lunch", "reason_id": LUNCH["id"]}),
        (
            "add_activity",
            {
                "name": "Welding",
                "definition_kind": "data_entry_code",
                "level_1": "00014",
                "level_2": "10019",
            },
        ),
        ("add_activity", {"name": "Cutting", "definition_kind": "id", "level_1": "41"}),
        (
            "add_reader",
            {"name": "Canteen", "topic": CANTEEN, "role": "reason", "reason": "Lunch"},
        ),
        (
            "add_reader",
            {
                "name": "Welding station",
                "topic": WELDING_STATION,
                "role": "activity",
                "activity": "Welding",
            },
        ),
    ):
        await add_option(hass, entry_id, step, form)


async def readers_listen(hass: HomeAssistantProcess, mqtt: MqttClient) -> None:
    """Wait until every reader of the account answers taps."""
    for topic in (READER_TOPIC, CANTEEN, WELDING_STATION):
        await async_wait_reader_subscribed(hass, mqtt, topic)


@dataclass
class Made:
    """A clocking Protime should hold: whose, what, and when it happened."""

    person: int
    kind: str
    earliest: datetime
    latest: datetime
    reason: Any = None
    levels: Any = None


def minute_of(when: datetime) -> int:
    """Return a UTC time's minute, counted since the calendar began."""
    return when.date().toordinal() * 1440 + when.hour * 60 + when.minute


def instant(clocking: dict[str, Any]) -> int:
    """Return a held clocking's date and minute as minutes since the calendar began."""
    day = date.fromisoformat(clocking["date"])
    return day.toordinal() * 1440 + int(clocking["timeOfDayInMinutes"])


def assert_held(protime: FakeProtime, made: list[Made]) -> None:
    """Assert Protime holds exactly these clockings, in order, at their own minutes."""
    held = protime.clockings
    assert [
        (c["person"]["id"], c["kind"], c.get("reason"), c.get("activityLevels"))
        for c in held
    ] == [(m.person, m.kind, m.reason, m.levels) for m in made]
    for clocking, want in zip(held, made, strict=True):
        low, high = minute_of(want.earliest), minute_of(want.latest)
        assert low <= instant(clocking) <= high, (clocking, want)
    assert [instant(c) for c in held] == sorted(instant(c) for c in held)
    assert protime.duplicates == 0


class Life:
    """Punches of John and Jane made the way a client makes them, and what they become."""

    def __init__(
        self, hass: HomeAssistantProcess, mqtt: MqttClient, john: dict[str, str]
    ) -> None:
        """Remember Home Assistant, the broker and John's service target."""
        self.hass = hass
        self.mqtt = mqtt
        self.john = john
        self.made: list[Made] = []

    async def service(
        self, name: str, at: datetime | None = None, **data: Any
    ) -> tuple[datetime, datetime]:
        """Call a Time Clock service for John; return the window it happened in."""
        before = datetime.now(UTC)
        if at is not None:
            data["time"] = at.isoformat()
        await self.hass.async_call_service("time_clock", name, {**self.john, **data})
        return (at, at) if at is not None else (before, datetime.now(UTC) + SLACK)

    async def tap(self, topic: str, tag: str) -> tuple[datetime, datetime]:
        """Tap a tag on a reader; return the window its punch happens in."""
        before = datetime.now(UTC)
        self.mqtt.publish(topic, tasmota_pn532(tag))
        return before, datetime.now(UTC) + SLACK

    def expect(
        self, person: int, kind: str, window: tuple[datetime, datetime], **fields: Any
    ) -> None:
        """Note a clocking Protime should get."""
        self.made.append(Made(person, kind, *window, **fields))


async def test_breaks_and_jobs_survive_an_outage_and_a_restart(
    home_assistant: HomeAssistantProcess,
    protime: FakeProtime,
    mqtt: MqttClient,
    account: Account,
    unique_id: UniqueId,
) -> None:
    """Reasons and activities from services and readers reach Protime once, in order."""
    hass = home_assistant
    pending = unique_id("pending_punches")
    jane_activity = unique_id("current_activity", "Jane Doe")
    await add_breaks_and_jobs(hass, account.entry_id)
    await readers_listen(hass, mqtt)
    john = await hass.async_entity_id(unique_id("on_shift", "John White"))
    life = Life(hass, mqtt, {"entity_id": john})
    start = datetime.now(UTC).replace(second=0, microsecond=0)

    # Online: a break for a reason and an activity, by services at past times.
    when = await life.service("clock_in", start - timedelta(minutes=50))
    life.expect(JOHN, "InOut", when)
    when = await life.service(
        "clock_out", start - timedelta(minutes=40), reason="Lunch"
    )
    life.expect(JOHN, "Reason", when, reason=LUNCH)
    when = await life.service(
        "start_activity", start - timedelta(minutes=30), activity="Cutting"
    )
    life.expect(JOHN, "InOut", when)
    life.expect(JOHN, "Activity", when, levels=CUTTING)
    await async_wait_until(lambda: len(protime.clockings) == 4, "four clockings")
    await hass.async_wait_state(pending, "0")

    # Protime keeps the activity's end but the connection drops; then it is down.
    protime.store_then_fail(None)
    when = await life.service("end_activity", start - timedelta(minutes=20))
    life.expect(JOHN, "ActivityEnd", when)
    await async_wait_until(lambda: len(protime.clockings) == 5, "the kept end")
    protime.down = True
    when = await life.tap(WELDING_STATION, JANE_TAG)
    life.expect(JANE, "InOut", when)
    life.expect(JANE, "Activity", when, levels=WELDING)
    await hass.async_wait_state(jane_activity, "Welding")
    when = await life.tap(CANTEEN, JOHN_TAG)
    life.expect(JOHN, "Reason", when, reason=LUNCH)
    await hass.async_wait_state(unique_id("on_break", "John White"), "on")
    await hass.async_wait_state(pending, "4")

    # Then it answers 503, and Home Assistant restarts.
    protime.fail_next(503, count=OUTAGE_ANSWERS)
    protime.down = False
    await hass.async_stop()
    restart = await hass.async_start()
    record_timing("stop -> Home Assistant loaded again", f"{restart:.1f} s")
    await hass.async_wait_state(pending, "4")
    await hass.async_wait_state(jane_activity, "Welding")
    await readers_listen(hass, mqtt)

    # Jane's second tap at the station ends Welding; John starts and ends it.
    when = await life.tap(WELDING_STATION, JANE_TAG)
    life.expect(JANE, "ActivityEnd", when)
    await hass.async_wait_state(jane_activity, "none")
    when = await life.service("start_activity", activity="Welding")
    life.expect(JOHN, "InOut", when)
    life.expect(JOHN, "Activity", when, levels=WELDING)
    when = await life.service("end_activity")
    life.expect(JOHN, "ActivityEnd", when)
    await hass.async_wait_state(pending, "8")
    assert len(protime.clockings) == 5

    # Protime is back: everything goes out once, in order, at its own time.
    protime.clear_failures()
    await hass.async_call_service("time_clock", "retry")
    drained = await async_wait_until(
        lambda: len(protime.clockings) >= len(life.made), "every clocking", timeout=30
    )
    record_timing("retry service -> backlog at Protime", f"{drained:.2f} s")
    await hass.async_wait_state(pending, "0")
    assert_held(protime, life.made)
    # The end Protime kept was looked up, not sent again.
    assert any(r.method == "GET" for r in protime.api_requests())
