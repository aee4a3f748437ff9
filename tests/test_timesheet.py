"""Timesheets: the pure computation, the service (with CSV) and the websocket command."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.time_clock.api import Action
from custom_components.time_clock.const import DOMAIN
from custom_components.time_clock.punch import Punch, Source
from custom_components.time_clock.timesheet import RecordedPunch, employee_days

from .conftest import ENTRY_ID, JANE, JOHN, call_punch, device_id

WARSAW = ZoneInfo("Europe/Warsaw")
MONDAY = date(2026, 11, 30)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    """Return a Warsaw wall-clock time."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=WARSAW)


def _punches(*moves: tuple[str, datetime]) -> list[RecordedPunch]:
    """Return recorded punches of one employee."""
    return [
        RecordedPunch(
            punch=Punch(
                seq=seq,
                punch_id=f"p{seq}",
                employee_id=JOHN,
                action=Action(action),
                time=when,
                source=Source.READER,
                reader="Front door",
            ),
            delivered=True,
        )
        for seq, (action, when) in enumerate(moves, start=1)
    ]


def test_two_shifts_in_one_day() -> None:
    """Morning and afternoon: first in, last out, worked time of both."""
    days = employee_days(
        _punches(
            ("clock_in", _at(MONDAY, 8)),
            ("clock_out", _at(MONDAY, 12)),
            ("clock_in", _at(MONDAY, 12, 30)),
            ("clock_out", _at(MONDAY, 16, 45)),
        ),
        start=MONDAY,
        end=MONDAY,
        zone=WARSAW,
        now=_at(MONDAY, 20),
    )
    (day,) = days
    assert day.first_in == _at(MONDAY, 8)
    assert day.last_out == _at(MONDAY, 16, 45)
    assert day.worked == timedelta(hours=8, minutes=15)
    assert not day.open
    assert len(day.punches) == 4


def test_shift_over_midnight_counts_on_both_days() -> None:
    """A night shift 22:00-06:00 is 2 h on the first day and 6 h on the next."""
    tuesday = MONDAY + timedelta(days=1)
    days = employee_days(
        _punches(("clock_in", _at(MONDAY, 22)), ("clock_out", _at(tuesday, 6))),
        start=MONDAY,
        end=tuesday,
        zone=WARSAW,
        now=_at(tuesday, 12),
    )
    assert [d.worked for d in days] == [timedelta(hours=2), timedelta(hours=6)]
    assert (days[0].first_in, days[0].last_out) == (_at(MONDAY, 22), None)
    assert (days[1].first_in, days[1].last_out) == (None, _at(tuesday, 6))


def test_open_shift_counts_up_to_now() -> None:
    """A shift still running counts until now and is marked open."""
    days = employee_days(
        _punches(("clock_in", _at(MONDAY, 9))),
        start=MONDAY,
        end=MONDAY + timedelta(days=1),
        zone=WARSAW,
        now=_at(MONDAY, 11, 30),
    )
    assert days[0].worked == timedelta(hours=2, minutes=30)
    assert days[0].open
    assert days[1].worked == timedelta()
    assert not days[1].open


def test_shift_open_before_the_range_is_counted() -> None:
    """A clock-in before the first day still counts from that day's midnight."""
    days = employee_days(
        _punches(
            ("clock_in", _at(MONDAY - timedelta(days=1), 20)),
            ("clock_out", _at(MONDAY, 4)),
        ),
        start=MONDAY,
        end=MONDAY,
        zone=WARSAW,
        now=_at(MONDAY, 12),
    )
    assert days[0].worked == timedelta(hours=4)
    assert days[0].first_in is None
    assert [p.punch.action for p in days[0].punches] == [Action.CLOCK_OUT]


def test_employee_without_punches_has_empty_days() -> None:
    """No punches: a zero day for every date of the range."""
    days = employee_days(
        [],
        start=MONDAY,
        end=MONDAY + timedelta(days=6),
        zone=WARSAW,
        now=_at(MONDAY, 1),
    )
    assert [d.day for d in days] == [MONDAY + timedelta(days=i) for i in range(7)]
    assert all(d.worked == timedelta() and not d.punches for d in days)


# Through Home Assistant -------------------------------------------------------


@pytest.fixture
async def week(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> MockConfigEntry:
    """John works Monday (two shifts) and a night into Tuesday; Jane never comes."""
    freezer.move_to(_at(MONDAY + timedelta(days=1), 12))
    tuesday = MONDAY + timedelta(days=1)
    for action, when in (
        ("clock_in", _at(MONDAY, 8)),
        ("clock_out", _at(MONDAY, 12)),
        ("clock_in", _at(MONDAY, 22)),
        ("clock_out", _at(tuesday, 6)),
        ("clock_in", _at(tuesday, 10)),
    ):
        await call_punch(hass, action, JOHN, when=when)
    await hass.async_block_till_done()
    return init_integration


async def _timesheet(hass: HomeAssistant, **data: Any) -> Any:
    """Call the timesheet service and return its answer."""
    return await hass.services.async_call(
        DOMAIN, "timesheet", data, blocking=True, return_response=True
    )


async def test_timesheet_service_answers_per_employee_and_day(
    hass: HomeAssistant, week: MockConfigEntry
) -> None:
    """The service answers every employee's days, an open shift counted up to now."""
    answer = await _timesheet(hass, start="2026-11-30", end="2026-12-01")
    assert answer["retention_days"] == 62
    assert answer["time_zone"] == "Europe/Warsaw"
    by_name = {e["name"]: e for e in answer["employees"]}
    john = by_name["John White"]
    assert [d["worked_seconds"] for d in john["days"]] == [6 * 3600, 8 * 3600]
    assert john["days"][1]["open"] is True
    assert john["days"][0]["first_in"] == _at(MONDAY, 8).isoformat()
    assert [p["action"] for p in john["days"][0]["punches"]] == [
        "clock_in",
        "clock_out",
        "clock_in",
    ]
    assert all(p["delivered"] for d in john["days"] for p in d["punches"])
    assert john["total_seconds"] == 14 * 3600
    jane = by_name["Jane Doe"]
    assert [d["worked_seconds"] for d in jane["days"]] == [0, 0]


async def test_timesheet_of_some_employees_as_csv(
    hass: HomeAssistant, week: MockConfigEntry
) -> None:
    """Employees chosen by device; the CSV lands in the configuration folder."""
    answer = await _timesheet(
        hass,
        start="2026-11-30",
        end="2026-11-30",
        employees=[device_id(hass, ENTRY_ID, JOHN)],
        csv_path="timesheets/week.csv",
    )
    assert [e["name"] for e in answer["employees"]] == ["John White"]
    path = Path(hass.config.path("timesheets/week.csv"))
    assert answer["csv_path"] == str(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "employee,date,first_in,last_out,worked_hours,open,punches"
    assert lines[1].startswith("John White,2026-11-30,08:00:00,12:00:00,6.00,no,")


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"start": "2026-12-02", "end": "2026-12-01"}, "timesheet_bad_range"),
        ({"start": "2024-01-01", "end": "2026-12-01"}, "timesheet_too_long"),
        (
            {"start": "2026-11-30", "end": "2026-12-01", "csv_path": "../escape.csv"},
            "csv_path_outside_config",
        ),
        (
            {"start": "2026-11-30", "end": "2026-12-01", "csv_path": "/tmp/x.csv"},  # noqa: S108
            "csv_path_outside_config",
        ),
        (
            {"start": "2026-11-30", "end": "2026-12-01", "csv_path": ".storage/x"},
            "csv_path_outside_config",
        ),
        (
            {"start": "2026-11-30", "end": "2026-12-01", "account": "nope"},
            "unknown_account",
        ),
        (
            {"start": "2026-11-30", "end": "2026-12-01", "employees": ["nope"]},
            "unknown_employee",
        ),
    ],
)
async def test_timesheet_refuses_bad_calls(
    hass: HomeAssistant, week: MockConfigEntry, data: dict[str, Any], key: str
) -> None:
    """A bad range, a path outside the configuration folder, an unknown target."""
    with pytest.raises(ServiceValidationError) as err:
        await _timesheet(hass, **data)
    assert err.value.translation_key == key
    assert not Path(hass.config.path("../escape.csv")).exists()


async def test_websocket_timesheet_and_accounts(
    hass: HomeAssistant, week: MockConfigEntry, hass_ws_client: Any
) -> None:
    """The card's commands: the accounts with entities, and a week's timesheet."""
    client = await hass_ws_client(hass)
    await client.send_json({"id": 1, "type": "time_clock/accounts"})
    answer = await client.receive_json()
    assert answer["success"], answer
    (account,) = answer["result"]["accounts"]
    assert account["entry_id"] == ENTRY_ID
    assert account["status"]["pending"] == 0
    assert set(account["entities"]) == {
        "pending_punches",
        "failed_punches",
        "backend_reachable",
        "last_delivery",
    }
    employees = {e["employee_id"]: e for e in account["employees"]}
    assert employees[JOHN]["device_id"] == device_id(hass, ENTRY_ID, JOHN)
    assert employees[JOHN]["entities"]["on_shift"].startswith("binary_sensor.")

    await client.send_json(
        {
            "id": 2,
            "type": "time_clock/timesheet",
            "start": "2026-11-30",
            "end": "2026-12-06",
            "employees": [JANE],
        }
    )
    answer = await client.receive_json()
    assert answer["success"], answer
    assert [e["employee_id"] for e in answer["result"]["employees"]] == [JANE]
    assert len(answer["result"]["employees"][0]["days"]) == 7

    await client.send_json(
        {
            "id": 3,
            "type": "time_clock/timesheet",
            "start": "2026-12-06",
            "end": "2026-11-30",
        }
    )
    answer = await client.receive_json()
    assert not answer["success"]
    assert answer["error"]["translation_key"] == "timesheet_bad_range"
