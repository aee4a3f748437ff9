"""The TrackTik backend: work sessions through a portal's REST API.

The client (:mod:`.client`) opens and closes work sessions; its tokens (password
grant, single-use rotating refresh tokens, no second try after a refused login)
are kept apart (:mod:`.token`), and so is the reading of answers (:mod:`.answers`).
"""

from __future__ import annotations

from .answers import CODE_KEYS, MESSAGE_KEYS, REJECT_STATUSES
from .client import (
    API_PATH,
    CLOSED,
    LIST_LIMIT,
    LOGGER,
    METHOD,
    OPEN,
    STATE_KEY,
    TIME_FORMAT,
    TrackTikClient,
)
from .token import (
    DEFAULT_EXPIRES_IN,
    EXPIRY_MARGIN,
    OAUTH_PATH,
    REFUSED_GRANT_STATUSES,
)

__all__ = [
    "API_PATH",
    "CLOSED",
    "CODE_KEYS",
    "DEFAULT_EXPIRES_IN",
    "EXPIRY_MARGIN",
    "LIST_LIMIT",
    "LOGGER",
    "MESSAGE_KEYS",
    "METHOD",
    "OAUTH_PATH",
    "OPEN",
    "REFUSED_GRANT_STATUSES",
    "REJECT_STATUSES",
    "STATE_KEY",
    "TIME_FORMAT",
    "TrackTikClient",
]
