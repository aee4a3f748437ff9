"""End-to-end life of a Calamari Clockin account: real client, fake tenant over HTTP.

Time is frozen (``freezer``): Home Assistant's clock, the event loop's clock and
the fake tenant's quota windows all follow it, and only ``freezer.tick`` moves it.
The client's pacer takes ``time.monotonic`` as a default argument bound when the
module was imported, before freezegun started, so the tests give it a clock that
reads ``time.monotonic`` at each call (under freezegun: the event loop's clock),
as it is in production.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
import socket
import time
from typing import Any
from unittest.mock import patch

from aiohttp import web
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntry, ConfigEntryState
from homeassistant.core import HomeAssistant, State
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.time_clock.account import SYNC_INTERVAL, TimeClockAccount
from custom_components.time_clock.api.calamari import CalamariClient
from custom_components.time_clock.const import DOMAIN
from custom_components.time_clock.vendors import VENDORS
from tests.fakes.calamari import FakeCalamari

from .conftest import device_id, employee, entity_id

API_KEY = "secret-key"
JOHN = "john.white@mycompany.com"
ANNA_EXT = "externalNumber:XYZ9"
JOHN_SUB = "01CALAMARIJOHN00000000000"
ANNA_SUB = "01CALAMARIANNA00000000000"
# 08:40 in Warsaw; 20 minutes before an hour-quota window ends.
START = datetime(2026, 11, 23, 7, 40, tzinfo=UTC)
TERMINAL_PATHS = ("/clockin/terminal/v1/clock-in", "/clockin/terminal/v1/clock-out")


def _loop_clock() -> float:
    """Return ``time.monotonic()`` looked up now (frozen with the event loop)."""
    return time.monotonic()


@pytest.fixture(autouse=True)
def pacer_on_loop_clock() -> Iterator[None]:
    """Build every Calamari client with a pacer on the (frozen) loop clock."""
    with patch(
        "custom_components.time_clock.vendors.CalamariClient",
        partial(CalamariClient, clock=_loop_clock),
    ):
        yield


@pytest.fixture
async def fake(
    hass: HomeAssistant, socket_enabled: None, freezer: FrozenDateTimeFactory
) -> AsyncIterator[ScriptedCalamari]:
    """Start a Calamari tenant on 127.0.0.1 whose quota windows follow frozen time."""
    freezer.move_to(START)
    await hass.config.async_set_time_zone("Europe/Warsaw")
    server = ScriptedCalamari(
        api_key=API_KEY, clock=lambda: dt_util.utcnow().timestamp()
    )
    server.add_person(JOHN, "ABC123")
    server.add_person("anna.nowak@mycompany.com", "XYZ9", first_name="Anna")
    await server.start()
    yield server
    await server.stop()


class ScriptedCalamari(FakeCalamari):
    """The fake tenant with two more knobs for the state-sync tests.

    ``broken``: persons whose terminal requests get 503. ``gate``: when set, a
    ``get-current-for-all`` answer is computed at once but held until the gate
    opens (a slow read of a large tenant); ``held`` counts such answers.
    """

    broken: tuple[str, ...] = ()
    gate: asyncio.Event | None = None
    held = 0

    def _terminal(self, action: str, body: dict[str, Any]) -> web.Response:
        """Fail the punches of a broken person, serve the others."""
        if body.get("person") in self.broken:
            return web.json_response({"code": "UNAVAILABLE"}, status=503)
        return super()._terminal(action, body)

    async def _answer(
        self, request: web.Request, path: str, raw: bytes
    ) -> web.Response:
        """Answer, holding a state read at the gate after taking its snapshot."""
        resp = await super()._answer(request, path, raw)
        if self.gate is not None and path.endswith("get-current-for-all"):
            self.held += 1
            await self.gate.wait()
        return resp


def calamari_entry(url: str, api_key: str = API_KEY) -> MockConfigEntry:
    """Return a Calamari account with John (e-mail) and Anna (external number)."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="127.0.0.1",
        unique_id="127.0.0.1",
        data={"backend": "calamari", "api_url": url, "api_key": api_key},
        subentries_data=[
            employee(JOHN_SUB, "John White", JOHN, []),
            employee(ANNA_SUB, "Anna Nowak", ANNA_EXT, []),
        ],
    )


async def setup_entry(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Add and load an account."""
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


def account_of(entry: ConfigEntry) -> TimeClockAccount:
    """Return the runtime account of a loaded entry."""
    account: TimeClockAccount = entry.runtime_data.account
    return account


def pending(hass: HomeAssistant, entry: ConfigEntry) -> int:
    """Return the account's pending punches sensor."""
    return int(
        state_of(
            hass, entity_id(hass, "sensor", f"{entry.entry_id}_pending_punches")
        ).state
    )


def state_of(hass: HomeAssistant, entity: str) -> State:
    """Return an entity's state, which must exist."""
    state = hass.states.get(entity)
    assert state is not None, entity
    return state


def on_shift(hass: HomeAssistant, subentry_id: str) -> str:
    """Return an employee's on-shift sensor state."""
    return state_of(
        hass, entity_id(hass, "binary_sensor", f"{subentry_id}_on_shift")
    ).state


def wall(when: datetime) -> str:
    """Return a time as Calamari must get it: Warsaw wall clock, to the second."""
    return dt_util.as_local(when).replace(tzinfo=None, microsecond=0).isoformat()


def sent(fake: FakeCalamari) -> list[tuple[str, str, str]]:
    """Return the punches the fake accepted: (endpoint, person, time)."""
    return [(a.endpoint, a.person, a.time) for a in fake.accepted]


def terminal_hits(fake: FakeCalamari, since: int = 0) -> list[int]:
    """Return the statuses of the terminal requests the fake saw after ``since``."""
    return [h.status for h in fake.hits[since:] if h.path in TERMINAL_PATHS]


def settled(
    hass: HomeAssistant, entry: ConfigEntry, fake: FakeCalamari, accepted: int
) -> bool:
    """Return whether the fake accepted ``accepted`` punches and none is pending."""
    return len(fake.accepted) == accepted and pending(hass, entry) == 0


async def _real_pause() -> None:
    """Let real time pass (the loop clock is frozen) so socket I/O completes."""
    await asyncio.get_running_loop().run_in_executor(None, time.sleep, 0.005)


async def until(hass: HomeAssistant, cond: Callable[[], bool], what: str) -> None:
    """Run the loop until ``cond`` holds (requests to the fake take real I/O)."""
    for _ in range(400):
        await hass.async_block_till_done()
        if cond():
            return
        await _real_pause()
    raise AssertionError(f"timed out waiting for {what}")


async def quiet(hass: HomeAssistant, fake: FakeCalamari, entry: ConfigEntry) -> None:
    """Run the loop until neither the fake nor the outbox changes any more."""
    last: tuple[int, int] | None = None
    same = 0
    for _ in range(400):
        await hass.async_block_till_done()
        await _real_pause()
        now = (len(fake.hits), account_of(entry).delivery.pending)
        same = same + 1 if now == last else 0
        last = now
        if same >= 4:
            return
    raise AssertionError("the account never settled")


async def drain(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    fake: ScriptedCalamari,
    entry: ConfigEntry,
    rounds: int = 60,
) -> int:
    """Move time to each wait's end until the outbox is empty; return the rounds."""
    for done in range(rounds):
        await quiet(hass, fake, entry)
        outbox = account_of(entry)._outbox
        if account_of(entry).delivery.pending == 0:
            return done
        now = dt_util.utcnow()
        target = outbox.not_before
        if target is None or target <= now:
            target = now + timedelta(seconds=11)
        freezer.tick(target - now + timedelta(seconds=1))
        async_fire_time_changed(hass)
    raise AssertionError("the outbox never drained")


async def punch(
    hass: HomeAssistant,
    service: str,
    entry: ConfigEntry,
    subentry_id: str,
    when: datetime | None = None,
    **fields: Any,
) -> Any:
    """Call a punch service for an employee of ``entry`` by its device."""
    data: dict[str, Any] = {"device_id": device_id(hass, entry.entry_id, subentry_id)}
    if when is not None:
        data["time"] = when.isoformat()
    data.update(fields)
    return await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=True
    )


async def press(hass: HomeAssistant, subentry_id: str, key: str) -> None:
    """Press an employee's clock_in or clock_out button."""
    await hass.services.async_call(
        "button",
        "press",
        {"entity_id": entity_id(hass, "button", f"{subentry_id}_{key}")},
        blocking=True,
    )


def closed_port() -> int:
    """Return a port of 127.0.0.1 nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def add_account(hass: HomeAssistant, fake: FakeCalamari) -> ConfigEntry:
    """Go through the config flow: every refusal first, then the right key."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": "user"}
    )
    assert result["type"] is FlowResultType.MENU
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "calamari"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "calamari"
    flow_id = result["flow_id"]

    refusals = [
        ({"api_url": fake.url, "api_key": "wrong-key"}, {"base": "invalid_auth"}),
        (
            {"api_url": f"http://127.0.0.1:{closed_port()}/api", "api_key": API_KEY},
            {"base": "cannot_connect"},
        ),
        (
            {"api_url": "http://acme.calamari.io/api", "api_key": API_KEY},
            {"api_url": "https_required"},
        ),
        (
            {"api_url": fake.url.removesuffix("/api") + "/nope", "api_key": API_KEY},
            {"base": "unknown_tenant"},
        ),
    ]
    for user_input, errors in refusals:
        result = await hass.config_entries.flow.async_configure(flow_id, user_input)
        assert result["type"] is FlowResultType.FORM
        assert result["errors"] == errors, user_input
    fake.terminal_configured = False
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"api_url": fake.url, "api_key": API_KEY}
    )
    assert result["errors"] == {"base": "terminal_missing"}
    fake.terminal_configured = True

    result = await hass.config_entries.flow.async_configure(
        flow_id, {"api_url": fake.url + "/", "api_key": f" {API_KEY} "}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "127.0.0.1"
    assert result["data"] == {
        "backend": "calamari",
        "api_url": fake.url + "/",
        "api_key": API_KEY,
    }
    await hass.async_block_till_done()
    entry = result["result"]
    assert entry.unique_id == "127.0.0.1"
    assert entry.state is ConfigEntryState.LOADED

    # The same tenant cannot be added twice.
    again = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": "user"}
    )
    again = await hass.config_entries.flow.async_configure(
        again["flow_id"], {"next_step_id": "calamari"}
    )
    again = await hass.config_entries.flow.async_configure(
        again["flow_id"], {"api_url": fake.url, "api_key": API_KEY}
    )
    assert again["type"] is FlowResultType.ABORT
    assert again["reason"] == "already_configured"
    return entry


async def add_employee(
    hass: HomeAssistant, entry: ConfigEntry, user_input: dict[str, Any]
) -> str:
    """Add an employee through the subentry flow and return its subentry id."""
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "employee"), context={"source": "user"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "add_calamari"
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], user_input
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    return next(
        sub.subentry_id
        for sub in entry.subentries.values()
        if sub.title == user_input["name"]
    )


async def test_whole_life(
    hass: HomeAssistant, fake: ScriptedCalamari, freezer: FrozenDateTimeFactory
) -> None:
    """Flow, employees, service and button punches, an outage over a reload, retry."""
    entry = await add_account(hass, fake)
    john = await add_employee(
        hass,
        entry,
        {
            "name": "John White",
            "identifier": JOHN,
            "project_id": 42,
            "description": "Workshop",
            "tags": ["04:a1:b2:c3"],
        },
    )
    anna = await add_employee(
        hass, entry, {"name": "Anna Nowak", "identifier": ANNA_EXT}
    )
    assert entry.state is ConfigEntryState.LOADED
    assert entry.subentries[john].data["tags"] == ["04A1B2C3"]
    assert entry.subentries[john].data["project_id"] == 42
    await quiet(hass, fake, entry)

    # Clock in by service (John) and by button (Anna), out by button and service.
    t0 = dt_util.utcnow()
    await punch(hass, "clock_in", entry, john)
    await until(hass, lambda: settled(hass, entry, fake, 1), "John's clock-in")
    freezer.tick(timedelta(minutes=2))
    await press(hass, anna, "clock_in")
    await until(hass, lambda: settled(hass, entry, fake, 2), "Anna's clock-in")
    assert on_shift(hass, john) == on_shift(hass, anna) == "on"
    freezer.tick(timedelta(minutes=58))
    t1 = dt_util.utcnow()
    await press(hass, john, "clock_out")
    await punch(hass, "clock_out", entry, anna, project_id=7)
    await until(hass, lambda: settled(hass, entry, fake, 4), "both clock-outs")
    assert on_shift(hass, john) == on_shift(hass, anna) == "off"
    # The employee's project and description go with a clock-in only.
    assert [(a.project_id, a.description) for a in fake.accepted] == [
        (42, "Workshop"),
        (None, None),
        (None, None),
        (None, None),
    ]
    assert sent(fake) == [
        ("clock-in", JOHN, wall(t0)),
        ("clock-in", ANNA_EXT, wall(t0 + timedelta(minutes=2))),
        ("clock-out", JOHN, wall(t1)),
        ("clock-out", ANNA_EXT, wall(t1)),
    ]
    assert pending(hass, entry) == 0

    # The tenant goes down; three punches with past times wait over a reload.
    fake.down = True
    freezer.tick(timedelta(hours=1))
    events = async_capture_events(hass, "time_clock_punch")
    late = [
        ("clock_in", john, t1 + timedelta(minutes=10, seconds=5)),
        ("clock_in", anna, t1 + timedelta(minutes=20, seconds=17)),
        ("clock_out", john, t1 + timedelta(minutes=30, seconds=59)),
    ]
    for service, who, when in late:
        await punch(hass, service, entry, who, when)
    await quiet(hass, fake, entry)
    assert pending(hass, entry) == 3
    assert [h.status for h in fake.hits if h.path in TERMINAL_PATHS][-1] == 0
    reachable = entity_id(hass, "binary_sensor", f"{entry.entry_id}_backend_reachable")
    assert state_of(hass, reachable).state == "off"

    assert await hass.config_entries.async_reload(entry.entry_id)
    await quiet(hass, fake, entry)
    assert pending(hass, entry) == 3
    assert on_shift(hass, john) == "off"
    assert on_shift(hass, anna) == "on"

    fake.down = False
    freezer.tick(timedelta(seconds=5))
    await hass.services.async_call(DOMAIN, "retry", {}, blocking=True)
    await until(hass, lambda: pending(hass, entry) == 0, "the backlog")
    assert sent(fake)[4:] == [
        ("clock-in", JOHN, wall(late[0][2])),
        ("clock-in", ANNA_EXT, wall(late[1][2])),
        ("clock-out", JOHN, wall(late[2][2])),
    ]
    assert fake.accepted[4].project_id == 42
    assert fake.duplicates == 0
    assert fake.ignored_clock_outs == 0
    assert not any(a.ignored for a in fake.accepted)
    assert not any(h.path.endswith("punch-clock") for h in fake.hits)
    assert fake.status_of(JOHN) == "STOPPED"
    assert fake.status_of(ANNA_EXT) == "STARTED"
    assert state_of(hass, reachable).state == "on"
    delivered = [e.data for e in events if e.data["delivered"]]
    assert [(d["action"], d["time"]) for d in delivered] == [
        (service, when.isoformat()) for service, _, when in late
    ]


async def test_quota_storm(
    hass: HomeAssistant, fake: ScriptedCalamari, freezer: FrozenDateTimeFactory
) -> None:
    """An hourly quota of 4 meets a backlog of 10: few 429s, all delivered in order."""
    fake.down = True
    entry = calamari_entry(fake.url)
    await setup_entry(hass, entry)
    first = dt_util.utcnow() - timedelta(hours=2)
    made = []
    for i in range(10):
        who = (JOHN_SUB, ANNA_SUB)[i % 2]
        service = ("clock_in", "clock_out")[(i // 2) % 2]
        when = first + timedelta(minutes=7 * i, seconds=i)
        await punch(hass, service, entry, who, when)
        person = JOHN if who == JOHN_SUB else ANNA_EXT
        made.append((service.replace("_", "-"), person, wall(when)))
    await quiet(hass, fake, entry)
    assert pending(hass, entry) == 10

    fake.set_quota(per_hour=4)
    fake.down = False
    since = len(fake.hits)
    await hass.services.async_call(
        DOMAIN, "retry", {"account": entry.entry_id}, blocking=True
    )
    rounds = await drain(hass, freezer, fake, entry)

    assert sent(fake) == made
    statuses = terminal_hits(fake, since)
    syncs = [h.status for h in fake.hits[since:] if h.path not in TERMINAL_PATHS]
    # The fifth delivery meets the quota; the 429 teaches the client 4/hour and
    # its pacer then holds deliveries and state syncs alike without asking: 11
    # delivery attempts, and one state sync in each new hour, never refused.
    assert statuses == [200] * 4 + [429] + [200] * 6, statuses
    assert syncs == [200] * len(syncs), syncs
    assert len(syncs) <= 3, syncs
    assert rounds <= 6, rounds
    assert account_of(entry).backend._pacer.limits[3600] == 4  # type: ignore[attr-defined]
    assert fake.duplicates == fake.ignored_clock_outs == 0


async def test_retry_after_is_honoured(
    hass: HomeAssistant, fake: ScriptedCalamari, freezer: FrozenDateTimeFactory
) -> None:
    """429 with Retry-After: 30 sends nothing for 30 s, then delivers."""
    entry = calamari_entry(fake.url)
    await setup_entry(hass, entry)
    await quiet(hass, fake, entry)
    fake.fail_next(1, status=429, headers={"Retry-After": "30"})
    since = len(fake.hits)
    await punch(hass, "clock_in", entry, JOHN_SUB)
    await quiet(hass, fake, entry)
    assert terminal_hits(fake, since) == [429]

    freezer.tick(timedelta(seconds=20))
    async_fire_time_changed(hass)
    await quiet(hass, fake, entry)
    assert terminal_hits(fake, since) == [429]
    assert pending(hass, entry) == 1

    freezer.tick(timedelta(seconds=11))
    async_fire_time_changed(hass)
    await until(hass, lambda: pending(hass, entry) == 0, "the clock-in")
    assert terminal_hits(fake, since) == [429, 200]


async def test_revoked_key_reauth(
    hass: HomeAssistant,
    fake: ScriptedCalamari,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    """A revoked key pauses delivery, asks for a new one, and loses nothing."""
    entry = calamari_entry(fake.url)
    await setup_entry(hass, entry)
    await quiet(hass, fake, entry)
    fake.api_key = "new-key"
    since = len(fake.hits)

    await punch(hass, "clock_in", entry, JOHN_SUB)
    await quiet(hass, fake, entry)
    freezer.tick(timedelta(minutes=1))
    await punch(hass, "clock_in", entry, ANNA_SUB)
    await quiet(hass, fake, entry)
    freezer.tick(timedelta(minutes=10))
    async_fire_time_changed(hass)
    await quiet(hass, fake, entry)

    # One delivery refused, then paused: no second try of the key.
    assert terminal_hits(fake, since) == [401]
    assert pending(hass, entry) == 2
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [f["context"]["source"] for f in flows] == [SOURCE_REAUTH]
    issue = issue_registry.async_get_issue(DOMAIN, f"auth_failed_{entry.entry_id}")
    assert issue is not None
    assert (issue.translation_placeholders or {})["pending"] == "1"

    flow_id = flows[0]["flow_id"]
    assert VENDORS["calamari"].reauth == ("api_key",)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"api_key": "still-wrong"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert result["errors"] == {"base": "invalid_auth"}
    assert pending(hass, entry) == 2

    result = await hass.config_entries.flow.async_configure(
        flow_id, {"api_key": "new-key"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data["api_key"] == "new-key"
    await until(hass, lambda: settled(hass, entry, fake, 2), "the held punches")
    assert pending(hass, entry) == 0
    assert [(a.endpoint, a.person) for a in fake.accepted] == [
        ("clock-in", JOHN),
        ("clock-in", ANNA_EXT),
    ]
    assert (
        issue_registry.async_get_issue(DOMAIN, f"auth_failed_{entry.entry_id}") is None
    )
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []


async def test_state_sync_follows_other_terminals(
    hass: HomeAssistant, fake: ScriptedCalamari, freezer: FrozenDateTimeFactory
) -> None:
    """Shifts started elsewhere show after the sync, except over a pending punch."""
    entry = calamari_entry(fake.url)
    await setup_entry(hass, entry)
    await quiet(hass, fake, entry)
    assert on_shift(hass, JOHN_SUB) == on_shift(hass, ANNA_SUB) == "off"

    # John starts at another terminal; Anna clocks in here, but Calamari
    # keeps failing her punch, so it stays in the outbox.
    fake.find(JOHN).status = "STARTED"  # type: ignore[union-attr]
    fake.broken = (ANNA_EXT,)
    await punch(hass, "clock_in", entry, ANNA_SUB)
    await quiet(hass, fake, entry)
    freezer.tick(SYNC_INTERVAL)
    async_fire_time_changed(hass)
    await quiet(hass, fake, entry)
    assert on_shift(hass, JOHN_SUB) == "on"
    attrs = state_of(
        hass, entity_id(hass, "binary_sensor", f"{JOHN_SUB}_on_shift")
    ).attributes
    assert attrs["shift_start"] is not None
    assert fake.status_of(ANNA_EXT) == "STOPPED"
    assert on_shift(hass, ANNA_SUB) == "on"
    assert pending(hass, entry) == 1

    # A toggle now clocks John out (not a punch-clock), as Calamari expects.
    fake.broken = ()
    await punch(hass, "punch", entry, JOHN_SUB)
    await drain(hass, freezer, fake, entry)
    assert [(a.endpoint, a.person, a.ignored) for a in fake.accepted] == [
        ("clock-in", ANNA_EXT, False),
        ("clock-out", JOHN, False),
    ]
    assert fake.status_of(JOHN) == "STOPPED"
    assert fake.status_of(ANNA_EXT) == "STARTED"

    # Anna ends her shift on the mobile app: the next sync follows.
    fake.find(ANNA_EXT).status = "STOPPED"  # type: ignore[union-attr]
    freezer.tick(SYNC_INTERVAL)
    async_fire_time_changed(hass)
    await quiet(hass, fake, entry)
    assert on_shift(hass, ANNA_SUB) == on_shift(hass, JOHN_SUB) == "off"
    assert fake.duplicates == fake.ignored_clock_outs == 0
    assert not any(h.path.endswith("punch-clock") for h in fake.hits)


async def test_sync_answer_older_than_a_punch_is_not_taken(
    hass: HomeAssistant, fake: ScriptedCalamari, freezer: FrozenDateTimeFactory
) -> None:
    """A state read answered before a punch arrived does not undo that punch.

    The sync asks Calamari who is on shift; while the (slow) answer travels,
    John clocks in here and the clock-in is delivered. The answer still says
    STOPPED for John: it is older than his punch and must not switch him off
    (else the next toggle at the door would clock him in again, not out).
    """
    entry = calamari_entry(fake.url)
    await setup_entry(hass, entry)
    await quiet(hass, fake, entry)
    fake.gate = asyncio.Event()
    freezer.tick(SYNC_INTERVAL)
    async_fire_time_changed(hass)
    await until(hass, lambda: fake.held == 1, "the state read")

    await punch(hass, "clock_in", entry, JOHN_SUB)
    await until(hass, lambda: settled(hass, entry, fake, 1), "John's clock-in")
    assert fake.status_of(JOHN) == "STARTED"
    fake.gate.set()
    await quiet(hass, fake, entry)
    assert on_shift(hass, JOHN_SUB) == "on"

    # The next sync reads the truth and agrees; a toggle then clocks out.
    fake.gate = None
    freezer.tick(SYNC_INTERVAL)
    async_fire_time_changed(hass)
    await quiet(hass, fake, entry)
    assert on_shift(hass, JOHN_SUB) == "on"
    await punch(hass, "punch", entry, JOHN_SUB)
    await until(hass, lambda: settled(hass, entry, fake, 2), "John's clock-out")
    assert fake.accepted[-1].endpoint == "clock-out"
    assert fake.duplicates == 0


async def test_ambiguous_failure_is_resent_harmlessly(
    hass: HomeAssistant, fake: ScriptedCalamari, freezer: FrozenDateTimeFactory
) -> None:
    """Calamari records a clock-in, then fails: the resend is ignored, not a toggle."""
    entry = calamari_entry(fake.url)
    await setup_entry(hass, entry)
    await quiet(hass, fake, entry)
    fake.fail_next(1, status=500, apply=True)
    fake.fail_next(1, status=0, apply=True)
    await punch(hass, "clock_in", entry, JOHN_SUB)
    await drain(hass, freezer, fake, entry)
    assert fake.status_of(JOHN) == "STARTED"
    assert [(a.endpoint, a.ignored) for a in fake.accepted] == [
        ("clock-in", False),
        ("clock-in", True),
        ("clock-in", True),
    ]

    await punch(hass, "clock_out", entry, JOHN_SUB)
    await drain(hass, freezer, fake, entry)
    assert fake.status_of(JOHN) == "STOPPED"
    assert fake.accepted[-1].endpoint == "clock-out"
    assert not fake.accepted[-1].ignored
    assert fake.ignored_clock_outs == 0
    assert on_shift(hass, JOHN_SUB) == "off"


async def test_refused_employee_goes_to_failed_list(
    hass: HomeAssistant,
    fake: ScriptedCalamari,
    issue_registry: ir.IssueRegistry,
) -> None:
    """A person without terminal access is refused; the next punches go on."""
    entry = calamari_entry(fake.url)
    await setup_entry(hass, entry)
    await quiet(hass, fake, entry)
    fake.find(ANNA_EXT).terminal_access = False  # type: ignore[union-attr]
    failed = async_capture_events(hass, "time_clock_punch_failed")

    await punch(hass, "clock_in", entry, ANNA_SUB)
    await punch(hass, "clock_in", entry, JOHN_SUB)
    await until(hass, lambda: settled(hass, entry, fake, 1), "John's clock-in")

    assert pending(hass, entry) == 0
    assert [(a.endpoint, a.person) for a in fake.accepted] == [("clock-in", JOHN)]
    assert [(e.data["employee"], e.data["code"]) for e in failed] == [
        ("Anna Nowak", "API_TERMINAL_NOT_AVAILABLE")
    ]
    assert [f["code"] for f in account_of(entry).delivery_details()["failed"]] == [
        "API_TERMINAL_NOT_AVAILABLE"
    ]
    issue = issue_registry.async_get_issue(DOMAIN, f"punch_rejected_{entry.entry_id}")
    assert issue is not None
    assert (issue.translation_placeholders or {})["employee"] == "Anna Nowak"
