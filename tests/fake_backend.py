"""A scriptable backend for outbox tests: the network edge of the local foundation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from custom_components.time_clock.api import (
    AccountInfo,
    Delivery,
    PunchRequest,
    TimeClockConnectionError,
    TimeClockError,
)


class FakeBackend:
    """Record delivered punches; fail as told.

    Like a real client, it reads its own record before resending an uncertain punch,
    so a punch it already has is confirmed again instead of recorded twice.
    """

    def __init__(self) -> None:
        """Start reachable with an empty record."""
        self.delivered: list[PunchRequest] = []
        self.attempts = 0
        self.errors: list[TimeClockError] = []
        self.down = False
        self.fail_after: int | None = None
        self.state_for: dict[str, Mapping[str, object]] = {}

    async def async_probe(self) -> bool:
        """Answer unless down."""
        return not self.down

    async def async_validate(self) -> AccountInfo:
        """Accept the credentials."""
        return AccountInfo(unique_id="fake", title="Fake")

    async def async_deliver(self, punch: PunchRequest) -> Delivery:
        """Deliver one punch or fail as scripted."""
        self.attempts += 1
        if self.errors:
            raise self.errors.pop(0)
        if self.down or (
            self.fail_after is not None and len(self.delivered) >= self.fail_after
        ):
            raise TimeClockConnectionError("connection refused")
        if punch.uncertain and any(
            p.punch_id == punch.punch_id for p in self.delivered
        ):
            return Delivery()
        self.delivered.append(punch)
        return Delivery(state=self.state_for.get(punch.person))

    async def async_fetch_states(
        self, persons: Sequence[str]
    ) -> Mapping[str, bool] | None:
        """Return nothing: no state sync."""
        return None
