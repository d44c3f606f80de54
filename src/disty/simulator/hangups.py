"""Transport-level misbehaviour any distributor's fault injector uses: read a request to its
end, wait for the client to give up, close the socket without an answer.

Dropping needs the socket: under uvicorn the ASGI ``receive`` callable is bound to its
request cycle, which holds the transport; we close that and wait for uvicorn to see the
disconnect, so it sends nothing either. Where there is no socket (httpx's ASGITransport, in
process), the closest thing is an exception out of the app: ``ConnectionDropped``, which the
transport raises to the caller.
"""

from __future__ import annotations

import asyncio
import contextlib

from starlette.types import ASGIApp, Message, Receive, Scope


class ConnectionDropped(ConnectionResetError):
    """The simulator dropped the connection on purpose (in-process stand-in for a reset)."""


async def read_body(receive: Receive, keep: int = 0) -> bytes | None:
    """Consume the request body (keeping at most ``keep`` bytes of it); None if the client
    went away meanwhile."""
    kept = bytearray()
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        if message["type"] == "http.request":
            if len(kept) < keep:
                kept += message.get("body", b"")[: keep - len(kept)]
            if not message.get("more_body", False):
                return bytes(kept)


async def wait_disconnect(receive: Receive) -> None:
    while True:
        message: Message = await receive()
        if message["type"] == "http.disconnect":
            return


async def outlasted(receive: Receive, timeout_s: float) -> bool:
    """Hold the request until the client gives up (True) or ``timeout_s`` passes (False)."""
    try:
        await asyncio.wait_for(wait_disconnect(receive), timeout=timeout_s)
        return True
    except TimeoutError:
        return False


async def drop(receive: Receive) -> None:
    await read_body(receive)
    cycle = getattr(receive, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        raise ConnectionDropped("the simulator dropped the connection (injected fault)")
    transport.close()
    # Wait for uvicorn to notice, so it does not answer 500 for an app that sent nothing.
    await asyncio.wait_for(wait_disconnect(receive), timeout=5)


async def drop_after(app: ASGIApp, latency_ms: int, scope: Scope, receive: Receive) -> None:
    """Carry the request out for real (an order is placed), swallow the answer, wait
    ``latency_ms``, then close the connection: the client never learns what happened, which
    is exactly what a resubmission must survive without placing the order twice."""

    async def swallow(message: Message) -> None:
        return None

    await app(scope, receive, swallow)
    if latency_ms:
        await asyncio.sleep(latency_ms / 1000)
    cycle = getattr(receive, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        raise ConnectionDropped("the simulator dropped the connection after answering (injected)")
    transport.close()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(wait_disconnect(receive), timeout=5)


def relative_path(scope: Scope) -> str:
    """The request's path inside the app it was mounted as."""
    root = scope.get("root_path", "")
    path: str = scope["path"]
    return path[len(root) :] if root and path.startswith(root) else path
