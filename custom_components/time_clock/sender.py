"""The sender: deliver an account's punches one at a time, as each answer says."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
import contextlib
from datetime import datetime, timedelta
import math
import random
from typing import Protocol

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util

from .api import (
    Backend,
    Delivery,
    PunchRequest,
    TimeClockAuthenticationError,
    TimeClockConnectionError,
    TimeClockError,
    TimeClockRateLimitedError,
    TimeClockRejectedError,
)
from .backend_state import BackendState
from .const import BACKOFF_BASE, BACKOFF_MAX, DEFAULT_RATE_LIMIT_WAIT, LOGGER
from .employee import Employee
from .punch import Punch
from .punch_queue import PunchQueue

# The longest wait before the next attempt, whatever a backend's Retry-After says.
MAX_WAIT = 86400.0


class OutboxEvents(Protocol):
    """What the outbox tells its account: only what happened."""

    def punch_kept(self, punch: Punch) -> None:
        """Handle a punch that is on disk (before anything about its delivery)."""

    async def async_punch_delivered(self, punch: Punch, delivery: Delivery) -> None:
        """Handle a punch the backend confirmed (already settled)."""

    async def async_punch_rejected(
        self, punch: Punch, err: TimeClockRejectedError
    ) -> None:
        """Handle a punch the backend refused for good (already on the failed list)."""

    def credentials_refused(self, err: TimeClockAuthenticationError) -> None:
        """Handle credentials the backend refused (delivery is paused)."""

    def outbox_changed(self) -> None:
        """Handle a change of the queue or of the backend's reachability."""


def backoff_delay(attempt: int, *, rand: Callable[[], float] = random.random) -> float:
    """Return the wait before retry ``attempt`` (1-based): exponential, jittered, capped."""
    ceiling = min(BACKOFF_MAX, BACKOFF_BASE * 2 ** min(attempt - 1, 30))
    return float(ceiling * (0.5 + rand() / 2))


class Sender:
    """Send the queue's punches in order of occurrence, waiting as errors say."""

    def __init__(
        self,
        hass: HomeAssistant,
        *,
        name: str,
        queue: PunchQueue,
        backend_state: BackendState,
        backend: Backend,
        events: OutboxEvents,
    ) -> None:
        """Prepare the sender; ``async_start`` starts it."""
        self._hass = hass
        self._name = name
        self._queue = queue
        self._backend_state = backend_state
        self._backend = backend
        self._events = events
        self._wake = asyncio.Event()
        self._timer: CALLBACK_TYPE | None = None
        self._task: asyncio.Task[None] | None = None
        # Who each employee is at the backend (handed down by the account).
        self.employees: Mapping[str, Employee] = {}
        self.attempts = 0
        self.not_before: datetime | None = None
        self.paused = False
        self._reachable: bool | None = None
        self.last_error: str | None = None

    @property
    def reachable(self) -> bool | None:
        """Return whether the backend answered lately; ``None`` before it was asked."""
        return self._reachable

    @reachable.setter
    def reachable(self, reachable: bool) -> None:
        """Note whether the backend answers; log once when that changes."""
        if reachable is self._reachable:
            return
        if not reachable:
            LOGGER.info("The backend of %s cannot be reached; punches wait", self._name)
        elif self._reachable is False:
            LOGGER.info("The backend of %s can be reached again", self._name)
        self._reachable = reachable

    @callback
    def async_start(self, create_task: Callable[..., asyncio.Task[None]]) -> None:
        """Start sending in a background task made by ``create_task``."""
        self._task = create_task(self._async_run(), "time_clock outbox")

    async def async_stop(self) -> None:
        """Stop sending; an interrupted punch stays in the queue."""
        self._cancel_timer()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    @callback
    def wake(self, *, skip_wait: bool = False) -> None:
        """Look at the queue now; with ``skip_wait`` also end a backoff wait."""
        if skip_wait:
            self.not_before = None
            self.attempts = 0
        self._wake.set()

    @callback
    def resume(self) -> None:
        """Resume after new credentials, or when a user asks to retry now."""
        self.paused = False
        self.wake(skip_wait=True)

    def _cancel_timer(self) -> None:
        """Cancel the retry timer."""
        if self._timer is not None:
            self._timer()
            self._timer = None

    @callback
    def _on_timer(self, _now: datetime) -> None:
        """End a wait."""
        self._timer = None
        self._wake.set()

    async def _async_next(self) -> Punch:
        """Wait until a punch may be sent, and return it."""
        while True:
            self._wake.clear()
            punch = None if self.paused else self._queue.next_pending()
            if punch is not None:
                if self.not_before is None or dt_util.utcnow() >= self.not_before:
                    return punch
                if self._timer is None:
                    delay = (self.not_before - dt_util.utcnow()).total_seconds()
                    self._timer = async_call_later(self._hass, delay, self._on_timer)
            await self._wake.wait()

    async def _async_run(self) -> None:
        """Send punches for as long as the account is loaded."""
        while True:
            punch = await self._async_next()
            self._cancel_timer()
            try:
                await self._async_send(punch)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - the sender must outlive any bug
                LOGGER.exception("Unexpected error while delivering a punch")
                self._retry_later(None)
            self._events.outbox_changed()

    def _request(self, punch: Punch, *, uncertain: bool) -> PunchRequest:
        """Return the backend request for a punch."""
        employee = self.employees.get(punch.employee_id)
        return PunchRequest(
            punch_id=punch.punch_id,
            person=employee.identifier if employee else "",
            action=punch.action,
            time=punch.time,
            project_id=punch.project_id,
            description=punch.description,
            extras=dict(employee.extras) if employee else {},
            state=self._backend_state.get(punch.employee_id),
            uncertain=uncertain,
            reason_id=punch.reason_id,
            activity_levels=punch.activity_levels,
        )

    async def _async_send(self, punch: Punch) -> None:
        """Send one punch and act on the answer."""
        uncertain = punch.seq in self._queue.uncertain
        await self._queue.async_mark_in_flight(punch)
        request = self._request(punch, uncertain=uncertain)
        try:
            delivery = await self._backend.async_deliver(request)
        except TimeClockError as err:
            if await self._async_stored(punch):
                await self._async_failed(punch, err)
            return
        if await self._async_stored(punch):
            self.reachable = True
            self._reset()
            if delivery.state is not None:
                await self._backend_state.async_set(punch.employee_id, delivery.state)
            self._queue.settle(punch, delivered=True)
            await self._events.async_punch_delivered(punch, delivery)

    async def _async_stored(self, punch: Punch) -> bool:
        """Wait until a punch sent while it was being written is on disk.

        A punch whose write failed was never recorded: whoever punched was told
        so, and the answer about it is dropped.
        """
        if await self._queue.async_written(punch.seq):
            return True
        LOGGER.error(
            "A punch could not be written to disk after it was sent; "
            "the backend may hold a punch that Home Assistant does not"
        )
        return False

    async def _async_failed(self, punch: Punch, err: TimeClockError) -> None:
        """Act on a failed delivery, as the error says."""
        if isinstance(err, TimeClockRateLimitedError):
            self.reachable = True
            wait = (
                err.retry_after
                if err.retry_after is not None
                else DEFAULT_RATE_LIMIT_WAIT
            )
            LOGGER.info("Backend quota reached; waiting %.0f s", wait)
            self._wait(wait, str(err))
        elif isinstance(err, TimeClockAuthenticationError):
            self.reachable = True
            self.paused = True
            self.last_error = str(err)
            LOGGER.warning("Backend refused the credentials; delivery paused")
            self._events.credentials_refused(err)
        elif isinstance(err, TimeClockRejectedError):
            self.reachable = True
            self._reset()
            LOGGER.warning("Backend rejected a punch (%s)", err.code)
            await self._queue.async_fail(punch, code=err.code, message=str(err))
            await self._events.async_punch_rejected(punch, err)
        elif isinstance(err, TimeClockConnectionError):
            self.reachable = False
            if err.ambiguous:
                self._queue.uncertain.add(punch.seq)
            LOGGER.debug("Backend unreachable: %s", err)
            self._retry_later(str(err))
        else:
            self.reachable = False
            LOGGER.debug("Backend error: %s", err)
            self._retry_later(str(err))

    def _reset(self) -> None:
        """Forget the backoff after an answer that settles a punch."""
        self.attempts = 0
        self.not_before = None
        self.last_error = None

    def _retry_later(self, error: str | None) -> None:
        """Wait with exponential backoff before the next attempt."""
        self.attempts += 1
        self._wait(backoff_delay(self.attempts), error)

    def _wait(self, seconds: float, error: str | None) -> None:
        """Send nothing for ``seconds`` (at most a day, whatever a backend asks)."""
        self.last_error = error
        seconds = min(seconds, MAX_WAIT) if math.isfinite(seconds) else MAX_WAIT
        self.not_before = dt_util.utcnow() + timedelta(seconds=seconds)
