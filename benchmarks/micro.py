"""Micro-benchmark of the store's per-punch bookkeeping (no Home Assistant process).

``python -m benchmarks.micro [--integration DIR]`` times
``PunchStore._state_snapshot`` (built after every punch for the delayed save of
the employees' state) with 100 and 1,000 employees and 200 segments, for the
integration of this repository or for another copy of it (before/after).
"""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path
import sys
import tempfile
import time
from unittest.mock import MagicMock

from homeassistant.util import dt as dt_util

SNAPSHOTS = 2000
SEGMENTS = 200


def main() -> None:
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
    """Time the state snapshot of the imported store."""
    store_module = importlib.import_module("custom_components.time_clock.store")
    store = store_module.PunchStore(MagicMock(), "micro")
    now = dt_util.utcnow()
    for count in (100, 1000):
        store.employees = {
            f"emp{i}": store_module.EmployeeRecord(
                on_shift=True, since=now, last_time=now, last_source="reader"
            )
            for i in range(count)
        }
        store._index = [  # noqa: SLF001
            store_module.SegmentInfo(
                first=i * 100 + 1, last=i * 100 + 100, newest=now.isoformat()
            )
            for i in range(SEGMENTS)
        ]
        if hasattr(store, "_dirty_employees"):
            store._dirty_employees = None  # noqa: SLF001
            store._index_cache = None  # noqa: SLF001
        store._state_snapshot()  # noqa: SLF001
        started = time.perf_counter()
        for k in range(SNAPSHOTS):
            if hasattr(store, "_employee_changed"):
                store._employee_changed(f"emp{k % count}")  # noqa: SLF001
            store._state_snapshot()  # noqa: SLF001
        each = (time.perf_counter() - started) / SNAPSHOTS
        print(
            f"{count} employees, {SEGMENTS} segments: "
            f"{each * 1e6:.1f} µs per state snapshot ({store_module.__file__})"
        )


if __name__ == "__main__":
    main()
