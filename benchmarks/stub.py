"""Run a backend fake of tests/fakes in a process of its own, with a control API.

The benchmarked Home Assistant, the broker, this stub and the benchmark driver
are four processes, so the stub never takes the event loop of Home Assistant or
of the driver. The stub notes the arrival of every request with
``time.monotonic()`` (one clock for every process of the machine) before it
answers, and the driver reads the notes over the control API:

- ``GET /arrivals?start=N``: arrivals from index N: ``[t, path, person, status]``
- ``GET /stats``: counters of the fake (``?order=1`` adds the persons in order)
- ``POST /config``: ``{"down": bool, "persons": [...], "quota": {...}}`` (the
  quota, Calamari only: ``per_second``/``per_hour``/``per_day``; ``{}`` lifts it)

Usage: ``python -m benchmarks.stub calamari|protime`` prints one JSON line
``{"api": ..., "control": ...}`` and serves until stdin closes or SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass, field
import json
import signal
import sys
import time
from typing import Any

from aiohttp import web

from tests.fakes.calamari import FakeCalamari
from tests.fakes.protime import FakeProtime

Arrival = tuple[float, str, str, int]


def _person_of(raw: bytes) -> str:
    """Return the person a request body names (e-mail or Protime id), or ''."""
    try:
        body = json.loads(raw)
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    person = body.get("person")
    if isinstance(person, dict):
        return str(person.get("id", ""))
    return str(person or "")


@dataclass
class RecordingCalamari(FakeCalamari):
    """The Calamari fake, noting when every request arrived."""

    arrivals: list[Arrival] = field(default_factory=list)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        arrived = time.monotonic()
        resp = await super()._handle(request)
        raw = await request.read()
        status = self.hits[-1].status if self.hits else resp.status
        self.arrivals.append(
            (arrived, request.match_info["path"], _person_of(raw), status)
        )
        return resp


class RecordingProtime(FakeProtime):
    """The Protime fake, noting when every request arrived."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.arrivals: list[Arrival] = []

    @web.middleware
    async def _middleware(
        self, request: web.Request, handler: Any
    ) -> web.StreamResponse:
        arrived = time.monotonic()
        resp = await super()._middleware(request, handler)
        raw = await request.read()
        status = 0 if self.down else resp.status
        self.arrivals.append((arrived, request.path, _person_of(raw), status))
        return resp


class Stub:
    """One fake and its control server."""

    def __init__(self, kind: str, api_key: str) -> None:
        self.kind = kind
        self.fake: RecordingCalamari | RecordingProtime
        if kind == "calamari":
            self.fake = RecordingCalamari(api_key=api_key)
        else:
            self.fake = RecordingProtime()
        self._runner: web.AppRunner | None = None

    async def start(self) -> dict[str, str]:
        api = await self.fake.start()
        app = web.Application()
        app.router.add_get("/arrivals", self._arrivals)
        app.router.add_get("/stats", self._stats)
        app.router.add_post("/config", self._config)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        urls = {"api": api, "control": f"http://127.0.0.1:{port}"}
        if isinstance(self.fake, RecordingProtime):
            urls |= {"api_url": self.fake.api_url, "token_url": self.fake.token_url}
        return urls

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        await self.fake.stop()

    async def _arrivals(self, request: web.Request) -> web.Response:
        start = int(request.query.get("start", "0"))
        items = self.fake.arrivals[start:]
        return web.json_response({"arrivals": items, "count": start + len(items)})

    async def _stats(self, request: web.Request) -> web.Response:
        fake = self.fake
        order = request.query.get("order") == "1"
        if isinstance(fake, RecordingCalamari):
            stats: dict[str, Any] = {
                "accepted": len(fake.accepted),
                "duplicates": fake.duplicates,
                "ignored_clock_outs": fake.ignored_clock_outs,
            }
            if order:
                stats["order"] = [a.person for a in fake.accepted]
            return web.json_response(stats)
        clockings = fake.clockings
        stats = {"clockings": len(clockings), "duplicates": fake.duplicates}
        if order:
            stats["order"] = [c["person"]["id"] for c in clockings]
        return web.json_response(stats)

    async def _config(self, request: web.Request) -> web.Response:
        data = await request.json()
        if "down" in data:
            self.fake.down = bool(data["down"])
        if "quota" in data and isinstance(self.fake, RecordingCalamari):
            self.fake.set_quota(**{k: int(v) for k, v in data["quota"].items()})
        for person in data.get("persons", []):
            if isinstance(self.fake, RecordingCalamari):
                self.fake.add_person(str(person))
            else:
                self.fake.add_person(int(person))
        return web.json_response({"ok": True})


async def _main(kind: str, api_key: str) -> None:
    stub = Stub(kind, api_key)
    urls = await stub.start()
    print(json.dumps(urls), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)

    def on_stdin() -> None:
        if not sys.stdin.read(1):  # the driver closed the pipe (or died)
            stop.set()

    loop.add_reader(sys.stdin.fileno(), on_stdin)
    await stop.wait()
    await stub.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("kind", choices=("calamari", "protime"))
    parser.add_argument("--api-key", default="bench-calamari-key")
    args = parser.parse_args()
    asyncio.run(_main(args.kind, args.api_key))


if __name__ == "__main__":
    main()
