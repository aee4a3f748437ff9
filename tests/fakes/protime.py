"""A fake Protime tenant: OAuth2 token endpoint and the clockings/people API.

It behaves as the Protime documents say (seed 003 and the public API docs):

- ``POST /tenants/{tenant}/connect/token`` takes a form with
  ``grant_type=client_credentials``, ``client_id``, ``client_secret`` and
  ``scope``; it answers ``{"access_token", "expires_in", "token_type", "scope"}``,
  400 ``{"error": "invalid_client"}`` for wrong credentials (status configurable),
  400 ``{"error": "invalid_scope"}`` for scopes not granted, 404 for another tenant.
- Every request needs a ``User-Agent`` (else 400); API requests need a live
  ``Bearer`` token (else 401) with the scope of the endpoint (else 403).
- ``POST /connector/protimeapi/api/v1/clockings`` validates the body per kind
  (:mod:`.protime_body`; model errors: 400
  ``{"title", "status", "validationErrors": [...]}``; business rules such as a
  closed period, an unknown terminal, reason or activity definition: 400
  ``{"error": {"code": "BadRequest", "message", "reasons": [...]}}``), answers
  404 ``{"error": {"code": "NotFound", ...}}`` for an unknown person, and 201 with
  an empty body and a ``Location`` header otherwise. Clockings are kept in order.
- ``GET .../clockings?filter=...`` understands ``person in (1,2)``,
  ``date ge|le|eq 'YYYY-MM-DD'`` and ``kind eq 'InOut'`` joined by ``and``; a date
  range is required (at most a year). ``externalReferences=(people,@badge-number)``
  adds ``person.externalReferences``. The answer is
  ``{"value": [clocking, ...], "nextLink": "/connector/...&skipToken=N"}`` pages of
  ``page_size`` items (``list_key`` changes the key; ``None`` answers a bare list).
  Each clocking: ``id``, ``changeVersion``, ``person.id``, ``date``,
  ``timeOfDayInMinutes``, ``calculatedTimeOfDayInMinutes``, ``isGenerated``,
  ``kind``, ``status`` and ``terminal``/``geolocation``/``reason``/
  ``activityLevels`` when sent.
- ``GET .../people`` lists people the same way; ``GET .../clockings/{id}`` and
  ``GET .../people/{id}`` read one.

Knobs: ``fail_next`` (canned answers for the next API or token requests;
``clear_failures`` forgets those not given yet),
``drop_next``, ``rate_limit``, ``store_then_fail`` (record the clocking, then answer
500 or drop the connection), ``down`` (drop every connection), ``expire_tokens``,
``expires_in``, ``granted_scopes``, ``closed_until``, ``terminals``, ``reasons``
and ``activity_definitions`` (``None``: any id or reference is known),
``page_size``, ``list_key``, ``people_require_filter``. ``duplicates`` counts
active clockings of the same person, minute, kind and kind fields.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
import datetime as dt
import itertools
import json
import re
import secrets
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode

from aiohttp import web

from .protime_body import body_problems, kind_key

TENANT = "acme"
CLIENT_ID = "time-clock-client"
CLIENT_SECRET = "time-clock-secret"
API_PATH = "/connector/protimeapi/api/v1"
SCOPE_WRITE = "connector-protimeapi-clockings.write"
SCOPE_READ = "connector-protimeapi-clockings.read"
SCOPE_PEOPLE = "connector-protimeapi-people.read"
ALL_SCOPES = frozenset({SCOPE_WRITE, SCOPE_READ, SCOPE_PEOPLE})
_CONDITION = re.compile(
    r"^(?:person\s+in\s*\((?P<people>[\d\s,]+)\)"
    r"|date\s+(?P<op>ge|le|eq)\s+'(?P<date>\d{4}-\d{2}-\d{2})'"
    r"|kind\s+eq\s+'(?P<kind>\w+)')$",
    re.IGNORECASE,
)
_REFERENCES = re.compile(r"\(people,([^)]+)\)")


@dataclass
class RecordedRequest:
    """One request as the fake received it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


@dataclass
class Canned:
    """An answer to give instead of the real one; ``status=None`` drops the connection."""

    status: int | None
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Filter:
    """A parsed clockings filter."""

    people: set[int] | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    kind: str | None = None


class FakeProtime:
    """A local Protime tenant for tests."""

    def __init__(
        self,
        *,
        tenant: str = TENANT,
        client_id: str = CLIENT_ID,
        client_secret: str = CLIENT_SECRET,
        expires_in: float | None = 1800,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.tenant = tenant
        self.client_id = client_id
        self.client_secret = client_secret
        self.expires_in = expires_in
        self.clock = clock
        self.granted_scopes: set[str] = set(ALL_SCOPES)
        self.invalid_client_status = 400
        self.people: dict[int, dict[str, str]] = {}
        self.terminals: set[int] = set()
        self.reasons: set[int] | None = None
        # Activity definition id -> its external references, e.g. @data-entry-code.
        self.activity_definitions: dict[int, dict[str, str]] | None = None
        self.closed_until: dt.date | None = None
        self.clockings: list[dict[str, Any]] = []
        self.requests: list[RecordedRequest] = []
        self.tokens: dict[str, tuple[float, frozenset[str]]] = {}
        self.token_requests = 0
        self.page_size = 100
        self.list_key: str | None = "value"
        self.people_require_filter = False
        self.down = False
        self._api_canned: deque[Canned] = deque()
        self._token_canned: deque[Canned] = deque()
        self._store_canned: deque[Canned] = deque()
        self._ids = itertools.count(39577401)
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    # ----- set-up and knobs -------------------------------------------------

    @property
    def api_url(self) -> str:
        return f"{self.base_url}{API_PATH}"

    @property
    def token_url(self) -> str:
        return f"{self.base_url}/tenants/{self.tenant}/connect/token"

    def add_person(
        self,
        person_id: int,
        *,
        badge: str | None = None,
        employee_number: str | None = None,
        **custom: str,
    ) -> None:
        refs = dict(custom)
        if badge is not None:
            refs["@badge-number"] = badge
        if employee_number is not None:
            refs["@employee-number"] = employee_number
        self.people[person_id] = refs

    def add_clocking(
        self,
        person_id: int,
        date: str,
        minutes: int,
        *,
        kind: str = "InOut",
        status: str = "Active",
        **extra: Any,
    ) -> dict[str, Any]:
        clocking_id = next(self._ids)
        clocking = {
            "id": clocking_id,
            "changeVersion": f"{clocking_id:016x}",
            "person": {"id": person_id},
            "date": date,
            "timeOfDayInMinutes": minutes,
            "calculatedTimeOfDayInMinutes": minutes,
            "isGenerated": False,
            "kind": kind,
            "status": status,
            **extra,
        }
        self.clockings.append(clocking)
        return clocking

    def fail_next(
        self,
        status: int,
        *,
        body: Any = None,
        headers: dict[str, str] | None = None,
        count: int = 1,
        token: bool = False,
    ) -> None:
        queue = self._token_canned if token else self._api_canned
        queue.extend(Canned(status, body, dict(headers or {})) for _ in range(count))

    def drop_next(self, count: int = 1, *, token: bool = False) -> None:
        queue = self._token_canned if token else self._api_canned
        queue.extend(Canned(None) for _ in range(count))

    def rate_limit(
        self, retry_after: str | None = "30", *, count: int = 1, token: bool = False
    ) -> None:
        headers = {} if retry_after is None else {"Retry-After": retry_after}
        body = {"error": {"code": "TooManyRequests", "message": "Rate limit reached"}}
        self.fail_next(429, body=body, headers=headers, count=count, token=token)

    def clear_failures(self) -> None:
        """Forget the canned answers not given yet (an outage ends)."""
        self._api_canned.clear()
        self._token_canned.clear()
        self._store_canned.clear()

    def store_then_fail(self, status: int | None = 500, *, count: int = 1) -> None:
        self._store_canned.extend(Canned(status) for _ in range(count))

    def expire_tokens(self) -> None:
        self.tokens.clear()

    def api_requests(self, method: str | None = None) -> list[RecordedRequest]:
        return [
            r
            for r in self.requests
            if r.path.startswith(API_PATH) and method in (None, r.method)
        ]

    def clockings_of(self, person_id: int) -> list[dict[str, Any]]:
        return [c for c in self.clockings if c["person"]["id"] == person_id]

    @property
    def duplicates(self) -> int:
        seen: set[tuple[Any, ...]] = set()
        count = 0
        for c in self.clockings:
            if c["status"] != "Active":
                continue
            day = dt.date.fromisoformat(c["date"])
            minute = day.toordinal() * 1440 + c["timeOfDayInMinutes"]
            key = (c["person"]["id"], minute, *kind_key(c))
            count += key in seen
            seen.add(key)
        return count

    # ----- server -----------------------------------------------------------

    async def start(self) -> str:
        app = web.Application(middlewares=[self._middleware])
        app.router.add_post("/tenants/{tenant}/connect/token", self._token)
        app.router.add_post(f"{API_PATH}/clockings", self._post_clocking)
        app.router.add_get(f"{API_PATH}/clockings", self._list_clockings)
        app.router.add_get(f"{API_PATH}/clockings/{{id}}", self._get_clocking)
        app.router.add_get(f"{API_PATH}/people", self._list_people)
        app.router.add_get(f"{API_PATH}/people/{{id}}", self._get_person)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"
        return self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @web.middleware
    async def _middleware(
        self, request: web.Request, handler: Any
    ) -> web.StreamResponse:
        raw = await request.read()
        self.requests.append(
            RecordedRequest(
                method=request.method,
                path=request.path,
                query=dict(request.query),
                headers=dict(request.headers),
                body=_decode(request.content_type, raw),
            )
        )
        if self.down:
            return _drop(request)
        if not request.headers.get("User-Agent"):
            return _error(400, "BadRequest", "A User-Agent header is required")
        queue = (
            self._api_canned
            if request.path.startswith(API_PATH)
            else self._token_canned
        )
        if queue:
            return _canned(request, queue.popleft())
        return await handler(request)

    # ----- token endpoint ---------------------------------------------------

    async def _token(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["tenant"] != self.tenant:
            return web.Response(status=404)
        self.token_requests += 1
        form = await request.post()
        if form.get("grant_type") != "client_credentials":
            return web.json_response({"error": "unsupported_grant_type"}, status=400)
        if (form.get("client_id"), form.get("client_secret")) != (
            self.client_id,
            self.client_secret,
        ):
            return web.json_response(
                {"error": "invalid_client"}, status=self.invalid_client_status
            )
        scopes = frozenset(str(form.get("scope", "")).split())
        if not scopes or not scopes <= self.granted_scopes:
            return web.json_response({"error": "invalid_scope"}, status=400)
        token = secrets.token_urlsafe(24)
        lifetime = 1800 if self.expires_in is None else self.expires_in
        self.tokens[token] = (self.clock() + lifetime, scopes)
        body: dict[str, Any] = {
            "access_token": token,
            "token_type": "Bearer",
            "scope": " ".join(sorted(scopes)),
        }
        if self.expires_in is not None:
            body["expires_in"] = self.expires_in
        return web.json_response(body)

    def _denied(self, request: web.Request, scope: str) -> web.StreamResponse | None:
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else ""
        if (entry := self.tokens.get(token)) is None or entry[0] <= self.clock():
            return web.Response(
                status=401, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}
            )
        if scope not in entry[1]:
            return _error(403, "Forbidden", f"The token lacks the scope {scope}")
        return None

    # ----- clockings --------------------------------------------------------

    async def _post_clocking(self, request: web.Request) -> web.StreamResponse:
        if (denied := self._denied(request, SCOPE_WRITE)) is not None:
            return denied
        try:
            body = await request.json()
        except ValueError:
            return _validation({"body": "The JSON value could not be converted"})
        if problems := body_problems(body):
            return _validation(problems)
        if (person_id := self._resolve(body["person"])) is None:
            return _error(404, "NotFound", "The person does not exist")
        if reasons := self._business_problems(body):
            return _error(400, "BadRequest", "The request was invalid", reasons)
        kept = ("terminal", "geolocation", "reason", "activityLevels")
        extra = {k: body[k] for k in kept if k in body}
        clocking = self.add_clocking(
            person_id,
            body["date"],
            body["timeOfDayInMinutes"],
            kind=body["kind"],
            **extra,
        )
        if self._store_canned:
            return _canned(request, self._store_canned.popleft())
        location = f"{self.api_url}/clockings/{clocking['id']}"
        return web.Response(status=201, headers={"Location": location})

    def _resolve(self, person: dict[str, Any]) -> int | None:
        if "id" in person:
            return person["id"] if person["id"] in self.people else None
        ((name, value),) = person["externalReferences"].items()
        return next(
            (pid for pid, refs in self.people.items() if refs.get(name) == value), None
        )

    def _business_problems(self, body: dict[str, Any]) -> list[str]:
        reasons = []
        day = dt.date.fromisoformat(body["date"])
        if self.closed_until is not None and day <= self.closed_until:
            reasons.append(f"The period is closed until {self.closed_until}")
        if "terminal" in body and body["terminal"]["id"] not in self.terminals:
            reasons.append(f"Terminal {body['terminal']['id']} does not exist")
        reason = body.get("reason")
        if reason and self.reasons is not None and reason["id"] not in self.reasons:
            reasons.append(f"Reason {reason['id']} does not exist")
        reasons.extend(
            f"Activity definition of level {item['level']} not found"
            for item in body.get("activityLevels") or ()
            if not self._knows_definition(item["activityDefinition"])
        )
        return reasons

    def _knows_definition(self, definition: dict[str, Any]) -> bool:
        if self.activity_definitions is None:
            return True
        if "id" in definition:
            return definition["id"] in self.activity_definitions
        wanted = definition["externalReferences"].items()
        return any(
            all(refs.get(name) == value for name, value in wanted)
            for refs in self.activity_definitions.values()
        )

    async def _list_clockings(self, request: web.Request) -> web.StreamResponse:
        if (denied := self._denied(request, SCOPE_READ)) is not None:
            return denied
        try:
            wanted = _parse_filter(request.query.get("filter", ""))
        except ValueError as err:
            return _error(400, "BadRequest", "The request was invalid", [str(err)])
        refs = _REFERENCES.findall(request.query.get("externalReferences", ""))
        found = [self._render(c, refs) for c in self.clockings if _matches(c, wanted)]
        return self._list(request, found)

    async def _get_clocking(self, request: web.Request) -> web.StreamResponse:
        if (denied := self._denied(request, SCOPE_READ)) is not None:
            return denied
        refs = _REFERENCES.findall(request.query.get("externalReferences", ""))
        for c in self.clockings:
            if str(c["id"]) == request.match_info["id"]:
                return web.json_response(self._render(c, refs))
        return _error(404, "NotFound", "The clocking does not exist")

    def _render(self, clocking: dict[str, Any], refs: list[str]) -> dict[str, Any]:
        out = json.loads(json.dumps(clocking))
        if refs:
            known = self.people.get(clocking["person"]["id"], {})
            out["person"]["externalReferences"] = {
                r: known[r] for r in refs if r in known
            }
        return out

    # ----- people -----------------------------------------------------------

    async def _list_people(self, request: web.Request) -> web.StreamResponse:
        if (denied := self._denied(request, SCOPE_PEOPLE)) is not None:
            return denied
        if self.people_require_filter and "filter" not in request.query:
            return _error(
                400, "BadRequest", "The request was invalid", ["A filter is required"]
            )
        return self._list(request, [self._person(pid) for pid in self.people])

    async def _get_person(self, request: web.Request) -> web.StreamResponse:
        if (denied := self._denied(request, SCOPE_PEOPLE)) is not None:
            return denied
        for pid in self.people:
            if str(pid) == request.match_info["id"]:
                return web.json_response(self._person(pid))
        return _error(404, "NotFound", "The person does not exist")

    def _person(self, pid: int) -> dict[str, Any]:
        return {"id": pid, "firstName": f"Person {pid}", "lastName": "Test"}

    def _list(self, request: web.Request, items: list[Any]) -> web.StreamResponse:
        if self.list_key is None:
            return web.json_response(items)
        skip = int(request.query.get("skipToken", "0"))
        body: dict[str, Any] = {self.list_key: items[skip : skip + self.page_size]}
        if skip + self.page_size < len(items):
            query = {**request.query, "skipToken": str(skip + self.page_size)}
            body["nextLink"] = f"{request.path}?{urlencode(query)}"
        return web.json_response(body)


def _decode(content_type: str, raw: bytes) -> Any:
    text = raw.decode("utf-8", errors="replace")
    if content_type == "application/json":
        try:
            return json.loads(text)
        except ValueError:
            return text
    if content_type == "application/x-www-form-urlencoded":
        return dict(parse_qsl(text))
    return text


def _drop(request: web.Request) -> web.StreamResponse:
    transport = request.transport
    request.protocol.force_close()
    if transport is not None:
        transport.abort()
    return web.Response()


def _canned(request: web.Request, canned: Canned) -> web.StreamResponse:
    if canned.status is None:
        return _drop(request)
    if canned.body is None or isinstance(canned.body, str):
        return web.Response(
            status=canned.status, text=canned.body, headers=canned.headers
        )
    return web.json_response(canned.body, status=canned.status, headers=canned.headers)


def _error(
    status: int, code: str, message: str, reasons: list[str] | None = None
) -> web.StreamResponse:
    error: dict[str, Any] = {"code": code, "message": message}
    if reasons:
        error["reasons"] = reasons
    return web.json_response({"error": error}, status=status)


def _validation(problems: dict[str, str]) -> web.StreamResponse:
    body = {
        "title": "One or more validation errors occurred.",
        "status": 400,
        "validationErrors": [
            {"property": name, "message": message} for name, message in problems.items()
        ],
    }
    return web.json_response(body, status=400)


def _parse_filter(text: str) -> Filter:
    wanted = Filter()
    for part in re.split(r"\s+and\s+", text.strip(), flags=re.IGNORECASE):
        if not (m := _CONDITION.match(part.strip())):
            raise ValueError(f"Cannot read the filter condition {part!r}")
        if m["people"] is not None:
            wanted.people = {int(p) for p in m["people"].split(",") if p.strip()}
        elif m["kind"] is not None:
            wanted.kind = m["kind"]
        else:
            day = dt.date.fromisoformat(m["date"])
            if m["op"].lower() in ("ge", "eq"):
                wanted.start = day
            if m["op"].lower() in ("le", "eq"):
                wanted.end = day
    if wanted.start is None or wanted.end is None:
        raise ValueError("A date range (date ge and date le) is required")
    if wanted.end < wanted.start or (wanted.end - wanted.start).days > 366:
        raise ValueError("The provided date range is invalid")
    return wanted


def _matches(clocking: dict[str, Any], wanted: Filter) -> bool:
    day = dt.date.fromisoformat(clocking["date"])
    return (
        (wanted.people is None or clocking["person"]["id"] in wanted.people)
        and wanted.start is not None
        and wanted.end is not None
        and wanted.start <= day <= wanted.end
        and (wanted.kind is None or clocking["kind"] == wanted.kind)
    )
