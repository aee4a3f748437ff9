"""The punches a backend rejected for good, kept for the user and diagnostics."""

from __future__ import annotations

from typing import Any

from homeassistant.util import dt as dt_util

from .const import LOGGER
from .punch import Punch
from .storage import AccountFiles

# The failed list's bound: beyond it the oldest go (with a warning).
MAX_FAILED = 500


class FailedList:
    """An account's rejected punches, newest last, on disk."""

    def __init__(self, files: AccountFiles) -> None:
        """Prepare the list kept in ``files``."""
        self._files = files
        self.items: list[dict[str, Any]] = []

    def ids(self) -> set[str]:
        """Return the ids of the rejected punches."""
        return {str(item.get("id")) for item in self.items}

    async def async_add(self, punch: Punch, *, code: str, message: str) -> None:
        """Keep a rejected punch (once), dropping the oldest beyond ``MAX_FAILED``."""
        entry = {
            **punch.as_dict(),
            "code": code,
            "message": message,
            "failed_at": dt_util.utcnow().isoformat(),
        }
        self.items = [item for item in self.items if item["id"] != punch.punch_id]
        self.items.append(entry)
        if (excess := len(self.items) - MAX_FAILED) > 0:
            LOGGER.warning(
                "The failed list of %s holds more than %s punches; dropping the %s oldest",
                self._files.key,
                MAX_FAILED,
                excess,
            )
            del self.items[:excess]
        await self._files.async_write_failed(self.items)

    async def async_clear(self) -> None:
        """Forget the rejected punches."""
        self.items = []
        await self._files.async_write_failed([])
