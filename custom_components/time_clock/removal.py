"""Remove an account's storage, exporting undelivered punches first."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from homeassistant.components import persistent_notification
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util, slugify

from .const import DOMAIN, LOGGER
from .punch_queue import PunchQueue
from .storage import AccountFiles

if TYPE_CHECKING:
    from .account import TimeClockConfigEntry


async def async_export_and_remove(
    hass: HomeAssistant, entry: TimeClockConfigEntry
) -> None:
    """Write undelivered and failed punches to a JSON file, then delete the storage."""
    files = AccountFiles(hass, entry.entry_id)
    queue = PunchQueue(hass, files)
    queue.load(await files.async_load())
    pending = queue.pending_punches()
    if pending or queue.failed_list.items:
        employees = {sub.subentry_id: sub.title for sub in entry.subentries.values()}
        stamp = dt_util.utcnow().strftime("%Y%m%dT%H%M%SZ")
        path = Path(hass.config.path(f"time_clock_{slugify(entry.title)}_{stamp}.json"))
        content = {
            "account": entry.title,
            "backend": entry.data.get("backend"),
            "exported_at": dt_util.utcnow().isoformat(),
            "undelivered": [
                {**p.as_dict(), "employee_name": employees.get(p.employee_id)}
                for p in pending
            ],
            "failed": queue.failed_list.items,
        }
        await hass.async_add_executor_job(
            path.write_text, json.dumps(content, indent=2), "utf-8"
        )
        LOGGER.warning(
            "Account %s removed with %s undelivered punches; they were saved to %s",
            entry.title,
            len(pending),
            path,
        )
        persistent_notification.async_create(
            hass,
            f"The Time Clock account **{entry.title}** was removed with {len(pending)} "
            f"undelivered and {len(queue.failed_list.items)} failed punches. They were saved to "
            f"`{path}`.",
            title="Time Clock: undelivered punches saved",
            notification_id=f"{DOMAIN}_{entry.entry_id}_export",
        )
    await files.async_remove()
