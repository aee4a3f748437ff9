"""End to end: an account and its employees made through the API, at machine speed.

Everything goes through Home Assistant's REST and websocket APIs the way the
frontend drives them, without waiting for anything a client could not see: the
account is created with the config flow, employees are added with the subentry
flow one right after the other (also while the account reloads), then found
through the registries, tapped on the broker and removed.
"""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

from .conftest import record_timing
from .harness import (
    HomeAssistantProcess,
    MqttClient,
    WebSocket,
    async_wait_reader_subscribed,
    tasmota_pn532,
)

DOMAIN = "time_clock"
TOPIC = "time_clock/e2e/workshop"
# What an employee's device carries, by the unique id's suffix.
EMPLOYEE_KEYS = ("on_shift", "clock_in", "clock_out", "worked_today")
APPEAR_TIMEOUT = 15.0


async def _create_account(hass: HomeAssistantProcess, name: str) -> str:
    """Create a local account through the config flow; return its entry id."""
    result = await hass.async_flow(
        "",
        {"handler": DOMAIN, "show_advanced_options": False},
        {"next_step_id": "local"},
        {"name": name},
    )
    assert result["type"] == "create_entry", result
    return str(result["result"]["entry_id"])


async def _add_employee(
    hass: HomeAssistantProcess, entry_id: str, name: str, tag: str
) -> None:
    """Add an employee through the subentry flow, as the UI does."""
    result = await hass.async_flow(
        "subentries/",
        {"handler": [entry_id, "employee"]},
        {"name": name, "tags": [tag]},
    )
    assert result["type"] == "create_entry", result


async def _subentries(hass: HomeAssistantProcess, entry_id: str) -> dict[str, str]:
    """Return the account's employees: title -> subentry id."""
    found = await hass.async_ws_command(
        {"type": "config_entries/subentries/list", "entry_id": entry_id}
    )
    return {item["title"]: item["subentry_id"] for item in found}


async def _registry(hass: HomeAssistantProcess) -> tuple[dict[str, str], set[str]]:
    """Return Time Clock's entities (unique id -> entity id) and devices' identifiers."""
    async with WebSocket(hass) as ws:
        entities = await ws.async_command({"type": "config/entity_registry/list"})
        devices = await ws.async_command({"type": "config/device_registry/list"})
    return (
        {e["unique_id"]: e["entity_id"] for e in entities if e["platform"] == DOMAIN},
        {
            value
            for device in devices
            for domain, value in device["identifiers"]
            if domain == DOMAIN
        },
    )


async def _wait_employees(
    hass: HomeAssistantProcess, entry_id: str, names: list[str]
) -> dict[str, dict[str, str]]:
    """Wait until every named employee has a device and its entities with states.

    Return name -> (key -> entity id). Fails when one is still missing after
    ``APPEAR_TIMEOUT`` seconds (before the fix they never appeared).
    """
    deadline = time.monotonic() + APPEAR_TIMEOUT
    while True:
        ids = await _subentries(hass, entry_id)
        entities, devices = await _registry(hass)
        found: dict[str, dict[str, str]] = {}
        for name in names:
            sub = ids.get(name)
            keys = {key: entities.get(f"{sub}_{key}") for key in EMPLOYEE_KEYS}
            if sub in devices and all(keys.values()):
                found[name] = {key: str(value) for key, value in keys.items()}
        if len(found) == len(names):
            for name, keys in found.items():
                state = await hass.async_state(keys["on_shift"])
                assert state["state"] == "off", (name, state)
            return found
        if time.monotonic() > deadline:
            missing = sorted(set(names) - set(found))
            raise hass.fail(f"employees without a device or entities: {missing}")
        await asyncio.sleep(0.05)


def _time_clock_errors(hass: HomeAssistantProcess) -> list[str]:
    """Return the log lines of errors or tracebacks that concern Time Clock."""
    text = hass.output.read_text(encoding="utf-8", errors="replace")
    blocks = re.split(r"\n(?=\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)", text)
    return [
        block
        for block in blocks
        if ("ERROR" in block or "Traceback" in block)
        and ("time_clock" in block or "Time Clock" in block)
    ]


async def test_account_and_employees_made_through_the_api(
    home_assistant: HomeAssistantProcess, mqtt: MqttClient
) -> None:
    """Employees added right after the account, in bursts and during a reload all appear."""
    hass = home_assistant
    started = time.monotonic()
    entry_id = await _create_account(hass, "Workshop")
    # One employee at once, then two and twenty in a row, never waiting.
    names = ["Employee 00"]
    await _add_employee(hass, entry_id, names[0], "E2E10000")
    for count in (2, 20):
        batch = [f"Employee {len(names) + i:02d}" for i in range(count)]
        for name in batch:
            await _add_employee(hass, entry_id, name, f"E2E1{int(name[-2:]):04d}")
        names += batch
    added = time.monotonic() - started
    await _wait_employees(hass, entry_id, names)
    record_timing(
        "23 employees added over the flow API, then all present",
        f"{added:.2f} s to add, {time.monotonic() - started:.2f} s until present",
    )

    # A reader (the options change reloads the account), and one more employee
    # added while that reload runs.
    result = await hass.async_flow(
        "options/",
        {"handler": entry_id},
        {"next_step_id": "add_reader"},
        {"name": "Workshop door", "topic": TOPIC, "role": "toggle"},
    )
    assert result["type"] == "create_entry", result
    reload = asyncio.create_task(
        hass.async_rest("POST", f"/api/config/config_entries/entry/{entry_id}/reload")
    )
    await _add_employee(hass, entry_id, "Employee 23", "E2E10023")
    await reload
    names.append("Employee 23")
    employees = await _wait_employees(hass, entry_id, names)

    # Every employee punches with their badge.
    await async_wait_reader_subscribed(hass, mqtt, TOPIC)
    for name in names:
        mqtt.publish(TOPIC, tasmota_pn532(f"E2E1{int(name[-2:]):04d}"))
    for name in names:
        unique = next(
            uid
            for uid, eid in (await _registry(hass))[0].items()
            if eid == employees[name]["on_shift"]
        )
        await hass.async_wait_state(unique, "on")

    # A removal takes the device and entities away; the others stay.
    gone = (await _subentries(hass, entry_id))["Employee 05"]
    await hass.async_ws_command(
        {
            "type": "config_entries/subentries/delete",
            "entry_id": entry_id,
            "subentry_id": gone,
        }
    )
    deadline = time.monotonic() + APPEAR_TIMEOUT
    while True:
        entities, devices = await _registry(hass)
        if gone not in devices and not any(u.startswith(gone) for u in entities):
            break
        if time.monotonic() > deadline:
            raise hass.fail("the removed employee's device or entities stayed")
        await asyncio.sleep(0.05)
    assert "Employee 06" in await _subentries(hass, entry_id)
    state = await hass.async_state(employees["Employee 06"]["on_shift"])
    assert state["state"] == "on"

    assert _time_clock_errors(hass) == []


async def test_one_employee_right_after_the_account(
    home_assistant: HomeAssistantProcess,
) -> None:
    """The first employee added the moment the account exists gets its device."""
    entry_id = await _create_account(home_assistant, "Front office")
    await _add_employee(home_assistant, entry_id, "Maria Lopez", "0A0B0C0D")
    employees = await _wait_employees(home_assistant, entry_id, ["Maria Lopez"])
    button: Any = employees["Maria Lopez"]["clock_in"]
    await home_assistant.async_call_service("button", "press", {"entity_id": button})
    deadline = time.monotonic() + APPEAR_TIMEOUT
    while (await home_assistant.async_state(employees["Maria Lopez"]["on_shift"]))[
        "state"
    ] != "on":
        if time.monotonic() > deadline:
            raise home_assistant.fail("Maria is not on shift after her button")
        await asyncio.sleep(0.05)
    assert _time_clock_errors(home_assistant) == []
