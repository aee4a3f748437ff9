"""An account's storage as the account wires it, for tests of the queue and files.

The files (``AccountFiles``), the queue (``PunchQueue``) and the shift record
(``ShiftRecord``) are put together as ``TimeClockAccount`` does, behind the
names the storage tests use.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from custom_components.time_clock.api import Action
from custom_components.time_clock.backend_state import BackendState
from custom_components.time_clock.punch import NewPunch, Punch, Source
from custom_components.time_clock.punch_queue import PunchQueue
from custom_components.time_clock.record import EmployeeRecord, ShiftRecord
from custom_components.time_clock.storage import AccountFiles


class StoreHarness(PunchQueue):
    """The queue of an account, with its files and shift record kept as it does."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Prepare the storage of the account ``entry_id``."""
        self.files = AccountFiles(hass, entry_id)
        self.record = ShiftRecord()
        self.backend = BackendState(self.files)
        super().__init__(hass, self.files, kept=self._kept_punch)

    def _kept_punch(self, punch: Punch) -> None:
        """Apply a kept punch to the record, as the account does."""
        self.record.apply(punch)
        self._save_record()

    def _save_record(self) -> None:
        """Hand the record to the files, as the account does."""
        self.files.set_parts(
            employees=self.record.snapshot(), through=self.record.through
        )
        self.files.schedule_state_save()

    @property
    def employees(self) -> dict[str, EmployeeRecord]:
        """Return the shift record's employees."""
        return self.record.employees

    async def async_load(self) -> None:  # type: ignore[override]
        """Load the files, the queue and the record."""
        loaded = await self.files.async_load()
        self.record.load(
            loaded.state.get("employees"),
            loaded.punches,
            through=loaded.through,
            now=dt_util.utcnow(),
        )
        self.load(loaded)
        self.backend.load(loaded.state.get("backend"))
        self.files.set_parts(
            employees=self.record.snapshot(), through=self.record.through
        )

    async def async_append(  # type: ignore[override]
        self,
        *,
        employee_id: str,
        action: Action,
        time: datetime,
        source: Source,
        on_queued: Any = None,
        **fields: Any,
    ) -> Punch:
        """Append a punch given by its fields."""
        return await super().async_append(
            NewPunch(
                employee_id=employee_id,
                action=action,
                time=time,
                source=source,
                **fields,
            ),
            on_queued=on_queued,
        )

    @property
    def backend_state(self) -> dict[str, dict[str, Any]]:
        """Return what the backend asked to remember, per employee."""
        return self.backend.states

    async def async_set_backend_state(self, employee_id: str, state: Any) -> None:
        """Remember a backend state, as the sender does after a delivery."""
        await self.backend.async_set(employee_id, state)

    def set_on_shift(
        self, employee_id: str, on_shift: bool, since: datetime | None
    ) -> None:
        """Take the backend's word, as the account's sync does."""
        self.record.set_on_shift(employee_id, on_shift, since)
        self._save_record()

    def forget_employees(self, keep: list[str]) -> None:
        """Forget the employees not kept, as the account does at setup."""
        gone = [key for key in self.record.employees if key not in keep]
        self.record.forget(gone)
        for key in gone:
            self.backend.forget(key)
        self._save_record()

    def state_snapshot(self) -> dict[str, Any]:
        """Return the state file as it would be written now."""
        return self.files._state_snapshot()

    @property
    def failed(self) -> list[dict[str, Any]]:
        """Return the rejected punches."""
        return self.failed_list.items

    async def async_clear_failed(self) -> None:
        """Forget the rejected punches."""
        await self.failed_list.async_clear()
