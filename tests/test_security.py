"""Security as tests (SPEC §9): secrets stay out of logs and diagnostics, URLs, admin.

The first test drives every vendor's account through a whole life at debug log
level, with the real client against the vendor's fake on 127.0.0.1: the config
flow (a wrong credential first), employees, tag reads over MQTT and
``tag_scanned`` (a held card, an unknown card), service punches, a delivery, a
punch the backend rejects, credentials the backend stops accepting, the reauth
flow, and the diagnostics download. Nothing secret may show up in the log or
in the diagnostics: no API key, client id or secret, user name, password,
access or refresh token (also as a Basic header), no e-mail, no person
identifier in diagnostics, and no tag UID in any spelling.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
import json
import logging
from typing import Any
from unittest.mock import patch

from homeassistant.auth.models import User
from homeassistant.config_entries import SOURCE_REAUTH, SOURCE_USER, ConfigEntry
from homeassistant.const import CONF_NAME
from homeassistant.core import Context, HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import Unauthorized
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_mqtt_message,
)
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    MqttMockHAClient,
)

from custom_components.time_clock.api.sonoran import SonoranClient
from custom_components.time_clock.const import DOMAIN
from tests.fakes.calamari import FakeCalamari
from tests.fakes.protime import FakeProtime
from tests.fakes.sonoran import FakeSonoran
from tests.fakes.tracktik import FakeTrackTik

from .conftest import until

LOGGER_NAME = "custom_components.time_clock"
HARNESS = "pytest_homeassistant_custom_component"
READER_TOPIC = "tele/frontdoor/SENSOR"
# John's card, as he typed it in the employee form, and as readers send it.
TAG_FORM = "de:ad:be:ef:77"
TAG = "DEADBEEF77"
TAG_SPELLINGS = (TAG, TAG.lower(), "DE:AD:BE:EF:77", "de-ad-be-ef-77", TAG_FORM)
UNKNOWN_TAG = "CAFEF00D99"
EMAIL = "john.secret-mail@example.com"
GHOST_EMAIL = "ghost.person@example.com"
PROTIME_BADGE = "BADGE-7Q3Z"
PROTIME_GHOST = "8675309"
TRACKTIK_EMPLOYEE = 7734501
TRACKTIK_GHOST = 7734999
SONORAN_API_ID = "apiid-X9K2LQ"
SONORAN_GHOST = "apiid-GHOST77"


# Vendors ---------------------------------------------------------------------------


@dataclass(kw_only=True)
class Vendor:
    """One vendor's fake, its forms, and how to make it refuse the credentials."""

    name: str
    fake: Any
    credentials: dict[str, Any]
    wrong: dict[str, Any]
    john: dict[str, Any]
    ghost: dict[str, Any]
    break_auth: Callable[[], None]
    reauth: dict[str, Any]
    secrets: list[str]
    identifiers: list[str]
    tokens: Callable[[], list[str]] = list
    delivered: Callable[[], int] = lambda: 0
    extra: list[Any] = field(default_factory=list)


async def calamari_vendor() -> Vendor:
    """Return a Calamari tenant that knows John (by e-mail)."""
    key = "CALAMARI-KEY-q8Zr2LpX"
    fake = FakeCalamari(api_key=key)
    fake.add_person(EMAIL)
    await fake.start()

    def break_auth() -> None:
        fake.api_key = "CALAMARI-KEY-rotated-4Hs9"

    return Vendor(
        name="calamari",
        fake=fake,
        credentials={"api_url": fake.url, "api_key": key},
        wrong={"api_url": fake.url, "api_key": "CALAMARI-WRONG-7c1V"},
        john={"identifier": EMAIL, "description": "Secret note 5521"},
        ghost={"identifier": GHOST_EMAIL},
        break_auth=break_auth,
        reauth={"api_key": "CALAMARI-KEY-rotated-4Hs9"},
        secrets=[
            key,
            "CALAMARI-WRONG-7c1V",
            "CALAMARI-KEY-rotated-4Hs9",
            base64.b64encode(f"calamari:{key}".encode()).decode(),
        ],
        identifiers=[EMAIL, GHOST_EMAIL, "Secret note 5521"],
        delivered=lambda: len(fake.accepted),
    )


async def protime_vendor() -> Vendor:
    """Return a Protime tenant that knows John (by badge number)."""
    fake = FakeProtime(client_id="PT-CLIENT-3kq9", client_secret="PT-SECRET-h7Gw2")
    fake.add_person(4401, badge=PROTIME_BADGE)
    await fake.start()

    def break_auth() -> None:
        fake.client_secret = "PT-SECRET-rotated-9Jd"
        fake.expire_tokens()

    return Vendor(
        name="protime",
        fake=fake,
        credentials={
            "tenant": fake.tenant,
            "client_id": "PT-CLIENT-3kq9",
            "client_secret": "PT-SECRET-h7Gw2",
            "advanced": {"api_url": fake.api_url, "token_url": fake.token_url},
        },
        wrong={
            "tenant": fake.tenant,
            "client_id": "PT-CLIENT-3kq9",
            "client_secret": "PT-WRONG-55xQ",
            "advanced": {"api_url": fake.api_url, "token_url": fake.token_url},
        },
        john={"reference": "badge_number", "identifier": PROTIME_BADGE},
        ghost={"reference": "id", "identifier": PROTIME_GHOST},
        break_auth=break_auth,
        reauth={
            "client_id": "PT-CLIENT-3kq9",
            "client_secret": "PT-SECRET-rotated-9Jd",
        },
        secrets=[
            "PT-CLIENT-3kq9",
            "PT-SECRET-h7Gw2",
            "PT-WRONG-55xQ",
            "PT-SECRET-rotated-9Jd",
        ],
        identifiers=[PROTIME_BADGE, PROTIME_GHOST],
        tokens=lambda: list(fake.tokens),
        delivered=lambda: len(fake.clockings),
    )


async def tracktik_vendor() -> Vendor:
    """Return a TrackTik portal that knows John (employee id, position, account)."""
    fake = FakeTrackTik(
        client_id="TT-CLIENT-8pXe",
        client_secret="TT-SECRET-Lm42q",
        username="tt-api-user-5r",
        password="TT-PASSWORD-Zx81",
    )
    fake.add_employee(TRACKTIK_EMPLOYEE, position=382, account=687)
    await fake.start()

    def break_auth() -> None:
        fake.password = "TT-PASSWORD-rotated-3Nn"
        fake.expire_access_tokens()
        fake.spent_refresh_tokens.update(fake.refresh_tokens)
        fake.refresh_tokens.clear()

    def tokens() -> list[str]:
        return [
            *fake.access_tokens,
            *fake.refresh_tokens,
            *fake.spent_refresh_tokens,
        ]

    form = {
        "portal_url": fake.url,
        "client_id": "TT-CLIENT-8pXe",
        "client_secret": "TT-SECRET-Lm42q",
        "username": "tt-api-user-5r",
        "password": "TT-PASSWORD-Zx81",
    }
    return Vendor(
        name="tracktik",
        fake=fake,
        credentials=form,
        wrong={**form, "password": "TT-WRONG-Qq09"},
        john={"identifier": str(TRACKTIK_EMPLOYEE), "position": 382, "account": 687},
        ghost={"identifier": str(TRACKTIK_GHOST), "position": 382, "account": 687},
        break_auth=break_auth,
        reauth={"username": "tt-api-user-5r", "password": "TT-PASSWORD-rotated-3Nn"},
        secrets=[
            "TT-CLIENT-8pXe",
            "TT-SECRET-Lm42q",
            "tt-api-user-5r",
            "TT-PASSWORD-Zx81",
            "TT-WRONG-Qq09",
            "TT-PASSWORD-rotated-3Nn",
        ],
        identifiers=[str(TRACKTIK_EMPLOYEE), str(TRACKTIK_GHOST)],
        tokens=tokens,
        delivered=lambda: len(fake.operations),
    )


async def sonoran_vendor() -> Vendor:
    """Return a SonoranCMS community that knows John (by API id)."""
    fake = FakeSonoran(community_id="SecretCommunity", api_key="SONORAN-KEY-w3Rt6")
    fake.add_account("acc-1", api_id=SONORAN_API_ID)
    url = await fake.start()

    async def no_sleep(_seconds: float) -> None:
        await asyncio.sleep(0)

    def break_auth() -> None:
        fake.api_key = "SONORAN-KEY-rotated-8Lp"

    client = partial(SonoranClient, base_url=url, sleep=no_sleep, min_interval=0.0)
    return Vendor(
        name="sonoran",
        fake=fake,
        credentials={"community_id": "SecretCommunity", "api_key": "SONORAN-KEY-w3Rt6"},
        wrong={"community_id": "SecretCommunity", "api_key": "SONORAN-WRONG-1aZ"},
        john={"id_type": "api_id", "identifier": SONORAN_API_ID},
        ghost={"id_type": "api_id", "identifier": SONORAN_GHOST},
        break_auth=break_auth,
        reauth={"api_key": "SONORAN-KEY-rotated-8Lp"},
        secrets=["SONORAN-KEY-w3Rt6", "SONORAN-WRONG-1aZ", "SONORAN-KEY-rotated-8Lp"],
        identifiers=[SONORAN_API_ID, SONORAN_GHOST],
        delivered=lambda: len(fake.transitions),
        extra=[patch("custom_components.time_clock.vendors.SonoranClient", client)],
    )


VENDORS: dict[str, Callable[[], Awaitable[Vendor]]] = {
    "calamari": calamari_vendor,
    "protime": protime_vendor,
    "tracktik": tracktik_vendor,
    "sonoran": sonoran_vendor,
}


@pytest.fixture
def expected_lingering_timers() -> bool:
    """Let MQTT's client timers outlive a test, as core does for MQTT users."""
    return True


@pytest.fixture(params=list(VENDORS))
async def vendor(
    request: pytest.FixtureRequest, socket_enabled: None
) -> AsyncIterator[Vendor]:
    """Run one vendor's fake on 127.0.0.1 with distinctive credentials."""
    found = await VENDORS[request.param]()
    for extra in found.extra:
        extra.start()
    yield found
    for extra in found.extra:
        extra.stop()
    await found.fake.stop()


# Helpers -----------------------------------------------------------------------------


async def add_account(hass: HomeAssistant, vendor: Vendor) -> ConfigEntry:
    """Add the account through the config flow, a wrong credential first."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": vendor.name}
    )
    assert result["step_id"] == vendor.name
    flow_id = result["flow_id"]
    result = await hass.config_entries.flow.async_configure(flow_id, vendor.wrong)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(flow_id, vendor.credentials)
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    await hass.async_block_till_done()
    entry: ConfigEntry = result["result"]
    return entry


async def add_employee(
    hass: HomeAssistant, entry: ConfigEntry, name: str, fields: dict[str, Any]
) -> str:
    """Add an employee through the subentry flow; return its subentry id."""
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "employee"), context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_NAME: name, **fields}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    await hass.async_block_till_done()
    return next(s.subentry_id for s in entry.subentries.values() if s.title == name)


def employee_device(hass: HomeAssistant, entry: ConfigEntry, subentry_id: str) -> str:
    """Return the device id of an employee."""
    registry = dr.async_get(hass)
    for device in dr.async_entries_for_config_entry(registry, entry.entry_id):
        if (DOMAIN, subentry_id) in device.identifiers:
            return device.id
    raise AssertionError(subentry_id)


async def punch(
    hass: HomeAssistant, service: str, entry: ConfigEntry, subentry_id: str
) -> None:
    """Call a punch service for one employee."""
    await hass.services.async_call(
        DOMAIN,
        service,
        {"device_id": employee_device(hass, entry, subentry_id)},
        blocking=True,
    )


def store_of(entry: ConfigEntry) -> Any:
    """Return the punch store of a loaded account."""
    return entry.runtime_data.account._outbox


async def reauthenticate(hass: HomeAssistant, vendor: Vendor) -> None:
    """Finish the reauth flow the refused credentials started."""
    flows = [
        flow
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        if flow["context"]["source"] == SOURCE_REAUTH
    ]
    assert len(flows) == 1, flows
    result = await hass.config_entries.flow.async_configure(
        flows[0]["flow_id"], vendor.reauth
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()


def logged(caplog: pytest.LogCaptureFixture, prefix: str = "") -> str:
    """Return the log text (messages and tracebacks) of loggers under ``prefix``.

    The test plugin's own storage mock logs every file it writes at debug (Home
    Assistant does not); its records are left out.
    """
    return "\n".join(
        f"{record.getMessage()}\n{record.exc_text or ''}"
        for record in caplog.records
        if record.name.startswith(prefix) and not record.name.startswith(HARNESS)
    )


def leaks(text: str, needles: list[str]) -> list[str]:
    """Return the needles that occur in ``text`` (case-insensitively)."""
    folded = text.casefold()
    return [needle for needle in needles if needle and needle.casefold() in folded]


# The whole life at debug level ---------------------------------------------------------


async def test_no_secret_in_debug_log_or_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    mqtt_mock: MqttMockHAClient,
    vendor: Vendor,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A whole account life at debug level leaves no secret in the log or diagnostics."""
    caplog.set_level(logging.DEBUG)
    await hass.config.async_set_time_zone("Europe/Warsaw")

    entry = await add_account(hass, vendor)
    john = await add_employee(
        hass, entry, "John White", {**vendor.john, "tags": [TAG_FORM]}
    )
    ghost = await add_employee(hass, entry, "Ghost Person", vendor.ghost)
    hass.config_entries.async_update_entry(
        entry,
        options={
            "readers": [
                {"name": "Front door", "topic": READER_TOPIC, "role": "toggle"}
            ],
            "debounce": 3,
            "tag_scanned": True,
        },
    )
    await hass.async_block_till_done()
    assert entry.runtime_data.readers.mqtt_ready
    delivered = vendor.delivered()

    # A tap over MQTT clocks John in; the card held on the reader is one read.
    payload = json.dumps({"PN532": {"UID": TAG_FORM, "DATA": ""}})
    async_fire_mqtt_message(hass, READER_TOPIC, payload)
    async_fire_mqtt_message(hass, READER_TOPIC, payload)
    await until(hass, lambda: store_of(entry).pending_count == 0, "John's clock-in")
    assert vendor.delivered() > delivered
    # An unknown card, twice, over MQTT and as a tag_scanned event.
    async_fire_mqtt_message(hass, READER_TOPIC, UNKNOWN_TAG)
    async_fire_mqtt_message(hass, READER_TOPIC, UNKNOWN_TAG)
    hass.bus.async_fire("tag_scanned", {"tag_id": UNKNOWN_TAG.lower()})
    hass.bus.async_fire("tag_scanned", {"tag_id": UNKNOWN_TAG.lower()})
    # John clocks out with his card at the phone (tag_scanned), held too.
    hass.bus.async_fire("tag_scanned", {"tag_id": TAG_FORM.upper()})
    hass.bus.async_fire("tag_scanned", {"tag_id": TAG_FORM.upper()})
    await until(hass, lambda: store_of(entry).pending_count == 0, "John's clock-out")
    assert not entry.runtime_data.account.state(john).on_shift

    # The backend does not know the ghost: the punch moves to the failed list.
    await punch(hass, "clock_in", entry, ghost)
    await until(hass, lambda: store_of(entry).failed, "the rejected punch")

    # The backend stops accepting the credentials: paused, reauth, delivered.
    vendor.break_auth()
    await punch(hass, "clock_in", entry, john)
    await until(
        hass, lambda: entry.runtime_data.account._outbox.paused, "the paused outbox"
    )
    await reauthenticate(hass, vendor)
    await until(
        hass,
        lambda: entry.runtime_data.account._outbox.pending_count == 0,
        "the clock-in after reauth",
    )

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert diagnostics["runtime"]["failed"], diagnostics
    await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()

    ours = logged(caplog, LOGGER_NAME)
    assert ours, "the integration logged nothing at debug level"
    credentials = vendor.secrets + vendor.tokens()
    assert vendor.tokens() or vendor.name in ("calamari", "sonoran")
    personal = [EMAIL, GHOST_EMAIL, *TAG_SPELLINGS, UNKNOWN_TAG]
    assert not leaks(logged(caplog), credentials), "credential in the log"
    assert not leaks(ours, personal), "e-mail or tag UID in the integration's log"
    text = json.dumps(diagnostics)
    assert not leaks(text, credentials + personal + vendor.identifiers), (
        "secret in diagnostics"
    )


# Backend URLs ------------------------------------------------------------------------------

PLAIN_HTTP = (
    "http://acme.calamari.io/api",
    "http://10.0.0.7:8080/api",
    "http://192.168.1.20/api",
    "http://[2001:db8::1]/api",
    "http://127.0.0.1.nip.io/api",
    "http://localhost.example.com/api",
    "HTTP://acme.calamari.io/api",
)


async def start_user_flow(hass: HomeAssistant, backend: str) -> str:
    """Open the add-account flow at a backend's form; return the flow id."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": backend}
    )
    assert result["step_id"] == backend
    return str(result["flow_id"])


def url_cases() -> list[tuple[str, str, Callable[[str], dict[str, Any]], str]]:
    """Return (backend, field, form for a URL, error key) for every URL field."""
    protime = {"tenant": "acme", "client_id": "id", "client_secret": "secret"}
    tracktik = {
        "client_id": "id",
        "client_secret": "secret",
        "username": "user",
        "password": "pass",
    }
    return [
        (
            "calamari",
            "api_url",
            lambda url: {"api_url": url, "api_key": "k"},
            "api_url",
        ),
        (
            "protime",
            "api_url",
            lambda url: {**protime, "advanced": {"api_url": url}},
            "base",
        ),
        (
            "protime",
            "token_url",
            lambda url: {**protime, "advanced": {"token_url": url}},
            "base",
        ),
        (
            "tracktik",
            "portal_url",
            lambda url: {**tracktik, "portal_url": url},
            "portal_url",
        ),
    ]


@pytest.mark.parametrize(
    ("backend", "field_name", "form", "error_key"),
    url_cases(),
    ids=[f"{case[0]}-{case[1]}" for case in url_cases()],
)
async def test_plain_http_to_another_host_is_refused(
    hass: HomeAssistant,
    backend: str,
    field_name: str,
    form: Callable[[str], dict[str, Any]],
    error_key: str,
) -> None:
    """Every backend URL field refuses http to a host that is not loopback."""
    flow_id = await start_user_flow(hass, backend)
    with patch(
        "custom_components.time_clock.config_flow.create_backend",
        side_effect=AssertionError("no request may be sent"),
    ):
        for url in PLAIN_HTTP:
            result = await hass.config_entries.flow.async_configure(flow_id, form(url))
            assert result["type"] is FlowResultType.FORM, url
            assert result["errors"] == {error_key: "https_required"}, (field_name, url)
    assert not hass.config_entries.async_entries(DOMAIN)


@pytest.mark.parametrize(
    ("backend", "field_name", "form", "error_key"),
    url_cases(),
    ids=[f"{case[0]}-{case[1]}" for case in url_cases()],
)
async def test_plain_http_to_loopback_is_allowed(
    hass: HomeAssistant,
    backend: str,
    field_name: str,
    form: Callable[[str], dict[str, Any]],
    error_key: str,
) -> None:
    """Loopback hosts (tests, local proxies) may use http; https goes anywhere."""
    flow_id = await start_user_flow(hass, backend)
    checked: list[dict[str, Any]] = []

    class Refusing:
        """A backend that refuses the credentials, so the form stays open."""

        def __init__(self, data: dict[str, Any]) -> None:
            checked.append(data)

        async def async_validate(self) -> None:
            from custom_components.time_clock.api import TimeClockAuthenticationError

            raise TimeClockAuthenticationError("no")

    with patch(
        "custom_components.time_clock.config_flow.create_backend",
        lambda _hass, data: Refusing(data),
    ):
        for url in (
            "http://127.0.0.1:8123/api",
            "http://127.8.9.10/api",
            "http://localhost:8080/api",
            "http://[::1]:8080/api",
            "https://acme.calamari.io/api",
        ):
            result = await hass.config_entries.flow.async_configure(flow_id, form(url))
            assert result["errors"] == {"base": "invalid_auth"}, url
    assert [data[field_name] for data in checked] == [
        "http://127.0.0.1:8123/api",
        "http://127.8.9.10/api",
        "http://localhost:8080/api",
        "http://[::1]:8080/api",
        "https://acme.calamari.io/api",
    ]


async def test_reconfigure_refuses_plain_http(
    hass: HomeAssistant, socket_enabled: None
) -> None:
    """Reconfiguring an account cannot move it to plain http on another host."""
    fake = FakeCalamari(api_key="k")
    await fake.start()
    try:
        entry = MockConfigEntry(
            domain=DOMAIN,
            title="127.0.0.1",
            unique_id="127.0.0.1",
            data={"backend": "calamari", "api_url": fake.url, "api_key": "k"},
        )
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        result = await entry.start_reconfigure_flow(hass)
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"],
            {"api_url": "http://acme.calamari.io/api", "api_key": "k"},
        )
        assert result["type"] is FlowResultType.FORM
        assert result["errors"] == {"api_url": "https_required"}
        assert entry.data["api_url"] == fake.url
        await hass.config_entries.async_unload(entry.entry_id)
    finally:
        await fake.stop()


# Admin services -----------------------------------------------------------------------------


async def test_retry_refuses_non_admin_users(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_read_only_user: User,
    hass_admin_user: User,
) -> None:
    """``retry`` changes the outbox: an admin service, refused to other users."""
    outbox = init_integration.runtime_data.account._outbox
    outbox._sender.paused = True
    with pytest.raises(Unauthorized):
        await hass.services.async_call(
            DOMAIN,
            "retry",
            {},
            blocking=True,
            context=Context(user_id=hass_read_only_user.id),
        )
    assert outbox.paused
    await hass.services.async_call(
        DOMAIN, "retry", {}, blocking=True, context=Context(user_id=hass_admin_user.id)
    )
    assert not outbox.paused
