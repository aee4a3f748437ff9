"""Options flow of Time Clock: settings, and the account's readers, reasons and activities."""

from __future__ import annotations

from functools import partialmethod
from typing import Any

from homeassistant.config_entries import ConfigFlowResult, OptionsFlow
from homeassistant.const import CONF_LATITUDE, CONF_LOCATION, CONF_LONGITUDE, CONF_NAME
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
)
import voluptuous as vol

from .catalog import Catalog
from .const import CONF_AUTO_CLOCK_OUT_HOURS, CONF_DEBOUNCE, DEFAULT_DEBOUNCE
from .option_lists import LISTS, ListKind
from .reader_config import CONF_READERS, CONF_TAG_SCANNED, DEFAULT_TAG_SCANNED


def _number(maximum: float, unit: str) -> NumberSelector:
    """Return a box for a number of seconds or hours."""
    return NumberSelector(
        NumberSelectorConfig(
            min=0,
            max=maximum,
            step=0.5,
            unit_of_measurement=unit,
            mode=NumberSelectorMode.BOX,
        )
    )


SETTINGS_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_DEBOUNCE, default=DEFAULT_DEBOUNCE): _number(60, "s"),
        vol.Required(CONF_TAG_SCANNED, default=DEFAULT_TAG_SCANNED): BooleanSelector(),
        vol.Required(CONF_AUTO_CLOCK_OUT_HOURS, default=0): _number(48, "h"),
        vol.Optional(CONF_LOCATION): LocationSelector(
            LocationSelectorConfig(radius=False)
        ),
    }
)


class TimeClockOptionsFlow(OptionsFlow):
    """Change an account's settings and its readers, reasons and activities."""

    _editing: int | None = None

    def _items(self, kind: ListKind) -> list[dict[str, Any]]:
        """Return a copy of the items of a list."""
        return [dict(item) for item in self.config_entry.options.get(kind.key, [])]

    def _save(self, **changes: Any) -> ConfigFlowResult:
        """Save the options with some changed; the account reloads."""
        return self.async_create_entry(data={**self.config_entry.options, **changes})

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show what can be changed (reasons and activities where the backend has them)."""
        catalog = Catalog.of(self.config_entry)
        menu = ["settings"]
        for item, shown in (
            ("reader", True),
            ("reason", catalog.can_reason),
            ("activity", catalog.can_activity),
        ):
            if shown:
                menu.append(f"add_{item}")
                if self._items(LISTS[item]):
                    menu += [f"edit_{item}", f"remove_{item}"]
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

    async def async_list_add(
        self, item: str, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Add an item to a list."""
        self._editing = None
        return await self._async_item_form(LISTS[item], f"add_{item}", user_input)

    async def async_list_edit(
        self, item: str, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose the item of a list to change."""
        kind = LISTS[item]
        if user_input is not None:
            self._editing = self._index(kind, user_input[item])
            return await self._async_item_form(kind, f"change_{item}", None)
        return self._show_pick(kind, f"edit_{item}", {})

    async def async_list_change(
        self, item: str, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the chosen item."""
        return await self._async_item_form(LISTS[item], f"change_{item}", user_input)

    async def async_list_remove(
        self, item: str, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Remove an item, unless a reader names it."""
        kind = LISTS[item]
        if user_input is not None:
            items = self._items(kind)
            index = self._index(kind, user_input[item])
            if user := self._reader_naming(kind, str(items[index][CONF_NAME])):
                return self._show_pick(
                    kind,
                    f"remove_{item}",
                    {item: f"{item}_in_use"},
                    {"reader": user},
                )
            del items[index]
            return self._save(**{kind.key: items})
        return self._show_pick(kind, f"remove_{item}", {})

    def _index(self, kind: ListKind, name: str) -> int:
        """Return the position of an item by name."""
        return [item.get(CONF_NAME) for item in self._items(kind)].index(name)

    def _show_pick(
        self,
        kind: ListKind,
        step_id: str,
        errors: dict[str, str],
        placeholders: dict[str, str] | None = None,
    ) -> ConfigFlowResult:
        """Show a form choosing one of the items of a list."""
        names = [str(item.get(CONF_NAME)) for item in self._items(kind)]
        return self.async_show_form(
            step_id=step_id,
            data_schema=vol.Schema(
                {
                    vol.Required(kind.item): SelectSelector(
                        SelectSelectorConfig(
                            options=names, mode=SelectSelectorMode.DROPDOWN
                        )
                    )
                }
            ),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def _async_item_form(
        self, kind: ListKind, step_id: str, user_input: dict[str, Any] | None
    ) -> ConfigFlowResult:
        """Show, check and save the form of one item."""
        items, index = self._items(kind), self._editing
        errors: dict[str, str] = {}
        if user_input is not None:
            item, errors = kind.check(self.hass, user_input, self.config_entry.options)
            others = [other for i, other in enumerate(items) if i != index]
            if not item[CONF_NAME]:
                errors[CONF_NAME] = f"{kind.item}_name_required"
            elif any(
                str(other.get(CONF_NAME, "")).casefold() == item[CONF_NAME].casefold()
                for other in others
            ):
                errors[CONF_NAME] = f"{kind.item}_exists"
            if not errors:
                changes = {kind.key: items}
                if index is None:
                    items.append(item)
                else:
                    changes |= self._renamed(kind, str(items[index][CONF_NAME]), item)
                    items[index] = item
                return self._save(**changes)
        suggested = user_input or (
            kind.form_values(items[index]) if index is not None else {}
        )
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(
                kind.schema(self.config_entry.options), suggested
            ),
            errors=errors,
        )

    def _reader_naming(self, kind: ListKind, name: str) -> str | None:
        """Return a reader that names an item of a list, if any."""
        field = kind.reader_field
        return next(
            (
                str(reader.get(CONF_NAME))
                for reader in self._items(LISTS["reader"])
                if field and str(reader.get(field, "")).casefold() == name.casefold()
            ),
            None,
        )

    def _renamed(
        self, kind: ListKind, old: str, item: dict[str, Any]
    ) -> dict[str, Any]:
        """Rename a renamed item where it is named: readers' fields, allow-lists."""
        new = str(item[CONF_NAME])
        if old == new:
            return {}
        if kind.reader_field:
            readers = self._items(LISTS["reader"])
            for reader in readers:
                if str(reader.get(kind.reader_field, "")).casefold() == old.casefold():
                    reader[kind.reader_field] = new
            return {CONF_READERS: readers}
        self._rename_in_allow_lists(old, new)
        return {}

    def _rename_in_allow_lists(self, old: str, new: str) -> None:
        """Make employees limited to a renamed reader name it by its new name."""
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


# Each list's steps have texts of their own: add_, edit_, change_ and remove_<item>.
for _item in LISTS:
    for _step, _method in (
        ("add", TimeClockOptionsFlow.async_list_add),
        ("edit", TimeClockOptionsFlow.async_list_edit),
        ("change", TimeClockOptionsFlow.async_list_change),
        ("remove", TimeClockOptionsFlow.async_list_remove),
    ):
        setattr(
            TimeClockOptionsFlow,
            f"async_step_{_step}_{_item}",
            partialmethod(_method, _item),
        )
