"""TrackTik end to end: the real client talks HTTP to the fake portal on 127.0.0.1.

An account is added through the config flow, employees through the subentry flow,
punches come from services and buttons, and the fake portal of
``tests/fakes/tracktik.py`` goes down, rate-limits, expires tokens and revokes the
API service account while the integration keeps every punch, in order.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
import socket
from typing import Any
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import (
    SOURCE_REAUTH,
    SOURCE_USER,
    ConfigEntry,
    ConfigEntryState,
)
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

from .conftest import device_id
from .fakes.tracktik import FakeTrackTik, WorkSessionOperation

TZ_NAME = "America/Toronto"
TZ = ZoneInfo(TZ_NAME)
START = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)  # 08:00 in Toronto
ANNA, BOB = 1053, 1054  # TrackTik employee ids
POSITION, ACCOUNT = 382, 687  # Anna's configured position and account
SHIFT_POSITION, SHIFT_ACCOUNT = 383, 688  # Bob's scheduled shift of the day
SESSIONS = "/rest/v1/work-sessions"
NEW_PASSWORD = "rotated-by-admin"


def credentials(url: str, **changes: str) -> dict[str, str]:
    """Return the account form for the fake portal."""
    return {
        "portal_url": url,
        "client_id": "client-id",
        "client_secret": "client-secret",
        "username": "api-user",
        "password": "api-password",
        **changes,
    }


@pytest.fixture
async def portal(
    hass: HomeAssistant, socket_enabled: None, freezer: FrozenDateTimeFactory
) -> AsyncIterator[FakeTrackTik]:
    """Start the fake portal; its clock follows Home Assistant's frozen time."""
    freezer.move_to(START)
    await hass.config.async_set_time_zone(TZ_NAME)
    fake = FakeTrackTik(
        time_zone=TZ,
        clock=lambda: dt_util.utcnow().timestamp(),
        now=dt_util.utcnow,
    )
    fake.add_employee(ANNA)
    fake.add_employee(BOB)
    fake.add_shift(
        BOB,
        START - timedelta(hours=1),
        START + timedelta(hours=10),
        position=SHIFT_POSITION,
        account=SHIFT_ACCOUNT,
    )
    await fake.start()
    yield fake
    await fake.stop()


# Helpers ---------------------------------------------------------------------


async def start_flow(hass: HomeAssistant) -> str:
    """Open the add-account flow at the TrackTik form; return the flow id."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.MENU
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "tracktik"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "tracktik"
    return str(result["flow_id"])


async def add_account(hass: HomeAssistant, fake: FakeTrackTik) -> ConfigEntry:
    """Add the TrackTik account through the config flow."""
    flow_id = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, credentials(fake.url)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    entry: ConfigEntry = result["result"]
    assert entry.state is ConfigEntryState.LOADED
    return entry


async def add_employee(
    hass: HomeAssistant, entry: ConfigEntry, name: str, fields: dict[str, Any]
) -> str:
    """Add an employee through the subentry flow; return its subentry id."""
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "employee"), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "add_tracktik"
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": name, **fields}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    return next(s.subentry_id for s in entry.subentries.values() if s.title == name)


async def setup_account(
    hass: HomeAssistant, fake: FakeTrackTik
) -> tuple[ConfigEntry, str, str]:
    """Add the account with Anna (position and account) and Bob (scheduled shift)."""
    entry = await add_account(hass, fake)
    anna = await add_employee(
        hass,
        entry,
        "Anna",
        {"identifier": str(ANNA), "position": POSITION, "account": ACCOUNT},
    )
    bob = await add_employee(hass, entry, "Bob", {"identifier": str(BOB)})
    return entry, anna, bob


def idle(entry: ConfigEntry) -> bool:
    """Return whether the outbox waits: empty, paused, or before its next try."""
    account = entry.runtime_data.account
    outbox = account._outbox
    return (
        account._outbox.pending_count == 0
        or outbox.paused
        or (outbox.not_before is not None and outbox.not_before > dt_util.utcnow())
    )


async def settle(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Let the outbox talk to the portal until it waits.

    The outbox is a background task doing real network I/O, which
    ``async_block_till_done`` does not wait for; time is frozen, so the loop is
    turned by hand instead of sleeping.
    """
    for _ in range(500):
        await hass.async_block_till_done()
        if idle(entry):
            return
        for _ in range(20):
            await asyncio.sleep(0)
    raise AssertionError("the outbox never settled")


async def punch(
    hass: HomeAssistant,
    entry: ConfigEntry,
    service: str,
    employee: str,
    when: datetime | None = None,
) -> None:
    """Call a punch service for an employee's device and let the outbox run."""
    data: dict[str, Any] = {"device_id": device_id(hass, entry.entry_id, employee)}
    if when is not None:
        data["time"] = when.isoformat()
    await hass.services.async_call(DOMAIN, service, data, blocking=True)
    await settle(hass, entry)


async def press(
    hass: HomeAssistant, entry: ConfigEntry, employee: str, key: str
) -> None:
    """Press an employee's clock-in or clock-out button."""
    entity_id = er.async_get(hass).async_get_entity_id(
        "button", DOMAIN, f"{employee}_{key}"
    )
    assert entity_id is not None
    await hass.services.async_call(
        "button", "press", {"entity_id": entity_id}, blocking=True
    )
    await settle(hass, entry)


async def retry(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Call the retry service and let the outbox run."""
    await hass.services.async_call(DOMAIN, "retry", {}, blocking=True)
    await settle(hass, entry)


async def tick(
    hass: HomeAssistant,
    entry: ConfigEntry,
    freezer: FrozenDateTimeFactory,
    seconds: float,
) -> None:
    """Move time on, fire the timers that became due and let the outbox run."""
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    await settle(hass, entry)


def pending(entry: ConfigEntry) -> int:
    """Return how many punches wait in the account's outbox."""
    return int(entry.runtime_data.account.delivery.pending)


def wall(when: datetime) -> str:
    """Return the TrackTik local wall-clock form of a time."""
    return when.astimezone(TZ).strftime("%Y-%m-%d %H:%M:%S")


def session_of(entry: ConfigEntry, employee: str) -> int | None:
    """Return the work session id the account stored for an employee."""
    state = entry.runtime_data.account._outbox._backend_state.get(employee)
    return state.get("work_session_id")


def lookups(fake: FakeTrackTik) -> int:
    """Return how often the client listed work sessions (an open-session lookup)."""
    return len(fake.api_requests("GET", SESSIONS))


def assert_alternating(fake: FakeTrackTik) -> None:
    """Assert each employee's work-session changes go in, out, in, ... on one session."""
    by_employee: dict[int, list[WorkSessionOperation]] = {}
    for op in fake.operations:
        by_employee.setdefault(op.employee, []).append(op)
    for ops in by_employee.values():
        for index, op in enumerate(ops):
            assert op.op == ("clock_in" if index % 2 == 0 else "clock_out"), ops
            if op.op == "clock_out":
                assert op.session_id == ops[index - 1].session_id, ops
    assert fake.duplicates == 0


def free_port() -> int:
    """Return a port of 127.0.0.1 that nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# Tests -------------------------------------------------------------------------


async def test_whole_life(
    hass: HomeAssistant, portal: FakeTrackTik, freezer: FrozenDateTimeFactory
) -> None:
    """Flow errors, employees, punches by service and button, an outage and a reload."""
    fake = portal
    flow_id = await start_flow(hass)
    for form, errors in (
        (credentials(fake.url, password="wrong"), {"base": "invalid_auth"}),
        (credentials(fake.url, client_secret="wrong"), {"base": "invalid_auth"}),
        (
            credentials(f"http://127.0.0.1:{free_port()}"),
            {"base": "cannot_connect"},
        ),
        (credentials("http://acme.staffr.us"), {"portal_url": "https_required"}),
    ):
        result = await hass.config_entries.flow.async_configure(flow_id, form)
        assert result["type"] is FlowResultType.FORM
        assert result["errors"] == errors
    result = await hass.config_entries.flow.async_configure(
        flow_id, credentials(fake.url + "/")
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "127.0.0.1:" + fake.url.rsplit(":", 1)[1]
    await hass.async_block_till_done()
    entry: ConfigEntry = result["result"]
    assert "refresh_token" not in entry.data

    # Employees: the TrackTik employee id must be a number.
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "employee"), context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Anna", "identifier": "anna"}
    )
    assert result["errors"] == {"identifier": "identifier_not_numeric"}
    anna = await add_employee(
        hass,
        entry,
        "Anna",
        {"identifier": str(ANNA), "position": POSITION, "account": ACCOUNT},
    )
    bob = await add_employee(hass, entry, "Bob", {"identifier": str(BOB)})
    account = entry.runtime_data.account
    assert set(account.employees) == {anna, bob}

    # Clock in: Anna by service (her configured position and account), Bob by
    # button (his scheduled shift of the day supplies shift, position and account).
    await punch(hass, entry, "clock_in", anna)
    await press(hass, entry, bob, "clock_in")
    assert [(op.op, op.employee, op.at) for op in fake.operations] == [
        ("clock_in", ANNA, "2026-11-23 08:00:00"),
        ("clock_in", BOB, "2026-11-23 08:00:00"),
    ]
    anna_body, bob_body = (r.body for r in fake.api_requests("POST", SESSIONS))
    assert anna_body == {
        "startedOn": "2026-11-23 08:00:00",
        "clockInMethod": "API",
        "status": "OPEN",
        "employee": ANNA,
        "position": POSITION,
        "account": ACCOUNT,
    }
    assert bob_body["shift"] == next(iter(fake.shifts))
    assert (bob_body["position"], bob_body["account"]) == (
        SHIFT_POSITION,
        SHIFT_ACCOUNT,
    )
    first_anna, first_bob = (op.session_id for op in fake.operations)
    assert (session_of(entry, anna), session_of(entry, bob)) == (first_anna, first_bob)

    # The login's refresh token went into the entry without a reload.
    assert entry.data["refresh_token"] in fake.refresh_tokens
    assert entry.runtime_data.account is account

    # Clock out: Anna by button, Bob by service; each closes its stored session.
    await tick(hass, entry, freezer, 300)
    await press(hass, entry, anna, "clock_out")
    await punch(hass, entry, "clock_out", bob)
    assert [(op.op, op.session_id) for op in fake.operations[2:]] == [
        ("clock_out", first_anna),
        ("clock_out", first_bob),
    ]
    assert lookups(fake) == 0
    assert pending(entry) == 0
    assert session_of(entry, anna) is None
    grants = (fake.password_grants, fake.refresh_grants)

    # The portal goes down; three punches with past times wait in the outbox.
    delivered = async_capture_events(hass, "time_clock_punch")
    fake.down = True
    await tick(hass, entry, freezer, 3600)
    now = dt_util.utcnow()
    late = [now - timedelta(minutes=30), now - timedelta(minutes=20)]
    await punch(hass, entry, "clock_in", anna, late[0])
    await punch(hass, entry, "clock_in", bob, late[1])
    await punch(hass, entry, "clock_out", anna, now - timedelta(minutes=10))
    assert pending(entry) == 3
    assert len(fake.operations) == 4
    reachable = er.async_get(hass).async_get_entity_id(
        "binary_sensor", DOMAIN, f"{entry.entry_id}_backend_reachable"
    )
    assert reachable is not None
    assert hass.states.get(reachable).state == "off"

    # A reload keeps the outbox; the portal comes back; retry delivers in order.
    assert await hass.config_entries.async_reload(entry.entry_id)
    await settle(hass, entry)
    assert pending(entry) == 3
    fake.down = False
    await retry(hass, entry)
    assert pending(entry) == 0
    assert hass.states.get(reachable).state == "on"
    new_anna, new_bob = fake.operations[4].session_id, fake.operations[5].session_id
    assert [(op.op, op.employee, op.session_id) for op in fake.operations[4:]] == [
        ("clock_in", ANNA, new_anna),
        ("clock_in", BOB, new_bob),
        ("clock_out", ANNA, new_anna),
    ]
    assert [op.at for op in fake.operations[4:6]] == [wall(t) for t in late]
    assert_alternating(fake)
    assert lookups(fake) == 1  # the interrupted clock-in looked before creating
    assert fake.work_sessions[new_bob]["status"] == "OPEN"
    assert len(fake.work_sessions) == 4

    # TrackTik's clock-out takes no time: the late clock-out is stamped at delivery,
    # and the punch event says so next to the punch's own time.
    sent = [e.data for e in delivered if e.data["delivered"]]
    assert [(e["employee"], e["action"]) for e in sent] == [
        ("Anna", "clock_in"),
        ("Bob", "clock_in"),
        ("Anna", "clock_out"),
    ]
    assert [e["stamped_at"] for e in sent[:2]] == [None, None]
    assert dt_util.parse_datetime(sent[2]["stamped_at"]) == now
    assert dt_util.parse_datetime(sent[2]["time"]) == now - timedelta(minutes=10)

    # After the reload the stored refresh token was used: no new password login.
    assert fake.password_grants == grants[0]
    assert fake.refresh_grants == grants[1] + 1
    assert entry.data["refresh_token"] in fake.refresh_tokens


def attempts_of(fake: FakeTrackTik) -> list[Any]:
    """Return the requests that try to log in or change work sessions."""
    return [r for r in fake.requests if r.method != "HEAD"]


async def test_rate_limit_storm(
    hass: HomeAssistant, portal: FakeTrackTik, freezer: FrozenDateTimeFactory
) -> None:
    """429 answers are waited out as Retry-After says; all arrives, in order."""
    fake = portal
    entry, anna, bob = await setup_account(hass, fake)
    before = len(fake.requests)
    fake.fail_next(429, count=5, headers={"Retry-After": "30"})
    now = dt_util.utcnow()
    made = [
        ("clock_in", anna, now - timedelta(minutes=4)),
        ("clock_in", bob, now - timedelta(minutes=3)),
        ("clock_out", anna, now - timedelta(minutes=2)),
        ("clock_out", bob, now - timedelta(minutes=1)),
        ("clock_in", anna, now),
    ]
    for service, employee, when in made:
        await punch(hass, entry, service, employee, when)
    assert len(fake.requests) == before + 1  # one try, then the outbox waits

    rounds = 0
    while pending(entry) and rounds < 10:
        rounds += 1
        seen = len(fake.requests)
        await tick(hass, entry, freezer, 29)
        assert len(fake.requests) == seen, "sent before Retry-After ran out"
        await tick(hass, entry, freezer, 2)
    assert pending(entry) == 0
    assert rounds == 5
    assert [(op.op, op.employee) for op in fake.operations] == [
        ("clock_in", ANNA),
        ("clock_in", BOB),
        ("clock_out", ANNA),
        ("clock_out", BOB),
        ("clock_in", ANNA),
    ]
    assert [fake.operations[i].at for i in (0, 1, 4)] == [
        wall(made[i][2]) for i in (0, 1, 4)
    ]
    assert_alternating(fake)
    # 5 answers of 429, 1 login, 2 requests per clock-in (shift of the day and
    # the work session), 1 per clock-out.
    attempts = len(fake.requests) - before
    assert attempts == 5 + 1 + 3 * 2 + 2

    # The portal's IP lock-out (429 on everything) is waited out in one go too.
    # (The periodic HEAD that checks the portal answers is no attempt.)
    fake.locked_until = fake.clock() + 600
    seen = len(attempts_of(fake))
    await punch(hass, entry, "clock_out", anna)
    await tick(hass, entry, freezer, 599)
    assert len(attempts_of(fake)) == seen + 1
    assert pending(entry) == 1
    await tick(hass, entry, freezer, 2)
    assert pending(entry) == 0
    assert len(attempts_of(fake)) == seen + 2
    assert fake.operations[-1].op == "clock_out"


async def test_tokens_renewed_and_revoked_credentials_reauth(
    hass: HomeAssistant,
    portal: FakeTrackTik,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    """An expired token is renewed silently; a revoked account asks for reauth."""
    fake = portal
    entry, anna, bob = await setup_account(hass, fake)
    account = entry.runtime_data.account
    issue_id = f"auth_failed_{entry.entry_id}"

    await punch(hass, entry, "clock_in", anna)
    first = entry.data["refresh_token"]
    assert fake.password_grants == 2  # the flow's check and the account's login

    # The access token expires: the refresh token is swapped, silently.
    fake.expire_access_tokens()
    await punch(hass, entry, "clock_in", bob)
    assert pending(entry) == 0
    assert fake.password_grants == 2
    assert fake.refresh_grants == 1
    assert first in fake.spent_refresh_tokens
    assert entry.data["refresh_token"] in fake.refresh_tokens
    assert entry.runtime_data.account is account  # stored without a reload
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None

    # The same by time: the portal's token runs out after an hour of silence.
    await tick(hass, entry, freezer, 3700)
    await punch(hass, entry, "clock_out", anna)
    assert pending(entry) == 0
    assert fake.refresh_grants == 2
    assert entry.data["refresh_token"] in fake.refresh_tokens
    assert entry.runtime_data.account is account

    # The admin revokes the API account: new password, every token revoked.
    fake.password = NEW_PASSWORD
    fake.expire_access_tokens()
    fake.refresh_tokens.clear()
    await punch(hass, entry, "clock_out", bob)
    await punch(hass, entry, "clock_in", anna)
    assert pending(entry) == 2
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [f["context"]["source"] for f in flows] == [SOURCE_REAUTH]
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None
    assert len(fake.failed_logins) == 1

    # Neither time nor the retry service makes it log in again (IP lock-out).
    await tick(hass, entry, freezer, 900)
    await retry(hass, entry)
    assert pending(entry) == 2
    assert len(fake.failed_logins) == 1
    assert len(hass.config_entries.flow.async_progress_by_handler(DOMAIN)) == 1

    # The user enters the new password: everything goes out, in order.
    result = await hass.config_entries.flow.async_configure(
        flows[0]["flow_id"], {"username": "api-user", "password": "wrong"}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        flows[0]["flow_id"], {"username": "api-user", "password": NEW_PASSWORD}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    await settle(hass, entry)
    assert entry.state is ConfigEntryState.LOADED
    assert entry.data["password"] == NEW_PASSWORD
    assert pending(entry) == 0
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []
    assert [(op.op, op.employee) for op in fake.operations[-2:]] == [
        ("clock_out", BOB),
        ("clock_in", ANNA),
    ]
    assert_alternating(fake)
    assert entry.data["refresh_token"] in fake.refresh_tokens


async def test_reauth_with_same_password_resumes(
    hass: HomeAssistant,
    portal: FakeTrackTik,
    issue_registry: ir.IssueRegistry,
) -> None:
    """The account is disabled, then enabled again: reauth with the same password works."""
    fake = portal
    entry, anna, _bob = await setup_account(hass, fake)
    await punch(hass, entry, "clock_in", anna)
    assert "refresh_token" in entry.data

    fake.password = NEW_PASSWORD
    fake.expire_access_tokens()
    fake.refresh_tokens.clear()
    await punch(hass, entry, "clock_out", anna)
    assert pending(entry) == 1
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [f["context"]["source"] for f in flows] == [SOURCE_REAUTH]

    fake.password = "api-password"
    result = await hass.config_entries.flow.async_configure(
        flows[0]["flow_id"], {"username": "api-user", "password": "api-password"}
    )
    assert result["reason"] == "reauth_successful"
    await settle(hass, entry)
    assert pending(entry) == 0
    assert (
        issue_registry.async_get_issue(DOMAIN, f"auth_failed_{entry.entry_id}") is None
    )
    assert [op.op for op in fake.operations] == ["clock_in", "clock_out"]


async def test_stored_work_session_closes_and_token_rotation_skips_reload(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    portal: FakeTrackTik,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The clock-out closes the stored work session; a new token is saved, no reload."""
    fake = portal
    entry, anna, bob = await setup_account(hass, fake)
    await punch(hass, entry, "clock_in", anna)
    session = session_of(entry, anna)
    assert session == fake.operations[0].session_id

    # The rotated refresh token is in the entry and on disk, the account untouched.
    account = entry.runtime_data.account
    fake.expire_access_tokens()
    await punch(hass, entry, "clock_in", bob)
    token = entry.data["refresh_token"]
    assert token in fake.refresh_tokens
    assert entry.runtime_data.account is account
    await tick(hass, entry, freezer, 10)
    saved = next(
        e
        for e in hass_storage["core.config_entries"]["data"]["entries"]
        if e["entry_id"] == entry.entry_id
    )
    assert saved["data"]["refresh_token"] == token

    # The session id survives a reload; another open session of Anna's (the
    # mobile app) is left alone: the clock-out looks nothing up.
    assert await hass.config_entries.async_reload(entry.entry_id)
    await settle(hass, entry)
    other = fake.add_work_session(ANNA, started_on="2026-11-23 08:01:00")
    assert other > session
    await tick(hass, entry, freezer, 60)
    await punch(hass, entry, "clock_out", anna)
    assert fake.operations[-1] == WorkSessionOperation(
        "clock_out", session, ANNA, dt_util.utcnow().astimezone(TZ).isoformat()
    )
    assert fake.work_sessions[other]["status"] == "OPEN"
    assert lookups(fake) == 0
    assert session_of(entry, anna) is None

    # A clock-in whose answer is lost after TrackTik made the session: the retry
    # finds the open session instead of opening a second one, and the clock-out
    # closes that one.
    await punch(hass, entry, "clock_out", bob)
    await tick(hass, entry, freezer, 60)
    fake.apply_then_fail(status=None)
    await punch(hass, entry, "clock_in", bob)
    assert pending(entry) == 1
    assert len(fake.open_sessions(BOB)) == 1
    await retry(hass, entry)
    assert pending(entry) == 0
    (opened,) = fake.open_sessions(BOB)
    assert session_of(entry, bob) == opened["id"]
    assert lookups(fake) == 1
    await punch(hass, entry, "clock_out", bob)
    assert fake.open_sessions(BOB) == []
    assert fake.duplicates == 0
    assert_alternating(fake)
