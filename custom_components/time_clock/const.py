"""Constants for Time Clock."""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import Final

DOMAIN: Final = "time_clock"
LOGGER = logging.getLogger(__package__)

CONF_BACKEND: Final = "backend"
CONF_API_URL: Final = "api_url"
CONF_API_KEY: Final = "api_key"
CONF_COMMUNITY_ID: Final = "community_id"
CONF_TENANT: Final = "tenant"
CONF_CLIENT_ID: Final = "client_id"
CONF_CLIENT_SECRET: Final = "client_secret"  # noqa: S105
CONF_TOKEN_URL: Final = "token_url"  # noqa: S105
CONF_TERMINAL_ID: Final = "terminal_id"
CONF_PORTAL_URL: Final = "portal_url"
CONF_REFRESH_TOKEN: Final = "refresh_token"  # noqa: S105
CONF_ID_TYPE: Final = "id_type"
CONF_REFERENCE: Final = "reference"
CONF_POSITION: Final = "position"
CONF_ACCOUNT: Final = "account"
CONF_IDENTIFIER: Final = "identifier"
CONF_TAGS: Final = "tags"
CONF_PROJECT_ID: Final = "project_id"
CONF_DESCRIPTION: Final = "description"

# Options of an account.
CONF_DEBOUNCE: Final = "debounce"
CONF_AUTO_CLOCK_OUT_HOURS: Final = "auto_clock_out_hours"
DEFAULT_DEBOUNCE: Final = 3.0

BACKEND_LOCAL: Final = "local"
BACKEND_CALAMARI: Final = "calamari"
BACKEND_PROTIME: Final = "protime"
BACKEND_TRACKTIK: Final = "tracktik"
BACKEND_SONORAN: Final = "sonoran"

SUBENTRY_EMPLOYEE: Final = "employee"

EVENT_PUNCH: Final = "time_clock_punch"
EVENT_PUNCH_FAILED: Final = "time_clock_punch_failed"
EVENT_UNKNOWN_TAG: Final = "time_clock_unknown_tag"

ATTR_ACCOUNT: Final = "account"
ATTR_ACTION: Final = "action"
ATTR_DELIVERED: Final = "delivered"
ATTR_EMPLOYEE: Final = "employee"
ATTR_EMPLOYEE_ID: Final = "employee_id"
ATTR_SOURCE: Final = "source"
ATTR_TIME: Final = "time"

# A service call may set a time this far ahead of now, for clock drift.
MAX_FUTURE: Final = timedelta(minutes=5)

# Outbox retry policy: exponential backoff with jitter, capped.
BACKOFF_BASE: Final = 2.0
BACKOFF_MAX: Final = 300.0
DEFAULT_RATE_LIMIT_WAIT: Final = 60.0
