"""HTTP plumbing shared by the backend clients.

One request helper, one reader of answers (JSON, headers, ``Retry-After``), the
base every HTTP client shares (session and probe), one pacer, one URL policy and
one reader of text in lenient error bodies.
"""

from __future__ import annotations

import asyncio
import base64
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
import ipaddress
import json
import math
import time
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from multidict import CIMultiDict

from .errors import TimeClockConnectionError

USER_AGENT = "TimeClock-HomeAssistant/1.0 (+https://github.com/time-clock/time_clock)"
DEFAULT_TIMEOUT = 20.0
PROBE_TIMEOUT = 10.0
# 500 and 504 may come after the backend acted on the request; 502 and 503 come
# from a proxy or an overloaded server that did not.
AMBIGUOUS_STATUSES = frozenset({500, 504})
# Longest Retry-After taken as given; a longer one (or "inf") is read as this.
MAX_RETRY_AFTER = 86400.0


@dataclass(frozen=True, kw_only=True)
class Response:
    """A backend's answer, read whole."""

    status: int
    headers: Mapping[str, str]
    text: str

    def json(self) -> Any:
        """Return the body as JSON, or ``None`` when it is not JSON."""
        try:
            return json.loads(self.text)
        except ValueError:
            return None

    def header(self, name: str) -> str | None:
        """Return a header, whatever the case of its name."""
        wanted = name.casefold()
        return next(
            (value for key, value in self.headers.items() if key.casefold() == wanted),
            None,
        )

    def retry_after(self) -> float | None:
        """Return the ``Retry-After`` header in seconds, given as a number or an HTTP date."""
        if (value := self.header("Retry-After")) is None:
            return None
        try:
            seconds = float(value)
        except ValueError:
            if (moment := _http_date(value)) is None:
                return None
            seconds = (moment - datetime.now(UTC)).total_seconds()
        if math.isnan(seconds):
            return None
        return min(max(0.0, seconds), MAX_RETRY_AFTER)


def _http_date(value: str) -> datetime | None:
    """Return an HTTP date as an aware time (a date without a zone is UTC)."""
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def async_request(
    session: aiohttp.ClientSession,
    method: str,
    url: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    headers: Mapping[str, str] | None = None,
    **kwargs: Any,
) -> Response:
    """Send one request and read the answer; map network failures to errors.

    A failure before the connection was made is not ambiguous; one after the
    request may have been sent (timeout, reset, disconnect) is.
    """
    all_headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
    if headers:
        all_headers.update(headers)
    try:
        async with session.request(
            method,
            url,
            headers=all_headers,
            timeout=aiohttp.ClientTimeout(total=timeout),
            allow_redirects=False,
            **kwargs,
        ) as resp:
            body = await resp.read()
            return Response(
                status=resp.status,
                headers=CIMultiDict(resp.headers),
                text=body.decode("utf-8", errors="replace"),
            )
    except aiohttp.ClientConnectorError as err:
        raise TimeClockConnectionError(f"cannot connect: {err}") from err
    except aiohttp.ConnectionTimeoutError as err:
        raise TimeClockConnectionError("connection timed out") from err
    except TimeoutError as err:
        raise TimeClockConnectionError("request timed out", ambiguous=True) from err
    except aiohttp.ClientError as err:
        raise TimeClockConnectionError(
            f"connection lost: {type(err).__name__}", ambiguous=True
        ) from err


async def async_probe(session: aiohttp.ClientSession, url: str) -> bool:
    """Return whether a backend answers at all (any HTTP status); send no credentials."""
    try:
        await async_request(session, "HEAD", url, timeout=PROBE_TIMEOUT)
    except TimeClockConnectionError:
        return False
    return True


class HttpBackend:
    """What every HTTP backend client shares: its session and the probe of its URL.

    A backend that cannot tell cheaply who is on shift keeps the inherited
    ``async_fetch_states``, which answers ``None``.
    """

    def __init__(self, session: aiohttp.ClientSession, probe_url: str) -> None:
        """Remember the session and the URL a probe asks."""
        self._session = session
        self._probe_url = probe_url

    async def async_probe(self) -> bool:
        """Return whether the backend answers at all (no credentials sent)."""
        return await async_probe(self._session, self._probe_url)

    async def async_fetch_states(
        self, persons: Sequence[str]
    ) -> Mapping[str, bool] | None:
        """Return ``None``: this backend has no cheap read of who is on shift."""
        return None


def basic_auth(username: str, password: str) -> str:
    """Return an HTTP Basic ``Authorization`` header value."""
    token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    return f"Basic {token}"


class Pacer:
    """Keep requests under sliding-window quotas such as 10/s and 720/h.

    ``limits`` maps a window length in seconds to the number of requests allowed
    in it. ``async_acquire`` waits until one more request fits every window.
    ``block_for`` makes every request wait, for a ``Retry-After``. ``clock`` and
    ``sleep`` can be replaced (tests drive both).
    """

    def __init__(
        self,
        limits: Mapping[float, int] | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        """Start with the given quotas."""
        self._clock = clock
        self._sleep = sleep
        self._limits: dict[float, int] = dict(limits or {})
        self._sent: deque[float] = deque()
        self._blocked_until = 0.0
        self._lock = asyncio.Lock()

    @property
    def limits(self) -> dict[float, int]:
        """Return the quotas in force."""
        return dict(self._limits)

    def set_limit(self, window: float, count: int) -> None:
        """Set or tighten one quota (learned from the backend)."""
        self._limits[window] = max(1, count)

    def block_for(self, seconds: float) -> None:
        """Hold every request for ``seconds`` from now."""
        self._blocked_until = max(self._blocked_until, self._clock() + seconds)

    def delay(self) -> float:
        """Return how long the next request would have to wait."""
        now = self._clock()
        wait = max(0.0, self._blocked_until - now)
        longest = max(self._limits, default=0.0)
        while self._sent and self._sent[0] <= now - longest:
            self._sent.popleft()
        for window, count in self._limits.items():
            inside = [t for t in self._sent if t > now - window]
            if len(inside) >= count:
                wait = max(wait, inside[-count] + window - now)
        return wait

    async def async_acquire(self) -> None:
        """Wait until one more request fits, then count it."""
        async with self._lock:
            while (wait := self.delay()) > 0:
                await self._sleep(wait)
            self._sent.append(self._clock())


def url_error(url: str) -> str | None:
    """Return why a backend URL is refused (``invalid_url``, ``https_required``), or ``None``.

    Backend URLs must be https, except for loopback hosts (tests, local proxies).
    """
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
    except ValueError:
        return "invalid_url"
    if parts.scheme not in ("http", "https") or not host:
        return "invalid_url"
    if parts.scheme == "https":
        return None
    if host == "localhost":
        return None
    try:
        return None if ipaddress.ip_address(host).is_loopback else "https_required"
    except ValueError:
        return "https_required"


def seconds(value: Any) -> float | None:
    """Return a positive, finite number of seconds given as a number or as text."""
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and number > 0 else None


def first_text(value: Any, *keys: str) -> str | None:
    """Return the first non-empty text in a lenient answer, stripped.

    Text is itself; a list gives the first text of its items; an object gives the
    first text under ``keys``, in order, or with no ``keys`` under ``message`` and
    then under any key. Lists and objects inside are read the same way.
    """
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, Mapping):
        names = keys or ("message", *value)
        value = [value.get(name) for name in names]
    if isinstance(value, list):
        for item in value:
            if text := first_text(item, *keys):
                return text
    return None
