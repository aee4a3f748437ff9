"""In Chromium: Time Clock's forms in Home Assistant's UI show words, not keys.

A real Home Assistant (the harness's, with the Calamari account) is driven by
frontend/browser/ui-forms.mjs as a user would: log in on the login page, add a local
account, meet one error of each form (add integration, add employee, the options'
readers), and open the Time Clock actions in Developer tools. Every screen is
photographed and read; a raw key or an unresolved reference fails the test.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from .browser import ARTIFACTS, async_run_script, screen_problems
from .conftest import JOHN_EMAIL, record_timing
from .harness import Account, HomeAssistantProcess, TimedFakeCalamari, async_wait_until

pytestmark = pytest.mark.browser

SCREENS = [
    "add-integration-menu",
    "local-form",
    "local-created",
    "local-name-exists",
    "calamari-form",
    "calamari-https-required",
    "integration-page",
    "account-menu",
    "employee-form",
    "employee-invalid-tag",
    "options-menu",
    "add-reader-form",
    "add-reader-invalid-topic",
    "change-reader-pick",
    "change-reader-form",
    "change-reader-invalid-feedback-topic",
    "action-clock-out",
    "action-clock-out-refused",
    "action-punch",
    "action-punch-performed",
]


async def test_forms_and_actions_show_words_not_keys(
    browser_tools: None,
    home_assistant: HomeAssistantProcess,
    calamari: TimedFakeCalamari,
    account: Account,
    unique_id: Callable[..., str],
) -> None:
    """Every form, error and action of Time Clock reads as words in the UI."""
    report = await async_run_script(
        "ui-forms.mjs",
        home_assistant,
        {"ENTRY_ID": account.entry_id, "EMPLOYEE": "John White"},
    )

    problems = screen_problems(report)
    assert not problems, "\n".join(problems)
    assert [screen["name"] for screen in report["screens"]] == SCREENS
    for screen in report["screens"]:
        assert (ARTIFACTS / "ui-forms" / f"{screen['name']}.png").is_file()
    facts = report["facts"]
    record_timing(
        "UI words for an account",
        f"{facts['entries_heading']!r}, button {facts['add_entry_button']!r}; "
        f"'Add employee' in {facts['add_employee_in']}",
    )

    # What the forms did: the local account exists; the refused inputs changed nothing.
    entries = await home_assistant.async_ws_command(
        {"type": "config_entries/get", "domain": "time_clock"}
    )
    assert sorted(entry["title"] for entry in entries) == ["Calamari E2E", "Workshop"]
    seeded = next(e for e in entries if e["entry_id"] == account.entry_id)
    assert seeded["num_subentries"] == len(account.employees)
    # The punch performed in Developer tools clocked John in at Calamari.
    await home_assistant.async_wait_state(unique_id("on_shift", "John White"), "on")
    await async_wait_until(lambda: calamari.accepted, "the punch at Calamari")
    assert [(p.endpoint, p.person) for p in calamari.accepted] == [
        ("clock-in", JOHN_EMAIL)
    ]
