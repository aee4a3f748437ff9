"""The reference's buttons: clock in and clock out (they do nothing)."""

from __future__ import annotations

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import EmployeeReferenceEntity, employees

PARALLEL_UPDATES = 1
BUTTONS = (
    ButtonEntityDescription(key="clock_in", translation_key="clock_in"),
    ButtonEntityDescription(key="clock_out", translation_key="clock_out"),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add each employee's buttons."""
    for sub in employees(entry):
        async_add_entities(
            [ReferenceButton(entry, description, sub) for description in BUTTONS],
            config_subentry_id=sub.subentry_id,
        )


class ReferenceButton(EmployeeReferenceEntity, ButtonEntity):
    """A button that records nothing."""

    async def async_press(self) -> None:
        """Do nothing: the reference is only measured."""
