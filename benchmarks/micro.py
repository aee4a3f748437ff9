"""Micro-benchmark of the per-punch bookkeeping of an account (no Home Assistant process).

``python -m benchmarks.micro [--integration DIR]`` times what follows every
punch on disk: the shift record applies it (``ShiftRecord.apply``), hands its
snapshot to the account's files (``ShiftRecord.snapshot``,
``AccountFiles.set_parts``) and the files build the state file for its delayed
save (``AccountFiles._state_snapshot``), with 100 and 1,000 employees and 200
segments, for the integration of this repository or for another copy of it
(before/after).
"""

from __future__ import annotations

import argparse
from datetime import timedelta
import importlib
from pathlib import Path
import sys
import tempfile
import time
from unittest.mock import MagicMock

from homeassistant.util import dt as dt_util

PUNCHES = 2000
SEGMENTS = 200


def main() -> None:
    """Time the bookkeeping of this integration or of the copy given."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--integration", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="micro_") as tmp:
        if args.integration:
            # Import the copy as custom_components.time_clock, from a package of its own.
            root = Path(tmp)
            (root / "custom_components").mkdir()
            (root / "custom_components" / "__init__.py").write_text("")
            (root / "custom_components" / "time_clock").symlink_to(
                Path(args.integration).resolve()
            )
            sys.path.insert(0, str(root))
        measure()


def measure() -> None:
    """Time the bookkeeping after each punch of the imported integration."""
    record_module = importlib.import_module("custom_components.time_clock.record")
    storage_module = importlib.import_module("custom_components.time_clock.storage")
    punch_module = importlib.import_module("custom_components.time_clock.punch")
    action = importlib.import_module("custom_components.time_clock.api").Action
    start = dt_util.utcnow() - timedelta(hours=1)
    for count in (100, 1000):
        record = record_module.ShiftRecord()
        files = storage_module.AccountFiles(MagicMock(), "micro")
        files.index = [
            storage_module.SegmentInfo(
                first=i * 100 + 1, last=i * 100 + 100, newest=start.isoformat()
            )
            for i in range(SEGMENTS)
        ]
        files.index[-1].last = files.index[-1].newest = None
        seq = SEGMENTS * 100
        punches = []
        for k in range(PUNCHES + count):
            seq += 1
            punches.append(
                punch_module.Punch(
                    seq=seq,
                    punch_id=f"p{seq}",
                    employee_id=f"emp{k % count}",
                    action=action.CLOCK_IN
                    if (k // count) % 2 == 0
                    else action.CLOCK_OUT,
                    time=start + timedelta(milliseconds=k),
                    source=punch_module.Source.READER,
                )
            )
        # Every employee has a record before the clock starts, as in a running account.
        record.load({}, punches[:count], through=0, now=dt_util.utcnow())
        files.set_parts(employees=record.snapshot(), through=record.through)
        files._state_snapshot()  # noqa: SLF001
        started = time.perf_counter()
        for punch in punches[count:]:
            record.apply(punch)
            files.set_parts(employees=record.snapshot(), through=record.through)
            files._state_snapshot()  # noqa: SLF001
        each = (time.perf_counter() - started) / PUNCHES
        print(
            f"{count} employees, {SEGMENTS} segments: "
            f"{each * 1e6:.1f} µs per punch's bookkeeping ({record_module.__file__})"
        )


if __name__ == "__main__":
    main()
