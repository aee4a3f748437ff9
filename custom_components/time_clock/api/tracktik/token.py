"""TrackTik tokens: the password grant and single-use, rotating refresh tokens.

TrackTik signs in with the OAuth2 password grant of an API service account at
``{portal}/rest/oauth2/access_token``. Refresh tokens are single-use and rotate,
so every new one goes to ``on_tokens`` at once. A failed login is never retried:
40 failed logins in 2 minutes lock the IP out for 2 hours, so a refused login
stops every later request until new credentials build a new client.
"""

# api/ imports only itself, relatively, so it can be lifted out whole.
# ruff: noqa: TID252

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
import logging
from typing import Any, Final

import aiohttp

from ..errors import (
    TimeClockAccountError,
    TimeClockAuthenticationError,
    TimeClockConnectionError,
)
from ..http import Response, async_request, seconds
from .answers import error_details, raise_for_status

LOGGER = logging.getLogger(__package__)

OAUTH_PATH: Final = "/rest/oauth2/access_token"
DEFAULT_EXPIRES_IN: Final = 3600.0
EXPIRY_MARGIN: Final = 60.0
REFUSED_GRANT_STATUSES: Final = frozenset({400, 401, 403})


class _GrantRefusedError(Exception):
    """The token endpoint refused a grant (bad credentials or a spent refresh token)."""


@dataclass(frozen=True, kw_only=True)
class ServiceAccount:
    """The OAuth2 client and the API service account a portal is signed in with."""

    client_id: str
    client_secret: str = field(repr=False)
    username: str
    password: str = field(repr=False)

    def form(self, grant: Mapping[str, str]) -> dict[str, str]:
        """Return the form of a token request: the grant and the client credentials."""
        return {
            **grant,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
        }


class TrackTikAuth:
    """Send TrackTik API requests with an access token, signing in when needed."""

    def __init__(
        self,
        *,
        session: aiohttp.ClientSession,
        portal_url: str,
        account: ServiceAccount,
        refresh_token: str | None,
        on_tokens: Callable[[str], None] | None,
        clock: Callable[[], float],
    ) -> None:
        """Remember the token endpoint, the account and the last stored refresh token."""
        self._session = session
        self._token_url = f"{portal_url}{OAUTH_PATH}"
        self._account = account
        self._refresh_token = refresh_token or None
        self._on_tokens = on_tokens
        self._clock = clock
        self._access_token: str | None = None
        self._expires_at = 0.0
        self._login_failed = False
        self._lock = asyncio.Lock()

    async def async_sign_in(self) -> None:
        """Sign in once with the password grant (the credential check)."""
        async with self._lock:
            self._raise_if_login_failed()
            await self._async_login()

    async def async_request(self, method: str, url: str, **kwargs: Any) -> Response:
        """Send one API request; after a 401, get a new token and send it once more."""
        resp = await self._async_send(method, url, **kwargs)
        if resp.status == 401:
            LOGGER.debug("TrackTik refused the access token; getting a new one")
            resp = await self._async_send(method, url, **kwargs)
        return resp

    async def _async_send(self, method: str, url: str, **kwargs: Any) -> Response:
        """Send one API request with the current access token."""
        token = await self._async_token()
        headers = {"Authorization": f"Bearer {token}"}
        resp = await async_request(
            self._session, method, url, headers=headers, **kwargs
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
                    "username": self._account.username,
                    "password": self._account.password,
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
        resp = await async_request(
            self._session, "POST", self._token_url, data=self._account.form(grant)
        )
        if resp.status in REFUSED_GRANT_STATUSES:
            raise _GrantRefusedError(error_details(resp, "invalid_grant")[0])
        if resp.status == 404:
            raise TimeClockAccountError(
                "No TrackTik token endpoint at this portal URL", reason="unknown_tenant"
            )
        raise_for_status(resp)
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
