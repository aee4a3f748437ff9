"""Tests of the TrackTik client against a fake TrackTik portal."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from custom_components.time_clock.api.errors import (
    TimeClockAccountError,
    TimeClockAuthenticationError,
    TimeClockConnectionError,
    TimeClockRateLimitedError,
    TimeClockRejectedError,
)
from custom_components.time_clock.api.models import Action, Delivery, PunchRequest
from custom_components.time_clock.api.tracktik import TrackTikClient
from tests.fakes.tracktik import FakeTrackTik

TZ = ZoneInfo("America/Toronto")
EMPLOYEE = 1053
POSITION = 382
ACCOUNT = 687
SESSIONS = "/rest/v1/work-sessions"
TOKEN = "/rest/oauth2/access_token"
# 2026-11-22 08:30:00 in Toronto (UTC-5).
PUNCH_TIME = datetime(2026, 11, 22, 13, 30, tzinfo=UTC)


class Clock:
    """A settable monotonic clock."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def fake(clock: Clock, socket_enabled: None) -> AsyncIterator[FakeTrackTik]:
    server = FakeTrackTik(time_zone=TZ, clock=clock)
    server.add_employee(EMPLOYEE, position=POSITION, account=ACCOUNT)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


class Tokens(list[str]):
    """The refresh tokens handed to ``on_tokens``, in order."""


@pytest.fixture
def tokens() -> Tokens:
    return Tokens()


@pytest.fixture
def make_client(
    fake: FakeTrackTik, session: aiohttp.ClientSession, tokens: Tokens, clock: Clock
):
    def make(**kwargs: Any) -> TrackTikClient:
        options: dict[str, Any] = {
            "session": session,
            "portal_url": fake.url + "/",
            "client_id": fake.client_id,
            "client_secret": fake.client_secret,
            "username": fake.username,
            "password": fake.password,
            "time_zone": TZ,
            "on_tokens": tokens.append,
            "clock": clock,
        }
        return TrackTikClient(**(options | kwargs))

    return make


@pytest.fixture
def client(make_client) -> TrackTikClient:
    return make_client()


def punch(
    action: Action = Action.CLOCK_IN,
    *,
    person: str = str(EMPLOYEE),
    when: datetime = PUNCH_TIME,
    state: dict[str, Any] | None = None,
    extras: dict[str, Any] | None = None,
    uncertain: bool = False,
    punch_id: str = "p1",
) -> PunchRequest:
    return PunchRequest(
        punch_id=punch_id,
        person=person,
        action=action,
        time=when,
        extras={"position": POSITION, "account": ACCOUNT} if extras is None else extras,
        state=state or {},
        uncertain=uncertain,
    )


def created(fake: FakeTrackTik) -> list[dict[str, Any]]:
    return [r.body for r in fake.api_requests("POST", SESSIONS)]


# Sign-in and tokens


async def test_validate_signs_in_with_password_grant_and_names_the_account(
    fake: FakeTrackTik, make_client, tokens: Tokens
) -> None:
    client = make_client(username="API-User")
    fake.username = "API-User"
    info = await client.async_validate()
    host = fake.url.removeprefix("http://")
    assert info.unique_id == f"{host}:api-user"
    assert info.title == host
    [request] = fake.requests
    assert request.path == TOKEN
    assert request.body == {
        "grant_type": "password",
        "username": "API-User",
        "password": fake.password,
        "client_id": fake.client_id,
        "client_secret": fake.client_secret,
    }
    assert tokens == [client._auth._refresh_token]
    assert client._auth._refresh_token in fake.refresh_tokens


async def test_unique_id_uses_the_lowercased_portal_host(session) -> None:
    client = TrackTikClient(
        session=session,
        portal_url="https://ACME.staffr.us/",
        client_id="c",
        client_secret="s",
        username="Guard@Acme",
        password="p",
        time_zone=TZ,
    )
    assert client._host == "acme.staffr.us"
    assert await client.async_fetch_states(["1053"]) is None


async def test_validate_bad_password_raises_auth_once_and_never_again(
    fake: FakeTrackTik, make_client
) -> None:
    client = make_client(password="wrong")
    with pytest.raises(TimeClockAuthenticationError):
        await client.async_validate()
    with pytest.raises(TimeClockAuthenticationError):
        await client.async_validate()
    with pytest.raises(TimeClockAuthenticationError):
        await client.async_deliver(punch())
    assert fake.password_grants == 1
    assert len(fake.failed_logins) == 1


async def test_validate_bad_client_secret_is_authentication(
    fake: FakeTrackTik, make_client
) -> None:
    with pytest.raises(TimeClockAuthenticationError):
        await make_client(client_secret="nope").async_validate()
    assert len(fake.failed_logins) == 1


async def test_validate_wrong_portal_is_account_error(
    fake: FakeTrackTik, make_client
) -> None:
    client = make_client(portal_url=fake.url + "/elsewhere")
    with pytest.raises(TimeClockAccountError) as err:
        await client.async_validate()
    assert err.value.reason == "unknown_tenant"


async def test_validate_unreachable_portal_is_connection_error(make_client) -> None:
    client = make_client(portal_url="http://127.0.0.1:9")
    with pytest.raises(TimeClockConnectionError) as err:
        await client.async_validate()
    assert not err.value.ambiguous


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (200, "<html>login</html>"),
        (200, {"token_type": "Bearer"}),
        (200, []),
    ],
)
async def test_garbage_token_answer_is_ambiguous_transient(
    fake: FakeTrackTik, client: TrackTikClient, status: int, body: Any
) -> None:
    fake.fail_next(status, body=body)
    with pytest.raises(TimeClockConnectionError) as err:
        await client.async_validate()
    assert err.value.ambiguous
    await client.async_validate()  # not latched: a garbage answer is no refusal


@pytest.mark.parametrize(
    ("status", "ambiguous"), [(500, True), (502, False), (503, False)]
)
async def test_token_endpoint_server_error_is_transient(
    fake: FakeTrackTik, client: TrackTikClient, status: int, ambiguous: bool
) -> None:
    fake.fail_next(status, path=TOKEN)
    with pytest.raises(TimeClockConnectionError) as err:
        await client.async_deliver(punch())
    assert err.value.ambiguous is ambiguous
    assert (await client.async_deliver(punch())).state == {"work_session_id": 4592}


async def test_access_token_is_reused_until_it_expires(
    fake: FakeTrackTik, client: TrackTikClient, clock: Clock, tokens: Tokens
) -> None:
    fake.access_token_ttl = 600
    await client.async_deliver(punch())
    await client.async_deliver(punch(Action.CLOCK_OUT, state={"work_session_id": 4592}))
    assert (fake.password_grants, fake.refresh_grants) == (1, 0)
    clock.now += 600 - 61  # still inside the 60 s safety margin
    await client.async_deliver(punch())
    assert fake.refresh_grants == 0
    clock.now += 2
    await client.async_deliver(punch(Action.CLOCK_OUT, state={"work_session_id": 4593}))
    assert (fake.password_grants, fake.refresh_grants) == (1, 1)
    assert len(tokens) == 2
    assert tokens[0] in fake.spent_refresh_tokens
    assert client._auth._refresh_token == tokens[1]


async def test_stored_refresh_token_is_used_first_and_rotated(
    fake: FakeTrackTik, make_client, tokens: Tokens
) -> None:
    await make_client().async_validate()
    stored = tokens[-1]
    client = make_client(refresh_token=stored)
    await client.async_deliver(punch())
    assert fake.password_grants == 1  # only the first client's
    assert fake.refresh_grants == 1
    refresh = fake.api_requests("POST", TOKEN)[-1].body
    assert refresh["grant_type"] == "refresh_token"
    assert refresh["refresh_token"] == stored
    assert tokens[-1] == client._auth._refresh_token != stored


async def test_new_refresh_token_is_handed_over_before_the_api_call(
    fake: FakeTrackTik, make_client
) -> None:
    seen: list[int] = []

    def on_tokens(token: str) -> None:
        seen.append(len(fake.requests))

    await make_client(on_tokens=on_tokens).async_deliver(punch())
    # Only the token request had arrived when the new refresh token was handed over.
    assert seen == [1]


async def test_spent_refresh_token_falls_back_to_one_password_grant(
    fake: FakeTrackTik, make_client, tokens: Tokens
) -> None:
    client = make_client(refresh_token="spent-token")
    await client.async_deliver(punch())
    grants = [r.body["grant_type"] for r in fake.api_requests("POST", TOKEN)]
    assert grants == ["refresh_token", "password"]
    assert tokens == [client._auth._refresh_token]


async def test_refresh_and_password_refused_raises_auth_and_stops_logging_in(
    fake: FakeTrackTik, make_client, clock: Clock
) -> None:
    client = make_client(refresh_token="spent-token", password="changed")
    with pytest.raises(TimeClockAuthenticationError):
        await client.async_deliver(punch())
    for _ in range(50):
        clock.now += 3600
        with pytest.raises(TimeClockAuthenticationError):
            await client.async_deliver(punch())
    assert fake.password_grants == 1
    assert len(fake.requests) == 2
    assert not fake.locked


async def test_401_on_api_call_refreshes_and_sends_once_more(
    fake: FakeTrackTik, client: TrackTikClient, tokens: Tokens
) -> None:
    await client.async_validate()
    fake.expire_access_tokens()
    delivery = await client.async_deliver(punch())
    assert delivery.state == {"work_session_id": 4592}
    assert fake.refresh_grants == 1
    assert len(tokens) == 2
    assert len(fake.open_sessions(EMPLOYEE)) == 1
    assert fake.duplicates == 0


async def test_401_twice_is_authentication_error_without_latching(
    fake: FakeTrackTik, client: TrackTikClient
) -> None:
    fake.fail_next(401, count=2, path="/rest/v1/", body={"message": "Unauthorized"})
    with pytest.raises(TimeClockAuthenticationError):
        await client.async_deliver(punch())
    assert fake.work_sessions == {}
    assert (await client.async_deliver(punch())).state == {"work_session_id": 4592}


async def test_refresh_rate_limited_or_transient_does_not_log_in(
    fake: FakeTrackTik, make_client, tokens: Tokens
) -> None:
    await make_client().async_validate()
    client = make_client(refresh_token=tokens[-1])
    fake.fail_next(429, path=TOKEN, headers={"Retry-After": "30"})
    with pytest.raises(TimeClockRateLimitedError) as err:
        await client.async_deliver(punch())
    assert err.value.retry_after == 30
    assert fake.password_grants == 1
    await client.async_deliver(punch())
    assert fake.password_grants == 1


async def test_lost_refresh_answer_recovers_with_password_grant(
    fake: FakeTrackTik, make_client, tokens: Tokens
) -> None:
    await make_client().async_validate()
    client = make_client(refresh_token=tokens[-1])
    fake.fail_next(None, path=TOKEN)  # the portal rotated nothing; connection lost
    with pytest.raises(TimeClockConnectionError):
        await client.async_deliver(punch())
    await client.async_deliver(punch())
    assert fake.refresh_grants == 1  # the stored token was still good


async def test_token_answer_without_refresh_token_keeps_working(
    fake: FakeTrackTik, client: TrackTikClient, tokens: Tokens
) -> None:
    fake.fail_next(200, path=TOKEN, body={"access_token": "x", "expires_in": "bad"})
    fake.access_tokens["x"] = 10**9
    await client.async_deliver(punch())
    assert client._auth._refresh_token is None
    assert tokens == []


async def test_locked_out_ip_is_rate_limited_with_retry_after(
    fake: FakeTrackTik, make_client, clock: Clock
) -> None:
    for _ in range(40):
        with pytest.raises(TimeClockAuthenticationError):
            await make_client(password="guess").async_validate()
    assert fake.locked
    with pytest.raises(TimeClockRateLimitedError) as err:
        await make_client().async_validate()
    assert err.value.retry_after == 7200
    clock.now += 7200
    await make_client().async_validate()


async def test_fake_counts_failures_only_inside_two_minutes(
    fake: FakeTrackTik, make_client, clock: Clock
) -> None:
    for _ in range(60):
        clock.now += 4
        with pytest.raises(TimeClockAuthenticationError):
            await make_client(password="guess").async_validate()
    assert not fake.locked


async def test_fake_accepts_json_token_requests_and_refuses_unknown_grants(
    fake: FakeTrackTik, session: aiohttp.ClientSession
) -> None:
    base = {"client_id": fake.client_id, "client_secret": fake.client_secret}
    async with session.post(
        fake.url + TOKEN,
        json=base
        | {
            "grant_type": "password",
            "username": fake.username,
            "password": fake.password,
        },
    ) as resp:
        assert resp.status == 200
    async with session.post(
        fake.url + TOKEN, json=base | {"grant_type": "magic"}
    ) as resp:
        assert resp.status == 400
        assert (await resp.json())["error"] == "unsupported_grant_type"
    async with session.post(fake.url + TOKEN, json=[1]) as resp:
        assert resp.status == 401


# Clock-in


async def test_clock_in_uses_the_scheduled_shift_of_the_day(
    fake: FakeTrackTik, client: TrackTikClient
) -> None:
    shift = fake.add_shift(
        EMPLOYEE,
        datetime(2026, 11, 22, 8, 0, tzinfo=TZ),
        datetime(2026, 11, 22, 16, 0, tzinfo=TZ),
        position=999,
        account=777,
    )
    delivery = await client.async_deliver(punch())
    assert delivery == Delivery(state={"work_session_id": 4592})
    assert created(fake) == [
        {
            "startedOn": "2026-11-22 08:30:00",
            "clockInMethod": "API",
            "status": "OPEN",
            "employee": EMPLOYEE,
            "shift": shift,
            "position": 999,
            "account": 777,
        }
    ]
    [lookup] = fake.api_requests("GET", "/rest/v1/shifts")
    assert lookup.query["employee"] == str(EMPLOYEE)
    assert (
        lookup.query["startDateTime:between"]
        == "2026-11-22 00:00:00|2026-11-22 23:59:59"
    )
    assert lookup.authorization is not None
    assert lookup.authorization.startswith("Bearer ")
    assert fake.work_sessions[4592]["status"] == "OPEN"
    assert [op.op for op in fake.operations] == ["clock_in"]


async def test_clock_in_without_shift_uses_configured_position_and_account(
    fake: FakeTrackTik, client: TrackTikClient
) -> None:
    fake.add_shift(  # another employee's shift and one on another day
        42, datetime(2026, 11, 22, 8, tzinfo=TZ), datetime(2026, 11, 22, 9, tzinfo=TZ)
    )
    fake.add_shift(
        EMPLOYEE,
        datetime(2026, 11, 23, 8, tzinfo=TZ),
        datetime(2026, 11, 23, 9, tzinfo=TZ),
    )
    await client.async_deliver(punch(extras={"position": "382", "account": "687"}))
    [body] = created(fake)
    assert "shift" not in body
    assert (body["position"], body["account"]) == (POSITION, ACCOUNT)


async def test_clock_in_with_nothing_to_link_is_rejected_before_sending(
    fake: FakeTrackTik, client: TrackTikClient
) -> None:
    with pytest.raises(TimeClockRejectedError) as err:
        await client.async_deliver(punch(extras={"position": POSITION}))
    assert err.value.code == "MISSING_POSITION_OR_ACCOUNT"
    assert created(fake) == []


async def test_clock_in_with_non_numeric_employee_is_rejected(
    fake: FakeTrackTik, client: TrackTikClient
) -> None:
    with pytest.raises(TimeClockRejectedError) as err:
        await client.async_deliver(punch(person="john@acme"))
    assert err.value.code == "INVALID_EMPLOYEE"
    assert fake.requests == []


async def test_shift_under_way_beats_a_later_one_and_shift_fields_fall_back(
    fake: FakeTrackTik, client: TrackTikClient
) -> None:
    fake.shifts[1] = {  # a night shift from yesterday, still under way, nested refs
        "id": "1",
        "employee": {"id": EMPLOYEE},
        "position": {"id": 11},
        "client": {"id": 12},
        "startedOn": "2026-11-21 22:00:00",
        "endedOn": "2026-11-22 09:00:00",
    }
    fake.shifts[2] = {
        "id": 2,
        "employee": EMPLOYEE,
        "startDateTime": "2026-11-22T15:00:00-05:00",
        "endDateTime": None,
    }
    fake.shifts[3] = {"id": 3, "employee": EMPLOYEE, "startDateTime": "garbage"}
    fake.shifts[4] = {"id": 4, "employee": EMPLOYEE, "startDateTime": 5}
    fake.shifts[5] = {"id": 5, "employee": EMPLOYEE}
    fake.shifts[6] = {
        "id": 6,
        "employee": EMPLOYEE,
        "startDateTime": "2026-11-22 18:00:00",
    }
    fake.shifts[7] = {"id": 7, "employee": 42, "startDateTime": "2026-11-22 08:30:00"}
    fake.shifts[8] = {
        "id": 8,
        "employee": EMPLOYEE,
        "startDateTime": "2026-11-23 08:30:00",
    }
    fake.add_shift(
        EMPLOYEE,
        datetime(2026, 11, 22, 1, tzinfo=TZ),
        datetime(2026, 11, 22, 5, tzinfo=TZ),
    )
    fake.fail_next(200, path="/rest/v1/shifts", body=list(fake.shifts.values()))
    shift = await client._async_shift_of_day(EMPLOYEE, PUNCH_TIME.astimezone(TZ))
    assert shift is not None
    assert shift["id"] == "1"
    fake.fail_next(200, path="/rest/v1/shifts", body={"data": [fake.shifts[2], "junk"]})
    await client.async_deliver(punch())
    [body] = created(fake)
    assert (body["shift"], body["position"], body["account"]) == (2, POSITION, ACCOUNT)


async def test_nearest_shift_start_of_the_day_is_chosen(
    fake: FakeTrackTik, client: TrackTikClient
) -> None:
    fake.add_shift(
        EMPLOYEE,
        datetime(2026, 11, 22, 6, tzinfo=TZ),
        datetime(2026, 11, 22, 8, tzinfo=TZ),
    )
    near = fake.add_shift(
        EMPLOYEE,
        datetime(2026, 11, 22, 9, tzinfo=TZ),
        datetime(2026, 11, 22, 17, tzinfo=TZ),
    )
    fake.add_shift(
        EMPLOYEE,
        datetime(2026, 11, 22, 18, tzinfo=TZ),
        datetime(2026, 11, 22, 23, tzinfo=TZ),
    )
    await client.async_deliver(punch())
    assert created(fake)[0]["shift"] == near


@pytest.mark.parametrize("status", [400, 403, 404, 422])
async def test_unreadable_shifts_fall_back_to_configured_position(
    fake: FakeTrackTik, client: TrackTikClient, status: int
) -> None:
    fake.fail_next(status, path="/rest/v1/shifts")
    assert (await client.async_deliver(punch())).state == {"work_session_id": 4592}
    assert created(fake)[0]["position"] == POSITION


async def test_garbage_shift_list_is_ambiguous_transient(
    fake: FakeTrackTik, client: TrackTikClient
) -> None:
    fake.fail_next(200, path="/rest/v1/shifts", body="<html/>")
    with pytest.raises(TimeClockConnectionError):
        await client.async_deliver(punch())
    assert created(fake) == []


@pytest.mark.parametrize(
    ("setup", "code"),
    [
        ({"assigned": False}, "EMPLOYEE_NOT_ASSIGNED"),
        ({"requires_location": True}, "LOCATION_MISMATCH"),
    ],
)
async def test_business_rule_refusals_are_rejections(
    fake: FakeTrackTik, client: TrackTikClient, setup: dict[str, bool], code: str
) -> None:
    fake.add_employee(EMPLOYEE, position=POSITION, account=ACCOUNT, **setup)
    with pytest.raises(TimeClockRejectedError) as err:
        await client.async_deliver(punch())
    assert err.value.code == code
    assert fake.work_sessions == {}


async def test_unknown_employee_is_rejected(
    fake: FakeTrackTik, client: TrackTikClient
) -> None:
    with pytest.raises(TimeClockRejectedError) as err:
        await client.async_deliver(punch(person="77"))
    assert err.value.code == "EMPLOYEE_NOT_FOUND"
    assert str(err.value) == "Employee not found"


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ((400, {"code": "BAD", "message": "bad"}), ("BAD", "bad")),
        (
            (409, {"error": {"code": "CONFLICT", "message": "busy"}}),
            ("CONFLICT", "busy"),
        ),
        ((422, {"errors": [{"errorCode": "E1", "detail": "d"}]}), ("E1", "d")),
        ((422, {"status": 422, "title": "Unproc"}), ("VALIDATION", "Unproc")),
        ((422, "plain text"), ("VALIDATION", "TrackTik answered HTTP 422")),
        ((404, None), ("NOT_FOUND", "TrackTik answered HTTP 404")),
        (
            (400, {"error": "invalid_request", "error_description": "x" * 300}),
            ("invalid_request", "x" * 200),
        ),
    ],
)
async def test_refusal_bodies_are_read_leniently(
    fake: FakeTrackTik,
    client: TrackTikClient,
    answer: tuple[int, Any],
    expected: tuple[str, str],
) -> None:
    status, body = answer
    fake.fail_next(status, body=body, path=SESSIONS)
    with pytest.raises(TimeClockRejectedError) as err:
        await client.async_deliver(punch())
    assert (err.value.code, str(err.value)) == expected


async def test_403_on_work_session_is_authentication(
    fake: FakeTrackTik, client: TrackTikClient
) -> None:
    fake.fail_next(403, path=SESSIONS, body={"message": "Forbidden"})
    with pytest.raises(TimeClockAuthenticationError):
        await client.async_deliver(punch())


async def test_429_is_rate_limited_with_retry_after(
    fake: FakeTrackTik, client: TrackTikClient
) -> None:
    fake.fail_next(429, path=SESSIONS, headers={"Retry-After": "12"})
    with pytest.raises(TimeClockRateLimitedError) as err:
        await client.async_deliver(punch())
    assert err.value.retry_after == 12


@pytest.mark.parametrize(
    ("status", "ambiguous"),
    [(500, True), (502, False), (503, False), (504, True), (302, False)],
)
async def test_server_errors_are_transient(
    fake: FakeTrackTik, client: TrackTikClient, status: int, ambiguous: bool
) -> None:
    fake.fail_next(status, path=SESSIONS)
    with pytest.raises(TimeClockConnectionError) as err:
        await client.async_deliver(punch())
    assert err.value.ambiguous is ambiguous


@pytest.mark.parametrize("body", ["<html>ok</html>", {"data": {"status": "OPEN"}}, [1]])
async def test_garbage_2xx_on_clock_in_is_ambiguous(
    fake: FakeTrackTik, client: TrackTikClient, body: Any
) -> None:
    fake.fail_next(201, path=SESSIONS, body=body)
    with pytest.raises(TimeClockConnectionError) as err:
        await client.async_deliver(punch())
    assert err.value.ambiguous


async def test_down_portal_is_ambiguous_connection_error(
    fake: FakeTrackTik, client: TrackTikClient
) -> None:
    await client.async_validate()
    fake.down = True
    with pytest.raises(TimeClockConnectionError) as err:
        await client.async_deliver(punch())
    assert err.value.ambiguous
    fake.down = False
    assert (await client.async_deliver(punch())).state == {"work_session_id": 4592}


async def test_wrapped_answers_are_unwrapped(
    fake: FakeTrackTik, client: TrackTikClient
) -> None:
    fake.wrap_data = True
    assert (await client.async_deliver(punch())).state == {"work_session_id": 4592}
    out = await client.async_deliver(
        punch(Action.CLOCK_OUT, state={"work_session_id": 4592})
    )
    assert out.state == {}


async def test_uncertain_clock_in_finds_the_open_session_and_sends_nothing(
    fake: FakeTrackTik, client: TrackTikClient
) -> None:
    fake.apply_then_fail(status=504)
    with pytest.raises(TimeClockConnectionError) as err:
        await client.async_deliver(punch())
    assert err.value.ambiguous
    delivery = await client.async_deliver(punch(uncertain=True))
    assert delivery == Delivery(state={"work_session_id": 4592})
    assert len(created(fake)) == 1
    assert fake.duplicates == 0
    [lookup] = fake.api_requests("GET", SESSIONS)
    assert lookup.query["employee"] == str(EMPLOYEE)
    assert lookup.query["status"] == "OPEN"


async def test_uncertain_clock_in_after_dropped_connection(
    fake: FakeTrackTik, client: TrackTikClient
) -> None:
    fake.apply_then_fail(status=None)
    with pytest.raises(TimeClockConnectionError) as err:
        await client.async_deliver(punch())
    assert err.value.ambiguous
    delivery = await client.async_deliver(punch(uncertain=True))
    assert delivery == Delivery(state={"work_session_id": 4592})
    assert len(fake.work_sessions) == 1


async def test_uncertain_clock_in_creates_when_nothing_is_open(
    fake: FakeTrackTik, client: TrackTikClient
) -> None:
    fake.add_work_session(EMPLOYEE, started_on="2026-11-21 08:00:00", status="CLOSED")
    delivery = await client.async_deliver(punch(uncertain=True))
    assert delivery == Delivery(state={"work_session_id": 4593})
    assert fake.duplicates == 0


async def test_open_session_lookup_is_lenient_and_picks_the_newest(
    fake: FakeTrackTik, client: TrackTikClient
) -> None:
    items = [
        {"id": 7, "employee": {"id": EMPLOYEE}, "status": "OPEN"},
        {"id": "9", "status": "OPEN"},
        {"id": 11, "employee": 5, "status": "OPEN"},
        {"id": 12, "employee": EMPLOYEE, "status": "CLOSED"},
        {"employee": EMPLOYEE},
        "junk",
    ]
    fake.fail_next(200, path=SESSIONS, body=items)
    assert await client._async_open_session(EMPLOYEE) == 9


async def test_garbage_open_session_list_is_ambiguous_and_creates_nothing(
    fake: FakeTrackTik, client: TrackTikClient
) -> None:
    fake.fail_next(200, path=SESSIONS, body={"meta": {}})
    with pytest.raises(TimeClockConnectionError):
        await client.async_deliver(punch(uncertain=True))
    assert created(fake) == []


# Clock-out


async def test_clock_out_closes_the_stored_work_session(
    fake: FakeTrackTik, make_client
) -> None:
    fake.now = lambda: datetime(2026, 11, 22, 21, 39, 43, tzinfo=UTC)
    client = make_client()
    clock_in = await client.async_deliver(punch())
    out = await client.async_deliver(
        punch(Action.CLOCK_OUT, state=dict(clock_in.state or {}))
    )
    assert out == Delivery(
        state={}, stamped_at=datetime(2026, 11, 22, 16, 39, 43, tzinfo=TZ)
    )
    [request] = fake.api_requests("POST", f"{SESSIONS}/4592/actions/clock-out")
    assert request.body == {"clockOutMethod": "API"}
    assert fake.work_sessions[4592]["status"] == "CLOSED"
    assert [op.op for op in fake.operations] == ["clock_in", "clock_out"]


async def test_clock_out_with_empty_answer_is_success(
    fake: FakeTrackTik, client: TrackTikClient
) -> None:
    fake.fail_next(204, path=f"{SESSIONS}/4592/actions/clock-out")
    out = await client.async_deliver(
        punch(Action.CLOCK_OUT, state={"work_session_id": "4592"})
    )
    assert out == Delivery(state={})


async def test_clock_out_without_id_closes_the_open_session(
    fake: FakeTrackTik, client: TrackTikClient
) -> None:
    opened = fake.add_work_session(EMPLOYEE, started_on="2026-11-22 07:00:00")
    out = await client.async_deliver(punch(Action.CLOCK_OUT))
    assert out.state == {}
    assert fake.work_sessions[opened]["status"] == "CLOSED"
    assert client._closing == {}


async def test_clock_out_without_open_session_is_rejected(
    fake: FakeTrackTik, client: TrackTikClient
) -> None:
    with pytest.raises(TimeClockRejectedError) as err:
        await client.async_deliver(punch(Action.CLOCK_OUT))
    assert err.value.code == "NO_OPEN_WORK_SESSION"
    assert fake.operations == []


@pytest.mark.parametrize("status", [400, 409, 422])
async def test_clock_out_of_session_tracktik_closed_itself_is_done(
    fake: FakeTrackTik, client: TrackTikClient, status: int
) -> None:
    """A session TrackTik closed on its own (auto clock-out) needs no clock-out."""
    fake.closed_clock_out_status = status
    closed = fake.add_work_session(
        EMPLOYEE, started_on="2026-11-22 07:00:00", status="CLOSED"
    )
    delivery = await client.async_deliver(
        punch(Action.CLOCK_OUT, state={"work_session_id": closed})
    )
    assert delivery.state == {}
    assert fake.work_sessions[closed]["status"] == "CLOSED"


async def test_clock_out_refused_for_an_open_session_is_rejected(
    fake: FakeTrackTik, client: TrackTikClient
) -> None:
    """A refusal for a session that is still open stays a rejection."""
    session = fake.add_work_session(EMPLOYEE, started_on="2026-11-22 07:00:00")
    fake.fail_next(
        422,
        body={"code": "LOCATION_MISMATCH"},
        path=f"/rest/v1/work-sessions/{session}/actions",
    )
    with pytest.raises(TimeClockRejectedError) as err:
        await client.async_deliver(
            punch(Action.CLOCK_OUT, state={"work_session_id": session})
        )
    assert err.value.code == "LOCATION_MISMATCH"


async def test_clock_out_of_unknown_session_is_rejected(
    fake: FakeTrackTik, client: TrackTikClient
) -> None:
    with pytest.raises(TimeClockRejectedError) as err:
        await client.async_deliver(
            punch(Action.CLOCK_OUT, state={"work_session_id": 1})
        )
    assert err.value.code == "NOT_FOUND"


async def test_uncertain_clock_out_of_closed_session_is_a_duplicate(
    fake: FakeTrackTik, client: TrackTikClient
) -> None:
    fake.now = lambda: datetime(2026, 11, 22, 21, 0, tzinfo=UTC)
    await client.async_deliver(punch())
    fake.apply_then_fail(status=500)
    state = {"work_session_id": 4592}
    with pytest.raises(TimeClockConnectionError) as err:
        await client.async_deliver(punch(Action.CLOCK_OUT, state=state))
    assert err.value.ambiguous
    out = await client.async_deliver(
        punch(Action.CLOCK_OUT, state=state, uncertain=True)
    )
    assert out == Delivery(
        state={}, stamped_at=datetime(2026, 11, 22, 21, 0, tzinfo=UTC)
    )
    assert len(fake.api_requests("POST", f"{SESSIONS}/4592/actions/clock-out")) == 1
    assert [op.op for op in fake.operations] == ["clock_in", "clock_out"]


async def test_uncertain_clock_out_of_open_session_closes_it(
    fake: FakeTrackTik, client: TrackTikClient
) -> None:
    await client.async_deliver(punch())
    out = await client.async_deliver(
        punch(Action.CLOCK_OUT, state={"work_session_id": 4592}, uncertain=True)
    )
    assert out.state == {}
    assert len(fake.api_requests("POST", f"{SESSIONS}/4592/actions/clock-out")) == 1
    assert fake.api_requests("GET", f"{SESSIONS}/4592")
    assert fake.work_sessions[4592]["status"] == "CLOSED"


async def test_uncertain_clock_out_without_id_rechecks_the_session_it_picked(
    fake: FakeTrackTik, client: TrackTikClient
) -> None:
    opened = fake.add_work_session(EMPLOYEE, started_on="2026-11-22 07:00:00")
    fake.apply_then_fail(status=None)
    with pytest.raises(TimeClockConnectionError):
        await client.async_deliver(punch(Action.CLOCK_OUT))
    assert client._closing == {"p1": opened}
    out = await client.async_deliver(punch(Action.CLOCK_OUT, uncertain=True))
    assert out.state == {}
    assert len(fake.api_requests("POST", f"{SESSIONS}/{opened}/actions/clock-out")) == 1
    assert client._closing == {}
    assert len(fake.api_requests("GET", SESSIONS)) == 1


async def test_rejected_clock_out_forgets_the_picked_session(
    fake: FakeTrackTik, client: TrackTikClient
) -> None:
    fake.add_work_session(EMPLOYEE, started_on="2026-11-22 07:00:00")
    fake.fail_next(422, path=f"{SESSIONS}/4592/actions", body={"code": "LOCKED"})
    with pytest.raises(TimeClockRejectedError):
        await client.async_deliver(punch(Action.CLOCK_OUT))
    assert client._closing == {}


async def test_garbage_clock_out_answer_is_ambiguous_then_duplicate(
    fake: FakeTrackTik, client: TrackTikClient
) -> None:
    await client.async_deliver(punch())
    fake.apply_then_fail(status=200, body="<html>ok</html>")
    state = {"work_session_id": 4592}
    with pytest.raises(TimeClockConnectionError) as err:
        await client.async_deliver(punch(Action.CLOCK_OUT, state=state))
    assert err.value.ambiguous
    out = await client.async_deliver(
        punch(Action.CLOCK_OUT, state=state, uncertain=True)
    )
    assert out.state == {}
    assert len(fake.api_requests("POST", f"{SESSIONS}/4592/actions/clock-out")) == 1


async def test_outage_then_backlog_delivers_in_order_without_duplicates(
    fake: FakeTrackTik, client: TrackTikClient
) -> None:
    fake.add_employee(2000, position=1, account=2)
    backlog = [
        punch(person="1053", when=PUNCH_TIME, punch_id="a"),
        punch(
            person="2000",
            when=PUNCH_TIME + timedelta(minutes=1),
            punch_id="b",
            extras={"position": 1, "account": 2},
        ),
    ]
    fake.down = True
    for item in backlog:
        with pytest.raises(TimeClockConnectionError):
            await client.async_deliver(item)
    fake.down = False
    states = [await client.async_deliver(item) for item in backlog]
    assert [s.state for s in states] == [
        {"work_session_id": 4592},
        {"work_session_id": 4593},
    ]
    starts = [op.at for op in fake.operations]
    assert starts == ["2026-11-22 08:30:00", "2026-11-22 08:31:00"]
    assert fake.duplicates == 0


async def test_fake_counts_a_second_open_session_as_duplicate(
    fake: FakeTrackTik, client: TrackTikClient
) -> None:
    await client.async_deliver(punch())
    await client.async_deliver(punch())
    assert fake.duplicates == 1


async def test_fake_refuses_malformed_work_sessions(
    fake: FakeTrackTik, client: TrackTikClient, session: aiohttp.ClientSession
) -> None:
    await client.async_validate()
    headers = {"Authorization": f"Bearer {client._auth._access_token}"}
    url = fake.url + SESSIONS
    good = {
        "startedOn": "2026-11-22 08:30:00",
        "clockInMethod": "API",
        "status": "OPEN",
        "employee": EMPLOYEE,
        "position": POSITION,
        "account": ACCOUNT,
    }
    cases = [
        ("not json", 400, "BAD_REQUEST"),
        (good | {"startedOn": "2026-11-22T08:30:00Z"}, 422, "VALIDATION"),
        (good | {"clockInMethod": "NFC"}, 422, "VALIDATION"),
        (good | {"account": None}, 422, "VALIDATION"),
        (good | {"shift": 5}, 422, "INVALID_SHIFT"),
    ]
    for body, status, code in cases:
        kwargs = {"data": body} if isinstance(body, str) else {"json": body}
        async with session.post(url, headers=headers, **kwargs) as resp:
            assert resp.status == status
            assert (await resp.json())["code"] == code
    async with session.post(
        f"{url}/4592/actions/clock-out", headers=headers, json={}
    ) as resp:
        assert resp.status == 404
    async with session.get(f"{url}/x", headers=headers) as resp:
        assert resp.status == 404
    fake.add_work_session(EMPLOYEE, started_on="2026-11-22 08:00:00")
    async with session.post(
        f"{url}/4592/actions/clock-out", headers=headers, json={}
    ) as resp:
        assert resp.status == 422
    async with session.get(url, headers={}) as resp:
        assert resp.status == 401
    async with session.get(
        fake.url + "/rest/v1/shifts",
        headers=headers,
        params={"startDateTime:between": "bad|bounds"},
    ) as resp:
        assert resp.status == 200
    assert fake.work_sessions.keys() == {4592}
