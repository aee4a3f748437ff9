"""Tap on the broker -> request at the backend: Time Clock against a hand-written baseline.

One Home Assistant holds both:

- Time Clock: a Calamari account whose MQTT reader listens on ``READER_TOPIC``,
  one employee per tag;
- the baseline a user would write by hand: an automation triggered by MQTT on
  the same topic that calls a ``rest_command`` sending the same request to the
  same stub (``punch-clock``, Calamari's own toggle, with the same JSON body,
  ``Authorization`` header and wall-clock time). It keeps no outbox. The
  person comes from the tag by a template (``<uid>@bench.example``), the
  cheapest mapping a user could write.

Only one of them listens at a time: the automation is turned off
(``automation.turn_off``) while Time Clock is measured, and the Time Clock
entry is disabled (unloaded, as from the UI) while the baseline is measured.
The phases alternate: Time Clock paced, baseline paced, Time Clock burst,
baseline burst, each after a few warm-up taps that are not counted. Each tap
names a different employee, so every request at the stub belongs to one tap.

Calamari's client paces itself to the published limits (10 requests/s); the
integration offers no setting to turn that off, so the burst of Time Clock is
paced at 10/s by design. A second, Time-Clock-only run sends the same burst
to the Protime stub (no client-side pacing) to show the outbox without it.
"""

from __future__ import annotations

import asyncio
import base64
import time
from typing import Any

from tests.e2e.harness import (
    Account,
    Employee,
    MqttClient,
    async_wait_reader_subscribed,
    tasmota_pn532,
)

from .common import Context, cpu_seconds, entity_id_of, wait_for
from .stack import (
    CALAMARI_KEY,
    READER_TOPIC,
    SETTLE_AFTER_START,
    BenchHomeAssistant,
    StubProcess,
    calamari_employees,
    email_of,
    reader_options,
    summary_ms,
    tag_of,
)

AUTOMATION_ID = "time_clock_bench_baseline"
# Calamari's published per-second quota, enforced by the stub in the last phase.
QUOTA_PER_SECOND = 10

AUTOMATIONS_YAML = f"""\
- id: {AUTOMATION_ID}
  alias: Badge tap to Calamari (hand-written baseline)
  initial_state: false
  mode: parallel
  max: 10000
  triggers:
    - trigger: mqtt
      topic: {READER_TOPIC}
  actions:
    - action: rest_command.calamari_punch_clock
      data:
        person: "{{{{ trigger.payload_json.PN532.UID | lower }}}}@bench.example"
        time: "{{{{ now().strftime('%Y-%m-%dT%H:%M:%S') }}}}"
"""


def baseline_yaml(api_url: str) -> str:
    """Return the automation include and the rest_command of the baseline."""
    auth = base64.b64encode(f"calamari:{CALAMARI_KEY}".encode()).decode()
    return (
        "automation: !include automations.yaml\n"
        "rest_command:\n"
        "  calamari_punch_clock:\n"
        f"    url: {api_url}/clockin/terminal/v1/punch-clock\n"
        "    method: post\n"
        "    headers:\n"
        f"      Authorization: Basic {auth}\n"
        "    content_type: application/json\n"
        '    payload: \'{"person": "{{ person }}", "time": "{{ time }}"}\'\n'
    )


class Phase:
    """Taps of one phase and the requests they caused at the stub."""

    def __init__(self, stub: StubProcess, persons: dict[int, str]) -> None:
        self.stub = stub
        self.persons = persons
        self.sent: dict[int, float] = {}
        self.arrived: dict[str, float] = {}
        self.statuses: dict[str, int] = {}

    async def collect(self) -> int:
        """Read new arrivals; return how many taps have their request."""
        wanted = set(self.persons.values())
        for at, path, person, status in await self.stub.async_new_arrivals():
            is_punch = "/terminal/" in path or path.endswith("/clockings")
            if is_punch and person in wanted and person not in self.arrived:
                self.arrived[person] = at
                self.statuses[person] = status
        return len(self.arrived)

    async def all_arrived(self) -> bool:
        """Read new arrivals; return whether every tap has its request."""
        return await self.collect() >= len(self.persons)

    def latencies(self) -> list[float]:
        """Return tap -> request seconds of every tap that has its request."""
        return [
            self.arrived[self.persons[i]] - sent
            for i, sent in self.sent.items()
            if self.persons[i] in self.arrived
        ]


async def tap_phase(
    mqtt: MqttClient,
    stub: StubProcess,
    indices: list[int],
    *,
    rate: float | None,
    timeout: float,
    person: Any = email_of,
    pid: int | None = None,
) -> dict[str, Any]:
    """Tap ``indices`` (paced at ``rate``/s, or all at once) and time their requests."""
    await stub.async_new_arrivals()  # forget what came before
    phase = Phase(stub, {i: person(i) for i in indices})
    cpu_before = cpu_seconds(pid) if pid else 0.0
    stub_before = stub.cpu_seconds()
    started = time.monotonic()
    for k, index in enumerate(indices):
        if rate:
            delay = started + k / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
        phase.sent[index] = mqtt.publish(READER_TOPIC, tasmota_pn532(tag_of(index)))
    published = time.monotonic() - started
    try:
        await wait_for(phase.all_arrived, "every request", timeout=timeout, poll=0.2)
    except TimeoutError:
        await phase.collect()
    lat = phase.latencies()
    ended = max(phase.arrived.values(), default=time.monotonic())
    result: dict[str, Any] = dict(summary_ms(lat))
    result |= {
        "taps": len(indices),
        "delivered": len(lat),
        "statuses": sorted(set(phase.statuses.values())),
        "accepted": sum(1 for s in phase.statuses.values() if 200 <= s < 300),
        "publish_seconds": published,
        "rate": rate,
        "span_seconds": ended - started,
        "ha_cpu_seconds": (cpu_seconds(pid) - cpu_before) if pid else None,
        "stub_cpu_seconds": stub.cpu_seconds() - stub_before,
    }
    return result


async def set_automation(hass: BenchHomeAssistant, entity_id: str, on: bool) -> None:
    """Turn the baseline automation on or off."""
    service = "turn_on" if on else "turn_off"
    await hass.async_call_service("automation", service, {"entity_id": entity_id})


async def wait_baseline_ready(
    mqtt: MqttClient, stub: StubProcess, probe_index: int
) -> None:
    """Tap a probe tag until the automation's request reaches the stub."""
    await stub.async_new_arrivals()
    person = email_of(probe_index)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        mqtt.publish(READER_TOPIC, tasmota_pn532(tag_of(probe_index)))
        await asyncio.sleep(0.3)
        if any(p == person for _, _, p, _ in await stub.async_new_arrivals()):
            await asyncio.sleep(0.5)
            await stub.async_new_arrivals()
            return
    raise TimeoutError("the baseline automation did not answer a probe tap")


async def switch_to(
    hass: BenchHomeAssistant,
    mqtt: MqttClient,
    stub: StubProcess,
    automation: str,
    *,
    baseline: bool,
    probe_index: int,
) -> None:
    """Make either the baseline or Time Clock the only listener of the topic."""
    entry_id = hass.account.entry_id
    if baseline:
        await hass.async_set_entry_enabled(entry_id, False)
        await hass.async_wait_entry_state("not_loaded")
        await set_automation(hass, automation, True)
        await wait_baseline_ready(mqtt, stub, probe_index)
    else:
        await set_automation(hass, automation, False)
        await hass.async_set_entry_enabled(entry_id, True)
        await hass.async_wait_entry_state("loaded")
        await async_wait_reader_subscribed(hass, mqtt, READER_TOPIC)
    await asyncio.sleep(1.0)


async def run_calamari(
    ctx: Context, taps: int, rate: float, warmup: int
) -> dict[str, Any]:
    """Run the four phases against the Calamari stub; return their figures."""
    measured = list(range(taps))
    warm = list(range(taps, taps + warmup))
    probe_index = taps + warmup
    results: dict[str, Any] = {"taps": taps, "rate": rate, "warmup": warmup}
    async with ctx.stub("calamari") as stub:
        await stub.async_configure(
            persons=[email_of(i) for i in range(probe_index + 1)]
        )
        account = Account(
            title="Calamari bench",
            data={
                "backend": "calamari",
                "api_url": stub.urls["api"],
                "api_key": CALAMARI_KEY,
            },
            options=reader_options(),
            employees=calamari_employees(taps + warmup),
        )
        mqtt = ctx.mqtt()
        try:
            async with ctx.home_assistant(
                "latency",
                account,
                extra_yaml=baseline_yaml(stub.urls["api"]),
                extra_files={"automations.yaml": AUTOMATIONS_YAML},
            ) as hass:
                await async_wait_reader_subscribed(hass, mqtt, READER_TOPIC)
                await asyncio.sleep(SETTLE_AFTER_START)
                automation = await entity_id_of(hass, "automation", AUTOMATION_ID)
                for mode, phase_rate in (("paced", rate), ("burst", None)):
                    for who in ("time_clock", "baseline"):
                        if (mode, who) != ("paced", "time_clock"):
                            await switch_to(
                                hass,
                                mqtt,
                                stub,
                                automation,
                                baseline=who == "baseline",
                                probe_index=probe_index,
                            )
                        ctx.log(f"latency: {who} {mode} ({len(measured)} taps)")
                        await tap_phase(
                            mqtt, stub, warm, rate=5.0, timeout=30, pid=hass.pid
                        )
                        await asyncio.sleep(1.0)
                        timeout = 60 + (len(measured) / 10 if phase_rate is None else 0)
                        profiled = ctx.profile and who == "time_clock"
                        if profiled:
                            await hass.async_probe_post(action="profile_start")
                        res = await tap_phase(
                            mqtt,
                            stub,
                            measured,
                            rate=phase_rate,
                            timeout=timeout + len(measured) / (phase_rate or 1e9),
                            pid=hass.pid,
                        )
                        if profiled:
                            path = ctx.profile_dir / f"latency_{who}_{mode}.prof"
                            await hass.async_probe_post(
                                action="profile_stop", path=str(path)
                            )
                            res["profile"] = str(path)
                        results[f"{who}_{mode}"] = res
                        ctx.log(
                            f"  p50 {res['p50']:.1f} ms p99 {res['p99']:.1f} ms "
                            f"max {res['max']:.1f} ms ({res['delivered']}/{res['taps']})"
                        )
                        await asyncio.sleep(3.5)  # past the debounce window
                # The baseline again, against a stub that enforces Calamari's
                # published 10 requests a second: rest_command does not retry.
                await stub.async_configure(quota={"per_second": QUOTA_PER_SECOND})
                ctx.log(f"latency: baseline burst, quota ({len(measured)} taps)")
                await tap_phase(mqtt, stub, warm, rate=5.0, timeout=30, pid=hass.pid)
                await asyncio.sleep(1.0)
                res = await tap_phase(
                    mqtt, stub, measured, rate=None, timeout=60, pid=hass.pid
                )
                await stub.async_configure(quota={})
                results["baseline_burst_quota"] = res
                ctx.log(
                    f"  accepted {res['accepted']}/{res['taps']}, "
                    f"statuses {res['statuses']}"
                )
        finally:
            mqtt.close()
    return results


async def run_protime_burst(ctx: Context, taps: int, warmup: int) -> dict[str, Any]:
    """Burst of taps through Time Clock to the Protime stub (no client-side pacing)."""
    measured = list(range(1, taps + 1))
    warm = list(range(taps + 1, taps + warmup + 1))
    async with ctx.stub("protime") as stub:
        await stub.async_configure(persons=measured + warm)
        account = Account(
            title="Protime bench",
            data={
                "backend": "protime",
                "tenant": "acme",
                "client_id": "time-clock-client",
                "client_secret": "time-clock-secret",
                "api_url": stub.urls["api_url"],
                "token_url": stub.urls["token_url"],
            },
            options=reader_options(),
            employees=[
                Employee(f"Employee {i:04d}", str(i), [tag_of(i)])
                for i in measured + warm
            ],
        )
        mqtt = ctx.mqtt()
        try:
            async with ctx.home_assistant("latency_protime", account) as hass:
                await async_wait_reader_subscribed(hass, mqtt, READER_TOPIC)
                await asyncio.sleep(SETTLE_AFTER_START)
                ctx.log(f"latency: time_clock burst to Protime ({taps} taps)")
                await tap_phase(
                    mqtt, stub, warm, rate=5.0, timeout=30, person=str, pid=hass.pid
                )
                await asyncio.sleep(1.0)
                res = await tap_phase(
                    mqtt,
                    stub,
                    measured,
                    rate=None,
                    timeout=120,
                    person=str,
                    pid=hass.pid,
                )
                ctx.log(
                    f"  p50 {res['p50']:.1f} ms p99 {res['p99']:.1f} ms "
                    f"max {res['max']:.1f} ms ({res['delivered']}/{res['taps']})"
                )
                return res
        finally:
            mqtt.close()


async def run(ctx: Context) -> dict[str, Any]:
    """Run the latency benchmark (quick: 60 taps at 5/s)."""
    taps, rate, warmup = (60, 5.0, 5) if ctx.quick else (300, 2.0, 10)
    results = await run_calamari(ctx, taps, rate, warmup)
    results["time_clock_protime_burst"] = await run_protime_burst(ctx, taps, warmup)
    for mode in ("paced", "burst"):
        tc, bl = results[f"time_clock_{mode}"], results[f"baseline_{mode}"]
        results[f"ratio_{mode}"] = {
            key: tc[key] / bl[key] if bl[key] else float("nan")
            for key in ("p50", "p90", "p99", "max")
        }
    tc, bl = results["time_clock_protime_burst"], results["baseline_burst"]
    results["ratio_protime_burst"] = {
        key: tc[key] / bl[key] if bl[key] else float("nan")
        for key in ("p50", "p90", "p99", "max")
    }
    return results
