"""``disty mcp``: the MCP server over stdio, for an assistant that starts disty itself.

The token comes from the environment (DISTY_MCP_TOKEN), never from the command line, where the
process list and shell history would show it. It is checked before serving (a wrong token ends
the command with one sentence) and again on every call, so revoking it stops the assistant at
once. Standard output carries only the protocol: logs go to standard error.
"""

from __future__ import annotations

import os

from disty.config import Settings
from disty.errors import ConfigurationError
from disty.mcp import server as tools
from disty.runtime import open_runtime
from disty.services.tokens import Principal, authenticate

TOKEN_VARIABLE = "DISTY_MCP_TOKEN"  # noqa: S105 (the variable's name, not a token)


async def serve(settings: Settings) -> None:
    token = os.environ.get(TOKEN_VARIABLE, "").strip()
    if not token:
        raise ConfigurationError(
            f"set {TOKEN_VARIABLE} to an API token from 'disty token create' (read for "
            "questions, order to draft POs): the assistant acts with that token's scopes"
        )
    async with open_runtime(settings) as rt:

        async def caller() -> Principal:
            async with rt.sessions() as session:
                found = await authenticate(session, token)
            if found is None:
                raise ConfigurationError(
                    f"the token in {TOKEN_VARIABLE} is unknown or revoked: create one with "
                    "'disty token create'"
                )
            return found

        await caller()  # refuse to start with a token that does not work
        await tools.build(lambda: rt, caller).run_stdio_async()
