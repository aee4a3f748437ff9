"""Run a real Home Assistant and a real mosquitto for the end-to-end tests.

Everything here talks to the processes the way a user or a device would: Home
Assistant over its REST and websocket APIs (with a token from the login flow),
the broker over MQTT (paho-mqtt), the backend over HTTP (a fake in this process).
Nothing is imported into Home Assistant: it runs as ``python -m homeassistant``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
import itertools
import json
import os
from pathlib import Path
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from typing import Any, Self

import aiohttp
from homeassistant.config_entries import STORAGE_VERSION, STORAGE_VERSION_MINOR
from homeassistant.util.ulid import ulid_now
from paho.mqtt import client as mqtt_client
from paho.mqtt.enums import CallbackAPIVersion

from tests.fakes.calamari import FakeCalamari

REPO = Path(__file__).resolve().parents[2]
INTEGRATION = REPO / "custom_components" / "time_clock"
DOMAIN = "time_clock"
USERNAME = "e2e"
PASSWORD = "e2e"
HOST = "127.0.0.1"
START_TIMEOUT = 90.0
STOP_TIMEOUT = 20.0
# Environment variables that would make coverage follow the child processes.
COVERAGE_ENV_PREFIXES = ("COV_CORE_", "COVERAGE_")


class HarnessError(AssertionError):
    """A process of the harness did not behave (the message carries its log)."""


# -- ports and processes ------------------------------------------------------------


def free_port() -> int:
    """Return a TCP port of 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def port_open(port: int) -> bool:
    """Return whether something accepts connections on a port of 127.0.0.1."""
    try:
        socket.create_connection((HOST, port), timeout=0.5).close()
    except OSError:
        return False
    return True


def find_mosquitto() -> str | None:
    """Return the mosquitto executable, or None when it is not installed."""
    found = shutil.which("mosquitto")
    if found:
        return found
    fallback = Path("/usr/sbin/mosquitto")
    return str(fallback) if os.access(fallback, os.X_OK) else None


def child_env() -> dict[str, str]:
    """Return this process's environment without coverage's hooks."""
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(COVERAGE_ENV_PREFIXES)
    }


def tail(path: Path, lines: int = 120) -> str:
    """Return the last lines of a text file (or a note that it is missing)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return f"({path} does not exist)"
    return "\n".join(text.splitlines()[-lines:])


def end_process(proc: subprocess.Popen[bytes] | None, *, timeout: float) -> None:
    """Stop a child process: SIGTERM, then SIGKILL after ``timeout`` seconds."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class Mosquitto:
    """A mosquitto broker on a free port of 127.0.0.1, without persistence."""

    def __init__(self, executable: str, workdir: Path) -> None:
        """Prepare a broker whose config and log live in ``workdir``."""
        self.executable = executable
        self.workdir = workdir
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def log(self) -> Path:
        """Return the broker's log file."""
        return self.workdir / "mosquitto.log"

    def start(self) -> None:
        """Start the broker and wait until it accepts connections."""
        self.port = free_port()
        conf = self.workdir / "mosquitto.conf"
        conf.write_text(
            f"listener {self.port} {HOST}\n"
            "allow_anonymous true\n"
            "persistence false\n"
            "log_dest stderr\n",
            encoding="utf-8",
        )
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [self.executable, "-c", str(conf)],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=child_env(),
            )
        deadline = time.monotonic() + 10
        while not port_open(self.port):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise HarnessError(f"mosquitto did not start:\n{tail(self.log)}")
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop the broker."""
        end_process(self.proc, timeout=5)
        self.proc = None


# -- the configuration of Home Assistant --------------------------------------------


@dataclass
class Employee:
    """An employee subentry to seed."""

    name: str
    identifier: str
    tags: list[str]
    subentry_id: str = field(default_factory=ulid_now)

    def as_subentry(self) -> dict[str, Any]:
        """Return the subentry as Home Assistant stores it."""
        return {
            "data": {"identifier": self.identifier, "tags": list(self.tags)},
            "subentry_id": self.subentry_id,
            "subentry_type": "employee",
            "title": self.name,
            "unique_id": None,
        }


@dataclass
class Account:
    """A Time Clock config entry to seed."""

    title: str
    data: dict[str, Any]
    options: dict[str, Any]
    employees: list[Employee]
    entry_id: str = field(default_factory=ulid_now)

    def employee(self, name: str) -> Employee:
        """Return the employee of that name."""
        return next(emp for emp in self.employees if emp.name == name)


def config_entry(
    domain: str,
    title: str,
    data: Mapping[str, Any],
    *,
    entry_id: str | None = None,
    options: Mapping[str, Any] | None = None,
    subentries: list[dict[str, Any]] | None = None,
    minor_version: int = 1,
) -> dict[str, Any]:
    """Return one config entry as ``.storage/core.config_entries`` holds it."""
    now = "2025-01-01T00:00:00+00:00"
    return {
        "created_at": now,
        "data": dict(data),
        "discovery_keys": {},
        "disabled_by": None,
        "domain": domain,
        "entry_id": entry_id or ulid_now(),
        "minor_version": minor_version,
        "modified_at": now,
        "options": dict(options or {}),
        "pref_disable_new_entities": False,
        "pref_disable_polling": False,
        "source": "user",
        "subentries": subentries or [],
        "title": title,
        "unique_id": None,
        "version": 1,
    }


def write_config_entries(config_dir: Path, mqtt_port: int, account: Account) -> None:
    """Seed the MQTT entry (to the test broker) and the Time Clock account."""
    entries = [
        # The shape the MQTT config flow creates (version 1.2: settings in data).
        config_entry(
            "mqtt", HOST, {"broker": HOST, "port": mqtt_port}, minor_version=2
        ),
        config_entry(
            DOMAIN,
            account.title,
            account.data,
            entry_id=account.entry_id,
            options=account.options,
            subentries=[emp.as_subentry() for emp in account.employees],
        ),
    ]
    store = {
        "version": STORAGE_VERSION,
        "minor_version": STORAGE_VERSION_MINOR,
        "key": "core.config_entries",
        "data": {"entries": entries},
    }
    path = config_dir / ".storage" / "core.config_entries"
    path.write_text(json.dumps(store, indent=2), encoding="utf-8")


def configuration_yaml(http_port: int) -> str:
    """Return the smallest configuration.yaml the tests need (UTC, REST API)."""
    return (
        "homeassistant:\n"
        "  name: E2E\n"
        "  time_zone: UTC\n"
        "  latitude: 52.2297\n"
        "  longitude: 21.0122\n"
        "  elevation: 100\n"
        "  unit_system: metric\n"
        "  currency: EUR\n"
        "  country: PL\n"
        "http:\n"
        f"  server_host: {HOST}\n"
        f"  server_port: {http_port}\n"
        "api:\n"
        "config:\n"
        "websocket_api:\n"
        "logger:\n"
        "  default: warning\n"
        "  logs:\n"
        "    custom_components.time_clock: debug\n"
        "    homeassistant.components.mqtt: info\n"
    )


def prepare_template(template: Path) -> None:
    """Make a config dir with the user e2e/e2e and onboarding done.

    ``hass --script auth`` writes the credentials (bcrypt) without starting Home
    Assistant; the user itself is made at the first login.
    """
    (template / ".storage").mkdir(parents=True, exist_ok=True)
    (template / "custom_components").mkdir(exist_ok=True)
    result = subprocess.run(
        [
            *(sys.executable, "-m", "homeassistant", "--script", "auth"),
            *("-c", str(template), "add", USERNAME, PASSWORD),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=child_env(),
    )
    if result.returncode != 0:
        raise HarnessError(
            f"hass --script auth failed:\n{result.stdout}{result.stderr}"
        )
    onboarding = {
        "version": 4,
        "minor_version": 1,
        "key": "onboarding",
        "data": {"done": ["user", "core_config", "analytics", "integration"]},
    }
    (template / ".storage" / "onboarding").write_text(
        json.dumps(onboarding), encoding="utf-8"
    )


# -- Home Assistant -------------------------------------------------------------------


class HomeAssistantProcess:
    """One Home Assistant configuration directory and the process running it."""

    def __init__(
        self,
        config_dir: Path,
        template: Path,
        session: aiohttp.ClientSession,
        *,
        mqtt_port: int,
        account: Account,
    ) -> None:
        """Copy the template into ``config_dir`` and write the configuration."""
        shutil.copytree(template, config_dir, symlinks=True, dirs_exist_ok=True)
        (config_dir / "custom_components" / DOMAIN).symlink_to(INTEGRATION)
        self.config_dir = config_dir
        self.session = session
        self.account = account
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.token = ""
        self.proc: subprocess.Popen[bytes] | None = None
        self.start_times: list[float] = []
        self._entities: dict[str, str] = {}
        (config_dir / "configuration.yaml").write_text(
            configuration_yaml(self.port), encoding="utf-8"
        )
        write_config_entries(config_dir, mqtt_port, account)

    @property
    def output(self) -> Path:
        """Return the file that collects the process's stdout and stderr."""
        return self.config_dir / "hass.out"

    def log_tail(self, lines: int = 150) -> str:
        """Return the end of the process output (all runs, marked)."""
        return tail(self.output, lines)

    # Process control ------------------------------------------------------------

    def start(self) -> None:
        """Start ``python -m homeassistant`` on the config dir (without pip)."""
        assert self.proc is None or self.proc.poll() is not None, "already running"
        with self.output.open("ab") as out:
            out.write(f"\n===== start at {time.time():.3f} =====\n".encode())
            out.flush()
            self.proc = subprocess.Popen(
                [
                    *(sys.executable, "-m", "homeassistant"),
                    *("-c", str(self.config_dir), "--skip-pip"),
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=child_env(),
                cwd=self.config_dir,
            )

    async def async_start(self) -> float:
        """Start Home Assistant and wait until the account is loaded; return seconds."""
        started = time.monotonic()
        self.start()
        await self.async_wait_ready()
        self.start_times.append(time.monotonic() - started)
        return self.start_times[-1]

    def kill(self) -> None:
        """Kill Home Assistant with SIGKILL, as a power cut would."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
        self.token = ""

    def stop(self) -> None:
        """Stop Home Assistant (SIGTERM; SIGKILL when it takes too long)."""
        end_process(self.proc, timeout=STOP_TIMEOUT)
        self.token = ""

    async def async_stop(self) -> None:
        """Stop Home Assistant like ``stop``, yielding to the event loop meanwhile."""
        if self.running:
            assert self.proc is not None
            self.proc.terminate()
            deadline = time.monotonic() + STOP_TIMEOUT
            while self.running and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
        self.stop()

    async def async_restart_after_kill(self) -> float:
        """Kill Home Assistant with SIGKILL and start it again; return start seconds."""
        self.kill()
        return await self.async_start()

    @property
    def running(self) -> bool:
        """Return whether the process is alive."""
        return self.proc is not None and self.proc.poll() is None

    def fail(self, message: str) -> HarnessError:
        """Return an error carrying the end of Home Assistant's output."""
        return HarnessError(
            f"{message}\n--- Home Assistant output ---\n{self.log_tail()}"
        )

    # Readiness --------------------------------------------------------------------

    async def async_wait_ready(self, timeout: float = START_TIMEOUT) -> None:
        """Wait for the HTTP API, log in, then wait for the account to be loaded."""
        deadline = time.monotonic() + timeout
        while not await self._async_api_answers():
            self._check_alive(deadline, "the HTTP API did not answer")
            await asyncio.sleep(0.1)
        await self.async_login()
        await self._async_confirm_http_trial()
        while (state := await self.async_entry_state()) != "loaded":
            if state in ("setup_error", "migration_error", "failed_unload"):
                raise self.fail(f"the Time Clock entry failed to load: {state}")
            self._check_alive(deadline, f"the Time Clock entry is {state}")
            await asyncio.sleep(0.1)

    async def _async_confirm_http_trial(self) -> None:
        """Confirm the HTTP settings of configuration.yaml where they are on trial.

        Releases that configure HTTP in the UI move ``http:`` of configuration.yaml
        into their storage as a trial: the UI asks the user to confirm it in a dialog
        over every page, and unconfirmed it is undone five minutes later by a restart
        on the default port and every address. Confirming it, as the user would, keeps
        Home Assistant on 127.0.0.1 and its free port. Older releases have no trial.
        """
        async with WebSocket(self) as ws:
            answer = await ws.async_answer({"type": "http/config"})
            if not answer["success"] and answer["error"]["code"] == "unknown_command":
                return
            if not answer["success"]:
                raise self.fail(f"http/config failed: {answer}")
            if answer["result"]["pending"] is not None:
                await ws.async_command({"type": "http/config/promote"})

    def _check_alive(self, deadline: float, what: str) -> None:
        """Raise when the process died or the deadline passed."""
        if not self.running:
            raise self.fail(f"Home Assistant exited ({what})")
        if time.monotonic() > deadline:
            raise self.fail(f"Home Assistant not ready in time: {what}")

    async def _async_api_answers(self) -> bool:
        """Return whether /api/ answers (401 without a token is an answer)."""
        try:
            async with self.session.get(f"{self.url}/api/") as resp:
                return resp.status in (200, 401)
        except aiohttp.ClientError:
            return False

    async def async_login(self) -> str:
        """Get an access token through the login flow, as the frontend does."""
        client_id = f"{self.url}/"
        flow = await self._async_json(
            "POST",
            "/auth/login_flow",
            json={
                "client_id": client_id,
                "handler": ["homeassistant", None],
                "redirect_uri": client_id,
            },
            auth=False,
        )
        result = await self._async_json(
            "POST",
            f"/auth/login_flow/{flow['flow_id']}",
            json={"client_id": client_id, "username": USERNAME, "password": PASSWORD},
            auth=False,
        )
        if result.get("type") != "create_entry":
            raise self.fail(f"login refused: {result}")
        tokens = await self._async_json(
            "POST",
            "/auth/token",
            data={
                "grant_type": "authorization_code",
                "code": result["result"],
                "client_id": client_id,
            },
            auth=False,
        )
        self.token = str(tokens["access_token"])
        return self.token

    async def async_entry_state(self) -> str | None:
        """Return the state of the Time Clock config entry (``loaded``...)."""
        entries = await self._async_json(
            "GET", f"/api/config/config_entries/entry?domain={DOMAIN}"
        )
        return next(
            (e["state"] for e in entries if e["entry_id"] == self.account.entry_id),
            None,
        )

    # REST ------------------------------------------------------------------------------

    async def _async_json(
        self, method: str, path: str, *, auth: bool = True, **kwargs: Any
    ) -> Any:
        """Send one request and return its JSON; raise on an error status."""
        headers = {"Authorization": f"Bearer {self.token}"} if auth else {}
        async with self.session.request(
            method, self.url + path, headers=headers, **kwargs
        ) as resp:
            text = await resp.text()
            if resp.status >= 400:
                raise self.fail(f"{method} {path} answered {resp.status}: {text}")
            return json.loads(text) if text else None

    async def async_rest(
        self, method: str, path: str, body: Mapping[str, Any] | None = None
    ) -> Any:
        """Send one REST request (JSON body) as the frontend does; return its JSON."""
        return await self._async_json(
            method, path, **({"json": dict(body)} if body is not None else {})
        )

    async def async_flow(
        self, kind: str, start: Mapping[str, Any], *steps: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Run a config, options or subentry flow over REST; return the last result.

        ``kind`` is ``""`` (add an entry), ``"options/"`` or ``"subentries/"``.
        """
        base = f"/api/config/config_entries/{kind}flow"
        result = dict(await self.async_rest("POST", base, start))
        for step in steps:
            result = dict(
                await self.async_rest("POST", f"{base}/{result['flow_id']}", step)
            )
        return result

    async def async_state(self, entity_id: str) -> dict[str, Any]:
        """Return an entity's state object through the REST API."""
        return dict(await self._async_json("GET", f"/api/states/{entity_id}"))

    async def async_call_service(
        self, domain: str, service: str, data: Mapping[str, Any] | None = None
    ) -> Any:
        """Call a service through the REST API."""
        return await self._async_json(
            "POST", f"/api/services/{domain}/{service}", json=dict(data or {})
        )

    async def async_entity_id(self, unique_id: str) -> str:
        """Return the entity id of a Time Clock entity, found by its unique id."""
        if unique_id not in self._entities:
            entries = await self.async_ws_command(
                {"type": "config/entity_registry/list"}
            )
            self._entities = {
                entry["unique_id"]: entry["entity_id"]
                for entry in entries
                if entry["platform"] == DOMAIN
            }
        if unique_id not in self._entities:
            raise self.fail(f"no Time Clock entity with unique id {unique_id}")
        return self._entities[unique_id]

    async def async_wait_state(
        self, unique_id: str, expected: str, *, timeout: float = 10.0
    ) -> dict[str, Any]:
        """Wait until an entity (by unique id) has a state; return its state object."""
        entity_id = await self.async_entity_id(unique_id)
        deadline = time.monotonic() + timeout
        while True:
            state = await self.async_state(entity_id)
            if state["state"] == expected:
                return state
            if time.monotonic() > deadline:
                raise self.fail(
                    f"{entity_id} is {state['state']!r}, not {expected!r}: {state}"
                )
            await asyncio.sleep(0.05)

    # Websocket ---------------------------------------------------------------------

    async def async_ws_command(self, message: dict[str, Any]) -> Any:
        """Send one websocket command and return its result."""
        async with WebSocket(self) as ws:
            return await ws.async_command(message)


class WebSocket:
    """An authenticated websocket connection to Home Assistant."""

    def __init__(self, hass: HomeAssistantProcess) -> None:
        """Prepare a connection to ``hass``."""
        self._hass = hass
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._next_id = 1

    async def __aenter__(self) -> Self:
        """Connect and authenticate."""
        ws = await self._hass.session.ws_connect(f"{self._hass.url}/api/websocket")
        self._ws = ws
        assert (await ws.receive_json())["type"] == "auth_required"
        await ws.send_json({"type": "auth", "access_token": self._hass.token})
        answer = await ws.receive_json()
        if answer["type"] != "auth_ok":
            raise self._hass.fail(f"websocket auth refused: {answer}")
        return self

    async def __aexit__(self, *exc: object) -> None:
        """Close the connection."""
        if self._ws is not None:
            await self._ws.close()

    async def async_send(self, message: dict[str, Any]) -> int:
        """Send a command and return its id."""
        assert self._ws is not None
        msg_id = self._next_id
        self._next_id += 1
        await self._ws.send_json({**message, "id": msg_id})
        return msg_id

    async def async_receive(self, timeout: float) -> dict[str, Any]:
        """Return the next message (raise TimeoutError after ``timeout``)."""
        assert self._ws is not None
        return dict(await self._ws.receive_json(timeout=timeout))

    async def async_answer(self, message: dict[str, Any]) -> dict[str, Any]:
        """Send a command and return its result message, success or not."""
        msg_id = await self.async_send(message)
        while True:
            answer = await self.async_receive(30)
            if answer.get("id") == msg_id and answer.get("type") == "result":
                return answer

    async def async_command(self, message: dict[str, Any]) -> Any:
        """Send a command and return its result."""
        answer = await self.async_answer(message)
        if not answer["success"]:
            raise self._hass.fail(f"websocket {message} failed: {answer}")
        return answer["result"]

    async def async_subscribe_events(self, event_type: str) -> None:
        """Subscribe to the events of one type."""
        await self.async_command({"type": "subscribe_events", "event_type": event_type})

    async def async_next_event(self, timeout: float) -> dict[str, Any] | None:
        """Return the data of the next event, or None after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                message = await self.async_receive(left)
            except TimeoutError:
                return None
            if message.get("type") == "event":
                return dict(message["event"]["data"])
        return None


# -- MQTT -----------------------------------------------------------------------------


class MqttClient:
    """A paho-mqtt client for the test: publishes taps, collects feedback."""

    def __init__(self, port: int) -> None:
        """Prepare a client of the broker on ``port``."""
        self.port = port
        self.messages: list[tuple[str, bytes, float]] = []
        self._lock = threading.Lock()
        self._connected = threading.Event()
        self._client = mqtt_client.Client(
            CallbackAPIVersion.VERSION2, client_id=f"e2e-{ulid_now()}"
        )
        self._client.on_connect = self._on_connect
        self._client.on_message = self._on_message

    def _on_connect(self, *_args: Any) -> None:
        """Note the connection."""
        self._connected.set()

    def _on_message(self, _client: Any, _userdata: Any, msg: Any) -> None:
        """Collect a message with its arrival time."""
        with self._lock:
            self.messages.append((msg.topic, bytes(msg.payload), time.monotonic()))

    def connect(self) -> None:
        """Connect and start the network thread."""
        self._client.connect(HOST, self.port)
        self._client.loop_start()
        if not self._connected.wait(10):
            raise HarnessError("could not connect to the MQTT broker")

    def subscribe(self, topic: str) -> None:
        """Subscribe to a topic (QoS 1, so the subscription is confirmed)."""
        done = threading.Event()
        self._client.on_subscribe = lambda *_args: done.set()
        self._client.subscribe(topic, qos=1)
        if not done.wait(10):
            raise HarnessError(f"could not subscribe to {topic}")

    def publish(self, topic: str, payload: str) -> float:
        """Publish one message (QoS 0, not retained) and return when it was sent."""
        sent = time.monotonic()
        info = self._client.publish(topic, payload, qos=0, retain=False)
        info.wait_for_publish(5)
        return sent

    def received(self, topic: str) -> list[dict[str, Any]]:
        """Return the JSON messages received on a topic, in order."""
        with self._lock:
            return [json.loads(p) for t, p, _ in self.messages if t == topic]

    def close(self) -> None:
        """Disconnect and stop the network thread."""
        self._client.disconnect()
        self._client.loop_stop()


async def async_wait_reader_subscribed(
    hass: HomeAssistantProcess, mqtt: MqttClient, topic: str, timeout: float = 30.0
) -> float:
    """Publish unknown tags on a reader topic until Home Assistant reports one.

    The reader's subscription reaches the broker some time after the account is
    loaded; a tap before that would be lost (QoS 0). Return the seconds waited.
    """
    started = time.monotonic()
    async with WebSocket(hass) as ws:
        await ws.async_subscribe_events("time_clock_unknown_tag")
        for probe in itertools.count(1):
            mqtt.publish(topic, tasmota_pn532(f"E2E0{probe:04X}"))
            if await ws.async_next_event(0.25) is not None:
                return time.monotonic() - started
            if time.monotonic() - started > timeout:
                break
    raise hass.fail(f"no time_clock_unknown_tag event for probes on {topic}")


async def async_wait_until(
    predicate: Callable[[], object], what: str, *, timeout: float = 10.0
) -> float:
    """Wait (yielding to the event loop) until ``predicate()``; return seconds."""
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            raise HarnessError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.002)
    return time.monotonic() - started


def tasmota_pn532(uid: str) -> str:
    """Return the payload a Tasmota PN532 reader publishes for a tag."""
    when = time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime())
    return json.dumps({"Time": when, "PN532": {"UID": uid, "DATA": ""}})


# -- the backend ------------------------------------------------------------------------


@dataclass
class TimedFakeCalamari(FakeCalamari):
    """The Calamari fake, also noting when each accepted punch arrived (monotonic)."""

    arrivals: list[float] = field(default_factory=list)

    def _terminal(self, action: str, body: dict[str, Any]) -> Any:
        """Apply a terminal request and note its arrival when it was accepted."""
        arrived = time.monotonic()
        before = len(self.accepted)
        response = super()._terminal(action, body)
        if len(self.accepted) > before:
            self.arrivals.append(arrived)
        return response
