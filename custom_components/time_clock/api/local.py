"""The local backend: nothing to send, every punch confirmed at once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .models import AccountInfo, Delivery, PunchRequest


class LocalBackend:
    """A backend that keeps the record only in Home Assistant."""

    def __init__(self, *, name: str) -> None:
        """Remember the account name."""
        self._name = name

    async def async_validate(self) -> AccountInfo:
        """Accept any local account."""
        return AccountInfo(unique_id=self._name.casefold(), title=self._name)

    async def async_deliver(self, punch: PunchRequest) -> Delivery:
        """Confirm the punch at once."""
        return Delivery()

    async def async_probe(self) -> bool:
        """Return ``True``: the local record is always there."""
        return True

    async def async_fetch_states(
        self, persons: Sequence[str]
    ) -> Mapping[str, bool] | None:
        """Return ``None``: the local record is the only state."""
        return None
