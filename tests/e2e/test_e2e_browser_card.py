"""In Chromium: the Time Clock card on a real dashboard of a real Home Assistant.

frontend/browser/card.mjs logs in, creates a dashboard holding the card through the
websocket API, taps an employee's tile and confirms; the punch must reach Calamari.
A punch that Home Assistant refuses must show Home Assistant's message on the tile.
With TIME_CLOCK_UPDATE_DOCS=1 the screenshots (kiosk, admin, editor; light and dark)
are also written to docs/ for the README.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
import os
from typing import Any

import pytest

from .browser import async_run_script, screen_problems
from .conftest import JANE_EMAIL, JOHN_EMAIL, record_timing
from .harness import (
    REPO,
    Account,
    Employee,
    HomeAssistantProcess,
    TimedFakeCalamari,
    async_wait_until,
)

pytestmark = pytest.mark.browser

DOCS = REPO / "docs"
# The longest task the browser may run while the card renders 200 employees.
LONG_TASK_LIMIT_MS = 50.0


def docs_env() -> dict[str, str]:
    """Return the environment that also writes the screenshots to docs/, when asked."""
    return {"DOCS": str(DOCS)} if os.environ.get("TIME_CLOCK_UPDATE_DOCS") else {}


def today() -> str:
    """Return today's date in Home Assistant's time zone (UTC), as Calamari gets it."""
    return datetime.now(UTC).date().isoformat()


async def device_of(hass: HomeAssistantProcess, unique: str) -> str:
    """Return the device id of the entity with a unique id."""
    entity_id = await hass.async_entity_id(unique)
    entries = await hass.async_ws_command({"type": "config/entity_registry/list"})
    return str(next(e["device_id"] for e in entries if e["entity_id"] == entity_id))


async def seed_week(hass: HomeAssistantProcess, device_id: str) -> float:
    """Give Jane 8.5 h on each past day of this week; return her hours so far."""
    now = datetime.now(UTC)
    monday = now.date() - timedelta(days=now.weekday())
    hours = 0.0
    for offset in range(now.weekday()):
        day = monday + timedelta(days=offset)
        for service, at in (("clock_in", "08:00:00"), ("clock_out", "16:30:00")):
            await hass.async_call_service(
                "time_clock",
                service,
                {"device_id": device_id, "time": f"{day.isoformat()} {at}"},
            )
        hours += 8.5
    return hours


def assert_clean(report: dict[str, Any]) -> None:
    """Fail on a failed step, a raw key or a text the card should have shown."""
    problems = screen_problems(report)
    assert not problems, "\n".join(problems)


async def test_card_punches_at_calamari_and_shows_refusals(
    browser_tools: None,
    home_assistant: HomeAssistantProcess,
    calamari: TimedFakeCalamari,
    unique_id: Callable[..., str],
) -> None:
    """A tap and a confirmation clock John in at Calamari; a refusal is shown on Jane's tile."""
    jane_device = await device_of(home_assistant, unique_id("on_shift", "Jane Doe"))
    worked = await seed_week(home_assistant, jane_device)
    report = await async_run_script(
        "card.mjs",
        home_assistant,
        {
            "CARD_STEPS": "dashboard,kiosk,punch,fail,admin,editor",
            "EMPLOYEES": "John White,Jane Doe",
            "PUNCH_EMPLOYEE": "John White",
            "FAIL_EMPLOYEE": "Jane Doe",
            **docs_env(),
        },
    )
    assert_clean(report)
    facts = report["facts"]
    assert facts["punch_question"] == "Clock in John White?"
    assert facts["punch_result"].startswith("Clocked in at ")
    await home_assistant.async_wait_state(unique_id("on_shift", "John White"), "on")
    johns = lambda: [  # noqa: E731
        (p.endpoint, p.person) for p in calamari.accepted if p.person == JOHN_EMAIL
    ]
    await async_wait_until(johns, "the punch at Calamari")
    assert johns() == [("clock-in", JOHN_EMAIL)]

    # Home Assistant refused the punch aimed elsewhere: its words are on the tile.
    assert facts["fail_question"] == "Clock in Jane Doe?"
    assert facts["fail_result"].startswith("Not recorded: ")
    assert "Calamari E2E is not a Time Clock employee" in facts["fail_result"]
    jane = await home_assistant.async_state(
        await home_assistant.async_entity_id(unique_id("on_shift", "Jane Doe"))
    )
    assert jane["state"] == "off"
    assert JANE_EMAIL not in [p.person for p in calamari.accepted if p.time >= today()]

    # Calamari no longer knows John: his clock-out is refused there, and the
    # backend's words reach his tile.
    calamari.persons = [p for p in calamari.persons if p.email != JOHN_EMAIL]
    rejected = await async_run_script(
        "card.mjs",
        home_assistant,
        {"CARD_STEPS": "reject,admin", "REJECT_EMPLOYEE": "John White", **docs_env()},
    )
    assert_clean(rejected)
    assert rejected["facts"]["reject_question"] == "Clock out John White?"
    assert "INVALID_EMPLOYEE" in rejected["facts"]["reject_note"]
    admin = "\n".join(rejected["screens"][-1]["texts"])
    assert f"{worked:g} h" in admin, admin

    dark = await async_run_script(
        "card.mjs",
        home_assistant,
        {
            "CARD_STEPS": "kiosk,admin,editor",
            "EMPLOYEES": "John White,Jane Doe",
            "COLOR_SCHEME": "dark",
            **docs_env(),
        },
    )
    assert_clean(dark)


class TestTwoHundredEmployees:
    """The kiosk renders 200 employees without a long task of the browser."""

    @pytest.fixture
    def account(self, calamari: TimedFakeCalamari) -> Account:
        """Return a Calamari account with 200 employees."""
        employees = [
            Employee(f"Employee {n:03d}", f"e{n:03d}@example.com", [f"A0{n:06X}"])
            for n in range(200)
        ]
        return Account(
            title="Calamari E2E",
            data={
                "backend": "calamari",
                "api_url": calamari.url,
                "api_key": calamari.api_key,
            },
            options={
                "readers": [
                    {
                        "name": "Front door",
                        "topic": "tele/frontdoor/SENSOR",
                        "role": "toggle",
                        "template": "",
                        "feedback_topic": "",
                    }
                ],
                "debounce": 3,
                "tag_scanned": True,
                "auto_clock_out_hours": 0,
            },
            employees=employees,
        )

    async def test_200_tiles_render_without_a_long_task(
        self, browser_tools: None, home_assistant: HomeAssistantProcess
    ) -> None:
        """Mounting the card with 200 employees runs no browser task over 50 ms."""
        report = await async_run_script(
            "card.mjs",
            home_assistant,
            {"CARD_STEPS": "dashboard,perf", "EXPECTED_TILES": "200"},
        )
        assert_clean(report)
        perf = report["facts"]["perf"]
        longest = max(perf["long_tasks_ms"], default=0.0)
        record_timing(
            "card with 200 employees",
            f"rendered in {perf['rendered_ms']:.0f} ms, one state change re-rendered in "
            f"{perf['update_ms']:.0f} ms, long tasks {perf['long_tasks_ms']} "
            f"(longest {longest:.0f} ms)",
        )
        assert perf["tiles"] == 200
        assert longest < LONG_TASK_LIMIT_MS, perf
