"""Each backend described once: its forms, its employee fields and its client.

The config and employee flows, the employees' extras and the clients are built
from these descriptions: a new backend is a client module in ``api/``, one
``Vendor`` here and its texts in ``strings.json``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any, Final, Literal

import aiohttp
from homeassistant.const import (
    CONF_LATITUDE,
    CONF_LOCATION,
    CONF_LONGITUDE,
    CONF_NAME,
    CONF_PASSWORD,
    CONF_USERNAME,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util import dt as dt_util

from .api import Backend, LocalBackend
from .api.calamari import CalamariClient
from .api.protime import (
    BADGE_NUMBER,
    DEFAULT_API_URL as PROTIME_API_URL,
    EMPLOYEE_NUMBER,
    REFERENCE_ID,
    ProtimeClient,
)
from .api.sonoran import DEFAULT_BASE_URL as SONORAN_API_URL, SonoranClient
from .api.tracktik import TrackTikClient
from .const import (
    CONF_ACCOUNT,
    CONF_API_KEY,
    CONF_API_URL,
    CONF_BACKEND,
    CONF_CLIENT_ID,
    CONF_CLIENT_SECRET,
    CONF_COMMUNITY_ID,
    CONF_DESCRIPTION,
    CONF_ID_TYPE,
    CONF_IDENTIFIER,
    CONF_PORTAL_URL,
    CONF_POSITION,
    CONF_PROJECT_ID,
    CONF_REFERENCE,
    CONF_REFRESH_TOKEN,
    CONF_TENANT,
    CONF_TERMINAL_ID,
    CONF_TOKEN_URL,
)

# What a form field holds: free text, a secret, a URL, a whole number, a choice.
type FieldKind = Literal["text", "secret", "url", "number", "choice"]


@dataclass(frozen=True, kw_only=True, slots=True)
class EmployeeField:
    """One backend-specific field of the employee form."""

    kind: FieldKind = "text"
    required: bool = False
    # A choice's options: the key the form offers -> the value the backend wants.
    choices: Mapping[str, str] = field(default_factory=dict)
    default: str | None = None
    # Handed to the client with every punch of the employee (``PunchRequest.extras``).
    extra: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class BackendSettings:
    """What a client is built from."""

    hass: HomeAssistant
    session: aiohttp.ClientSession
    data: Mapping[str, Any]
    options: Mapping[str, Any]
    title: str
    time_zone: tzinfo
    on_tokens: Callable[[str], None] | None


@dataclass(frozen=True, kw_only=True, slots=True)
class Vendor:
    """A backend: its credentials, its employee fields and its client."""

    key: str
    credentials: Mapping[str, FieldKind]
    create: Callable[[BackendSettings], Backend]
    # The credentials reauthentication asks again; the collapsed "Advanced" fields.
    reauth: tuple[str, ...] = ()
    advanced: tuple[str, ...] = ()
    employee: Mapping[str, EmployeeField] = field(default_factory=dict)
    # The identifier kinds (None: without a kind field) that must be a number.
    numeric_identifier: frozenset[str | None] = frozenset()
    # Example URLs the form's texts show (texts hold no URLs themselves).
    url_examples: Mapping[str, str] = field(default_factory=dict)
    # Whether punches may carry a reason, and activities be started and ended.
    reasons: bool = False
    activities: bool = False

    @property
    def kind_field(self) -> str | None:
        """Return the employee field that says what kind of identifier it is."""
        return next((k for k, f in self.employee.items() if f.kind == "choice"), None)


def _site(settings: BackendSettings) -> tuple[float, float]:
    """Return the site's location: the account's option, else Home Assistant's home."""
    site = settings.options.get(CONF_LOCATION) or {}
    config = settings.hass.config
    return (
        float(site.get(CONF_LATITUDE, config.latitude)),
        float(site.get(CONF_LONGITUDE, config.longitude)),
    )


def _protime(settings: BackendSettings) -> Backend:
    """Return a Protime client."""
    data = settings.data
    terminal = data.get(CONF_TERMINAL_ID)
    latitude, longitude = _site(settings)
    return ProtimeClient(
        session=settings.session,
        tenant=data[CONF_TENANT],
        client_id=data[CONF_CLIENT_ID],
        client_secret=data[CONF_CLIENT_SECRET],
        time_zone=settings.time_zone,
        api_url=data.get(CONF_API_URL) or None,
        token_url=data.get(CONF_TOKEN_URL) or None,
        terminal_id=int(terminal) if terminal not in (None, "") else None,
        latitude=latitude,
        longitude=longitude,
    )


def _sonoran(settings: BackendSettings) -> Backend:
    """Return a SonoranCMS client (at the public API unless an URL is set)."""
    data = settings.data
    url = data.get(CONF_API_URL)
    return SonoranClient(
        session=settings.session,
        community_id=data[CONF_COMMUNITY_ID],
        api_key=data[CONF_API_KEY],
        **({"base_url": url} if url else {}),
    )


_IDENTIFIER = EmployeeField(required=True)
_NUMBER = EmployeeField(kind="number")

VENDORS: Final[dict[str, Vendor]] = {
    vendor.key: vendor
    for vendor in (
        Vendor(
            key="local",
            credentials={CONF_NAME: "text"},
            reasons=True,
            activities=True,
            employee={CONF_IDENTIFIER: EmployeeField()},
            create=lambda s: LocalBackend(name=s.title or str(s.data.get(CONF_NAME))),
        ),
        Vendor(
            key="calamari",
            credentials={CONF_API_URL: "url", CONF_API_KEY: "secret"},
            reauth=(CONF_API_KEY,),
            employee={
                CONF_IDENTIFIER: _IDENTIFIER,
                CONF_PROJECT_ID: _NUMBER,
                CONF_DESCRIPTION: EmployeeField(),
            },
            url_examples={"calamari_api_url": "https://acme.calamari.io/api"},
            create=lambda s: CalamariClient(
                session=s.session,
                api_url=s.data[CONF_API_URL],
                api_key=s.data[CONF_API_KEY],
                time_zone=s.time_zone,
            ),
        ),
        Vendor(
            key="sonoran",
            credentials={CONF_COMMUNITY_ID: "text", CONF_API_KEY: "secret"},
            reauth=(CONF_API_KEY,),
            advanced=(CONF_API_URL,),
            employee={
                CONF_ID_TYPE: EmployeeField(
                    kind="choice",
                    required=True,
                    default="api_id",
                    extra=True,
                    choices={
                        "api_id": "apiId",
                        "username": "username",
                        "acc_id": "accId",
                        "discord": "discord",
                        "unique_id": "uniqueId",
                    },
                ),
                CONF_IDENTIFIER: _IDENTIFIER,
            },
            numeric_identifier=frozenset({"unique_id"}),
            url_examples={"sonoran_api_url": SONORAN_API_URL},
            create=_sonoran,
        ),
        Vendor(
            key="protime",
            credentials={
                CONF_TENANT: "text",
                CONF_CLIENT_ID: "text",
                CONF_CLIENT_SECRET: "secret",
            },
            reauth=(CONF_CLIENT_ID, CONF_CLIENT_SECRET),
            advanced=(CONF_API_URL, CONF_TOKEN_URL, CONF_TERMINAL_ID),
            employee={
                CONF_REFERENCE: EmployeeField(
                    kind="choice",
                    required=True,
                    default="id",
                    extra=True,
                    choices={
                        "id": REFERENCE_ID,
                        "badge_number": BADGE_NUMBER,
                        "employee_number": EMPLOYEE_NUMBER,
                    },
                ),
                CONF_IDENTIFIER: _IDENTIFIER,
            },
            numeric_identifier=frozenset({"id"}),
            reasons=True,
            activities=True,
            url_examples={
                "protime_url": "https://TENANT.myprotime.eu",
                "protime_api_url": PROTIME_API_URL.format(tenant="TENANT"),
            },
            create=_protime,
        ),
        Vendor(
            key="tracktik",
            credentials={
                CONF_PORTAL_URL: "url",
                CONF_CLIENT_ID: "text",
                CONF_CLIENT_SECRET: "secret",
                CONF_USERNAME: "text",
                CONF_PASSWORD: "secret",
            },
            reauth=(CONF_USERNAME, CONF_PASSWORD),
            employee={
                CONF_IDENTIFIER: _IDENTIFIER,
                CONF_POSITION: EmployeeField(kind="number", extra=True),
                CONF_ACCOUNT: EmployeeField(kind="number", extra=True),
            },
            numeric_identifier=frozenset({None}),
            url_examples={"tracktik_url": "https://acme.staffr.us"},
            create=lambda s: TrackTikClient(
                session=s.session,
                portal_url=s.data[CONF_PORTAL_URL],
                client_id=s.data[CONF_CLIENT_ID],
                client_secret=s.data[CONF_CLIENT_SECRET],
                username=s.data[CONF_USERNAME],
                password=s.data[CONF_PASSWORD],
                time_zone=s.time_zone,
                refresh_token=s.data.get(CONF_REFRESH_TOKEN),
                on_tokens=s.on_tokens,
            ),
        ),
    )
}
BACKENDS: Final = tuple(VENDORS)


def vendor_of(data: Mapping[str, Any]) -> Vendor:
    """Return the vendor of an account's settings (a local record by default)."""
    return VENDORS.get(str(data.get(CONF_BACKEND, "local")), VENDORS["local"])


def create_backend(
    hass: HomeAssistant,
    data: Mapping[str, Any],
    *,
    title: str = "",
    options: Mapping[str, Any] | None = None,
    on_tokens: Callable[[str], None] | None = None,
) -> Backend:
    """Return the backend client for an account's settings and options."""
    return vendor_of(data).create(
        BackendSettings(
            hass=hass,
            session=async_get_clientsession(hass),
            data=data,
            options=options or {},
            title=title,
            time_zone=dt_util.get_default_time_zone(),
            on_tokens=on_tokens,
        )
    )


def async_create_backend(hass: HomeAssistant, entry: Any) -> Backend:
    """Return the backend client of a config entry; rotated tokens go back into it."""

    def on_tokens(refresh_token: str) -> None:
        if entry.data.get(CONF_REFRESH_TOKEN) != refresh_token:
            hass.config_entries.async_update_entry(
                entry, data={**entry.data, CONF_REFRESH_TOKEN: refresh_token}
            )

    return create_backend(
        hass, entry.data, title=entry.title, options=entry.options, on_tokens=on_tokens
    )
