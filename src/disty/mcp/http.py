"""/mcp on ``disty serve``: the streamable HTTP transport, each request authenticated by an API
token (``Authorization: Bearer``), as the JSON API is.

Stateless and answering plain JSON: any replica answers any request (no session lives in one
process's memory) and no response stream is held open.
"""

from __future__ import annotations

from dataclasses import dataclass

from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.auth.provider import AccessToken
from mcp.server.auth.settings import AuthSettings
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from pydantic import AnyHttpUrl
from starlette.types import ASGIApp

from disty.mcp import server as tools
from disty.runtime import Runtime
from disty.services.tokens import Principal, Scope, authenticate

PATH = "/mcp"


class TokenVerifier:
    """An API token -> the SDK's AccessToken, carrying the caller (tenant, token) as claims."""

    def __init__(self, runtime: tools.RuntimeSource) -> None:
        self.runtime = runtime

    async def verify_token(self, token: str) -> AccessToken | None:
        async with self.runtime().sessions() as session:
            found = await authenticate(session, token)
        if found is None:
            return None
        return AccessToken(
            token=token,
            client_id=f"token-{found.token_id}",
            scopes=sorted(s.value for s in found.scopes),
            claims={
                "tenant_id": found.tenant_id,
                "shortcut": found.shortcut,
                "token_id": found.token_id,
                "token_name": found.token_name,
            },
        )


async def caller() -> Principal:
    """The calling token of this request (the SDK's auth middleware verified it)."""
    token = get_access_token()
    if token is None or token.claims is None:
        raise ToolError(
            "send 'Authorization: Bearer <token>' with a token from 'disty token create'"
        )
    c = token.claims
    return Principal(
        tenant_id=int(c["tenant_id"]),
        shortcut=str(c["shortcut"]),
        token_id=int(c["token_id"]),
        token_name=str(c["token_name"]),
        scopes=frozenset(Scope(s) for s in token.scopes),
    )


@dataclass(frozen=True)
class Mounted:
    app: ASGIApp  # answers PATH: the host routes PATH to it
    session_manager: StreamableHTTPSessionManager  # its run() is entered in the host's lifespan


def mounted(runtime: tools.RuntimeSource, public_url: str) -> Mounted:
    server = tools.build(
        runtime,
        caller,
        token_verifier=TokenVerifier(runtime),
        # The SDK's bearer middleware needs these; disty issues its own tokens (no OAuth
        # authorization server to advertise), so no resource metadata is published.
        auth=AuthSettings(
            issuer_url=AnyHttpUrl(public_url), resource_server_url=None, required_scopes=[]
        ),
    )
    app = server.streamable_http_app(
        streamable_http_path=PATH,
        stateless_http=True,
        json_response=True,
        # DNS rebinding protects servers that trust whoever reaches them; every request here
        # needs a bearer token, which a rebinding page cannot have. disty serves any host name
        # it is deployed under.
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
    )
    return Mounted(app, server.session_manager)


__all__ = ["PATH", "Mounted", "Runtime", "TokenVerifier", "caller", "mounted"]
