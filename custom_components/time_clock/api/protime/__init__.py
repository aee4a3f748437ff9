"""The Protime backend: InOut, Reason, Activity and ActivityEnd clockings.

Protime authenticates with OAuth2 client credentials (:mod:`.token`). A person is
addressed by Protime id (``extras["reference"]`` absent or ``"id"``) or by an
external reference such as ``@badge-number`` or ``@employee-number``
(:mod:`.person`). The client (:mod:`.client`) sends one clocking per punch, of the
kind the punch calls for (:mod:`.kinds`), and,
after an uncertain attempt, reads Protime's clockings first (:mod:`.answers`).
"""

from __future__ import annotations

from .answers import LIST_KEYS, MINUTES_PER_DAY, NEXT_LINK_KEYS
from .client import DEFAULT_API_URL, LOGGER, MAX_PAGES, ProtimeClient
from .kinds import ACTIVITY, ACTIVITY_END, INOUT, REASON
from .person import BADGE_NUMBER, EMPLOYEE_NUMBER, REFERENCE_ID, ProtimePerson
from .token import (
    DEFAULT_TOKEN_LIFETIME,
    DEFAULT_TOKEN_URL,
    LICENCE_ERRORS,
    SCOPES,
    TOKEN_MARGIN,
)

__all__ = [
    "ACTIVITY",
    "ACTIVITY_END",
    "BADGE_NUMBER",
    "DEFAULT_API_URL",
    "DEFAULT_TOKEN_LIFETIME",
    "DEFAULT_TOKEN_URL",
    "EMPLOYEE_NUMBER",
    "INOUT",
    "LICENCE_ERRORS",
    "LIST_KEYS",
    "LOGGER",
    "MAX_PAGES",
    "MINUTES_PER_DAY",
    "NEXT_LINK_KEYS",
    "REASON",
    "REFERENCE_ID",
    "SCOPES",
    "TOKEN_MARGIN",
    "ProtimeClient",
    "ProtimePerson",
]
