"""Loopback servers for the sandboxes: slots that outlive their apps, the run's pool."""

from __future__ import annotations

import socket

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from snowbot_sandbox.server import AppSlot, SlotPool, bind_socket, serve_apps


def _saying(word: str) -> Starlette:
    async def answer(request: Request) -> PlainTextResponse:
        return PlainTextResponse(word)

    return Starlette(routes=[Route("/", answer)])


async def test_a_slot_serves_the_app_it_holds_and_503_when_empty() -> None:
    """A request reaches the app in the slot; with the slot empty it gets 503."""
    slot = AppSlot()
    async with serve_apps(slot, lifespan="off") as (url,), httpx.AsyncClient() as http:
        with slot.hold(_saying("first")):
            held = await http.get(f"{url}/")
        empty = await http.get(f"{url}/")
        with slot.hold(_saying("second")):
            next_one = await http.get(f"{url}/")
    assert held.text == "first"
    assert empty.status_code == 503
    assert next_one.text == "second"


def test_a_slot_holds_one_app_at_a_time() -> None:
    """Putting a second app in a taken slot is refused."""
    slot = AppSlot()
    with slot.hold(_saying("first")), pytest.raises(RuntimeError), slot.hold(_saying("second")):
        pass


async def test_the_pool_lends_a_freed_server_again() -> None:
    """An app served after another has ended gets the same server back."""
    pool = SlotPool()
    try:
        async with pool.serve(_saying("first")) as first:
            pass
        async with pool.serve(_saying("second")) as second, httpx.AsyncClient() as http:
            answer = await http.get(f"{second}/")
    finally:
        await pool.aclose()
    assert second == first
    assert answer.text == "second"


async def test_the_pool_starts_another_server_when_every_one_is_lent() -> None:
    """Two apps served at once get two servers, each answering for its own app."""
    pool = SlotPool()
    try:
        async with (
            pool.serve(_saying("first")) as first,
            pool.serve(_saying("second")) as second,
            httpx.AsyncClient() as http,
        ):
            answers = [(await http.get(f"{url}/")).text for url in (first, second)]
    finally:
        await pool.aclose()
    assert first != second
    assert answers == ["first", "second"]


async def test_serve_apps_stops_every_server_on_exit() -> None:
    """Once the block exits, none of the servers accepts a connection."""
    async with serve_apps(_saying("a"), _saying("b")) as urls:
        pass
    async with httpx.AsyncClient() as http:
        for url in urls:
            with pytest.raises(httpx.ConnectError):
                await http.get(f"{url}/")


def test_served_sockets_send_small_answers_at_once() -> None:
    """The listening socket is TCP with Nagle off, so kept-alive answers never wait an ACK."""
    with bind_socket() as sock:
        assert sock.proto == socket.IPPROTO_TCP
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
