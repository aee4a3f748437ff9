"""Tests of the Calamari Clockin client against a local fake tenant."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
import logging
import time
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from custom_components.time_clock.api.calamari import (
    DEFAULT_LIMITS,
    QUOTA_FALLBACK_WAIT,
    CalamariClient,
    parse_quota,
)
from custom_components.time_clock.api.errors import (
    TimeClockAccountError,
    TimeClockAuthenticationError,
    TimeClockConnectionError,
    TimeClockRateLimitedError,
    TimeClockRejectedError,
)
from custom_components.time_clock.api.http import basic_auth
from custom_components.time_clock.api.models import (
    AccountInfo,
    Action,
    Delivery,
    PunchRequest,
)
from tests.fakes.calamari import FakeCalamari

WARSAW = ZoneInfo("Europe/Warsaw")
JOHN = "john.white@mycompany.com"
ANNA = "anna.nowak@mycompany.com"
BOB = "bob@mycompany.com"
API_KEY = "secret-key"
# 2026-11-22 07:30:15.250 UTC is 08:30:15 in Warsaw (UTC+1 in November).
PUNCH_TIME = datetime(2026, 11, 22, 7, 30, 15, 250000, tzinfo=UTC)
DOC_QUOTA_TEXT = (
    "Your current usage is 101/day, 10/hour, 1/sec\n"
    "Your current limits 100/day, 10/hour, 1/sec."
)


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def fake(socket_enabled: None) -> AsyncIterator[FakeCalamari]:
    """Start a fake tenant; the HA test plugin allows sockets only with socket_enabled."""
    server = FakeCalamari(api_key=API_KEY)
    server.add_person(JOHN, "ABC123")
    server.add_person(ANNA, "XYZ9", first_name="Anna", last_name="Nowak")
    server.add_person(BOB)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
def make_client(
    fake: FakeCalamari, session: aiohttp.ClientSession
) -> Callable[..., CalamariClient]:
    def _make(**kwargs: Any) -> CalamariClient:
        options: dict[str, Any] = {
            "session": session,
            "api_url": fake.url,
            "api_key": API_KEY,
            "time_zone": WARSAW,
            "limits": {},
        }
        options.update(kwargs)
        return CalamariClient(**options)

    return _make


@pytest.fixture
def client(make_client: Callable[..., CalamariClient]) -> CalamariClient:
    return make_client()


def punch(
    action: Action = Action.CLOCK_IN, person: str = JOHN, **kwargs: Any
) -> PunchRequest:
    return PunchRequest(
        punch_id="p1", person=person, action=action, time=PUNCH_TIME, **kwargs
    )


def paths(fake: FakeCalamari) -> list[str]:
    return [hit.path for hit in fake.hits]


# -- delivery ---------------------------------------------------------------------


async def test_clock_in_sends_local_wall_clock_time_project_and_description(
    client: CalamariClient, fake: FakeCalamari
) -> None:
    delivery = await client.async_deliver(
        punch(project_id=7, description="Front door", extras={"x": 1})
    )

    assert delivery == Delivery()
    assert fake.status_of(JOHN) == "STARTED"
    [sent] = fake.accepted
    assert sent.endpoint == "clock-in"
    assert sent.person == JOHN
    assert sent.time == "2026-11-22T08:30:15"
    assert sent.project_id == 7
    assert sent.description == "Front door"
    assert paths(fake) == ["/clockin/terminal/v1/clock-in"]


async def test_summer_time_is_converted_to_local_wall_clock(
    client: CalamariClient, fake: FakeCalamari
) -> None:
    summer = datetime(2026, 7, 1, 6, 0, tzinfo=UTC)
    await client.async_deliver(
        PunchRequest(punch_id="s", person=JOHN, action=Action.CLOCK_IN, time=summer)
    )

    assert fake.accepted[0].time == "2026-07-01T08:00:00"


async def test_clock_out_sends_only_person_and_time(
    client: CalamariClient, fake: FakeCalamari
) -> None:
    fake.find(JOHN).status = "STARTED"  # type: ignore[union-attr]

    await client.async_deliver(
        punch(Action.CLOCK_OUT, project_id=7, description="Done")
    )

    assert fake.status_of(JOHN) == "STOPPED"
    [sent] = fake.accepted
    assert (sent.endpoint, sent.project_id, sent.description) == (
        "clock-out",
        None,
        None,
    )
    assert paths(fake) == ["/clockin/terminal/v1/clock-out"]


async def test_person_by_external_number(
    client: CalamariClient, fake: FakeCalamari
) -> None:
    await client.async_deliver(punch(person="externalNumber:XYZ9"))

    assert fake.status_of(ANNA) == "STARTED"
    assert fake.accepted[0].person == "externalNumber:XYZ9"


async def test_requests_carry_basic_auth_and_user_agent(
    client: CalamariClient, fake: FakeCalamari, session: aiohttp.ClientSession
) -> None:
    seen: list[aiohttp.typedefs.LooseHeaders] = []

    async def on_request_start(_session: Any, _ctx: Any, params: Any) -> None:
        seen.append(dict(params.headers))

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(on_request_start)  # type: ignore[arg-type]
    async with aiohttp.ClientSession(trace_configs=[trace]) as traced:
        traced_client = CalamariClient(
            session=traced,
            api_url=fake.url,
            api_key=API_KEY,
            time_zone=WARSAW,
            limits={},
        )
        await traced_client.async_deliver(punch())

    assert seen[0]["Authorization"] == basic_auth("calamari", API_KEY)  # type: ignore[index]
    assert seen[0]["User-Agent"].startswith("TimeClock-HomeAssistant")  # type: ignore[index]


async def test_uncertain_clock_in_is_resent_and_calamari_ignores_the_repeat(
    client: CalamariClient, fake: FakeCalamari
) -> None:
    """The first attempt reached Calamari but the answer was lost."""
    fake.fail_next(status=0, apply=True)

    with pytest.raises(TimeClockConnectionError) as err:
        await client.async_deliver(punch())
    assert err.value.ambiguous

    delivery = await client.async_deliver(punch(uncertain=True))

    assert delivery == Delivery()
    assert fake.status_of(JOHN) == "STARTED"
    assert [a.ignored for a in fake.accepted] == [False, True]
    assert fake.duplicates == 1  # ignored by Calamari: still one shift
    assert "/clockin/terminal/v1/punch-clock" not in paths(fake)


async def test_uncertain_clock_out_after_504_is_resent_safely(
    client: CalamariClient, fake: FakeCalamari
) -> None:
    fake.find(JOHN).status = "STARTED"  # type: ignore[union-attr]
    fake.fail_next(status=504, apply=True)

    with pytest.raises(TimeClockConnectionError) as err:
        await client.async_deliver(punch(Action.CLOCK_OUT))
    assert err.value.ambiguous
    await client.async_deliver(punch(Action.CLOCK_OUT, uncertain=True))

    assert fake.status_of(JOHN) == "STOPPED"
    assert fake.ignored_clock_outs == 1
    assert paths(fake) == ["/clockin/terminal/v1/clock-out"] * 2


@pytest.mark.parametrize(
    ("action", "answer"), [(Action.CLOCK_IN, "FINISHED"), (Action.CLOCK_OUT, "STARTED")]
)
async def test_contradicting_shift_status_counts_as_delivered_and_warns(
    client: CalamariClient,
    fake: FakeCalamari,
    caplog: pytest.LogCaptureFixture,
    action: Action,
    answer: str,
) -> None:
    """A 200 with the other shift status is Calamari's authoritative record."""
    fake.fail_next(
        status=200,
        body={"person": {"firstName": "J", "lastName": "W"}, "shiftStatus": answer},
    )

    with caplog.at_level(logging.WARNING):
        delivery = await client.async_deliver(punch(action))

    assert delivery == Delivery()
    assert f"reports the shift {answer}" in caplog.text
    assert JOHN not in caplog.text
    assert len(fake.hits) == 1  # not sent again


@pytest.mark.parametrize(
    "body",
    [
        "<html>ok</html>",
        {"person": {"firstName": "J", "lastName": "W"}},
        {"shiftStatus": "MAYBE"},
        [{"shiftStatus": "STARTED"}],
    ],
)
async def test_unexpected_success_body_is_ambiguous(
    client: CalamariClient, fake: FakeCalamari, body: Any
) -> None:
    fake.fail_next(status=200, body=body)

    with pytest.raises(TimeClockConnectionError) as err:
        await client.async_deliver(punch())

    assert err.value.ambiguous


# -- errors -----------------------------------------------------------------------


async def test_unknown_employee_is_rejected(client: CalamariClient) -> None:
    with pytest.raises(TimeClockRejectedError) as err:
        await client.async_deliver(punch(person="ghost@mycompany.com"))

    assert err.value.code == "INVALID_EMPLOYEE"


async def test_missing_api_terminal_rejects_the_punch(
    client: CalamariClient, fake: FakeCalamari
) -> None:
    fake.find(JOHN).terminal_access = False  # type: ignore[union-attr]

    with pytest.raises(TimeClockRejectedError) as err:
        await client.async_deliver(punch())

    assert err.value.code == "API_TERMINAL_NOT_AVAILABLE"
    assert fake.accepted == []


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (
            {"message": "Api error", "code": "INVALID_TIME", "field": "time"},
            "INVALID_TIME",
        ),
        (
            {"message": "Api error", "code": "INVALID_JSON_PAYLOAD", "field": None},
            "INVALID_JSON_PAYLOAD",
        ),
        ({"message": "Api error", "code": "SOMETHING_NEW"}, "SOMETHING_NEW"),
        ("Bad Request", "HTTP_400"),
    ],
)
async def test_every_400_is_a_rejection_with_its_code(
    client: CalamariClient, fake: FakeCalamari, body: Any, code: str
) -> None:
    fake.fail_next(status=400, body=body)

    with pytest.raises(TimeClockRejectedError) as err:
        await client.async_deliver(punch())

    assert err.value.code == code


async def test_wrong_api_key_is_an_authentication_error(
    make_client: Callable[..., CalamariClient], fake: FakeCalamari
) -> None:
    with pytest.raises(TimeClockAuthenticationError):
        await make_client(api_key="wrong").async_deliver(punch())

    assert fake.hits[0].status == 401
    assert fake.accepted == []


async def test_api_access_disabled_403_is_an_authentication_error(
    client: CalamariClient, fake: FakeCalamari
) -> None:
    fake.api_enabled = False

    with pytest.raises(TimeClockAuthenticationError):
        await client.async_deliver(punch())


@pytest.mark.parametrize(
    ("status", "ambiguous"),
    [(500, True), (504, True), (502, False), (503, False), (418, False)],
)
async def test_server_errors_are_transient(
    client: CalamariClient, fake: FakeCalamari, status: int, ambiguous: bool
) -> None:
    fake.fail_next(status=status)

    with pytest.raises(TimeClockConnectionError) as err:
        await client.async_deliver(punch())

    assert err.value.ambiguous is ambiguous
    assert fake.accepted == []


@pytest.mark.parametrize("status", [404, 302])
async def test_wrong_url_is_an_unknown_tenant(
    client: CalamariClient, fake: FakeCalamari, status: int
) -> None:
    fake.fail_next(status=status, headers={"Location": "https://example.invalid/login"})

    with pytest.raises(TimeClockAccountError) as err:
        await client.async_deliver(punch())

    assert err.value.reason == "unknown_tenant"


async def test_connection_dropped_after_sending_is_ambiguous(
    client: CalamariClient, fake: FakeCalamari
) -> None:
    fake.down = True

    with pytest.raises(TimeClockConnectionError) as err:
        await client.async_deliver(punch())

    assert err.value.ambiguous


async def test_timeout_is_ambiguous(
    make_client: Callable[..., CalamariClient], fake: FakeCalamari
) -> None:
    fake.delay = 0.2

    with pytest.raises(TimeClockConnectionError) as err:
        await make_client(timeout=0.05).async_deliver(punch())

    assert err.value.ambiguous


async def test_refused_connection_is_not_ambiguous(
    client: CalamariClient, fake: FakeCalamari
) -> None:
    await fake.stop()

    with pytest.raises(TimeClockConnectionError) as err:
        await client.async_deliver(punch())

    assert not err.value.ambiguous


# -- quotas and pacing ------------------------------------------------------------


async def test_quota_exceeded_learns_limits_and_waits_for_the_hour(
    make_client: Callable[..., CalamariClient], fake: FakeCalamari
) -> None:
    clock = FakeClock()
    fake.set_quota(per_hour=2)
    client = make_client(
        limits=None,
        clock=clock,
        now=lambda: datetime(2026, 11, 22, 8, 45, tzinfo=WARSAW),
    )
    await client.async_deliver(punch())
    await client.async_deliver(punch(Action.CLOCK_OUT))

    with pytest.raises(TimeClockRateLimitedError) as err:
        await client.async_deliver(punch())

    assert err.value.retry_after == 15 * 60  # until 09:00
    assert client._pacer.limits == {1: 10, 3600: 2, 86400: 2880}
    # The pacer holds every request, syncs too, without sending it: at least
    # until 09:00, and here a whole hour, as its sliding window of the learned
    # 2/hour still holds the requests just sent.
    with pytest.raises(TimeClockRateLimitedError) as held:
        await client.async_fetch_states([JOHN])
    assert held.value.retry_after == pytest.approx(3600)
    assert len(fake.hits) == 3


async def test_quota_retry_after_header_wins(
    make_client: Callable[..., CalamariClient], fake: FakeCalamari
) -> None:
    fake.set_quota(per_day=1)
    fake.retry_after_header = "42"
    client = make_client(clock=FakeClock())
    await client.async_deliver(punch())

    with pytest.raises(TimeClockRateLimitedError) as err:
        await client.async_deliver(punch())

    assert err.value.retry_after == 42
    assert client._pacer.limits == {86400: 1}  # learned though pacing was off


@pytest.mark.parametrize(
    ("field", "now", "wait"),
    [
        # The documented example: day, hour and second all exhausted.
        (
            DOC_QUOTA_TEXT,
            datetime(2026, 11, 22, 23, 30, tzinfo=WARSAW),
            1800,
        ),
        # A day quota waits at most an hour, then looks again.
        (
            "Your current usage is 101/day, 3/hour, 1/sec\nYour current limits 100/day, 10/hour, 1/sec.",
            datetime(2026, 11, 22, 8, 0, tzinfo=WARSAW),
            3600,
        ),
        # Only the per-second quota: wait one second.
        (
            "Your current usage is 5/day, 3/hour, 2/sec\nYour current limits 100/day, 10/hour, 1/sec.",
            datetime(2026, 11, 22, 8, 0, 0, 500000, tzinfo=WARSAW),
            1,
        ),
        # Nothing exhausted, or nothing readable: a fixed fallback.
        (
            "Your current usage is 5/day\nYour current limits 100/day.",
            datetime(2026, 11, 22, 8, 0, tzinfo=WARSAW),
            QUOTA_FALLBACK_WAIT,
        ),
        (None, datetime(2026, 11, 22, 8, 0, tzinfo=WARSAW), QUOTA_FALLBACK_WAIT),
    ],
)
async def test_quota_wait_follows_the_exhausted_quota(
    make_client: Callable[..., CalamariClient],
    fake: FakeCalamari,
    field: str | None,
    now: datetime,
    wait: float,
) -> None:
    fake.fail_next(status=429, body={"code": "QUOTA_EXCEEDED", "field": field})
    client = make_client(clock=FakeClock(), now=lambda: now)

    with pytest.raises(TimeClockRateLimitedError) as err:
        await client.async_deliver(punch())

    assert err.value.retry_after == pytest.approx(wait)


async def test_quota_only_tightens_known_limits(
    make_client: Callable[..., CalamariClient], fake: FakeCalamari
) -> None:
    fake.fail_next(
        status=429,
        body={
            "code": "QUOTA_EXCEEDED",
            "field": "Your current usage is 1001/hour\nYour current limits 1000/hour, 20/min.",
        },
    )
    client = make_client(limits=None, clock=FakeClock())

    with pytest.raises(TimeClockRateLimitedError):
        await client.async_deliver(punch())

    assert client._pacer.limits == {1: 10, 3600: 720, 86400: 2880, 60: 20}


async def test_quota_answer_that_is_not_json_still_rate_limits(
    make_client: Callable[..., CalamariClient], fake: FakeCalamari
) -> None:
    fake.fail_next(status=429, body="Too Many Requests")
    client = make_client(clock=FakeClock())

    with pytest.raises(TimeClockRateLimitedError) as err:
        await client.async_deliver(punch())

    assert err.value.retry_after == QUOTA_FALLBACK_WAIT


async def test_pacer_holds_requests_beyond_the_local_quota_without_sending(
    make_client: Callable[..., CalamariClient], fake: FakeCalamari
) -> None:
    clock = FakeClock()
    client = make_client(limits={3600: 2}, clock=clock)
    await client.async_deliver(punch())
    await client.async_fetch_states([JOHN])  # syncs count against the quota too

    with pytest.raises(TimeClockRateLimitedError) as err:
        await client.async_deliver(punch(Action.CLOCK_OUT))

    assert err.value.retry_after == pytest.approx(3600)
    assert len(fake.hits) == 2
    clock.now += 3600
    await client.async_deliver(punch(Action.CLOCK_OUT))
    assert fake.status_of(JOHN) == "STOPPED"


async def test_pacer_waits_briefly_inside_a_request(
    make_client: Callable[..., CalamariClient], fake: FakeCalamari
) -> None:
    client = make_client(limits={0.05: 1})
    started = time.monotonic()

    await client.async_deliver(punch())
    await client.async_deliver(punch(Action.CLOCK_OUT))

    assert time.monotonic() - started >= 0.04
    assert [a.endpoint for a in fake.accepted] == ["clock-in", "clock-out"]


def test_published_limits_are_the_default(
    make_client: Callable[..., CalamariClient],
) -> None:
    assert make_client(limits=None)._pacer.limits == {1: 10, 3600: 720, 86400: 2880}
    assert DEFAULT_LIMITS == {1: 10, 3600: 720, 86400: 2880}
    assert make_client(limits={})._pacer.limits == {}
    assert make_client(limits={1: 5})._pacer.limits == {1: 5}


def test_parse_quota_reads_the_documented_text() -> None:
    usage, limits = parse_quota(DOC_QUOTA_TEXT)

    assert usage == {86400: 101, 3600: 10, 1: 1}
    assert limits == {86400: 100, 3600: 10, 1: 1}


def test_parse_quota_is_lenient_about_units() -> None:
    usage, limits = parse_quota(
        "usage 3/s, 4/minutes, 9/fortnight; limits 2/seconds, 5/hours, 6/days"
    )

    assert usage == {1: 3, 60: 4}
    assert limits == {1: 2, 3600: 5, 86400: 6}
    assert parse_quota("") == ({}, {})


# -- state reads ------------------------------------------------------------------


async def test_fetch_states_reads_everyone_in_one_call(
    client: CalamariClient, fake: FakeCalamari
) -> None:
    fake.find(JOHN).status = "STARTED"  # type: ignore[union-attr]
    fake.find(ANNA).status = "BREAK"  # type: ignore[union-attr]

    states = await client.async_fetch_states(
        ["John.White@MyCompany.com", "externalNumber:XYZ9", BOB, "ghost@mycompany.com"]
    )

    assert states == {
        "John.White@MyCompany.com": True,
        "externalNumber:XYZ9": True,
        BOB: False,
    }
    assert paths(fake) == ["/clockin/shift/status/v1/get-current-for-all"]


async def test_fetch_states_without_persons_sends_nothing(
    client: CalamariClient, fake: FakeCalamari
) -> None:
    assert await client.async_fetch_states([]) == {}
    assert fake.hits == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"entries": [{"person": "A@x.com", "shiftStatus": "STARTED"}, "junk"]},
            {"a@x.com": True},
        ),
        ([{"email": "a@x.com", "status": "stopped"}], {"a@x.com": False}),
        (
            [{"personId": "externalNumber:Q1", "status": "BREAK"}],
            {"externalNumber:Q1": True},
        ),
        (
            [{"person": {"externalNumber": 17}, "status": "STARTED"}],
            {"externalNumber:17": True},
        ),
        ([{"person": {"email": "a@x.com"}}], {}),
        ({"data": [], "count": 0}, {}),
    ],
)
async def test_fetch_states_reads_other_shapes_leniently(
    client: CalamariClient, fake: FakeCalamari, body: Any, expected: dict[str, bool]
) -> None:
    fake.fail_next(status=200, body=body)

    states = await client.async_fetch_states(
        ["a@x.com", "externalNumber:Q1", "externalNumber:17"]
    )

    assert states == expected


@pytest.mark.parametrize("body", ["not json", {"count": 3}, 42])
async def test_fetch_states_with_unreadable_answer_is_transient(
    client: CalamariClient, fake: FakeCalamari, body: Any
) -> None:
    fake.fail_next(status=200, body=body if body != 42 else "42")

    with pytest.raises(TimeClockConnectionError):
        await client.async_fetch_states([JOHN])


# -- credential check -------------------------------------------------------------


async def test_validate_returns_the_tenant_host(
    client: CalamariClient, fake: FakeCalamari
) -> None:
    info = await client.async_validate()

    assert info == AccountInfo(unique_id="127.0.0.1", title="127.0.0.1")
    assert paths(fake) == ["/clockin/shift/status/v1/get-current-for-all"]


def test_unique_id_is_the_lowercased_host(session: aiohttp.ClientSession) -> None:
    client = CalamariClient(
        session=session,
        api_url=" https://ACME.us.Calamari.io/api/ ",
        api_key=API_KEY,
        time_zone=WARSAW,
    )

    assert client._host == "acme.us.calamari.io"
    assert client._base == "https://acme.us.calamari.io/api"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://acme.calamari.io/api", "must use https"),
        ("http://10.0.0.5/api", "must use https"),
        ("ftp://acme.calamari.io/api", "must be an http"),
        ("acme.calamari.io/api", "must be an http"),
        ("https://", "must be an http"),
    ],
)
def test_api_url_must_be_https(
    session: aiohttp.ClientSession, url: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        CalamariClient(session=session, api_url=url, api_key=API_KEY, time_zone=WARSAW)


@pytest.mark.parametrize("url", ["http://localhost:8123/api", "http://[::1]:80/api"])
def test_loopback_api_url_may_use_http(
    session: aiohttp.ClientSession, url: str
) -> None:
    CalamariClient(session=session, api_url=url, api_key=API_KEY, time_zone=WARSAW)


async def test_validate_wrong_key(make_client: Callable[..., CalamariClient]) -> None:
    with pytest.raises(TimeClockAuthenticationError):
        await make_client(api_key="wrong").async_validate()


async def test_validate_without_api_access(
    client: CalamariClient, fake: FakeCalamari
) -> None:
    fake.api_enabled = False

    with pytest.raises(TimeClockAuthenticationError):
        await client.async_validate()


async def test_validate_without_api_terminal(
    client: CalamariClient, fake: FakeCalamari
) -> None:
    fake.terminal_configured = False

    with pytest.raises(TimeClockAccountError) as err:
        await client.async_validate()

    assert err.value.reason == "terminal_missing"


async def test_validate_wrong_url_is_unknown_tenant(
    make_client: Callable[..., CalamariClient], fake: FakeCalamari
) -> None:
    url = fake.url.removesuffix("/api") + "/other"

    with pytest.raises(TimeClockAccountError) as err:
        await make_client(api_url=url).async_validate()

    assert err.value.reason == "unknown_tenant"


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (400, {"message": "Api error", "code": "INVALID_JSON_PAYLOAD"}),
        (429, {"code": "QUOTA_EXCEEDED", "field": "usage 3/sec\nlimits 1/sec"}),
        (200, {"message": "hello"}),
        (503, None),
    ],
)
async def test_validate_other_failures_are_connection_errors(
    make_client: Callable[..., CalamariClient],
    fake: FakeCalamari,
    status: int,
    body: Any,
) -> None:
    fake.fail_next(status=status, body=body)

    with pytest.raises(TimeClockConnectionError):
        await make_client(clock=FakeClock()).async_validate()


async def test_validate_unreachable(client: CalamariClient, fake: FakeCalamari) -> None:
    await fake.stop()

    with pytest.raises(TimeClockConnectionError):
        await client.async_validate()


# -- the fake itself, as other tests rely on it ------------------------------------


@pytest.mark.parametrize(
    "sent_time",
    [
        "2026-11-22T08:30:00Z",
        "2026-11-22T08:30:00+01:00",
        "2026-11-22T08:30:00.5",
        "2026-11-22 08:30",
        "2026-13-40T08:30:00",
    ],
)
async def test_fake_rejects_times_with_zone_or_fraction(
    fake: FakeCalamari, session: aiohttp.ClientSession, sent_time: str
) -> None:
    async with session.post(
        fake.url + "/clockin/terminal/v1/clock-in",
        json={"person": JOHN, "time": sent_time},
        headers={"Authorization": basic_auth("calamari", API_KEY)},
    ) as resp:
        assert resp.status == 400
        assert (await resp.json())["code"] == "INVALID_TIME"
    assert fake.accepted == []


async def test_fake_punch_clock_toggles_and_validates_payload(
    fake: FakeCalamari, session: aiohttp.ClientSession
) -> None:
    auth = {"Authorization": basic_auth("calamari", API_KEY)}
    url = fake.url + "/clockin/terminal/v1/punch-clock"
    body = {"person": JOHN, "time": "2026-11-22T08:30:00"}
    for expected in ("STARTED", "FINISHED"):
        async with session.post(url, json=body, headers=auth) as resp:
            assert (await resp.json())["shiftStatus"] == expected
    for bad in ({"person": JOHN}, {**body, "projectId": "7"}, [1]):
        async with session.post(url, json=bad, headers=auth) as resp:
            assert (await resp.json())["code"] == "INVALID_JSON_PAYLOAD"
    async with session.post(url, data=b"{", headers=auth) as resp:
        assert (await resp.json())["code"] == "INVALID_JSON_PAYLOAD"
    async with session.post(
        url.replace("punch-clock", "nope"), json=body, headers=auth
    ) as resp:
        assert resp.status == 404
    assert [a.endpoint for a in fake.accepted] == ["punch-clock", "punch-clock"]
