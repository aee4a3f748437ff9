"""The outbox of an account: its durable queue of punches and the sender.

The account hands punches down (``async_append``) and the employees' backend
identities (``employees``); the outbox owns the queue, the in-flight protocol,
the failed list and the backend's state, and tells the account only what
happened (``OutboxEvents``). The files below it only read and write.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homeassistant.core import HomeAssistant

from .api import Backend
from .backend_state import BackendState
from .employee import Employee
from .punch import NewPunch, Punch
from .punch_queue import PunchQueue
from .sender import OutboxEvents, Sender, backoff_delay
from .storage import AccountFiles, LoadedFiles

__all__ = ["DeliveryStatus", "NewPunch", "Outbox", "OutboxEvents", "backoff_delay"]


@dataclass(frozen=True, kw_only=True, slots=True)
class DeliveryStatus:
    """How an account's delivery stands."""

    pending: int
    failed: int
    reachable: bool | None
    paused: bool
    last_delivery: datetime | None

    def as_dict(self) -> dict[str, Any]:
        """Return the status as the card's websocket command answers it."""
        last = self.last_delivery
        return {
            "pending": self.pending,
            "failed": self.failed,
            "reachable": self.reachable,
            "paused": self.paused,
            "last_delivery": last.isoformat() if last else None,
        }


class Outbox:
    """Keep an account's punches on disk until the backend confirmed each."""

    def __init__(
        self,
        hass: HomeAssistant,
        *,
        name: str,
        files: AccountFiles,
        backend: Backend,
        events: OutboxEvents,
    ) -> None:
        """Prepare the queue and the sender; ``load`` and ``start`` them."""
        self._files = files
        self._queue = PunchQueue(hass, files, kept=events.punch_kept)
        self._backend_state = BackendState(files)
        self._sender = Sender(
            hass,
            name=name,
            queue=self._queue,
            backend_state=self._backend_state,
            backend=backend,
            events=events,
        )

    def load(self, loaded: LoadedFiles) -> None:
        """Rebuild the queue from the account's files."""
        self._queue.load(loaded)
        self._backend_state.load(loaded.state.get("backend"))

    def start(self, create_task: Callable[..., asyncio.Task[None]]) -> None:
        """Start sending."""
        self._sender.async_start(create_task)

    async def async_stop(self) -> None:
        """Stop sending and write what waits for a delayed save."""
        await self._sender.async_stop()
        await self._queue.async_flush()

    @property
    def employees(self) -> Mapping[str, Employee]:
        """Return who each employee is at the backend."""
        return self._sender.employees

    @employees.setter
    def employees(self, employees: Mapping[str, Employee]) -> None:
        """Hand down who each employee is at the backend."""
        self._sender.employees = employees

    async def async_append(self, new: NewPunch) -> Punch:
        """Write a punch to disk and queue it; return it once it is on disk."""
        punch = await self._queue.async_append(new, on_queued=self._sender.wake)
        self._sender.wake()
        return punch

    def resume(self) -> None:
        """Send now: after new credentials, or when a user asks to retry."""
        self._sender.resume()

    async def async_clear_failed(self) -> None:
        """Forget the punches the backend rejected."""
        await self._queue.failed_list.async_clear()

    def forget_employee(self, employee_id: str) -> None:
        """Drop what the backend kept for an employee who was removed."""
        self._backend_state.forget(employee_id)

    async def async_read_record(self, since: datetime) -> list[tuple[Punch, bool]]:
        """Return the kept punches after ``since``, each with whether it was delivered."""
        queue = self._queue
        failed = queue.failed_list.ids()
        punches = [
            Punch.from_dict(item) for item in await self._files.async_read_since(since)
        ]
        return [
            (punch, queue.is_settled(punch.seq) and punch.punch_id not in failed)
            for punch in punches
            if punch.time >= since and not queue.is_writing(punch.seq)
        ]

    # What the account and its entities read ---------------------------------------

    @property
    def pending_count(self) -> int:
        """Return how many punches wait."""
        return self._queue.pending_count

    def pending_for(self, employee_id: str) -> int:
        """Return how many punches of an employee wait."""
        return self._queue.pending_for(employee_id)

    def is_pending(self, seq: int) -> bool:
        """Return whether a punch waits."""
        return self._queue.is_pending(seq)

    def pending_punches(self) -> list[Punch]:
        """Return the waiting punches in order of occurrence."""
        return self._queue.pending_punches()

    @property
    def failed(self) -> list[dict[str, Any]]:
        """Return the rejected punches, newest last."""
        return self._queue.failed_list.items

    @property
    def last_delivery(self) -> datetime | None:
        """Return when the backend last confirmed a punch."""
        return self._queue.last_delivery

    @property
    def reachable(self) -> bool | None:
        """Return whether the backend answered lately."""
        return self._sender.reachable

    @reachable.setter
    def reachable(self, reachable: bool) -> None:
        """Note whether the backend answers (a state sync or a check learned it)."""
        self._sender.reachable = reachable

    @property
    def paused(self) -> bool:
        """Return whether delivery waits for new credentials."""
        return self._sender.paused

    @property
    def not_before(self) -> datetime | None:
        """Return until when delivery waits (a backoff or a quota)."""
        return self._sender.not_before

    @property
    def status(self) -> DeliveryStatus:
        """Return how delivery stands now."""
        return DeliveryStatus(
            pending=self.pending_count,
            failed=len(self.failed),
            reachable=self.reachable,
            paused=self.paused,
            last_delivery=self.last_delivery,
        )

    def diagnostics(self) -> dict[str, Any]:
        """Return the queue's and the sender's state for diagnostics."""
        sender = self._sender
        return {
            "pending": self.pending_count,
            "uncertain": len(self._queue.uncertain),
            "failed": self.failed,
            "pending_punches": [p.as_dict() for p in self.pending_punches()[:50]],
            "outbox": {
                "paused": sender.paused,
                "reachable": sender.reachable,
                "attempts": sender.attempts,
                "not_before": sender.not_before.isoformat()
                if sender.not_before
                else None,
                "last_error": sender.last_error,
            },
            "last_delivery": self.last_delivery.isoformat()
            if self.last_delivery
            else None,
        }
