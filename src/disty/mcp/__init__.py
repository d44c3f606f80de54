"""disty for AI assistants: an MCP server over the services the JSON API uses (server.py),
served over streamable HTTP at /mcp on ``disty serve`` (http.py) and over stdio by ``disty
mcp`` (stdio.py), authenticated by disty's API tokens."""
