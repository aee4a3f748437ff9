"""Buttons of Time Clock: clock in and clock out."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .account import TimeClockConfigEntry
from .api import Action
from .entity import EmployeeEntity, async_add_account_entities
from .punch import Source

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class TimeClockButtonDescription(ButtonEntityDescription):
    """A punch button."""

    action: Action


BUTTONS = (
    TimeClockButtonDescription(
        key="clock_in", translation_key="clock_in", action=Action.CLOCK_IN
    ),
    TimeClockButtonDescription(
        key="clock_out", translation_key="clock_out", action=Action.CLOCK_OUT
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TimeClockConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the buttons of each employee."""
    async_add_account_entities(
        entry,
        async_add_entities,
        employee=(TimeClockButton, BUTTONS),
    )


class TimeClockButton(EmployeeEntity, ButtonEntity):
    """A button that punches an employee in or out."""

    entity_description: TimeClockButtonDescription
    _follows_account = False

    async def async_press(self) -> None:
        """Record the punch."""
        await self.account.async_punch(
            self.employee_id, self.entity_description.action, source=Source.BUTTON
        )
