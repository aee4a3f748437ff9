"""Protime's Reason, Activity and ActivityEnd clockings, as seed 003 shows them."""

# The fixtures are the Protime client tests' own, imported by name.
# ruff: noqa: F811

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest

from custom_components.time_clock.api.errors import (
    TimeClockConnectionError,
    TimeClockRejectedError,
)
from custom_components.time_clock.api.models import (
    Action,
    ActivityLevel,
    PunchRequest,
)
from custom_components.time_clock.api.protime import ProtimeClient
from custom_components.time_clock.api.protime.kinds import kind_fields
from tests.api.test_protime import (  # noqa: F401
    PERSON,
    WINTER,
    client,
    clock,
    fake,
    make_client,
    posted,
    session,
)
from tests.fakes.protime import API_PATH, FakeProtime

REASON = 6578
# Seed 003's activity: level 1 by data-entry code 00014, level 2 by 10019.
BY_CODE = (
    ActivityLevel(level=1, reference="00014"),
    ActivityLevel(level=2, reference="10019"),
)
BY_ID = (ActivityLevel(level=1, definition_id=41),)
# 00:30 on 2024-12-17 in Brussels.
AFTER_MIDNIGHT = datetime(2024, 12, 16, 23, 30, tzinfo=UTC)


def request(
    action: Action,
    *,
    at: datetime = WINTER,
    person: str = str(PERSON),
    reference: str | None = None,
    reason_id: int | None = None,
    levels: tuple[ActivityLevel, ...] = (),
    uncertain: bool = False,
) -> PunchRequest:
    """Return a punch of one action for the seed's person."""
    return PunchRequest(
        punch_id="p-1",
        person=person,
        action=action,
        time=at,
        extras={} if reference is None else {"reference": reference},
        uncertain=uncertain,
        reason_id=reason_id,
        activity_levels=levels,
    )


def activity(**changes: Any) -> PunchRequest:
    """Return the start of the seed's activity."""
    return request(Action.ACTIVITY_START, levels=BY_CODE, **changes)


def coded(level: int, code: str) -> dict[str, Any]:
    """Return a listed activity level named by data-entry code."""
    refs = {"@data-entry-code": code}
    return {"level": level, "activityDefinition": {"externalReferences": refs}}


def kinds(fake: FakeProtime) -> list[str]:
    """Return the kinds the fake holds, in order."""
    return [c["kind"] for c in fake.clockings]


# ----- the bodies --------------------------------------------------------------


@pytest.mark.parametrize("action", [Action.CLOCK_IN, Action.CLOCK_OUT])
async def test_punch_with_a_reason_is_the_seeds_reason_clocking(
    client: ProtimeClient, fake: FakeProtime, action: Action
) -> None:
    await client.async_deliver(request(action, reason_id=REASON))

    assert posted(fake) == [
        {
            "person": {"id": PERSON},
            "date": "2024-12-17",
            "timeOfDayInMinutes": 500,
            "kind": "Reason",
            "reason": {"id": REASON},
            "status": "Active",
        }
    ]
    assert fake.clockings[0]["reason"] == {"id": REASON}


async def test_activity_by_external_references_is_the_seeds_activity_clocking(
    make_client, fake: FakeProtime
) -> None:
    fake.terminals.add(12)
    client = make_client(terminal_id=12, latitude=4.392225, longitude=51.144127)
    # 07:00 UTC is 08:00 in Brussels: minute 480 of 2024-01-05, as in the seed.
    at = datetime(2024, 1, 5, 7, 0, 31, tzinfo=UTC)

    await client.async_deliver(
        activity(at=at, person="01256", reference="@employee-number")
    )

    assert posted(fake) == [
        {
            "person": {"externalReferences": {"@employee-number": "01256"}},
            "date": "2024-01-05",
            "timeOfDayInMinutes": 480,
            "terminal": {"id": 12},
            "geolocation": {"longitude": 51.144127, "latitude": 4.392225},
            "kind": "Activity",
            "activityLevels": [
                {
                    "level": 1,
                    "activityDefinition": {
                        "externalReferences": {"@data-entry-code": "00014"}
                    },
                },
                {
                    "level": 2,
                    "activityDefinition": {
                        "externalReferences": {"@data-entry-code": "10019"}
                    },
                },
            ],
            "status": "Active",
        }
    ]
    assert fake.clockings_of(PERSON)[0]["activityLevels"][1]["level"] == 2


async def test_activity_by_internal_ids_and_other_references(
    client: ProtimeClient, fake: FakeProtime
) -> None:
    levels = (
        ActivityLevel(level=1, definition_id=41),
        ActivityLevel(level=2, reference=" W-7 ", reference_kind="ErpStepCode"),
    )

    await client.async_deliver(request(Action.ACTIVITY_START, levels=levels))

    assert posted(fake)[0]["activityLevels"] == [
        {"level": 1, "activityDefinition": {"id": 41}},
        {
            "level": 2,
            "activityDefinition": {"externalReferences": {"ErpStepCode": "W-7"}},
        },
    ]


async def test_activity_end_is_the_seeds_activity_end_clocking(
    client: ProtimeClient, fake: FakeProtime
) -> None:
    # 07:00 UTC is minute 480 of 2024-12-17 in Brussels.
    at = datetime(2024, 12, 17, 7, 0, tzinfo=UTC)

    # A reason on an activity's end is not Protime's to hear.
    await client.async_deliver(request(Action.ACTIVITY_END, at=at, reason_id=REASON))

    assert posted(fake) == [
        {
            "person": {"id": PERSON},
            "date": "2024-12-17",
            "timeOfDayInMinutes": 480,
            "kind": "ActivityEnd",
            "status": "Active",
        }
    ]


@pytest.mark.parametrize(
    "levels",
    [
        (),
        (ActivityLevel(level=1),),
        (ActivityLevel(level=1, reference="  "),),
        (ActivityLevel(level=1, reference="1", reference_kind=""),),
    ],
)
async def test_activity_without_definitions_is_rejected_without_a_request(
    client: ProtimeClient, fake: FakeProtime, levels: tuple[ActivityLevel, ...]
) -> None:
    with pytest.raises(TimeClockRejectedError) as err:
        await client.async_deliver(request(Action.ACTIVITY_START, levels=levels))

    assert err.value.code == "INVALID_ACTIVITY"
    assert fake.requests == []


async def test_unknown_reason_or_definition_is_rejected_by_protime(
    client: ProtimeClient, fake: FakeProtime
) -> None:
    fake.reasons = {7}
    fake.activity_definitions = {41: {"@data-entry-code": "00014"}}

    with pytest.raises(TimeClockRejectedError) as err:
        await client.async_deliver(request(Action.CLOCK_OUT, reason_id=REASON))
    assert err.value.code == "BadRequest"
    with pytest.raises(TimeClockRejectedError) as err:
        await client.async_deliver(activity())
    assert "level 2" in str(err.value)
    await client.async_deliver(request(Action.ACTIVITY_START, levels=BY_ID))
    await client.async_deliver(
        request(
            Action.ACTIVITY_START, levels=(ActivityLevel(level=1, reference="00014"),)
        )
    )

    assert kinds(fake) == ["Activity", "Activity"]


@pytest.mark.parametrize(
    ("action", "levels", "reason_id"),
    [
        (Action.CLOCK_IN, (), REASON),
        (Action.ACTIVITY_START, BY_CODE, None),
        (Action.ACTIVITY_END, (), None),
    ],
)
async def test_night_clockings_are_sent_at_their_local_date(
    client: ProtimeClient,
    fake: FakeProtime,
    action: Action,
    levels: tuple[ActivityLevel, ...],
    reason_id: int | None,
) -> None:
    await client.async_deliver(
        request(action, at=AFTER_MIDNIGHT, levels=levels, reason_id=reason_id)
    )

    body = posted(fake)[0]
    assert (body["date"], body["timeOfDayInMinutes"]) == ("2024-12-17", 30)


# ----- the look-up after an uncertain attempt ---------------------------------


@pytest.mark.parametrize("failure", [500, None])
@pytest.mark.parametrize(
    "sent",
    [
        request(Action.CLOCK_OUT, reason_id=REASON),
        activity(),
        activity(person="1955", reference="@badge-number"),
        request(Action.ACTIVITY_START, levels=BY_ID),
        request(Action.ACTIVITY_END),
    ],
    ids=["reason", "activity", "activity-by-badge", "activity-by-id", "end"],
)
async def test_uncertain_retry_of_each_kind_finds_it_and_sends_nothing(
    client: ProtimeClient, fake: FakeProtime, sent: PunchRequest, failure: int | None
) -> None:
    fake.store_then_fail(failure)
    with pytest.raises(TimeClockConnectionError) as err:
        await client.async_deliver(sent)
    assert err.value.ambiguous is True

    await client.async_deliver(replace(sent, uncertain=True))

    assert len(fake.api_requests("POST")) == 1
    assert len(fake.clockings) == 1
    assert fake.duplicates == 0


@pytest.mark.parametrize(
    ("held", "sent"),
    [
        # Another kind at the same minute.
        ({"kind": "InOut"}, request(Action.CLOCK_IN, reason_id=REASON)),
        ({"kind": "Reason", "reason": {"id": REASON}}, request(Action.CLOCK_IN)),
        ({"kind": "ActivityEnd"}, activity()),
        ({"kind": "Activity", "activityLevels": []}, request(Action.ACTIVITY_END)),
        # The same kind with other kind fields.
        (
            {"kind": "Reason", "reason": {"id": 7}},
            request(Action.CLOCK_IN, reason_id=REASON),
        ),
        (
            {
                "kind": "Activity",
                "activityLevels": [{"level": 1, "activityDefinition": {"id": 40}}],
            },
            request(Action.ACTIVITY_START, levels=BY_ID),
        ),
        (
            {
                "kind": "Activity",
                "activityLevels": [coded(1, "00014")],
            },
            activity(),
        ),
        (
            {
                "kind": "Activity",
                "activityLevels": [coded(1, "00014"), coded(2, "10020")],
            },
            activity(),
        ),
        (
            {"kind": "Reason", "reason": "lunch"},
            request(Action.CLOCK_IN, reason_id=REASON),
        ),
        ({"kind": "Activity", "activityLevels": "welding"}, activity()),
    ],
)
async def test_uncertain_lookup_sends_when_only_other_kinds_or_fields_are_held(
    client: ProtimeClient, fake: FakeProtime, held: dict[str, Any], sent: PunchRequest
) -> None:
    kind = held.pop("kind")
    fake.add_clocking(PERSON, "2024-12-17", 500, kind=kind, **held)

    await client.async_deliver(replace(sent, uncertain=True))

    assert len(fake.api_requests("POST")) == 1


@pytest.mark.parametrize(
    "held",
    [
        # Listed by internal id although sent by reference: cannot tell apart.
        [
            {"level": 1, "activityDefinition": {"id": 41}},
            {"level": 2, "activityDefinition": {"id": 42}},
        ],
        # Listed without its levels.
        None,
    ],
)
async def test_uncertain_lookup_takes_a_listing_it_cannot_tell_apart(
    client: ProtimeClient, fake: FakeProtime, held: Any
) -> None:
    extra = {} if held is None else {"activityLevels": held}
    fake.add_clocking(PERSON, "2024-12-17", 500, kind="Activity", **extra)

    await client.async_deliver(activity(uncertain=True))

    assert fake.api_requests("POST") == []


@pytest.mark.parametrize(
    ("date", "minutes", "sent"),
    [
        # 00:30 on the 17th filed by the day program as minute 1470 of the 16th.
        ("2024-12-16", 1470, activity(at=AFTER_MIDNIGHT)),
        ("2024-12-16", 1470, request(Action.ACTIVITY_END, at=AFTER_MIDNIGHT)),
        (
            "2024-12-16",
            1470,
            request(Action.CLOCK_OUT, at=AFTER_MIDNIGHT, reason_id=REASON),
        ),
        # 23:30 on the 16th filed as minute -30 of the 17th.
        ("2024-12-17", -30, activity(at=datetime(2024, 12, 16, 22, 30, tzinfo=UTC))),
    ],
)
async def test_uncertain_lookup_finds_night_clockings_of_each_kind(
    client: ProtimeClient,
    fake: FakeProtime,
    date: str,
    minutes: int,
    sent: PunchRequest,
) -> None:
    fields = kind_fields(sent)
    kind = fields.pop("kind")
    fake.add_clocking(PERSON, date, minutes, kind=kind, **fields)

    await client.async_deliver(replace(sent, uncertain=True))

    assert fake.api_requests("POST") == []
    (lookup,) = fake.api_requests("GET")
    assert lookup.path == f"{API_PATH}/clockings"


# ----- the fake validates each kind as the seed shows it -----------------------


async def _post(fake: FakeProtime, body: dict[str, Any]) -> tuple[int, Any]:
    """Post a raw clocking to the fake with a fresh token."""
    async with aiohttp.ClientSession(headers={"User-Agent": "test"}) as http:
        form = {
            "grant_type": "client_credentials",
            "client_id": fake.client_id,
            "client_secret": fake.client_secret,
            "scope": "connector-protimeapi-clockings.write",
        }
        async with http.post(fake.token_url, data=form) as resp:
            token = (await resp.json())["access_token"]
        async with http.post(
            f"{fake.api_url}/clockings",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
        ) as resp:
            return resp.status, await resp.json(content_type=None)


BASE: dict[str, Any] = {
    "person": {"id": PERSON},
    "date": "2024-12-17",
    "timeOfDayInMinutes": 500,
    "status": "Active",
}
LEVEL = {"level": 1, "activityDefinition": {"id": 41}}


@pytest.mark.parametrize(
    ("body", "wrong"),
    [
        ({"kind": "Reason"}, "reason.id"),
        ({"kind": "Reason", "reason": {"id": "6578"}}, "reason.id"),
        ({"kind": "InOut", "reason": {"id": 1}}, "reason"),
        ({"kind": "ActivityEnd", "reason": {"id": 1}}, "reason"),
        ({"kind": "Activity"}, "activityLevels"),
        ({"kind": "Activity", "activityLevels": []}, "activityLevels"),
        ({"kind": "ActivityEnd", "activityLevels": [LEVEL]}, "activityLevels"),
        (
            {"kind": "Reason", "reason": {"id": 1}, "activityLevels": [LEVEL]},
            "activityLevels",
        ),
        (
            {"kind": "Activity", "activityLevels": [LEVEL, LEVEL]},
            "activityLevels[1].level",
        ),
        (
            {
                "kind": "Activity",
                "activityLevels": [{"level": 0, "activityDefinition": {"id": 1}}],
            },
            "activityLevels[0].level",
        ),
        (
            {"kind": "Activity", "activityLevels": [{"level": 1}]},
            "activityLevels[0].activityDefinition",
        ),
        (
            {
                "kind": "Activity",
                "activityLevels": [
                    {
                        "level": 1,
                        "activityDefinition": {
                            "id": 1,
                            "externalReferences": {"a": "b"},
                        },
                    }
                ],
            },
            "activityLevels[0].activityDefinition",
        ),
        (
            {
                "kind": "Activity",
                "activityLevels": [
                    {"level": 1, "activityDefinition": {"externalReferences": {}}}
                ],
            },
            "activityLevels[0].activityDefinition.externalReferences",
        ),
        ({"kind": "InOut", "timeOfDayInMinutes": 2881}, "timeOfDayInMinutes"),
        ({"kind": "InOut", "timeOfDayInMinutes": -1441}, "timeOfDayInMinutes"),
        ({"kind": "Break"}, "kind"),
    ],
)
async def test_fake_refuses_fields_a_kind_lacks_or_does_not_have(
    fake: FakeProtime, body: dict[str, Any], wrong: str
) -> None:
    status, answer = await _post(fake, {**BASE, **body})

    assert status == 400
    assert wrong in [e["property"] for e in answer["validationErrors"]]
    assert fake.clockings == []


@pytest.mark.parametrize("minutes", [-1440, 2880])
async def test_fake_takes_overnight_minutes_the_seed_allows(
    fake: FakeProtime, minutes: int
) -> None:
    body = {**BASE, "timeOfDayInMinutes": minutes, "kind": "ActivityEnd"}

    status, _answer = await _post(fake, body)

    assert status == 201
    assert fake.clockings[0]["timeOfDayInMinutes"] == minutes
