"""The benchmarked stack: Home Assistant, mosquitto and a backend stub, each a process.

Built on the end-to-end harness (tests/e2e/harness.py), imported, never changed:
its broker, template config dir, Home Assistant process and MQTT client. What the
benchmarks need beyond it lives here: a configuration without debug logging and
with the measuring probe (benchmarks/bench_probe), config entries of any shape,
a stub in a process of its own, a counter of the bytes written to ``.storage``
and a memory sampler.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
import json
import math
import os
from pathlib import Path
import subprocess
import sys
import threading
import time
from typing import Any

import aiohttp
from homeassistant.config_entries import STORAGE_VERSION, STORAGE_VERSION_MINOR

from tests.e2e.harness import (
    DOMAIN,
    HOST,
    START_TIMEOUT,
    Account,
    Employee,
    HarnessError,
    HomeAssistantProcess,
    child_env,
    config_entry,
    configuration_yaml,
)

REPO = Path(__file__).resolve().parents[1]
PROBE = REPO / "benchmarks" / "bench_probe"
REFERENCE = REPO / "benchmarks" / "bench_reference"
REFERENCE_DOMAIN = "bench_reference"
# What users run and what costs memory with many entities: the recorder (its
# default SQLite database in the config dir, default settings), history and
# logbook (default_config loads all three; logbook brings the frontend).
RECORDER_YAML = "recorder:\nhistory:\nlogbook:\n"
CALAMARI_KEY = "bench-calamari-key"
READER_TOPIC = "tele/frontdoor/SENSOR"
# Home Assistant saves its registries 10 s after a start that changed them; the
# measurements begin after that write.
SETTLE_AFTER_START = 11.0


# -- statistics -------------------------------------------------------------------


def percentile(values: Iterable[float], pct: float) -> float:
    """Return the ``pct`` percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def summary_ms(values: list[float]) -> dict[str, float]:
    """Return count, p50, p90, p99 and max of seconds, in milliseconds."""
    return {
        "n": len(values),
        "p50": percentile(values, 50) * 1000,
        "p90": percentile(values, 90) * 1000,
        "p99": percentile(values, 99) * 1000,
        "max": max(values, default=math.nan) * 1000,
        "mean": (sum(values) / len(values) * 1000) if values else math.nan,
    }


# -- configuration ----------------------------------------------------------------


def bench_configuration_yaml(http_port: int, extra: str = "") -> str:
    """Return the harness's configuration.yaml with production logging and the probe.

    The harness logs Time Clock at debug level for the tests' sake; a benchmark
    measures what users run, so everything logs at warning.
    """
    base = configuration_yaml(http_port).split("logger:", 1)[0]
    return f"{base}logger:\n  default: warning\nbench_probe:\n{extra}"


def write_entries(config_dir: Path, entries: list[dict[str, Any]]) -> None:
    """Write ``.storage/core.config_entries`` with exactly these entries."""
    store = {
        "version": STORAGE_VERSION,
        "minor_version": STORAGE_VERSION_MINOR,
        "key": "core.config_entries",
        "data": {"entries": entries},
    }
    path = config_dir / ".storage" / "core.config_entries"
    path.write_text(json.dumps(store), encoding="utf-8")


def mqtt_entry(mqtt_port: int) -> dict[str, Any]:
    """Return the MQTT config entry of the harness's broker."""
    return config_entry(
        "mqtt", HOST, {"broker": HOST, "port": mqtt_port}, minor_version=2
    )


def account_entry(account: Account, domain: str = DOMAIN) -> dict[str, Any]:
    """Return the config entry of a Time Clock account with its employee subentries.

    ``domain`` gives the same entry to another integration (the reference).
    """
    return config_entry(
        domain,
        account.title,
        account.data,
        entry_id=account.entry_id,
        options=account.options,
        subentries=[emp.as_subentry() for emp in account.employees],
    )


def tag_of(index: int) -> str:
    """Return the tag UID of bench employee ``index`` (upper-case hex)."""
    return f"B{index:07X}"


def email_of(index: int) -> str:
    """Return the Calamari person (e-mail) of bench employee ``index``."""
    return f"{tag_of(index).lower()}@bench.example"


def calamari_employees(count: int, *, start: int = 0) -> list[Employee]:
    """Return ``count`` employees whose person is derived from their tag."""
    return [
        Employee(f"Employee {i:04d}", email_of(i), [tag_of(i)])
        for i in range(start, start + count)
    ]


def reader_options(*, debounce: float = 3) -> dict[str, Any]:
    """Return account options with one MQTT reader (toggle) on ``READER_TOPIC``."""
    return {
        "readers": [
            {
                "name": "Front door",
                "topic": READER_TOPIC,
                "role": "toggle",
                "template": "",
            }
        ],
        "debounce": debounce,
        "tag_scanned": False,
        "auto_clock_out_hours": 0,
    }


# -- Home Assistant ---------------------------------------------------------------


class BenchHomeAssistant(HomeAssistantProcess):
    """The harness's Home Assistant process with the benchmark's configuration.

    ``account`` is the Time Clock account waited for at start; ``None`` makes an
    empty Home Assistant (MQTT and the probe only). ``entries`` replaces the
    config entries the harness would write. With ``trace_frames`` set, Home
    Assistant starts with ``PYTHONTRACEMALLOC`` (tracemalloc from its first
    allocation, that many frames per allocation).
    """

    trace_frames = 0
    start_timeout = START_TIMEOUT

    def __init__(
        self,
        config_dir: Path,
        template: Path,
        session: aiohttp.ClientSession,
        *,
        mqtt_port: int,
        account: Account | None,
        extra_yaml: str = "",
        extra_files: Mapping[str, str] | None = None,
    ) -> None:
        placeholder = account or Account("none", {"backend": "local"}, {}, [])
        super().__init__(
            config_dir, template, session, mqtt_port=mqtt_port, account=placeholder
        )
        self.has_account = account is not None
        (config_dir / "custom_components" / "bench_probe").symlink_to(PROBE)
        (config_dir / "configuration.yaml").write_text(
            bench_configuration_yaml(self.port, extra_yaml), encoding="utf-8"
        )
        for name, text in (extra_files or {}).items():
            (config_dir / name).write_text(text, encoding="utf-8")
        entries = [mqtt_entry(mqtt_port)]
        if account is not None:
            entries.append(account_entry(account))
        write_entries(config_dir, entries)

    def start(self) -> None:
        """Start Home Assistant, traced by tracemalloc when ``trace_frames`` is set."""
        if self.trace_frames:
            os.environ["PYTHONTRACEMALLOC"] = str(self.trace_frames)
        try:
            super().start()
        finally:
            os.environ.pop("PYTHONTRACEMALLOC", None)

    @property
    def pid(self) -> int:
        """Return the process id of the running Home Assistant."""
        assert self.proc is not None
        return self.proc.pid

    async def async_wait_ready(self, timeout: float | None = None) -> None:
        """Wait for the API, the probe and (if any) the Time Clock account."""
        timeout = timeout or self.start_timeout
        if self.has_account:
            await super().async_wait_ready(timeout)
        else:
            deadline = time.monotonic() + timeout
            while not await self._async_api_answers():
                self._check_alive(deadline, "the HTTP API did not answer")
                await asyncio.sleep(0.1)
            await self.async_login()
        deadline = time.monotonic() + timeout
        while True:
            try:
                await self.async_probe()
            except HarnessError:
                self._check_alive(deadline, "the probe did not answer")
                await asyncio.sleep(0.1)
            else:
                return

    async def async_probe(
        self, since: float = 0.0, until: float = math.inf, *, domain: str = DOMAIN
    ) -> Any:
        """Return the probe's lags (between two monotonic times), memory, timings."""
        query = f"?since={since}&domain={domain}" + (
            f"&until={until}" if until != math.inf else ""
        )
        return await self._async_json("GET", f"/api/bench_probe{query}")

    async def async_probe_post(self, **data: Any) -> Any:
        """Ask the probe to collect garbage, profile, trace or watch entities."""
        return await self._async_json("POST", "/api/bench_probe", json=data)

    async def async_settled_memory(
        self, settle: float = 3.0, *, trim: bool = False
    ) -> dict[str, int]:
        """Wait, let the recorder catch up, collect garbage; return the memory.

        ``python_blocks`` is the number of the interpreter's live memory blocks.

        With ``trim``, also ``VmRSS_trimmed``: the resident set once the C
        allocator gave its free pages back (``malloc_trim``).
        """
        await asyncio.sleep(settle)
        data = await self.async_probe_post(action="gc", trim=trim)
        memory = dict(data["memory"])
        memory["python_blocks"] = data["python_blocks"]
        if trim:
            memory["VmRSS_trimmed"] = data["memory_trimmed"]["VmRSS"]
        return memory

    async def async_entry_setup_seconds(
        self, entry_id: str, domain: str = DOMAIN
    ) -> float:
        """Return Home Assistant's own setup time of a config entry (all phases)."""
        data = await self.async_probe(domain=domain)
        phases = data["time_clock_setup"].get(entry_id, {})
        return float(sum(phases.values()))

    async def async_wait_entry_loaded(
        self, domain: str, entry_id: str, *, timeout: float = 60.0
    ) -> None:
        """Wait until a config entry of any integration is loaded."""
        deadline = time.monotonic() + timeout
        while True:
            entries = await self._async_json(
                "GET", f"/api/config/config_entries/entry?domain={domain}"
            )
            state = next(
                (e["state"] for e in entries if e["entry_id"] == entry_id), None
            )
            if state == "loaded":
                return
            self._check_alive(deadline, f"the {domain} entry is {state}")
            await asyncio.sleep(0.1)

    async def async_probe_entities(self, *, full: bool = False) -> Any:
        """Return what the probe's entity watch saw (counts; with ``full``, times)."""
        query = "?full=1" if full else ""
        return await self._async_json("GET", f"/api/bench_probe/entities{query}")

    async def async_set_entry_enabled(self, entry_id: str, enabled: bool) -> None:
        """Enable or disable a config entry as the UI does (it loads or unloads)."""
        await self.async_ws_command(
            {
                "type": "config_entries/disable",
                "entry_id": entry_id,
                "disabled_by": None if enabled else "user",
            }
        )

    async def async_wait_entry_state(
        self, wanted: str, *, timeout: float = 60.0
    ) -> None:
        """Wait until the Time Clock entry is in a state (``loaded``, ``not_loaded``)."""
        deadline = time.monotonic() + timeout
        while (state := await self.async_entry_state()) != wanted:
            self._check_alive(deadline, f"the Time Clock entry is {state}")
            await asyncio.sleep(0.05)

    def io_counters(self) -> dict[str, int]:
        """Return /proc/<pid>/io of Home Assistant (write_bytes, wchar...)."""
        text = Path(f"/proc/{self.pid}/io").read_text(encoding="ascii")
        return {
            k: int(v) for k, _, v in (ln.partition(": ") for ln in text.splitlines())
        }

    def rss(self) -> int:
        """Return the resident set size of Home Assistant in bytes."""
        return _status_field(self.pid, "VmRSS")

    def hwm(self) -> int:
        """Return the peak resident set size of Home Assistant in bytes."""
        return _status_field(self.pid, "VmHWM")


def _status_field(pid: int, key: str) -> int:
    """Return a ``kB`` field of /proc/<pid>/status in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines():
        name, _, value = line.partition(":")
        if name == key:
            return int(value.split()[0]) * 1024
    raise KeyError(key)


# -- the stub -----------------------------------------------------------------------


class StubProcess:
    """A backend fake of tests/fakes running as ``python -m benchmarks.stub``."""

    def __init__(self, kind: str, session: aiohttp.ClientSession) -> None:
        self.kind = kind
        self.session = session
        self.proc: subprocess.Popen[bytes] | None = None
        self.urls: dict[str, str] = {}
        self._read = 0

    def start(self) -> dict[str, str]:
        """Start the stub and return its URLs (api, control, ...)."""
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "benchmarks.stub",
                self.kind,
                "--api-key",
                CALAMARI_KEY,
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=REPO,
            env=child_env(),
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise HarnessError(f"the {self.kind} stub did not start")
        self.urls = json.loads(line)
        return self.urls

    def stop(self) -> None:
        """Stop the stub."""
        if self.proc is not None and self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    async def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        async with self.session.request(
            method, self.urls["control"] + path, **kwargs
        ) as resp:
            resp.raise_for_status()
            return await resp.json()

    async def async_configure(self, **data: Any) -> None:
        """Set ``down`` and/or add ``persons``."""
        await self._json("POST", "/config", json=data)

    async def async_stats(self, *, order: bool = False) -> dict[str, Any]:
        """Return the fake's counters (and the persons in order of arrival)."""
        return dict(await self._json("GET", "/stats" + ("?order=1" if order else "")))

    async def async_new_arrivals(self) -> list[tuple[float, str, str, int]]:
        """Return the arrivals noted since the last call."""
        data = await self._json("GET", f"/arrivals?start={self._read}")
        self._read = int(data["count"])
        return [
            (t, path, person, status) for t, path, person, status in data["arrivals"]
        ]

    def cpu_seconds(self) -> float:
        """Return the CPU time the stub process used so far."""
        assert self.proc is not None
        fields = (
            Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        )
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# -- measuring ------------------------------------------------------------------------


@dataclass
class StorageWrites:
    """Count bytes written into a ``.storage`` directory, file by file (inotify).

    Home Assistant writes every storage file to a temporary file and renames it
    into place; each rename (``IN_MOVED_TO``) counts the size of the file it put
    in place. A direct write (``IN_CLOSE_WRITE`` of a non-temporary name) counts
    its size too.
    """

    directory: Path
    bytes_by_prefix: dict[str, int] = field(default_factory=dict)
    writes_by_prefix: dict[str, int] = field(default_factory=dict)
    overflowed: bool = False
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _ready: threading.Event = field(default_factory=threading.Event)

    @staticmethod
    def prefix(name: str) -> str:
        """Return the kind of a storage file: ``time_clock.*.punches``, ``core.*``..."""
        if name.startswith("time_clock."):
            parts = name.split(".")
            return "time_clock." + (parts[2] if len(parts) > 2 else "state")
        return name

    def start(self) -> None:
        """Start watching; raise if the watch could not be set up."""
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        if not self._ready.wait(5):
            raise RuntimeError(
                "could not watch .storage with inotify (is asyncinotify installed?)"
            )

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)

    @property
    def total(self) -> int:
        return sum(self.bytes_by_prefix.values())

    @property
    def writes(self) -> int:
        return sum(self.writes_by_prefix.values())

    def _count(self, name: str) -> None:
        try:
            size = (self.directory / name).stat().st_size
        except FileNotFoundError:
            return
        key = self.prefix(name)
        self.bytes_by_prefix[key] = self.bytes_by_prefix.get(key, 0) + size
        self.writes_by_prefix[key] = self.writes_by_prefix.get(key, 0) + 1

    def _run(self) -> None:
        from asyncinotify import Inotify, Mask  # noqa: PLC0415

        with Inotify(cache_size=4096, sync_timeout=0.1) as inotify:
            inotify.add_watch(self.directory, Mask.MOVED_TO | Mask.CLOSE_WRITE)
            self._ready.set()
            while not self._stop.is_set():
                event = inotify.sync_get()
                if event is None:
                    continue
                if Mask.Q_OVERFLOW in event.mask:
                    self.overflowed = True
                    continue
                name = str(event.name) if event.name else ""
                if not name:
                    continue
                if Mask.MOVED_TO in event.mask or not name.startswith("tmp"):
                    self._count(name)


@dataclass
class MemorySampler:
    """Sample a process's RSS every ``interval`` seconds in a thread."""

    pid: int
    interval: float = 0.05
    peak: int = 0
    samples: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> int:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        return self.peak

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.peak = max(self.peak, _status_field(self.pid, "VmRSS"))
                self.samples += 1
            except (FileNotFoundError, KeyError):
                return
            self._stop.wait(self.interval)


def write_store(config_dir: Path, key: str, data: Any, *, version: int = 1) -> int:
    """Write a Home Assistant storage file (``.storage/<key>``); return its size."""
    text = json.dumps(
        {"version": version, "minor_version": 1, "key": key, "data": data},
        separators=(",", ":"),
    )
    (config_dir / ".storage" / key).write_text(text, encoding="utf-8")
    return len(text)


def storage_size(config_dir: Path, prefix: str = "") -> int:
    """Return the total size of the ``.storage`` files whose name starts with ``prefix``."""
    return sum(
        p.stat().st_size
        for p in (config_dir / ".storage").iterdir()
        if p.name.startswith(prefix) and p.is_file()
    )
