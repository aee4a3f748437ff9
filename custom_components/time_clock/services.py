"""The services of Time Clock: clock_in, clock_out, punch, retry and timesheet."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from typing import Any

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
from .punch import Source
from .reports import TIMESHEET_SCHEMA, async_handle_timesheet
from .targets import pick_accounts, resolve_employees

SERVICE_CLOCK_IN = "clock_in"
SERVICE_CLOCK_OUT = "clock_out"
SERVICE_PUNCH = "punch"
SERVICE_RETRY = "retry"
SERVICE_TIMESHEET = "timesheet"
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
    }
)
RETRY_SCHEMA = vol.Schema({vol.Optional(ATTR_ACCOUNT): cv.string})


def _as_aware(value: datetime | None) -> datetime | None:
    """Return a service time as an aware datetime (naive means local time)."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt_util.get_default_time_zone())


async def _async_handle_punch(
    hass: HomeAssistant, action: Action | None, call: ServiceCall
) -> ServiceResponse:
    """Punch every targeted employee; check them all before recording any."""
    targets = resolve_employees(
        hass, call.data.get(ATTR_DEVICE_ID, []), call.data.get(ATTR_ENTITY_ID, [])
    )
    time = _as_aware(call.data.get(ATTR_TIME))
    for account, employee_id in targets:
        account.validate_punch(employee_id, action, time)
    punches: list[JsonValueType] = []
    for account, employee_id in targets:
        punch = await account.async_punch(
            employee_id,
            action,
            source=Source.SERVICE,
            time=time,
            project_id=call.data.get(CONF_PROJECT_ID),
            description=call.data.get(CONF_DESCRIPTION),
        )
        punches.append(
            {
                "employee": account.employees[employee_id].name,
                "action": punch.action.value,
                "time": punch.time.isoformat(),
            }
        )
    return {"punches": punches}


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
