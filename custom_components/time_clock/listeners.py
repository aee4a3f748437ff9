"""Tell an account's entities when what they show changed."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterable
from datetime import datetime
from typing import Any

from homeassistant.core import CALLBACK_TYPE, callback
from homeassistant.util import dt as dt_util

# Employees whose per-minute sensors are updated in one turn of the event loop.
MINUTE_BATCH = 25


class Listeners:
    """The entities listening to an account, by employee (``None``: the account)."""

    def __init__(self) -> None:
        """Start with no listener."""
        self._listeners: dict[str | None, list[CALLBACK_TYPE]] = {}
        self._minute: dict[str, list[CALLBACK_TYPE]] = {}
        self._added: list[Callable[[list[str]], None]] = []
        self._today = dt_util.now().date()
        self._ticking: asyncio.Task[None] | None = None

    @callback
    def minute(
        self,
        now: datetime,
        on_shift: Iterable[str],
        everyone: Iterable[str],
        create_task: Callable[[Coroutine[Any, Any, None]], asyncio.Task[None]],
    ) -> None:
        """Tell who works that a minute passed; everyone when a new day begins."""
        today = dt_util.as_local(now).date()
        new_day, self._today = today != self._today, today
        due = list(everyone if new_day else on_shift)
        if due and (self._ticking is None or self._ticking.done()):
            self._ticking = create_task(self.async_tick(due))

    @callback
    def add(
        self, update: CALLBACK_TYPE, employee_id: str | None, *, every_minute: bool
    ) -> None:
        """Call ``update`` when the employee changes (and every minute, if asked).

        ``discard`` with an equal ``update`` (the same bound method) ends it: a
        thousand employees' entities need no closure each to stop listening.
        """
        self._listeners.setdefault(employee_id, []).append(update)
        if every_minute and employee_id is not None:
            self._minute.setdefault(employee_id, []).append(update)

    @callback
    def discard(self, update: CALLBACK_TYPE, employee_id: str | None) -> None:
        """Stop calling ``update`` for the employee (or the account)."""
        _discard(self._listeners, employee_id, update)
        if employee_id is not None:
            _discard(self._minute, employee_id, update)

    @callback
    def add_employee_listener(
        self, add: Callable[[list[str]], None]
    ) -> Callable[[], None]:
        """Call ``add`` with the ids of employees added while the account runs."""
        self._added.append(add)
        return lambda: self._added.remove(add)

    @callback
    def employees_added(self, employee_ids: list[str]) -> None:
        """Tell the platforms that employees were added."""
        for add in list(self._added):
            add(employee_ids)

    @callback
    def notify(self, employee_id: str | None) -> None:
        """Tell the listeners of an employee, or of the account, about a change."""
        for update in list(self._listeners.get(employee_id, ())):
            update()

    async def async_tick(self, employee_ids: Iterable[str]) -> None:
        """Tell the per-minute listeners of some employees, a few at a time.

        A shift change puts hundreds on shift; updating all their sensors in one
        turn of the event loop would hold up every tap waiting behind it.
        """
        due = list(employee_ids)
        for start in range(0, len(due), MINUTE_BATCH):
            if start:
                await asyncio.sleep(0)
            for employee_id in due[start : start + MINUTE_BATCH]:
                for update in list(self._minute.get(employee_id, ())):
                    update()


def _discard[K](
    listeners: dict[K, list[CALLBACK_TYPE]], key: K, update: CALLBACK_TYPE
) -> None:
    """Remove ``update`` from the list of ``key``, and the list once empty."""
    if (found := listeners.get(key)) is not None and update in found:
        found.remove(update)
        if not found:
            del listeners[key]
