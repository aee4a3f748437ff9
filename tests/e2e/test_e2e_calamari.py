"""End to end: a tag on an MQTT reader becomes a punch at Calamari.

Real Home Assistant process, real mosquitto, the fake Calamari tenant of
tests/fakes on 127.0.0.1. Home Assistant runs in UTC, so the wall-clock times
Calamari receives are UTC.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
import time
from typing import Any

import pytest

from .conftest import (
    FEEDBACK_TOPIC,
    JANE_EMAIL,
    JANE_TAG,
    JOHN_EMAIL,
    JOHN_TAG,
    READER_TOPIC,
    record_timing,
)
from .harness import (
    HomeAssistantProcess,
    MqttClient,
    TimedFakeCalamari,
    async_wait_until,
    tasmota_pn532,
)

UniqueId = Callable[..., str]
# Seconds between the taps of the outage scenario.
TAP_SPACING = 1.3


def feedback_for(mqtt: MqttClient, employee: str) -> list[dict[str, Any]]:
    """Return the feedback messages the reader got about one employee."""
    return [msg for msg in mqtt.received(FEEDBACK_TOPIC) if msg["employee"] == employee]


async def test_tasmota_pn532_tap_clocks_in_at_calamari_within_a_second(
    home_assistant: HomeAssistantProcess,
    calamari: TimedFakeCalamari,
    mqtt: MqttClient,
    unique_id: UniqueId,
) -> None:
    """One tap reaches Calamari as John's clock-in in under a second; HA shows him on."""
    tapped_at = datetime.now(UTC)
    sent = mqtt.publish(READER_TOPIC, tasmota_pn532(JOHN_TAG))

    await async_wait_until(lambda: calamari.accepted, "the punch at Calamari")
    latency = calamari.arrivals[0] - sent
    record_timing(
        "tap on the broker -> request at Calamari", f"{latency * 1000:.0f} ms"
    )

    punch = calamari.accepted[0]
    assert (punch.endpoint, punch.person) == ("clock-in", JOHN_EMAIL)
    assert calamari.status_of(JOHN_EMAIL) == "STARTED"
    assert calamari.status_of(JANE_EMAIL) == "STOPPED"
    recorded = datetime.fromisoformat(punch.time).replace(tzinfo=UTC)
    assert (
        tapped_at - timedelta(seconds=1) < recorded <= tapped_at + timedelta(seconds=1)
    )
    assert latency < 1.0, f"tap -> Calamari took {latency:.3f} s"

    state = await home_assistant.async_wait_state(
        unique_id("on_shift", "John White"), "on"
    )
    assert state["attributes"]["last_source"] == "reader"
    jane = await home_assistant.async_wait_state(
        unique_id("on_shift", "Jane Doe"), "off"
    )
    assert jane["state"] == "off"
    await home_assistant.async_wait_state(unique_id("pending_punches"), "0")


async def test_card_held_on_reader_makes_exactly_one_punch(
    home_assistant: HomeAssistantProcess,
    calamari: TimedFakeCalamari,
    mqtt: MqttClient,
    unique_id: UniqueId,
) -> None:
    """Five identical reads within a second (a held card) are one clock-in."""
    payload = tasmota_pn532(JOHN_TAG)
    first = mqtt.publish(READER_TOPIC, payload)
    for _ in range(4):
        await asyncio.sleep(0.15)
        last = mqtt.publish(READER_TOPIC, payload)
    assert last - first < 1.0

    await async_wait_until(lambda: calamari.accepted, "the punch at Calamari")
    # Any second punch (a clock-out) would arrive within milliseconds; give it 1.5 s.
    await asyncio.sleep(1.5)
    assert [(p.endpoint, p.person) for p in calamari.accepted] == [
        ("clock-in", JOHN_EMAIL)
    ]
    assert calamari.duplicates == 0
    await home_assistant.async_wait_state(unique_id("on_shift", "John White"), "on")
    await home_assistant.async_wait_state(unique_id("pending_punches"), "0")
    feedback = feedback_for(mqtt, "John White")
    assert len(feedback) == 1, feedback
    assert feedback[0]["action"] == "clock_in"
    assert feedback[0]["on_shift"] is True


class TestCalamariOutage:
    """Taps during an outage survive a SIGKILL and are delivered once, in order."""

    @pytest.fixture
    def account_options(self, account_options: dict[str, Any]) -> dict[str, Any]:
        """Shorten the debounce window so that five taps fit in a few seconds."""
        return {**account_options, "debounce": 1}

    async def test_taps_during_outage_survive_sigkill_and_arrive_in_order_once(
        self,
        home_assistant: HomeAssistantProcess,
        calamari: TimedFakeCalamari,
        mqtt: MqttClient,
        unique_id: UniqueId,
    ) -> None:
        """Five taps while Calamari is down, a kill -9, a restart: all five, once."""
        pending = unique_id("pending_punches")
        calamari.down = True
        taps = [JOHN_TAG, JANE_TAG, JOHN_TAG, JANE_TAG, JOHN_TAG]
        tapped: list[datetime] = []
        for count, tag in enumerate(taps, start=1):
            if tapped:
                # More than the 1 s debounce between two taps of one tag, and a
                # new second on Calamari's clock for each tap.
                wait = TAP_SPACING - (datetime.now(UTC) - tapped[-1]).total_seconds()
                await asyncio.sleep(max(0.0, wait))
            tapped.append(datetime.now(UTC))
            mqtt.publish(READER_TOPIC, tasmota_pn532(tag))
            await home_assistant.async_wait_state(pending, str(count))

        await home_assistant.async_wait_state(unique_id("on_shift", "John White"), "on")
        await home_assistant.async_wait_state(unique_id("on_shift", "Jane Doe"), "off")
        assert calamari.accepted == []
        assert any(hit.status == 0 for hit in calamari.hits), "no delivery attempt"

        # Power cut right after the fifth punch was reported, then a restart.
        killed = time.monotonic()
        restart = await home_assistant.async_restart_after_kill()
        record_timing("SIGKILL -> Home Assistant loaded again", f"{restart:.1f} s")
        await home_assistant.async_wait_state(pending, "5")
        await home_assistant.async_wait_state(unique_id("on_shift", "John White"), "on")
        await home_assistant.async_wait_state(unique_id("on_shift", "Jane Doe"), "off")
        assert calamari.accepted == []

        calamari.down = False
        await home_assistant.async_call_service("time_clock", "retry")
        drained = await async_wait_until(
            lambda: len(calamari.accepted) >= len(taps), "five punches at Calamari"
        )
        record_timing("retry service -> five punches at Calamari", f"{drained:.2f} s")
        record_timing(
            "SIGKILL -> backlog delivered", f"{time.monotonic() - killed:.1f} s"
        )
        await home_assistant.async_wait_state(pending, "0")
        await asyncio.sleep(0.5)

        assert [(p.endpoint, p.person) for p in calamari.accepted] == [
            ("clock-in", JOHN_EMAIL),
            ("clock-in", JANE_EMAIL),
            ("clock-out", JOHN_EMAIL),
            ("clock-out", JANE_EMAIL),
            ("clock-in", JOHN_EMAIL),
        ]
        for punch, tap in zip(calamari.accepted, tapped, strict=True):
            recorded = datetime.fromisoformat(punch.time).replace(tzinfo=UTC)
            assert (
                tap - timedelta(seconds=1) < recorded <= tap + timedelta(seconds=1)
            ), (punch, tap)
        times = [p.time for p in calamari.accepted]
        assert times == sorted(times)
        assert len(set(times)) == len(times)
        assert not any(p.ignored for p in calamari.accepted)
        assert calamari.duplicates == 0
        assert calamari.ignored_clock_outs == 0
        assert calamari.status_of(JOHN_EMAIL) == "STARTED"
        assert calamari.status_of(JANE_EMAIL) == "STOPPED"
