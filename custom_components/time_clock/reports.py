"""Timesheets for users and the card: the service, its answer and its CSV file."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util
import voluptuous as vol

from .errors import failure, refusal
from .storage import RETENTION
from .targets import pick_accounts, resolve_employees
from .timesheet import Day, RecordedPunch, as_csv, timesheet

if TYPE_CHECKING:
    from .account import TimeClockAccount

ATTR_START = "start"
ATTR_END = "end"
ATTR_ACCOUNT = "account"
ATTR_EMPLOYEES = "employees"
ATTR_CSV_PATH = "csv_path"
# How far before a timesheet's first day a shift open at its start may have begun.
OPEN_SHIFT_LOOKBACK = timedelta(days=2)
# The longest timesheet asked for at once.
MAX_TIMESHEET_DAYS = 366

TIMESHEET_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_START): cv.date,
        vol.Required(ATTR_END): cv.date,
        vol.Optional(ATTR_ACCOUNT): cv.string,
        vol.Optional(ATTR_EMPLOYEES): vol.All(cv.ensure_list, [cv.string]),
        vol.Optional(ATTR_CSV_PATH): vol.All(cv.string, vol.Length(min=1, max=255)),
    }
)

type Sheet = tuple[TimeClockAccount, str, list[Day]]


async def async_timesheets(
    hass: HomeAssistant,
    *,
    start: date,
    end: date,
    entry_id: str | None = None,
    employee_ids: list[str] | None = None,
) -> list[Sheet]:
    """Return the days of the employees asked for: (account, employee id, days)."""
    if end < start:
        raise refusal("timesheet_bad_range", start=str(start), end=str(end))
    if (end - start).days >= MAX_TIMESHEET_DAYS:
        raise refusal("timesheet_too_long", days=str(MAX_TIMESHEET_DAYS))
    accounts = pick_accounts(hass, entry_id)
    if employee_ids is not None:
        known = {key for account in accounts for key in account.employees}
        if unknown := [key for key in employee_ids if key not in known]:
            raise refusal("unknown_employee", target=unknown[0])
    sheets: list[Sheet] = []
    for account in accounts:
        days = await _async_account_days(account, start, end, employee_ids)
        sheets.extend((account, key, found) for key, found in days.items())
    return sheets


async def _async_account_days(
    account: TimeClockAccount, start: date, end: date, employee_ids: list[str] | None
) -> dict[str, list[Day]]:
    """Return the days of an account's employees (or of some) from its record.

    A shift already open at ``start`` is seen if it began within
    ``OPEN_SHIFT_LOOKBACK`` before.
    """
    zone = dt_util.get_default_time_zone()
    since = dt_util.as_utc(
        datetime.combine(start, datetime.min.time(), tzinfo=zone) - OPEN_SHIFT_LOOKBACK
    )
    wanted = account.employees if employee_ids is None else set(employee_ids)
    recorded = [
        RecordedPunch(punch=punch, delivered=delivered)
        for punch, delivered in await account.async_read_record(since)
    ]
    return timesheet(
        recorded,
        {key: e.name for key, e in account.employees.items() if key in wanted},
        start=start,
        end=end,
        zone=zone,
        now=dt_util.utcnow(),
    )


def timesheet_answer(start: date, end: date, sheets: list[Sheet]) -> dict[str, Any]:
    """Return timesheets as the service and the websocket command answer them."""
    today = dt_util.now().date()
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "time_zone": str(dt_util.get_default_time_zone()),
        "retention_days": RETENTION.days,
        "earliest": (today - RETENTION).isoformat(),
        "employees": [
            {
                "employee_id": key,
                "name": account.employees[key].name,
                "entry_id": account.entry.entry_id,
                "total_seconds": round(sum(d.worked.total_seconds() for d in days)),
                "days": [day.as_dict() for day in days],
            }
            for account, key, days in sheets
        ],
    }


def csv_path(hass: HomeAssistant, raw: str) -> Path:
    """Return where a CSV may be written: inside the configuration folder only."""
    config = Path(hass.config.config_dir).resolve()
    path = (config / raw).resolve()
    if (
        not path.is_relative_to(config)
        or path == config
        or path.is_relative_to(config / ".storage")
    ):
        raise refusal("csv_path_outside_config", path=raw)
    return path


def _write(path: Path, text: str) -> None:
    """Write a CSV file (in the executor)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


async def async_handle_timesheet(
    hass: HomeAssistant, call: ServiceCall
) -> ServiceResponse:
    """Answer a timesheet, and write it as CSV when a path is given."""
    path = csv_path(hass, raw) if (raw := call.data.get(ATTR_CSV_PATH)) else None
    employee_ids = None
    if devices := call.data.get(ATTR_EMPLOYEES):
        employee_ids = [key for _account, key in resolve_employees(hass, devices)]
    start, end = call.data[ATTR_START], call.data[ATTR_END]
    sheets = await async_timesheets(
        hass,
        start=start,
        end=end,
        entry_id=call.data.get(ATTR_ACCOUNT),
        employee_ids=employee_ids,
    )
    answer = timesheet_answer(start, end, sheets)
    if path is not None:
        rows = [
            (account.employees[key].name, day)
            for account, key, days in sheets
            for day in days
        ]
        text = as_csv(rows, dt_util.get_default_time_zone())
        try:
            await hass.async_add_executor_job(_write, path, text)
        except OSError as err:
            raise failure("csv_not_written", path=str(path), error=str(err)) from err
        answer["csv_path"] = str(path)
    return answer
