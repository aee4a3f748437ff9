"""Protime access tokens: OAuth2 client credentials, renewed before expiry or on 401.

The access token lives ``expires_in`` seconds (1,800 today) and comes without a
refresh token, so it is kept until shortly before it expires or until a request
answers 401; then a new one is asked for once and that request sent once more.
"""

# api/ imports only itself, relatively, so it can be lifted out whole.
# ruff: noqa: TID252

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
import logging
from typing import Any, Final

import aiohttp

from ..errors import (
    TimeClockAccountError,
    TimeClockAuthenticationError,
    TimeClockConnectionError,
    TimeClockRateLimitedError,
)
from ..http import Response, async_request, first_text, seconds

LOGGER = logging.getLogger(__package__)

DEFAULT_TOKEN_URL: Final = (
    "https://authentication.myprotime.eu/tenants/{tenant}/connect/token"  # noqa: S105
)
SCOPES: Final = (
    "connector-protimeapi-clockings.write "
    "connector-protimeapi-clockings.read "
    "connector-protimeapi-people.read"
)
DEFAULT_TOKEN_LIFETIME: Final = 1800.0
# Ask for a new token this long before the old one expires (at most a tenth of its life).
TOKEN_MARGIN: Final = 60.0
# OAuth2 token errors that mean the client exists but may not use these APIs.
LICENCE_ERRORS: Final = frozenset({"invalid_scope", "unauthorized_client"})


@dataclass(frozen=True, kw_only=True)
class _Token:
    """An access token and the clock reading after which it is not used."""

    value: str
    renew_at: float


class ProtimeAuth:
    """Send Protime API requests with a client-credentials access token."""

    def __init__(
        self,
        *,
        session: aiohttp.ClientSession,
        token_url: str,
        client_id: str,
        client_secret: str,
        clock: Callable[[], float],
    ) -> None:
        """Remember the token endpoint and the client credentials."""
        self._session = session
        self.token_url = token_url
        self._client_id = client_id
        self._client_secret = client_secret
        self._clock = clock
        self._token: _Token | None = None
        self._lock = asyncio.Lock()

    async def async_request(self, method: str, url: str, **kwargs: Any) -> Response:
        """Send one API request with a token, renewing the token once on 401."""
        token = await self._async_token()
        resp = await self._async_send(method, url, token, **kwargs)
        if resp.status != 401:
            return resp
        LOGGER.debug("Protime refused the access token; asking for a new one")
        self._drop(token)
        token = await self._async_token()
        resp = await self._async_send(method, url, token, **kwargs)
        if resp.status == 401:
            self._drop(token)
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
        async with self._lock:
            if self._token is None or self._clock() >= self._token.renew_at:
                self._token = await self._async_fetch()
            return self._token.value

    def _drop(self, value: str) -> None:
        """Forget the token if it is still the one in use."""
        if self._token is not None and self._token.value == value:
            self._token = None

    async def _async_fetch(self) -> _Token:
        """Ask the token endpoint for a new access token."""
        form = {
            "grant_type": "client_credentials",
            "client_id": self._client_id,
            "client_secret": self._client_secret,
            "scope": SCOPES,
        }
        asked_at = self._clock()
        try:
            resp = await async_request(self._session, "POST", self.token_url, data=form)
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
        code = first_text(body, "error") if isinstance(body, dict) else None
        if code in LICENCE_ERRORS:
            raise TimeClockAccountError(
                f"Protime refused the API scopes ({code})", reason="licence_missing"
            )
        raise TimeClockAuthenticationError(
            f"Protime refused the client credentials ({code or status})"
        )
    raise TimeClockConnectionError(f"Protime token endpoint answered {status}")
