"""Tests of the shared HTTP plumbing: URL policy, answers and the pacer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import aiohttp
from aiohttp import web
from multidict import CIMultiDict
import pytest

from custom_components.time_clock.api.http import (
    HttpBackend,
    Pacer,
    Response,
    async_probe,
    basic_auth,
    first_text,
    seconds,
    url_error,
)


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("https://acme.calamari.io/api", None),
        ("http://127.0.0.1:8080/api", None),
        ("http://localhost/api", None),
        ("http://[::1]:81/", None),
        ("http://acme.calamari.io/api", "https_required"),
        ("http://10.0.0.5/api", "https_required"),
        ("ftp://acme.example/", "invalid_url"),
        ("acme.calamari.io", "invalid_url"),
        ("https://", "invalid_url"),
        ("http://[::1/", "invalid_url"),
    ],
)
def test_url_policy(url: str, error: str | None) -> None:
    """Backend URLs must be https unless they point at this machine."""
    assert url_error(url) == error


def test_response_helpers() -> None:
    """JSON and Retry-After are read leniently, the header in any case."""
    response = Response(
        status=429, headers=CIMultiDict({"retry-after": "12"}), text="{}"
    )
    assert response.json() == {}
    assert response.retry_after() == 12.0
    assert Response(status=200, headers={}, text="<html>").json() is None
    assert (
        Response(status=429, headers={"Retry-After": "soon"}, text="").retry_after()
        is None
    )
    assert Response(status=429, headers={}, text="").retry_after() is None
    assert basic_auth("calamari", "key") == "Basic Y2FsYW1hcmk6a2V5"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("7", 7.0), ("0", 0.0), ("-3", 0.0), ("1e9", 86400.0), ("nan", None), ("", None)],
)
def test_retry_after_in_seconds(value: str, expected: float | None) -> None:
    """Retry-After in seconds is kept between zero and a day."""
    headers = {"retry-AFTER": value}
    assert Response(status=429, headers=headers, text="").retry_after() == expected


def test_retry_after_as_http_date() -> None:
    """Retry-After as an HTTP date is the time left until then; past dates are zero."""
    soon = format_datetime(datetime.now(UTC) + timedelta(seconds=120), usegmt=True)
    later = Response(status=503, headers={"Retry-After": soon}, text="").retry_after()
    assert later is not None
    assert 100 < later <= 120
    past = "Sun, 06 Nov 1994 08:49:37"  # no zone: read as UTC
    assert (
        Response(status=503, headers={"Retry-After": past}, text="").retry_after() == 0
    )


def test_header_ignores_the_case_of_its_name() -> None:
    """A header is found whatever the case, in any mapping."""
    response = Response(status=201, headers={"location": "/x/1"}, text="")
    assert response.header("Location") == "/x/1"
    assert response.header("Retry-After") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1800, 1800.0),
        ("90", 90.0),
        (0, None),
        (-5, None),
        ("inf", None),
        (True, None),
        ("soon", None),
        (None, None),
    ],
)
def test_seconds(value: Any, expected: float | None) -> None:
    """Only a positive, finite number of seconds counts."""
    assert seconds(value) == expected


def test_first_text_reads_lenient_bodies() -> None:
    """Text is found under the keys asked for, else under message, else anywhere."""
    assert first_text("  x  ") == "x"
    assert first_text("   ") is None
    assert first_text(42) is None
    assert first_text({"field": ["", {"message": " required "}]}) == "required"
    assert first_text({"a": "first", "message": "wins"}) == "wins"
    sources = [{"code": " ", "error": {"code": "E1"}}, {"code": "E2"}]
    assert first_text(sources, "code", "error") == "E1"
    assert first_text(sources, "title") is None


async def test_pacer_windows_and_blocks() -> None:
    """The pacer counts requests per window and honours a block."""
    now = [0.0]
    pacer = Pacer({1.0: 2}, clock=lambda: now[0])
    await pacer.async_acquire()
    await pacer.async_acquire()
    assert pacer.delay() == pytest.approx(1.0)
    pacer.set_limit(10.0, 2)
    assert pacer.limits == {1.0: 2, 10.0: 2}
    now[0] = 1.5
    assert pacer.delay() == pytest.approx(8.5)
    now[0] = 10.5
    assert pacer.delay() == 0
    pacer.block_for(20)
    assert pacer.delay() == pytest.approx(20)


async def test_pacer_sleeps_with_the_given_sleep() -> None:
    """The pacer waits through the injected sleep, on the injected clock."""
    now = [0.0]
    slept: list[float] = []

    async def sleep(wait: float) -> None:
        slept.append(wait)
        now[0] += wait

    pacer = Pacer({1.0: 1}, clock=lambda: now[0], sleep=sleep)
    await pacer.async_acquire()
    await pacer.async_acquire()
    pacer.block_for(3)
    await pacer.async_acquire()
    assert slept == [1.0, 3.0]


async def test_probe_answers_whether_anything_answers(socket_enabled: None) -> None:
    """Any HTTP status means the backend is there; a closed port means it is not."""
    app = web.Application()
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        async with aiohttp.ClientSession() as session:
            assert await async_probe(session, f"http://127.0.0.1:{port}/api")
            await runner.cleanup()
            assert not await async_probe(session, f"http://127.0.0.1:{port}/api")
    finally:
        await runner.cleanup()


async def test_backend_probes_its_url_without_credentials(
    socket_enabled: None,
) -> None:
    """A client's probe asks its own URL with HEAD and sends no credentials."""
    seen: list[tuple[str, str, str | None]] = []

    async def handle(request: web.Request) -> web.Response:
        seen.append(
            (request.method, request.path, request.headers.get("Authorization"))
        )
        return web.Response(status=401)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        async with aiohttp.ClientSession() as session:
            backend = HttpBackend(session, f"http://127.0.0.1:{port}/api/v1")
            assert await backend.async_probe() is True
            assert await backend.async_fetch_states(["1053"]) is None
    finally:
        await runner.cleanup()
    assert seen == [("HEAD", "/api/v1", None)]
