"""Unknown API tokens at /mcp cost the sender time, as they do at the JSON API (api/deps.py):
both count failures in the one ``app.state.bad_tokens`` per client address, so a guesser
gets the same free attempts across the two doors, not twice as many (and, on PostgreSQL,
across every replica: ``Backoff.record``).

The MCP SDK checks a token (mcp/http.py) without seeing who sent it, so this wraps /mcp's
ASGI app instead: a client that must wait is answered 429 with Retry-After before the SDK
(and the database) sees its request; a request that carried a bearer token and was answered
401 counts as a failure. A valid token is never counted or delayed; a request without any
token is answered 401 by the SDK and not counted (as at the API).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from disty.services.throttle import Backoff
from disty.web.api.deps import too_many_bad_tokens
from disty.web.api.problems import problem_for, respond
from disty.web.security import client_address


def _sends_a_bearer_token(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            return bytes(value[:7]).lower() == b"bearer "
    return False


class BadTokenBackoff:
    def __init__(self, app: ASGIApp, failures: Backoff) -> None:
        self.app = app
        self.failures = failures

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _sends_a_bearer_token(scope):
            await self.app(scope, receive, send)
            return
        client = client_address(Request(scope))
        wait = self.failures.wait_s(client)
        if wait > 0:
            problem, headers = problem_for(too_many_bad_tokens(wait))
            await respond(problem, headers)(scope, receive, send)
            return
        status = 0

        async def watched(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.app(scope, receive, watched)
        if status == 401:
            self.failures.failed(client)
            await self.failures.record(client, failed=True)
