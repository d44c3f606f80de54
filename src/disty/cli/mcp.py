"""disty mcp: serve AI assistants (the Model Context Protocol) over stdio."""

from __future__ import annotations

from disty.cli._common import guarded


def mcp() -> None:
    """Serve an AI assistant over stdio (MCP), with the API token in DISTY_MCP_TOKEN.

    Assistants over HTTP use /mcp on 'disty serve' instead, with 'Authorization: Bearer'."""
    import asyncio

    from disty.config import load_settings
    from disty.mcp import stdio

    guarded(lambda: asyncio.run(stdio.serve(load_settings())))
