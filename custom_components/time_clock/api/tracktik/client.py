"""The TrackTik client: open and close work sessions through the portal's REST API.

``clock_in`` creates a work session (``POST /rest/v1/work-sessions``) for the
employee's scheduled shift of the day, or for the position and account
configured for the employee; ``clock_out`` closes it
(``POST /rest/v1/work-sessions/{id}/actions/clock-out``).
"""

# api/ imports only itself, relatively, so it can be lifted out whole.
# ruff: noqa: TID252

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, tzinfo
import logging
import time
from typing import Any, Final
from urllib.parse import urlsplit

import aiohttp

from ..errors import (
    TimeClockConnectionError,
    TimeClockError,
    TimeClockRateLimitedError,
    TimeClockRejectedError,
)
from ..http import HttpBackend, Response
from ..models import AccountInfo, Action, Delivery, PunchRequest
from .answers import (
    REJECT_STATUSES,
    employee_id,
    first_id,
    items,
    raise_for_status,
    ref_id,
    unwrap,
)
from .token import ServiceAccount, TrackTikAuth

LOGGER = logging.getLogger(__package__)

API_PATH: Final = "/rest/v1"
STATE_KEY: Final = "work_session_id"
LIST_LIMIT: Final = "100"
METHOD: Final = "API"
OPEN: Final = "OPEN"
CLOSED: Final = "CLOSED"
TIME_FORMAT: Final = "%Y-%m-%d %H:%M:%S"


class TrackTikClient(HttpBackend):
    """A TrackTik portal reached with an API service account.

    States are not read: the work sessions of everyone are no cheap read.
    """

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
        self._portal_url = portal_url.rstrip("/")
        super().__init__(session, self._portal_url)
        self._host = urlsplit(self._portal_url).netloc.rpartition("@")[2].lower()
        self._username = username
        self._tz = time_zone
        account = ServiceAccount(
            client_id=client_id,
            client_secret=client_secret,
            username=username,
            password=password,
        )
        self._auth = TrackTikAuth(
            session=session,
            portal_url=self._portal_url,
            account=account,
            refresh_token=refresh_token,
            on_tokens=on_tokens,
            clock=clock,
        )
        # Work session picked by lookup for a clock-out, per punch, so an
        # uncertain retry checks the same session instead of looking again.
        self._closing: dict[str, int] = {}

    async def async_validate(self) -> AccountInfo:
        """Sign in once with the password grant and describe the account."""
        await self._auth.async_sign_in()
        return AccountInfo(
            unique_id=f"{self._host}:{self._username.lower()}", title=self._host
        )

    async def async_deliver(self, punch: PunchRequest) -> Delivery:
        """Open or close the employee's work session."""
        if punch.action is Action.CLOCK_IN:
            return await self._async_clock_in(punch)
        return await self._async_clock_out(punch)

    # Work sessions

    async def _async_clock_in(self, punch: PunchRequest) -> Delivery:
        """Create a work session, unless an uncertain attempt already did."""
        employee = employee_id(punch)
        if (
            punch.uncertain
            and (found := await self._async_open_session(employee)) is not None
        ):
            LOGGER.debug("TrackTik work session already open; not creating another")
            return Delivery(state={STATE_KEY: found})
        body = await self._async_session_body(employee, punch)
        resp = await self._async_api("POST", "/work-sessions", json=body)
        raise_for_status(resp)
        if (session_id := ref_id(unwrap(resp).get("id"))) is None:
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
        position = first_id(shift.get("position"), punch.extras.get("position"))
        account = first_id(
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
        if (shift_id := ref_id(shift.get("id"))) is not None:
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
        if (session_id := ref_id(punch.state.get(STATE_KEY))) is not None:
            return session_id
        if (session_id := self._closing.get(punch.punch_id)) is not None:
            return session_id
        if (session_id := await self._async_open_session(employee_id(punch))) is None:
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
            raise_for_status(resp)
            if (session := unwrap(resp)).get("status") == CLOSED:
                LOGGER.debug("TrackTik work session already closed; not closing again")
                return Delivery(state={}, stamped_at=self._time(session))
        resp = await self._async_api(
            "POST", f"{path}/actions/clock-out", json={"clockOutMethod": METHOD}
        )
        try:
            raise_for_status(resp)
        except TimeClockRejectedError:
            # TrackTik closes sessions itself (automatic clock-out after the shift):
            # then the clock-out has nothing left to do, which is not a failure.
            if verify:
                raise
            check = await self._async_api("GET", path)
            if check.status >= 300 or unwrap(check).get("status") != CLOSED:
                raise
            LOGGER.info("TrackTik had already closed the work session")
            return Delivery(state={}, stamped_at=self._time(unwrap(check)))
        session = unwrap(resp) if resp.text.strip() else {}
        return Delivery(state={}, stamped_at=self._time(session))

    async def _async_open_session(self, employee: int) -> int | None:
        """Return the id of the employee's newest open work session, if any."""
        params = {"employee": str(employee), "status": OPEN, "limit": LIST_LIMIT}
        resp = await self._async_api("GET", "/work-sessions", params=params)
        raise_for_status(resp)
        ids = [
            session_id
            for item in items(resp)
            if ref_id(item.get("employee"), employee) == employee
            and item.get("status", OPEN) == OPEN
            and (session_id := ref_id(item.get("id"))) is not None
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
        raise_for_status(resp)
        return self._pick_shift(items(resp), employee, when)

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
        if ref_id(shift.get("employee"), employee) != employee:
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

    async def _async_api(self, method: str, path: str, **kwargs: Any) -> Response:
        """Send one request to the REST API, with the access token."""
        url = f"{self._portal_url}{API_PATH}{path}"
        return await self._auth.async_request(method, url, **kwargs)
