"""Injected misbehaviour on the TD SYNNEX side, from the same control API as Ingram's.

Rules name ``distributor: "tdsynnex"`` and an endpoint by its path without the country
(``/SynnexXML/PriceAvailability``), so endpoints added later are reachable with no list to
update. What a failure looks like (README, TD SYNNEX section): by default what the evidence
shows, an XML document with ``ErrorMessage``/``ErrorDetail`` and HTTP 200 (NOTES 2.3, Q2), named
with TS-PO Appendix D's codes (4.5); a rule with a 4xx/5xx ``status`` fails at the transport
instead, as a client sees a broken front end. Maintenance answers Appendix D's
``ServerError`` "SYNNEX XML Server is not Available".
"""

from __future__ import annotations

import asyncio

from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from disty.simulator.hangups import drop, drop_after, outlasted, read_body, relative_path
from disty.simulator.ingram.state import FaultRule, SimState
from disty.simulator.tdsynnex.errors import EC_TAGS, INVOICE_TAGS, document_error
from disty.simulator.tdsynnex.state import TdState
from disty.simulator.tdsynnex.xmlio import MAX_BODY, BadDocument, document

DISTRIBUTOR = "tdsynnex"
# TS-PO Appendix D's retryable server errors: message code -> the detail's text.
SERVER_ERRORS = {
    "Server.DatabaseIssue": "We are experiencing technical issues at this time. Please try "
    "again later. detail: database unavailable",
    "Server.APIFault": "We are experiencing technical issues at this time. Please try again "
    "later. detail: Internal API Fault",
    "Server.Timeout": "We are experiencing technical issues at this time. Please try again "
    "later. detail: the transaction timed out",
    "ServerError": "SYNNEX XML Server is not Available",
}
DEFAULT_ERROR = "Server.DatabaseIssue"
KEEP = MAX_BODY  # what the route itself would read; past it the path decides the root
# The answer's root when the request cannot tell (not XML): NOTES 2.2's transactions, else
# the bare B2B envelope.
ROOTS_BY_PATH = {
    "/SynnexXML/PriceAvailability": "priceResponse",
    "/SynnexXML/Availability": "priceResponse",
    "/SynnexXML/PO": "SynnexB2B/OrderResponse",
    "/SynnexXML/POStatus": "SynnexB2B/OrderStatusResponse",
    "/SynnexXML/FreightQuote": "SynnexB2B/FreightQuoteResponse",
    "/webservice/invoice/query": "SynnexB2B/InvoiceResponse",
}


class TdFaultInjector:
    """ASGI middleware: counts requests per path, applies the rules and the maintenance switch."""

    def __init__(self, app: ASGIApp, state: TdState, registry: SimState) -> None:
        self.app = app
        self.state = state
        self.registry = registry

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        endpoint = endpoint_of(relative_path(scope))
        self.state.counts[endpoint] += 1
        if self.registry.latency_ms:  # the simulator's latency is every distributor's
            await asyncio.sleep(self.registry.latency_ms / 1000)
        for rule in self.registry.draw_faults(DISTRIBUTOR, endpoint):
            if rule.kind == "latency":
                await asyncio.sleep(rule.latency_ms / 1000)
            elif rule.kind == "error":
                body = await read_body(receive, KEEP)
                await _failure(rule, endpoint, body, scope, receive, send)
                return
            elif rule.kind == "timeout":
                body = await read_body(receive, KEEP)
                if body is None or await outlasted(receive, rule.timeout_s):
                    return  # the client gave up first
                timed_out = FaultRule("timeout", status=rule.status, message="Server.Timeout")
                await _failure(timed_out, endpoint, body, scope, receive, send)
                return
            elif rule.kind == "drop":
                await drop(receive)
                return
            elif rule.kind == "drop_after":
                await drop_after(self.app, rule.latency_ms, scope, receive)
                return
        if self.state.maintenance:
            body = await read_body(receive, KEEP)
            maintenance = FaultRule("error", status=200, message="ServerError")
            await _failure(maintenance, endpoint, body, scope, receive, send)
            return
        await self.app(scope, receive, send)


def endpoint_of(path: str) -> str:
    """``/us/SynnexXML/PO`` -> ``/SynnexXML/PO``: one rule covers both countries."""
    _, _, rest = path.lstrip("/").partition("/")
    return "/" + rest


async def _failure(
    rule: FaultRule, endpoint: str, body: bytes | None, scope: Scope, receive: Receive, send: Send
) -> None:
    if body is None:
        return  # nobody is listening any more
    response: Response
    if rule.status == 200:
        message = rule.message or DEFAULT_ERROR
        root = answer_root(endpoint, body, _content_type(scope))
        # The invoice query words its errors its own way (NOTES 7.1).
        tags = INVOICE_TAGS if root.endswith("/InvoiceResponse") else EC_TAGS
        response = document_error(root, message, SERVER_ERRORS[message], tags=tags)
    else:
        headers = {"Retry-After": "60"} if rule.status in (429, 503) else None
        response = PlainTextResponse(_REASONS.get(rule.status, "Error"), rule.status, headers)
    await response(scope, receive, send)


_REASONS = {
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def _content_type(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            return str(value.decode("latin-1"))
    return ""


def answer_root(endpoint: str, body: bytes, content_type: str) -> str:
    """The response root the request's own document asks for: ``priceRequest`` ->
    ``priceResponse``, ``SynnexB2B/OrderRequest`` -> ``SynnexB2B/OrderResponse``."""
    try:
        root = document(body, content_type)
    except BadDocument:
        return ROOTS_BY_PATH.get(endpoint, "SynnexB2B")
    transaction = next((c.tag for c in root if c.tag.endswith("Request")), None)
    if root.tag == "SynnexB2B" and transaction:  # beside Credential
        return "SynnexB2B/" + transaction.removesuffix("Request") + "Response"
    if root.tag.endswith("Request"):
        return root.tag.removesuffix("Request") + "Response"
    return ROOTS_BY_PATH.get(endpoint, "SynnexB2B")
