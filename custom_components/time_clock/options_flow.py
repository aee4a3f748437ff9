"""Options flow of Time Clock: reader settings and the account's readers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from homeassistant.components.mqtt.util import (
    valid_publish_topic,
    valid_subscribe_topic,
)
from homeassistant.config_entries import ConfigFlowResult, OptionsFlow
from homeassistant.const import CONF_LATITUDE, CONF_LOCATION, CONF_LONGITUDE, CONF_NAME
from homeassistant.exceptions import TemplateError
from homeassistant.helpers.selector import (
    BooleanSelector,
    LocationSelector,
    LocationSelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
)
import voluptuous as vol

from .const import CONF_AUTO_CLOCK_OUT_HOURS, CONF_DEBOUNCE, DEFAULT_DEBOUNCE
from .reader_config import (
    CONF_FEEDBACK_TOPIC,
    CONF_READERS,
    CONF_ROLE,
    CONF_TAG_SCANNED,
    CONF_TEMPLATE,
    CONF_TOPIC,
    DEFAULT_TAG_SCANNED,
    ROLE_TOGGLE,
    ROLES,
    compile_template,
)

CONF_READER = "reader"
READER_FIELDS = (CONF_NAME, CONF_TOPIC, CONF_ROLE, CONF_TEMPLATE, CONF_FEEDBACK_TOPIC)

SETTINGS_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_DEBOUNCE, default=DEFAULT_DEBOUNCE): NumberSelector(
            NumberSelectorConfig(
                min=0,
                max=60,
                step=0.5,
                unit_of_measurement="s",
                mode=NumberSelectorMode.BOX,
            )
        ),
        vol.Required(CONF_TAG_SCANNED, default=DEFAULT_TAG_SCANNED): BooleanSelector(),
        vol.Required(CONF_AUTO_CLOCK_OUT_HOURS, default=0): NumberSelector(
            NumberSelectorConfig(
                min=0,
                max=48,
                step=0.5,
                unit_of_measurement="h",
                mode=NumberSelectorMode.BOX,
            )
        ),
        vol.Optional(CONF_LOCATION): LocationSelector(
            LocationSelectorConfig(radius=False)
        ),
    }
)
READER_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_NAME): TextSelector(),
        vol.Required(CONF_TOPIC): TextSelector(),
        vol.Required(CONF_ROLE, default=ROLE_TOGGLE): SelectSelector(
            SelectSelectorConfig(
                options=list(ROLES),
                translation_key="reader_role",
                mode=SelectSelectorMode.DROPDOWN,
            )
        ),
        vol.Optional(CONF_TEMPLATE): TextSelector(TextSelectorConfig(multiline=True)),
        vol.Optional(CONF_FEEDBACK_TOPIC): TextSelector(),
    }
)


class TimeClockOptionsFlow(OptionsFlow):
    """Change how an account reads tags and when it clocks out by itself."""

    _editing: int | None = None

    @property
    def _readers(self) -> list[dict[str, Any]]:
        """Return a copy of the account's readers."""
        return [dict(item) for item in self.config_entry.options.get(CONF_READERS, [])]

    def _save(self, **changes: Any) -> ConfigFlowResult:
        """Save the options with some changed; the account reloads."""
        return self.async_create_entry(data={**self.config_entry.options, **changes})

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show what can be changed."""
        menu = ["settings", "add_reader"]
        if self._readers:
            menu += ["edit_reader", "remove_reader"]
        return self.async_show_menu(step_id="init", menu_options=menu)

    async def async_step_settings(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the debounce window, tag_scanned, the automatic clock-out and the site."""
        if user_input is not None:
            return self._save(**user_input)
        home = {
            CONF_LATITUDE: self.hass.config.latitude,
            CONF_LONGITUDE: self.hass.config.longitude,
        }
        return self.async_show_form(
            step_id="settings",
            data_schema=self.add_suggested_values_to_schema(
                SETTINGS_SCHEMA, {CONF_LOCATION: home, **self.config_entry.options}
            ),
        )

    async def async_step_add_reader(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Add a reader."""
        return await self._async_reader_form("add_reader", user_input, None)

    async def async_step_edit_reader(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose the reader to change."""
        if user_input is not None:
            self._editing = self._index(user_input[CONF_READER])
            return await self.async_step_change_reader()
        return self._show_pick("edit_reader")

    async def async_step_change_reader(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the chosen reader."""
        return await self._async_reader_form("change_reader", user_input, self._editing)

    async def async_step_remove_reader(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Remove a reader."""
        if user_input is not None:
            readers = self._readers
            del readers[self._index(user_input[CONF_READER])]
            return self._save(**{CONF_READERS: readers})
        return self._show_pick("remove_reader")

    def _index(self, name: str) -> int:
        """Return the position of a reader by name."""
        return [item.get(CONF_NAME) for item in self._readers].index(name)

    def _show_pick(self, step_id: str) -> ConfigFlowResult:
        """Show a form choosing one of the readers."""
        names = [str(item.get(CONF_NAME)) for item in self._readers]
        return self.async_show_form(
            step_id=step_id,
            data_schema=vol.Schema(
                {
                    vol.Required(CONF_READER): SelectSelector(
                        SelectSelectorConfig(
                            options=names, mode=SelectSelectorMode.DROPDOWN
                        )
                    )
                }
            ),
        )

    async def _async_reader_form(
        self, step_id: str, user_input: dict[str, Any] | None, index: int | None
    ) -> ConfigFlowResult:
        """Show, check and save the form of one reader."""
        readers = self._readers
        errors: dict[str, str] = {}
        if user_input is not None:
            reader, errors = self._validate(user_input, readers, index)
            if not errors:
                if index is None:
                    readers.append(reader)
                else:
                    self._rename_in_allow_lists(
                        str(readers[index].get(CONF_NAME, "")), reader[CONF_NAME]
                    )
                    readers[index] = reader
                return self._save(**{CONF_READERS: readers})
        suggested = user_input or (readers[index] if index is not None else {})
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(READER_SCHEMA, suggested),
            errors=errors,
        )

    def _rename_in_allow_lists(self, old: str, new: str) -> None:
        """Make employees limited to a renamed reader name it by its new name."""
        if old == new:
            return
        entry = self.config_entry
        for subentry in list(entry.subentries.values()):
            allowed = subentry.data.get(CONF_READERS)
            if not isinstance(allowed, list) or not any(
                str(name).casefold() == old.casefold() for name in allowed
            ):
                continue
            renamed = [
                new if str(name).casefold() == old.casefold() else name
                for name in allowed
            ]
            self.hass.config_entries.async_update_subentry(
                entry,
                subentry,
                data={**subentry.data, CONF_READERS: list(dict.fromkeys(renamed))},
            )

    def _validate(
        self,
        user_input: dict[str, Any],
        readers: list[dict[str, Any]],
        index: int | None,
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """Return a reader as stored and the form's field errors."""
        reader = {key: str(user_input.get(key) or "").strip() for key in READER_FIELDS}
        reader[CONF_ROLE] = reader[CONF_ROLE] or ROLE_TOGGLE
        errors: dict[str, str] = {}
        others = [item for i, item in enumerate(readers) if i != index]
        if not reader[CONF_NAME]:
            errors[CONF_NAME] = "reader_name_required"
        elif any(
            str(item.get(CONF_NAME, "")).casefold() == reader[CONF_NAME].casefold()
            for item in others
        ):
            errors[CONF_NAME] = "reader_exists"
        if not reader[CONF_TOPIC]:
            errors[CONF_TOPIC] = "topic_required"
        elif not _valid(valid_subscribe_topic, reader[CONF_TOPIC]):
            errors[CONF_TOPIC] = "invalid_topic"
        if reader[CONF_FEEDBACK_TOPIC] and not _valid(
            valid_publish_topic, reader[CONF_FEEDBACK_TOPIC]
        ):
            errors[CONF_FEEDBACK_TOPIC] = "invalid_feedback_topic"
        if reader[CONF_TEMPLATE]:
            try:
                compile_template(self.hass, reader[CONF_TEMPLATE])
            except TemplateError:
                errors[CONF_TEMPLATE] = "invalid_template"
        return reader, errors


def _valid(validator: Callable[[Any], str], topic: str) -> bool:
    """Return whether an MQTT topic passes one of MQTT's validators."""
    try:
        validator(topic)
    except vol.Invalid:
        return False
    return True
