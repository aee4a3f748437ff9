"""The life of a Protime account: the real client talking HTTP to a fake Protime tenant."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
import socket
from typing import Any
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH, SOURCE_USER, ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.time_clock.const import DOMAIN

from .conftest import device_id, entity_id
from .fakes.protime import CLIENT_ID, CLIENT_SECRET, TENANT, FakeProtime

BRUSSELS = ZoneInfo("Europe/Brussels")
# 08:00 UTC is 09:00 in Brussels in winter.
START = datetime(2025, 1, 15, 8, 0, tzinfo=dt_util.UTC)
ANN = 101
BART = 102
BART_BADGE = "B-0102"


class ManualClock:
    """A monotonic clock for the fake's token expiry, moved by hand."""

    def __init__(self) -> None:
        """Start at an arbitrary reading."""
        self.now = 1000.0

    def __call__(self) -> float:
        """Return the reading."""
        return self.now


@pytest.fixture
def fake_clock() -> ManualClock:
    """Return the fake tenant's clock."""
    return ManualClock()


@pytest.fixture
async def fake(
    socket_enabled: None, fake_clock: ManualClock
) -> AsyncIterator[FakeProtime]:
    """Run a fake Protime tenant on 127.0.0.1 with two people."""
    server = FakeProtime(clock=fake_clock)
    server.add_person(ANN, badge="A-0101", employee_number="00101")
    server.add_person(BART, badge=BART_BADGE, employee_number="00102")
    await server.start()
    yield server
    await server.stop()


@pytest.fixture(autouse=True)
async def brussels(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Run in Brussels, at a fixed winter morning."""
    freezer.move_to(START)
    await hass.config.async_set_time_zone("Europe/Brussels")


# Helpers -------------------------------------------------------------------


def credentials(fake: FakeProtime, **changes: Any) -> dict[str, Any]:
    """Return the Protime form, advanced URLs pointing at the fake."""
    form: dict[str, Any] = {
        "tenant": TENANT,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "advanced": {"api_url": fake.api_url, "token_url": fake.token_url},
    }
    form.update(changes)
    return form


async def start_flow(hass: HomeAssistant) -> Any:
    """Open the add-account flow and choose Protime."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.MENU
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "protime"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "protime"
    return result


async def submit(hass: HomeAssistant, flow_id: str, form: dict[str, Any]) -> Any:
    """Send a form of the account flow."""
    return await hass.config_entries.flow.async_configure(flow_id, form)


async def add_employee(
    hass: HomeAssistant, entry: ConfigEntry, name: str, reference: str, ident: str
) -> str:
    """Add an employee through the subentry flow; return its subentry id."""
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "employee"), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "add_protime"
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {"name": name, "reference": reference, "identifier": ident, "tags": []},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    return next(s.subentry_id for s in entry.subentries.values() if s.title == name)


async def add_account(
    hass: HomeAssistant, fake: FakeProtime
) -> tuple[ConfigEntry, str, str]:
    """Add the account and its two employees (Ann by id, Bart by badge)."""
    result = await start_flow(hass)
    result = await submit(hass, result["flow_id"], credentials(fake))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    entry = result["result"]
    await hass.async_block_till_done()
    ann = await add_employee(hass, entry, "Ann Peeters", "id", str(ANN))
    bart = await add_employee(hass, entry, "Bart Claes", "badge_number", BART_BADGE)
    return entry, ann, bart


async def call(
    hass: HomeAssistant,
    service: str,
    entry: ConfigEntry,
    employee_id: str,
    when: datetime | None = None,
) -> None:
    """Call a punch service with the employee's device as target."""
    data: dict[str, Any] = {"device_id": device_id(hass, entry.entry_id, employee_id)}
    if when is not None:
        data["time"] = when.isoformat()
    await hass.services.async_call(DOMAIN, service, data, blocking=True)


async def press(hass: HomeAssistant, employee_id: str, key: str) -> None:
    """Press an employee's clock_in or clock_out button."""
    entity_id = er.async_get(hass).async_get_entity_id(
        "button", DOMAIN, f"{employee_id}_{key}"
    )
    assert entity_id is not None
    await hass.services.async_call(
        "button", "press", {"entity_id": entity_id}, blocking=True
    )


def state(hass: HomeAssistant, entity: str) -> str:
    """Return an entity's state."""
    found = hass.states.get(entity)
    assert found is not None, entity
    return found.state


def pending(entry: ConfigEntry) -> int:
    """Return how many punches wait in the account's outbox."""
    return int(entry.runtime_data.account.delivery.pending)


async def spin(hass: HomeAssistant, rounds: int) -> None:
    """Run the event loop ``rounds`` times, so sockets are read.

    The frozen clock also freezes the loop's clock: ``asyncio.sleep(x > 0)``
    would never end, so the loop is turned by hand.
    """
    for _ in range(rounds):
        await hass.async_block_till_done()
        await asyncio.sleep(0)


async def wait_for(
    hass: HomeAssistant, condition: Callable[[], bool], what: str
) -> None:
    """Let the outbox talk to the fake (real sockets) until ``condition`` holds."""
    for _ in range(3000):
        if condition():
            return
        await spin(hass, 1)
    raise AssertionError(f"timed out waiting for {what}")


def waiting(entry: ConfigEntry) -> bool:
    """Return whether the outbox has nothing to do now: empty, paused or waiting."""
    outbox = entry.runtime_data.account._outbox
    return (
        pending(entry) == 0
        or outbox.paused
        or (outbox.not_before is not None and outbox.not_before > dt_util.utcnow())
    )


async def delivered(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Wait until the outbox is empty."""
    await wait_for(hass, lambda: pending(entry) == 0, "an empty outbox")


async def retry(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Call the retry service for the account."""
    await hass.services.async_call(
        DOMAIN, "retry", {"account": entry.entry_id}, blocking=True
    )


def wall(person: int, when: datetime) -> tuple[int, str, int]:
    """Return how Protime should hold a clocking: person, local date and minute."""
    local = when.astimezone(BRUSSELS)
    return person, local.date().isoformat(), local.hour * 60 + local.minute


def held(fake: FakeProtime) -> list[tuple[int, str, int]]:
    """Return the fake's clockings in the order it stored them."""
    return [
        (c["person"]["id"], c["date"], c["timeOfDayInMinutes"]) for c in fake.clockings
    ]


def assert_pairs(fake: FakeProtime, made: list[tuple[int, str, datetime]]) -> None:
    """Assert Protime pairs each person's clockings the way the punches meant.

    InOut clockings carry no direction: Protime pairs a person's clockings in
    time order, the first an "in". So each person must hold exactly their
    punches, in time order, and the punches must alternate from a clock-in: a
    duplicate, a lost punch or a punch out of order would turn a pair around.
    """
    for person in {p for p, _a, _w in made}:
        mine = sorted((w, a) for p, a, w in made if p == person)
        stored = [
            (c["date"], c["timeOfDayInMinutes"]) for c in fake.clockings_of(person)
        ]
        assert stored == [wall(person, w)[1:] for w, _a in mine]
        assert stored == sorted(stored)
        assert [a for _w, a in mine] == [
            ("clock_in", "clock_out")[i % 2] for i in range(len(mine))
        ]


def closed_port() -> int:
    """Return a loopback port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def lookups(fake: FakeProtime) -> list[Any]:
    """Return the clocking look-ups (``GET /clockings``) the fake received."""
    return [r for r in fake.api_requests("GET") if r.path.endswith("/clockings")]


def posts(fake: FakeProtime) -> int:
    """Return how many clocking POSTs the fake received."""
    return len(fake.api_requests("POST"))


# Tests ---------------------------------------------------------------------


async def test_whole_life(
    hass: HomeAssistant,
    fake: FakeProtime,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Add, punch by service and button, survive an outage and a reload, lose nothing."""
    # The flow: every error is shown on the form, then good credentials pass.
    result = await start_flow(hass)
    flow_id = result["flow_id"]
    result = await submit(hass, flow_id, credentials(fake, client_secret="wrong"))
    assert result["errors"] == {"base": "invalid_auth"}
    dead = f"http://127.0.0.1:{closed_port()}"
    result = await submit(
        hass,
        flow_id,
        credentials(
            fake,
            advanced={
                "api_url": f"{dead}/api",
                "token_url": f"{dead}/tenants/acme/connect/token",
            },
        ),
    )
    assert result["errors"] == {"base": "cannot_connect"}
    result = await submit(
        hass,
        flow_id,
        credentials(
            fake,
            advanced={
                "api_url": "http://acme.myprotime.eu/connector/protimeapi/api/v1",
                "token_url": fake.token_url,
            },
        ),
    )
    assert result["errors"] == {"base": "https_required"}
    # With the URLs overridden the tenant is the one in the token URL.
    result = await submit(
        hass,
        flow_id,
        credentials(
            fake,
            tenant="other",
            advanced={
                "api_url": fake.api_url,
                "token_url": f"{fake.base_url}/tenants/other/connect/token",
            },
        ),
    )
    assert result["errors"] == {"base": "unknown_tenant"}
    result = await submit(hass, flow_id, credentials(fake))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Protime acme"
    entry: ConfigEntry = result["result"]
    assert entry.unique_id == "acme"
    assert entry.data["api_url"] == fake.api_url
    assert entry.data["token_url"] == fake.token_url
    await hass.async_block_till_done()
    # The same tenant cannot be added twice.
    again = await start_flow(hass)
    again = await submit(hass, again["flow_id"], credentials(fake, tenant="ACME"))
    assert again["type"] is FlowResultType.ABORT
    assert again["reason"] == "already_configured"

    ann = await add_employee(hass, entry, "Ann Peeters", "id", str(ANN))
    bart = await add_employee(hass, entry, "Bart Claes", "badge_number", BART_BADGE)
    events = async_capture_events(hass, "time_clock_punch")

    # Online: by service and by button, each sent at once.
    person = {ann: ANN, bart: BART}
    made: list[tuple[int, str, datetime]] = []
    for step, (how, who, action) in enumerate(
        [
            ("service", ann, "clock_in"),
            ("button", bart, "clock_in"),
            ("button", ann, "clock_out"),
            ("service", bart, "clock_out"),
        ]
    ):
        if step:
            freezer.tick(timedelta(minutes=2))
        made.append((person[who], action, dt_util.utcnow()))
        if how == "service":
            await call(hass, action, entry, who)
        else:
            await press(hass, who, action)
        await delivered(hass, entry)
        assert len(fake.clockings) == step + 1
    assert held(fake) == [wall(p, w) for p, _a, w in made]
    assert fake.clockings[0]["geolocation"] == {
        "latitude": hass.config.latitude,
        "longitude": hass.config.longitude,
    }
    reachable = entity_id(hass, "binary_sensor", f"{entry.entry_id}_backend_reachable")
    assert state(hass, reachable) == "on"

    # Offline: three punches at past times wait, also across a reload.
    freezer.tick(timedelta(hours=1))
    now = dt_util.utcnow()
    fake.down = True
    late = [
        (ann, "clock_in", now - timedelta(minutes=40)),
        (bart, "clock_in", now - timedelta(minutes=30, seconds=20)),
        (ann, "clock_out", now - timedelta(minutes=20, seconds=40)),
    ]
    for who, action, when in late:
        await call(hass, action, entry, who, when)
        made.append((person[who], action, when))
    await wait_for(
        hass, lambda: entry.runtime_data.account._outbox.reachable is False, "outage"
    )
    assert state(hass, reachable) == "off"
    assert pending(entry) == 3
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert pending(entry) == 3
    pending_sensor = entity_id(hass, "sensor", f"{entry.entry_id}_pending_punches")
    assert state(hass, pending_sensor) == "3"
    assert len(fake.clockings) == 4

    fake.down = False
    await retry(hass, entry)
    await delivered(hass, entry)
    # In order of occurrence, each at its own local wall-clock minute.
    assert held(fake) == [wall(p, w) for p, _a, w in made]
    assert fake.duplicates == 0
    assert_pairs(fake, made)
    assert state(hass, reachable) == "on"
    assert state(hass, pending_sensor) == "0"
    # The punch in flight during the outage was looked up before it was sent again.
    assert [r.query["filter"].split(" and ")[0] for r in lookups(fake)] == [
        f"person in ({ANN})"
    ]
    # Every request carried a User-Agent (the fake refuses any without one).
    assert all(r.headers.get("User-Agent") for r in fake.requests)
    sent = [
        (e.data["employee_id"], e.data["action"], e.data["time"])
        for e in events
        if e.data["delivered"]
    ]
    assert sent[4:] == [
        (who, action, dt_util.as_utc(when).isoformat()) for who, action, when in late
    ]


async def test_rate_limit_storm(
    hass: HomeAssistant, fake: FakeProtime, freezer: FrozenDateTimeFactory
) -> None:
    """A storm of 429s with Retry-After: all delivered in order, one try per wait."""
    entry, ann, bart = await add_account(hass, fake)
    storm = 6
    fake.rate_limit("30", count=storm)
    now = dt_util.utcnow()
    punches = [
        (ann, ANN, "clock_in", now - timedelta(minutes=9)),
        (bart, BART, "clock_in", now - timedelta(minutes=7)),
        (ann, ANN, "clock_out", now - timedelta(minutes=5)),
        (bart, BART, "clock_out", now - timedelta(minutes=3)),
    ]
    for who, _person, action, when in punches:
        await call(hass, action, entry, who, when)
    await wait_for(
        hass, lambda: posts(fake) == 1 and waiting(entry), "the first answer"
    )

    # Nothing is sent again before Retry-After has passed.
    freezer.tick(timedelta(seconds=29))
    async_fire_time_changed(hass)
    await spin(hass, 100)
    assert posts(fake) == 1

    for _ in range(storm + len(punches)):
        if pending(entry) == 0:
            break
        before = posts(fake)

        def answered(before: int = before) -> bool:
            """Return whether one more try was made and answered."""
            return posts(fake) > before and waiting(entry)

        freezer.tick(timedelta(seconds=31))
        async_fire_time_changed(hass)
        await wait_for(hass, answered, "a try")
    await delivered(hass, entry)
    assert held(fake) == [wall(person, when) for _w, person, _a, when in punches]
    assert fake.duplicates == 0
    assert_pairs(fake, [(person, a, when) for _w, person, a, when in punches])
    # One attempt per 429 plus one per punch: never more.
    assert posts(fake) == storm + len(punches) == 10
    assert lookups(fake) == []


async def test_expired_token_renewed_silently(
    hass: HomeAssistant,
    fake: FakeProtime,
    fake_clock: ManualClock,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    """A token past its 1,800 s is replaced without reauth, issue or lost punch."""
    entry, ann, _bart = await add_account(hass, fake)
    await call(hass, "clock_in", entry, ann)
    await delivered(hass, entry)
    tokens = fake.token_requests

    fake_clock.now += 1801
    freezer.tick(timedelta(minutes=2))
    await call(hass, "clock_out", entry, ann)
    await delivered(hass, entry)

    assert fake.token_requests == tokens + 1
    assert posts(fake) == 3  # in, out refused with 401, out again
    assert len(fake.clockings_of(ANN)) == 2
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []
    assert (
        issue_registry.async_get_issue(DOMAIN, f"auth_failed_{entry.entry_id}") is None
    )


async def test_revoked_secret_reauth_delivers_everything(
    hass: HomeAssistant,
    fake: FakeProtime,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    """A revoked secret pauses delivery, asks for reauth; the new secret sends all."""
    entry, ann, bart = await add_account(hass, fake)
    await call(hass, "clock_in", entry, ann)
    await delivered(hass, entry)

    fake.client_secret = "rotated-secret"
    fake.expire_tokens()
    freezer.tick(timedelta(minutes=2))
    await call(hass, "clock_in", entry, bart)
    await wait_for(
        hass,
        lambda: bool(hass.config_entries.flow.async_progress_by_handler(DOMAIN)),
        "the reauth flow",
    )
    freezer.tick(timedelta(minutes=2))
    await call(hass, "clock_out", entry, ann)
    sent = len(fake.requests)
    freezer.tick(timedelta(minutes=10))
    async_fire_time_changed(hass)
    await spin(hass, 100)

    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [f["context"]["source"] for f in flows] == [SOURCE_REAUTH]
    assert flows[0]["step_id"] == "reauth_confirm"
    issue = issue_registry.async_get_issue(DOMAIN, f"auth_failed_{entry.entry_id}")
    assert issue is not None
    assert pending(entry) == 2
    assert len(fake.requests) == sent  # paused: no login storm
    assert len(fake.clockings) == 1

    flow_id = flows[0]["flow_id"]
    result = await submit(
        hass, flow_id, {"client_id": CLIENT_ID, "client_secret": "still-wrong"}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    result = await submit(
        hass, flow_id, {"client_id": CLIENT_ID, "client_secret": "rotated-secret"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data["client_secret"] == "rotated-secret"
    await hass.async_block_till_done()
    await delivered(hass, entry)
    assert [c["person"]["id"] for c in fake.clockings] == [ANN, BART, ANN]
    assert fake.duplicates == 0
    assert (
        issue_registry.async_get_issue(DOMAIN, f"auth_failed_{entry.entry_id}") is None
    )


async def test_store_then_fail_never_duplicates(
    hass: HomeAssistant, fake: FakeProtime, freezer: FrozenDateTimeFactory
) -> None:
    """Protime stored the clocking but the answer was lost: the retry looks it up."""
    entry, ann, bart = await add_account(hass, fake)

    made = [(ANN, "clock_in", dt_util.utcnow())]

    # 500 after storing, by person id: the retry finds it with the person filter.
    fake.store_then_fail(500)
    await call(hass, "clock_in", entry, ann)
    await wait_for(hass, lambda: len(fake.clockings) == 1 and waiting(entry), "the 500")
    assert pending(entry) == 1
    await retry(hass, entry)
    await delivered(hass, entry)
    assert posts(fake) == 1
    assert [r.query["filter"] for r in lookups(fake)] == [
        "person in (101) and date ge '2025-01-14' and date le '2025-01-16'"
    ]

    # Connection cut after storing, by badge, then a reload: still looked up first.
    freezer.tick(timedelta(minutes=2))
    made.append((BART, "clock_in", dt_util.utcnow()))
    fake.store_then_fail(None)
    await call(hass, "clock_in", entry, bart)
    await wait_for(hass, lambda: len(fake.clockings) == 2 and waiting(entry), "the cut")
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert pending(entry) == 1
    await retry(hass, entry)
    await delivered(hass, entry)
    assert posts(fake) == 2
    assert len(lookups(fake)) == 2
    assert lookups(fake)[-1].query["externalReferences"] == "(people,@badge-number)"

    # Later punches go out normally, and Protime pairs everything right.
    freezer.tick(timedelta(minutes=2))
    made.append((ANN, "clock_out", dt_util.utcnow()))
    await call(hass, "clock_out", entry, ann)
    await delivered(hass, entry)
    assert posts(fake) == 3
    assert fake.duplicates == 0
    assert held(fake) == [wall(p, w) for p, _a, w in made]
    assert_pairs(fake, made)


async def test_site_location_option_is_the_clockings_geolocation(
    hass: HomeAssistant, fake: FakeProtime
) -> None:
    """The site's location set in the options is sent instead of Home Assistant's home."""
    entry, ann, _bart = await add_account(hass, fake)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "settings"}
    )
    assert result["step_id"] == "settings"
    schema = result["data_schema"].schema
    suggested = next(
        key.description["suggested_value"] for key in schema if key == "location"
    )
    assert suggested == {
        "latitude": hass.config.latitude,
        "longitude": hass.config.longitude,
    }
    site = {"latitude": 51.0543, "longitude": 3.7174}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "debounce": 3,
            "tag_scanned": True,
            "auto_clock_out_hours": 0,
            "location": site,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()

    await call(hass, "clock_in", entry, ann)
    await delivered(hass, entry)
    assert fake.clockings[-1]["geolocation"] == site
