"""Backend clients for Time Clock.

This package imports nothing from Home Assistant: each client takes an
``aiohttp.ClientSession`` and raises the errors of :mod:`.errors`.
"""

from __future__ import annotations

from .errors import (
    TimeClockAccountError,
    TimeClockAuthenticationError,
    TimeClockConnectionError,
    TimeClockError,
    TimeClockRateLimitedError,
    TimeClockRejectedError,
)
from .local import LocalBackend
from .models import AccountInfo, Action, Backend, Delivery, PunchRequest

__all__ = [
    "AccountInfo",
    "Action",
    "Backend",
    "Delivery",
    "LocalBackend",
    "PunchRequest",
    "TimeClockAccountError",
    "TimeClockAuthenticationError",
    "TimeClockConnectionError",
    "TimeClockError",
    "TimeClockRateLimitedError",
    "TimeClockRejectedError",
]
