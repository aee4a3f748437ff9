"""Tests of the Protime client against a local fake Protime tenant."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
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
from custom_components.time_clock.api.http import USER_AGENT
from custom_components.time_clock.api.models import Action, Delivery, PunchRequest
from custom_components.time_clock.api.protime import SCOPES, ProtimeClient
from tests.fakes.protime import (
    ALL_SCOPES,
    API_PATH,
    CLIENT_ID,
    CLIENT_SECRET,
    SCOPE_PEOPLE,
    SCOPE_WRITE,
    TENANT,
    FakeProtime,
)

BRUSSELS = ZoneInfo("Europe/Brussels")
# 07:20 UTC is 08:20 in Brussels in winter: minute 500 of 2024-12-17, as in seed 003.
WINTER = datetime(2024, 12, 17, 7, 20, 42, tzinfo=UTC)
PERSON = 76547


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def fake(clock: FakeClock, socket_enabled: None) -> AsyncIterator[FakeProtime]:
    server = FakeProtime(clock=clock)
    server.add_person(PERSON, badge="1955", employee_number="01256")
    server.add_person(1, badge="0001", employee_number="00001")
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
def make_client(fake: FakeProtime, session: aiohttp.ClientSession, clock: FakeClock):
    def make(**overrides: Any) -> ProtimeClient:
        kwargs: dict[str, Any] = {
            "session": session,
            "tenant": TENANT,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "time_zone": BRUSSELS,
            "api_url": fake.api_url,
            "token_url": fake.token_url,
            "clock": clock,
        }
        kwargs.update(overrides)
        return ProtimeClient(**kwargs)

    return make


@pytest.fixture
def client(make_client) -> ProtimeClient:
    return make_client()


def punch(
    person: str = str(PERSON),
    *,
    at: datetime = WINTER,
    reference: str | None = None,
    uncertain: bool = False,
) -> PunchRequest:
    extras = {} if reference is None else {"reference": reference}
    return PunchRequest(
        punch_id="p-1",
        person=person,
        action=Action.CLOCK_IN,
        time=at,
        extras=extras,
        uncertain=uncertain,
    )


def posted(fake: FakeProtime) -> list[Any]:
    return [r.body for r in fake.api_requests("POST")]


async def deliver_sends(
    client: ProtimeClient, fake: FakeProtime, request: PunchRequest
) -> bool:
    """Deliver a punch; return whether the client posted a clocking for it."""
    before = len(posted(fake))
    await client.async_deliver(request)
    return len(posted(fake)) > before


# ----- the clocking ----------------------------------------------------------


async def test_deliver_posts_inout_clocking_at_local_wall_clock(
    client: ProtimeClient, fake: FakeProtime
) -> None:
    delivery = await client.async_deliver(punch())

    assert delivery == Delivery()
    assert posted(fake) == [
        {
            "person": {"id": PERSON},
            "date": "2024-12-17",
            "timeOfDayInMinutes": 500,
            "kind": "InOut",
            "status": "Active",
        }
    ]
    assert [(c["date"], c["timeOfDayInMinutes"]) for c in fake.clockings] == [
        ("2024-12-17", 500)
    ]


async def test_every_request_carries_user_agent_and_bearer_token(
    client: ProtimeClient, fake: FakeProtime
) -> None:
    await client.async_deliver(punch())

    assert all(r.headers.get("User-Agent") == USER_AGENT for r in fake.requests)
    (post,) = fake.api_requests("POST")
    token = post.headers["Authorization"].removeprefix("Bearer ")
    assert token in fake.tokens


async def test_token_request_is_client_credentials_form_with_all_scopes(
    client: ProtimeClient, fake: FakeProtime
) -> None:
    await client.async_deliver(punch())

    (token_request,) = [r for r in fake.requests if r.path.endswith("/connect/token")]
    assert token_request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert token_request.body == {
        "grant_type": "client_credentials",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "scope": SCOPES,
    }
    assert set(SCOPES.split()) == ALL_SCOPES


@pytest.mark.parametrize(
    ("reference", "person", "expected"),
    [
        ("@badge-number", "1955", {"externalReferences": {"@badge-number": "1955"}}),
        (
            "@employee-number",
            "01256",
            {"externalReferences": {"@employee-number": "01256"}},
        ),
        ("id", "076547", {"id": PERSON}),
        (None, " 76547 ", {"id": PERSON}),
    ],
)
async def test_person_is_sent_by_id_or_external_reference(
    client: ProtimeClient,
    fake: FakeProtime,
    reference: str | None,
    person: str,
    expected: dict[str, Any],
) -> None:
    await client.async_deliver(punch(person, reference=reference))

    assert posted(fake)[0]["person"] == expected
    assert fake.clockings_of(PERSON)


@pytest.mark.parametrize(
    ("at", "date", "minutes"),
    [
        # 23:30 UTC on the 16th is already 00:30 on the 17th in Brussels.
        (datetime(2024, 12, 16, 23, 30, tzinfo=UTC), "2024-12-17", 30),
        # Summer time: UTC+2.
        (datetime(2024, 7, 1, 6, 15, 59, tzinfo=UTC), "2024-07-01", 495),
        # An aware time in another zone is converted, not read as local.
        (
            datetime(2024, 12, 17, 3, 20, tzinfo=ZoneInfo("America/New_York")),
            "2024-12-17",
            560,
        ),
        # Just before midnight, local.
        (datetime(2024, 12, 17, 22, 59, 59, tzinfo=UTC), "2024-12-17", 1439),
    ],
)
async def test_date_and_minutes_are_local_wall_clock(
    client: ProtimeClient, fake: FakeProtime, at: datetime, date: str, minutes: int
) -> None:
    await client.async_deliver(punch(at=at))

    body = posted(fake)[0]
    assert (body["date"], body["timeOfDayInMinutes"]) == (date, minutes)


async def test_terminal_and_geolocation_are_sent_when_configured(
    make_client, fake: FakeProtime
) -> None:
    fake.terminals.add(12)
    client = make_client(terminal_id=12, latitude=51.144127, longitude=4.392225)

    await client.async_deliver(punch())

    body = posted(fake)[0]
    assert body["terminal"] == {"id": 12}
    assert body["geolocation"] == {"longitude": 4.392225, "latitude": 51.144127}
    assert fake.clockings[0]["terminal"] == {"id": 12}


async def test_geolocation_needs_both_coordinates(
    make_client, fake: FakeProtime
) -> None:
    client = make_client(latitude=51.1)

    await client.async_deliver(punch())

    assert "geolocation" not in posted(fake)[0]
    assert "terminal" not in posted(fake)[0]


async def test_created_answer_without_location_but_with_id_is_success(
    client: ProtimeClient, fake: FakeProtime
) -> None:
    fake.fail_next(201, body={"id": 5})

    assert await client.async_deliver(punch()) == Delivery()


async def test_location_header_is_found_whatever_its_case(
    client: ProtimeClient, fake: FakeProtime
) -> None:
    fake.fail_next(201, headers={"location": "/clockings/9"})

    assert await client.async_deliver(punch()) == Delivery()


async def test_fetch_states_is_none(client: ProtimeClient, fake: FakeProtime) -> None:
    assert await client.async_fetch_states([str(PERSON)]) is None
    assert fake.requests == []


def test_default_urls_follow_the_tenant(session: aiohttp.ClientSession) -> None:
    client = ProtimeClient(
        session=session,
        tenant=" acme ",
        client_id="x",
        client_secret="y",
        time_zone=BRUSSELS,
    )

    assert client._api_url == "https://acme.myprotime.eu/connector/protimeapi/api/v1"
    assert (
        client._auth.token_url
        == "https://authentication.myprotime.eu/tenants/acme/connect/token"
    )


def test_sandbox_urls_can_be_set(session: aiohttp.ClientSession) -> None:
    client = ProtimeClient(
        session=session,
        tenant="acme",
        client_id="x",
        client_secret="y",
        time_zone=BRUSSELS,
        api_url="https://acme.myprotimesandbox.eu/connector/protimeapi/api/v1/",
        token_url="https://authentication.myprotimesandbox.eu/tenants/acme/connect/token",
    )

    assert (
        client._api_url
        == "https://acme.myprotimesandbox.eu/connector/protimeapi/api/v1"
    )
    assert client._auth.token_url.startswith(
        "https://authentication.myprotimesandbox.eu/"
    )


# ----- the token ---------------------------------------------------------------


async def test_token_is_reused_until_shortly_before_it_expires(
    client: ProtimeClient, fake: FakeProtime, clock: FakeClock
) -> None:
    for _ in range(3):
        await client.async_deliver(punch())
        clock.advance(500)
    assert fake.token_requests == 1

    clock.advance(1800 - 1500 - 59)  # 59 s of the token's life left
    await client.async_deliver(punch())

    assert fake.token_requests == 2
    assert len(fake.api_requests("POST")) == 4
    assert fake.duplicates == 3  # the same minute four times: the fake counts them


async def test_short_token_lifetime_is_honoured(
    make_client, fake: FakeProtime, clock: FakeClock
) -> None:
    fake.expires_in = 100
    client = make_client()
    await client.async_deliver(punch())
    clock.advance(89)
    await client.async_deliver(punch())
    assert fake.token_requests == 1

    clock.advance(2)  # within the last tenth of its life
    await client.async_deliver(punch())

    assert fake.token_requests == 2


@pytest.mark.parametrize("expires_in", [None, "soon", 0, True])
async def test_missing_or_odd_expires_in_means_1800_seconds(
    client: ProtimeClient, fake: FakeProtime, clock: FakeClock, expires_in: Any
) -> None:
    fake.expires_in = None
    if expires_in is not None:
        fake.fail_next(
            200, body={"access_token": "abc", "expires_in": expires_in}, token=True
        )
        fake.tokens["abc"] = (clock() + 1800, frozenset(ALL_SCOPES))
    await client.async_deliver(punch())
    clock.advance(1700)
    await client.async_deliver(punch())

    assert fake.token_requests == (1 if expires_in is None else 0)
    assert len(fake.clockings) == 2


async def test_expires_in_as_text_is_read(
    client: ProtimeClient, fake: FakeProtime, clock: FakeClock
) -> None:
    fake.fail_next(200, body={"access_token": "abc", "expires_in": "300"}, token=True)
    fake.tokens["abc"] = (clock() + 300, frozenset(ALL_SCOPES))
    await client.async_deliver(punch())
    clock.advance(280)

    await client.async_deliver(punch())

    assert fake.token_requests == 1  # the canned answer was not counted; this one is


async def test_revoked_token_is_renewed_once_and_request_retried(
    client: ProtimeClient, fake: FakeProtime
) -> None:
    await client.async_deliver(punch())
    fake.expire_tokens()

    await client.async_deliver(punch(at=WINTER + timedelta(hours=8)))

    assert fake.token_requests == 2
    assert len(fake.clockings) == 2
    assert fake.duplicates == 0


async def test_401_after_a_fresh_token_is_an_authentication_error(
    client: ProtimeClient, fake: FakeProtime
) -> None:
    fake.fail_next(401, count=2)

    with pytest.raises(TimeClockAuthenticationError):
        await client.async_deliver(punch())

    assert fake.token_requests == 2
    assert fake.clockings == []
    # The refused token is forgotten: the next delivery asks for another.
    await client.async_deliver(punch())
    assert fake.token_requests == 3


async def test_concurrent_deliveries_share_one_token_request(
    client: ProtimeClient, fake: FakeProtime
) -> None:
    await asyncio.gather(
        *(
            client.async_deliver(punch(at=WINTER + timedelta(minutes=i)))
            for i in range(5)
        )
    )

    assert fake.token_requests == 1
    assert len(fake.clockings) == 5


@pytest.mark.parametrize("status", [400, 401])
async def test_wrong_client_secret_is_an_authentication_error(
    make_client, fake: FakeProtime, status: int
) -> None:
    fake.invalid_client_status = status
    client = make_client(client_secret="wrong")

    with pytest.raises(TimeClockAuthenticationError):
        await client.async_deliver(punch())

    assert fake.api_requests() == []


@pytest.mark.parametrize(
    ("status", "body"),
    [(400, {"error": "invalid_grant"}), (400, "Bad Request"), (403, None)],
)
async def test_other_token_refusals_are_authentication_errors(
    client: ProtimeClient, fake: FakeProtime, status: int, body: Any
) -> None:
    fake.fail_next(status, body=body, token=True)

    with pytest.raises(TimeClockAuthenticationError):
        await client.async_validate()


async def test_scope_not_granted_means_licence_missing(
    client: ProtimeClient, fake: FakeProtime
) -> None:
    fake.granted_scopes.discard(SCOPE_PEOPLE)

    with pytest.raises(TimeClockAccountError) as err:
        await client.async_validate()

    assert err.value.reason == "licence_missing"


async def test_unauthorized_client_means_licence_missing(
    client: ProtimeClient, fake: FakeProtime
) -> None:
    fake.fail_next(400, body={"error": "unauthorized_client"}, token=True)

    with pytest.raises(TimeClockAccountError) as err:
        await client.async_deliver(punch())

    assert err.value.reason == "licence_missing"


async def test_unknown_tenant_token_url_404(make_client, fake: FakeProtime) -> None:
    client = make_client(
        tenant="nobody", token_url=f"{fake.base_url}/tenants/nobody/connect/token"
    )

    with pytest.raises(TimeClockAccountError) as err:
        await client.async_validate()

    assert err.value.reason == "unknown_tenant"


async def test_token_endpoint_rate_limit(
    client: ProtimeClient, fake: FakeProtime
) -> None:
    fake.rate_limit("12", token=True)

    with pytest.raises(TimeClockRateLimitedError) as err:
        await client.async_deliver(punch())

    assert err.value.retry_after == 12.0


@pytest.mark.parametrize(
    ("status", "body"),
    [(500, None), (503, "maintenance"), (200, "<html>portal</html>"), (200, {"a": 1})],
)
async def test_token_endpoint_failures_are_transient_and_never_ambiguous(
    client: ProtimeClient, fake: FakeProtime, status: int, body: Any
) -> None:
    fake.fail_next(status, body=body, token=True)

    with pytest.raises(TimeClockConnectionError) as err:
        await client.async_deliver(punch())

    assert err.value.ambiguous is False
    assert fake.api_requests() == []


async def test_lost_token_request_is_not_ambiguous(
    client: ProtimeClient, fake: FakeProtime
) -> None:
    fake.drop_next(token=True)

    with pytest.raises(TimeClockConnectionError) as err:
        await client.async_deliver(punch())

    assert err.value.ambiguous is False
    assert fake.clockings == []


# ----- API errors --------------------------------------------------------------


async def test_model_validation_error_is_rejected_as_validation(
    client: ProtimeClient, fake: FakeProtime
) -> None:
    # A time far outside -1440..2880 cannot come from the client; inject the answer.
    fake.fail_next(
        400,
        body={
            "title": "One or more validation errors occurred.",
            "status": 400,
            "validationErrors": [
                {"property": "timeOfDayInMinutes", "message": "Out of range"}
            ],
        },
    )

    with pytest.raises(TimeClockRejectedError) as err:
        await client.async_deliver(punch())

    assert err.value.code == "VALIDATION"
    assert "Out of range" in str(err.value)


async def test_business_rule_error_is_rejected_with_its_code(
    client: ProtimeClient, fake: FakeProtime
) -> None:
    fake.closed_until = date(2024, 12, 31)

    with pytest.raises(TimeClockRejectedError) as err:
        await client.async_deliver(punch())

    assert err.value.code == "BadRequest"
    assert "period is closed" in str(err.value)
    assert fake.clockings == []


async def test_unknown_terminal_is_rejected(make_client, fake: FakeProtime) -> None:
    client = make_client(terminal_id=99)

    with pytest.raises(TimeClockRejectedError) as err:
        await client.async_deliver(punch())

    assert "Terminal 99" in str(err.value)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"title": "Invalid clocking", "status": 400}, "Invalid clocking"),
        ({"code": "INVALID_TIME", "detail": "too old"}, "INVALID_TIME"),
        ({"errors": {"date": ["The date is invalid"]}}, "VALIDATION"),
        ({"error": {"message": "no code"}}, "HTTP_400"),
        ({}, "HTTP_400"),
        ("plain text", "HTTP_400"),
    ],
)
async def test_400_bodies_give_a_code(
    client: ProtimeClient, fake: FakeProtime, body: Any, code: str
) -> None:
    fake.fail_next(400, body=body)

    with pytest.raises(TimeClockRejectedError) as err:
        await client.async_deliver(punch())

    assert err.value.code == code


@pytest.mark.parametrize("status", [409, 414, 422])
async def test_other_client_errors_are_rejected(
    client: ProtimeClient, fake: FakeProtime, status: int
) -> None:
    fake.fail_next(status)

    with pytest.raises(TimeClockRejectedError) as err:
        await client.async_deliver(punch())

    assert err.value.code == f"HTTP_{status}"


@pytest.mark.parametrize(
    ("person", "reference"), [("424242", None), ("9999", "@badge-number")]
)
async def test_unknown_person_is_rejected(
    client: ProtimeClient, fake: FakeProtime, person: str, reference: str | None
) -> None:
    with pytest.raises(TimeClockRejectedError) as err:
        await client.async_deliver(punch(person, reference=reference))

    assert err.value.code == "UNKNOWN_PERSON"


@pytest.mark.parametrize(
    ("person", "reference", "code"),
    [
        ("abc", None, "INVALID_PERSON"),
        ("", "id", "INVALID_PERSON"),
        ("12.5", "id", "INVALID_PERSON"),
        ("   ", "@badge-number", "INVALID_PERSON"),
    ],
)
async def test_unusable_person_is_rejected_without_a_request(
    client: ProtimeClient,
    fake: FakeProtime,
    person: str,
    reference: str | None,
    code: str,
) -> None:
    with pytest.raises(TimeClockRejectedError) as err:
        await client.async_deliver(punch(person, reference=reference))

    assert err.value.code == code
    assert fake.requests == []


async def test_reference_kind_must_be_text(
    client: ProtimeClient, fake: FakeProtime
) -> None:
    bad = PunchRequest(
        punch_id="p",
        person="1",
        action=Action.CLOCK_OUT,
        time=WINTER,
        extras={"reference": 7},
    )

    with pytest.raises(TimeClockRejectedError) as err:
        await client.async_deliver(bad)

    assert err.value.code == "INVALID_REFERENCE"
    assert fake.requests == []


async def test_missing_scope_403_is_an_authentication_error(
    client: ProtimeClient, fake: FakeProtime
) -> None:
    fake.granted_scopes.discard(SCOPE_WRITE)
    fake.fail_next(
        200,
        token=True,
        body={"access_token": "read-only", "expires_in": 1800},
    )
    fake.tokens["read-only"] = (1e12, frozenset(ALL_SCOPES - {SCOPE_WRITE}))

    with pytest.raises(TimeClockAuthenticationError):
        await client.async_deliver(punch())

    assert fake.clockings == []


@pytest.mark.parametrize(
    ("retry_after", "expected"), [("7", 7.0), ("0", 0.0), (None, None), ("soon", None)]
)
async def test_rate_limit_honours_retry_after(
    client: ProtimeClient,
    fake: FakeProtime,
    retry_after: str | None,
    expected: float | None,
) -> None:
    fake.rate_limit(retry_after)

    with pytest.raises(TimeClockRateLimitedError) as err:
        await client.async_deliver(punch())

    assert err.value.retry_after == expected
    assert fake.clockings == []


async def test_rate_limit_retry_after_as_http_date(
    client: ProtimeClient, fake: FakeProtime
) -> None:
    fake.rate_limit(
        format_datetime(datetime.now(UTC) + timedelta(seconds=120), usegmt=True)
    )

    with pytest.raises(TimeClockRateLimitedError) as err:
        await client.async_deliver(punch())

    assert err.value.retry_after is not None
    assert 100 < err.value.retry_after <= 120


async def test_rate_limit_retry_after_as_naive_date_in_the_past(
    client: ProtimeClient, fake: FakeProtime
) -> None:
    fake.rate_limit("Tue, 17 Dec 2024 08:00:00 -0000")

    with pytest.raises(TimeClockRateLimitedError) as err:
        await client.async_deliver(punch())

    assert err.value.retry_after == 0.0


@pytest.mark.parametrize(
    ("status", "ambiguous"),
    [(500, True), (504, True), (502, False), (503, False), (408, False), (302, False)],
)
async def test_server_errors_are_transient(
    client: ProtimeClient, fake: FakeProtime, status: int, ambiguous: bool
) -> None:
    fake.fail_next(status)

    with pytest.raises(TimeClockConnectionError) as err:
        await client.async_deliver(punch())

    assert err.value.ambiguous is ambiguous


@pytest.mark.parametrize(
    ("status", "body"),
    [(200, "<html>captive portal</html>"), (201, None), (204, None), (200, [1, 2])],
)
async def test_garbage_success_is_transient_and_ambiguous(
    client: ProtimeClient, fake: FakeProtime, status: int, body: Any
) -> None:
    fake.fail_next(status, body=body)

    with pytest.raises(TimeClockConnectionError) as err:
        await client.async_deliver(punch())

    assert err.value.ambiguous is True


async def test_dropped_connection_after_sending_is_ambiguous(
    client: ProtimeClient, fake: FakeProtime
) -> None:
    await client.async_validate()  # hold a token first
    fake.down = True

    with pytest.raises(TimeClockConnectionError) as err:
        await client.async_deliver(punch())

    assert err.value.ambiguous is True


async def test_refused_connection_is_not_ambiguous(
    make_client, fake: FakeProtime
) -> None:
    # The token endpoint answers; nothing listens on the API port.
    client = make_client(api_url="http://127.0.0.1:9/connector/protimeapi/api/v1")

    with pytest.raises(TimeClockConnectionError) as err:
        await client.async_deliver(punch())

    assert err.value.ambiguous is False
    assert fake.token_requests == 1


# ----- duplicates after an ambiguous failure -----------------------------------


@pytest.mark.parametrize("failure", [500, None])
async def test_uncertain_retry_finds_the_stored_clocking_and_sends_nothing(
    client: ProtimeClient, fake: FakeProtime, failure: int | None
) -> None:
    fake.store_then_fail(failure)
    with pytest.raises(TimeClockConnectionError) as err:
        await client.async_deliver(punch())
    assert err.value.ambiguous is True
    assert len(fake.clockings) == 1

    sent = await deliver_sends(client, fake, punch(uncertain=True))

    assert sent is False
    assert len(fake.clockings) == 1
    assert fake.duplicates == 0
    assert len(fake.api_requests("POST")) == 1


async def test_uncertain_lookup_uses_the_documented_filter(
    client: ProtimeClient, fake: FakeProtime
) -> None:
    await client.async_deliver(punch(uncertain=True))

    (lookup,) = fake.api_requests("GET")
    assert lookup.path == f"{API_PATH}/clockings"
    assert lookup.query == {
        "filter": f"person in ({PERSON}) and date ge '2024-12-16' "
        "and date le '2024-12-18'"
    }


async def test_uncertain_retry_sends_when_nothing_was_stored(
    client: ProtimeClient, fake: FakeProtime
) -> None:
    fake.fail_next(500)
    with pytest.raises(TimeClockConnectionError):
        await client.async_deliver(punch())
    assert fake.clockings == []

    sent = await deliver_sends(client, fake, punch(uncertain=True))

    assert sent is True
    assert len(fake.clockings) == 1


async def test_uncertain_lookup_ignores_other_minutes_people_kinds_and_deleted(
    client: ProtimeClient, fake: FakeProtime
) -> None:
    fake.add_clocking(PERSON, "2024-12-17", 501)
    fake.add_clocking(PERSON, "2024-12-16", 500)
    fake.add_clocking(PERSON, "2024-12-17", 500, status="Deleted")
    fake.add_clocking(PERSON, "2024-12-17", 500, kind="Reason", reason={"id": 1})
    fake.add_clocking(1, "2024-12-17", 500)

    sent = await deliver_sends(client, fake, punch(uncertain=True))

    assert sent is True
    assert len(fake.clockings_of(PERSON)) == 5


async def test_uncertain_lookup_finds_a_night_clocking_filed_on_the_day_before(
    client: ProtimeClient, fake: FakeProtime
) -> None:
    # 00:30 on the 17th, filed by Protime's day program as minute 1470 of the 16th.
    fake.add_clocking(PERSON, "2024-12-16", 1470)

    sent = await deliver_sends(
        client,
        fake,
        punch(at=datetime(2024, 12, 16, 23, 30, tzinfo=UTC), uncertain=True),
    )

    assert sent is False
    assert fake.api_requests("POST") == []


async def test_uncertain_lookup_matches_the_original_time_of_an_edited_clocking(
    client: ProtimeClient, fake: FakeProtime
) -> None:
    fake.add_clocking(PERSON, "2024-12-17", 510, originalTimeOfDayInMinutes=500)

    assert await deliver_sends(client, fake, punch(uncertain=True)) is False


@pytest.mark.parametrize("reference", ["@badge-number", "@employee-number"])
async def test_uncertain_lookup_by_external_reference(
    client: ProtimeClient, fake: FakeProtime, reference: str
) -> None:
    value = "1955" if reference == "@badge-number" else "01256"
    fake.add_clocking(1, "2024-12-17", 500)  # someone else, same minute
    fake.store_then_fail(None)
    with pytest.raises(TimeClockConnectionError):
        await client.async_deliver(punch(value, reference=reference))

    sent = await deliver_sends(
        client, fake, punch(value, reference=reference, uncertain=True)
    )

    assert sent is False
    assert fake.duplicates == 0
    lookup = fake.api_requests("GET")[-1]
    assert lookup.query == {
        "filter": "date ge '2024-12-16' and date le '2024-12-18'",
        "externalReferences": f"(people,{reference})",
    }


async def test_uncertain_lookup_by_reference_sends_when_only_others_clocked(
    client: ProtimeClient, fake: FakeProtime
) -> None:
    fake.add_clocking(1, "2024-12-17", 500)

    sent = await deliver_sends(
        client, fake, punch("1955", reference="@badge-number", uncertain=True)
    )

    assert sent is True
    assert len(fake.clockings_of(PERSON)) == 1


@pytest.mark.parametrize("list_key", [None, "value", "items", "data", "results"])
async def test_uncertain_lookup_accepts_list_shapes(
    client: ProtimeClient, fake: FakeProtime, list_key: str | None
) -> None:
    fake.list_key = list_key
    fake.add_clocking(PERSON, "2024-12-17", 500)

    assert await deliver_sends(client, fake, punch(uncertain=True)) is False


async def test_uncertain_lookup_follows_next_links(
    client: ProtimeClient, fake: FakeProtime
) -> None:
    fake.page_size = 1
    for minutes in (100, 200, 300, 500):
        fake.add_clocking(PERSON, "2024-12-17", minutes)

    assert await deliver_sends(client, fake, punch(uncertain=True)) is False
    assert len(fake.api_requests("GET")) == 4


async def test_uncertain_lookup_reads_every_page_before_sending(
    client: ProtimeClient, fake: FakeProtime
) -> None:
    fake.page_size = 2
    for minutes in (100, 200, 300):
        fake.add_clocking(PERSON, "2024-12-17", minutes)

    assert await deliver_sends(client, fake, punch(uncertain=True)) is True
    assert len(fake.api_requests("GET")) == 2
    assert len(fake.api_requests("POST")) == 1


async def test_uncertain_lookup_stops_after_the_page_limit(
    client: ProtimeClient, fake: FakeProtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("custom_components.time_clock.api.protime.client.MAX_PAGES", 2)
    fake.page_size = 1
    for minutes in (100, 200, 300, 500):
        fake.add_clocking(PERSON, "2024-12-17", minutes)

    assert await deliver_sends(client, fake, punch(uncertain=True)) is True
    assert len(fake.api_requests("GET")) == 2


async def test_next_link_to_another_host_is_not_followed(
    client: ProtimeClient, fake: FakeProtime
) -> None:
    fake.fail_next(
        200, body={"value": [], "nextLink": "https://evil.example/steal?token=1"}
    )

    assert await deliver_sends(client, fake, punch(uncertain=True)) is True
    assert len(fake.api_requests("GET")) == 1
    assert len(fake.clockings) == 1


@pytest.mark.parametrize(
    "item",
    [
        "not an object",
        {"person": "76547", "date": "2024-12-17", "timeOfDayInMinutes": 500},
        {"person": {"id": PERSON}, "date": "17/12/2024", "timeOfDayInMinutes": 500},
        {"person": {"id": PERSON}, "date": None, "timeOfDayInMinutes": 500},
        {"person": {"id": PERSON}, "date": "2024-12-17", "timeOfDayInMinutes": "500"},
    ],
)
async def test_uncertain_lookup_skips_unreadable_items(
    client: ProtimeClient, fake: FakeProtime, item: Any
) -> None:
    fake.fail_next(200, body={"value": [item]})

    assert await deliver_sends(client, fake, punch(uncertain=True)) is True


async def test_uncertain_lookup_accepts_items_without_person_for_an_id_filter(
    client: ProtimeClient, fake: FakeProtime
) -> None:
    fake.fail_next(
        200, body=[{"date": "2024-12-17T00:00:00", "timeOfDayInMinutes": 500}]
    )

    assert await deliver_sends(client, fake, punch(uncertain=True)) is False


async def test_uncertain_lookup_by_reference_needs_the_reference(
    client: ProtimeClient, fake: FakeProtime
) -> None:
    fake.fail_next(
        200,
        body={
            "items": [
                {"date": "2024-12-17", "timeOfDayInMinutes": 500},
                {
                    "person": {"id": PERSON},
                    "date": "2024-12-17",
                    "timeOfDayInMinutes": 500,
                },
            ]
        },
    )

    sent = await deliver_sends(
        client, fake, punch("1955", reference="@badge-number", uncertain=True)
    )

    assert sent is True


@pytest.mark.parametrize("body", ["<html>", {"value": "nope"}, None])
async def test_uncertain_lookup_with_garbage_is_ambiguous(
    client: ProtimeClient, fake: FakeProtime, body: Any
) -> None:
    fake.fail_next(200, body=body)

    with pytest.raises(TimeClockConnectionError) as err:
        await client.async_deliver(punch(uncertain=True))

    assert err.value.ambiguous is True
    assert fake.clockings == []


@pytest.mark.parametrize("status", [502, 503])
async def test_uncertain_punch_stays_ambiguous_when_lookup_fails(
    client: ProtimeClient, fake: FakeProtime, status: int
) -> None:
    fake.fail_next(status)

    with pytest.raises(TimeClockConnectionError) as err:
        await client.async_deliver(punch(uncertain=True))

    assert err.value.ambiguous is True
    assert fake.api_requests("POST") == []


async def test_uncertain_punch_stays_ambiguous_when_token_is_lost(
    client: ProtimeClient, fake: FakeProtime
) -> None:
    fake.fail_next(503, token=True)

    with pytest.raises(TimeClockConnectionError) as err:
        await client.async_deliver(punch(uncertain=True))

    assert err.value.ambiguous is True


async def test_uncertain_lookup_rate_limit_is_passed_on(
    client: ProtimeClient, fake: FakeProtime
) -> None:
    fake.rate_limit("5")

    with pytest.raises(TimeClockRateLimitedError):
        await client.async_deliver(punch(uncertain=True))

    assert fake.api_requests("POST") == []


async def test_lookup_renews_an_expired_token(
    client: ProtimeClient, fake: FakeProtime
) -> None:
    await client.async_validate()
    fake.expire_tokens()
    fake.add_clocking(PERSON, "2024-12-17", 500)

    assert await deliver_sends(client, fake, punch(uncertain=True)) is False
    assert fake.token_requests == 2


# ----- validation ----------------------------------------------------------------


async def test_validate_reads_people_and_names_the_account(
    make_client, fake: FakeProtime
) -> None:
    client = make_client(tenant="AcMe")

    info = await client.async_validate()

    assert info.unique_id == "acme"
    assert info.title == "Protime AcMe"
    assert [r.path for r in fake.api_requests()] == [f"{API_PATH}/people"]


async def test_validate_accepts_a_refused_query(
    client: ProtimeClient, fake: FakeProtime
) -> None:
    fake.people_require_filter = True

    assert (await client.async_validate()).unique_id == TENANT


async def test_validate_unknown_api_path_is_unknown_tenant(
    make_client, fake: FakeProtime
) -> None:
    client = make_client(api_url=f"{fake.base_url}/nowhere/api/v1")

    with pytest.raises(TimeClockAccountError) as err:
        await client.async_validate()

    assert err.value.reason == "unknown_tenant"


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (403, TimeClockAuthenticationError),
        (429, TimeClockRateLimitedError),
        (500, TimeClockConnectionError),
        (503, TimeClockConnectionError),
    ],
)
async def test_validate_maps_api_failures(
    client: ProtimeClient, fake: FakeProtime, status: int, error: type[Exception]
) -> None:
    fake.fail_next(status)

    with pytest.raises(error):
        await client.async_validate()


async def test_validate_401_twice_is_an_authentication_error(
    client: ProtimeClient, fake: FakeProtime
) -> None:
    fake.fail_next(401, count=2)

    with pytest.raises(TimeClockAuthenticationError):
        await client.async_validate()


async def test_validate_garbage_is_transient(
    client: ProtimeClient, fake: FakeProtime
) -> None:
    fake.fail_next(200, body="<html>login</html>")

    with pytest.raises(TimeClockConnectionError):
        await client.async_validate()


async def test_validate_unreachable(make_client) -> None:
    client = make_client(
        api_url="http://127.0.0.1:9/api", token_url="http://127.0.0.1:9/token"
    )

    with pytest.raises(TimeClockConnectionError) as err:
        await client.async_validate()

    assert err.value.ambiguous is False


# ----- the fake itself ------------------------------------------------------------


async def test_fake_requires_user_agent(
    fake: FakeProtime, session: aiohttp.ClientSession
) -> None:
    async with session.post(
        fake.token_url,
        data={"grant_type": "client_credentials"},
        skip_auto_headers=["User-Agent"],
    ) as resp:
        assert resp.status == 400


async def test_fake_requires_bearer_token_and_a_date_range(
    client: ProtimeClient, fake: FakeProtime, session: aiohttp.ClientSession
) -> None:
    async with session.get(f"{fake.api_url}/people") as resp:
        assert resp.status == 401
    await client.async_validate()
    token = next(iter(fake.tokens))
    headers = {"Authorization": f"Bearer {token}"}
    url = f"{fake.api_url}/clockings"
    async with session.get(
        url, params={"filter": "person in (1)"}, headers=headers
    ) as resp:
        assert resp.status == 400
        assert "date range" in (await resp.json())["error"]["reasons"][0]
    async with session.get(
        url, params={"filter": "name eq 'x'"}, headers=headers
    ) as resp:
        assert resp.status == 400


async def test_fake_reads_single_resources(
    client: ProtimeClient, fake: FakeProtime, session: aiohttp.ClientSession
) -> None:
    await client.async_deliver(punch())
    token = next(iter(fake.tokens))
    headers = {"Authorization": f"Bearer {token}"}
    clocking_id = fake.clockings[0]["id"]
    async with session.get(
        f"{fake.api_url}/clockings/{clocking_id}",
        params={"externalReferences": "(people,@badge-number)"},
        headers=headers,
    ) as resp:
        body = await resp.json()
    assert body["person"] == {
        "id": PERSON,
        "externalReferences": {"@badge-number": "1955"},
    }
    async with session.get(f"{fake.api_url}/clockings/1", headers=headers) as resp:
        assert resp.status == 404
    async with session.get(f"{fake.api_url}/people/{PERSON}", headers=headers) as resp:
        assert (await resp.json())["id"] == PERSON
    async with session.get(f"{fake.api_url}/people/5", headers=headers) as resp:
        assert resp.status == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ([], "body"),
        ({"person": {}}, "person"),
        ({"person": {"id": "1"}}, "person.id"),
        ({"person": {"externalReferences": {"a": 1}}}, "person.externalReferences"),
        ({"date": "2024-1-5"}, "date"),
        ({"timeOfDayInMinutes": 3000}, "timeOfDayInMinutes"),
        ({"kind": "Coffee"}, "kind"),
        ({"status": "Deleted"}, "status"),
        ({"terminal": {"id": "x"}}, "terminal.id"),
        ({"geolocation": {"longitude": "east"}}, "geolocation"),
    ],
)
async def test_fake_validates_clocking_bodies(
    client: ProtimeClient,
    fake: FakeProtime,
    session: aiohttp.ClientSession,
    body: Any,
    field: str,
) -> None:
    await client.async_validate()
    token = next(iter(fake.tokens))
    good = {
        "person": {"id": PERSON},
        "date": "2024-12-17",
        "timeOfDayInMinutes": 500,
        "kind": "InOut",
        "status": "Active",
        "geolocation": {"longitude": "4.39", "latitude": 51.1},
    }
    sent = body if isinstance(body, list) else {**good, **body}
    async with session.post(
        f"{fake.api_url}/clockings",
        json=sent,
        headers={"Authorization": f"Bearer {token}"},
    ) as resp:
        assert resp.status == 400
        problems = (await resp.json())["validationErrors"]
    assert [p["property"] for p in problems] == [field]


async def test_fake_rejects_unreadable_json_and_wrong_grant(
    client: ProtimeClient, fake: FakeProtime, session: aiohttp.ClientSession
) -> None:
    await client.async_validate()
    token = next(iter(fake.tokens))
    async with session.post(
        f"{fake.api_url}/clockings",
        data="{not json",
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
        },
    ) as resp:
        assert resp.status == 400
    async with session.post(fake.token_url, data={"grant_type": "password"}) as resp:
        assert (await resp.json()) == {"error": "unsupported_grant_type"}
    async with session.post(
        fake.token_url, data="x", headers={"Content-Type": "text/plain"}
    ) as resp:
        assert resp.status == 400
