"""Write BENCHMARKS.md from the figures of a run (and of the run before the fixes)."""

from __future__ import annotations

import math
import os
from pathlib import Path
import platform
import resource
import subprocess
import tempfile
import time
from typing import Any

from homeassistant import const as ha_const

from .stack import REPO

# Figures of the run made before the fixes this report describes, kept in the
# repository so that every later report shows the before/after comparison.
BEFORE = REPO / "benchmarks" / "before-fixes.json"
# Quick runs of the code before and after the fixes, alternated (benchmarks/ab.py).
# The alternated before/after runs of each round of fixes (benchmarks/ab.py).
BEFORE_AFTER = (
    REPO / "benchmarks" / "before-after.json",
    REPO / "benchmarks" / "before-after-send.json",
)
MIB = 2**20
KIB = 1024
LINEAR_TOLERANCE = 1.25
BLOCK_NAME = "hundred"


def machine() -> dict[str, Any]:
    """Return what the figures were measured on."""
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kib = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kib = int(line.split()[1])
    return {
        "nproc": os.cpu_count(),
        "memory_gib": round(mem_kib / 2**20, 1),
        "cpu": cpu,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "home_assistant": ha_const.__version__,
        "mosquitto": _mosquitto_version(),
        "storage": _filesystem(),
        "commit": _git("rev-parse", "--short", "HEAD"),
        "dirty": bool(_git("status", "--porcelain", "--", "custom_components")),
    }


def _mosquitto_version() -> str:
    """Return mosquitto's version line."""
    try:
        out = subprocess.run(
            ["mosquitto", "-h"], capture_output=True, text=True, check=False, timeout=5
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.splitlines()[0] if out else "unknown"


def _filesystem() -> str:
    """Return the file system and device of the temporary directory."""
    try:
        out = (
            subprocess.run(
                ["df", "-T", tempfile.gettempdir()],
                capture_output=True,
                text=True,
                check=False,
                timeout=5,
            )
            .stdout.splitlines()[-1]
            .split()
        )
    except (OSError, subprocess.SubprocessError, IndexError):
        return "unknown"
    return f"{out[1]} on {out[0]}"


def _git(*args: str) -> str:
    """Return the output of a read-only git command in the repository."""
    try:
        return subprocess.run(
            ["git", *args], capture_output=True, text=True, check=False, cwd=REPO
        ).stdout.strip()
    except OSError:
        return ""


def disk_probe(directory: Path, seconds: float = 5.0) -> dict[str, Any]:
    """Return how fast this disk takes small atomic writes (Home Assistant's own helper).

    Every punch written and every cursor write is one such write (a temporary
    file, fsync, rename, fsync of the directory), so this bounds the figures.
    """
    from homeassistant.util.file import write_utf8_file_atomic  # noqa: PLC0415

    path = directory / "disk_probe.json"
    times: list[float] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.perf_counter()
        write_utf8_file_atomic(str(path), "x" * 300)
        times.append(time.perf_counter() - started)
    path.unlink(missing_ok=True)
    times.sort()
    return {
        "writes_per_second": len(times) / seconds,
        "p50_ms": times[len(times) // 2] * 1000,
        "p99_ms": times[int(len(times) * 0.99)] * 1000,
    }


def cpu_busy_seconds() -> float:
    """Return the CPU seconds the whole machine spent busy since boot (/proc/stat)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    """Return the CPU seconds of this process and its finished children."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def load() -> dict[str, Any]:
    """Return the load average (to spot a machine busy with something else)."""
    one, five, fifteen = os.getloadavg()
    return {"loadavg": [round(one, 2), round(five, 2), round(fifteen, 2)]}


def all_delivered(results: dict[str, Any]) -> bool:
    """Return whether every scenario delivered every punch (once, in order)."""
    ok = True
    if lat := results.get("latency"):
        for value in lat.values():
            if isinstance(value, dict) and "delivered" in value:
                ok &= value["delivered"] == value["taps"]
    if backlog := results.get("backlog"):
        for run in backlog["runs"]:
            ok &= run["delivered"] == run["size"] and run["in_order"]
    if emp := results.get("employees"):
        ok &= emp["shift"]["delivered"] == emp["shift"]["taps"]
    return bool(ok)


# -- formatting ---------------------------------------------------------------------


def _ms(value: float) -> str:
    """Return milliseconds, with a precision that suits the size."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:.1f}" if value < 100 else f"{value:,.0f}"


def _mib(value: float) -> str:
    return f"{value / MIB:.1f} MiB"


def _verdict(ok: bool) -> str:
    return "**met**" if ok else "**not met**"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return [*lines, ""]


# -- the targets --------------------------------------------------------------------


def targets(results: dict[str, Any]) -> list[list[str]]:
    """Return the rows of the summary: what, target, measured, verdict."""
    rows: list[list[str]] = []
    if lat := results.get("latency"):
        for mode in ("paced", "burst"):
            tc, bl = lat[f"time_clock_{mode}"], lat[f"baseline_{mode}"]
            ratio = lat[f"ratio_{mode}"]
            rows.extend(
                [
                    f"tap → request, {mode}, {pct} (Calamari)",
                    "≤ baseline (ratio ≤ 1)",
                    f"{_ms(tc[pct])} ms vs {_ms(bl[pct])} ms: ratio {ratio[pct]:.2f}",
                    _verdict(ratio[pct] <= 1.0),
                ]
                for pct in ("p50", "p99")
            )
        tc, ratio = lat["time_clock_protime_burst"], lat["ratio_protime_burst"]
        rows.append(
            [
                "tap → request, burst, p50 / p99 (Protime, no client pacing)",
                "≤ baseline burst",
                (
                    f"{_ms(tc['p50'])} / {_ms(tc['p99'])} ms: ratios "
                    f"{ratio['p50']:.2f} / {ratio['p99']:.2f}"
                ),
                _verdict(ratio["p50"] <= 1.0 and ratio["p99"] <= 1.0),
            ]
        )
    if backlog := results.get("backlog"):
        runs = backlog["runs"]
        rows.extend(
            [
                f"backlog of {run['size']:,}: punches per second",
                "≥ 200/s, in order, once",
                (
                    f"{run['punches_per_second']:.0f}/s, in order: {run['in_order']}, "
                    f"{run['delivered']:,} delivered"
                ),
                _verdict(
                    run["punches_per_second"] >= 200
                    and run["in_order"]
                    and run["delivered"] == run["size"]
                ),
            ]
            for run in runs
        )
        per_punch = [
            run.get("time_clock_bytes_per_punch", run["bytes_per_punch"])
            for run in runs
        ]
        # O(n): the cost per punch must not grow with the backlog. Nothing
        # counted means the counting failed (every drain writes the cursor).
        linear = all(p > 0 for p in per_punch) and (
            per_punch[-1] <= per_punch[0] * LINEAR_TOLERANCE
        )
        sizes = ", ".join(f"{r['size']:,}" for r in runs)
        rows.append(
            [
                "bytes written to the account's files during the drain",
                "O(n): bytes per punch do not grow with the backlog",
                ", ".join(f"{p:.0f}" for p in per_punch) + f" B/punch for {sizes}",
                _verdict(linear),
            ]
        )
    if emp := results.get("employees"):
        shift = emp["shift"]
        rows.append(
            [
                f"shift change: {shift['taps']} taps in {shift['window_seconds']:.0f} s",
                "all delivered",
                f"{shift['delivered']}/{shift['taps']}",
                _verdict(shift["delivered"] == shift["taps"]),
            ]
        )
        rows.append(
            [
                "shift change: event-loop lag p99",
                "< 50 ms",
                f"{_ms(shift['lag_p99_ms'])} ms (max {_ms(shift['lag_max_ms'])} ms)",
                _verdict(shift["lag_p99_ms"] < 50),
            ]
        )
        count = emp["employees"]
        for run in ("first", "restart"):
            full = emp["full"][run]
            rows.append(
                [
                    f"{count:,} employees: setup ({'first start' if run == 'first' else 'at a restart'})",
                    "< 5 s",
                    f"{full['setup_seconds']:.2f} s",
                    _verdict(full["setup_seconds"] < 5),
                ]
            )
        rows.extend(_memory_targets(emp))
    if adds := results.get("adds"):
        rows.extend(_adds_targets(adds))
    if card := results.get("card"):
        rows.extend(_card_targets(card))
    return rows


def _card_targets(card: dict[str, Any]) -> list[list[str]]:
    """Return the rows of the door-tablet card: bundle size, long tasks."""
    size = card["bundle"]
    rows = [
        [
            "door-tablet card: bundle",
            "< 60 KB gzipped",
            f"{size['gzip_bytes'] / 1000:.1f} KB gzipped ({size['bytes'] / 1000:.1f} KB raw)",
            _verdict(size["gzip_bytes"] < 60_000),
        ]
    ]
    render = card.get("render")
    rows.append(
        [
            "door-tablet card: 200 employees render",
            "no browser long task over 50 ms",
            "no figures (the browser test failed)"
            if render is None
            else (
                f"longest task {render['longest_task_ms']:.0f} ms "
                f"({len(render['long_tasks_ms'])} long tasks); rendered in "
                f"{render['rendered_ms']:.0f} ms"
            ),
            _verdict(render is not None and render["longest_task_ms"] < 50),
        ]
    )
    return rows


def _card_section(card: dict[str, Any]) -> list[str]:
    """Return the section of the door-tablet card."""
    size = card["bundle"]
    render = card.get("render")
    out = ["## Door-tablet card", ""]
    rows = [
        ["bundle, raw", f"{size['bytes']:,} B"],
        ["bundle, gzip -9", f"{size['gzip_bytes']:,} B"],
    ]
    if render is not None:
        rows += [
            ["200 tiles: mount to rendered", f"{_ms(render['rendered_ms'])} ms"],
            ["one state change: re-rendered", f"{_ms(render['update_ms'])} ms"],
            [
                "long tasks (> 50 ms), mount to 500 ms after the change",
                ", ".join(f"{t:.0f} ms" for t in render["long_tasks_ms"]) or "none",
            ],
        ]
    out += _table(["", ""], rows)
    return out


def _memory_targets(emp: dict[str, Any]) -> list[list[str]]:
    """Return the memory rows: the total above empty, and Time Clock's own share."""
    count = emp["employees"]
    if "reference" not in emp:  # a run made before the reference existed
        full = emp["full"]["restart"]
        return [
            [
                f"{count:,} employees: memory above an empty Home Assistant",
                "< 100 MB",
                f"{_mib(full['rss_above_empty'])} (no recorder)",
                _verdict(full["rss_above_empty"] < 100e6),
            ]
        ]
    full_runs = emp["full"]
    above = {run: full_runs[run]["rss_above_empty"] for run in _runs(full_runs)}
    words = {
        "first": "at the first start",
        "first_later": "at the first start, {after_ready:.0f} s after ready",
        "restart": "at a restart",
    }
    met = {run: value < 100e6 for run, value in above.items()}
    if all(met.values()) or not any(met.values()):
        verdict = _verdict(all(met.values()))
    else:
        verdict = "; ".join(
            f"{_verdict(ok)} {words[run].format(**full_runs[run])}"
            for run, ok in met.items()
        )
    rows = [
        [
            f"{count:,} employees: memory above an empty Home Assistant (recorder on)",
            "< 100 MB",
            ", ".join(
                f"{_mib(value)} ({value / 1e6:.0f} MB) "
                f"{words[run].format(**full_runs[run])}"
                for run, value in above.items()
            ),
            verdict,
        ]
    ]
    cells = []
    ok = True
    for run in _runs(full_runs):
        full, ref = emp["full"][run], emp["reference"][run]
        own = full["rss_above_reference"]
        # "Of which Home Assistant's own cost is most": the reference's share of
        # the total above empty is more than Time Clock's own.
        ok &= ref["rss_above_empty"] > own
        cells.append(
            f"{SHARE_NAMES[run]}: {_mib(own)} ({own / count / 1024:.1f} KiB/employee) "
            f"vs Home Assistant's {_mib(ref['rss_above_empty'])}"
        )
    rows.append(
        [
            f"{count:,} employees: Time Clock's own share (account - reference)",
            "small: Home Assistant's own cost of the entities and devices is most",
            "; ".join(cells),
            _verdict(ok),
        ]
    )
    return rows


def _adds_targets(adds: dict[str, Any]) -> list[list[str]]:
    """Return the rows of the employee-adding phase (this branch's integration)."""
    run = adds["after"]
    count = run["count"]
    appear = run["appear_ms"]
    first, last = run["blocks"][0], run["blocks"][-1]
    growth = last["add_ms"]["mean"] / first["add_ms"]["mean"]
    return [
        [
            "adding employees over the flow API: each one's entities exist",
            "within 1 s",
            (
                f"p50 {_ms(appear['p50'])} ms, p99 {_ms(appear['p99'])} ms, max "
                f"{_ms(appear['max'])} ms ({run['appear_over_1s']} of {count:,} over 1 s"
                f"{', ' + str(run['missing']) + ' missing' if run['missing'] else ''})"
            ),
            _verdict(run["appear_over_1s"] == 0 and not run["missing"]),
        ],
        [
            f"adding {count:,} employees one after another",
            "≥ 50 a second",
            f"{run['per_second']:.1f}/s ({run['seconds']:.1f} s)",
            _verdict(run["per_second"] >= 50),
        ],
        [
            "adding employees: the cost of an add does not grow with the staff",
            f"last {BLOCK_NAME} no slower than the first (x{LINEAR_TOLERANCE})",
            (
                f"mean add {first['add_ms']['mean']:.1f} ms for employees "
                f"{first['first']}-{first['last']}, {last['add_ms']['mean']:.1f} ms "
                f"for {last['first']:,}-{last['last']:,}: x{growth:.2f}"
            ),
            _verdict(growth <= LINEAR_TOLERANCE),
        ],
    ]


# -- sections -----------------------------------------------------------------------


def _machine_section(results: dict[str, Any]) -> list[str]:
    m = results["machine"]
    rows = [
        ["CPU", f"{m['cpu']}, {m['nproc']} logical CPUs"],
        ["memory", f"{m['memory_gib']} GiB"],
        ["storage", m.get("storage", "unknown")],
        ["kernel", m["kernel"]],
        ["Python", m["python"]],
        ["Home Assistant", m["home_assistant"]],
        ["broker", m["mosquitto"]],
        [
            "code",
            f"commit {m.get('commit') or '?'}"
            + (" with uncommitted changes" if m.get("dirty") else ""),
        ],
        [
            "disk (300-byte atomic writes, 5 s)",
            "{:.0f}/s, p50 {:.2f} ms, p99 {:.2f} ms".format(
                results["disk"]["writes_per_second"],
                results["disk"]["p50_ms"],
                results["disk"]["p99_ms"],
            )
            if "disk" in results
            else "not measured",
        ],
        [
            "other processes during the run",
            "{:.0f} CPU-seconds ({:.0%} of one CPU on average)".format(
                results["foreign_cpu_seconds"],
                results["foreign_cpu_seconds"] / results["seconds"],
            )
            if "foreign_cpu_seconds" in results
            else "not measured",
        ],
        [
            "load average",
            (
                f"{results['load_before']['loadavg']} before, "
                f"{results['load_after']['loadavg']} after"
            ),
        ],
    ]
    return ["## Machine", "", *_table(["", ""], rows)]


def _latency_section(lat: dict[str, Any]) -> list[str]:
    out = [
        "## Tap → request at the backend",
        "",
        (
            f"{lat['taps']} taps per phase (after {lat['warmup']} warm-up taps that are not "
            f"counted); paced at {lat['rate']:g} taps/s, burst = all published at once. "
            "Milliseconds from the publication of the tag on the broker (driver process) "
            "to the arrival of the request at the stub (stub process); both clocks are "
            "the machine's `CLOCK_MONOTONIC`."
        ),
        "",
    ]
    rows = []
    names = {
        "time_clock_paced": "Time Clock → Calamari, paced",
        "baseline_paced": "baseline automation + rest_command, paced",
        "time_clock_burst": "Time Clock → Calamari, burst (client paced at 10/s)",
        "baseline_burst": "baseline automation + rest_command, burst",
        "time_clock_protime_burst": "Time Clock → Protime, burst (no client pacing)",
        "baseline_burst_quota": (
            "baseline automation + rest_command, burst, "
            "stub enforcing Calamari's 10 requests/s"
        ),
    }
    for key, name in names.items():
        if (r := lat.get(key)) is None:
            continue
        accepted = r.get("accepted")
        rows.append(
            [
                name,
                f"{r['delivered']}/{r['taps']}",
                f"{accepted}/{r['taps']}" if accepted is not None else "",
                _ms(r["p50"]),
                _ms(r["p90"]),
                _ms(r["p99"]),
                _ms(r["max"]),
                f"{r['ha_cpu_seconds']:.1f}" if r.get("ha_cpu_seconds") else "",
            ]
        )
    out += _table(
        ["path", "arrived", "accepted", "p50", "p90", "p99", "max", "HA CPU s"], rows
    )
    ratio_rows = [
        [
            mode,
            *(f"{lat[f'ratio_{mode}'][p]:.2f}" for p in ("p50", "p90", "p99", "max")),
        ]
        for mode in ("paced", "burst", "protime_burst")
    ]
    out += ["Ratio Time Clock / baseline (1.00 = as fast; above 1 = slower):", ""]
    out += _table(["phase", "p50", "p90", "p99", "max"], ratio_rows)
    return out


def _backlog_section(backlog: dict[str, Any]) -> list[str]:
    out = ["## Backlog after an outage", ""]
    rows = [
        [
            f"{r['size']:,}",
            f"{r['punches_per_second']:.0f}",
            f"{r['first_to_last_seconds']:.1f} s",
            "yes" if r["in_order"] and r["delivered"] == r["size"] else "**no**",
            (
                f"{r['storage_bytes'] / 1e6:.2f} MB ({r['bytes_per_punch']:.0f} B/punch, "
                f"{r['storage_writes']:,} files)"
            ),
            f"{r['write_bytes'] / 1e6:.1f} MB ({r['write_bytes_per_punch']:.0f} B/punch)",
            _mib(r["rss_at_start"]),
            _mib(r["rss_peak_during_drain"]),
            f"{_ms(r['lag_p99_ms'])} ms",
            f"{r['setup_seconds']:.2f} s",
        ]
        for r in backlog["runs"]
    ]
    out += _table(
        [
            "punches",
            "punches/s",
            "drain",
            "once, in order",
            ".storage bytes (inotify)",
            "write_bytes (/proc)",
            "RSS at start",
            "RSS peak in drain",
            "loop lag p99",
            "setup",
        ],
        rows,
    )
    last = backlog["runs"][-1]
    files = ", ".join(
        f"`{name}` {size / 1e3:.0f} kB in {last['storage_writes_by_file'][name]:,} writes"
        for name, size in last["storage_by_file"].items()
    )
    out += [f"Files written while draining {last['size']:,} punches: {files}.", ""]
    return out


def _employees_section(emp: dict[str, Any]) -> list[str]:
    count = emp["employees"]
    recorder = emp.get("recorder", False)
    out = [
        f"## {count:,} employees on one account",
        "",
        (
            "Every Home Assistant of this section runs the recorder (default SQLite "
            "database in the config dir, default settings), history and logbook."
            if recorder
            else "No recorder in this run."
        ),
        "",
    ]
    empty = emp["empty"]
    rows = [
        [
            "(a) empty (MQTT + probe + recorder)",
            _starts(empty, ""),
            f"{empty['start_seconds']:.1f} s",
            "",
            _rss_range(empty),
            "",
            _mib(empty["rss_trimmed"]) if "rss_trimmed" in empty else "",
            _blocks(empty),
            str(empty["states"]),
        ]
    ]
    for label, key in (
        ("account, 0 employees", "zero"),
        (f"(b) Time Clock account, {count:,} employees", "full"),
        (f"(c) reference integration, {count:,} employees", "reference"),
    ):
        if key not in emp:
            continue
        for run in _runs(emp[key]):
            r = emp[key][run]
            rows.append(
                [
                    label,
                    _starts(r, RUN_NAMES[run].format(**r)),
                    f"{r['start_seconds']:.1f} s",
                    f"{r['setup_seconds']:.2f} s",
                    _rss_range(r),
                    _mib(r["rss"] - empty["rss"]),
                    _mib(r["rss_trimmed"]) if "rss_trimmed" in r else "",
                    _blocks(r),
                    str(r["states"]),
                ]
            )
    out += _table(
        [
            "Home Assistant",
            "start",
            "process start → loaded",
            "entry setup (HA's timing)",
            "RSS after gc",
            "above empty",
            "RSS after malloc_trim",
            "Python blocks",
            "states",
        ],
        rows,
    )
    if "reference" in emp:
        out += _share_table(emp)
    if att := emp.get("attribution"):
        out += _attribution_section(att)
    shift = emp["shift"]
    lat = shift["latency_ms"]
    out += [
        "### Shift change",
        "",
        (
            f"{shift['taps']} of the {shift['employees']:,} employees tap within "
            f"{shift['window_seconds']:.0f} s (uniformly random times, fixed seed) on the "
            f"running Home Assistant above. Delivered: {shift['delivered']}/{shift['taps']} "
            f"(duplicates at the stub: {shift['duplicates']}); last delivery "
            f"{shift['last_tap_to_last_delivery_seconds']:.1f} s after the last tap."
        ),
        "",
    ]
    out += _table(
        ["", "p50", "p90", "p99", "max"],
        [
            [
                "event-loop lag (ms)",
                _ms(shift["lag_p50_ms"]),
                _ms(shift["lag_p90_ms"]),
                _ms(shift["lag_p99_ms"]),
                _ms(shift["lag_max_ms"]),
            ],
            [
                "tap → request (ms)",
                _ms(lat["p50"]),
                _ms(lat["p90"]),
                _ms(lat["p99"]),
                _ms(lat["max"]),
            ],
        ],
    )
    out += [
        (
            f"{shift['lag_samples']:,} lag samples (one per 10 ms sleep of the probe). "
            f"The lag p99 over the 30 s before the taps (idle, but including the reader "
            f"probing) was {_ms(shift['idle_lag_p99_ms'])} ms."
        ),
        "",
    ]
    return out


RUN_NAMES = {
    "first": "first",
    "first_later": "first, {after_ready:.0f} s after ready",
    "restart": "restart",
}


def _runs(figures: dict[str, Any]) -> list[str]:
    """Return the starts measured in an account's figures, in order."""
    return [run for run in RUN_NAMES if run in figures]


def _blocks(figures: dict[str, Any]) -> str:
    """Return the interpreter's live memory blocks, in thousands, if measured."""
    if "python_blocks" not in figures:
        return ""
    return f"{figures['python_blocks'] / 1000:,.0f} k"


def _starts(figures: dict[str, Any], run: str) -> str:
    """Return which start a row is, and of how many starts it is the mean."""
    starts = figures.get("starts", 1)
    if starts == 1:
        return run
    return f"{run + ', ' if run else ''}mean of {starts}"


def _rss_range(figures: dict[str, Any]) -> str:
    """Return the RSS, with the range of the starts it is the mean of."""
    if figures.get("starts", 1) == 1:
        return _mib(figures["rss"])
    return (
        f"{_mib(figures['rss'])} ({figures['rss_min'] / MIB:.1f} to "
        f"{figures['rss_max'] / MIB:.1f})"
    )


SHARE_NAMES = {
    "first": "first start",
    "first_later": "first start, later",
    "restart": "restart",
}


def _share_table(emp: dict[str, Any]) -> list[str]:
    """Return the differences: above empty, the reference's, Time Clock's own share."""
    count = emp["employees"]
    empty = emp["empty"]

    runs = [run for run in _runs(emp["full"]) if run in emp["reference"]]

    def cells(difference: Any) -> list[str]:
        return [
            _mib(difference(emp["full"][run], emp["reference"][run], field))
            for run in runs
            for field in ("rss", "rss_trimmed")
        ]

    rows = [
        [
            "(b) - (a): Time Clock account above empty",
            *cells(lambda full, _ref, f: full[f] - empty[f]),
        ],
        [
            "(c) - (a): Home Assistant's own cost (reference above empty)",
            *cells(lambda _full, ref, f: ref[f] - empty[f]),
        ],
        [
            "(b) - (c): Time Clock's own share",
            *cells(lambda full, ref, f: full[f] - ref[f]),
        ],
        [
            "(b) - (c) per employee",
            *(
                f"{(emp['full'][run][f] - emp['reference'][run][f]) / count / KIB:.1f} KiB"
                for run in runs
                for f in ("rss", "rss_trimmed")
            ),
        ],
    ]
    return [
        (
            "Differences (RSS after gc; after `malloc_trim`, which gives the C "
            "allocator's free pages back and so shows less of the start's peak):"
        ),
        "",
        *_table(
            [
                "",
                *(
                    f"{name}{trimmed}"
                    for name in (SHARE_NAMES[run] for run in runs)
                    for trimmed in ("", ", trimmed")
                ),
            ],
            rows,
        ),
    ]


def _attribution_section(att: dict[str, Any]) -> list[str]:
    """Return the tracemalloc comparison of Time Clock with the reference."""
    count = att["employees"]
    traced = att["traced"]
    diff = traced["ours"] - traced["reference"]
    kinds_a, kinds_b = att["kinds"]["ours"], att["kinds"]["reference"]

    def per(size: float) -> str:
        return f"{size / count:,.0f}"

    out = [
        "### Where Time Clock's own share goes (tracemalloc)",
        "",
        (
            f"Both Home Assistants started once more (a restart) under tracemalloc "
            f"({att['frames']} frames per allocation, from the interpreter's start), "
            "snapshot after the same settling and garbage collection. Python "
            "allocations traced: Time Clock "
            f"{_mib(traced['ours'])}, reference {_mib(traced['reference'])}: "
            f"**{_mib(diff)} more, {per(diff)} B per employee** "
            f"({att['blocks']['ours'] - att['blocks']['reference']:,} blocks). "
            "With Time Clock's code on the stack: "
            f"{_mib(kinds_a.get('own code', 0))} allocated by its own lines, "
            f"{_mib(kinds_a.get('other', 0))} by the standard library and "
            "libraries it called (imports, schemas), "
            f"{_mib(kinds_a.get('homeassistant', 0))} by Home Assistant for it; "
            f"the reference: {_mib(kinds_b.get('own code', 0))}, "
            f"{_mib(kinds_b.get('other', 0))} and "
            f"{_mib(kinds_b.get('homeassistant', 0))}."
        ),
        "",
        (
            "**Time Clock's own allocations**, by the innermost Time Clock line on "
            "the stack (its own code and what it called outside Home Assistant; "
            "top 20):"
        ),
        "",
    ]
    out += _table(
        ["Time Clock line", "code", "KiB", "blocks", "B/employee", "allocated at"],
        [
            [
                f"`{site['frame']}`",
                f"`{_cell(site.get('code', ''))}`",
                f"{site['size'] / KIB:,.1f}",
                f"{site['count']:,}",
                per(site["size"]),
                ", ".join(f"`{where}`" for where, _ in site["inner"][:2]),
            ]
            for site in att["own_sites"][:20]
        ],
    )
    out += [
        (
            "The reference's own allocations, for comparison (the same objects "
            "a minimal integration makes: entity objects, `DeviceInfo`, unique "
            "ids):"
        ),
        "",
    ]
    out += _table(
        ["reference line", "code", "KiB", "blocks", "B/employee"],
        [
            _site_row(site["frame"], site, per, sign="")
            for site in att["reference_own_sites"][:8]
        ],
    )
    out += [
        (
            "**Home Assistant's allocations for Time Clock, less those for the "
            "reference** (allocating Home Assistant line, Time Clock's code on the "
            "stack; top 10 each way):"
        ),
        "",
    ]
    out += _table(
        ["Home Assistant line", "code", "KiB", "blocks", "B/employee"],
        [
            _site_row(row["site"], row, per)
            for row in [*att["ha"][:10], *att["ha_less"][:10]]
            if row["size"]
        ],
    )
    out += [
        (
            "**Every allocating line, Time Clock's Home Assistant less the "
            "reference's** (top 20). A line of Home Assistant that grows an "
            "entity's `__dict__` takes the whole dict, so the same objects can "
            "show at one line in one process and at another in the other: read "
            "pairs such as a `+` and a `-` of the same size together."
        ),
        "",
    ]
    out += _table(
        ["line", "code", "KiB", "blocks", "B/employee"],
        [_site_row(row["site"], row, per) for row in att["lines"][:20]],
    )
    out += ["Largest lines with less in Time Clock's Home Assistant:", ""]
    out += _table(
        ["line", "code", "KiB", "blocks"],
        [
            [
                f"`{row['site']}`",
                f"`{_cell(row.get('code', ''))}`",
                f"{row['size'] / KIB:+,.1f}",
                f"{row['count']:+,}",
            ]
            for row in att["lines_less"][:8]
        ],
    )
    return out


def _site_row(
    site: str, row: dict[str, Any], per: Any, *, sign: str = "+"
) -> list[str]:
    """Return a table row of an allocation site: line, code, KiB, blocks, per employee."""
    return [
        f"`{site}`",
        f"`{_cell(row.get('code', ''))}`",
        f"{row['size'] / KIB:{sign},.1f}",
        f"{row['count']:{sign},}",
        per(row["size"]),
    ]


def _cell(text: str) -> str:
    """Return code that fits a Markdown table cell."""
    return text.replace("|", "\\|").replace("`", "'")


def _seconds(value: float | None, never: str = "never") -> str:
    """Return seconds, or what it means that the moment never came."""
    return never if value is None else f"{value:.2f} s"


def _adds_section(adds: dict[str, Any]) -> list[str]:
    """Return the employee-adding phase: this integration and the one before."""
    runs = [("after", adds["after"])]
    if "before" in adds:
        runs.insert(0, ("before", adds["before"]))
    names = {
        "before": f"before ({adds.get('before', {}).get('commit', '?')}: a reload per add)",
        "after": "after (this code: applied without a reload)",
    }
    header = ["", *(names[label] for label, _ in runs)]

    def row(name: str, get: Any) -> list[str]:
        return [name, *(get(run) for _, run in runs)]

    rows = [
        row("employees added per second", lambda r: f"{r['per_second']:.1f}"),
        row("time to add them all", lambda r: f"{r['seconds']:.1f} s"),
        row(
            "one add (form + submit), p50 / p99 / max",
            lambda r: (
                f"{_ms(r['add_ms']['p50'])} / {_ms(r['add_ms']['p99'])} / "
                f"{_ms(r['add_ms']['max'])} ms"
            ),
        ),
        row(
            "submit → its 4 entities exist, every employee: p50 / p99 / max",
            lambda r: (
                f"{_ms(r['appear_ms']['p50'])} / {_ms(r['appear_ms']['p99'])} / "
                f"{_ms(r['appear_ms']['max'])} ms"
            ),
        ),
        row(
            "the same, every 50th employee: p50 / p99 / max",
            lambda r: (
                f"{_ms(r['appear_sample_ms']['p50'])} / "
                f"{_ms(r['appear_sample_ms']['p99'])} / "
                f"{_ms(r['appear_sample_ms']['max'])} ms"
            ),
        ),
        row("employees over 1 s", lambda r: str(r["appear_over_1s"])),
        row("employees whose entities never appeared", lambda r: str(r["missing"])),
        row(
            "last employee: submit → its entities exist",
            lambda r: _seconds(r["last_appeared_after_its_add"]),
        ),
        row(
            "last answer → every entity exists and stays 2 s",
            lambda r: _seconds(r["settled_after_last_add"], "not within 5 min"),
        ),
        row(
            "Home Assistant CPU per add",
            lambda r: f"{r['ha_cpu_ms_per_add']:.1f} ms",
        ),
        row(
            "other processes of the machine while adding",
            lambda r: (
                f"{r['foreign_cpu_seconds']:.1f} CPU-s "
                f"({r['foreign_cpu_seconds'] / r['seconds']:.0%} of one CPU)"
                if "foreign_cpu_seconds" in r
                else "not measured"
            ),
        ),
    ]
    out = [
        "## Adding employees over the flow API",
        "",
        *_table(header, rows),
        "Per hundred (employees added per second, mean ms per add):",
        "",
    ]
    blocks = [
        [
            f"{block['first']:,}-{block['last']:,}",
            *(
                f"{r['blocks'][i]['per_second']:.1f}/s, "
                f"{r['blocks'][i]['add_ms']['mean']:.1f} ms"
                for _, r in runs
            ),
        ]
        for i, block in enumerate(adds["after"]["blocks"])
    ]
    out += _table(["employees", *(names[label] for label, _ in runs)], blocks)
    return out


def _before_after(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Return the table comparing the figures before and after the fixes."""
    rows: list[list[str]] = []

    def add(name: str, get: Any, fmt: Any) -> None:
        try:
            rows.append([name, fmt(get(before)), fmt(get(after))])
        except (KeyError, TypeError, IndexError):
            return

    for mode in ("paced", "burst"):
        for pct in ("p50", "p99"):
            add(
                f"tap → request, {mode}, {pct}, Time Clock (ms)",
                lambda r, m=mode, p=pct: r["latency"][f"time_clock_{m}"][p],
                _ms,
            )
            add(
                f"tap → request, {mode}, {pct}, baseline (ms)",
                lambda r, m=mode, p=pct: r["latency"][f"baseline_{m}"][p],
                _ms,
            )
    for pct in ("p50", "p99"):
        add(
            f"tap → request, burst, {pct}, Time Clock → Protime (ms)",
            lambda r, p=pct: r["latency"]["time_clock_protime_burst"][p],
            _ms,
        )
    sizes = [run["size"] for run in after.get("backlog", {}).get("runs", [])]
    for index, size in enumerate(sizes):
        add(
            f"backlog {size:,}: punches/s",
            lambda r, i=index: r["backlog"]["runs"][i]["punches_per_second"],
            lambda v: f"{v:.0f}",
        )
        add(
            f"backlog {size:,}: bytes to .storage per punch",
            lambda r, i=index: r["backlog"]["runs"][i]["bytes_per_punch"],
            lambda v: f"{v:.0f}",
        )
        add(
            f"backlog {size:,}: write_bytes per punch",
            lambda r, i=index: r["backlog"]["runs"][i]["write_bytes_per_punch"],
            lambda v: f"{v:,.0f}",
        )
        add(
            f"backlog {size:,}: loop lag p99 (ms)",
            lambda r, i=index: r["backlog"]["runs"][i]["lag_p99_ms"],
            _ms,
        )
    add(
        "shift change: loop lag p99 (ms)",
        lambda r: r["employees"]["shift"]["lag_p99_ms"],
        _ms,
    )
    add(
        "shift change: tap → request p50 (ms)",
        lambda r: r["employees"]["shift"]["latency_ms"]["p50"],
        _ms,
    )
    for run in ("first", "restart"):
        add(
            f"1,000 employees: setup, {'first start' if run == 'first' else 'restart'} (s)",
            lambda r, n=run: r["employees"]["full"][n]["setup_seconds"],
            lambda v: f"{v:.2f}",
        )
    if before.get("employees", {}).get("recorder") == after.get("employees", {}).get(
        "recorder"
    ):
        # Only comparable with the same configuration (the recorder costs memory).
        add(
            "1,000 employees: memory above empty",
            lambda r: r["employees"]["full"]["restart"]["rss_above_empty"],
            _mib,
        )
    return _table(
        [
            "figure",
            f"before ({before['started'][:10]}, {before['machine'].get('commit', '?')})",
            "after (this run)",
        ],
        rows,
    )


def _ab_table(ab: dict[str, Any]) -> list[str]:
    """Return the table of the alternated before/after runs."""
    rows = []
    for name, after in ab["medians"]["after"].items():
        before = ab["medians"]["before"].get(name)
        spread = {
            label: [run[name] for run in ab["runs"][label] if name in run]
            for label in ("before", "after")
        }

        def cell(median: float | None, values: list[float]) -> str:
            if median is None:
                return "n/a"
            fmt = "{:,.2f}" if abs(median) < 10 else "{:,.0f}"
            return f"{fmt.format(median)} ({fmt.format(min(values))} to {fmt.format(max(values))})"

        rows.append(
            [name, cell(before, spread["before"]), cell(after, spread["after"])]
        )
    return [
        (
            f"Quick runs (`benchmarks/ab.py`, {ab['rounds']} rounds from {ab['started']}), "
            "the code before and after the fixes alternated run by run so that both "
            "meet the same moments of the machine: median (min to max) of the rounds."
        ),
        "",
        *_table(["figure", "before", "after"], rows),
    ]


def render(
    results: dict[str, Any],
    before: dict[str, Any] | None = None,
    abs_: list[dict[str, Any]] | None = None,
) -> str:
    """Return BENCHMARKS.md."""
    from . import text  # noqa: PLC0415 - the prose lives apart from the code

    out = [
        "# Benchmarks",
        "",
        (
            f"Measured on {results['started'][:10]} ({results['started']}), "
            f"{'quick' if results['quick'] else 'full'} run of `scripts/bench"
            f"{' --quick' if results['quick'] else ''}` in {results['seconds'] / 60:.0f} min. "
            "Regenerate with `scripts/bench` (all figures below come from one run; raw "
            "figures in `benchmarks/results/`, not committed)."
        ),
        "",
        "## Targets (SPEC §10)",
        "",
        *_table(["what", "target", "measured", "verdict"], targets(results)),
        *text.MISSES,
        *_machine_section(results),
        *text.METHOD,
    ]
    if lat := results.get("latency"):
        out += _latency_section(lat)
        out += text.LATENCY_NOTES
    if backlog := results.get("backlog"):
        out += _backlog_section(backlog)
        out += text.BACKLOG_NOTES
    if emp := results.get("employees"):
        out += _employees_section(emp)
        out += text.EMPLOYEES_NOTES
    if adds := results.get("adds"):
        out += _adds_section(adds)
        out += text.ADDS_NOTES
    if card := results.get("card"):
        out += _card_section(card)
        out += text.CARD_NOTES
    out += text.PROFILING
    if abs_:
        out += ["### Before and after", ""]
        for ab in abs_:
            if title := ab.get("title"):
                out += [f"**{title}**", ""]
            out += _ab_table(ab)
    if before is not None:
        out += [
            (
                "The full run made before the fixes (a different moment of the "
                "machine: compare with care) and this run:"
            ),
            "",
            *_before_after(before, results),
        ]
    out += text.COMMANDS
    return "\n".join(out).rstrip() + "\n"
