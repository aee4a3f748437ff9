"""The Protime client: InOut clockings through the Protime API.

Protime authenticates with OAuth2 client credentials; the access token lives
``expires_in`` seconds (1,800 today) and comes without a refresh token, so the
client keeps it until shortly before it expires or until a request answers 401,
then asks for a new one once and retries that request once.

A clocking is ``POST /clockings`` with the local wall-clock ``date`` and
``timeOfDayInMinutes``. ``InOut`` clockings carry no direction (Protime pairs
them in order), so a duplicate shifts every later pairing: when an earlier
attempt may have reached Protime, the client first reads the person's clockings
with ``GET /clockings?filter=...`` and skips the punch if it is already there.
The read covers the day before and after as well, because Protime may file a
night-shift clocking on the neighbouring day with a time beyond 0..1439.

A person is addressed by Protime id (``extras["reference"]`` absent or ``"id"``)
or by an external reference such as ``@badge-number`` or ``@employee-number``.
The clockings filter only takes person ids, so for an external reference the
look-up reads every clocking of those days with
``externalReferences=(people,<reference>)`` and compares the reference.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
import logging
import time
from typing import Any, Final

import aiohttp
from yarl import URL

from .errors import (
    TimeClockAccountError,
    TimeClockAuthenticationError,
    TimeClockConnectionError,
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
from .models import AccountInfo, Delivery, PunchRequest

LOGGER = logging.getLogger(__package__)

DEFAULT_API_URL: Final = "https://{tenant}.myprotime.eu/connector/protimeapi/api/v1"
DEFAULT_TOKEN_URL: Final = (
    "https://authentication.myprotime.eu/tenants/{tenant}/connect/token"  # noqa: S105
)
SCOPES: Final = (
    "connector-protimeapi-clockings.write "
    "connector-protimeapi-clockings.read "
    "connector-protimeapi-people.read"
)
REFERENCE_ID: Final = "id"
BADGE_NUMBER: Final = "@badge-number"
EMPLOYEE_NUMBER: Final = "@employee-number"
DEFAULT_TOKEN_LIFETIME: Final = 1800.0
# Ask for a new token this long before the old one expires (at most a tenth of its life).
TOKEN_MARGIN: Final = 60.0
# Pages of a clocking look-up read at most; a person's three days fit in one.
MAX_PAGES: Final = 50
MINUTES_PER_DAY: Final = 1440
# OAuth2 token errors that mean the client exists but may not use these APIs.
LICENCE_ERRORS: Final = frozenset({"invalid_scope", "unauthorized_client"})
LIST_KEYS: Final = ("value", "items", "data", "results")
NEXT_LINK_KEYS: Final = ("nextLink", "@odata.nextLink")


@dataclass(frozen=True, kw_only=True)
class _Token:
    """An access token and the clock reading after which it is not used."""

    value: str
    renew_at: float


@dataclass(frozen=True, kw_only=True)
class ProtimePerson:
    """How a clocking names its person: a Protime id or an external reference."""

    reference: str
    value: str

    @classmethod
    def from_punch(cls, punch: PunchRequest) -> ProtimePerson:
        """Return the person of a punch, or raise if it cannot name one."""
        reference = punch.extras.get("reference") or REFERENCE_ID
        value = punch.person.strip()
        if not isinstance(reference, str):
            raise TimeClockRejectedError(
                "Protime reference kind must be text", code="INVALID_REFERENCE"
            )
        if reference != REFERENCE_ID:
            if not value:
                raise TimeClockRejectedError(
                    "Protime person reference is empty", code="INVALID_PERSON"
                )
            return cls(reference=reference, value=value)
        if not (value.isascii() and value.isdigit()):
            raise TimeClockRejectedError(
                "Protime person id must be a number", code="INVALID_PERSON"
            )
        return cls(reference=REFERENCE_ID, value=str(int(value)))

    def as_body(self) -> dict[str, Any]:
        """Return the ``person`` object of a clocking."""
        if self.reference == REFERENCE_ID:
            return {"id": int(self.value)}
        return {"externalReferences": {self.reference: self.value}}

    def is_in(self, found: Any) -> bool:
        """Return whether a clocking's ``person`` object names this person."""
        if found is None:
            # Only a person-id filter returns clockings without their person.
            return self.reference == REFERENCE_ID
        if not isinstance(found, Mapping):
            return False
        if self.reference == REFERENCE_ID:
            return str(found.get("id")) == self.value
        refs = found.get("externalReferences")
        return isinstance(refs, Mapping) and str(refs.get(self.reference)) == self.value


class ProtimeClient:
    """Send InOut clockings to one Protime tenant."""

    def __init__(
        self,
        *,
        session: aiohttp.ClientSession,
        tenant: str,
        client_id: str,
        client_secret: str,
        time_zone: tzinfo,
        api_url: str | None = None,
        token_url: str | None = None,
        terminal_id: int | None = None,
        latitude: float | None = None,
        longitude: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Remember the tenant, credentials and site settings."""
        self._session = session
        self._tenant = tenant.strip()
        self._client_id = client_id
        self._client_secret = client_secret
        self._time_zone = time_zone
        self._api_url = (api_url or DEFAULT_API_URL.format(tenant=self._tenant)).rstrip(
            "/"
        )
        self._token_url = token_url or DEFAULT_TOKEN_URL.format(tenant=self._tenant)
        self._terminal_id = terminal_id
        self._latitude = latitude
        self._longitude = longitude
        self._clock = clock
        self._token: _Token | None = None
        self._token_lock = asyncio.Lock()

    async def async_validate(self) -> AccountInfo:
        """Get a token and read the first page of people to prove the account works.

        A 400 still proves it: the token, its scopes and the tenant were accepted
        and only the query was refused (Protime requires filters on most lists).
        """
        resp = await self._async_api("GET", f"{self._api_url}/people")
        if resp.status == 404:
            raise TimeClockAccountError(
                "Protime API not found for this tenant", reason="unknown_tenant"
            )
        if resp.status != 400:
            _raise_for_status(resp, ambiguous=False)
            _page(resp)
        return AccountInfo(
            unique_id=self._tenant.casefold(), title=f"Protime {self._tenant}"
        )

    async def async_deliver(self, punch: PunchRequest) -> Delivery:
        """Create one InOut clocking, unless an uncertain earlier attempt made it."""
        person = ProtimePerson.from_punch(punch)
        when = punch.time.astimezone(self._time_zone)
        try:
            if punch.uncertain and await self._async_find(person, when):
                LOGGER.debug("Protime already has clocking %s", punch.punch_id)
                return Delivery()
            await self._async_post(self._clocking(person, when))
        except TimeClockConnectionError as err:
            if punch.uncertain and not err.ambiguous:
                # The earlier attempt stays unresolved until a look-up succeeds.
                raise TimeClockConnectionError(str(err), ambiguous=True) from err
            raise
        return Delivery()

    async def async_probe(self) -> bool:
        """Return whether the backend answers at all (no credentials sent)."""
        return await async_probe(self._session, self._api_url)

    async def async_fetch_states(
        self, persons: Sequence[str]
    ) -> Mapping[str, bool] | None:
        """Return ``None``: InOut clockings carry no direction to read."""
        return None

    def _clocking(self, person: ProtimePerson, when: datetime) -> dict[str, Any]:
        """Return the body of an InOut clocking at a local wall-clock time."""
        body: dict[str, Any] = {
            "person": person.as_body(),
            "date": when.date().isoformat(),
            "timeOfDayInMinutes": when.hour * 60 + when.minute,
            "kind": "InOut",
            "status": "Active",
        }
        if self._terminal_id is not None:
            body["terminal"] = {"id": self._terminal_id}
        if self._latitude is not None and self._longitude is not None:
            body["geolocation"] = {
                "longitude": self._longitude,
                "latitude": self._latitude,
            }
        return body

    async def _async_post(self, body: dict[str, Any]) -> None:
        """Send one clocking and check that Protime created it."""
        resp = await self._async_api("POST", f"{self._api_url}/clockings", json=body)
        _raise_for_status(resp, ambiguous=True)
        if resp.header("Location") is None and not _has_id(resp.json()):
            raise TimeClockConnectionError(
                f"Protime answered {resp.status} without the created clocking",
                ambiguous=True,
            )

    async def _async_find(self, person: ProtimePerson, when: datetime) -> bool:
        """Return whether Protime already holds this person's clocking at ``when``."""
        target = _instant(when.date(), when.hour * 60 + when.minute)
        url: URL | None = self._lookup_url(person, when.date())
        for _ in range(MAX_PAGES):
            if url is None:
                return False
            resp = await self._async_api("GET", str(url))
            _raise_for_status(resp, ambiguous=True)
            items, next_link = _page(resp)
            if any(_is_clocking_at(item, person, target) for item in items):
                return True
            url = self._next_url(next_link)
        LOGGER.warning("Protime clocking look-up stopped after %s pages", MAX_PAGES)
        return False

    def _lookup_url(self, person: ProtimePerson, day: date) -> URL:
        """Return the clockings query around ``day`` for one person."""
        dates = f"date ge '{day - timedelta(days=1)}' and date le '{day + timedelta(days=1)}'"
        url = URL(f"{self._api_url}/clockings")
        if person.reference == REFERENCE_ID:
            return url.with_query(filter=f"person in ({person.value}) and {dates}")
        return url.with_query(
            filter=dates, externalReferences=f"(people,{person.reference})"
        )

    def _next_url(self, link: str | None) -> URL | None:
        """Return the next page's URL, refusing any other host than the API's."""
        if not link:
            return None
        base = URL(self._api_url)
        url = base.join(URL(link))
        if url.origin() != base.origin():
            LOGGER.warning("Protime nextLink points to another host; not followed")
            return None
        return url

    async def _async_api(self, method: str, url: str, **kwargs: Any) -> Response:
        """Send one API request with a token, renewing the token once on 401."""
        token = await self._async_token()
        resp = await self._async_send(method, url, token, **kwargs)
        if resp.status != 401:
            return resp
        LOGGER.debug("Protime refused the access token; asking for a new one")
        self._drop_token(token)
        token = await self._async_token()
        resp = await self._async_send(method, url, token, **kwargs)
        if resp.status == 401:
            self._drop_token(token)
            raise TimeClockAuthenticationError("Protime refused a fresh access token")
        return resp

    async def _async_send(
        self, method: str, url: str, token: str, **kwargs: Any
    ) -> Response:
        """Send one request with a bearer token."""
        headers = {"Authorization": f"Bearer {token}"}
        return await async_request(
            self._session, method, url, headers=headers, **kwargs
        )

    async def _async_token(self) -> str:
        """Return a token that is not about to expire, asking for one if needed."""
        async with self._token_lock:
            if self._token is None or self._clock() >= self._token.renew_at:
                self._token = await self._async_fetch_token()
            return self._token.value

    def _drop_token(self, value: str) -> None:
        """Forget the token if it is still the one in use."""
        if self._token is not None and self._token.value == value:
            self._token = None

    async def _async_fetch_token(self) -> _Token:
        """Ask the token endpoint for a new access token."""
        form = {
            "grant_type": "client_credentials",
            "client_id": self._client_id,
            "client_secret": self._client_secret,
            "scope": SCOPES,
        }
        asked_at = self._clock()
        try:
            resp = await async_request(
                self._session, "POST", self._token_url, data=form
            )
        except TimeClockConnectionError as err:
            # No clocking went out with it: a lost token request is never ambiguous.
            raise TimeClockConnectionError(str(err)) from err
        _raise_for_token_status(resp)
        body = resp.json()
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token.strip():
            raise TimeClockConnectionError("Protime token endpoint sent no token")
        lifetime = seconds(body.get("expires_in")) or DEFAULT_TOKEN_LIFETIME
        LOGGER.debug("Protime issued a token for %s s", lifetime)
        return _Token(
            value=token,
            renew_at=asked_at + lifetime - min(TOKEN_MARGIN, lifetime / 10),
        )


def _raise_for_token_status(resp: Response) -> None:
    """Raise the error a token endpoint's failure stands for."""
    status = resp.status
    if 200 <= status < 300:
        return
    if status == 404:
        raise TimeClockAccountError("Protime tenant not found", reason="unknown_tenant")
    if status == 429:
        raise TimeClockRateLimitedError(
            "Protime token endpoint rate limited", retry_after=resp.retry_after()
        )
    if status in (400, 401, 403):
        body = resp.json()
        code = first_text(body.get("error")) if isinstance(body, dict) else None
        if code in LICENCE_ERRORS:
            raise TimeClockAccountError(
                f"Protime refused the API scopes ({code})", reason="licence_missing"
            )
        raise TimeClockAuthenticationError(
            f"Protime refused the client credentials ({code or status})"
        )
    raise TimeClockConnectionError(f"Protime token endpoint answered {status}")


def _raise_for_status(resp: Response, *, ambiguous: bool) -> None:
    """Raise the error an API answer stands for; ``ambiguous`` for writes."""
    status = resp.status
    if 200 <= status < 300:
        return
    if status in (401, 403):
        raise TimeClockAuthenticationError(
            f"Protime refused the request ({status}: token or scope)"
        )
    if status == 429:
        raise TimeClockRateLimitedError(
            "Protime rate limit reached", retry_after=resp.retry_after()
        )
    if status == 404:
        raise TimeClockRejectedError(
            "Protime does not know this person", code="UNKNOWN_PERSON"
        )
    if status < 400 or status == 408 or status >= 500:
        raise TimeClockConnectionError(
            f"Protime answered {status}",
            ambiguous=ambiguous and status in AMBIGUOUS_STATUSES,
        )
    code, detail = _problem(resp)
    raise TimeClockRejectedError(f"Protime refused the clocking: {detail}", code=code)


def _problem(resp: Response) -> tuple[str, str]:
    """Return the code and a short detail of a Protime error body."""
    fallback = f"HTTP_{resp.status}"
    body = resp.json()
    if not isinstance(body, dict):
        return fallback, fallback
    if isinstance(error := body.get("error"), dict):
        return first_text(error.get("code")) or fallback, _detail(error)
    if body.get("validationErrors") or body.get("errors"):
        return "VALIDATION", _detail(body)
    code = first_text(body.get("code")) or first_text(body.get("title")) or fallback
    return code, _detail(body)


def _detail(error: Mapping[str, Any]) -> str:
    """Return the first reason of an error object, shortened."""
    for key in ("reasons", "validationErrors", "errors", "message", "detail", "title"):
        if text := first_text(error.get(key)):
            return text[:200]
    return "no detail"


def _page(resp: Response) -> tuple[list[Any], str | None]:
    """Return the items and the next link of a list answer."""
    body = resp.json()
    if isinstance(body, list):
        return body, None
    if isinstance(body, dict):
        for key in LIST_KEYS:
            if isinstance(items := body.get(key), list):
                links = (first_text(body.get(name)) for name in NEXT_LINK_KEYS)
                return items, next((link for link in links if link), None)
    raise TimeClockConnectionError(
        "Protime answered a list request with an unexpected body", ambiguous=True
    )


def _is_clocking_at(item: Any, person: ProtimePerson, target: int) -> bool:
    """Return whether a listed clocking is this person's InOut clocking at ``target``."""
    if not isinstance(item, Mapping) or item.get("status") == "Deleted":
        return False
    if item.get("kind", "InOut") != "InOut" or not person.is_in(item.get("person")):
        return False
    try:
        day = date.fromisoformat(str(item.get("date"))[:10])
    except ValueError:
        return False
    minutes = (
        item.get(key) for key in ("timeOfDayInMinutes", "originalTimeOfDayInMinutes")
    )
    return any(isinstance(m, int) and _instant(day, m) == target for m in minutes)


def _instant(day: date, minutes: int) -> int:
    """Return a date and minute of day as minutes since the start of the calendar."""
    return day.toordinal() * MINUTES_PER_DAY + minutes


def _has_id(body: Any) -> bool:
    """Return whether a body is an object carrying an ``id``."""
    return isinstance(body, dict) and body.get("id") is not None
