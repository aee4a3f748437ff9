"""Tag reads from MQTT readers and Home Assistant's ``tag_scanned`` events."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
import json
import logging
from time import monotonic
from typing import TYPE_CHECKING, Any, Final

from homeassistant.components import mqtt
from homeassistant.config_entries import (
    SIGNAL_CONFIG_ENTRY_CHANGED,
    ConfigEntry,
    ConfigEntryChange,
    ConfigEntryState,
)
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.exceptions import (
    HomeAssistantError,
    ServiceValidationError,
    TemplateError,
)
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.template import Template

from .api import Action
from .const import CONF_DEBOUNCE, DEFAULT_DEBOUNCE, DOMAIN, EVENT_UNKNOWN_TAG
from .punch import Source
from .reader_payload import extract_uid, normalize_uid

if TYPE_CHECKING:
    from .account import TimeClockAccount, TimeClockConfigEntry

LOGGER = logging.getLogger(__package__)

CONF_READERS: Final = "readers"
CONF_TAG_SCANNED: Final = "tag_scanned"
CONF_ROLE: Final = "role"
CONF_TOPIC: Final = "topic"
CONF_TEMPLATE: Final = "template"
CONF_FEEDBACK_TOPIC: Final = "feedback_topic"
DEFAULT_TAG_SCANNED: Final = True

ROLE_TOGGLE: Final = "toggle"
ROLE_CLOCK_IN: Final = "clock_in"
ROLE_CLOCK_OUT: Final = "clock_out"
ROLES: Final = (ROLE_TOGGLE, ROLE_CLOCK_IN, ROLE_CLOCK_OUT)
ROLE_ACTIONS: Final[Mapping[str, Action | None]] = {
    ROLE_TOGGLE: None,
    ROLE_CLOCK_IN: Action.CLOCK_IN,
    ROLE_CLOCK_OUT: Action.CLOCK_OUT,
}

EVENT_TAG_SCANNED: Final = "tag_scanned"
HOME_ASSISTANT_READER: Final = "Home Assistant"
ISSUE_MQTT_MISSING: Final = "mqtt_missing"
MQTT_DOMAIN: Final = "mqtt"

ERROR_UNKNOWN_TAG: Final = "unknown_tag"
ERROR_NOT_ALLOWED: Final = "reader_not_allowed"
ERROR_PUNCH_FAILED: Final = "punch_failed"

# Forget debounce entries once this many are kept, dropping the expired ones.
_DEBOUNCE_PRUNE_SIZE: Final = 256


@dataclass(frozen=True, kw_only=True, slots=True)
class Reader:
    """One configured reader: a source of tag reads with a role."""

    name: str
    role: str = ROLE_TOGGLE
    topic: str = ""
    template: str = ""
    feedback_topic: str = ""

    @classmethod
    def from_options(cls, data: Mapping[str, Any]) -> Reader:
        """Return the reader an options item describes."""
        role = str(data.get(CONF_ROLE) or ROLE_TOGGLE)
        return cls(
            name=str(data.get("name") or "").strip(),
            role=role if role in ROLES else ROLE_TOGGLE,
            topic=str(data.get(CONF_TOPIC) or "").strip(),
            template=str(data.get(CONF_TEMPLATE) or "").strip(),
            feedback_topic=str(data.get(CONF_FEEDBACK_TOPIC) or "").strip(),
        )

    @property
    def action(self) -> Action | None:
        """Return the action of the reader's role; ``None`` toggles."""
        return ROLE_ACTIONS[self.role]


def readers_from_options(options: Mapping[str, Any]) -> list[Reader]:
    """Return the MQTT readers of an account's options."""
    items = [
        item for item in options.get(CONF_READERS) or [] if isinstance(item, Mapping)
    ]
    return [reader for item in items if (reader := Reader.from_options(item)).topic]


def compile_template(hass: HomeAssistant, source: str) -> Callable[[str], str | None]:
    """Return a callable rendering a reader template with ``value`` and ``value_json``.

    Raise TemplateError when the template is not valid.
    """
    template = Template(source, hass)
    template.ensure_valid()

    def render(text: str) -> str | None:
        """Return what the template makes of a payload's text."""
        try:
            value_json: Any = json.loads(text)
        except ValueError:
            value_json = None
        result = template.async_render(
            {"value": text, "value_json": value_json}, parse_result=False, strict=True
        )
        return str(result)

    return render


class ReaderInput:
    """Turn an account's tag reads into punches."""

    def __init__(
        self,
        *,
        hass: HomeAssistant,
        entry: TimeClockConfigEntry,
        account: TimeClockAccount,
        clock: Callable[[], float] | None = None,
    ) -> None:
        """Read the account's reader options."""
        self.hass = hass
        self.entry = entry
        self.account = account
        self.readers = readers_from_options(entry.options)
        self.tag_scanned = bool(
            entry.options.get(CONF_TAG_SCANNED, DEFAULT_TAG_SCANNED)
        )
        self.debounce = float(entry.options.get(CONF_DEBOUNCE, DEFAULT_DEBOUNCE) or 0)
        self.mqtt_ready = False
        self._subscribing = False
        self._clock = clock or monotonic
        self._seen: dict[tuple[str, str], float] = {}
        self._unknown_logged: float | None = None
        self._unsubs: list[CALLBACK_TYPE] = []

    @property
    def _issue_id(self) -> str:
        """Return the id of the account's MQTT repair issue."""
        return f"{ISSUE_MQTT_MISSING}_{self.entry.entry_id}"

    # Life cycle ------------------------------------------------------------

    async def async_start(self) -> None:
        """Subscribe to the reader topics and listen to ``tag_scanned``."""
        if self.tag_scanned:
            self._unsubs.append(
                self.hass.bus.async_listen(EVENT_TAG_SCANNED, self._handle_tag_scanned)
            )
        if not self.readers:
            ir.async_delete_issue(self.hass, DOMAIN, self._issue_id)
            return
        # MQTT set up later, or reloaded under the subscriptions: start again.
        self._unsubs.append(
            async_dispatcher_connect(
                self.hass, SIGNAL_CONFIG_ENTRY_CHANGED, self._handle_entry_changed
            )
        )
        self._subscribing = True
        try:
            subscribed = await self._async_subscribe()
        finally:
            self._subscribing = False
        if subscribed:
            ir.async_delete_issue(self.hass, DOMAIN, self._issue_id)
            return
        self._create_mqtt_issue()

    async def async_stop(self) -> None:
        """Stop reading tags."""
        while self._unsubs:
            self._unsubs.pop()()
        self.mqtt_ready = False
        ir.async_delete_issue(self.hass, DOMAIN, self._issue_id)

    async def _async_subscribe(self) -> bool:
        """Subscribe to every reader topic; return whether MQTT works."""
        if not await mqtt.async_wait_for_mqtt_client(self.hass):
            return False
        for reader in self.readers:
            handler = self._message_handler(reader)
            try:
                unsub = await mqtt.async_subscribe(
                    self.hass, reader.topic, handler, encoding=None
                )
            except Exception:  # MQTT went away while starting
                LOGGER.debug("Subscribing reader %s failed", reader.name, exc_info=True)
                return False
            self._unsubs.append(unsub)
            LOGGER.debug("Reader %s listens on %s", reader.name, reader.topic)
        self.mqtt_ready = True
        return True

    def _create_mqtt_issue(self) -> None:
        """Say that the account's MQTT readers need the MQTT integration."""
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            self._issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=ISSUE_MQTT_MISSING,
            translation_placeholders={
                "account": self.entry.title,
                "readers": ", ".join(reader.name for reader in self.readers),
            },
        )

    @callback
    def _handle_entry_changed(
        self, change: ConfigEntryChange, entry: ConfigEntry
    ) -> None:
        """Reload the account once MQTT is set up (again), so its readers subscribe.

        Unloading MQTT (a reload for new broker settings, or its removal) drops
        every subscription: the readers are deaf until MQTT is back.
        """
        if entry.domain != MQTT_DOMAIN:
            return
        if entry.state is ConfigEntryState.LOADED and change is not (
            ConfigEntryChange.REMOVED
        ):
            if not self.mqtt_ready and not self._subscribing:
                LOGGER.debug("MQTT is set up; reloading %s", self.entry.title)
                self.hass.config_entries.async_schedule_reload(self.entry.entry_id)
        elif self.mqtt_ready:
            LOGGER.info("MQTT went away; the readers of %s wait", self.entry.title)
            self.mqtt_ready = False
            self._create_mqtt_issue()

    # Sources ---------------------------------------------------------------

    def _message_handler(self, reader: Reader) -> Callable[[mqtt.ReceiveMessage], None]:
        """Return the MQTT callback of one reader."""
        uid_template = self._reader_template(reader)

        @callback
        def handle(message: mqtt.ReceiveMessage) -> None:
            """Read a tag from a reader's message; never raise."""
            try:
                if message.retain:
                    LOGGER.debug("Reader %s: retained message ignored", reader.name)
                    return
                uid = extract_uid(message.payload, template=uid_template)
                if uid is None:
                    LOGGER.debug("Reader %s: message without a tag", reader.name)
                    return
                self._read(reader, uid)
            except Exception:  # nothing raises in an MQTT callback
                LOGGER.debug("Reader %s: message dropped", reader.name, exc_info=True)

        return handle

    def _reader_template(self, reader: Reader) -> Callable[[str], str | None] | None:
        """Return the compiled template of a reader, or None."""
        if not reader.template:
            return None
        try:
            return compile_template(self.hass, reader.template)
        except TemplateError as err:
            LOGGER.warning("Reader %s: its template is not valid: %s", reader.name, err)
            return None

    @callback
    def _handle_tag_scanned(self, event: Event[Mapping[str, Any]]) -> None:
        """Read a tag from Home Assistant's ``tag_scanned`` event; never raise."""
        try:
            raw = event.data.get("tag_id")
            if not isinstance(raw, str) or (uid := normalize_uid(raw)) is None:
                LOGGER.debug("tag_scanned without a usable tag id")
                return
            name = self._device_name(event.data.get("device_id"))
            self._read(Reader(name=name), uid, shared=True)
        except Exception:  # nothing raises in an event listener
            LOGGER.debug("tag_scanned dropped", exc_info=True)

    def _device_name(self, device_id: Any) -> str:
        """Return the name of the device that scanned a tag."""
        if isinstance(device_id, str) and (
            device := dr.async_get(self.hass).async_get(device_id)
        ):
            return device.name_by_user or device.name or HOME_ASSISTANT_READER
        return HOME_ASSISTANT_READER

    # Reads -----------------------------------------------------------------

    def _debounced(self, reader: Reader, uid: str) -> bool:
        """Return whether a read repeats the last one of its reader and tag.

        Every repeat restarts the window, so a card held on a reader is one read.
        """
        now = self._clock()
        key = (reader.name, uid)
        last = self._seen.get(key)
        self._seen[key] = now
        if len(self._seen) > _DEBOUNCE_PRUNE_SIZE:
            self._seen = {
                seen: at for seen, at in self._seen.items() if now - at < self.debounce
            }
            self._seen[key] = now
        return last is not None and now - last < self.debounce

    def _read(self, reader: Reader, uid: str, *, shared: bool = False) -> None:
        """Punch for one tag read, unless it repeats the last one."""
        if self._debounced(reader, uid):
            LOGGER.debug("Reader %s: repeated read ignored", reader.name)
            return
        if (employee_id := self.account.tags.get(uid)) is None:
            self._unknown(reader, uid, shared=shared)
            return
        if not self._allowed(employee_id, reader):
            self._refuse(employee_id, reader)
            return
        self.entry.async_create_task(
            self.hass,
            self._async_punch(employee_id, reader),
            f"{DOMAIN} read at {reader.name}",
        )

    def _allowed(self, employee_id: str, reader: Reader) -> bool:
        """Return whether an employee may punch at a reader."""
        subentry = self.entry.subentries.get(employee_id)
        allowed = subentry.data.get(CONF_READERS) if subentry else None
        if not allowed:
            return True
        name = reader.name.casefold()
        return any(str(item).casefold() == name for item in allowed)

    def _refuse(self, employee_id: str, reader: Reader) -> None:
        """Refuse a read at a reader the employee may not use."""
        employee = self.account.employees[employee_id]
        LOGGER.info("%s may not punch at reader %s", employee.name, reader.name)
        self._feedback(
            reader,
            {
                "employee": employee.name,
                "action": None,
                "on_shift": self.account.state(employee_id).on_shift,
                "delivered": False,
                "error": ERROR_NOT_ALLOWED,
            },
        )

    def _unknown(self, reader: Reader, uid: str, *, shared: bool) -> None:
        """Report a tag that belongs to no employee."""
        if shared and not self._reports_shared_unknown(uid):
            LOGGER.debug("tag_scanned of an unknown tag left to another account")
            return
        self.hass.bus.async_fire(
            EVENT_UNKNOWN_TAG,
            {
                "uid": uid,
                "reader": reader.name,
                "account": self.entry.title,
                "account_id": self.entry.entry_id,
            },
        )
        now = self._clock()
        if self._unknown_logged is None or now - self._unknown_logged >= self.debounce:
            self._unknown_logged = now
            LOGGER.info(
                "Unknown tag at reader %s of %s; its UID is in the %s event",
                reader.name,
                self.entry.title,
                EVENT_UNKNOWN_TAG,
            )
        else:
            LOGGER.debug("Unknown tag at reader %s", reader.name)
        self._feedback(
            reader,
            {
                "employee": None,
                "action": None,
                "on_shift": None,
                "delivered": False,
                "error": ERROR_UNKNOWN_TAG,
            },
        )

    def _reports_shared_unknown(self, uid: str) -> bool:
        """Return whether this account reports a ``tag_scanned`` tag nobody knows.

        Every account hears ``tag_scanned``: the first listening account reports
        an unknown tag once, and none reports a tag another account knows.
        """
        listening = [
            data.readers
            for entry in self.hass.config_entries.async_loaded_entries(DOMAIN)
            if (data := getattr(entry, "runtime_data", None)) is not None
            and getattr(data, "readers", None) is not None
            and data.readers.tag_scanned
        ]
        if any(uid in other.account.tags for other in listening):
            return False
        return not listening or listening[0] is self

    async def _async_punch(self, employee_id: str, reader: Reader) -> None:
        """Punch an employee for a read, then tell the reader; never raise."""
        employee = self.account.employees[employee_id]
        try:
            punch = await self.account.async_punch(
                employee_id, reader.action, source=Source.READER, reader=reader.name
            )
        except ServiceValidationError as err:
            LOGGER.info("Reader %s: %s", reader.name, err)
            self._feedback(
                reader,
                {
                    "employee": employee.name,
                    "action": reader.action.value if reader.action else None,
                    "on_shift": self.account.state(employee_id).on_shift,
                    "delivered": False,
                    "error": err.translation_key,
                },
            )
            return
        except Exception as err:  # a read must never raise
            LOGGER.error(  # noqa: TRY400 - a traceback only for an unexpected error
                "Reader %s: the punch of %s failed: %s",
                reader.name,
                employee.name,
                err,
                exc_info=not isinstance(err, HomeAssistantError),
            )
            self._feedback(
                reader,
                {
                    "employee": employee.name,
                    "action": None,
                    "on_shift": self.account.state(employee_id).on_shift,
                    "delivered": False,
                    "error": ERROR_PUNCH_FAILED,
                },
            )
            return
        LOGGER.debug("Reader %s: %s %s", reader.name, employee.name, punch.action)
        self._feedback(
            reader,
            {
                "employee": employee.name,
                "action": punch.action.value,
                "on_shift": self.account.state(employee_id).on_shift,
                "delivered": self.account.is_delivered(punch),
            },
        )

    # Feedback --------------------------------------------------------------

    def _feedback(self, reader: Reader, message: Mapping[str, Any]) -> None:
        """Publish feedback to the reader's feedback topic, if it has one."""
        if not reader.feedback_topic or not self.mqtt_ready:
            return
        self.entry.async_create_task(
            self.hass,
            self._async_publish(reader, json.dumps(message)),
            f"{DOMAIN} feedback to {reader.name}",
        )

    async def _async_publish(self, reader: Reader, payload: str) -> None:
        """Publish one feedback message; never raise."""
        try:
            await mqtt.async_publish(
                self.hass, reader.feedback_topic, payload, qos=0, retain=False
            )
        except Exception:  # feedback is best effort
            LOGGER.debug("Reader %s: feedback not sent", reader.name, exc_info=True)
