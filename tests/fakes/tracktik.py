"""A fake TrackTik portal: OAuth2 password and refresh grants, shifts and work sessions.

It behaves as seed 004 and TrackTik's public documentation say: a password grant
for an API service account at ``/rest/oauth2/access_token`` (form or JSON body),
single-use rotating refresh tokens (a reused one answers 400 ``invalid_grant``),
access tokens that expire, and 40 failed logins in 2 minutes lock the IP out for
2 hours (every request then answers 429 with ``Retry-After``).

Under ``/rest/v1``: ``GET /shifts`` and ``GET /work-sessions`` answer
``{"data": [...], "meta": {...}}``; ``POST /work-sessions`` creates an OPEN work
session (201), ``POST /work-sessions/{id}/actions/clock-out`` closes it (200),
``GET /work-sessions/{id}`` reads one. Validation failures answer 422 with
``{"status", "code", "message"}``.

Knobs: ``fail_next`` (next N answers), ``down`` (connections dropped after the
request was read), ``apply_then_fail`` (the work-session change is made, then
the answer fails), ``expire_access_tokens``, ``wrap_data`` (object answers as
``{"data": {...}}``). Records: ``requests``, ``operations`` (ordered work-session
changes), ``duplicates`` (work sessions opened while the employee had one open).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
import math
import secrets
import time
from typing import Any

from aiohttp import web

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
METHODS = frozenset(
    {"LIVE", "DEVICE", "ADMIN", "PHONE", "BROWSER", "BATCH", "KIOSK", "SHIFT_APP"}
    | {"GUARD_APP", "API", "DELAYED", "SYSTEM"}
)
LOCK_THRESHOLD = 40
LOCK_WINDOW = 120.0
LOCK_DURATION = 7200.0

type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class FakeEmployee:
    """An employee of the portal."""

    id: int
    position: int | None = None
    account: int | None = None
    assigned: bool = True
    requires_location: bool = False


@dataclass(frozen=True)
class RecordedRequest:
    """One request the portal received."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    authorization: str | None


@dataclass(frozen=True)
class WorkSessionOperation:
    """One change made to a work session, in order."""

    op: str  # "clock_in" or "clock_out"
    session_id: int
    employee: int
    at: str


@dataclass
class _Failure:
    """An injected answer for the next matching requests."""

    count: int
    status: int | None
    body: Any
    headers: dict[str, str]
    path: str | None


@dataclass
class FakeTrackTik:
    """A TrackTik portal on 127.0.0.1."""

    client_id: str = "client-id"
    client_secret: str = "client-secret"
    username: str = "api-user"
    password: str = "api-password"
    access_token_ttl: float = 3600.0
    time_zone: tzinfo = UTC
    clock: Callable[[], float] = time.monotonic
    now: Callable[[], datetime] | None = None
    wrap_data: bool = False
    closed_clock_out_status: int = 422
    down: bool = False

    requests: list[RecordedRequest] = field(default_factory=list)
    employees: dict[int, FakeEmployee] = field(default_factory=dict)
    shifts: dict[int, dict[str, Any]] = field(default_factory=dict)
    work_sessions: dict[int, dict[str, Any]] = field(default_factory=dict)
    operations: list[WorkSessionOperation] = field(default_factory=list)
    duplicates: int = 0
    access_tokens: dict[str, float] = field(default_factory=dict)
    refresh_tokens: set[str] = field(default_factory=set)
    spent_refresh_tokens: set[str] = field(default_factory=set)
    password_grants: int = 0
    refresh_grants: int = 0
    failed_logins: list[float] = field(default_factory=list)
    locked_until: float = 0.0

    def __post_init__(self) -> None:
        """Prepare the server and the id counters."""
        self._failures: list[_Failure] = []
        self._apply_then_fail: list[_Failure] = []
        self._next_shift = 100594
        self._next_session = 4592
        self._runner: web.AppRunner | None = None
        self.url = ""

    # Lifecycle

    async def start(self) -> str:
        """Start serving on a free port of 127.0.0.1 and return the portal URL."""
        app = web.Application(middlewares=[self._middleware])
        app.router.add_post("/rest/oauth2/access_token", self._token)
        app.router.add_get("/rest/v1/shifts", self._list_shifts)
        app.router.add_get("/rest/v1/work-sessions", self._list_sessions)
        app.router.add_post("/rest/v1/work-sessions", self._create_session)
        app.router.add_get("/rest/v1/work-sessions/{id}", self._get_session)
        app.router.add_post(
            "/rest/v1/work-sessions/{id}/actions/clock-out", self._clock_out
        )
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def stop(self) -> None:
        """Stop serving."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # Set-up helpers

    def add_employee(
        self,
        employee_id: int,
        *,
        position: int | None = None,
        account: int | None = None,
        assigned: bool = True,
        requires_location: bool = False,
    ) -> FakeEmployee:
        """Add an employee; ``assigned=False`` makes clock-ins fail as the seed says."""
        employee = FakeEmployee(
            employee_id, position, account, assigned, requires_location
        )
        self.employees[employee_id] = employee
        return employee

    def add_shift(
        self,
        employee_id: int,
        start: datetime,
        end: datetime,
        *,
        position: int | None = None,
        account: int | None = None,
    ) -> int:
        """Schedule a shift (aware ``start`` and ``end``) and return its id."""
        employee = self.employees.get(employee_id)
        shift_id = self._next_shift
        self._next_shift += 1
        self.shifts[shift_id] = {
            "id": shift_id,
            "employee": employee_id,
            "position": position or (employee.position if employee else None),
            "account": account or (employee.account if employee else None),
            "startDateTime": start.astimezone(self.time_zone).isoformat(),
            "endDateTime": end.astimezone(self.time_zone).isoformat(),
        }
        return shift_id

    def add_work_session(
        self, employee_id: int, *, started_on: str, status: str = "OPEN"
    ) -> int:
        """Add a work session made elsewhere (the mobile app) and return its id."""
        session = self._new_session(
            {
                "employee": employee_id,
                "startedOn": started_on,
                "clockInMethod": "DEVICE",
            }
        )
        session["status"] = status
        if status == "CLOSED":
            session["endedOn"] = session["endDateTime"] = self._now_iso()
        return int(session["id"])

    def fail_next(
        self,
        status: int | None,
        *,
        count: int = 1,
        body: Any = None,
        headers: dict[str, str] | None = None,
        path: str | None = None,
    ) -> None:
        """Answer the next ``count`` requests (under ``path``) with ``status``.

        ``status=None`` drops the connection instead. ``body`` may be text or JSON.
        """
        self._failures.append(_Failure(count, status, body, headers or {}, path))

    def apply_then_fail(
        self, *, count: int = 1, status: int | None = 504, body: Any = None
    ) -> None:
        """Make the next ``count`` work-session changes, then fail their answers.

        ``status=None`` drops the connection after the change.
        """
        self._apply_then_fail.append(_Failure(count, status, body, {}, None))

    def expire_access_tokens(self) -> None:
        """Make every access token issued so far invalid."""
        self.access_tokens.clear()

    # Queries for tests

    def open_sessions(self, employee_id: int) -> list[dict[str, Any]]:
        """Return the employee's OPEN work sessions."""
        return [
            s
            for s in self.work_sessions.values()
            if s["employee"] == employee_id and s["status"] == "OPEN"
        ]

    def api_requests(self, method: str, path: str) -> list[RecordedRequest]:
        """Return the recorded requests with this method and path."""
        return [r for r in self.requests if r.method == method and r.path == path]

    @property
    def locked(self) -> bool:
        """Return whether the IP is locked out."""
        return self.clock() < self.locked_until

    # Middleware

    @web.middleware
    async def _middleware(
        self, request: web.Request, handler: Handler
    ) -> web.StreamResponse:
        """Record, inject failures, check the bearer token and call the handler."""
        raw = await request.read()
        self.requests.append(
            RecordedRequest(
                request.method,
                request.path,
                dict(request.query),
                _decode(raw, request.content_type),
                request.headers.get("Authorization"),
            )
        )
        if self.down:
            return _drop(request)
        if failure := self._take(self._failures, request.path):
            return _failure_answer(request, failure)
        if self.locked:
            return _json(
                {"error": "too_many_attempts", "error_description": "IP locked out"},
                429,
                headers={
                    "Retry-After": str(math.ceil(self.locked_until - self.clock()))
                },
            )
        if request.path.startswith("/rest/v1/") and not self._authorized(request):
            return _json({"error": "invalid_token", "message": "Unauthorized"}, 401)
        response = await handler(request)
        if (
            request.method == "POST"
            and request.path.startswith("/rest/v1/work-sessions")
            and response.status < 300
            and (failure := self._take(self._apply_then_fail, request.path))
        ):
            return _failure_answer(request, failure)
        return response

    def _take(self, failures: list[_Failure], path: str) -> _Failure | None:
        """Use one injected failure that matches ``path``."""
        for failure in failures:
            if failure.path is None or path.startswith(failure.path):
                failure.count -= 1
                if failure.count <= 0:
                    failures.remove(failure)
                return failure
        return None

    def _authorized(self, request: web.Request) -> bool:
        """Return whether the request carries a valid access token."""
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        expires = self.access_tokens.get(token)
        return scheme == "Bearer" and expires is not None and self.clock() < expires

    # OAuth2

    async def _token(self, request: web.Request) -> web.Response:
        """Answer the password and refresh-token grants."""
        form = await _form(request)
        if (
            form.get("client_id") != self.client_id
            or form.get("client_secret") != self.client_secret
        ):
            if form.get("grant_type") == "password":
                self._login_failed()
            return _oauth_error("invalid_client", "Client authentication failed", 401)
        grant = form.get("grant_type")
        if grant == "password":
            return self._password_grant(form)
        if grant == "refresh_token":
            return self._refresh_grant(form)
        return _oauth_error("unsupported_grant_type", "Unsupported grant type", 400)

    def _password_grant(self, form: dict[str, str]) -> web.Response:
        """Sign the API service account in."""
        self.password_grants += 1
        if (
            form.get("username") != self.username
            or form.get("password") != self.password
        ):
            self._login_failed()
            return _oauth_error(
                "invalid_grant", "Invalid username and password combination", 400
            )
        return self._issue()

    def _refresh_grant(self, form: dict[str, str]) -> web.Response:
        """Swap a refresh token, once, for new tokens."""
        self.refresh_grants += 1
        token = form.get("refresh_token", "")
        if token not in self.refresh_tokens:
            return _oauth_error("invalid_grant", "Invalid refresh token", 400)
        self.refresh_tokens.discard(token)
        self.spent_refresh_tokens.add(token)
        return self._issue()

    def _issue(self) -> web.Response:
        """Issue a new access token and a new refresh token."""
        access, refresh = secrets.token_hex(16), secrets.token_hex(16)
        self.access_tokens[access] = self.clock() + self.access_token_ttl
        self.refresh_tokens.add(refresh)
        return _json(
            {
                "access_token": access,
                "expires_in": self.access_token_ttl,
                "token_type": "Bearer",
                "scope": None,
                "refresh_token": refresh,
            }
        )

    def _login_failed(self) -> None:
        """Count a failed login; lock the IP out after too many."""
        now = self.clock()
        self.failed_logins = [t for t in self.failed_logins if t > now - LOCK_WINDOW]
        self.failed_logins.append(now)
        if len(self.failed_logins) >= LOCK_THRESHOLD:
            self.locked_until = now + LOCK_DURATION

    # Shifts and work sessions

    async def _list_shifts(self, request: web.Request) -> web.Response:
        """List scheduled shifts, filtered by employee and start."""
        shifts = list(self.shifts.values())
        if employee := request.query.get("employee"):
            shifts = [s for s in shifts if str(s["employee"]) == employee]
        if between := request.query.get("startDateTime:between"):
            low, _, high = between.partition("|")
            shifts = [s for s in shifts if self._within(s["startDateTime"], low, high)]
        return _list(shifts)

    async def _list_sessions(self, request: web.Request) -> web.Response:
        """List work sessions, filtered by employee and status."""
        sessions = list(self.work_sessions.values())
        if employee := request.query.get("employee"):
            sessions = [s for s in sessions if str(s["employee"]) == employee]
        if status := request.query.get("status"):
            sessions = [s for s in sessions if s["status"] == status]
        return _list(sessions)

    async def _create_session(self, request: web.Request) -> web.Response:
        """Start a work session (seed 004)."""
        body = await _json_body(request)
        if not isinstance(body, dict):
            return _invalid("BAD_REQUEST", "Body must be a JSON object", 400)
        if problem := self._check_new_session(body):
            return _invalid(*problem)
        if self.open_sessions(body["employee"]):
            self.duplicates += 1
        session = self._new_session(body)
        self.operations.append(
            WorkSessionOperation(
                "clock_in", session["id"], body["employee"], body["startedOn"]
            )
        )
        return self._object(session, 201)

    def _check_new_session(self, body: dict[str, Any]) -> tuple[str, str] | None:
        """Return the code and message of a refused work session, or ``None``."""
        try:
            datetime.strptime(str(body.get("startedOn")), TIME_FORMAT)  # noqa: DTZ007
        except ValueError:
            return "VALIDATION", "startedOn must be YYYY-MM-DD HH:MM:SS"
        if body.get("clockInMethod") not in METHODS or body.get("status") != "OPEN":
            return "VALIDATION", "clockInMethod or status is invalid"
        if not all(isinstance(body.get(k), int) for k in ("position", "account")):
            return "VALIDATION", "position and account are required"
        if (employee := self.employees.get(body.get("employee"))) is None:  # type: ignore[arg-type]
            return "EMPLOYEE_NOT_FOUND", "Employee not found"
        if not employee.assigned:
            return "EMPLOYEE_NOT_ASSIGNED", "Employee is not assigned to a location"
        if employee.requires_location:
            return "LOCATION_MISMATCH", "Latitude and longitude do not match the site"
        shift = body.get("shift")
        if (
            shift is not None
            and self.shifts.get(shift, {}).get("employee") != employee.id
        ):
            return "INVALID_SHIFT", "Shift not found for this employee"
        return None

    def _new_session(self, body: dict[str, Any]) -> dict[str, Any]:
        """Store a new OPEN work session."""
        session_id = self._next_session
        self._next_session += 1
        started = datetime.strptime(body["startedOn"], TIME_FORMAT).replace(
            tzinfo=self.time_zone
        )
        session = {
            "startedOn": started.isoformat(),
            "endedOn": None,
            "startDateTime": started.isoformat(),
            "endDateTime": None,
            "initiationMethod": body["clockInMethod"],
            "clockInMethod": body["clockInMethod"],
            "terminationMethod": "LIVE",
            "clockOutMethod": "LIVE",
            "status": "OPEN",
            "employee": body["employee"],
            "shift": body.get("shift"),
            "position": body.get("position"),
            "account": body.get("account"),
            "id": session_id,
        }
        self.work_sessions[session_id] = session
        return session

    async def _get_session(self, request: web.Request) -> web.Response:
        """Read one work session."""
        if (session := self._session_of(request)) is None:
            return _invalid("NOT_FOUND", "Work session not found", 404)
        return self._object(session)

    async def _clock_out(self, request: web.Request) -> web.Response:
        """End a work session (seed 004)."""
        body = await _json_body(request)
        if (session := self._session_of(request)) is None:
            return _invalid("NOT_FOUND", "Work session not found", 404)
        if not isinstance(body, dict) or body.get("clockOutMethod") not in METHODS:
            return _invalid("VALIDATION", "clockOutMethod is invalid")
        if session["status"] == "CLOSED":
            return _invalid(
                "WORK_SESSION_CLOSED",
                "The work session is already closed",
                self.closed_clock_out_status,
            )
        ended = self._now_iso()
        session.update(
            endedOn=ended,
            endDateTime=ended,
            terminationMethod=body["clockOutMethod"],
            clockOutMethod=body["clockOutMethod"],
            status="CLOSED",
        )
        self.operations.append(
            WorkSessionOperation("clock_out", session["id"], session["employee"], ended)
        )
        return self._object(session)

    def _session_of(self, request: web.Request) -> dict[str, Any] | None:
        """Return the work session named in the path."""
        try:
            return self.work_sessions.get(int(request.match_info["id"]))
        except ValueError:
            return None

    def _object(self, value: dict[str, Any], status: int = 200) -> web.Response:
        """Answer one object, wrapped in ``data`` when asked."""
        return _json({"data": value} if self.wrap_data else value, status)

    def _now_iso(self) -> str:
        """Return the portal's current time."""
        now = self.now() if self.now else datetime.now(self.time_zone)
        return now.astimezone(self.time_zone).replace(microsecond=0).isoformat()

    def _within(self, value: str, low: str, high: str) -> bool:
        """Return whether an ISO time lies between two local wall-clock bounds."""
        moment = datetime.fromisoformat(value)
        try:
            bounds = [
                datetime.strptime(b.strip(), TIME_FORMAT).replace(tzinfo=self.time_zone)
                for b in (low, high)
            ]
        except ValueError:
            return True
        return bounds[0] <= moment <= bounds[1]


def _decode(raw: bytes, content_type: str) -> Any:
    """Decode a recorded body for tests."""
    import json
    from urllib.parse import parse_qsl

    text = raw.decode("utf-8", errors="replace")
    if content_type == "application/x-www-form-urlencoded":
        return dict(parse_qsl(text))
    try:
        return json.loads(text) if text else None
    except ValueError:
        return text


async def _form(request: web.Request) -> dict[str, str]:
    """Read an OAuth2 request body, form or JSON."""
    if request.content_type == "application/json":
        body = await _json_body(request)
        return {k: str(v) for k, v in body.items()} if isinstance(body, dict) else {}
    return {k: str(v) for k, v in (await request.post()).items()}


async def _json_body(request: web.Request) -> Any:
    """Return the JSON body, or ``None`` when it is not JSON."""
    try:
        return await request.json()
    except ValueError:
        return None


def _json(
    body: Any, status: int = 200, *, headers: dict[str, str] | None = None
) -> web.Response:
    """Answer JSON."""
    return web.json_response(body, status=status, headers=headers)


def _list(items: list[dict[str, Any]]) -> web.Response:
    """Answer a TrackTik list."""
    count = len(items)
    pagination = {"total": count, "count": count, "per_page": 100}
    return _json({"data": items, "meta": {"pagination": pagination}})


def _invalid(code: str, message: str, status: int = 422) -> web.Response:
    """Answer a validation error."""
    return _json({"status": status, "code": code, "message": message}, status)


def _oauth_error(error: str, description: str, status: int) -> web.Response:
    """Answer an OAuth2 error."""
    return _json({"error": error, "error_description": description}, status)


def _failure_answer(request: web.Request, failure: _Failure) -> web.StreamResponse:
    """Answer with an injected failure."""
    if failure.status is None:
        return _drop(request)
    if failure.body is None or isinstance(failure.body, str):
        return web.Response(
            text=failure.body or "", status=failure.status, headers=failure.headers
        )
    return _json(failure.body, failure.status, headers=failure.headers)


def _drop(request: web.Request) -> web.StreamResponse:
    """Close the connection without answering."""
    if request.transport is not None:
        request.transport.abort()
    return web.Response(status=500)
