"""A request's body read up to a limit, for the simulator's XML endpoints (Ingram's IM-XML,
TD SYNNEX's EC Express): a body past the limit is refused as it streams in, never held whole."""

from __future__ import annotations

from starlette.requests import Request


class TooLarge(ValueError):
    """The body is longer than the endpoint takes."""


async def read_limited(request: Request, limit: int) -> bytes:
    """The request's bytes; TooLarge once more than ``limit`` are declared or have arrived."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise TooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge
        chunks.append(chunk)
    return b"".join(chunks)
