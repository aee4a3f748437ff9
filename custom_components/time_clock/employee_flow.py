"""The employee flow: add or change an employee of an account (a config subentry)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partialmethod
from typing import Any

from homeassistant.config_entries import ConfigSubentryFlow, SubentryFlowResult
from homeassistant.const import CONF_NAME
from homeassistant.helpers.selector import (
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

from .const import CONF_IDENTIFIER, CONF_TAGS, SUBENTRY_EMPLOYEE
from .employee import normalize_tag
from .reader_config import CONF_READERS
from .vendors import VENDORS, Vendor, vendor_of

_NUMBER = NumberSelector(
    NumberSelectorConfig(min=1, max=2**31 - 1, mode=NumberSelectorMode.BOX)
)


def stripped(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Return form input with text stripped and empty fields left out."""
    return {
        k: v.strip() if isinstance(v, str) else v
        for k, v in user_input.items()
        if v not in ("", None)
    }


def employee_fields(vendor: Vendor) -> dict[Any, Any]:
    """Return the backend's fields of the employee form, after the name."""
    fields: dict[Any, Any] = {}
    for key, spec in vendor.employee.items():
        marker = (
            vol.Required(key, default=spec.default)
            if spec.required and spec.default is not None
            else vol.Required(key)
            if spec.required
            else vol.Optional(key)
        )
        if spec.kind == "choice":
            fields[marker] = SelectSelector(
                SelectSelectorConfig(
                    options=list(spec.choices),
                    translation_key=key,
                    mode=SelectSelectorMode.DROPDOWN,
                )
            )
        else:
            fields[marker] = _NUMBER if spec.kind == "number" else TextSelector()
    return fields


class EmployeeSubentryFlow(ConfigSubentryFlow):
    """Add or change an employee of an account."""

    @property
    def _vendor(self) -> Vendor:
        """Return the account's backend."""
        return vendor_of(self._get_entry().data)

    def _schema(self) -> vol.Schema:
        """Return the employee form for the account's backend and readers."""
        fields: dict[Any, Any] = {
            vol.Required(CONF_NAME): TextSelector(),
            **employee_fields(self._vendor),
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
            for key, value in stripped(user_input).items()
            if key not in (CONF_NAME, CONF_TAGS)
        }
        data.setdefault(CONF_IDENTIFIER, "")
        vendor = self._vendor
        kind = data.get(vendor.kind_field) if vendor.kind_field else None
        if (
            kind in vendor.numeric_identifier
            and not str(data[CONF_IDENTIFIER]).isdigit()
        ):
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
            step_id=f"add_{self._vendor.key}",
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
            step_id=f"edit_{self._vendor.key}",
            data_schema=self.add_suggested_values_to_schema(self._schema(), suggested),
            errors=errors,
            description_placeholders=placeholders,
        )


# Each backend's forms have texts of their own: add_<backend> and edit_<backend>.
for _key in VENDORS:
    setattr(
        EmployeeSubentryFlow,
        f"async_step_add_{_key}",
        partialmethod(EmployeeSubentryFlow.async_step_user),
    )
    setattr(
        EmployeeSubentryFlow,
        f"async_step_edit_{_key}",
        partialmethod(EmployeeSubentryFlow.async_step_reconfigure),
    )
