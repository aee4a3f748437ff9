"""Tests of the clock_in, clock_out, punch and retry services."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.auth.models import User
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError, Unauthorized
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.time_clock.const import DOMAIN

from .conftest import ENTRY_ID, JANE, JOHN, call_punch, device_id, entity_id


def on_shift(hass: HomeAssistant, employee_id: str) -> str:
    """Return the on-shift state of an employee."""
    return hass.states.get(
        entity_id(hass, "binary_sensor", f"{employee_id}_on_shift")
    ).state


async def test_clock_in_and_out_by_device(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """clock_in and clock_out target the employee's device and change the state."""
    events = async_capture_events(hass, "time_clock_punch")
    target = {"device_id": device_id(hass, ENTRY_ID, JOHN)}
    response = await hass.services.async_call(
        DOMAIN, "clock_in", target, blocking=True, return_response=True
    )
    assert response["punches"][0]["action"] == "clock_in"
    assert on_shift(hass, JOHN) == "on"
    await hass.services.async_call(DOMAIN, "clock_out", target, blocking=True)
    assert on_shift(hass, JOHN) == "off"
    await hass.async_block_till_done()
    recorded = [e.data for e in events if not e.data["delivered"]]
    assert [(e["employee"], e["action"], e["source"]) for e in recorded] == [
        ("John White", "clock_in", "service"),
        ("John White", "clock_out", "service"),
    ]
    delivered = [e.data for e in events if e.data["delivered"]]
    assert len(delivered) == 2


async def test_punch_toggles(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """punch clocks in when off shift and out when on shift."""
    first = await call_punch(hass, "punch", JANE)
    second = await call_punch(hass, "punch", JANE)
    assert [first["punches"][0]["action"], second["punches"][0]["action"]] == [
        "clock_in",
        "clock_out",
    ]
    assert on_shift(hass, JANE) == "off"


async def test_punch_several_employees(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """One call may target several employees."""
    await hass.services.async_call(
        DOMAIN,
        "clock_in",
        {
            "device_id": [
                device_id(hass, ENTRY_ID, JOHN),
                device_id(hass, ENTRY_ID, JANE),
            ]
        },
        blocking=True,
    )
    assert on_shift(hass, JOHN) == on_shift(hass, JANE) == "on"


async def test_time_project_and_description_are_kept(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A past time (naive means local) and project data are stored with the punch."""
    await hass.services.async_call(
        DOMAIN,
        "clock_in",
        {
            "entity_id": entity_id(hass, "binary_sensor", f"{JOHN}_on_shift"),
            "time": "2020-01-01 08:30:00",
            "project_id": 7,
            "description": "Night shift",
        },
        blocking=True,
    )
    punch = init_integration.runtime_data.account.state(JOHN)
    assert punch.since == dt_util.as_utc(
        dt_util.parse_datetime("2020-01-01T08:30:00+01:00")
    )
    await hass.async_block_till_done()


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"device_id": "nonexistent"}, "unknown_employee"),
        ({"entity_id": "sensor.nonexistent"}, "unknown_employee"),
        ({}, "unknown_employee"),
    ],
)
async def test_unknown_employee(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    data: dict[str, Any],
    key: str,
) -> None:
    """A target that is no employee is a translated validation error."""
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(DOMAIN, "clock_in", data, blocking=True)
    assert err.value.translation_key == key
    assert err.value.translation_domain == DOMAIN


async def test_account_device_is_not_an_employee(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The account's own device is refused."""
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "clock_in",
            {"device_id": device_id(hass, ENTRY_ID, ENTRY_ID)},
            blocking=True,
        )
    assert err.value.translation_key == "unknown_employee"


async def test_validation_errors_change_nothing(
    hass: HomeAssistant, init_integration: MockConfigEntry, hass_storage: dict[str, Any]
) -> None:
    """Future times, times before the last punch and no-op punches are refused."""
    now = dt_util.utcnow()
    with pytest.raises(ServiceValidationError) as err:
        await call_punch(hass, "clock_in", JOHN, when=now + timedelta(minutes=10))
    assert err.value.translation_key == "time_in_future"
    await call_punch(hass, "clock_in", JOHN, when=now - timedelta(hours=1))
    stored = dict(hass_storage)
    with pytest.raises(ServiceValidationError) as err:
        await call_punch(hass, "clock_out", JOHN, when=now - timedelta(hours=2))
    assert err.value.translation_key == "time_before_last_punch"
    with pytest.raises(ServiceValidationError) as err:
        await call_punch(hass, "clock_in", JOHN)
    assert err.value.translation_key == "already_on_shift"
    with pytest.raises(ServiceValidationError) as err:
        await call_punch(hass, "clock_out", JANE)
    assert err.value.translation_key == "not_on_shift"
    assert dict(hass_storage) == stored
    assert on_shift(hass, JOHN) == "on"
    await hass.async_block_till_done()


async def test_a_bad_target_among_good_ones_changes_nothing(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Every target is checked before any punch is recorded."""
    await call_punch(hass, "clock_in", JANE)
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            DOMAIN,
            "clock_in",
            {
                "device_id": [
                    device_id(hass, ENTRY_ID, JOHN),
                    device_id(hass, ENTRY_ID, JANE),
                ]
            },
            blocking=True,
        )
    assert on_shift(hass, JOHN) == "off"
    await hass.async_block_till_done()


async def test_future_time_within_tolerance_is_accepted(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A clock a little ahead (under five minutes) is fine."""
    await call_punch(
        hass, "clock_in", JOHN, when=dt_util.utcnow() + timedelta(minutes=2)
    )
    assert on_shift(hass, JOHN) == "on"
    await hass.async_block_till_done()


async def test_retry_unknown_account(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Retrying an account that does not exist is a validation error."""
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, "retry", {"account": "nope"}, blocking=True
        )
    assert err.value.translation_key == "unknown_account"


async def test_retry_is_admin_only(
    hass: HomeAssistant, init_integration: MockConfigEntry, hass_read_only_user: User
) -> None:
    """A non-admin user may not call retry."""
    from homeassistant.core import Context

    with pytest.raises(Unauthorized):
        await hass.services.async_call(
            DOMAIN,
            "retry",
            {},
            blocking=True,
            context=Context(user_id=hass_read_only_user.id),
        )


async def test_bad_fields_are_refused(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Malformed service data never reaches the account."""
    import voluptuous as vol

    target = {"entity_id": entity_id(hass, "binary_sensor", f"{JOHN}_on_shift")}
    for bad in (
        {"time": "not a time"},
        {"project_id": -3},
        {"description": "x" * 501},
        {"extra": 1},
    ):
        with pytest.raises(vol.Invalid):
            await hass.services.async_call(
                DOMAIN, "clock_in", {**target, **bad}, blocking=True
            )
    assert on_shift(hass, JOHN) == "off"


async def test_button_presses(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The buttons clock in and out; a second clock-in is refused."""
    clock_in = entity_id(hass, "button", f"{JOHN}_clock_in")
    clock_out = entity_id(hass, "button", f"{JOHN}_clock_out")
    await hass.services.async_call(
        "button", "press", {"entity_id": clock_in}, blocking=True
    )
    assert on_shift(hass, JOHN) == "on"
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            "button", "press", {"entity_id": clock_in}, blocking=True
        )
    freezer.tick(timedelta(hours=2))
    await hass.services.async_call(
        "button", "press", {"entity_id": clock_out}, blocking=True
    )
    assert on_shift(hass, JOHN) == "off"
    state = hass.states.get(entity_id(hass, "binary_sensor", f"{JOHN}_on_shift"))
    assert state.attributes["last_source"] == "button"
    await hass.async_block_till_done()
