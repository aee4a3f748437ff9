"""Config flow of Time Clock: an account, its backend and its credentials.

Employees are added with the employee flow (employee_flow.py), readers and
settings with the options flow (options_flow.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partialmethod
from typing import Any

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentryFlow,
    OptionsFlow,
)
from homeassistant.const import CONF_NAME
from homeassistant.core import callback
from homeassistant.data_entry_flow import section
from homeassistant.helpers.selector import (
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
from homeassistant.helpers.typing import UNDEFINED
import voluptuous as vol

from .account import TimeClockConfigEntry, settings_fingerprint
from .api import (
    TimeClockAccountError,
    TimeClockAuthenticationError,
    TimeClockConnectionError,
)
from .api.http import url_error
from .const import CONF_BACKEND, CONF_REFRESH_TOKEN, DOMAIN, LOGGER, SUBENTRY_EMPLOYEE
from .employee_flow import EmployeeSubentryFlow, stripped
from .options_flow import TimeClockOptionsFlow
from .vendors import VENDORS, create_backend, vendor_of

LOCAL = "local"
SECTION_ADVANCED = "advanced"
ACCOUNT_ERRORS = {
    "unknown_tenant",
    "unknown_community",
    "plan_required",
    "licence_missing",
    "terminal_missing",
}
SELECTORS = {
    "text": TextSelector(),
    "secret": TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD)),
    "url": TextSelector(TextSelectorConfig(type=TextSelectorType.URL)),
}
# The fields holding URLs (https unless loopback), and the examples the texts show.
URL_FIELDS = tuple(
    dict.fromkeys(
        key
        for vendor in VENDORS.values()
        for key in (*vendor.credentials, *vendor.advanced)
        if key.endswith("_url")
    )
)
URL_EXAMPLES = {
    name: url
    for vendor in VENDORS.values()
    for name, url in vendor.url_examples.items()
}


def _credentials_schema(backend: str) -> vol.Schema:
    """Return the credentials form of a backend."""
    vendor = VENDORS[backend]
    fields: dict[Any, Any] = {
        vol.Required(key): SELECTORS[kind] for key, kind in vendor.credentials.items()
    }
    if vendor.advanced:
        fields[vol.Optional(SECTION_ADVANCED)] = section(
            vol.Schema({vol.Optional(key): TextSelector() for key in vendor.advanced}),
            {"collapsed": True},
        )
    return vol.Schema(fields)


def _flatten(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Return form input with the advanced section folded in and text stripped."""
    data = {k: v for k, v in user_input.items() if k != SECTION_ADVANCED}
    data.update(user_input.get(SECTION_ADVANCED) or {})
    return stripped(data)


def _unflatten(backend: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """Return stored settings as form values (advanced fields in their section)."""
    vendor = VENDORS[backend]
    values = {k: v for k, v in data.items() if k in vendor.credentials}
    if vendor.advanced:
        values[SECTION_ADVANCED] = {k: data[k] for k in vendor.advanced if k in data}
    return values


class TimeClockConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add an account: choose the backend, then its credentials."""

    VERSION = 1
    MINOR_VERSION = 2

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
        return self.async_show_menu(step_id="user", menu_options=list(VENDORS))

    async def async_credentials_step(
        self, backend: str, user_input: dict[str, Any] | None
    ) -> ConfigFlowResult:
        """Ask for a backend's credentials, check them, and create the account."""
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {CONF_BACKEND: backend, **_flatten(user_input)}
            unique_id, title, errors = await self._async_validate(data)
            if not errors:
                if backend != LOCAL:
                    await self.async_set_unique_id(unique_id)
                    self._abort_if_unique_id_configured()
                return self.async_create_entry(title=title, data=data)
        suggested = user_input or (
            {CONF_NAME: "Time Clock"} if backend == LOCAL else {}
        )
        return self.async_show_form(
            step_id=backend,
            data_schema=self.add_suggested_values_to_schema(
                _credentials_schema(backend), suggested
            ),
            errors=errors,
            description_placeholders=URL_EXAMPLES,
        )

    async def _async_validate(
        self, data: dict[str, Any], *, entry: ConfigEntry[Any] | None = None
    ) -> tuple[str, str, dict[str, str]]:
        """Check settings against the backend; return unique id, title and errors."""
        backend = data[CONF_BACKEND]
        if backend == LOCAL:
            name = data.get(CONF_NAME, "")
            if not name:
                return "", "", {CONF_NAME: "name_required"}
            if self._local_name_taken(name, ignore=entry.entry_id if entry else None):
                return "", "", {CONF_NAME: "name_exists"}
            return "", name, {}
        for key in URL_FIELDS:
            if key in data and (reason := url_error(data[key])):
                field = key if key in VENDORS[backend].credentials else "base"
                return "", "", {field: reason}
        try:
            info = await create_backend(self.hass, data).async_validate()
        except TimeClockAuthenticationError:
            return "", "", {"base": "invalid_auth"}
        except TimeClockAccountError as err:
            return (
                "",
                "",
                {"base": err.reason if err.reason in ACCOUNT_ERRORS else "unknown"},
            )
        except TimeClockConnectionError:
            return "", "", {"base": "cannot_connect"}
        except Exception:  # noqa: BLE001 - the flow shows "unknown" for any surprise
            LOGGER.exception("Unexpected error while checking the credentials")
            return "", "", {"base": "unknown"}
        return info.unique_id, info.title, {}

    def _local_name_taken(self, name: str, *, ignore: str | None = None) -> bool:
        """Return whether another local account has this name."""
        return any(
            entry.title.casefold() == name.casefold()
            for entry in self._async_current_entries(include_ignore=False)
            if entry.data.get(CONF_BACKEND) == LOCAL and entry.entry_id != ignore
        )

    async def async_step_reauth(
        self, entry_data: Mapping[str, Any]
    ) -> ConfigFlowResult:
        """Ask for new credentials after the backend refused them."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Enter the account's secrets again."""
        entry = self._get_reauth_entry()
        vendor = vendor_of(entry.data)
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {**entry.data, **_flatten(user_input)}
            data.pop(CONF_REFRESH_TOKEN, None)
            unique_id, _title, errors = await self._async_validate(data, entry=entry)
            if not errors:
                return await self._async_finish_update(entry, data, unique_id)
        schema = vol.Schema(
            {
                vol.Required(key): SELECTORS[vendor.credentials[key]]
                for key in vendor.reauth
            }
        )
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=schema,
            errors=errors,
            description_placeholders={"account": entry.title},
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change an account's URL and credentials."""
        entry = self._get_reconfigure_entry()
        backend = entry.data.get(CONF_BACKEND, LOCAL)
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {CONF_BACKEND: backend, **_flatten(user_input)}
            unique_id, title, errors = await self._async_validate(data, entry=entry)
            if not errors:
                # A local account's name is its title; a vendor's title stays.
                return await self._async_finish_update(
                    entry, data, unique_id, title=title if backend == LOCAL else None
                )
        return self.async_show_form(
            step_id=f"reconfigure_{backend}",
            data_schema=self.add_suggested_values_to_schema(
                _credentials_schema(backend),
                user_input or _unflatten(backend, entry.data),
            ),
            errors=errors,
            description_placeholders=URL_EXAMPLES,
        )

    async def _async_finish_update(
        self,
        entry: TimeClockConfigEntry,
        data: Mapping[str, Any],
        unique_id: str,
        *,
        title: str | None = None,
    ) -> ConfigFlowResult:
        """Save new settings and reload the account.

        The update listener reloads a loaded account only when its settings
        changed, not when only the stored refresh token did (a reauth with the
        same password): then reload here, so the paused outbox gets a new client.
        """
        if data.get(CONF_BACKEND, LOCAL) != LOCAL:
            await self.async_set_unique_id(unique_id)
            self._abort_if_unique_id_mismatch(reason="account_mismatch")
        # Read the state first: the update listener starts its reload eagerly.
        loaded = entry.state is entry.state.LOADED
        changed = self.hass.config_entries.async_update_entry(
            entry, data=data, title=title if title is not None else UNDEFINED
        )
        if (
            not changed
            or not loaded
            or entry.runtime_data.account.settings == settings_fingerprint(entry)
        ):
            self.hass.config_entries.async_schedule_reload(entry.entry_id)
        reason = (
            "reauth_successful" if self.source == "reauth" else "reconfigure_successful"
        )
        return self.async_abort(reason=reason)


# Each backend's forms have texts of their own: <backend> and reconfigure_<backend>.
for _key in VENDORS:
    setattr(
        TimeClockConfigFlow,
        f"async_step_{_key}",
        partialmethod(TimeClockConfigFlow.async_credentials_step, _key),
    )
    setattr(
        TimeClockConfigFlow,
        f"async_step_reconfigure_{_key}",
        partialmethod(TimeClockConfigFlow.async_step_reconfigure),
    )
