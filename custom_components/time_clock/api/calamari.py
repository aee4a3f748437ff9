"""Client for the Calamari Clockin API terminal.

Punches go to the explicit ``clock-in`` and ``clock-out`` endpoints, never to
``punch-clock`` (a toggle), so sending one again can never flip a shift.
Every request, deliveries and state reads alike, passes one ``Pacer`` that keeps
to the published quotas (10 a second, 720 an hour, 2,880 a day) and to the
tighter ones a ``429 QUOTA_EXCEEDED`` teaches.

``get-current-for-all`` is not in the vendor documents; its answer is read
leniently: a JSON list (or an object holding one) of entries, each naming a
person (``person`` as a string, or ``person.email`` / ``person.externalNumber``
/ ``person.externalId``, or ``email`` / ``externalNumber`` / ``personId`` at the
top) and a ``status`` (or ``shiftStatus``). STARTED and BREAK mean on shift.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, tzinfo
import logging
import re
import time
from typing import Any, Final

import aiohttp
from yarl import URL

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
    DEFAULT_TIMEOUT,
    HttpBackend,
    Pacer,
    Response,
    async_request,
    basic_auth,
    url_error,
)
from .models import AccountInfo, Action, Delivery, PunchRequest

LOGGER = logging.getLogger(__package__)

USERNAME: Final = "calamari"
CLOCK_IN_PATH: Final = "/clockin/terminal/v1/clock-in"
CLOCK_OUT_PATH: Final = "/clockin/terminal/v1/clock-out"
STATUS_ALL_PATH: Final = "/clockin/shift/status/v1/get-current-for-all"

# Published limits: window in seconds -> requests allowed in it.
DEFAULT_LIMITS: Final[Mapping[float, int]] = {1: 10, 3600: 720, 86400: 2880}
# Waits longer than this are not slept inside a request: the caller is told to
# come back later (TimeClockRateLimitedError) and stays free meanwhile.
DEFAULT_MAX_WAIT: Final = 10.0
# Retry-After when a 429 says nothing usable about which quota is exhausted.
QUOTA_FALLBACK_WAIT: Final = 60.0
# Longest wait for one 429: a daily quota may reset at a midnight other than
# ours, so look again within the hour rather than waiting a whole day.
QUOTA_MAX_WAIT: Final = 3600.0

EXPECTED_SHIFT_STATUS: Final = {
    Action.CLOCK_IN: "STARTED",
    Action.CLOCK_OUT: "FINISHED",
}
SHIFT_STATUSES: Final = frozenset(EXPECTED_SHIFT_STATUS.values())
ON_SHIFT_STATUSES: Final = frozenset({"STARTED", "BREAK"})
EXTERNAL_PREFIX: Final = "externalnumber:"
EXTERNAL_FIELDS: Final = ("externalNumber", "externalId")
PLAIN_ID_FIELDS: Final = ("email", "personId", "login")
QUOTA_UNITS: Final[Mapping[str, float]] = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "min": 60,
    "minute": 60,
    "h": 3600,
    "hour": 3600,
    "d": 86400,
    "day": 86400,
}
QUOTA_RE: Final = re.compile(r"(\d+)\s*/\s*([A-Za-z]+)")


class CalamariClient(HttpBackend):
    """Deliver punches to Calamari Clockin and read who is on shift."""

    def __init__(
        self,
        *,
        session: aiohttp.ClientSession,
        api_url: str,
        api_key: str,
        time_zone: tzinfo,
        limits: Mapping[float, int] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        max_wait: float = DEFAULT_MAX_WAIT,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        """Set up the client for one tenant's API URL (``https://acme.calamari.io/api``).

        ``limits`` overrides the published quotas (``{}`` disables pacing);
        ``clock`` drives the pacer and ``now`` the wall clock, both for tests.
        """
        url = _checked_url(api_url)
        self._host = str(url.host).lower()
        self._base = str(url)
        super().__init__(session, self._base)
        self._auth = basic_auth(USERNAME, api_key)
        self._time_zone = time_zone
        self._timeout = timeout
        self._max_wait = max_wait
        self._now = now or (lambda: datetime.now(time_zone))
        self._pacer = Pacer(DEFAULT_LIMITS if limits is None else limits, clock=clock)

    async def async_validate(self) -> AccountInfo:
        """Check the API URL, the key and the API terminal with one state read."""
        try:
            _entries(await self._async_post(STATUS_ALL_PATH, {}))
        except TimeClockRejectedError as err:
            if err.code == "API_TERMINAL_NOT_AVAILABLE":
                raise TimeClockAccountError(
                    "No API terminal is configured in Calamari Clockin",
                    reason="terminal_missing",
                ) from err
            raise TimeClockConnectionError(
                f"Calamari refused the check: {err.code}"
            ) from err
        except TimeClockRateLimitedError as err:
            raise TimeClockConnectionError(
                "Calamari quota exceeded; try again later"
            ) from err
        return AccountInfo(unique_id=self._host, title=self._host)

    async def async_deliver(self, punch: PunchRequest) -> Delivery:
        """Send one explicit clock-in or clock-out.

        An uncertain punch is simply sent again, with no read first: Calamari
        ignores a clock-in on a started shift and a clock-out on a stopped one
        (both answer 200), so a repeat can neither duplicate nor flip a shift.
        """
        path = CLOCK_IN_PATH if punch.action is Action.CLOCK_IN else CLOCK_OUT_PATH
        data = await self._async_post(path, self._punch_body(punch))
        status = data.get("shiftStatus") if isinstance(data, dict) else None
        if status not in SHIFT_STATUSES:
            raise TimeClockConnectionError(
                "Calamari answered without a shift status", ambiguous=True
            )
        if status != EXPECTED_SHIFT_STATUS[punch.action]:
            # Calamari took the request (200) and its record is authoritative:
            # a punch made elsewhere later (mobile app, another terminal) can
            # leave the shift in another state. Sending again would get the same
            # answer and rejecting would invite re-entering a recorded punch, so
            # the punch counts as delivered; the next state sync shows the truth.
            LOGGER.warning(
                "Calamari accepted punch %s (%s) but reports the shift %s",
                punch.punch_id,
                punch.action,
                status,
            )
        return Delivery()

    async def async_fetch_states(self, persons: Sequence[str]) -> Mapping[str, bool]:
        """Return whether each person is on shift; persons Calamari omits are left out."""
        if not persons:
            return {}
        states = _states(await self._async_post(STATUS_ALL_PATH, {}))
        return {
            person: states[key]
            for person in persons
            if (key := _person_key(person)) in states
        }

    def _punch_body(self, punch: PunchRequest) -> dict[str, Any]:
        """Return the JSON body of a punch: local wall-clock time, no zone, no fraction."""
        local = punch.time.astimezone(self._time_zone).replace(
            tzinfo=None, microsecond=0
        )
        body: dict[str, Any] = {"person": punch.person, "time": local.isoformat()}
        # Seed 001 documents only person and time for clock-out; the project and
        # description belong to the shift being started.
        if punch.action is Action.CLOCK_IN:
            if punch.project_id is not None:
                body["projectId"] = punch.project_id
            if punch.description:
                body["description"] = punch.description
        return body

    async def _async_post(self, path: str, body: Mapping[str, Any]) -> Any:
        """Pace, send one JSON request and return the JSON of a 2xx answer."""
        await self._async_pace()
        resp = await async_request(
            self._session,
            "POST",
            self._base + path,
            timeout=self._timeout,
            headers={"Authorization": self._auth},
            json=body,
        )
        if not 200 <= resp.status < 300:
            raise self._error(resp)
        if (data := resp.json()) is None:
            raise TimeClockConnectionError(
                "Calamari answered with no JSON", ambiguous=True
            )
        return data

    async def _async_pace(self) -> None:
        """Wait for a free slot in every quota, or raise when the wait is long."""
        if (wait := self._pacer.delay()) > self._max_wait:
            raise TimeClockRateLimitedError(
                "Holding requests to stay within the Calamari quota", retry_after=wait
            )
        await self._pacer.async_acquire()

    def _error(self, resp: Response) -> TimeClockError:
        """Return the error for a non-2xx answer."""
        status = resp.status
        body = resp.json()
        body = body if isinstance(body, dict) else {}
        code = str(body.get("code") or f"HTTP_{status}")
        if status == 400:
            return TimeClockRejectedError(
                f"Calamari refused the request: {code}", code=code
            )
        if status in (401, 403):
            return TimeClockAuthenticationError(
                f"Calamari refused the API key (HTTP {status})"
            )
        if status == 404 or 300 <= status < 400:
            return TimeClockAccountError(
                f"No Calamari API at this URL (HTTP {status})", reason="unknown_tenant"
            )
        if status == 429:
            return self._rate_limited(resp, body)
        return TimeClockConnectionError(
            f"Calamari answered HTTP {status} ({code})",
            ambiguous=status in AMBIGUOUS_STATUSES,
        )

    def _rate_limited(self, resp: Response, body: Mapping[str, Any]) -> TimeClockError:
        """Learn the quotas of a 429, hold the pacer and return the error."""
        field = body.get("field")
        usage, limits = parse_quota(field if isinstance(field, str) else "")
        for window, count in limits.items():
            current = self._pacer.limits.get(window)
            self._pacer.set_limit(
                window, count if current is None else min(current, count)
            )
        if (retry_after := resp.retry_after()) is None:
            retry_after = self._quota_wait(usage, limits)
        self._pacer.block_for(retry_after)
        return TimeClockRateLimitedError(
            f"Calamari quota exceeded; retry in {retry_after:.0f} s",
            retry_after=retry_after,
        )

    def _quota_wait(
        self, usage: Mapping[float, int], limits: Mapping[float, int]
    ) -> float:
        """Return how long to wait for the longest exhausted quota to reset."""
        exhausted = [w for w, count in limits.items() if usage.get(w, 0) >= count]
        if not exhausted:
            return QUOTA_FALLBACK_WAIT
        return min(QUOTA_MAX_WAIT, _until_window_resets(max(exhausted), self._now()))


def parse_quota(text: str) -> tuple[dict[float, int], dict[float, int]]:
    r"""Return (usage, limits) by window from a ``QUOTA_EXCEEDED`` field text.

    The text reads "Your current usage is 101/day, 10/hour, 1/sec\\nYour
    current limits 100/day, 10/hour, 1/sec."; unknown units are skipped.
    """
    usage_text, _, limits_text = text.lower().partition("limit")
    return _quota_counts(usage_text), _quota_counts(limits_text)


def _quota_counts(text: str) -> dict[float, int]:
    """Return the counts by window of "101/day, 10/hour, 1/sec"; skip unknown units."""
    counts: dict[float, int] = {}
    for count, unit in QUOTA_RE.findall(text):
        if (window := QUOTA_UNITS.get(unit.removesuffix("s") or "s")) is not None:
            counts[window] = int(count)
    return counts


def _until_window_resets(window: float, now: datetime) -> float:
    """Return seconds until a calendar-aligned quota window (second to day) ends."""
    since_midnight = (
        now.hour * 3600 + now.minute * 60 + now.second + now.microsecond / 1e6
    )
    return max(1.0, window - since_midnight % window)


def _checked_url(api_url: str) -> URL:
    """Return an API URL that is https or loopback, without a trailing slash."""
    if (reason := url_error(api_url)) == "invalid_url":
        raise ValueError("The Calamari API URL must be an http(s) URL")
    if reason is not None:
        raise ValueError("The Calamari API URL must use https")
    return URL(api_url.strip().rstrip("/"))


def _entries(data: Any) -> list[Mapping[str, Any]]:
    """Return the entries of a ``get-current-for-all`` answer."""
    if isinstance(data, dict):
        data = next((value for value in data.values() if isinstance(value, list)), None)
    if not isinstance(data, list):
        raise TimeClockConnectionError(
            "Calamari answered the state read with no list", ambiguous=True
        )
    return [entry for entry in data if isinstance(entry, dict)]


def _states(data: Any) -> dict[str, bool]:
    """Return on-shift by person key from a ``get-current-for-all`` answer."""
    states: dict[str, bool] = {}
    for entry in _entries(data):
        if (on_shift := _entry_on_shift(entry)) is not None:
            states.update(dict.fromkeys(_entry_keys(entry), on_shift))
    return states


def _entry_on_shift(entry: Mapping[str, Any]) -> bool | None:
    """Return whether an entry's status means on shift, or ``None`` without one."""
    status = entry.get("status", entry.get("shiftStatus"))
    if not isinstance(status, str):
        return None
    return status.upper() in ON_SHIFT_STATUSES


def _entry_keys(entry: Mapping[str, Any]) -> set[str]:
    """Return every person key an entry can be matched by."""
    person = entry.get("person")
    keys = {_person_key(person)} if isinstance(person, str) else set()
    for source in (entry, person if isinstance(person, dict) else {}):
        keys.update(
            str(source[name]).casefold() for name in PLAIN_ID_FIELDS if source.get(name)
        )
        keys.update(
            EXTERNAL_PREFIX + str(source[name]).casefold()
            for name in EXTERNAL_FIELDS
            if source.get(name)
        )
    return keys


def _person_key(person: str) -> str:
    """Return a person identifier in the form entries are matched by."""
    return person.strip().casefold()
