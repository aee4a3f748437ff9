"""Chaos end to end: power cuts, corrupt storage files and a misbehaving backend.

Real Home Assistant process, real mosquitto, the fake Calamari tenant on
127.0.0.1 (Home Assistant runs in UTC, so Calamari gets UTC wall-clock times).

- SIGKILL: a backlog of punches made while Calamari was down drains into it
  while Home Assistant is killed with SIGKILL at random moments, again and
  again (``TIME_CLOCK_CHAOS_ROUNDS`` rounds, 20 by default; CI sets fewer).
  Every punch must reach Calamari exactly once as a shift change, in order of
  occurrence. A punch that was on the wire at the kill may be sent again after
  the restart; Calamari answers such a repeat with 200 and ignores it (the
  client relies on that), so repeats are allowed only as ignored exact copies.
- Corrupt storage: one of the account's files is truncated or overwritten with
  garbage while Home Assistant is down. Home Assistant must start, move the file
  aside (``<file>.corrupt.<time>``), raise its ``storage_corruption`` repair
  issue, and lose nothing but that file's content.
- A misbehaving backend: garbage with 200, HTML error pages, slow answers,
  answers slower than the client's timeout, dropped connections, a 401 and a
  429. Each punch still arrives once, in order, and nothing is logged with a
  traceback.

``TIME_CLOCK_CHAOS_SEED`` replays a run (the seed is printed with the timings).
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import os
from pathlib import Path
import random
import re
import time
from typing import Any

import pytest

from .conftest import (
    API_KEY,
    JANE_EMAIL,
    JOHN_EMAIL,
    record_timing,
)
from .harness import (
    Account,
    HomeAssistantProcess,
    TimedFakeCalamari,
    async_wait_until,
)

ROUNDS = int(os.environ.get("TIME_CLOCK_CHAOS_ROUNDS", "20"))
SEED = int(os.environ.get("TIME_CLOCK_CHAOS_SEED") or time.time_ns() % 2**32)
# Punches in the backlog: enough that every round kills Home Assistant mid-drain.
BACKLOG = max(240, 12 * ROUNDS)
# Seconds between two punches of the backlog (Calamari gets whole seconds).
SPACING = 10
# The client's request timeout (api/http.py DEFAULT_TIMEOUT) plus a margin.
BEYOND_TIMEOUT = 21.5
STORAGE = ".storage"


# The fake tenant, with two more knobs ------------------------------------------------


@dataclass
class ChaosCalamari(TimedFakeCalamari):
    """The fake tenant, also counting requests as they come and slowing some.

    ``received`` counts requests when they arrive (``hits`` only when they are
    answered); ``slow_next`` holds delays for the next requests, one each.
    """

    received: int = 0
    slow_next: list[float] = field(default_factory=list)

    async def _handle(self, request: Any) -> Any:
        """Count the request, wait if told to, then answer as the fake does."""
        self.received += 1
        if self.slow_next:
            await asyncio.sleep(self.slow_next.pop(0))
        return await super()._handle(request)

    def effective(self) -> list[tuple[str, str, str]]:
        """Return the shift changes Calamari made: (endpoint, person, time)."""
        return [(a.endpoint, a.person, a.time) for a in self.accepted if not a.ignored]

    def repeats(self) -> list[tuple[str, str, str]]:
        """Return the requests Calamari ignored (a punch sent again)."""
        return [(a.endpoint, a.person, a.time) for a in self.accepted if a.ignored]


@pytest.fixture
async def calamari(socket_enabled: None) -> AsyncIterator[ChaosCalamari]:
    """Run the fake tenant with John White and Jane Doe (this module's variant)."""
    fake = ChaosCalamari(api_key=API_KEY)
    fake.add_person(JOHN_EMAIL)
    fake.add_person(JANE_EMAIL, first_name="Jane", last_name="Doe")
    await fake.start()
    yield fake
    await fake.stop()


# Helpers -------------------------------------------------------------------------------


@dataclass
class Punch:
    """One punch made by a service call, and what Calamari must receive for it."""

    email: str
    action: str
    when: datetime

    @property
    def expected(self) -> tuple[str, str, str]:
        """Return (endpoint, person, wall-clock time) as Calamari records it."""
        endpoint = "clock-in" if self.action == "clock_in" else "clock-out"
        return endpoint, self.email, self.when.strftime("%Y-%m-%dT%H:%M:%S")


class Scenario:
    """Home Assistant, the fake tenant and the punches made so far."""

    def __init__(
        self, hass: HomeAssistantProcess, calamari: ChaosCalamari, account: Account
    ) -> None:
        """Note the pieces; ``async_devices`` must run before punching."""
        self.hass = hass
        self.calamari = calamari
        self.account = account
        self.punches: list[Punch] = []
        self.devices: dict[str, str] = {}
        self.on_shift: dict[str, bool] = {JOHN_EMAIL: False, JANE_EMAIL: False}

    @property
    def storage(self) -> Path:
        """Return Home Assistant's storage folder."""
        return self.hass.config_dir / STORAGE

    def file(self, suffix: str = "") -> Path:
        """Return one of the account's storage files."""
        return self.storage / f"time_clock.{self.account.entry_id}{suffix}"

    def pending_unique_id(self) -> str:
        """Return the unique id of the pending punches sensor."""
        return f"{self.account.entry_id}_pending_punches"

    async def async_devices(self) -> None:
        """Find the employees' devices (by their subentry ids)."""
        devices = await self.hass.async_ws_command(
            {"type": "config/device_registry/list"}
        )
        for emp in self.account.employees:
            self.devices[emp.identifier] = next(
                d["id"]
                for d in devices
                if ["time_clock", emp.subentry_id] in d["identifiers"]
            )

    async def async_punch(self, email: str, when: datetime | None = None) -> Punch:
        """Clock an employee in or out (the opposite of now) by the REST API."""
        action = "clock_out" if self.on_shift[email] else "clock_in"
        when = when or datetime.now(UTC).replace(microsecond=0)
        await self.hass.async_call_service(
            "time_clock",
            action,
            {"device_id": self.devices[email], "time": when.isoformat()},
        )
        self.on_shift[email] = action == "clock_in"
        punch = Punch(email, action, when)
        self.punches.append(punch)
        return punch

    async def async_pending(self) -> int:
        """Return the pending punches sensor."""
        entity = await self.hass.async_entity_id(self.pending_unique_id())
        return int((await self.hass.async_state(entity))["state"])

    async def async_wait_pending(self, count: int, timeout: float = 30.0) -> None:
        """Wait until the outbox holds ``count`` punches."""
        await self.hass.async_wait_state(
            self.pending_unique_id(), str(count), timeout=timeout
        )

    async def async_drain(self, timeout: float = 60.0) -> None:
        """Call ``retry`` until the outbox is empty (skipping every backoff wait)."""
        deadline = time.monotonic() + timeout
        while await self.async_pending():
            if time.monotonic() > deadline:
                raise self.hass.fail("the outbox did not drain")
            await self.hass.async_call_service("time_clock", "retry")
            await asyncio.sleep(0.3)

    def assert_delivered_once_in_order(self) -> None:
        """Every punch is one shift change at Calamari, in order; repeats ignored."""
        expected = [punch.expected for punch in self.punches]
        assert self.calamari.effective() == expected
        assert set(self.calamari.repeats()) <= set(expected), self.calamari.repeats()
        assert self.calamari.status_of(JOHN_EMAIL) == (
            "STARTED" if self.on_shift[JOHN_EMAIL] else "STOPPED"
        )
        assert self.calamari.status_of(JANE_EMAIL) == (
            "STARTED" if self.on_shift[JANE_EMAIL] else "STOPPED"
        )

    def assert_no_secret_in_log(self) -> None:
        """The API key (also as the Basic header) and the e-mails are not logged."""
        log = self.hass.output.read_text(encoding="utf-8", errors="replace")
        header = base64.b64encode(f"calamari:{API_KEY}".encode()).decode()
        for secret in (API_KEY, header, JOHN_EMAIL, JANE_EMAIL):
            assert secret not in log, secret

    def assert_no_traceback(self, *, allowed: tuple[str, ...] = ()) -> None:
        """Home Assistant logged no traceback (but for ``allowed`` ones) and no surprise."""
        log = self.hass.output.read_text(encoding="utf-8", errors="replace")
        unexpected = [
            header
            for header in tracebacks(log)
            if not any(text in header for text in allowed)
        ]
        assert not unexpected, f"{unexpected}\n{self.hass.log_tail(200)}"
        assert "Unexpected error" not in log, self.hass.log_tail(200)

    async def async_issues(self) -> list[dict[str, Any]]:
        """Return the repair issues."""
        result = await self.hass.async_ws_command({"type": "repairs/list_issues"})
        return list(result["issues"])

    async def async_diagnostics(self) -> dict[str, Any]:
        """Return the account's diagnostics as downloaded from Home Assistant."""
        data = await self.hass._async_json(
            "GET", f"/api/diagnostics/config_entry/{self.account.entry_id}"
        )
        return dict(data["data"])


LOG_RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")


def tracebacks(log: str) -> list[str]:
    """Return the first line of every log record that carries a traceback."""
    found: list[str] = []
    header = ""
    for line in log.splitlines():
        if LOG_RECORD.match(line):
            header = line
        elif line.startswith("Traceback") and header not in found:
            found.append(header or line)
    return found


@pytest.fixture
def scenario(
    home_assistant: HomeAssistantProcess, calamari: ChaosCalamari, account: Account
) -> Scenario:
    """Return the scenario of a test."""
    return Scenario(home_assistant, calamari, account)


async def async_start_ready(hass: HomeAssistantProcess) -> float:
    """Start Home Assistant (after a kill) and wait until the account is loaded."""
    return await hass.async_start()


# SIGKILL while a backlog drains -----------------------------------------------------------


@dataclass
class Round:
    """What one round of the SIGKILL test did."""

    mode: str
    killed_after: float
    accepted_before: int
    accepted_at_kill: int
    effective_at_kill: int

    @property
    def mid_drain(self) -> bool:
        """Return whether the kill came after a delivery and before the end."""
        return (
            self.accepted_at_kill > self.accepted_before
            and self.effective_at_kill < BACKLOG
        )


async def async_kill_round(
    scenario: Scenario, rng: random.Random, start_estimate: float
) -> Round:
    """Start Home Assistant, SIGKILL it at a random moment, return what happened."""
    hass, calamari = scenario.hass, scenario.calamari
    before = len(calamari.accepted)
    started = time.monotonic()
    hass.start()
    drained = len(calamari.effective()) >= len(scenario.punches)
    if drained or rng.random() < 0.2:
        # Anywhere from loading the configuration to the first deliveries.
        mode = "startup"
        await asyncio.sleep(rng.uniform(0.3, start_estimate + 0.5))
    else:
        # After 1 to 10 deliveries of this round, and a little more.
        mode = "drain"
        target = before + rng.randint(1, 10)
        deadline = started + start_estimate + 60
        while len(calamari.accepted) < target:
            if not hass.running:
                raise hass.fail("Home Assistant exited during the drain")
            if time.monotonic() > deadline:
                raise hass.fail("no delivery within a minute of the start")
            await asyncio.sleep(0.002)
        await asyncio.sleep(rng.uniform(0.0, 0.12))
    if not hass.running:
        raise hass.fail("Home Assistant exited before it was killed")
    hass.kill()
    return Round(
        mode,
        time.monotonic() - started,
        before,
        len(calamari.accepted),
        len(calamari.effective()),
    )


async def test_sigkill_while_backlog_drains(scenario: Scenario) -> None:
    """Killed with SIGKILL again and again while draining: every punch once, in order."""
    rng = random.Random(SEED)
    hass, calamari = scenario.hass, scenario.calamari
    await scenario.async_devices()

    # A backlog made while Calamari is down: John and Jane in turns, 10 s apart.
    calamari.down = True
    began = time.monotonic()
    first = datetime.now(UTC).replace(microsecond=0) - timedelta(
        seconds=SPACING * (BACKLOG + 5)
    )
    for number in range(BACKLOG):
        email = JOHN_EMAIL if number % 2 == 0 else JANE_EMAIL
        await scenario.async_punch(email, first + timedelta(seconds=SPACING * number))
    await scenario.async_wait_pending(BACKLOG)
    record_timing(
        f"chaos: {BACKLOG} punches by REST while Calamari is down",
        f"{time.monotonic() - began:.1f} s",
    )
    assert calamari.effective() == []

    # Power cut; Calamari comes back; kill Home Assistant at random moments.
    hass.kill()
    calamari.down = False
    chaos_began = time.monotonic()
    estimate = hass.start_times[-1]
    rounds = [await async_kill_round(scenario, rng, estimate) for _ in range(ROUNDS)]

    # The last start: everything is delivered, once, in order.
    restart = await async_start_ready(hass)
    await async_wait_until(
        lambda: len(calamari.effective()) >= BACKLOG,
        "the whole backlog at Calamari",
        timeout=BACKLOG / 5 + 60,
    )
    await scenario.async_wait_pending(0)
    await asyncio.sleep(1.0)  # anything sent twice would arrive by now

    mid_drain = sum(r.mid_drain for r in rounds)
    record_timing(
        f"chaos: {ROUNDS} SIGKILL rounds (seed {SEED})",
        f"{time.monotonic() - chaos_began:.1f} s, {mid_drain} killed mid-drain,"
        f" {sum(r.mode == 'startup' for r in rounds)} during start-up,"
        f" {len(calamari.repeats())} repeats ignored by Calamari,"
        f" last start {restart:.1f} s",
    )
    scenario.assert_delivered_once_in_order()
    assert mid_drain >= max(1, ROUNDS // 3), rounds
    for email, emp in ((JOHN_EMAIL, "John White"), (JANE_EMAIL, "Jane Doe")):
        subentry = scenario.account.employee(emp).subentry_id
        await hass.async_wait_state(
            f"{subentry}_on_shift", "on" if scenario.on_shift[email] else "off"
        )
    scenario.assert_no_traceback()
    scenario.assert_no_secret_in_log()


# Corrupt storage files ------------------------------------------------------------------------

# Home Assistant logs the decoding error of a corrupt file with its traceback.
STORE_TRACEBACK = ("Could not parse JSON content",)


def truncate(path: Path) -> None:
    """Cut a file in the middle, as a crash during a non-atomic write would."""
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def garble(path: Path) -> None:
    """Overwrite a file with bytes that are no JSON (and no UTF-8)."""
    path.write_bytes(bytes(range(256)) * 4)


async def async_assert_moved_aside(scenario: Scenario, path: Path) -> None:
    """The bad file is kept aside and a repair issue of Home Assistant names it."""
    kept = list(path.parent.glob(f"{path.name}.corrupt.*"))
    assert len(kept) == 1, sorted(p.name for p in path.parent.iterdir())
    issues = [
        issue
        for issue in await scenario.async_issues()
        if issue["issue_id"].startswith(f"storage_corruption_{path.name}_")
    ]
    assert len(issues) == 1, await scenario.async_issues()
    assert issues[0]["domain"] == "homeassistant"


async def async_power_cut(scenario: Scenario, damage: Callable[[], None]) -> None:
    """Let delayed saves finish, kill Home Assistant, damage a file, start again."""
    await asyncio.sleep(3.0)  # the employee state is saved 2 s after a punch
    scenario.hass.kill()
    damage()
    seconds = await async_start_ready(scenario.hass)
    record_timing("corrupt storage: Home Assistant start", f"{seconds:.1f} s")
    # A kill soon after the first start may come before the device registry was
    # saved: the devices are then made again, with new ids.
    await scenario.async_devices()


def past(seconds: int) -> datetime:
    """Return a whole second some time ago."""
    return datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=seconds)


async def test_corrupt_failed_list_and_full_segment(scenario: Scenario) -> None:
    """A truncated failed list and a garbled full segment: only their content is lost.

    One punch was rejected (it is in the failed list); then 110 punches wait
    while Calamari is down: segment 1 is full (the rejected punch and 99 more),
    11 are in the next one. After a power cut the failed list is cut in half and
    segment 1 garbled.
    """
    hass, calamari = scenario.hass, scenario.calamari
    await scenario.async_devices()
    calamari.fail_next(status=400, body={"code": "INVALID_TIME", "message": "x"})
    await scenario.async_punch(JOHN_EMAIL, past(3000))
    await scenario.async_wait_pending(0)
    rejected = scenario.punches.pop()
    assert len((await scenario.async_diagnostics())["runtime"]["failed"]) == 1
    # John clocked in on the Calamari app instead: both sides agree again.
    person = calamari.find(JOHN_EMAIL)
    assert person is not None
    person.status = "STARTED"

    calamari.down = True
    for number in range(110):
        email = JANE_EMAIL if number % 2 == 0 else JOHN_EMAIL
        await scenario.async_punch(email, past(2000 - SPACING * number))
    await scenario.async_wait_pending(110)
    failed_file, segment = scenario.file(".failed"), scenario.file(".punches.1")
    await async_power_cut(scenario, lambda: (truncate(failed_file), garble(segment)))

    await async_assert_moved_aside(scenario, failed_file)
    await async_assert_moved_aside(scenario, segment)
    # The employees' state lives in another file: it is intact.
    for email, name in ((JOHN_EMAIL, "John White"), (JANE_EMAIL, "Jane Doe")):
        await hass.async_wait_state(
            f"{scenario.account.employee(name).subentry_id}_on_shift",
            "on" if scenario.on_shift[email] else "off",
        )
    # Segment 1 held the rejected punch and the first 99 of the backlog; the 11
    # punches of the next segment survive and go out, in order.
    await scenario.async_wait_pending(11)
    scenario.punches = scenario.punches[99:]
    sent_before = len(calamari.accepted)
    calamari.down = False
    await scenario.async_drain()
    diagnostics = await scenario.async_diagnostics()
    assert diagnostics["runtime"]["failed"] == []
    assert rejected.when.isoformat() not in str(diagnostics)

    # Punches made after the damage are kept across another power cut.
    calamari.down = True
    await scenario.async_punch(JOHN_EMAIL)
    await scenario.async_punch(JANE_EMAIL)
    await async_power_cut(scenario, lambda: None)
    await scenario.async_wait_pending(2)
    calamari.down = False
    await scenario.async_drain()
    await asyncio.sleep(0.5)
    # Calamari never got the lost punches, so some of these change nothing
    # there (John is on shift at Calamari already): each came once, in order.
    sent = [(a.endpoint, a.person, a.time) for a in calamari.accepted[sent_before:]]
    assert sent == [punch.expected for punch in scenario.punches]
    scenario.assert_no_traceback(allowed=STORE_TRACEBACK)


async def async_delivered_then_pending(scenario: Scenario) -> None:
    """John in and out, delivered; then Jane in and out, waiting (Calamari down)."""
    await scenario.async_devices()
    await scenario.async_punch(JOHN_EMAIL, past(600))
    await scenario.async_punch(JOHN_EMAIL, past(590))
    await async_wait_until(
        lambda: len(scenario.calamari.effective()) == 2, "John's punches at Calamari"
    )
    await scenario.async_wait_pending(0)
    scenario.calamari.down = True
    await scenario.async_punch(JANE_EMAIL, past(580))
    await scenario.async_punch(JANE_EMAIL, past(570))
    await scenario.async_wait_pending(2)


async def test_corrupt_tail_segment(scenario: Scenario) -> None:
    """A truncated last segment loses its punches; later punches are kept and sent."""
    calamari = scenario.calamari
    await async_delivered_then_pending(scenario)
    lost = scenario.punches[2:]
    segment = scenario.file(".punches.1")
    await async_power_cut(scenario, lambda: truncate(segment))
    await async_assert_moved_aside(scenario, segment)
    # The waiting punches were in that file: they are gone (and only they).
    await scenario.async_wait_pending(0)
    scenario.punches = scenario.punches[:2]

    await scenario.async_punch(JOHN_EMAIL, past(560))
    await scenario.async_punch(JANE_EMAIL, past(550))
    await scenario.async_wait_pending(2)
    await async_power_cut(scenario, lambda: None)
    await scenario.async_wait_pending(2, timeout=10)
    calamari.down = False
    await scenario.async_drain()
    await asyncio.sleep(0.5)
    scenario.assert_delivered_once_in_order()
    assert not set(calamari.effective()) & {punch.expected for punch in lost}
    scenario.assert_no_traceback(allowed=STORE_TRACEBACK)


async def test_corrupt_state_file(scenario: Scenario) -> None:
    """A garbled state file loses the employees' state, not the waiting punches."""
    await async_delivered_then_pending(scenario)
    state = scenario.file()
    await async_power_cut(scenario, lambda: garble(state))
    await async_assert_moved_aside(scenario, state)
    await scenario.async_wait_pending(2, timeout=5)
    scenario.calamari.down = False
    await scenario.async_drain()
    scenario.assert_delivered_once_in_order()


async def test_corrupt_cursor(scenario: Scenario) -> None:
    """A truncated cursor sends nothing twice."""
    await async_delivered_then_pending(scenario)
    cursor = scenario.file(".cursor")
    await async_power_cut(scenario, lambda: truncate(cursor))
    await async_assert_moved_aside(scenario, cursor)
    scenario.calamari.down = False
    await scenario.async_drain()
    await asyncio.sleep(0.5)
    scenario.assert_delivered_once_in_order()


# A misbehaving backend --------------------------------------------------------------------------

HTML_502 = (
    "<html><head><title>502 Bad Gateway</title></head>"
    "<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center>"
    "</body></html>"
)
HTML_503 = "<!DOCTYPE html><html><body><h1>Service Unavailable</h1></body></html>"
HTML_500 = "<html><body><h1>Internal Server Error</h1><p>Oops.</p></body></html>"
HTML_401 = "<html><body><h1>401 Unauthorized</h1></body></html>"


@dataclass
class BadAnswer:
    """One way for Calamari to misbehave, set up before a punch."""

    name: str
    setup: Callable[[ChaosCalamari], None]
    attempts: int = 0  # with ``down``: the attempts to drop before coming back


BAD_ANSWERS = [
    BadAnswer("200 with garbage", lambda c: c.fail_next(status=200, body="\x00<<?")),
    BadAnswer(
        "200 with JSON of another shape, after recording",
        lambda c: c.fail_next(status=200, body={"ok": True}, apply=True),
    ),
    BadAnswer(
        "200 with 2 MB of garbage",
        lambda c: c.fail_next(status=200, body="\u2603garbage" * 200_000),
    ),
    BadAnswer("502 HTML page", lambda c: c.fail_next(status=502, body=HTML_502)),
    BadAnswer(
        "503 HTML page with Retry-After",
        lambda c: c.fail_next(status=503, body=HTML_503, headers={"Retry-After": "1"}),
    ),
    BadAnswer(
        "500 HTML page after recording",
        lambda c: c.fail_next(status=500, body=HTML_500, apply=True),
    ),
    BadAnswer("504 TIMEOUT, twice", lambda c: c.fail_next(2, status=504)),
    BadAnswer("connection dropped", lambda c: c.fail_next(status=0)),
    BadAnswer(
        "connection dropped after recording",
        lambda c: c.fail_next(status=0, apply=True),
    ),
    BadAnswer("every connection dropped", lambda c: None, attempts=3),
    BadAnswer("slow answer (3 s)", lambda c: c.slow_next.append(3.0)),
    BadAnswer(
        "answer slower than the client's timeout",
        lambda c: c.slow_next.append(BEYOND_TIMEOUT),
    ),
    BadAnswer("401 HTML page", lambda c: c.fail_next(status=401, body=HTML_401)),
    BadAnswer(
        "429 with an unreadable quota and Retry-After",
        lambda c: c.fail_next(
            status=429,
            body={"code": "QUOTA_EXCEEDED", "field": "\u0000?"},
            headers={"Retry-After": "1"},
        ),
    ),
]


async def test_misbehaving_backend(scenario: Scenario) -> None:
    """Garbage, HTML, slow answers, timeouts, drops: each punch arrives once, in order."""
    hass, calamari = scenario.hass, scenario.calamari
    await scenario.async_devices()
    for number, bad in enumerate(BAD_ANSWERS):
        began = time.monotonic()
        bad.setup(calamari)
        received = calamari.received
        if bad.attempts:
            calamari.down = True
        await scenario.async_punch(JOHN_EMAIL if number % 2 == 0 else JANE_EMAIL)
        if bad.attempts:
            while calamari.received < received + bad.attempts:
                await hass.async_call_service("time_clock", "retry")
                await asyncio.sleep(0.2)
            calamari.down = False
        await scenario.async_drain(timeout=BEYOND_TIMEOUT + 30)
        await async_wait_until(
            lambda: len(calamari.effective()) == len(scenario.punches),
            f"the punch after {bad.name}",
            timeout=BEYOND_TIMEOUT + 10,
        )
        assert hass.running
        record_timing(f"bad backend: {bad.name}", f"{time.monotonic() - began:.1f} s")
    await asyncio.sleep(BEYOND_TIMEOUT - 18)  # the slow answer's late original
    scenario.assert_delivered_once_in_order()
    assert calamari.repeats(), "no punch was sent again after an ambiguous failure"
    issues = [
        issue["issue_id"]
        for issue in await scenario.async_issues()
        if issue["domain"] == "time_clock"
    ]
    assert not [issue for issue in issues if issue.startswith("auth_failed")], issues
    scenario.assert_no_traceback()
    scenario.assert_no_secret_in_log()
