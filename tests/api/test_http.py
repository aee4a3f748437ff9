"""Tests of the shared HTTP plumbing: URL policy, answers and the pacer."""

from __future__ import annotations

import aiohttp
from aiohttp import web
from multidict import CIMultiDict
import pytest

from custom_components.time_clock.api.http import (
    Pacer,
    Response,
    async_probe,
    basic_auth,
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
