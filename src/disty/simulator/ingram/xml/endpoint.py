"""The one IM-XML endpoint: ``POST`` at ``/``, ``/mustang`` or ``/MUSTANG`` (any case: IIS
paths are, XML-NOTES Q2), dispatching on the root element.

In order: read the body (too large: the schema error, nothing read past the limit), parse it
safely, know its root, validate it against its schema, authenticate the header (20007), check
the login's entitlement to the transaction (20002), then answer. Everything is HTTP 200.
Besides the path's faults (endpoint ``imxml``), a ``drop_after`` fault may name one
transaction (``imxml:OrderRequest``): carried out, then the connection is closed unanswered.
"""

from __future__ import annotations

from collections.abc import Callable
from xml.etree.ElementTree import Element

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from disty.simulator.bodies import TooLarge
from disty.simulator.hangups import drop_after, relative_path
from disty.simulator.ingram.consts import OP_IMXML
from disty.simulator.ingram.state import SimState
from disty.simulator.ingram.xml import lookups, ordering, pna, schema
from disty.simulator.ingram.xml.accounts import COUNTRY_OF, authenticate
from disty.simulator.ingram.xml.wire import (
    Refused,
    answer,
    parse,
    read_body,
    refusal,
    response,
    schema_error,
    text,
)

PATHS = frozenset({"", "/", "/mustang", "/mustang/"})
BAD_LOGIN = ("20007", "ERROR: LoginID, or Password or CountryCode is incorrect")
NOT_ALLOWED = ("20002", "ERROR: Customer is not allowed to execute current transaction")

Answer = Callable[[SimState, str, str, Element, Element], None]
_RESPONSES = {
    "PNARequest": "PNAResponse",
    "OrderRequest": "OrderResponse",
    "OrderStatusRequest": "OrderStatusResponse",
    "OrderDetailRequest": "OrderDetailResponse",
    "OrderTrackingRequest": "OrderTrackingResponse",
}


def _pna(state: SimState, client_id: str, country: str, request: Element, out: Element) -> None:
    del client_id
    pna.respond(state, request, out, country)


_ANSWERS: dict[str, Answer] = {
    "PNARequest": _pna,
    "OrderRequest": ordering.respond,
    "OrderStatusRequest": lookups.status,
    "OrderDetailRequest": lookups.detail,
    "OrderTrackingRequest": lookups.tracking,
}


async def handle(request: Request, state: SimState) -> tuple[str, Response]:
    """(the transaction's root element, or "" when unreadable; the answer)."""
    try:
        root = parse(await read_body(request))
    except TooLarge:
        return "", schema_error("The document is larger than the server accepts.")
    except Refused as exc:
        return "", schema_error(str(exc))
    return root.tag, _answer(root, state)


def _answer(root: Element, state: SimState) -> Response:
    name = _RESPONSES.get(root.tag)
    if name is None:
        return schema_error(f"The root element '{root.tag}' is not a known transaction.")
    try:
        schema.validate(root)
    except Refused as exc:
        return schema_error(str(exc))
    now = state.clock.now()
    header = root.find("TransactionHeader")
    code = text(header, "CountryCode").upper()
    login = authenticate(state.xml_logins, text(header, "LoginID"), text(header, "Password"), code)
    if login is None or code not in COUNTRY_OF:
        return refusal(root, name, now, *BAD_LOGIN)
    if root.tag not in login.transactions:
        return refusal(root, name, now, *NOT_ALLOWED)
    out = response(root, name, now)
    try:
        _ANSWERS[root.tag](state, login.client_id, COUNTRY_OF[code], root, out)
    except Refused as exc:
        return schema_error(str(exc))
    except ordering.OrderRefused as exc:
        return refusal(root, name, now, exc.number, str(exc))
    except lookups.NotFound as exc:
        return refusal(root, name, now, *exc.error)
    return answer(out)


async def _answered(scope: Scope, receive: Receive, send: Send) -> None:
    """The request was carried out already: nothing more to do before hanging up."""


class XmlPaths:
    """Sends ``POST`` to IM-XML's paths to the XML endpoint; everything else to the REST app."""

    def __init__(self, app: ASGIApp, state: SimState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] == "POST"
            and relative_path(scope).lower() in PATHS
        ):
            tag, reply = await handle(Request(scope, receive), self.state)
            # Faults per transaction ("imxml:OrderRequest"): the path names none of them.
            for rule in self.state.draw_faults("ingram", f"{OP_IMXML}:{tag}"):
                if rule.kind == "drop_after":
                    await drop_after(_answered, rule.latency_ms, scope, receive)
                    return
            await reply(scope, receive, send)
            return
        await self.app(scope, receive, send)
