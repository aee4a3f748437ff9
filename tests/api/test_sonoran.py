"""Tests of the SonoranCMS client against a local fake of the API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import json
import logging

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
from custom_components.time_clock.api.sonoran import SonoranClient
from tests.fakes.sonoran import FakeSonoran, Transition

OFF = {"on_shift": False}
ON = {"on_shift": True}


@dataclass
class FakeTime:
    """A monotonic clock that only moves when the client sleeps."""

    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


@pytest.fixture
async def fake(socket_enabled: None) -> AsyncIterator[FakeSonoran]:
    """Serve a fake community (the HA test plugin blocks sockets unless enabled)."""
    server = FakeSonoran()
    server.add_account(
        "acc-1", api_id="api-1", username="John", discord="1111", unique_id=1234
    )
    server.add_account("acc-2", api_id="api-2")
    server.add_account("acc-3", api_id="api-3")
    server.base_url = await server.start()  # type: ignore[attr-defined]
    yield server
    await server.stop()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


def make_client(
    fake: FakeSonoran,
    session: aiohttp.ClientSession,
    fake_time: FakeTime,
    **kwargs,
) -> SonoranClient:
    options = {
        "community_id": fake.community_id,
        "api_key": fake.api_key,
        "base_url": fake.base_url,  # type: ignore[attr-defined]
        "sleep": fake_time.sleep,
        "clock": fake_time.clock,
    } | kwargs
    return SonoranClient(session=session, **options)


@pytest.fixture
def client(fake, session, fake_time) -> SonoranClient:
    return make_client(fake, session, fake_time)


_counter = iter(range(1, 1_000_000))


def punch(
    person: str,
    action: Action,
    *,
    state: dict | None = None,
    uncertain: bool = False,
    id_type: str | None = None,
) -> PunchRequest:
    return PunchRequest(
        punch_id=f"p{next(_counter)}",
        person=person,
        action=action,
        time=datetime(2026, 11, 22, 8, 30, tzinfo=UTC),
        extras={"id_type": id_type} if id_type else {},
        state=state or {},
        uncertain=uncertain,
    )


def clock_in(person: str, **kwargs) -> PunchRequest:
    return punch(person, Action.CLOCK_IN, **kwargs)


def clock_out(person: str, **kwargs) -> PunchRequest:
    return punch(person, Action.CLOCK_OUT, **kwargs)


def paths(fake: FakeSonoran) -> list[str]:
    return [request["path"] for request in fake.requests]


def assert_fresh_stamp(delivery: Delivery, before: datetime) -> None:
    assert delivery.stamped_at is not None
    assert delivery.stamped_at.tzinfo is UTC
    assert before <= delivery.stamped_at <= datetime.now(UTC)


# credential check -----------------------------------------------------------


async def test_validate_returns_lowercased_community_as_unique_id(fake, client):
    info = await client.async_validate()

    assert info.unique_id == "acmerp"
    assert info.title == "SonoranCMS AcmeRP"
    assert fake.requests == [
        {
            "path": "get_sub_version",
            "id": "AcmeRP",
            "key": "key-123",
            "type": "GET_SUB_VERSION",
            "data": [],
        }
    ]


@pytest.mark.parametrize("plan", [3, 4, 6])
async def test_validate_accepts_plus_plan_or_higher(fake, client, plan):
    fake.plan = plan

    assert (await client.async_validate()).unique_id == "acmerp"


@pytest.mark.parametrize("plan", [0, 1, 2])
async def test_validate_refuses_plan_below_plus(fake, client, plan):
    fake.plan = plan

    with pytest.raises(TimeClockAccountError) as err:
        await client.async_validate()
    assert err.value.reason == "plan_required"


async def test_validate_reads_plan_given_as_json_string(fake, client):
    fake.fail_next(status=200, body='"3"')

    assert (await client.async_validate()).title == "SonoranCMS AcmeRP"


async def test_validate_bad_api_key_is_authentication_error(fake, session, fake_time):
    client = make_client(fake, session, fake_time, api_key="wrong")

    with pytest.raises(TimeClockAuthenticationError):
        await client.async_validate()


async def test_validate_unknown_community_is_account_error(fake, session, fake_time):
    client = make_client(fake, session, fake_time, community_id="nobody")

    with pytest.raises(TimeClockAccountError) as err:
        await client.async_validate()
    assert err.value.reason == "unknown_community"


async def test_validate_garbage_plan_answer_is_transient(fake, client):
    fake.fail_next(status=200, body="<html>maintenance</html>")

    with pytest.raises(TimeClockConnectionError):
        await client.async_validate()


async def test_validate_unreachable_is_connection_error(fake, client):
    await fake.stop()

    with pytest.raises(TimeClockConnectionError) as err:
        await client.async_validate()
    assert err.value.ambiguous is False


# clock out ------------------------------------------------------------------


async def test_clock_out_sends_forced_clock_out_item(fake, client):
    fake.set_on_shift("acc-1", True)
    before = datetime.now(UTC)

    delivery = await client.async_deliver(clock_out("api-1"))

    assert delivery.state == OFF
    assert_fresh_stamp(delivery, before)
    assert fake.clock_requests() == [
        {
            "path": "clock_in_out",
            "id": "AcmeRP",
            "key": "key-123",
            "type": "CLOCK_IN_OUT",
            "data": [{"apiId": "api-1", "forceClockOut": True}],
        }
    ]
    assert fake.shifts_of("acc-1") == [
        Transition("acc-1", "forceClockOut", True, False, "CLOCKED OUT")
    ]


async def test_clock_out_repeated_never_starts_a_shift(fake, client):
    out = clock_out("api-1")

    await client.async_deliver(out)
    await client.async_deliver(out)

    assert fake.account("acc-1").on_shift is False
    assert [t.after for t in fake.shifts_of("acc-1")] == [False, False]


async def test_clock_out_answer_of_clocked_in_is_restored(fake, client, caplog):
    """An API that ignores forceClockOut toggles a person who was off: undo it."""
    fake.ignore_force_out = True
    out = clock_out("api-1")

    with caplog.at_level(logging.WARNING):
        delivery = await client.async_deliver(out)

    assert delivery.state == OFF
    assert fake.account("acc-1").on_shift is False
    assert [(t.before, t.after) for t in fake.shifts_of("acc-1")] == [
        (False, True),
        (True, False),
    ]
    assert out.punch_id in caplog.text
    assert "api-1" not in caplog.text
    assert "key-123" not in caplog.text


# clock in -------------------------------------------------------------------


async def test_clock_in_known_off_reads_then_sends_plain_item(fake, client):
    before = datetime.now(UTC)

    delivery = await client.async_deliver(clock_in("api-2", state=OFF))

    assert delivery.state == ON
    assert_fresh_stamp(delivery, before)
    assert paths(fake) == ["get_current_clock_in", "clock_in_out"]
    assert fake.clock_requests()[0]["data"] == [{"apiId": "api-2"}]
    assert fake.shifts_of("acc-2") == [
        Transition("acc-2", None, False, True, "CLOCKED IN")
    ]


@pytest.mark.parametrize("state", [{}, ON, {"on_shift": None}, OFF])
async def test_clock_in_reads_first_whatever_was_remembered(fake, client, state):
    delivery = await client.async_deliver(clock_in("api-2", state=state))

    assert delivery.state == ON
    assert paths(fake) == ["get_current_clock_in", "clock_in_out"]
    assert fake.requests[0]["type"] == "GET_CURRENT_CLOCK_IN"
    assert fake.requests[0]["data"] == {"apiId": "api-2"}
    assert fake.account("acc-2").on_shift is True


async def test_clock_in_of_someone_on_shift_is_duplicate_and_not_sent(fake, client):
    fake.set_on_shift("acc-2", True)
    started = fake.account("acc-2").started_at

    delivery = await client.async_deliver(clock_in("api-2"))

    assert delivery == Delivery(state=ON, stamped_at=started)
    assert paths(fake) == ["get_current_clock_in"]
    assert fake.transitions == []


async def test_uncertain_clock_in_reads_even_when_state_says_off(fake, client):
    fake.set_on_shift("acc-2", True)

    delivery = await client.async_deliver(clock_in("api-2", state=OFF, uncertain=True))

    assert delivery.state == ON
    assert paths(fake) == ["get_current_clock_in"]
    assert fake.account("acc-2").on_shift is True


@pytest.mark.parametrize("status", [500, None])
async def test_clock_in_applied_then_failed_is_not_toggled_back(fake, client, status):
    """500 or a dropped connection after Sonoran acted: the retry must not toggle."""
    fake.apply_then_fail(status=status, after=1)
    first = clock_in("api-2", state=OFF)

    with pytest.raises(TimeClockConnectionError) as err:
        await client.async_deliver(first)
    assert err.value.ambiguous is True
    retry = await client.async_deliver(clock_in("api-2", state=OFF, uncertain=True))

    assert len(fake.clock_requests()) == 1
    assert retry.state == ON
    assert fake.account("acc-2").on_shift is True
    assert len(fake.shifts_of("acc-2")) == 1


async def test_clock_in_failed_before_apply_is_sent_on_retry(fake, client):
    fake.fail_next(status=500, after=1)
    first = clock_in("api-2", state=OFF)

    with pytest.raises(TimeClockConnectionError):
        await client.async_deliver(first)
    retry = await client.async_deliver(clock_in("api-2", state=OFF, uncertain=True))

    assert len(fake.clock_requests()) == 2
    assert retry.state == ON
    assert fake.shifts_of("acc-2") == [
        Transition("acc-2", None, False, True, "CLOCKED IN")
    ]


async def test_clock_in_after_in_game_clock_in_sends_nothing(fake, client):
    """HA last saw the member off, but they clocked in in-game since: no toggle."""
    fake.set_on_shift("acc-2", True)
    started = fake.account("acc-2").started_at

    delivery = await client.async_deliver(clock_in("api-2", state=OFF))

    assert delivery == Delivery(state=ON, stamped_at=started)
    assert paths(fake) == ["get_current_clock_in"]
    assert fake.transitions == []


async def test_clock_in_toggled_wrong_way_is_restored(fake, client, caplog):
    """The member clocked in between the read and the toggle: the toggle ended it."""
    fake.set_on_shift("acc-2", False)
    fake.fail_next(status=200, body="CLOCKED OUT", after=1)
    punch = clock_in("api-2", state=OFF)

    with caplog.at_level(logging.WARNING):
        delivery = await client.async_deliver(punch)

    assert delivery.state == ON
    assert fake.account("acc-2").on_shift is True
    assert punch.punch_id in caplog.text
    assert "wrong way" in caplog.text


async def test_failed_correction_is_ambiguous(fake, client):
    fake.fail_next(2, status=200, body="CLOCKED OUT", after=1)

    with pytest.raises(TimeClockConnectionError) as err:
        await client.async_deliver(clock_in("api-2", state=OFF))
    assert err.value.ambiguous is True


async def test_clock_in_never_forces_a_running_shift(fake, client):
    """Whatever the state claims, no forceClockIn ever restarts a shift."""
    fake.set_on_shift("acc-1", True)
    for state in (OFF, ON, {}):
        for uncertain in (False, True):
            await client.async_deliver(
                clock_in("api-1", state=state, uncertain=uncertain)
            )
            fake.set_on_shift("acc-1", True)

    assert not any(t.restarted for t in fake.transitions)


# answers --------------------------------------------------------------------


@pytest.mark.parametrize("style", ["text", "json", "record"])
async def test_answers_in_text_json_or_records_are_understood(fake, client, style):
    fake.answer_style = style

    inside = await client.async_deliver(clock_in("api-2", state=OFF))
    outside = await client.async_deliver(clock_out("api-2"))

    assert (inside.state, outside.state) == (ON, OFF)
    assert len(fake.transitions) == 2


@pytest.mark.parametrize(
    ("body", "state"),
    [
        ("CLOCKED IN", ON),
        ("FORCE CLOCKED IN", ON),
        ('"CLOCKED IN"', ON),
        ('{"message": "clocked in"}', ON),
        ('{"completed": false, "endTime": null}', ON),
        ("Not Clocked In", OFF),
    ],
)
async def test_answer_forms_map_to_states(fake, client, body, state):
    fake.fail_next(status=201, body=body)
    action = Action.CLOCK_IN if state == ON else Action.CLOCK_OUT

    delivery = await client.async_deliver(punch("api-2", action, state=OFF))

    assert delivery.state == state


@pytest.mark.parametrize(
    "body",
    [
        "",
        "OK",
        "<html>gateway</html>",
        "CLOCKED IN\nCLOCKED OUT",
        "3",
        '["CLOCKED IN", "CLOCKED IN"]',
        '{"status": "done"}',
        "null",
    ],
)
async def test_unexpected_2xx_answer_is_ambiguous(fake, client, body):
    fake.fail_next(status=200, body=body)

    with pytest.raises(TimeClockConnectionError) as err:
        await client.async_deliver(clock_out("api-2"))
    assert err.value.ambiguous is True


@pytest.mark.parametrize("body", ["", "maybe", '{"foo": 1}'])
async def test_unexpected_state_answer_is_transient(fake, client, body):
    fake.fail_next(status=201, body=body)

    with pytest.raises(TimeClockConnectionError):
        await client.async_deliver(clock_in("api-2"))
    assert fake.transitions == []


async def test_state_record_with_unreadable_start_is_still_duplicate(fake, client):
    fake.fail_next(status=201, body=json.dumps({"completed": False, "startTime": "x"}))

    delivery = await client.async_deliver(clock_in("api-2"))

    assert delivery == Delivery(state=ON, stamped_at=None)
    assert fake.clock_requests() == []


async def test_completed_state_record_means_off(fake, client):
    fake.fail_next(status=201, body=json.dumps({"completed": True}))

    delivery = await client.async_deliver(clock_in("api-2"))

    assert delivery.state == ON
    assert len(fake.clock_requests()) == 1
    assert fake.account("acc-2").on_shift is True


async def test_state_record_start_time_is_converted_to_utc(fake, client):
    record = {"completed": False, "startTime": "2025-02-22 20:28:40.000 -0800"}
    fake.fail_next(status=201, body=json.dumps(record))

    delivery = await client.async_deliver(clock_in("api-2"))

    assert delivery.stamped_at == datetime(2025, 2, 23, 4, 28, 40, tzinfo=UTC)


async def test_clock_in_reads_the_state_by_the_employee_id_type(fake, client):
    fake.set_on_shift("acc-1", True)

    delivery = await client.async_deliver(clock_in("John", id_type="username"))

    assert delivery.state == ON
    assert fake.requests[0]["data"] == {"username": "John"}
    assert fake.transitions == []


async def test_fetch_states_is_not_offered(client):
    assert await client.async_fetch_states(["api-1", "api-2"]) is None


# identifiers ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("id_type", "person", "sent"),
    [
        ("apiId", "api-1", {"apiId": "api-1"}),
        ("username", "John", {"username": "John"}),
        ("accId", "acc-1", {"accId": "acc-1"}),
        ("discord", "1111", {"discord": "1111"}),
        ("uniqueId", "1234", {"uniqueId": 1234}),
    ],
)
async def test_each_identifier_kind_reaches_the_account(
    fake, client, id_type, person, sent
):
    await client.async_deliver(clock_in(person, state=OFF, id_type=id_type))

    assert fake.clock_requests()[0]["data"] == [sent]
    assert fake.account("acc-1").on_shift is True


async def test_unknown_identifier_kind_is_rejected_without_request(fake, client):
    with pytest.raises(TimeClockRejectedError) as err:
        await client.async_deliver(clock_out("api-1", id_type="email"))
    assert err.value.code == "INVALID_ID_TYPE"
    assert fake.requests == []


async def test_non_numeric_unique_id_is_rejected_without_request(fake, client):
    with pytest.raises(TimeClockRejectedError) as err:
        await client.async_deliver(clock_out("abc", id_type="uniqueId"))
    assert err.value.code == "INVALID_IDENTIFIER"
    assert fake.requests == []


# errors ---------------------------------------------------------------------


async def test_bad_api_key_on_delivery_is_authentication_error(
    fake, session, fake_time
):
    client = make_client(fake, session, fake_time, api_key="wrong")

    with pytest.raises(TimeClockAuthenticationError):
        await client.async_deliver(clock_out("api-1"))


async def test_unknown_community_on_delivery_is_authentication_error(
    fake, session, fake_time
):
    """Credentials checked at setup stopped working: pause and reauthenticate."""
    client = make_client(fake, session, fake_time, community_id="gone")

    with pytest.raises(TimeClockAuthenticationError):
        await client.async_deliver(clock_out("api-1"))


@pytest.mark.parametrize("status", [400, 404])
async def test_api_id_not_linked_is_rejected(fake, client, status):
    fake.not_linked_status = status

    with pytest.raises(TimeClockRejectedError) as err:
        await client.async_deliver(clock_out("api-unknown"))
    assert err.value.code == "API_ID_NOT_LINKED"


async def test_api_id_not_linked_on_state_read_is_rejected(fake, client):
    with pytest.raises(TimeClockRejectedError) as err:
        await client.async_deliver(clock_in("api-unknown"))
    assert err.value.code == "API_ID_NOT_LINKED"


async def test_unknown_account_is_rejected(fake, client):
    with pytest.raises(TimeClockRejectedError) as err:
        await client.async_deliver(clock_out("Nobody", id_type="username"))
    assert err.value.code == "ACCOUNT_NOT_FOUND"


async def test_unknown_400_text_is_rejected(fake, client):
    fake.fail_next(status=400, body="INVALID REQUEST DATA")

    with pytest.raises(TimeClockRejectedError) as err:
        await client.async_deliver(clock_out("api-1"))
    assert err.value.code == "BAD_REQUEST"


async def test_plan_below_plus_on_delivery_is_account_error(fake, client):
    fake.plan = 2

    with pytest.raises(TimeClockAccountError) as err:
        await client.async_deliver(clock_out("api-1"))
    assert err.value.reason == "plan_required"


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (401, "Unauthorized", TimeClockAuthenticationError),
        (403, "Forbidden", TimeClockAuthenticationError),
        (400, "INVALID API KEY", TimeClockAuthenticationError),
        (400, "UPGRADE YOUR PLAN", TimeClockAccountError),
    ],
)
async def test_refusals_map_to_errors(fake, client, status, body, error):
    fake.fail_next(status=status, body=body)

    with pytest.raises(error):
        await client.async_deliver(clock_out("api-1"))


@pytest.mark.parametrize(
    ("status", "ambiguous"),
    [(500, True), (502, False), (503, False), (504, True), (404, True), (418, True)],
)
async def test_server_failures_are_transient(fake, client, status, ambiguous):
    fake.fail_next(status=status, body="<html>oops</html>")

    with pytest.raises(TimeClockConnectionError) as err:
        await client.async_deliver(clock_out("api-1"))
    assert err.value.ambiguous is ambiguous
    assert fake.transitions == []


async def test_dropped_connection_is_ambiguous(fake, client):
    fake.drop_next()

    with pytest.raises(TimeClockConnectionError) as err:
        await client.async_deliver(clock_out("api-1"))
    assert err.value.ambiguous is True


async def test_down_server_is_transient_and_recovers(fake, client):
    fake.down = True
    with pytest.raises(TimeClockConnectionError):
        await client.async_deliver(clock_out("api-1"))

    fake.down = False
    assert (await client.async_deliver(clock_out("api-1"))).state == OFF


async def test_rate_limit_reports_retry_after_and_holds_next_request(
    fake, client, fake_time
):
    fake.rate_limit = 1
    fake.rate_window = 60.0
    await client.async_deliver(clock_out("api-1"))

    with pytest.raises(TimeClockRateLimitedError) as err:
        await client.async_deliver(clock_out("api-2"))
    assert err.value.retry_after == 2.0
    fake.rate_limit = None
    fake_time.sleeps.clear()
    await client.async_deliver(clock_out("api-2"))

    assert fake_time.sleeps == [2.0]


async def test_rate_limit_without_retry_after(fake, client):
    fake.fail_next(status=429, body="TOO MANY REQUESTS")

    with pytest.raises(TimeClockRateLimitedError) as err:
        await client.async_deliver(clock_out("api-1"))
    assert err.value.retry_after is None


async def test_errors_do_not_carry_credentials(fake, session, fake_time):
    client = make_client(fake, session, fake_time, api_key="secret-xyz")

    with pytest.raises(TimeClockAuthenticationError) as err:
        await client.async_deliver(clock_out("api-1"))
    assert "secret-xyz" not in str(err.value)


# pacing ---------------------------------------------------------------------


async def test_requests_are_paced_one_per_interval(fake, client, fake_time):
    for person in ("api-1", "api-2", "api-3"):
        await client.async_deliver(clock_out(person))

    assert fake_time.sleeps == [1.0, 1.0]


async def test_pacing_counts_time_already_passed(fake, client, fake_time):
    await client.async_deliver(clock_out("api-1"))
    fake_time.now += 0.75
    await client.async_deliver(clock_out("api-2"))
    fake_time.now += 5
    await client.async_deliver(clock_out("api-3"))

    assert fake_time.sleeps == [0.25]


async def test_pacing_can_be_turned_off(fake, session, fake_time):
    client = make_client(fake, session, fake_time, min_interval=0)

    for person in ("api-1", "api-2"):
        await client.async_deliver(clock_out(person))

    assert fake_time.sleeps == []


async def test_fake_start_times_are_recent(fake):
    fake.set_on_shift("acc-3", True)

    started = fake.account("acc-3").started_at
    assert started is not None
    assert datetime.now(UTC) - started < timedelta(seconds=5)
