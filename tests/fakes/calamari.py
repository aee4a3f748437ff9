"""A local fake of the Calamari Clockin API terminal (seeds 000 and 001).

It answers as the vendor documents say: Basic auth with username ``calamari``
and the API key as password (401 ``AUTH``), 400 ``INVALID_EMPLOYEE`` /
``INVALID_TIME`` / ``API_TERMINAL_NOT_AVAILABLE`` / ``INVALID_JSON_PAYLOAD``,
429 ``QUOTA_EXCEEDED`` with the usage and limits in ``field``, and 200 with
``{person: {firstName, lastName}, shiftStatus: STARTED|FINISHED}``.

``get-current`` answers ``{"person": {...}, "status": "STARTED"|"STOPPED"|"BREAK"}``
and ``get-current-for-all`` (its shape is not in the seeds) answers a JSON list
of such entries, one per known person::

    [{"person": {"firstName": "John", "lastName": "White",
                 "email": "john.white@mycompany.com", "externalId": "ABC123"},
      "status": "STARTED"}]

Knobs: ``fail_next`` (next N answers with a status and body, optionally after
acting on the request), ``down`` (close every connection after reading the
request), ``delay`` (answer late, for timeouts), ``set_quota`` (per second, hour,
day; fixed windows on an injectable clock), ``terminal_configured`` and
``api_enabled`` (403). Records: ``accepted`` (every terminal request answered
200, in order), ``hits`` (every request: path and status), ``duplicates``
(clock-ins for a person already on shift) and ``ignored_clock_outs``.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
import json
import re
import time
from typing import Any

from aiohttp import web

PREFIX = "/api"
TERMINAL = "/clockin/terminal/v1/"
STATUS = "/clockin/shift/status/v1/"
TIME_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")
ON_SHIFT = ("STARTED", "BREAK")


@dataclass
class FakePerson:
    """An employee known to the fake tenant."""

    email: str
    external_number: str | None = None
    first_name: str = "John"
    last_name: str = "White"
    status: str = "STOPPED"
    terminal_access: bool = True


@dataclass(frozen=True)
class Accepted:
    """One terminal request the fake answered with 200."""

    endpoint: str
    person: str
    time: str
    project_id: int | None
    description: str | None
    ignored: bool


@dataclass
class Failure:
    """An injected answer for the next requests."""

    count: int
    status: int
    body: Any
    headers: dict[str, str]
    apply: bool


@dataclass
class Hit:
    """One request as the fake saw it."""

    path: str
    status: int


class FakeDisconnectError(Exception):
    """Raised inside a handler to drop the connection."""


@dataclass
class FakeCalamari:
    """A Calamari Clockin tenant on 127.0.0.1."""

    api_key: str = "secret-key"
    clock: Callable[[], float] = time.monotonic
    terminal_configured: bool = True
    api_enabled: bool = True
    down: bool = False
    delay: float = 0.0
    retry_after_header: str | None = None
    persons: list[FakePerson] = field(default_factory=list)
    accepted: list[Accepted] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    duplicates: int = 0
    ignored_clock_outs: int = 0
    quota: dict[str, int] = field(default_factory=dict)
    url: str = ""
    _usage: dict[str, tuple[int, int]] = field(default_factory=dict)
    _failures: list[Failure] = field(default_factory=list)
    _runner: web.AppRunner | None = None

    def add_person(
        self, email: str, external_number: str | None = None, **kw: Any
    ) -> FakePerson:
        """Add an employee and return it."""
        person = FakePerson(email=email, external_number=external_number, **kw)
        self.persons.append(person)
        return person

    def status_of(self, ident: str) -> str:
        """Return the shift status of a person (STARTED, STOPPED or BREAK)."""
        person = self.find(ident)
        assert person is not None
        return person.status

    def find(self, ident: str) -> FakePerson | None:
        """Return the person an identifier names: e-mail (any case) or externalNumber:X."""
        if ident.startswith("externalNumber:"):
            number = ident.removeprefix("externalNumber:")
            return next((p for p in self.persons if p.external_number == number), None)
        return next(
            (p for p in self.persons if p.email.casefold() == ident.casefold()), None
        )

    def fail_next(
        self,
        count: int = 1,
        *,
        status: int = 500,
        body: Any = None,
        headers: dict[str, str] | None = None,
        apply: bool = False,
    ) -> None:
        """Answer the next ``count`` requests with ``status`` and ``body``.

        ``body`` may be a dict/list (sent as JSON), a str (sent as text), or
        ``None`` for the documented body of that status. ``apply`` acts on the
        request first (the failure comes after Calamari recorded the punch).
        A status of 0 drops the connection instead of answering.
        """
        self._failures.append(Failure(count, status, body, headers or {}, apply))

    def set_quota(
        self,
        *,
        per_second: int | None = None,
        per_hour: int | None = None,
        per_day: int | None = None,
    ) -> None:
        """Enforce quotas on fixed windows of the fake's clock."""
        wanted = {"day": per_day, "hour": per_hour, "sec": per_second}
        self.quota = {
            unit: count for unit, count in wanted.items() if count is not None
        }
        self._usage.clear()

    async def start(self) -> str:
        """Start serving on a free port of 127.0.0.1 and return the API URL."""
        app = web.Application()
        app.router.add_post(PREFIX + "/{path:.*}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}{PREFIX}"
        return self.url

    async def stop(self) -> None:
        """Stop serving."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # -- request handling ---------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        """Answer one request, recording it."""
        path = "/" + request.match_info["path"]
        raw = await request.read()
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.down:
            return self._drop(request, path)
        try:
            resp = await self._answer(request, path, raw)
        except FakeDisconnectError:
            return self._drop(request, path)
        self.hits.append(Hit(path, resp.status))
        return resp

    def _drop(self, request: web.Request, path: str) -> web.StreamResponse:
        """Close the connection without an answer."""
        self.hits.append(Hit(path, 0))
        assert request.transport is not None
        request.transport.close()
        return web.Response(status=500)

    async def _answer(
        self, request: web.Request, path: str, raw: bytes
    ) -> web.Response:
        """Return the answer to one request, failures and quotas first."""
        if (auth := self._check_auth(request)) is not None:
            return auth
        if (quota := self._check_quota()) is not None:
            return quota
        if self._failures:
            return self._injected(path, raw)
        return self._route(path, raw)

    def _injected(self, path: str, raw: bytes) -> web.Response:
        """Return the next injected failure, acting on the request when asked."""
        failure = self._failures[0]
        failure.count -= 1
        if failure.count <= 0:
            self._failures.pop(0)
        if failure.apply:
            self._route(path, raw)
        if failure.status == 0:
            raise FakeDisconnectError
        body = (
            failure.body if failure.body is not None else _default_body(failure.status)
        )
        if isinstance(body, str):
            return web.Response(
                status=failure.status, text=body, headers=failure.headers
            )
        return web.json_response(body, status=failure.status, headers=failure.headers)

    def _route(self, path: str, raw: bytes) -> web.Response:
        """Dispatch to the endpoint."""
        if not self.terminal_configured and path.startswith(STATUS):
            return _error(400, "API_TERMINAL_NOT_AVAILABLE", None)
        if path == STATUS + "get-current-for-all":
            return web.json_response([_entry(p) for p in self.persons])
        try:
            body = json.loads(raw)
        except ValueError:
            return _error(400, "INVALID_JSON_PAYLOAD", None)
        if not isinstance(body, dict):
            return _error(400, "INVALID_JSON_PAYLOAD", None)
        if path == STATUS + "get-current":
            return self._get_current(body)
        if path.startswith(TERMINAL) and (action := path.removeprefix(TERMINAL)) in (
            "clock-in",
            "clock-out",
            "punch-clock",
        ):
            return self._terminal(action, body)
        return web.json_response(
            {"message": "Not found", "code": "NOT_FOUND"}, status=404
        )

    def _get_current(self, body: dict[str, Any]) -> web.Response:
        """Answer one person's current shift status."""
        if (person := self.find(str(body.get("person", "")))) is None:
            return _error(400, "INVALID_EMPLOYEE", "person")
        return web.json_response(_entry(person))

    def _terminal(self, action: str, body: dict[str, Any]) -> web.Response:
        """Apply a clock-in, clock-out or punch-clock."""
        if not isinstance(body.get("person"), str) or not isinstance(
            body.get("time"), str
        ):
            return _error(400, "INVALID_JSON_PAYLOAD", None)
        project = body.get("projectId")
        if project is not None and (
            not isinstance(project, int) or isinstance(project, bool)
        ):
            return _error(400, "INVALID_JSON_PAYLOAD", "projectId")
        if (person := self.find(body["person"])) is None:
            return _error(400, "INVALID_EMPLOYEE", "person")
        if not _valid_time(body["time"]):
            return _error(400, "INVALID_TIME", "time")
        if not self.terminal_configured or not person.terminal_access:
            return _error(400, "API_TERMINAL_NOT_AVAILABLE", None)
        ignored = self._apply(action, person)
        self.accepted.append(
            Accepted(
                action,
                body["person"],
                body["time"],
                project,
                body.get("description"),
                ignored,
            )
        )
        shift = "STARTED" if person.status in ON_SHIFT else "FINISHED"
        person_json = {"firstName": person.first_name, "lastName": person.last_name}
        return web.json_response({"person": person_json, "shiftStatus": shift})

    def _apply(self, action: str, person: FakePerson) -> bool:
        """Change the person's shift; return whether the request was ignored."""
        if action == "punch-clock":
            action = "clock-out" if person.status in ON_SHIFT else "clock-in"
        if action == "clock-in":
            if person.status in ON_SHIFT:
                self.duplicates += 1
                return True
            person.status = "STARTED"
            return False
        if person.status not in ON_SHIFT:
            self.ignored_clock_outs += 1
            return True
        person.status = "STOPPED"
        return False

    def _check_auth(self, request: web.Request) -> web.Response | None:
        """Return 401 for a wrong key, 403 when API access is off."""
        expected = (
            "Basic " + base64.b64encode(f"calamari:{self.api_key}".encode()).decode()
        )
        if request.headers.get("Authorization") != expected:
            return web.json_response(
                {"message": "Authentication failure", "code": "AUTH", "field": None},
                status=401,
            )
        if not self.api_enabled:
            return web.Response(status=403)
        return None

    def _check_quota(self) -> web.Response | None:
        """Count the request in each quota window; answer 429 when one is exceeded."""
        if not self.quota:
            return None
        now = self.clock()
        windows = {"day": 86400, "hour": 3600, "sec": 1}
        used: dict[str, int] = {}
        for unit in self.quota:
            slot = int(now // windows[unit])
            old_slot, count = self._usage.get(unit, (slot, 0))
            count = count + 1 if old_slot == slot else 1
            self._usage[unit] = (slot, count)
            used[unit] = count
        if all(used[unit] <= limit for unit, limit in self.quota.items()):
            return None
        usage = ", ".join(f"{used[u]}/{u}" for u in self.quota)
        limits = ", ".join(f"{n}/{u}" for u, n in self.quota.items())
        text = f"Your current usage is {usage}\nYour current limits {limits}."
        headers = (
            {"Retry-After": self.retry_after_header}
            if self.retry_after_header
            else None
        )
        return web.json_response(
            {"code": "QUOTA_EXCEEDED", "field": text}, status=429, headers=headers
        )


def _entry(person: FakePerson) -> dict[str, Any]:
    """Return a person's shift status entry."""
    return {
        "person": {
            "firstName": person.first_name,
            "lastName": person.last_name,
            "email": person.email,
            "externalId": person.external_number,
        },
        "status": person.status,
    }


def _valid_time(text: str) -> bool:
    """Return whether a time is local ISO to the second, with no zone or fraction."""
    if not TIME_RE.fullmatch(text):
        return False
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def _error(status: int, code: str, field_name: str | None) -> web.Response:
    """Return a documented error body."""
    return web.json_response(
        {"message": "Api error", "code": code, "field": field_name}, status=status
    )


def _default_body(status: int) -> dict[str, Any]:
    """Return the documented body of an injected status."""
    codes = {
        400: ("Api error", "INVALID_JSON_PAYLOAD"),
        401: ("Authentication failure", "AUTH"),
        429: ("Quota exceeded", "QUOTA_EXCEEDED"),
        500: ("An unexpected error occurred", "INTERNAL_SERVER_ERROR"),
        504: ("Public API call exceeded timeout", "TIMEOUT"),
    }
    message, code = codes.get(status, ("Error", f"HTTP_{status}"))
    return {"message": message, "code": code}
