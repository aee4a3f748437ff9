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
from .models import (
    DATA_ENTRY_CODE,
    AccountInfo,
    Action,
    ActivityLevel,
    Backend,
    Delivery,
    PunchRequest,
)

__all__ = [
    "DATA_ENTRY_CODE",
    "AccountInfo",
    "Action",
    "ActivityLevel",
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
