"""Every HTTP request gets an id: the caller's X-Request-ID when it is sane (a proxy's or a
client's, so one id follows the request through every hop), else a new one. It is echoed in
the answer's X-Request-ID and sits in ``logs.REQUEST_ID`` while the request runs (disty/logs.py
says how it reaches the jobs the request leaves behind).

Pure ASGI, not BaseHTTPMiddleware: it runs on every webhook delivery, and wrapping each
request in another task and body stream costs the receiver a measurable share of its
throughput (bench/receiver.py).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from disty import logs

_HEADER = logs.HEADER.encode()


def request_id_of(scope: Scope) -> tuple[str, tuple[bytes, bytes]]:
    """The request's id (the caller's when sane, else a new one) and the header echoing it;
    also used by the webhook receiver's door (web/webhooks.py), which answers deliveries
    ahead of this middleware."""
    given = None
    for name, value in scope["headers"]:
        if name == _HEADER:
            given = value.decode("latin-1")
            break
    rid = logs.sane_request_id(given) or logs.new_request_id()
    return rid, (_HEADER, rid.encode())


class RequestId:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid, header = request_id_of(scope)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), header]
            await send(message)

        token = logs.REQUEST_ID.set(rid)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            logs.REQUEST_ID.reset(token)
