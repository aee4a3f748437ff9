"""Write an account's outbox straight into ``.storage``, in the format of storage.py.

A backlog of 20,000 punches made by taps would take hours at Calamari's pace
and minutes even without: the benchmark writes the files the store would have
written after those taps (segments of ``SEGMENT_SIZE`` punches, the state file
with the segment index and the employees' state, the cursor with nothing
settled), then starts Home Assistant on them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
import uuid

from custom_components.time_clock.storage import SEGMENT_SIZE, STORAGE_VERSION

from .stack import write_store


def backlog_punches(
    employee_ids: list[str], count: int, *, now: datetime, spacing: timedelta
) -> list[dict[str, Any]]:
    """Return ``count`` punches, oldest first, round-robin over the employees.

    Each employee alternates clock-in and clock-out; punch ``i`` happened
    ``(count - i) * spacing`` before ``now``.
    """
    punches = []
    for seq in range(1, count + 1):
        position = seq - 1
        employee = employee_ids[position % len(employee_ids)]
        clock_in = (position // len(employee_ids)) % 2 == 0
        punches.append(
            {
                "seq": seq,
                "id": uuid.uuid4().hex,
                "employee": employee,
                "action": "clock_in" if clock_in else "clock_out",
                "time": (now - (count - position) * spacing).isoformat(),
                "source": "reader",
                "reader": "Front door",
            }
        )
    return punches


def seed_outbox(
    config_dir: Path, entry_id: str, punches: list[dict[str, Any]]
) -> dict[str, Any]:
    """Write the punches as an undelivered outbox; return what was written."""
    key = f"time_clock.{entry_id}"
    segments: list[dict[str, Any]] = []
    written = 0
    for start in range(0, len(punches), SEGMENT_SIZE):
        chunk = punches[start : start + SEGMENT_SIZE]
        first = chunk[0]["seq"]
        written += write_store(
            config_dir,
            f"{key}.punches.{first}",
            {"punches": chunk},
            version=STORAGE_VERSION,
        )
        segments.append(
            {
                "first": first,
                "last": chunk[-1]["seq"],
                "newest": max(p["time"] for p in chunk),
            }
        )
    if segments:
        # The newest segment is the open tail: the store lists it without an end.
        segments[-1] |= {"last": None, "newest": None}
    employees: dict[str, dict[str, Any]] = {}
    for punch in punches:
        on_shift = punch["action"] == "clock_in"
        employees[punch["employee"]] = {
            "on_shift": on_shift,
            "since": punch["time"] if on_shift else None,
            "last_time": punch["time"],
            "last_source": punch["source"],
        }
    state = {
        "segments": segments,
        "through": len(punches),
        "employees": employees,
        "backend": {},
    }
    cursor = {
        "settled_through": 0,
        "settled_above": [],
        "in_flight": None,
        "last_delivery": None,
    }
    written += write_store(config_dir, key, state, version=STORAGE_VERSION)
    written += write_store(config_dir, f"{key}.cursor", cursor, version=STORAGE_VERSION)
    return {"segments": len(segments), "bytes": written}
