"""End-to-end life of a SonoranCMS account: the real client against the fake API.

The client built by the integration is the real ``SonoranClient`` talking HTTP to
``tests.fakes.sonoran.FakeSonoran`` on 127.0.0.1. ``backends.SonoranClient`` is
wrapped to inject the fake's base URL (the config flow has no URL field for
SonoranCMS), and, for its one-call-per-second pacing, the frozen monotonic clock and
a ``sleep`` that moves it instead of waiting: pacing and ``Retry-After`` holds cost
no real seconds, and the outbox, the client and the fake's rate window all see the
same time.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
import itertools
import math
import socket
import time
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import (
    SOURCE_REAUTH,
    SOURCE_USER,
    ConfigEntry,
    ConfigSubentryData,
)
from homeassistant.core import Event, HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.time_clock.api.sonoran import SonoranClient
from custom_components.time_clock.const import DOMAIN, EVENT_PUNCH, EVENT_PUNCH_FAILED

from .conftest import device_id
from .fakes.sonoran import FakeSonoran, Transition

COMMUNITY = "AcmeRP"
KEY = "key-123"
SONORAN_DATA = {"backend": "sonoran", "community_id": COMMUNITY, "api_key": KEY}
JOHN = "01SONORANJOHN000000000000"
JANE = "01SONORANJANE000000000000"


class CountingFake(FakeSonoran):
    """The fake, also noting when each request came and whether it met the quota."""

    def __init__(self) -> None:
        """Start with no request seen."""
        super().__init__(community_id=COMMUNITY, api_key=KEY)
        self.quota_log: list[tuple[float, bool]] = []

    def _rate_limited(self) -> bool:
        """Note the request's (frozen) time and whether it was refused with 429."""
        limited = super()._rate_limited()
        self.quota_log.append((time.monotonic(), limited))
        return limited

    @property
    def limited(self) -> int:
        """Return how many requests were answered 429."""
        return sum(hit for _, hit in self.quota_log)


@dataclass
class Harness:
    """The fake API, where the integration's clients send, and the pacing waits."""

    fake: CountingFake
    url: str
    sleeps: list[float] = field(default_factory=list)


@pytest.fixture
async def sonoran(
    hass: HomeAssistant, socket_enabled: None, freezer: FrozenDateTimeFactory
) -> AsyncIterator[Harness]:
    """Serve a fake community and point every SonoranCMS client of HA at it."""
    await hass.config.async_set_time_zone("Europe/Warsaw")
    fake = CountingFake()
    fake.add_account("acc-1", api_id="api-1")
    fake.add_account("acc-2", username="Jane")
    harness = Harness(fake=fake, url=await fake.start())

    async def sleep(seconds: float) -> None:
        harness.sleeps.append(seconds)
        freezer.tick(timedelta(seconds=seconds))

    def clock() -> float:
        return time.monotonic()  # looked up per call: the frozen one

    def client(**kwargs: Any) -> SonoranClient:
        injected = {"base_url": harness.url, "sleep": sleep, "clock": clock}
        return SonoranClient(**kwargs | injected)

    with patch("custom_components.time_clock.vendors.SonoranClient", client):
        yield harness
    await fake.stop()


def _sonoran_employee(
    subentry_id: str, name: str, id_type: str, identifier: str
) -> ConfigSubentryData:
    """Return the subentry data of a SonoranCMS employee."""
    return ConfigSubentryData(
        data={"id_type": id_type, "identifier": identifier, "tags": []},
        subentry_id=subentry_id,
        subentry_type="employee",
        title=name,
        unique_id=None,
    )


@pytest.fixture
async def entry(hass: HomeAssistant, sonoran: Harness) -> MockConfigEntry:
    """Set up a SonoranCMS account with John (API id) and Jane (username)."""
    config_entry = MockConfigEntry(
        domain=DOMAIN,
        title=f"SonoranCMS {COMMUNITY}",
        unique_id=COMMUNITY.casefold(),
        data=SONORAN_DATA,
        subentries_data=[
            _sonoran_employee(JOHN, "John White", "api_id", "api-1"),
            _sonoran_employee(JANE, "Jane Doe", "username", "Jane"),
        ],
    )
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    return config_entry


# Helpers ---------------------------------------------------------------------


def _pending(hass: HomeAssistant, entry_id: str) -> int | None:
    """Return the pending punches sensor's value (``None`` while reloading)."""
    state = hass.states.get(_entity(hass, "sensor", entry_id, "pending_punches"))
    return int(state.state) if state and state.state.isdigit() else None


def _entity(hass: HomeAssistant, platform: str, owner: str, key: str) -> str:
    """Return the entity id of an account's or employee's entity."""
    found = er.async_get(hass).async_get_entity_id(platform, DOMAIN, f"{owner}_{key}")
    assert found is not None, f"{owner}_{key}"
    return found


async def _run(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    done: Callable[[], bool],
    *,
    step: timedelta = timedelta(seconds=301),
    rounds: int = 40,
) -> int:
    """Let the outbox talk to the fake until ``done``, moving time by ``step``.

    The outbox runs in a background task doing real I/O, which
    ``async_block_till_done`` does not wait for: spin the loop instead. Returns
    how many times time was moved.
    """
    for moved in range(rounds):
        for _ in range(400):
            if done():
                await hass.async_block_till_done()
                return moved
            await asyncio.sleep(0)
        freezer.tick(step)
        async_fire_time_changed(hass)
    raise AssertionError("the outbox did not get there")


async def _punch(
    hass: HomeAssistant,
    entry_id: str,
    employee_id: str,
    service: str,
    when: datetime | None = None,
) -> dict[str, Any]:
    """Call a punch service for an employee's device."""
    data: dict[str, Any] = {"device_id": device_id(hass, entry_id, employee_id)}
    if when is not None:
        data["time"] = dt_util.as_local(when).isoformat()
    return await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=True
    )


def _moves(fake: FakeSonoran, start: int = 0) -> list[tuple[str, bool, bool]]:
    """Return (account, state before, state after) of the clock items applied."""
    return [(t.acc_id, t.before, t.after) for t in fake.transitions[start:]]


def _assert_clean(fake: FakeSonoran) -> None:
    """Assert no item was a duplicate, toggled the wrong way or restarted a shift."""
    bad: list[Transition] = [
        t for t in fake.transitions if t.before == t.after or t.restarted
    ]
    assert bad == []
    for account in fake.accounts:
        states = [t.after for t in fake.shifts_of(account.acc_id)]
        assert all(a != b for a, b in itertools.pairwise(states))


def _delivered(events: list[Event]) -> list[tuple[str, str, str]]:
    """Return (employee, action, time) of the punch events that report delivery."""
    return [
        (e.data["employee"], e.data["action"], e.data["time"])
        for e in events
        if e.data["delivered"]
    ]


def _closed_port() -> int:
    """Return a port of 127.0.0.1 nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _user_flow(hass: HomeAssistant, user_input: dict[str, Any]) -> dict[str, Any]:
    """Run the add-account flow to the SonoranCMS form and submit ``user_input``."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.MENU
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "sonoran"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "sonoran"
    return await hass.config_entries.flow.async_configure(result["flow_id"], user_input)


async def _add_employee(
    hass: HomeAssistant, entry: ConfigEntry, user_input: dict[str, Any]
) -> dict[str, Any]:
    """Run the add-employee subentry flow with ``user_input``."""
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "employee"), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "add_sonoran"
    return await hass.config_entries.subentries.async_configure(
        result["flow_id"], user_input
    )


# 1. The whole life -------------------------------------------------------------


async def _create_account(hass: HomeAssistant, sonoran: Harness) -> ConfigEntry:
    """Add the account: bad credentials, bad community, plan, no host, then good."""
    good = {"community_id": COMMUNITY, "api_key": KEY}
    result = await _user_flow(hass, good | {"api_key": "wrong"})
    assert result["errors"] == {"base": "invalid_auth"}
    result = await _user_flow(hass, good | {"community_id": "Nobody"})
    assert result["errors"] == {"base": "unknown_community"}
    sonoran.fake.plan = 2
    result = await _user_flow(hass, good)
    assert result["errors"] == {"base": "plan_required"}
    sonoran.fake.plan = 3
    sonoran.url, url = f"http://127.0.0.1:{_closed_port()}", sonoran.url
    result = await _user_flow(hass, good)
    assert result["errors"] == {"base": "cannot_connect"}
    sonoran.url = url
    assert hass.config_entries.async_entries(DOMAIN) == []

    result = await _user_flow(hass, good | {"community_id": f" {COMMUNITY} "})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == f"SonoranCMS {COMMUNITY}"
    assert result["data"] == SONORAN_DATA
    await hass.async_block_till_done()
    entry = result["result"]
    assert entry.unique_id == "acmerp"
    # The same community again is refused.
    result = await _user_flow(hass, good)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    return entry


async def _add_employees(hass: HomeAssistant, entry: ConfigEntry) -> tuple[str, str]:
    """Add John (API id) and Jane (username); return their subentry ids."""
    result = await _add_employee(
        hass,
        entry,
        {"name": "Ann", "id_type": "unique_id", "identifier": "12a", "tags": []},
    )
    assert result["errors"] == {"identifier": "identifier_not_numeric"}
    for name, id_type, identifier in (
        ("John White", "api_id", "api-1"),
        ("Jane Doe", "username", "Jane"),
    ):
        result = await _add_employee(
            hass,
            entry,
            {"name": name, "id_type": id_type, "identifier": identifier, "tags": []},
        )
        assert result["type"] is FlowResultType.CREATE_ENTRY
        await hass.async_block_till_done()
    ids = {sub.title: sub.subentry_id for sub in entry.subentries.values()}
    return ids["John White"], ids["Jane Doe"]


async def test_whole_life(
    hass: HomeAssistant, sonoran: Harness, freezer: FrozenDateTimeFactory
) -> None:
    """Add, punch by service and button, survive an outage and a reload, deliver all."""
    fake = sonoran.fake
    events = async_capture_events(hass, EVENT_PUNCH)
    entry = await _create_account(hass, sonoran)
    john, jane = await _add_employees(hass, entry)
    account = entry.runtime_data.account
    assert set(account.employees) == {john, jane}
    on_shift = {
        who: _entity(hass, "binary_sensor", who, "on_shift") for who in (john, jane)
    }

    # John by service, Jane by button; each punch reaches Sonoran at once.
    await _punch(hass, entry.entry_id, john, "clock_in")
    await _run(hass, freezer, lambda: fake.account("acc-1").on_shift)
    assert hass.states.get(on_shift[john]).state == "on"
    await _punch(hass, entry.entry_id, john, "clock_out")
    await _run(hass, freezer, lambda: not fake.account("acc-1").on_shift)
    for action in ("clock_in", "clock_out"):
        await hass.services.async_call(
            "button",
            "press",
            {"entity_id": _entity(hass, "button", jane, action)},
            blocking=True,
        )
        await _run(hass, freezer, lambda: _pending(hass, entry.entry_id) == 0)
    assert _moves(fake) == [
        ("acc-1", False, True),
        ("acc-1", True, False),
        ("acc-2", False, True),
        ("acc-2", True, False),
    ]
    assert hass.states.get(on_shift[jane]).state == "off"
    assert hass.states.get(on_shift[jane]).attributes["last_source"] == "button"
    assert len(_delivered(events)) == 4

    # Sonoran goes down; three punches at past times wait, across a reload.
    fake.down = True
    freezer.tick(timedelta(hours=1))
    base = dt_util.utcnow() - timedelta(minutes=30)
    made = [
        ("John White", "clock_in", base, john),
        ("Jane Doe", "clock_in", base + timedelta(minutes=5), jane),
        ("John White", "clock_out", base + timedelta(minutes=10), john),
    ]
    for _name, action, when, who in made:
        await _punch(hass, entry.entry_id, who, action, when)
    reachable = _entity(hass, "binary_sensor", entry.entry_id, "backend_reachable")
    await _run(hass, freezer, lambda: hass.states.get(reachable).state == "off")
    assert _pending(hass, entry.entry_id) == 3
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert _pending(hass, entry.entry_id) == 3
    assert hass.states.get(on_shift[jane]).state == "on"
    assert hass.states.get(on_shift[jane]).attributes["pending_punches"] == 1

    fake.down = False
    before = len(fake.transitions)
    await hass.services.async_call(DOMAIN, "retry", {}, blocking=True)
    await _run(hass, freezer, lambda: _pending(hass, entry.entry_id) == 0)
    assert _moves(fake, before) == [
        ("acc-1", False, True),
        ("acc-2", False, True),
        ("acc-1", True, False),
    ]
    _assert_clean(fake)
    assert hass.states.get(reachable).state == "on"
    assert hass.states.get(on_shift[jane]).attributes["pending_punches"] == 0
    # Each punch went in its own request (the outbox does not batch).
    assert all(len(r["data"]) == 1 for r in fake.clock_requests())
    # The delivery events keep each punch's own time of occurrence; Sonoran
    # itself stamped them at delivery (its API takes no time).
    assert _delivered(events)[4:] == [
        (name, action, when.isoformat()) for name, action, when, _ in made
    ]


# 2. A 429 storm ----------------------------------------------------------------


async def test_rate_limit_storm(
    hass: HomeAssistant,
    sonoran: Harness,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A backlog meeting a tight quota is delivered in order, honouring Retry-After."""
    fake = sonoran.fake
    fake.down = True
    start = dt_util.utcnow() - timedelta(hours=2)
    expected = []
    for i in range(12):
        who, acc = ((JOHN, "acc-1"), (JANE, "acc-2"))[(i // 2) % 2]
        action = ("clock_in", "clock_out")[i % 2]
        await _punch(hass, entry.entry_id, who, action, start + timedelta(minutes=i))
        expected.append((acc, action == "clock_out", action == "clock_in"))
    await _run(hass, freezer, lambda: len(fake.requests) > 0)

    fake.down = False
    fake.rate_limit, fake.rate_window, fake.retry_after = 3, 10.0, "10"
    fake.quota_log.clear()
    await hass.services.async_call(DOMAIN, "retry", {}, blocking=True)
    await _run(
        hass,
        freezer,
        lambda: _pending(hass, entry.entry_id) == 0,
        step=timedelta(seconds=1),
        rounds=200,
    )
    assert _moves(fake) == expected
    _assert_clean(fake)
    accepted = len(fake.quota_log) - fake.limited
    # 12 clock items, and a state read before each of the 6 clock-ins (a member
    # may have clocked in in-game meanwhile); no other request was needed.
    assert accepted == 18
    # At most one 429 per quota window of three requests (6 for 18 requests).
    assert fake.limited <= math.ceil(accepted / 3)
    refused_at = [at for at, hit in fake.quota_log if hit]
    for at in refused_at:
        later = [t for t, _ in fake.quota_log if t > at]
        assert not later or min(later) - at >= 10  # Retry-After was honoured
    # The client keeps to about one call per second (SPEC §3) on its own.
    times = [at for at, _ in fake.quota_log]
    assert all(b - a >= 1 for a, b in itertools.pairwise(times))


# 3. A revoked key --------------------------------------------------------------


async def test_revoked_key_reauth_delivers_everything(
    hass: HomeAssistant,
    sonoran: Harness,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A refused key pauses delivery and asks for a new one; nothing is lost."""
    fake = sonoran.fake
    await _punch(hass, entry.entry_id, JOHN, "clock_in")
    await _run(hass, freezer, lambda: _pending(hass, entry.entry_id) == 0)

    fake.api_key = "key-456"  # the community regenerated its API key
    await _punch(hass, entry.entry_id, JOHN, "clock_out")
    issue_id = f"auth_failed_{entry.entry_id}"
    issues = ir.async_get(hass)
    await _run(
        hass, freezer, lambda: issues.async_get_issue(DOMAIN, issue_id) is not None
    )
    await _punch(hass, entry.entry_id, JANE, "clock_in")
    seen = len(fake.requests)
    freezer.tick(timedelta(minutes=30))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert len(fake.requests) == seen  # paused: no retry with the refused key
    assert _pending(hass, entry.entry_id) == 2
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]

    flow_id = flows[0]["flow_id"]
    result = await hass.config_entries.flow.async_configure(flow_id, {"api_key": "x"})
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"api_key": "key-456"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data["api_key"] == "key-456"
    await _run(hass, freezer, lambda: _pending(hass, entry.entry_id) == 0)
    assert _moves(fake) == [
        ("acc-1", False, True),
        ("acc-1", True, False),
        ("acc-2", False, True),
    ]
    _assert_clean(fake)
    assert issues.async_get_issue(DOMAIN, issue_id) is None


# 4. SonoranCMS specifics -------------------------------------------------------


async def test_clock_in_of_someone_on_shift_at_sonoran_is_no_toggle(
    hass: HomeAssistant,
    sonoran: Harness,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A clock-in of someone Sonoran already has on shift reads, and sends nothing."""
    fake = sonoran.fake
    fake.set_on_shift("acc-1", True)  # clocked in in-game, unknown to HA
    record = fake.account("acc-1").record_id
    events = async_capture_events(hass, EVENT_PUNCH)
    await _punch(hass, entry.entry_id, JOHN, "clock_in")
    await _run(hass, freezer, lambda: _pending(hass, entry.entry_id) == 0)
    assert fake.clock_requests() == []
    assert fake.account("acc-1").on_shift
    assert fake.account("acc-1").record_id == record  # the shift was not restarted
    assert [e.data["delivered"] for e in events] == [False, True]

    await _punch(hass, entry.entry_id, JOHN, "clock_out")
    await _run(hass, freezer, lambda: _pending(hass, entry.entry_id) == 0)
    assert _moves(fake) == [("acc-1", True, False)]
    assert fake.clock_requests()[0]["data"] == [
        {"apiId": "api-1", "forceClockOut": True}
    ]


async def test_lost_answer_to_a_toggle_is_not_toggled_again(
    hass: HomeAssistant,
    sonoran: Harness,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A clock-in applied but unanswered is read back, not sent again as a toggle."""
    fake = sonoran.fake
    await _punch(hass, entry.entry_id, JANE, "clock_in")
    await _run(hass, freezer, lambda: _pending(hass, entry.entry_id) == 0)
    await _punch(hass, entry.entry_id, JANE, "clock_out")
    await _run(hass, freezer, lambda: _pending(hass, entry.entry_id) == 0)

    # The state read passes; the toggle is applied, then the connection drops.
    fake.apply_then_fail(1, status=None, after=1)
    await _punch(hass, entry.entry_id, JANE, "clock_in")
    await _run(hass, freezer, lambda: _pending(hass, entry.entry_id) == 0)
    assert _moves(fake) == [
        ("acc-2", False, True),
        ("acc-2", True, False),
        ("acc-2", False, True),
    ]
    _assert_clean(fake)
    assert [r["path"] for r in fake.requests[-3:]] == [
        "get_current_clock_in",
        "clock_in_out",
        "get_current_clock_in",
    ]


async def test_unlinked_api_id_fails_the_punch_and_goes_on(
    hass: HomeAssistant,
    sonoran: Harness,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """API ID NOT LINKED moves the punch to the failed list; later punches go on."""
    fake = sonoran.fake
    fake.account("acc-1").api_id = "api-other"  # unlinked at Sonoran
    failed = async_capture_events(hass, EVENT_PUNCH_FAILED)
    await _punch(hass, entry.entry_id, JOHN, "clock_in")
    await _punch(hass, entry.entry_id, JANE, "clock_in")
    await _run(hass, freezer, lambda: _pending(hass, entry.entry_id) == 0)
    assert [(e.data["employee"], e.data["code"]) for e in failed] == [
        ("John White", "API_ID_NOT_LINKED")
    ]
    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, f"punch_rejected_{entry.entry_id}"
    )
    assert issue is not None
    assert issue.translation_placeholders["employee"] == "John White"
    assert _moves(fake) == [("acc-2", False, True)]
    assert [
        p["code"] for p in entry.runtime_data.account.delivery_details()["failed"]
    ] == ["API_ID_NOT_LINKED"]


async def test_clock_in_after_in_game_clock_in_is_no_toggle(
    hass: HomeAssistant,
    sonoran: Harness,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A clock-in after a shift started in-game (HA last saw John off) sends nothing."""
    fake = sonoran.fake
    for action in ("clock_in", "clock_out"):
        await _punch(hass, entry.entry_id, JOHN, action)
        await _run(hass, freezer, lambda: _pending(hass, entry.entry_id) == 0)
    fake.set_on_shift("acc-1", True)  # clocked in in-game, after HA's clock-out
    record = fake.account("acc-1").record_id
    await _punch(hass, entry.entry_id, JOHN, "clock_in")
    await _run(hass, freezer, lambda: _pending(hass, entry.entry_id) == 0)
    assert fake.account("acc-1").on_shift
    assert _moves(fake) == [("acc-1", False, True), ("acc-1", True, False)]
    assert fake.account("acc-1").record_id == record
