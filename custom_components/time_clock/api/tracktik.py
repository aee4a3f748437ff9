"""The TrackTik client: open and close work sessions through the portal's REST API.

TrackTik signs in with the OAuth2 password grant of an API service account at
``{portal}/rest/oauth2/access_token``. Refresh tokens are single-use and rotate,
so every new one goes to ``on_tokens`` at once. A failed login is never retried
by the client itself: 40 failed logins in 2 minutes lock the IP out for 2 hours.

``clock_in`` creates a work session (``POST /rest/v1/work-sessions``) for the
employee's scheduled shift of the day, or for the position and account
configured for the employee; ``clock_out`` closes it
(``POST /rest/v1/work-sessions/{id}/actions/clock-out``).

The seed shows no list answers; the client reads the usual TrackTik list shape
``{"data": [...], "meta": {...}}`` (a bare list is accepted too) and takes
references as numbers, numeric strings or ``{"id": ...}`` objects.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, tzinfo
import logging
import time
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from .errors import (
    TimeClockAccountError,
    TimeClockAuthenticationError,
    TimeClockConnectionError,
    TimeClockError,
    TimeClockRateLimitedError,
    TimeClockRejectedError,
)
from .http import (
    AMBIGUOUS_STATUSES,
    Response,
    async_probe,
    async_request,
    first_text,
    seconds,
)
from .models import AccountInfo, Action, Delivery, PunchRequest

LOGGER = logging.getLogger(__package__)

API_PATH = "/rest/v1"
OAUTH_PATH = "/rest/oauth2/access_token"
STATE_KEY = "work_session_id"
DEFAULT_EXPIRES_IN = 3600.0
EXPIRY_MARGIN = 60.0
LIST_LIMIT = "100"
METHOD = "API"
OPEN = "OPEN"
CLOSED = "CLOSED"
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
REFUSED_GRANT_STATUSES = frozenset({400, 401, 403})
REJECT_STATUSES = frozenset({400, 404, 409, 422})
CODE_KEYS = ("code", "errorCode", "error")
MESSAGE_KEYS = ("message", "detail", "error_description", "title")


class _GrantRefusedError(Exception):
    """The token endpoint refused a grant (bad credentials or a spent refresh token)."""


class TrackTikClient:
    """A TrackTik portal reached with an API service account."""

    def __init__(
        self,
        *,
        session: aiohttp.ClientSession,
        portal_url: str,
        client_id: str,
        client_secret: str,
        username: str,
        password: str,
        time_zone: tzinfo,
        refresh_token: str | None = None,
        on_tokens: Callable[[str], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Remember the portal, the credentials and the last stored refresh token."""
        self._session = session
        self._portal_url = portal_url.rstrip("/")
        self._host = urlsplit(self._portal_url).netloc.rpartition("@")[2].lower()
        self._client_id = client_id
        self._client_secret = client_secret
        self._username = username
        self._password = password
        self._tz = time_zone
        self._refresh_token = refresh_token or None
        self._on_tokens = on_tokens
        self._clock = clock
        self._access_token: str | None = None
        self._expires_at = 0.0
        self._login_failed = False
        self._lock = asyncio.Lock()
        # Work session picked by lookup for a clock-out, per punch, so an
        # uncertain retry checks the same session instead of looking again.
        self._closing: dict[str, int] = {}

    async def async_validate(self) -> AccountInfo:
        """Sign in once with the password grant and describe the account."""
        async with self._lock:
            self._raise_if_login_failed()
            await self._async_login()
        return AccountInfo(
            unique_id=f"{self._host}:{self._username.lower()}", title=self._host
        )

    async def async_deliver(self, punch: PunchRequest) -> Delivery:
        """Open or close the employee's work session."""
        if punch.action is Action.CLOCK_IN:
            return await self._async_clock_in(punch)
        return await self._async_clock_out(punch)

    async def async_probe(self) -> bool:
        """Return whether the backend answers at all (no credentials sent)."""
        return await async_probe(self._session, self._portal_url)

    async def async_fetch_states(
        self, persons: Sequence[str]
    ) -> Mapping[str, bool] | None:
        """Return ``None``: the work sessions of everyone are no cheap read."""
        return None

    # Work sessions

    async def _async_clock_in(self, punch: PunchRequest) -> Delivery:
        """Create a work session, unless an uncertain attempt already did."""
        employee = _employee_id(punch)
        if (
            punch.uncertain
            and (found := await self._async_open_session(employee)) is not None
        ):
            LOGGER.debug("TrackTik work session already open; not creating another")
            return Delivery(state={STATE_KEY: found})
        body = await self._async_session_body(employee, punch)
        resp = await self._async_api("POST", "/work-sessions", json=body)
        _raise_for_status(resp)
        if (session_id := _ref_id(_unwrap(resp).get("id"))) is None:
            raise TimeClockConnectionError(
                "TrackTik answered with no work session id", ambiguous=True
            )
        return Delivery(state={STATE_KEY: session_id})

    async def _async_session_body(
        self, employee: int, punch: PunchRequest
    ) -> dict[str, Any]:
        """Build the new work session from the shift of the day or the employee's settings."""
        when = punch.time.astimezone(self._tz)
        shift = await self._async_shift_of_day(employee, when) or {}
        position = _first_id(shift.get("position"), punch.extras.get("position"))
        account = _first_id(
            shift.get("account"), shift.get("client"), punch.extras.get("account")
        )
        if position is None or account is None:
            raise TimeClockRejectedError(
                "No scheduled shift and no position and account configured for the employee",
                code="MISSING_POSITION_OR_ACCOUNT",
            )
        body: dict[str, Any] = {
            "startedOn": when.strftime(TIME_FORMAT),
            "clockInMethod": METHOD,
            "status": OPEN,
            "employee": employee,
        }
        if (shift_id := _ref_id(shift.get("id"))) is not None:
            body["shift"] = shift_id
        return body | {"position": position, "account": account}

    async def _async_clock_out(self, punch: PunchRequest) -> Delivery:
        """Close the employee's work session."""
        session_id = await self._async_session_to_close(punch)
        try:
            delivery = await self._async_close(session_id, verify=punch.uncertain)
        except (TimeClockConnectionError, TimeClockRateLimitedError):
            raise
        except TimeClockError:
            self._closing.pop(punch.punch_id, None)
            raise
        self._closing.pop(punch.punch_id, None)
        return delivery

    async def _async_session_to_close(self, punch: PunchRequest) -> int:
        """Return the stored work session, else the one picked before, else the open one."""
        if (session_id := _ref_id(punch.state.get(STATE_KEY))) is not None:
            return session_id
        if (session_id := self._closing.get(punch.punch_id)) is not None:
            return session_id
        if (session_id := await self._async_open_session(_employee_id(punch))) is None:
            raise TimeClockRejectedError(
                "The employee has no open work session", code="NO_OPEN_WORK_SESSION"
            )
        self._closing[punch.punch_id] = session_id
        return session_id

    async def _async_close(self, session_id: int, *, verify: bool) -> Delivery:
        """Clock a work session out; when ``verify``, first see whether it is closed."""
        path = f"/work-sessions/{session_id}"
        if verify:
            resp = await self._async_api("GET", path)
            _raise_for_status(resp)
            if (session := _unwrap(resp)).get("status") == CLOSED:
                LOGGER.debug("TrackTik work session already closed; not closing again")
                return Delivery(state={}, stamped_at=self._time(session))
        resp = await self._async_api(
            "POST", f"{path}/actions/clock-out", json={"clockOutMethod": METHOD}
        )
        try:
            _raise_for_status(resp)
        except TimeClockRejectedError:
            # TrackTik closes sessions itself (automatic clock-out after the shift):
            # then the clock-out has nothing left to do, which is not a failure.
            if verify:
                raise
            check = await self._async_api("GET", path)
            if check.status >= 300 or _unwrap(check).get("status") != CLOSED:
                raise
            LOGGER.info("TrackTik had already closed the work session")
            return Delivery(state={}, stamped_at=self._time(_unwrap(check)))
        session = _unwrap(resp) if resp.text.strip() else {}
        return Delivery(state={}, stamped_at=self._time(session))

    async def _async_open_session(self, employee: int) -> int | None:
        """Return the id of the employee's newest open work session, if any."""
        params = {"employee": str(employee), "status": OPEN, "limit": LIST_LIMIT}
        resp = await self._async_api("GET", "/work-sessions", params=params)
        _raise_for_status(resp)
        ids = [
            session_id
            for item in _items(resp)
            if _ref_id(item.get("employee"), employee) == employee
            and item.get("status", OPEN) == OPEN
            and (session_id := _ref_id(item.get("id"))) is not None
        ]
        return max(ids, default=None)

    async def _async_shift_of_day(
        self, employee: int, when: datetime
    ) -> dict[str, Any] | None:
        """Return the employee's scheduled shift of the punch's day, if any."""
        day = when.date().isoformat()
        params = {
            "employee": str(employee),
            "startDateTime:between": f"{day} 00:00:00|{day} 23:59:59",
            "limit": LIST_LIMIT,
        }
        resp = await self._async_api("GET", "/shifts", params=params)
        if resp.status in REJECT_STATUSES or resp.status == 403:
            LOGGER.debug(
                "TrackTik shifts unreadable (HTTP %s); using configured position",
                resp.status,
            )
            return None
        _raise_for_status(resp)
        return self._pick_shift(_items(resp), employee, when)

    def _pick_shift(
        self, shifts: list[dict[str, Any]], employee: int, when: datetime
    ) -> dict[str, Any] | None:
        """Pick the shift under way at ``when``, else the one starting nearest that day."""
        ranked = [
            (rank, index)
            for index, shift in enumerate(shifts)
            if (rank := self._shift_rank(shift, employee, when)) is not None
        ]
        return shifts[min(ranked)[1]] if ranked else None

    def _shift_rank(
        self, shift: Mapping[str, Any], employee: int, when: datetime
    ) -> tuple[bool, float] | None:
        """Rank a shift for a punch at ``when`` (lower is better); ``None`` if unfit."""
        if _ref_id(shift.get("employee"), employee) != employee:
            return None
        if (
            start := self._parse(shift.get("startDateTime") or shift.get("startedOn"))
        ) is None:
            return None
        end = self._parse(shift.get("endDateTime") or shift.get("endedOn"))
        during = start <= when and (end is None or when < end)
        if not during and start.astimezone(self._tz).date() != when.date():
            return None
        return (not during, abs((start - when).total_seconds()))

    def _time(self, session: Mapping[str, Any]) -> datetime | None:
        """Return when TrackTik says the work session ended."""
        return self._parse(session.get("endedOn") or session.get("endDateTime"))

    def _parse(self, value: Any) -> datetime | None:
        """Parse a TrackTik date-time; one without a zone is the portal's local time."""
        if not isinstance(value, str):
            return None
        try:
            parsed = datetime.fromisoformat(value.strip().replace(" ", "T", 1))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=self._tz)

    # Transport and tokens

    async def _async_api(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
    ) -> Response:
        """Send one API request; after a 401, get a new token and send it once more."""
        resp = await self._async_send(method, path, params=params, json=json)
        if resp.status == 401:
            LOGGER.debug("TrackTik refused the access token; getting a new one")
            resp = await self._async_send(method, path, params=params, json=json)
        return resp

    async def _async_send(
        self, method: str, path: str, *, params: Mapping[str, str] | None, json: Any
    ) -> Response:
        """Send one API request with the current access token."""
        token = await self._async_token()
        resp = await async_request(
            self._session,
            method,
            f"{self._portal_url}{API_PATH}{path}",
            headers={"Authorization": f"Bearer {token}"},
            params=params,
            json=json,
        )
        if resp.status == 401 and self._access_token == token:
            self._access_token = None
        return resp

    async def _async_token(self) -> str:
        """Return a valid access token, refreshing or signing in when needed."""
        async with self._lock:
            self._raise_if_login_failed()
            if self._access_token is not None and self._clock() < self._expires_at:
                return self._access_token
            if self._refresh_token is not None:
                try:
                    return await self._async_grant(
                        {
                            "grant_type": "refresh_token",
                            "refresh_token": self._refresh_token,
                        }
                    )
                except _GrantRefusedError:
                    LOGGER.debug("TrackTik refused the refresh token; signing in again")
                    self._refresh_token = None
            return await self._async_login()

    async def _async_login(self) -> str:
        """Sign in once with the password grant; remember a refusal for good."""
        try:
            return await self._async_grant(
                {
                    "grant_type": "password",
                    "username": self._username,
                    "password": self._password,
                }
            )
        except _GrantRefusedError as err:
            self._login_failed = True
            raise TimeClockAuthenticationError(
                "TrackTik refused the login; reauthentication needed"
            ) from err

    def _raise_if_login_failed(self) -> None:
        """Refuse to try again after a failed login (the portal locks the IP out)."""
        if self._login_failed:
            raise TimeClockAuthenticationError(
                "TrackTik refused the login earlier; waiting for new credentials"
            )

    async def _async_grant(self, grant: dict[str, str]) -> str:
        """Ask the token endpoint for tokens, store them and return the access token."""
        data = grant | {
            "client_id": self._client_id,
            "client_secret": self._client_secret,
        }
        resp = await async_request(
            self._session, "POST", f"{self._portal_url}{OAUTH_PATH}", data=data
        )
        if resp.status in REFUSED_GRANT_STATUSES:
            raise _GrantRefusedError(_error_details(resp, "invalid_grant")[0])
        if resp.status == 404:
            raise TimeClockAccountError(
                "No TrackTik token endpoint at this portal URL", reason="unknown_tenant"
            )
        _raise_for_status(resp)
        return self._store_tokens(resp)

    def _store_tokens(self, resp: Response) -> str:
        """Keep the tokens of a token answer and hand the new refresh token over."""
        body = resp.json()
        if (
            not isinstance(body, dict)
            or not isinstance(token := body.get("access_token"), str)
            or not token
        ):
            raise TimeClockConnectionError(
                "TrackTik sent an unexpected token answer", ambiguous=True
            )
        refresh = body.get("refresh_token")
        self._refresh_token = refresh if isinstance(refresh, str) and refresh else None
        if self._refresh_token is not None and self._on_tokens is not None:
            self._on_tokens(self._refresh_token)
        expires_in = seconds(body.get("expires_in")) or DEFAULT_EXPIRES_IN
        self._access_token = token
        self._expires_at = (
            self._clock() + expires_in - min(EXPIRY_MARGIN, expires_in / 2)
        )
        return token


def _employee_id(punch: PunchRequest) -> int:
    """Return the TrackTik employee id of a punch."""
    if (employee := _ref_id(punch.person)) is None:
        raise TimeClockRejectedError(
            "The TrackTik employee id must be a number", code="INVALID_EMPLOYEE"
        )
    return employee


def _ref_id(value: Any, default: int | None = None) -> int | None:
    """Return the id of a reference: a number, a numeric string or an object with an id."""
    if isinstance(value, Mapping):
        value = value.get("id")
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return default


def _first_id(*values: Any) -> int | None:
    """Return the first of ``values`` that is a usable id."""
    return next(
        (found for value in values if (found := _ref_id(value)) is not None), None
    )


def _unwrap(resp: Response) -> dict[str, Any]:
    """Return the object of an answer, unwrapping ``{"data": {...}}``."""
    body = resp.json()
    if isinstance(body, dict) and isinstance(body.get("data"), dict):
        body = body["data"]
    if not isinstance(body, dict):
        raise TimeClockConnectionError(
            "TrackTik sent an unexpected answer", ambiguous=True
        )
    return body


def _items(resp: Response) -> list[dict[str, Any]]:
    """Return the objects of a list answer: ``{"data": [...]}`` or a bare list."""
    body = resp.json()
    if isinstance(body, dict):
        body = body.get("data")
    if not isinstance(body, list):
        raise TimeClockConnectionError(
            "TrackTik sent an unexpected list", ambiguous=True
        )
    return [item for item in body if isinstance(item, dict)]


def _raise_for_status(resp: Response) -> None:
    """Raise the error that an API answer's status means."""
    status = resp.status
    if 200 <= status < 300:
        return
    if status in (401, 403):
        raise TimeClockAuthenticationError(f"TrackTik refused access (HTTP {status})")
    if status == 429:
        raise TimeClockRateLimitedError(
            "TrackTik rate limit reached", retry_after=resp.retry_after()
        )
    if status in REJECT_STATUSES:
        code, message = _error_details(
            resp, "NOT_FOUND" if status == 404 else "VALIDATION"
        )
        raise TimeClockRejectedError(message, code=code)
    raise TimeClockConnectionError(
        f"TrackTik answered HTTP {status}", ambiguous=status in AMBIGUOUS_STATUSES
    )


def _error_details(resp: Response, default: str) -> tuple[str, str]:
    """Return the code and message of an error answer, read leniently."""
    body = resp.json()
    sources: list[Mapping[str, Any]] = []
    if isinstance(body, dict):
        sources.append(body)
        for key in ("error", "errors"):
            nested = body.get(key)
            if isinstance(nested, list) and nested:
                nested = nested[0]
            if isinstance(nested, dict):
                sources.append(nested)
    code = first_text(sources, *CODE_KEYS) or default
    message = (
        first_text(sources, *MESSAGE_KEYS) or f"TrackTik answered HTTP {resp.status}"
    )
    return code, message[:200]
