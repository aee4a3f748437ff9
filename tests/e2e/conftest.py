"""Fixtures of the end-to-end tests: broker, fake Calamari, Home Assistant processes.

One mosquitto serves the whole session; a template config dir (user, onboarding)
is made once and copied for every Home Assistant; each test gets its own fake
Calamari (it runs in the test's event loop) and its own Home Assistant process.
Every process and temporary directory is gone when the fixtures end.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
import os
from pathlib import Path
import shutil
import tempfile
import time
from typing import Any

import aiohttp
import pytest
import pytest_socket  # type: ignore[import-untyped]

from .browser import missing_browser_tools
from .harness import (
    Account,
    Employee,
    HomeAssistantProcess,
    Mosquitto,
    MqttClient,
    TimedFakeCalamari,
    async_wait_reader_subscribed,
    find_mosquitto,
    prepare_template,
)

API_KEY = "e2e-calamari-key"
READER_TOPIC = "tele/frontdoor/SENSOR"
FEEDBACK_TOPIC = "time_clock/frontdoor/feedback"
JOHN_EMAIL = "john.white@example.com"
JANE_EMAIL = "jane.doe@example.com"
JOHN_TAG = "74103794"
JANE_TAG = "04A1B2C3"

# Timings of this run, printed at the end of the session.
TIMINGS: list[tuple[str, str]] = []
# Seconds spent in end-to-end fixtures and tests, for the total.
SPENT: list[float] = []


def record_timing(what: str, value: str) -> None:
    """Note a measurement for the end-of-run summary."""
    TIMINGS.append((what, value))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the end-to-end measurements."""
    if TIMINGS:
        terminalreporter.section("time_clock end-to-end timings")
        for what, value in TIMINGS:
            terminalreporter.write_line(f"{what}: {value}")
        terminalreporter.write_line(
            f"end-to-end total (broker start not included): {sum(SPENT):.1f} s"
        )


@contextmanager
def sockets_allowed() -> Iterator[None]:
    """Let a session fixture open sockets.

    The Home Assistant test plugin blocks sockets before any fixture runs; the
    ``socket_enabled`` fixture lifts that only for function-scoped fixtures.
    Connections stay limited to 127.0.0.1.
    """
    pytest_socket.enable_socket()
    try:
        yield
    finally:
        pytest_socket.disable_socket(allow_unix_socket=True)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Use no in-process Home Assistant here: it runs as a process of its own."""


@pytest.fixture(autouse=True)
def _timed(request: pytest.FixtureRequest) -> Iterator[None]:
    """Note how long each scenario takes, fixtures included."""
    started = time.monotonic()
    yield
    SPENT.append(time.monotonic() - started)
    record_timing(request.node.name, f"{SPENT[-1]:.1f} s")


@pytest.fixture(scope="session")
def e2e_tmp() -> Iterator[Path]:
    """Return a temporary directory for the session, removed at the end."""
    path = Path(tempfile.mkdtemp(prefix="time_clock_e2e_"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def mosquitto(e2e_tmp: Path) -> Iterator[Mosquitto]:
    """Run one mosquitto for the session on a free port of 127.0.0.1."""
    executable = find_mosquitto()
    if executable is None:
        reason = "mosquitto is not installed (scripts/setup installs it with apt-get)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    workdir = e2e_tmp / "mosquitto"
    workdir.mkdir()
    broker = Mosquitto(executable, workdir)
    with sockets_allowed():
        broker.start()
    yield broker
    broker.stop()


@pytest.fixture(scope="session")
def browser_tools() -> None:
    """Make sure node, Chromium and playwright-core are there for the browser tests."""
    if (reason := missing_browser_tools()) is not None:
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture(scope="session")
def ha_template(e2e_tmp: Path) -> Path:
    """Return a config dir with the user e2e/e2e and onboarding done."""
    template = e2e_tmp / "template"
    started = time.monotonic()
    prepare_template(template)
    SPENT.append(time.monotonic() - started)
    record_timing(
        "template config dir (hass --script auth)",
        f"{time.monotonic() - started:.1f} s",
    )
    return template


@pytest.fixture
async def calamari(socket_enabled: None) -> AsyncIterator[TimedFakeCalamari]:
    """Run a fake Calamari tenant with John White and Jane Doe on 127.0.0.1."""
    fake = TimedFakeCalamari(api_key=API_KEY)
    fake.add_person(JOHN_EMAIL)
    fake.add_person(JANE_EMAIL, first_name="Jane", last_name="Doe")
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
def mqtt(mosquitto: Mosquitto, socket_enabled: None) -> Iterator[MqttClient]:
    """Return an MQTT client of the test broker that listens to the feedback topic."""
    client = MqttClient(mosquitto.port)
    client.connect()
    client.subscribe(FEEDBACK_TOPIC)
    yield client
    client.close()


@pytest.fixture
def account_options() -> dict[str, Any]:
    """Return the options of the Calamari account (a test may override them)."""
    return {
        "readers": [
            {
                "name": "Front door",
                "topic": READER_TOPIC,
                "role": "toggle",
                "template": "",
                "feedback_topic": FEEDBACK_TOPIC,
            }
        ],
        "debounce": 3,
        "tag_scanned": True,
        "auto_clock_out_hours": 0,
    }


@pytest.fixture
def account(calamari: TimedFakeCalamari, account_options: dict[str, Any]) -> Account:
    """Return the Calamari account to seed, pointing at the fake."""
    return Account(
        title="Calamari E2E",
        data={"backend": "calamari", "api_url": calamari.url, "api_key": API_KEY},
        options=account_options,
        employees=[
            Employee("John White", JOHN_EMAIL, [JOHN_TAG]),
            Employee("Jane Doe", JANE_EMAIL, [JANE_TAG]),
        ],
    )


@pytest.fixture
async def http_session(socket_enabled: None) -> AsyncIterator[aiohttp.ClientSession]:
    """Return an HTTP session for talking to Home Assistant."""
    async with aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=30)
    ) as session:
        yield session


@pytest.fixture
async def home_assistant(
    *,
    e2e_tmp: Path,
    ha_template: Path,
    mosquitto: Mosquitto,
    account: Account,
    http_session: aiohttp.ClientSession,
    mqtt: MqttClient,
    request: pytest.FixtureRequest,
) -> AsyncIterator[HomeAssistantProcess]:
    """Return a started Home Assistant with the MQTT entry and the Calamari account.

    It is ready for taps: the reader's subscription is shown to work first.
    """
    config_dir = Path(tempfile.mkdtemp(prefix="hass_", dir=e2e_tmp))
    hass = HomeAssistantProcess(
        config_dir,
        ha_template,
        http_session,
        mqtt_port=mosquitto.port,
        account=account,
    )
    try:
        seconds = await hass.async_start()
        probing = await async_wait_reader_subscribed(hass, mqtt, READER_TOPIC)
        record_timing(
            f"{request.node.name}: Home Assistant start",
            f"{seconds:.1f} s, then {probing:.1f} s until the reader answered",
        )
        yield hass
    finally:
        await hass.async_stop()
        # Shown by pytest only when the test failed.
        print(f"--- Home Assistant output ({config_dir}) ---")  # noqa: T201
        print(hass.log_tail(300))  # noqa: T201
        shutil.rmtree(config_dir, ignore_errors=True)


@pytest.fixture
def unique_id(account: Account) -> Callable[[str, str | None], str]:
    """Return a function giving the unique id of an employee's or the account's entity."""

    def _unique_id(key: str, employee: str | None = None) -> str:
        owner = account.employee(employee).subentry_id if employee else account.entry_id
        return f"{owner}_{key}"

    return _unique_id
