"""What every benchmark scenario shares: the run's context and a few helpers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
import os
from pathlib import Path
import shutil
import tempfile
import time
from typing import Any

import aiohttp

from tests.e2e.harness import Account, Mosquitto, MqttClient

from .stack import BenchHomeAssistant, StubProcess


@dataclass
class Context:
    """The run: temporary directory, template config dir, broker, HTTP session."""

    workdir: Path
    template: Path
    broker: Mosquitto
    session: aiohttp.ClientSession
    quick: bool
    profile_dir: Path
    log: Callable[[str], None] = print
    keep: bool = False
    profile: bool = False
    # The commit of the integration compared in the employee-adding phase.
    adds_before: str | None = None
    notes: list[str] = field(default_factory=list)

    def config_dir(self, name: str) -> Path:
        """Return a new, empty directory for one Home Assistant."""
        return Path(tempfile.mkdtemp(prefix=f"hass_{name}_", dir=self.workdir))

    def mqtt(self) -> MqttClient:
        """Return a connected MQTT client of the run's broker."""
        client = MqttClient(self.broker.port)
        client.connect()
        return client

    @asynccontextmanager
    async def stub(self, kind: str) -> AsyncIterator[StubProcess]:
        """Run a backend stub process for the duration of the block."""
        stub = StubProcess(kind, self.session)
        stub.start()
        try:
            yield stub
        finally:
            stub.stop()

    @asynccontextmanager
    async def home_assistant(
        self,
        name: str,
        account: Account | None,
        *,
        extra_yaml: str = "",
        extra_files: dict[str, str] | None = None,
        prepare: Callable[[Path], None] | None = None,
        start: bool = True,
    ) -> AsyncIterator[BenchHomeAssistant]:
        """Run a Home Assistant for the duration of the block; remove its config dir."""
        config_dir = self.config_dir(name)
        hass = BenchHomeAssistant(
            config_dir,
            self.template,
            self.session,
            mqtt_port=self.broker.port,
            account=account,
            extra_yaml=extra_yaml,
            extra_files=extra_files,
        )
        if prepare is not None:
            prepare(config_dir)
        try:
            if start:
                await hass.async_start()
            yield hass
        except BaseException:
            self.log(f"--- Home Assistant output ({config_dir}) ---")
            self.log(hass.log_tail(80))
            raise
        finally:
            await hass.async_stop()
            if not self.keep:
                shutil.rmtree(config_dir, ignore_errors=True)


def cpu_seconds(pid: int) -> float:
    """Return the CPU time (user + system) a process used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def wait_for(
    predicate: Callable[[], Any], what: str, *, timeout: float, poll: float = 0.1
) -> float:
    """Wait until an async or plain predicate is true; return the seconds waited."""
    started = time.monotonic()
    while True:
        result = predicate()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        await asyncio.sleep(poll)


async def entity_id_of(hass: BenchHomeAssistant, platform: str, unique_id: str) -> str:
    """Return the entity id of an entity, found by platform and unique id."""
    entries = await hass.async_ws_command({"type": "config/entity_registry/list"})
    for entry in entries:
        if entry["platform"] == platform and entry["unique_id"] == unique_id:
            return str(entry["entity_id"])
    raise LookupError(f"no {platform} entity with unique id {unique_id}")
