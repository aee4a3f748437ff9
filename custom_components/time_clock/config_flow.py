"""Config flow of Time Clock: accounts, their employees and their options."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentryFlow,
    OptionsFlow,
    SubentryFlowResult,
)
from homeassistant.const import CONF_NAME
from homeassistant.core import callback
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    TextSelector,
    TextSelectorConfig,
)
from homeassistant.helpers.typing import UNDEFINED
import voluptuous as vol

from .const import (
    BACKEND_LOCAL,
    CONF_AUTO_CLOCK_OUT_HOURS,
    CONF_BACKEND,
    CONF_DEBOUNCE,
    CONF_DESCRIPTION,
    CONF_IDENTIFIER,
    CONF_PROJECT_ID,
    CONF_TAGS,
    DEFAULT_DEBOUNCE,
    DOMAIN,
    SUBENTRY_EMPLOYEE,
)
from .employee import normalize_tag

BACKENDS = [BACKEND_LOCAL]


class TimeClockConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add an account: choose the backend, then its credentials."""

    VERSION = 1
    MINOR_VERSION = 1

    @classmethod
    @callback
    def async_get_supported_subentry_types(
        cls, config_entry: ConfigEntry
    ) -> dict[str, type[ConfigSubentryFlow]]:
        """Return the subentry types: employees."""
        return {SUBENTRY_EMPLOYEE: EmployeeSubentryFlow}

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> OptionsFlow:
        """Return the options flow."""
        return TimeClockOptionsFlow()

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask which backend the account uses."""
        return self.async_show_menu(step_id="user", menu_options=BACKENDS)

    def _local_name_taken(self, name: str, *, ignore: str | None = None) -> bool:
        """Return whether another local account has this name."""
        return any(
            entry.title.casefold() == name.casefold()
            for entry in self._async_current_entries(include_ignore=False)
            if entry.data.get(CONF_BACKEND) == BACKEND_LOCAL
            and entry.entry_id != ignore
        )

    async def async_step_local(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Create a local account: the record stays in Home Assistant."""
        errors: dict[str, str] = {}
        if user_input is not None:
            name = user_input[CONF_NAME].strip()
            if not name:
                errors[CONF_NAME] = "name_required"
            elif self._local_name_taken(name):
                errors[CONF_NAME] = "name_exists"
            else:
                return self.async_create_entry(
                    title=name, data={CONF_BACKEND: BACKEND_LOCAL, CONF_NAME: name}
                )
        return self.async_show_form(
            step_id="local",
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema({vol.Required(CONF_NAME): str}),
                user_input or {CONF_NAME: "Time Clock"},
            ),
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change an account's settings."""
        return await self.async_step_reconfigure_local(user_input)

    async def async_step_reconfigure_local(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Rename a local account."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            name = user_input[CONF_NAME].strip()
            if not name:
                errors[CONF_NAME] = "name_required"
            elif self._local_name_taken(name, ignore=entry.entry_id):
                errors[CONF_NAME] = "name_exists"
            else:
                return self._async_finish_update(
                    entry, title=name, data={**entry.data, CONF_NAME: name}
                )
        return self.async_show_form(
            step_id="reconfigure_local",
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema({vol.Required(CONF_NAME): str}),
                user_input or {CONF_NAME: entry.title},
            ),
            errors=errors,
        )

    async def async_step_reauth(
        self, entry_data: Mapping[str, Any]
    ) -> ConfigFlowResult:
        """Ask for new credentials after the backend refused them."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Confirm or enter the account's credentials again."""
        entry = self._get_reauth_entry()
        if user_input is not None:
            return self._async_finish_update(entry, data={**entry.data, **user_input})
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=vol.Schema({}),
            description_placeholders={"account": entry.title},
        )

    def _async_finish_update(
        self, entry: ConfigEntry, *, data: Mapping[str, Any], title: str | None = None
    ) -> ConfigFlowResult:
        """Save new settings; the update listener reloads a loaded account."""
        changed = self.hass.config_entries.async_update_entry(
            entry, data=data, title=title if title is not None else UNDEFINED
        )
        if not changed or entry.state is not entry.state.LOADED:
            self.hass.config_entries.async_schedule_reload(entry.entry_id)
        reason = (
            "reauth_successful" if self.source == "reauth" else "reconfigure_successful"
        )
        return self.async_abort(reason=reason)


def _tags_selector() -> TextSelector:
    """Return the selector for several tag UIDs."""
    return TextSelector(TextSelectorConfig(multiple=True))


class EmployeeSubentryFlow(ConfigSubentryFlow):
    """Add or change an employee of an account."""

    def _schema(self) -> vol.Schema:
        """Return the employee form for the account's backend."""
        return vol.Schema(
            {
                vol.Required(CONF_NAME): str,
                vol.Optional(CONF_IDENTIFIER): str,
                vol.Optional(CONF_TAGS): _tags_selector(),
            }
        )

    def _validate(
        self, user_input: dict[str, Any], *, ignore: str | None = None
    ) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
        """Return the employee's data, field errors and error placeholders."""
        entry = self._get_entry()
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        name = user_input[CONF_NAME].strip()
        others = [
            sub
            for sub in entry.subentries.values()
            if sub.subentry_type == SUBENTRY_EMPLOYEE and sub.subentry_id != ignore
        ]
        if not name:
            errors[CONF_NAME] = "name_required"
        elif any(sub.title.casefold() == name.casefold() for sub in others):
            errors[CONF_NAME] = "employee_exists"
        tags: list[str] = []
        for raw in user_input.get(CONF_TAGS) or []:
            if not (tag := normalize_tag(raw)):
                continue
            if not tag.isalnum() or len(tag) > 64:
                errors[CONF_TAGS] = "invalid_tag"
                placeholders["tag"] = raw
                break
            owner = next(
                (sub for sub in others if tag in sub.data.get(CONF_TAGS, [])), None
            )
            if owner is not None:
                errors[CONF_TAGS] = "tag_in_use"
                placeholders["tag"] = raw
                placeholders["employee"] = owner.title
                break
            if tag not in tags:
                tags.append(tag)
        data = {
            CONF_IDENTIFIER: (user_input.get(CONF_IDENTIFIER) or "").strip(),
            CONF_TAGS: tags,
        }
        for key in (CONF_PROJECT_ID, CONF_DESCRIPTION):
            if user_input.get(key) not in (None, ""):
                data[key] = user_input[key]
        return data, errors, placeholders

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Add an employee."""
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            data, errors, placeholders = self._validate(user_input)
            if not errors:
                return self.async_create_entry(
                    title=user_input[CONF_NAME].strip(), data=data
                )
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                self._schema(), user_input or {}
            ),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Change an employee."""
        subentry = self._get_reconfigure_subentry()
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            data, errors, placeholders = self._validate(
                user_input, ignore=subentry.subentry_id
            )
            if not errors:
                return self.async_update_and_abort(
                    self._get_entry(),
                    subentry,
                    data=data,
                    title=user_input[CONF_NAME].strip(),
                )
        suggested = user_input or {CONF_NAME: subentry.title, **subentry.data}
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(self._schema(), suggested),
            errors=errors,
            description_placeholders=placeholders,
        )


class TimeClockOptionsFlow(OptionsFlow):
    """Change how an account reads tags and when it clocks out by itself."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show the account's options."""
        if user_input is not None:
            return self.async_create_entry(
                data={**self.config_entry.options, **user_input}
            )
        schema = vol.Schema(
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
                vol.Required(CONF_AUTO_CLOCK_OUT_HOURS, default=0): NumberSelector(
                    NumberSelectorConfig(
                        min=0,
                        max=48,
                        step=0.5,
                        unit_of_measurement="h",
                        mode=NumberSelectorMode.BOX,
                    )
                ),
            }
        )
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(
                schema, self.config_entry.options
            ),
        )
