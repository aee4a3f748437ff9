"""A local fake of the SonoranCMS API that behaves as its documents say.

Endpoints: ``/general/clock_in_out`` (a plain item toggles, ``forceClockIn``
starts a new shift replacing a running one, ``forceClockOut`` ends a shift or
leaves an account that is off as it is), ``/general/get_current_clock_in`` (a
clock record while on shift, ``Not Clocked In`` otherwise) and
``/general/get_sub_version`` (the plan number as text).

Answers: ``answer_style`` "text" (200, one result line per item), "json" (201, a
JSON string or an array of strings) or "record" (201, a clock record or an array
of them). ``batch_style`` "summary" answers a batch with an unmappable ``OK``.
Every accepted clock item is recorded in ``transitions`` (account, flags, state
before and after), so tests can assert that no shift was toggled the wrong way.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
import json
import time
from typing import Any

from aiohttp import web

ID_KINDS = ("apiId", "username", "accId", "discord", "uniqueId")
NOT_LINKED = "API ID NOT LINKED TO AN ACCOUNT IN THIS COMMUNITY"
NO_ACCOUNT = "NO ACCOUNT FOUND UNDER GIVEN PARAMETERS IN THIS COMMUNITY"
TYPES = {
    "clock_in_out": "CLOCK_IN_OUT",
    "get_current_clock_in": "GET_CURRENT_CLOCK_IN",
    "get_sub_version": "GET_SUB_VERSION",
}


_PASS = -1  # an injected "failure" that lets the request through


class _AnswerError(Exception):
    """Stop handling a request with this answer."""

    def __init__(self, response: web.StreamResponse) -> None:
        super().__init__("answer")
        self.response = response


@dataclass
class FakeAccount:
    """A community account and its clock state."""

    acc_id: str
    api_id: str | None = None
    username: str | None = None
    discord: str | None = None
    unique_id: int | None = None
    on_shift: bool = False
    started_at: datetime | None = None
    record_id: int = 0

    def identifiers(self) -> dict[str, Any]:
        """Return the account's identifiers by kind."""
        return {
            "apiId": self.api_id,
            "username": self.username,
            "accId": self.acc_id,
            "discord": self.discord,
            "uniqueId": self.unique_id,
        }


@dataclass(frozen=True)
class Transition:
    """One accepted clock item and what it did."""

    acc_id: str
    flag: str | None
    before: bool
    after: bool
    answer: str
    restarted: bool = False


@dataclass
class _Failure:
    """An injected answer: a status and body, or ``None`` to drop the connection."""

    status: int | None
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    after_apply: bool = False


class FakeSonoran:
    """A SonoranCMS community served on 127.0.0.1."""

    def __init__(
        self, *, community_id: str = "AcmeRP", api_key: str = "key-123", plan: int = 3
    ) -> None:
        """Start with no accounts and every knob at its documented default."""
        self.community_id = community_id
        self.api_key = api_key
        self.plan = plan
        self.plan_text = "CLOCK IN/OUT REQUIRES THE PLUS PLAN SUBSCRIPTION"
        self.accounts: list[FakeAccount] = []
        self.requests: list[dict[str, Any]] = []
        self.transitions: list[Transition] = []
        self.answer_style = "text"
        self.batch_style = "lines"
        self.not_linked_status = 404
        self.partial_batches = False
        self.rate_limit: int | None = None
        self.rate_window = 1.0
        self.retry_after = "2"
        self.down = False
        self.ignore_force_out = False  # an API that treats forceClockOut as a toggle
        self._failures: deque[_Failure] = deque()
        self._sent: deque[float] = deque()
        self._records = 0
        self._runner: web.AppRunner | None = None

    # knobs -----------------------------------------------------------------

    def add_account(self, acc_id: str, **kwargs: Any) -> FakeAccount:
        """Add a community account (api_id, username, discord, unique_id, on_shift)."""
        account = FakeAccount(acc_id=acc_id, **kwargs)
        if account.on_shift:
            self._start(account)
        self.accounts.append(account)
        return account

    def account(self, acc_id: str) -> FakeAccount:
        """Return the account with this account id."""
        return next(a for a in self.accounts if a.acc_id == acc_id)

    def set_on_shift(self, acc_id: str, on_shift: bool) -> None:
        """Change an account's state behind the client's back (web or game UI)."""
        account = self.account(acc_id)
        if on_shift:
            self._start(account)
        account.on_shift = on_shift

    def fail_next(
        self,
        count: int = 1,
        *,
        status: int = 500,
        body: str = "Internal Server Error",
        headers: dict[str, str] | None = None,
        after: int = 0,
    ) -> None:
        """Answer ``count`` requests, after ``after`` normal ones, changing nothing."""
        for _ in range(after):
            self._failures.append(_Failure(_PASS))
        for _ in range(count):
            self._failures.append(_Failure(status, body, dict(headers or {})))

    def drop_next(self, count: int = 1) -> None:
        """Close the connection of the next ``count`` requests, changing nothing."""
        for _ in range(count):
            self._failures.append(_Failure(None))

    def apply_then_fail(
        self, count: int = 1, *, status: int | None = 500, after: int = 0
    ) -> None:
        """Apply ``count`` requests after ``after`` normal ones, then answer ``status`` or drop."""
        for _ in range(after):
            self._failures.append(_Failure(_PASS))
        for _ in range(count):
            self._failures.append(_Failure(status, "Internal Server Error", {}, True))

    def clock_requests(self) -> list[dict[str, Any]]:
        """Return the bodies of the clock requests received."""
        return [r for r in self.requests if r.get("path") == "clock_in_out"]

    def shifts_of(self, acc_id: str) -> list[Transition]:
        """Return the transitions of one account, in order."""
        return [t for t in self.transitions if t.acc_id == acc_id]

    # server ----------------------------------------------------------------

    async def start(self) -> str:
        """Serve on a free port of 127.0.0.1; return the base URL."""
        app = web.Application()
        app.router.add_post("/general/{endpoint}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        return f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        """Stop serving."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        """Answer one request."""
        endpoint = request.match_info["endpoint"]
        raw = await request.text()
        try:
            body = json.loads(raw)
        except ValueError:
            body = {"raw": raw}
        if isinstance(body, dict):
            self.requests.append({"path": endpoint, **body})
        failure = self._failures.popleft() if self._failures else None
        if failure is not None and failure.status == _PASS:
            failure = None
        if self.down or (
            failure and failure.status is None and not failure.after_apply
        ):
            return self._drop(request)
        if failure is not None and not failure.after_apply:
            return _text(failure.status or 500, failure.body, failure.headers)
        try:
            response = self._answer(endpoint, body)
        except _AnswerError as answer:
            return answer.response
        if failure is not None:
            if failure.status is None:
                return self._drop(request)
            return _text(failure.status, failure.body)
        return response

    @staticmethod
    def _drop(request: web.Request) -> web.StreamResponse:
        """Close the connection without an answer."""
        if request.transport is not None:
            request.transport.close()
        return web.Response(status=500)  # never reaches the client

    def _answer(self, endpoint: str, body: Any) -> web.StreamResponse:
        """Check the common fields and dispatch to the endpoint."""
        if self._rate_limited():
            return _text(429, "TOO MANY REQUESTS", {"Retry-After": self.retry_after})
        if not isinstance(body, dict) or endpoint not in TYPES:
            return _text(404, "Not Found")
        if body.get("id") != self.community_id:
            return _text(400, "INVALID COMMUNITY ID")
        if body.get("key") != self.api_key:
            return _text(400, "INVALID API KEY")
        if body.get("type") != TYPES[endpoint]:
            return _text(400, "INVALID REQUEST TYPE")
        if endpoint == "get_sub_version":
            return _text(200, str(self.plan))
        if endpoint == "get_current_clock_in":
            return self._current(body.get("data"))
        return self._clock(body.get("data"))

    def _rate_limited(self) -> bool:
        """Count the request; return whether it exceeds the configured rate."""
        now = time.monotonic()
        while self._sent and self._sent[0] <= now - self.rate_window:
            self._sent.popleft()
        if self.rate_limit is not None and len(self._sent) >= self.rate_limit:
            return True
        self._sent.append(now)
        return False

    def _find(self, ident: Any) -> FakeAccount:
        """Return the account an identifier object names, or raise its answer."""
        if not isinstance(ident, dict):
            raise _AnswerError(_text(400, "INVALID REQUEST DATA"))
        kinds = [kind for kind in ID_KINDS if ident.get(kind) is not None]
        if len(kinds) != 1:
            raise _AnswerError(_text(400, NO_ACCOUNT))
        kind = kinds[0]
        for account in self.accounts:
            if account.identifiers()[kind] == ident[kind]:
                return account
        if kind == "apiId":
            raise _AnswerError(_text(self.not_linked_status, NOT_LINKED))
        raise _AnswerError(_text(400, NO_ACCOUNT))

    def _current(self, ident: Any) -> web.StreamResponse:
        """Answer the current clock-in of one account."""
        account = self._find(ident)
        if account.on_shift:
            return _json(201, self._record(account))
        return _text(201, "Not Clocked In")

    def _clock(self, items: Any) -> web.StreamResponse:
        """Apply clock items and answer one result per item."""
        if self.plan < 3:
            return _text(400, self.plan_text)
        if not isinstance(items, list) or not items:
            return _text(400, "INVALID REQUEST DATA")
        if not self.partial_batches:
            for item in items:
                self._find(item)
        results = [self._apply(self._find(item), item) for item in items]
        return self._results(results)

    def _apply(self, account: FakeAccount, item: dict[str, Any]) -> dict[str, Any]:
        """Apply one clock item; return its answer text and record."""
        before = account.on_shift
        flag = next((f for f in ("forceClockIn", "forceClockOut") if item.get(f)), None)
        if flag == "forceClockOut" and self.ignore_force_out:
            flag = None
        restarted = flag == "forceClockIn" and before
        if flag == "forceClockIn":
            answer = "FORCE CLOCKED IN"
            self._start(account)
        elif flag == "forceClockOut" or before:
            answer = "CLOCKED OUT"
            account.on_shift = False
        else:
            answer = "CLOCKED IN"
            self._start(account)
        self.transitions.append(
            Transition(
                account.acc_id, flag, before, account.on_shift, answer, restarted
            )
        )
        return {"answer": answer, "record": self._record(account)}

    def _start(self, account: FakeAccount) -> None:
        """Start a new shift record for the account."""
        self._records += 1
        account.on_shift = True
        account.started_at = datetime.now(UTC).replace(microsecond=0)
        account.record_id = self._records

    def _record(self, account: FakeAccount) -> dict[str, Any]:
        """Return the account's latest clock record as the API shows it."""
        start = account.started_at or datetime(2025, 2, 23, 4, 28, 40, tzinfo=UTC)
        return {
            "id": account.record_id,
            "startTime": start.strftime("%Y-%m-%d %H:%M:%S.000 %z"),
            "endTime": None if account.on_shift else "2025-02-23 12:00:00.000 +0000",
            "completed": not account.on_shift,
            "notes": [],
        }

    def _results(self, results: list[dict[str, Any]]) -> web.StreamResponse:
        """Answer the results of the clock items in the configured style."""
        if len(results) > 1 and self.batch_style == "summary":
            return _text(200, "OK")
        if self.answer_style == "text":
            return _text(200, "\n".join(r["answer"] for r in results))
        key = "answer" if self.answer_style == "json" else "record"
        values = [r[key] for r in results]
        return _json(201, values[0] if len(values) == 1 else values)


def _text(
    status: int, body: str, headers: dict[str, str] | None = None
) -> web.Response:
    """Return a text answer."""
    return web.Response(status=status, text=body, headers=headers)


def _json(status: int, body: Any) -> web.Response:
    """Return a JSON answer."""
    return web.json_response(body, status=status)
