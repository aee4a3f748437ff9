"""The services of Time Clock: clock_in, clock_out, punch, retry and timesheet."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from homeassistant.const import ATTR_DEVICE_ID, ATTR_ENTITY_ID
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
)
from homeassistant.helpers import (
    config_validation as cv,
)
from homeassistant.helpers.service import async_register_admin_service
from homeassistant.util import dt as dt_util
from homeassistant.util.json import JsonValueType
import voluptuous as vol

from .api import Action
from .const import CONF_DESCRIPTION, CONF_PROJECT_ID, DOMAIN
from .punch import Punch, Source
from .reports import TIMESHEET_SCHEMA, async_handle_timesheet
from .targets import pick_accounts, resolve_employees

if TYPE_CHECKING:
    from .account import TimeClockAccount

SERVICE_CLOCK_IN = "clock_in"
SERVICE_CLOCK_OUT = "clock_out"
SERVICE_PUNCH = "punch"
SERVICE_RETRY = "retry"
SERVICE_TIMESHEET = "timesheet"
SERVICE_START_ACTIVITY = "start_activity"
SERVICE_END_ACTIVITY = "end_activity"
ATTR_REASON = "reason"
ATTR_ACTIVITY = "activity"
ATTR_TIME = "time"
ATTR_ACCOUNT = "account"

MAX_PROJECT_ID = 2**31 - 1


def _whole_number(value: Any) -> int:
    """Return a value as an int; infinity and the like are invalid, not a crash."""
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError) as err:
        raise vol.Invalid("expected a whole number") from err


def _convertible_time(value: datetime) -> datetime:
    """Return a service time that has a UTC equivalent (not at the calendar's ends)."""
    zone = value.tzinfo or dt_util.get_default_time_zone()
    try:
        value.replace(tzinfo=zone).astimezone(UTC)
    except OverflowError as err:
        raise vol.Invalid("time out of range") from err
    return value


PUNCH_SCHEMA = vol.Schema(
    {
        vol.Optional(ATTR_DEVICE_ID): vol.All(cv.ensure_list, [cv.string]),
        vol.Optional(ATTR_ENTITY_ID): cv.comp_entity_ids,
        vol.Optional(ATTR_TIME): vol.All(cv.datetime, _convertible_time),
        vol.Optional(CONF_PROJECT_ID): vol.All(
            _whole_number, vol.Range(min=1, max=MAX_PROJECT_ID)
        ),
        vol.Optional(CONF_DESCRIPTION): vol.All(cv.string, vol.Length(max=500)),
        vol.Optional(ATTR_REASON): vol.All(cv.string, vol.Length(min=1, max=100)),
    }
)
TARGET_SCHEMA: dict[vol.Marker, Any] = {
    vol.Optional(ATTR_DEVICE_ID): vol.All(cv.ensure_list, [cv.string]),
    vol.Optional(ATTR_ENTITY_ID): cv.comp_entity_ids,
    vol.Optional(ATTR_TIME): vol.All(cv.datetime, _convertible_time),
}
START_ACTIVITY_SCHEMA = vol.Schema(
    {
        **TARGET_SCHEMA,
        vol.Required(ATTR_ACTIVITY): vol.All(cv.string, vol.Length(min=1, max=100)),
    }
)
END_ACTIVITY_SCHEMA = vol.Schema(TARGET_SCHEMA)
RETRY_SCHEMA = vol.Schema({vol.Optional(ATTR_ACCOUNT): cv.string})


def _as_aware(value: datetime | None) -> datetime | None:
    """Return a service time as an aware datetime (naive means local time)."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt_util.get_default_time_zone())


def _targets(
    hass: HomeAssistant, call: ServiceCall
) -> list[tuple[TimeClockAccount, str]]:
    """Return the employees a call targets."""
    return resolve_employees(
        hass, call.data.get(ATTR_DEVICE_ID, []), call.data.get(ATTR_ENTITY_ID, [])
    )


def _answer(
    recorded: list[tuple[TimeClockAccount, str, Punch]],
) -> ServiceResponse:
    """Return the recorded punches as the services answer them."""
    punches: list[JsonValueType] = [
        {
            "employee": account.employees[employee_id].name,
            "action": punch.action.value,
            "time": punch.time.isoformat(),
            "reason": punch.reason,
            "activity": punch.activity,
        }
        for account, employee_id, punch in recorded
    ]
    return {"punches": punches}


async def _async_handle_punch(
    hass: HomeAssistant, action: Action | None, call: ServiceCall
) -> ServiceResponse:
    """Punch every targeted employee; check them all before recording any."""
    targets = _targets(hass, call)
    time = _as_aware(call.data.get(ATTR_TIME))
    reason = call.data.get(ATTR_REASON)
    for account, employee_id in targets:
        account.validate_punch(employee_id, action, time, reason=reason)
    recorded = [
        (
            account,
            employee_id,
            await account.async_punch(
                employee_id,
                action,
                source=Source.SERVICE,
                time=time,
                project_id=call.data.get(CONF_PROJECT_ID),
                description=call.data.get(CONF_DESCRIPTION),
                reason=reason,
            ),
        )
        for account, employee_id in targets
    ]
    return _answer(recorded)


async def _async_handle_activity(
    hass: HomeAssistant, start: bool, call: ServiceCall
) -> ServiceResponse:
    """Start or end an activity of every targeted employee; check all first."""
    targets = _targets(hass, call)
    time = _as_aware(call.data.get(ATTR_TIME))
    activity = call.data.get(ATTR_ACTIVITY) if start else None
    for account, employee_id in targets:
        account.validate_activity(employee_id, activity, time)
    recorded = [
        (
            account,
            employee_id,
            await account.async_activity(
                employee_id, activity, source=Source.SERVICE, time=time
            ),
        )
        for account, employee_id in targets
    ]
    return _answer(recorded)


async def _async_handle_retry(hass: HomeAssistant, call: ServiceCall) -> None:
    """Send the outbox of one or every account now, skipping the backoff wait."""
    for account in pick_accounts(hass, call.data.get(ATTR_ACCOUNT)):
        account.retry()


def async_setup_services(hass: HomeAssistant) -> None:
    """Register the services of Time Clock."""
    for service, action in (
        (SERVICE_CLOCK_IN, Action.CLOCK_IN),
        (SERVICE_CLOCK_OUT, Action.CLOCK_OUT),
        (SERVICE_PUNCH, None),
    ):
        hass.services.async_register(
            DOMAIN,
            service,
            partial(_async_handle_punch, hass, action),
            schema=PUNCH_SCHEMA,
            supports_response=SupportsResponse.OPTIONAL,
        )
    for service, start, schema in (
        (SERVICE_START_ACTIVITY, True, START_ACTIVITY_SCHEMA),
        (SERVICE_END_ACTIVITY, False, END_ACTIVITY_SCHEMA),
    ):
        hass.services.async_register(
            DOMAIN,
            service,
            partial(_async_handle_activity, hass, start),
            schema=schema,
            supports_response=SupportsResponse.OPTIONAL,
        )
    async_register_admin_service(
        hass, DOMAIN, SERVICE_RETRY, partial(_async_handle_retry, hass), RETRY_SCHEMA
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_TIMESHEET,
        partial(async_handle_timesheet, hass),
        schema=TIMESHEET_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
