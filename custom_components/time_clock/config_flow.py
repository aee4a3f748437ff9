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
from homeassistant.const import CONF_NAME, CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import callback
from homeassistant.data_entry_flow import section
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
from homeassistant.helpers.typing import UNDEFINED
import voluptuous as vol

from .account import settings_fingerprint
from .api import (
    TimeClockAccountError,
    TimeClockAuthenticationError,
    TimeClockConnectionError,
)
from .api.http import url_error
from .api.protime import DEFAULT_API_URL as PROTIME_API_URL
from .api.sonoran import DEFAULT_BASE_URL as SONORAN_API_URL
from .backends import BACKENDS, create_backend
from .const import (
    BACKEND_LOCAL,
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
    CONF_TAGS,
    CONF_TENANT,
    CONF_TERMINAL_ID,
    CONF_TOKEN_URL,
    DOMAIN,
    LOGGER,
    SUBENTRY_EMPLOYEE,
)
from .employee import ID_TYPE_VALUES, REFERENCE_VALUES, normalize_tag
from .options_flow import TimeClockOptionsFlow
from .reader_config import CONF_READERS

SECTION_ADVANCED = "advanced"
URL_FIELDS = (CONF_API_URL, CONF_TOKEN_URL, CONF_PORTAL_URL)
ACCOUNT_ERRORS = {
    "unknown_tenant",
    "unknown_community",
    "plan_required",
    "licence_missing",
    "terminal_missing",
}
# Example URLs of the credential forms: texts hold no URLs (they are not translated).
URL_EXAMPLES = {
    "calamari_api_url": "https://acme.calamari.io/api",
    "protime_url": "https://TENANT.myprotime.eu",
    "sonoran_api_url": SONORAN_API_URL,
    "protime_api_url": PROTIME_API_URL.format(tenant="TENANT"),
    "tracktik_url": "https://acme.staffr.us",
}
_TEXT = TextSelector()
_SECRET = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
_URL = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))

# The credential fields of each backend, and which of them reauthentication asks again.
CREDENTIALS: dict[str, dict[str, TextSelector]] = {
    BACKEND_LOCAL: {CONF_NAME: _TEXT},
    "calamari": {CONF_API_URL: _URL, CONF_API_KEY: _SECRET},
    "sonoran": {CONF_COMMUNITY_ID: _TEXT, CONF_API_KEY: _SECRET},
    "protime": {CONF_TENANT: _TEXT, CONF_CLIENT_ID: _TEXT, CONF_CLIENT_SECRET: _SECRET},
    "tracktik": {
        CONF_PORTAL_URL: _URL,
        CONF_CLIENT_ID: _TEXT,
        CONF_CLIENT_SECRET: _SECRET,
        CONF_USERNAME: _TEXT,
        CONF_PASSWORD: _SECRET,
    },
}
REAUTH_FIELDS = {
    BACKEND_LOCAL: (),
    "calamari": (CONF_API_KEY,),
    "sonoran": (CONF_API_KEY,),
    "protime": (CONF_CLIENT_ID, CONF_CLIENT_SECRET),
    "tracktik": (CONF_USERNAME, CONF_PASSWORD),
}
# The fields of each backend's collapsed "Advanced" section.
ADVANCED = {
    "sonoran": (CONF_API_URL,),
    "protime": (CONF_API_URL, CONF_TOKEN_URL, CONF_TERMINAL_ID),
}


def _credentials_schema(backend: str) -> vol.Schema:
    """Return the credentials form of a backend."""
    fields: dict[Any, Any] = {
        vol.Required(key): sel for key, sel in CREDENTIALS[backend].items()
    }
    if advanced := ADVANCED.get(backend):
        fields[vol.Optional(SECTION_ADVANCED)] = section(
            vol.Schema({vol.Optional(key): _TEXT for key in advanced}),
            {"collapsed": True},
        )
    return vol.Schema(fields)


def _flatten(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Return form input with the advanced section folded in and text stripped."""
    data = {k: v for k, v in user_input.items() if k != SECTION_ADVANCED}
    data.update(user_input.get(SECTION_ADVANCED) or {})
    return {
        k: v.strip() if isinstance(v, str) else v
        for k, v in data.items()
        if v not in ("", None)
    }


def _unflatten(backend: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """Return stored settings as form values (advanced fields in their section)."""
    values = {k: v for k, v in data.items() if k in CREDENTIALS[backend]}
    if advanced := ADVANCED.get(backend):
        values[SECTION_ADVANCED] = {k: data[k] for k in advanced if k in data}
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
        return self.async_show_menu(step_id="user", menu_options=list(BACKENDS))

    async def async_step_local(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Create a local account: the record stays in Home Assistant."""
        return await self._async_step_credentials(BACKEND_LOCAL, user_input)

    async def async_step_calamari(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Create a Calamari Clockin account."""
        return await self._async_step_credentials("calamari", user_input)

    async def async_step_sonoran(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Create a SonoranCMS account."""
        return await self._async_step_credentials("sonoran", user_input)

    async def async_step_protime(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Create a Protime account."""
        return await self._async_step_credentials("protime", user_input)

    async def async_step_tracktik(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Create a TrackTik account."""
        return await self._async_step_credentials("tracktik", user_input)

    async def _async_step_credentials(
        self, backend: str, user_input: dict[str, Any] | None
    ) -> ConfigFlowResult:
        """Ask for a backend's credentials, check them, and create the account."""
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {CONF_BACKEND: backend, **_flatten(user_input)}
            unique_id, title, errors = await self._async_validate(data)
            if not errors:
                if backend != BACKEND_LOCAL:
                    await self.async_set_unique_id(unique_id)
                    self._abort_if_unique_id_configured()
                return self.async_create_entry(title=title, data=data)
        suggested = user_input or (
            {CONF_NAME: "Time Clock"} if backend == BACKEND_LOCAL else {}
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
        self, data: dict[str, Any], *, entry: ConfigEntry | None = None
    ) -> tuple[str, str, dict[str, str]]:
        """Check settings against the backend; return unique id, title and errors."""
        backend = data[CONF_BACKEND]
        if backend == BACKEND_LOCAL:
            name = data.get(CONF_NAME, "")
            if not name:
                return "", "", {CONF_NAME: "name_required"}
            if self._local_name_taken(name, ignore=entry.entry_id if entry else None):
                return "", "", {CONF_NAME: "name_exists"}
            return "", name, {}
        for key in URL_FIELDS:
            if key in data and (reason := url_error(data[key])):
                return "", "", {key if key in CREDENTIALS[backend] else "base": reason}
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
            if entry.data.get(CONF_BACKEND) == BACKEND_LOCAL
            and entry.entry_id != ignore
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
        backend = entry.data.get(CONF_BACKEND, BACKEND_LOCAL)
        fields = REAUTH_FIELDS[backend]
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {**entry.data, **_flatten(user_input)}
            data.pop(CONF_REFRESH_TOKEN, None)
            unique_id, _title, errors = await self._async_validate(data, entry=entry)
            if not errors:
                if backend != BACKEND_LOCAL:
                    await self.async_set_unique_id(unique_id)
                    self._abort_if_unique_id_mismatch(reason="account_mismatch")
                return self._async_finish_update(entry, data=data)
        schema = vol.Schema(
            {vol.Required(key): CREDENTIALS[backend][key] for key in fields}
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
        backend = entry.data.get(CONF_BACKEND, BACKEND_LOCAL)
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {CONF_BACKEND: backend, **_flatten(user_input)}
            unique_id, title, errors = await self._async_validate(data, entry=entry)
            if not errors:
                if backend != BACKEND_LOCAL:
                    await self.async_set_unique_id(unique_id)
                    self._abort_if_unique_id_mismatch(reason="account_mismatch")
                    return self._async_finish_update(entry, data=data)
                return self._async_finish_update(entry, data=data, title=title)
        return self.async_show_form(
            step_id=f"reconfigure_{backend}",
            data_schema=self.add_suggested_values_to_schema(
                _credentials_schema(backend),
                user_input or _unflatten(backend, entry.data),
            ),
            errors=errors,
            description_placeholders=URL_EXAMPLES,
        )

    def _async_finish_update(
        self, entry: ConfigEntry, *, data: Mapping[str, Any], title: str | None = None
    ) -> ConfigFlowResult:
        """Save new settings and reload the account.

        The update listener reloads a loaded account only when its settings
        changed, not when only the stored refresh token did (a reauth with the
        same password): then reload here, so the paused outbox gets a new client.
        """
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

    async_step_reconfigure_local = async_step_reconfigure
    async_step_reconfigure_calamari = async_step_reconfigure
    async_step_reconfigure_sonoran = async_step_reconfigure
    async_step_reconfigure_protime = async_step_reconfigure
    async_step_reconfigure_tracktik = async_step_reconfigure


def _select(options: list[str], key: str) -> SelectSelector:
    """Return a translated drop-down."""
    return SelectSelector(
        SelectSelectorConfig(
            options=options, translation_key=key, mode=SelectSelectorMode.DROPDOWN
        )
    )


_NUMBER = NumberSelector(
    NumberSelectorConfig(min=1, max=2**31 - 1, mode=NumberSelectorMode.BOX)
)
# The backend-specific fields of an employee, after name and before tags.
EMPLOYEE_FIELDS: dict[str, dict[Any, Any]] = {
    BACKEND_LOCAL: {vol.Optional(CONF_IDENTIFIER): _TEXT},
    "calamari": {
        vol.Required(CONF_IDENTIFIER): _TEXT,
        vol.Optional(CONF_PROJECT_ID): _NUMBER,
        vol.Optional(CONF_DESCRIPTION): _TEXT,
    },
    "sonoran": {
        vol.Required(CONF_ID_TYPE, default="api_id"): _select(
            list(ID_TYPE_VALUES), CONF_ID_TYPE
        ),
        vol.Required(CONF_IDENTIFIER): _TEXT,
    },
    "protime": {
        vol.Required(CONF_REFERENCE, default="id"): _select(
            list(REFERENCE_VALUES), CONF_REFERENCE
        ),
        vol.Required(CONF_IDENTIFIER): _TEXT,
    },
    "tracktik": {
        vol.Required(CONF_IDENTIFIER): _TEXT,
        vol.Optional(CONF_POSITION): _NUMBER,
        vol.Optional(CONF_ACCOUNT): _NUMBER,
    },
}
NUMERIC_IDENTIFIER = {("tracktik", None), ("protime", "id"), ("sonoran", "unique_id")}


class EmployeeSubentryFlow(ConfigSubentryFlow):
    """Add or change an employee of an account."""

    @property
    def _backend(self) -> str:
        """Return the account's backend."""
        return str(self._get_entry().data.get(CONF_BACKEND, BACKEND_LOCAL))

    def _schema(self) -> vol.Schema:
        """Return the employee form for the account's backend and readers."""
        fields: dict[Any, Any] = {
            vol.Required(CONF_NAME): _TEXT,
            **EMPLOYEE_FIELDS[self._backend],
            vol.Optional(CONF_TAGS): TextSelector(TextSelectorConfig(multiple=True)),
        }
        readers = [
            str(reader.get(CONF_NAME))
            for reader in self._get_entry().options.get(CONF_READERS) or []
            if isinstance(reader, Mapping) and reader.get(CONF_NAME)
        ]
        if readers:
            fields[vol.Optional(CONF_READERS)] = SelectSelector(
                SelectSelectorConfig(options=readers, multiple=True)
            )
        return vol.Schema(fields)

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
        data: dict[str, Any] = {
            key: int(value) if isinstance(value, float) else value
            for key, value in _flatten(user_input).items()
            if key not in (CONF_NAME, CONF_TAGS)
        }
        data.setdefault(CONF_IDENTIFIER, "")
        kind = data.get(CONF_ID_TYPE) or data.get(CONF_REFERENCE)
        if (self._backend, kind) in NUMERIC_IDENTIFIER and not str(
            data[CONF_IDENTIFIER]
        ).isdigit():
            errors[CONF_IDENTIFIER] = "identifier_not_numeric"
        tags: list[str] = []
        for raw in user_input.get(CONF_TAGS) or []:
            if not raw.strip():
                continue
            if not (tag := normalize_tag(raw)):
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
        data[CONF_TAGS] = tags
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
            step_id=f"add_{self._backend}",
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
                    data={**subentry.data, **data},
                    title=user_input[CONF_NAME].strip(),
                )
        suggested = user_input or {CONF_NAME: subentry.title, **subentry.data}
        return self.async_show_form(
            step_id=f"edit_{self._backend}",
            data_schema=self.add_suggested_values_to_schema(self._schema(), suggested),
            errors=errors,
            description_placeholders=placeholders,
        )

    async_step_add_local = async_step_add_calamari = async_step_add_sonoran = (
        async_step_user
    )
    async_step_add_protime = async_step_add_tracktik = async_step_user
    async_step_edit_local = async_step_edit_calamari = async_step_edit_sonoran = (
        async_step_reconfigure
    )
    async_step_edit_protime = async_step_edit_tracktik = async_step_reconfigure
