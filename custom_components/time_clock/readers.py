"""Where tag reads come from: MQTT readers and Home Assistant's ``tag_scanned``.

Each read goes to the account's ``TagReading`` (reading.py), which punches and
sends the feedback back through ``publish``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
import logging
from time import monotonic
from typing import Any, Final

from homeassistant.components import mqtt
from homeassistant.config_entries import (
    SIGNAL_CONFIG_ENTRY_CHANGED,
    ConfigEntry,
    ConfigEntryChange,
    ConfigEntryState,
)
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.exceptions import TemplateError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.dispatcher import async_dispatcher_connect

from .const import CONF_DEBOUNCE, DEFAULT_DEBOUNCE, DOMAIN
from .issues import ISSUE_MQTT_MISSING, create_mqtt_missing, delete_issue
from .reader_config import (
    CONF_TAG_SCANNED,
    DEFAULT_TAG_SCANNED,
    Reader,
    compile_template,
    readers_from_options,
)
from .reader_payload import extract_uid, normalize_uid
from .reading import Puncher, TagReading

LOGGER = logging.getLogger(__package__)

EVENT_TAG_SCANNED: Final = "tag_scanned"
HOME_ASSISTANT_READER: Final = "Home Assistant"
MQTT_DOMAIN: Final = "mqtt"


class ReaderInput:
    """Listen to an account's readers and hand each read on."""

    def __init__(
        self,
        *,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        account: Puncher,
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
        self._unsubs: list[CALLBACK_TYPE] = []
        self.reading = TagReading(
            hass=hass,
            entry=entry,
            account=account,
            debounce=self.debounce,
            clock=clock or monotonic,
            publish=self._feedback,
            reports_unknown=self._reports_shared_unknown,
        )

    # Life cycle ------------------------------------------------------------

    async def async_start(self) -> None:
        """Subscribe to the reader topics and listen to ``tag_scanned``."""
        if self.tag_scanned:
            self._unsubs.append(
                self.hass.bus.async_listen(EVENT_TAG_SCANNED, self._handle_tag_scanned)
            )
        if not self.readers:
            delete_issue(self.hass, ISSUE_MQTT_MISSING, self.entry.entry_id)
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
            delete_issue(self.hass, ISSUE_MQTT_MISSING, self.entry.entry_id)
            return
        self._create_mqtt_issue()

    async def async_stop(self) -> None:
        """Stop reading tags."""
        while self._unsubs:
            self._unsubs.pop()()
        self.mqtt_ready = False
        delete_issue(self.hass, ISSUE_MQTT_MISSING, self.entry.entry_id)

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
        create_mqtt_missing(
            self.hass, self.entry, (reader.name for reader in self.readers)
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
                self.reading.read(reader, uid)
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
            self.reading.read(Reader(name=name), uid, shared=True)
        except Exception:  # nothing raises in an event listener
            LOGGER.debug("tag_scanned dropped", exc_info=True)

    def _device_name(self, device_id: Any) -> str:
        """Return the name of the device that scanned a tag."""
        if isinstance(device_id, str) and (
            device := dr.async_get(self.hass).async_get(device_id)
        ):
            return device.name_by_user or device.name or HOME_ASSISTANT_READER
        return HOME_ASSISTANT_READER

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
        if any(uid in other.account.roster.tags for other in listening):
            return False
        return not listening or listening[0] is self

    # Feedback --------------------------------------------------------------

    def _feedback(self, reader: Reader, payload: str) -> None:
        """Publish feedback to the reader's feedback topic, if it has one."""
        if not reader.feedback_topic or not self.mqtt_ready:
            return
        self.entry.async_create_task(
            self.hass,
            self._async_publish(reader, payload),
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
