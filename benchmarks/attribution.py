"""Where Time Clock's own memory goes: two tracemalloc snapshots compared.

The probe (benchmarks/bench_probe) summarises a snapshot of a Home Assistant
started under tracemalloc: every allocating line (innermost frame) with its
bytes and blocks, and, for one integration, the blocks allocated while its code
was on the stack, grouped by the innermost of its frames. Here the summary of
the Time Clock account is compared with that of the reference integration
(same entry, subentries, devices and entities; nothing behind them): the lines
that hold more in Time Clock's Home Assistant are where its own share goes,
whether the allocating line is Time Clock's or Home Assistant's doing
something for it (a listener, a bigger state, a registry entry).
"""

from __future__ import annotations

from functools import cache
import linecache
from pathlib import Path
import sysconfig
from typing import Any

import homeassistant

from .stack import REPO

# Sites listed in the tables.
TOP = 25
SITE_PACKAGES = Path(homeassistant.__file__).resolve().parents[1]
STDLIB = Path(sysconfig.get_paths()["stdlib"])


@cache
def _source_file(short: str) -> Path | None:
    """Return the file a short path of the probe names, on this machine."""
    for root in (REPO, SITE_PACKAGES, STDLIB, REPO / "benchmarks"):
        candidate = root / short
        if candidate.is_file():
            return candidate
    if short.startswith("custom_components/bench_"):
        return REPO / "benchmarks" / short.removeprefix("custom_components/")
    return None


def source_line(site: str) -> str:
    """Return the code of ``file:line``, stripped and cut to a table cell."""
    short, _, number = site.rpartition(":")
    path = _source_file(short)
    if path is None or not number.isdigit():
        return ""
    code = linecache.getline(str(path), int(number)).strip()
    return code if len(code) <= 70 else code[:67] + "..."


def _by_line(summary: dict[str, Any]) -> dict[str, tuple[int, int]]:
    """Return ``file:line`` -> (bytes, blocks) of a probe summary."""
    return {f"{f}:{n}": (size, count) for f, n, size, count in summary["lines"]}


def _by_file(lines: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
    """Return file -> (bytes, blocks), summed over the file's lines."""
    files: dict[str, tuple[int, int]] = {}
    for site, (size, count) in lines.items():
        name = site.rpartition(":")[0]
        old = files.get(name, (0, 0))
        files[name] = (old[0] + size, old[1] + count)
    return files


def _diff(
    ours: dict[str, tuple[int, int]], theirs: dict[str, tuple[int, int]]
) -> list[dict[str, Any]]:
    """Return every key's difference (ours - theirs), largest first."""
    rows: list[dict[str, Any]] = []
    for key in ours.keys() | theirs.keys():
        size_a, count_a = ours.get(key, (0, 0))
        size_b, count_b = theirs.get(key, (0, 0))
        rows.append(
            {
                "site": key,
                "size": size_a - size_b,
                "count": count_a - count_b,
                "ours": size_a,
                "reference": size_b,
            }
        )
    rows.sort(key=lambda row: -row["size"])
    return rows


def _kind_totals(kinds: dict[str, list[int]]) -> dict[str, int]:
    """Return bytes by whose code allocated them (own code, homeassistant, other)."""
    return {kind: size for kind, (size, _count) in kinds.items()}


def compare(
    ours: dict[str, Any], reference: dict[str, Any], *, employees: int
) -> dict[str, Any]:
    """Return the comparison of Time Clock's snapshot with the reference's.

    - ``lines``: allocating lines holding more in Time Clock's Home Assistant;
    - ``own``: what Time Clock's code (and the libraries it called) allocated,
      by the innermost Time Clock line;
    - ``ha``: what Home Assistant's code allocated while Time Clock's code was on
      the stack, against the same for the reference, line by line.
    """
    lines_a, lines_b = _by_line(ours), _by_line(reference)
    line_rows = _diff(lines_a, lines_b)
    file_rows = _diff(_by_file(lines_a), _by_file(lines_b))
    for row in line_rows[:TOP]:
        row["code"] = source_line(row["site"])
    tc = ours["by_domain"].get("time_clock", {})
    ref = reference["by_domain"].get("bench_reference", {})
    ha_a = {site: (size, count) for site, size, count in tc.get("ha_sites", [])}
    ha_b = {site: (size, count) for site, size, count in ref.get("ha_sites", [])}
    ha_rows = _diff(ha_a, ha_b)
    for row in [*ha_rows[:TOP], *ha_rows[-10:], *line_rows[-10:]]:
        row["code"] = source_line(row["site"])
    own_sites = tc.get("own_sites", [])[:TOP]
    for site in own_sites:
        site["code"] = source_line(site["frame"])
    ref_sites = ref.get("own_sites", [])[:10]
    for site in ref_sites:
        site["code"] = source_line(site["frame"])
    return {
        "employees": employees,
        "frames": ours["frames"],
        "traced": {"ours": ours["total"], "reference": reference["total"]},
        "blocks": {"ours": ours["blocks"], "reference": reference["blocks"]},
        "traced_peak": {
            "ours": ours["traced_peak"],
            "reference": reference["traced_peak"],
        },
        "setup_seconds": {
            "ours": ours.get("setup_seconds"),
            "reference": reference.get("setup_seconds"),
        },
        "lines": line_rows[:TOP],
        "lines_less": sorted(line_rows[-10:], key=lambda row: row["size"]),
        "files": file_rows[:TOP],
        "kinds": {
            "ours": _kind_totals(tc.get("kinds", {})),
            "reference": _kind_totals(ref.get("kinds", {})),
        },
        "own_sites": own_sites,
        "reference_own_sites": ref_sites,
        "ha": ha_rows[:TOP],
        "ha_less": sorted(ha_rows[-10:], key=lambda row: row["size"]),
    }
