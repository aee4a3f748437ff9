"""The SonoranCMS backend: clock community accounts in and out.

How the API is used, and why:

- Every call is a ``POST`` of ``{"id": community, "key": api key, "type": ...,
  "data": ...}``. The seed's swagger text names the clock type ``CLOCK_IN___OUT``
  while its example body says ``CLOCK_IN_OUT``; the example (and Sonoran's own
  client library) wins.
- A plain ``clock_in_out`` item toggles. ``clock_out`` always sends
  ``forceClockOut`` (safe to repeat). ``clock_in`` never sends ``forceClockIn`` to a
  running shift (it would restart it), and a member may clock in in-game at any
  time: every clock-in reads the current state first with ``get_current_clock_in``;
  a person already on shift is confirmed without sending, anyone else gets a
  plain item.
- The answer (``CLOCKED IN``, ``FORCE CLOCKED IN``, ``CLOCKED OUT``, as text, a JSON
  string, or a clock record with ``completed``) is checked against the intended
  state. When they differ, the toggle flipped a shift the wrong way (the state
  known was stale): one forced item (``forceClockIn`` or ``forceClockOut``) restores
  the intended state, a warning names the punch, and the delivery succeeds; if even
  that answer is wrong the punch fails as ambiguous, so the next attempt reads first.
- The API takes no time: Sonoran stamps the punch when it arrives, so every
  ``Delivery`` carries ``stamped_at`` (now, UTC).
- The answer is read as one result per item, in order (text lines or a JSON
  array); this client sends one item per request.
- Errors: ``INVALID API KEY`` and 401/403 are authentication errors;
  ``INVALID COMMUNITY ID`` is ``TimeClockAccountError("unknown_community")`` in the
  credential check and an authentication error on delivery (credentials that were
  good stopped working: pause and reauthenticate); a 400 naming the plan or
  subscription is ``TimeClockAccountError("plan_required")``; ``API ID NOT LINKED``
  (400 or 404) and ``NO ACCOUNT FOUND`` reject the punch; any other 400 rejects it
  as ``BAD_REQUEST``; 429 is rate limited and holds later requests for
  ``Retry-After``; 5xx, other statuses and unreadable 2xx answers are transient.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, tzinfo
import logging
import re
import time
from typing import Any

import aiohttp

from .errors import (
    TimeClockAccountError,
    TimeClockAuthenticationError,
    TimeClockConnectionError,
    TimeClockError,
    TimeClockRateLimitedError,
    TimeClockRejectedError,
)
from .http import AMBIGUOUS_STATUSES, HttpBackend, Pacer, Response, async_request
from .models import AccountInfo, Action, Delivery, PunchRequest

LOGGER = logging.getLogger(__package__)

DEFAULT_BASE_URL = "https://api.sonorancms.com"
ID_TYPES = ("apiId", "username", "accId", "discord", "uniqueId")
DEFAULT_ID_TYPE = "apiId"
MIN_PLAN = 3
CLOCK_PATH = "/general/clock_in_out"
STATE_PATH = "/general/get_current_clock_in"
PLAN_PATH = "/general/get_sub_version"
FORCE_IN = {"forceClockIn": True}
FORCE_OUT = {"forceClockOut": True}

_PHRASE = re.compile(r"\b(NOT |FORCE )?CLOCKED (IN|OUT)\b", re.IGNORECASE)
_PLAN_WORDS = re.compile(r"\b(PLAN|SUBSCRIPTION|UPGRADE)\b", re.IGNORECASE)
_LEADING_NUMBER = re.compile(r"^\s*\"?\s*(\d+)")
_REJECTIONS = {
    "API ID NOT LINKED": "API_ID_NOT_LINKED",
    "NO ACCOUNT FOUND": "ACCOUNT_NOT_FOUND",
}

type Item = dict[str, Any]


class SonoranClient(HttpBackend):
    """Clock SonoranCMS community accounts in and out.

    States are not read in bulk: Sonoran reads one person per call.
    """

    def __init__(
        self,
        *,
        session: aiohttp.ClientSession,
        community_id: str,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        time_zone: tzinfo | None = None,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        min_interval: float = 1.0,
    ) -> None:
        """Store the credentials; ``time_zone`` is unused (Sonoran stamps punches)."""
        self._community_id = community_id
        self._api_key = api_key
        self._base_url = base_url.rstrip("/")
        super().__init__(session, self._base_url)
        # About one call per interval; a Retry-After holds every later call.
        limits = {min_interval: 1} if min_interval > 0 else {}
        self._pacer = Pacer(limits, clock=clock, sleep=sleep)

    async def async_validate(self) -> AccountInfo:
        """Check the credentials and that the community's plan can clock."""
        response = await self._post(PLAN_PATH, "GET_SUB_VERSION", [], validating=True)
        if (match := _LEADING_NUMBER.match(response.text)) is None:
            raise TimeClockConnectionError("unexpected plan answer", ambiguous=True)
        if int(match.group(1)) < MIN_PLAN:
            raise TimeClockAccountError(
                "the community's plan cannot clock in and out", reason="plan_required"
            )
        return AccountInfo(
            unique_id=self._community_id.strip().casefold(),
            title=f"SonoranCMS {self._community_id.strip()}",
        )

    async def async_deliver(self, punch: PunchRequest) -> Delivery:
        """Deliver one punch, or raise a ``TimeClockError``."""
        item = _item(punch)
        if punch.action is Action.CLOCK_IN:
            on_shift, started = await self._read(_identity(item))
            if on_shift:
                return Delivery(state={"on_shift": True}, stamped_at=started)
        states = await self._send_items([item])
        if states is None or len(states) != 1:
            raise TimeClockConnectionError("unexpected clock answer", ambiguous=True)
        return await self._confirm(punch, item, states[0])

    async def _confirm(self, punch: PunchRequest, item: Item, state: bool) -> Delivery:
        """Check the resulting state against the intended one; restore it if wrong."""
        want = punch.action is Action.CLOCK_IN
        if state is not want:
            LOGGER.warning(
                "SonoranCMS toggled punch %s the wrong way (its state was stale); "
                "sending a forced %s to restore it",
                punch.punch_id,
                punch.action,
            )
            forced = _identity(item) | (FORCE_IN if want else FORCE_OUT)
            states = await self._send_items([forced])
            if states != [want]:
                raise TimeClockConnectionError(
                    "the forced correction did not take", ambiguous=True
                )
        return Delivery(state={"on_shift": want}, stamped_at=datetime.now(UTC))

    async def _send_items(self, items: list[Item]) -> list[bool] | None:
        """Send clock items; return the resulting states, or ``None`` if unclear."""
        response = await self._post(CLOCK_PATH, "CLOCK_IN_OUT", items)
        return _results(response)

    async def _read(self, identity: Item) -> tuple[bool, datetime | None]:
        """Return whether the account is on shift, and since when if known."""
        response = await self._post(STATE_PATH, "GET_CURRENT_CLOCK_IN", identity)
        body = response.json()
        if isinstance(body, dict) and isinstance(body.get("completed"), bool):
            return not body["completed"], _parse_start(body.get("startTime"))
        results = _results(response)
        if results is None or len(results) != 1:
            raise TimeClockConnectionError("unexpected state answer", ambiguous=True)
        return results[0], None

    async def _post(
        self, path: str, kind: str, data: Any, *, validating: bool = False
    ) -> Response:
        """Send one paced request; return a 2xx answer or raise its error."""
        body = {"id": self._community_id, "key": self._api_key, "type": kind}
        await self._pacer.async_acquire()
        response = await async_request(
            self._session, "POST", self._base_url + path, json=body | {"data": data}
        )
        if 200 <= response.status < 300:
            return response
        if response.status == 429 and (wait := response.retry_after()):
            self._pacer.block_for(wait)
        raise _error(response, validating=validating)


def _id_type(punch: PunchRequest) -> str:
    """Return the identifier kind of the punch's person."""
    return str(punch.extras.get("id_type") or DEFAULT_ID_TYPE)


def _identifier(person: str, id_type: str) -> Item:
    """Return the identifier object for a person, or raise if it cannot be."""
    if id_type not in ID_TYPES:
        raise TimeClockRejectedError(
            f"unknown identifier kind {id_type!r}", code="INVALID_ID_TYPE"
        )
    if id_type != "uniqueId":
        return {id_type: person}
    try:
        return {id_type: int(person)}
    except ValueError:
        raise TimeClockRejectedError(
            "a unique id must be a number", code="INVALID_IDENTIFIER"
        ) from None


def _item(punch: PunchRequest) -> Item:
    """Return the clock item of a punch: forced out, or a plain toggle in."""
    identity = _identifier(punch.person, _id_type(punch))
    return identity | FORCE_OUT if punch.action is Action.CLOCK_OUT else identity


def _identity(item: Item) -> Item:
    """Return the identifier part of a clock item."""
    return {key: value for key, value in item.items() if key in ID_TYPES}


def _results(response: Response) -> list[bool] | None:
    """Return the on-shift state of each result in an answer, or ``None``."""
    body = response.json()
    if body is None:
        return _phrases(response.text)
    if isinstance(body, str):
        return _phrases(body)
    if isinstance(body, dict):
        body = [body]
    if not isinstance(body, list):
        return None
    states = [_state_of(result) for result in body]
    if any(state is None for state in states):
        return None
    return [bool(state) for state in states]


def _state_of(result: Any) -> bool | None:
    """Return the on-shift state one result (text or clock record) tells."""
    if isinstance(result, dict):
        if isinstance(completed := result.get("completed"), bool):
            return not completed
        result = " ".join(v for v in result.values() if isinstance(v, str))
    if isinstance(result, str) and len(found := _phrases(result) or []) == 1:
        return found[0]
    return None


def _phrases(text: str) -> list[bool] | None:
    """Return the states named by the result phrases of a text, in order."""
    found = [
        match.group(2).upper() == "IN" and (match.group(1) or "").upper() != "NOT "
        for match in _PHRASE.finditer(text)
    ]
    return found or None


def _parse_start(value: Any) -> datetime | None:
    """Return a clock record's start time as aware UTC, when readable."""
    if not isinstance(value, str):
        return None
    for pattern in ("%Y-%m-%d %H:%M:%S.%f %z", "%Y-%m-%dT%H:%M:%S.%f%z"):
        try:
            return datetime.strptime(value, pattern).astimezone(UTC)
        except ValueError:
            continue
    return None


def _error(response: Response, *, validating: bool) -> TimeClockError:
    """Return the error a non-2xx answer stands for."""
    status, text = response.status, response.text.strip()[:100]
    upper = text.upper()
    if status in (401, 403) or "INVALID API KEY" in upper:
        return TimeClockAuthenticationError("SonoranCMS refused the API key")
    if status == 429:
        return TimeClockRateLimitedError(
            "SonoranCMS rate limit reached", retry_after=response.retry_after()
        )
    if status >= 500:
        return TimeClockConnectionError(
            f"SonoranCMS answered {status}", ambiguous=status in AMBIGUOUS_STATUSES
        )
    if status not in (400, 404):
        return TimeClockConnectionError(f"unexpected status {status}", ambiguous=True)
    return _refusal(status, text, validating=validating)


def _refusal(status: int, text: str, *, validating: bool) -> TimeClockError:
    """Return the error a 400 or 404 text stands for."""
    upper = text.upper()
    if "INVALID COMMUNITY ID" in upper:
        if validating:
            return TimeClockAccountError(
                "unknown SonoranCMS community", reason="unknown_community"
            )
        return TimeClockAuthenticationError("SonoranCMS no longer knows the community")
    if _PLAN_WORDS.search(upper):
        return TimeClockAccountError(f"SonoranCMS plan: {text}", reason="plan_required")
    for phrase, code in _REJECTIONS.items():
        if phrase in upper:
            return TimeClockRejectedError(f"SonoranCMS: {text}", code=code)
    if status == 404:
        return TimeClockConnectionError("SonoranCMS answered 404", ambiguous=True)
    return TimeClockRejectedError(f"SonoranCMS: {text}", code="BAD_REQUEST")
