"""The Protime client: send clockings, looking first after an uncertain attempt.

A clocking is ``POST /clockings`` with the local wall-clock ``date`` and
``timeOfDayInMinutes`` (0..1439: Protime files it on the right work day by the
person's day program) and one of four kinds (:mod:`.kinds`): ``InOut``,
``Reason``, ``Activity`` or ``ActivityEnd``. None carries a direction (Protime
pairs them in order), so a duplicate shifts every later pairing: when an earlier
attempt may have reached Protime, the client first reads the person's clockings
with ``GET /clockings?filter=...`` and skips the punch if one of the same kind,
minute and kind fields is already there. The read covers the day before and
after as well, because Protime may file a night-shift clocking on the
neighbouring day with a time beyond 0..1439 (from -1440 to 2880).

The clockings filter only takes person ids, so for an external reference the
look-up reads every clocking of those days with
``externalReferences=(people,<reference>)`` and compares the reference.
"""

# api/ imports only itself, relatively, so it can be lifted out whole.
# ruff: noqa: TID252

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, tzinfo
import logging
import time
from typing import Any, Final

import aiohttp
from yarl import URL

from ..errors import TimeClockAccountError, TimeClockConnectionError
from ..http import HttpBackend
from ..models import AccountInfo, Delivery, PunchRequest
from .answers import has_id, instant, is_clocking_at, page, raise_for_status
from .kinds import kind_fields
from .person import REFERENCE_ID, ProtimePerson
from .token import DEFAULT_TOKEN_URL, ProtimeAuth

LOGGER = logging.getLogger(__package__)

DEFAULT_API_URL: Final = "https://{tenant}.myprotime.eu/connector/protimeapi/api/v1"
# Pages of a clocking look-up read at most; a person's three days fit in one.
MAX_PAGES: Final = 50


class ProtimeClient(HttpBackend):
    """Send clockings to one Protime tenant.

    States are not read: clockings carry no direction.
    """

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
        self._tenant = tenant.strip()
        self._time_zone = time_zone
        self._api_url = (api_url or DEFAULT_API_URL.format(tenant=self._tenant)).rstrip(
            "/"
        )
        super().__init__(session, self._api_url)
        self._auth = ProtimeAuth(
            session=session,
            token_url=token_url or DEFAULT_TOKEN_URL.format(tenant=self._tenant),
            client_id=client_id,
            client_secret=client_secret,
            clock=clock,
        )
        self._terminal_id = terminal_id
        self._latitude = latitude
        self._longitude = longitude

    async def async_validate(self) -> AccountInfo:
        """Get a token and read the first page of people to prove the account works.

        A 400 still proves it: the token, its scopes and the tenant were accepted
        and only the query was refused (Protime requires filters on most lists).
        """
        resp = await self._auth.async_request("GET", f"{self._api_url}/people")
        if resp.status == 404:
            raise TimeClockAccountError(
                "Protime API not found for this tenant", reason="unknown_tenant"
            )
        if resp.status != 400:
            raise_for_status(resp, ambiguous=False)
            page(resp)
        return AccountInfo(
            unique_id=self._tenant.casefold(), title=f"Protime {self._tenant}"
        )

    async def async_deliver(self, punch: PunchRequest) -> Delivery:
        """Create one clocking, unless an uncertain earlier attempt made it."""
        person = ProtimePerson.from_punch(punch)
        fields = kind_fields(punch)
        when = punch.time.astimezone(self._time_zone)
        try:
            if punch.uncertain and await self._async_find(person, when, fields):
                LOGGER.debug("Protime already has clocking %s", punch.punch_id)
                return Delivery()
            await self._async_post(self._clocking(person, when, fields))
        except TimeClockConnectionError as err:
            if punch.uncertain and not err.ambiguous:
                # The earlier attempt stays unresolved until a look-up succeeds.
                raise TimeClockConnectionError(str(err), ambiguous=True) from err
            raise
        return Delivery()

    def _clocking(
        self, person: ProtimePerson, when: datetime, fields: dict[str, Any]
    ) -> dict[str, Any]:
        """Return the body of a clocking of ``fields``' kind at a local wall-clock time."""
        body: dict[str, Any] = {
            "person": person.as_body(),
            "date": when.date().isoformat(),
            "timeOfDayInMinutes": when.hour * 60 + when.minute,
        }
        if self._terminal_id is not None:
            body["terminal"] = {"id": self._terminal_id}
        if self._latitude is not None and self._longitude is not None:
            body["geolocation"] = {
                "longitude": self._longitude,
                "latitude": self._latitude,
            }
        return {**body, **fields, "status": "Active"}

    async def _async_post(self, body: dict[str, Any]) -> None:
        """Send one clocking and check that Protime created it."""
        resp = await self._auth.async_request(
            "POST", f"{self._api_url}/clockings", json=body
        )
        raise_for_status(resp, ambiguous=True)
        if resp.header("Location") is None and not has_id(resp.json()):
            raise TimeClockConnectionError(
                f"Protime answered {resp.status} without the created clocking",
                ambiguous=True,
            )

    async def _async_find(
        self, person: ProtimePerson, when: datetime, fields: dict[str, Any]
    ) -> bool:
        """Return whether Protime already holds this person's clocking at ``when``."""
        target = instant(when.date(), when.hour * 60 + when.minute)
        url: URL | None = self._lookup_url(person, when.date())
        for _ in range(MAX_PAGES):
            if url is None:
                return False
            resp = await self._auth.async_request("GET", str(url))
            raise_for_status(resp, ambiguous=True)
            items, next_link = page(resp)
            if any(is_clocking_at(item, person, target, fields) for item in items):
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
