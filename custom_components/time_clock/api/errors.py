"""Errors raised by the Time Clock backend clients.

Every client maps its vendor's failures onto this one tree, so the outbox can
decide what to do without knowing the vendor:

- ``TimeClockConnectionError``: transient; keep the punch and retry with backoff.
  ``ambiguous`` is true when the request may have reached the backend.
- ``TimeClockRateLimitedError``: keep the punch and wait ``retry_after`` seconds.
- ``TimeClockAuthenticationError``: credentials refused; pause and reauthenticate.
- ``TimeClockRejectedError``: the backend refused this punch for good.
- ``TimeClockAccountError``: the account cannot be used (tenant, plan, licence).
"""

from __future__ import annotations


class TimeClockError(Exception):
    """Base class of every backend error."""


class TimeClockConnectionError(TimeClockError):
    """The backend could not be reached or answered with a transient failure."""

    def __init__(self, message: str, *, ambiguous: bool = False) -> None:
        """Store whether the request may have reached the backend."""
        super().__init__(message)
        self.ambiguous = ambiguous


class TimeClockRateLimitedError(TimeClockError):
    """The backend refused the request because a quota is exhausted."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        """Store how long the backend asked to wait, in seconds."""
        super().__init__(message)
        self.retry_after = retry_after


class TimeClockAuthenticationError(TimeClockError):
    """The backend refused the credentials."""


class TimeClockRejectedError(TimeClockError):
    """The backend refused this punch; sending it again cannot succeed."""

    def __init__(self, message: str, *, code: str) -> None:
        """Store the vendor's error code."""
        super().__init__(message)
        self.code = code


class TimeClockAccountError(TimeClockError):
    """The account cannot be used as configured (unknown tenant, plan, licence)."""

    def __init__(self, message: str, *, reason: str) -> None:
        """Store a short reason key such as ``unknown_tenant`` or ``plan_required``."""
        super().__init__(message)
        self.reason = reason
