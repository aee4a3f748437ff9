"""What a backend asked to remember per employee (a TrackTik work session, say)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .storage import AccountFiles


class BackendState:
    """Per-employee state a backend hands back with a delivery, kept on disk."""

    def __init__(self, files: AccountFiles) -> None:
        """Prepare the state kept in ``files``' state file."""
        self._files = files
        self.states: dict[str, dict[str, Any]] = {}

    def load(self, stored: Mapping[str, Any] | None) -> None:
        """Start from the stored states."""
        self.states = {key: dict(value) for key, value in (stored or {}).items()}

    def get(self, employee_id: str) -> dict[str, Any]:
        """Return a copy of an employee's state (empty when there is none)."""
        return dict(self.states.get(employee_id, {}))

    async def async_set(self, employee_id: str, state: Mapping[str, Any]) -> None:
        """Remember an employee's new state, on disk before it is used."""
        if self.states.get(employee_id, {}) == state:
            return
        if state:
            self.states[employee_id] = dict(state)
        else:
            self.states.pop(employee_id, None)
        self._hand_in()
        await self._files.async_write_state()

    def forget(self, employee_id: str) -> None:
        """Drop the state of an employee who was removed."""
        if self.states.pop(employee_id, None) is not None:
            self._hand_in()
            self._files.schedule_state_save()

    def _hand_in(self) -> None:
        """Give the files the states for the state file."""
        self._files.set_parts(
            backend={key: dict(value) for key, value in self.states.items()}
        )
