"""disty's tools and resources for AI assistants (the Model Context Protocol).

Every tool is a thin call of the services the JSON API uses, under the same token scopes:
``read`` for questions, ``order`` for drafts and submissions, ``admin`` for Run Test and a
connection's status. Asking never orders: only ``create_draft_po`` and ``submit_po`` change
anything, and a submission goes to the distributor only within the limits a tenant admin set
(services/assistant.py); otherwise the draft waits for a person in the console. Every call is
in the audit log under the token's name. Answers carry no secrets: the services' views mask
or leave them out, and no tool takes or returns a connection's settings.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Annotated, Any, Literal, TypeVar

from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ToolError
from mcp_types import ToolAnnotations
from pydantic import BaseModel, Field

from disty import __version__
from disty.db.base import utcnow
from disty.domain.orders import Address
from disty.domain.po_status import FINAL, POStatus
from disty.domain.sourcing import SourcingRequest, WantedLine
from disty.errors import DistyError, NotFound
from disty.runtime import Runtime
from disty.services import assistant, audit, catalog, ordering, po_list, sourcing
from disty.services.connections import connected_suppliers, get_connection
from disty.services.po_list import POFilter
from disty.services.po_views import po_json
from disty.services.pricing import age_seconds, price_and_availability, supplier_name
from disty.services.run_test import run_test
from disty.services.sourcing_views import result_json
from disty.services.tenants import get_tenant
from disty.services.tokens import Principal, Scope
from disty.services.webhooks import event_list, event_lookup
from disty.services.webhooks.event_lookup import EventFilter
from disty.suppliers import registry
from disty.suppliers.base import Capability

log = logging.getLogger(__name__)

T = TypeVar("T")
RuntimeSource = Callable[[], Runtime]
CallerSource = Callable[[], Awaitable[Principal]]

INSTRUCTIONS = """disty connects this reseller to its IT distributors (all of them at once).
Use search_catalog, price_list and source_list to answer questions: they never order.
To buy, create_draft_po saves a draft for one supplier, create_requisition drafts a sourced
list as one PO per supplier; a person approves drafts in disty's console unless the tenant
lets this token submit directly (submit_po says which, and why a PO stays a draft).
Country ids: 1 = United States, 29 = Canada."""

Country = Annotated[
    Literal[1, 29], Field(description="The country site: 1 = United States, 29 = Canada.")
]
Sku = Annotated[str, Field(min_length=1, max_length=64, description="A SKU or vendor part no.")]
PoNumber = Annotated[
    str, Field(min_length=1, max_length=18, description="The PO number (the buyer's own).")
]
SupplierKey = Annotated[
    str, Field(min_length=1, max_length=32, description="A supplier's key, e.g. from price_list.")
]
WhichSupplier = Annotated[
    str | None,
    Field(
        min_length=1,
        max_length=32,
        description="The PO's supplier key: needed only when two suppliers' POs share the number.",
    ),
]
Notes = Annotated[
    str | None,
    Field(max_length=500, description="A note to the distributor, sent with the order."),
]
Quantity = Field(ge=1, le=1_000_000, description="How many units.")


class WantedIn(BaseModel):
    """A part wanted, in any supplier's terms."""

    part: Sku
    quantity: int = Field(ge=1, le=99_999, description="How many units.")


class LineIn(BaseModel):
    """One line of a PO to one supplier."""

    sku: str = Field(min_length=1, max_length=40, description="The supplier's SKU.")
    quantity: int = Quantity
    expected_price: Decimal | None = Field(
        None, ge=0, max_digits=14, decimal_places=4,
        description="The unit price you expect; left out, today's live price is used.",
    )  # fmt: skip


class ChoiceIn(BaseModel):
    """One choice of a source_list answer: a line's part bought at one supplier."""

    line_number: int = Field(
        ge=1, le=100_000, description="The source_list line this choice fills (its line_number)."
    )
    part: Sku
    supplier: SupplierKey
    supplier_sku: str = Field(min_length=1, max_length=40, description="The supplier's SKU.")
    quantity: int = Quantity
    unit_price: Decimal = Field(
        ge=0, max_digits=14, decimal_places=4,
        description="The unit price source_list chose: the PO's expected price, what the "
        "tenant's limits count and the price-drift check compares with.",
    )  # fmt: skip


class ShipToIn(BaseModel):
    """Where the goods go: the distributor ships to this address."""

    company: str = Field(min_length=1, max_length=200, description="The receiving company.")
    street: str = Field(min_length=1, max_length=200, description="Street and number.")
    city: str = Field(min_length=1, max_length=100, description="The city or town.")
    state: str = Field("", max_length=50, description="State or province code, e.g. IL.")
    postcode: str = Field("", max_length=20, description="ZIP or postal code.")
    country: str = Field(pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2, e.g. US.")
    street2: str = Field("", max_length=200, description="A second address line.")
    contact: str = Field("", max_length=200, description="Who receives the goods.")
    phone: str = Field("", max_length=50, description="The contact's phone number.")
    email: str = Field("", max_length=200, description="The contact's e-mail address.")


_READ_ONLY = ToolAnnotations(read_only_hint=True, open_world_hint=True)
_WRITES = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=True)


class Tools:
    """The tools' shared plumbing: who calls, the scope check, the audit entry, errors."""

    def __init__(self, runtime: RuntimeSource, caller: CallerSource) -> None:
        self.runtime = runtime
        self.caller = caller

    async def call(
        self,
        tool: str,
        scope: Scope,
        args: dict[str, Any],
        work: Callable[[Runtime, Principal], Awaitable[T]],
    ) -> T:
        rt = self.runtime()
        who = await self.caller()
        if scope not in who.scopes:
            await self._audit(rt, who, tool, args, "refused: scope")
            have = ", ".join(sorted(s.value for s in who.scopes))
            raise ToolError(
                f"{tool} needs a token with the {scope.value!r} scope (this has {have})"
            )
        try:
            result = await work(rt, who)
        except DistyError as exc:
            await self._audit(rt, who, tool, args, "error")
            raise ToolError(str(exc)) from None
        await self._audit(rt, who, tool, args, "ok")
        return result

    async def _audit(
        self, rt: Runtime, who: Principal, tool: str, args: dict[str, Any], outcome: str
    ) -> None:
        shown = json.dumps(args, default=str)[:500]
        async with rt.sessions() as session:
            audit.record(
                session, tenant_id=who.tenant_id, actor=who.actor, action=f"mcp.{tool}",
                target="assistant (MCP)", details={"outcome": outcome, "arguments": shown},
            )  # fmt: skip
            await session.commit()


def _ctx(rt: Runtime, who: Principal) -> ordering.Context:
    # The PO's timeline names the assistant, not only a token.
    return ordering.Context(rt.suppliers, assistant.origin(who.token_name, who.token_id))


def _po(po: Any) -> dict[str, Any]:
    found = po_json(po)
    found["timeline"] = found["timeline"][-10:]  # the latest events: an assistant's context
    return found


_WAITING = (POStatus.DRAFT.value, POStatus.AWAITING_APPROVAL.value)


def build(runtime: RuntimeSource, caller: CallerSource, **server_options: Any) -> MCPServer:
    """The MCP server. ``runtime`` answers the open Runtime when a tool runs, ``caller`` the
    calling token (from the HTTP request's bearer token, or stdio's environment)."""
    tools = Tools(runtime, caller)
    server = MCPServer("disty", version=__version__, instructions=INSTRUCTIONS, **server_options)

    @server.tool(annotations=_READ_ONLY)
    async def search_catalog(
        keyword: Annotated[str, Field(min_length=1, max_length=200, description="Words to find.")],
        country_id: Country = 1,
        vendor: Annotated[str | None, Field(max_length=200, description="A vendor name.")] = None,
        limit: Annotated[int, Field(ge=1, le=50, description="Products per supplier.")] = 10,
    ) -> dict[str, Any]:
        """Search the catalogs of every supplier the tenant has connected in a country.
        Answers each supplier's matches (SKU, vendor part number, description), and for a
        supplier that could not be searched, why. Catalog entries carry no live price: use
        price_list for that."""

        async def work(rt: Runtime, who: Principal) -> dict[str, Any]:
            results: dict[str, Any] = {}
            async with rt.sessions() as session:
                keys = await _connected(session, who, country_id)
                for key in keys:
                    if Capability.CATALOG_SEARCH not in registry.get(key).capabilities:
                        continue
                    try:
                        found = await catalog.search(
                            session, shortcut=who.shortcut, country_id=country_id, supplier=key,
                            suppliers=rt.suppliers, keyword=keyword, vendor=vendor,
                            page=1, page_size=limit,
                        )  # fmt: skip
                    except DistyError as exc:
                        results[key] = {"error": str(exc)}
                        continue
                    results[key] = {
                        "supplier_name": supplier_name(key),
                        "total": found.total,
                        "items": [_plain(item) for item in found.items],
                    }
            return {"country_id": country_id, "suppliers": results}

        return await tools.call(
            "search_catalog", Scope.READ, {"keyword": keyword, "country_id": country_id}, work
        )

    @server.tool(annotations=_READ_ONLY)
    async def price_list(
        skus: Annotated[
            list[Sku],
            Field(min_length=1, max_length=200, description="SKUs or vendor part numbers."),
        ],
        country_id: Country = 1,
    ) -> dict[str, Any]:
        """Live price and availability for a list of SKUs or vendor part numbers from every
        connected supplier. Each offer names its source (supplier), when it was fetched
        (fetched_at) and its age in seconds (age_s), with stock per warehouse."""

        async def work(rt: Runtime, who: Principal) -> dict[str, Any]:
            async with rt.sessions() as session:
                offers = await price_and_availability(
                    session, shortcut=who.shortcut, country_id=country_id, skus=skus,
                    suppliers=rt.suppliers,
                )  # fmt: skip
            now = utcnow()
            return {
                "offers": [
                    _plain(o)
                    | {"supplier_name": supplier_name(o.supplier), "age_s": age_seconds(o, now)}
                    for o in offers
                ]
            }

        return await tools.call(
            "price_list", Scope.READ, {"skus": skus, "country_id": country_id}, work
        )

    @server.tool(annotations=_READ_ONLY)
    async def source_list(
        lines: Annotated[
            list[WantedIn],
            Field(min_length=1, max_length=200, description="The parts wanted, with quantities."),
        ],
        country_id: Country = 1,
        split: Annotated[bool, Field(description="Split a line no one can fill whole.")] = False,
        prefer: Annotated[
            list[SupplierKey], Field(max_length=10, description="Suppliers, most preferred first.")
        ] = [],  # noqa: B006 (pydantic copies defaults)
    ) -> dict[str, Any]:
        """Source a list across every connected distributor: each line's offers, the chosen
        supplier and the reason for the choice (price, stock, preference). Orders nothing."""

        async def work(rt: Runtime, who: Principal) -> dict[str, Any]:
            request = SourcingRequest(
                tuple(WantedLine(n, x.part.strip(), x.quantity) for n, x in enumerate(lines, 1)),
                split,
                tuple(registry.get(p).key for p in prefer),
            )
            async with rt.sessions() as session:
                result = await sourcing.source(
                    session, shortcut=who.shortcut, country_id=country_id, request=request,
                    suppliers=rt.suppliers,
                )  # fmt: skip
            return result_json(result)

        args = {"lines": [x.model_dump() for x in lines], "country_id": country_id}
        return await tools.call("source_list", Scope.READ, args, work)

    @server.tool(annotations=_WRITES)
    async def create_draft_po(
        po_number: PoNumber,
        supplier: SupplierKey,
        lines: Annotated[
            list[LineIn],
            Field(min_length=1, max_length=200, description="The PO's lines, in its order."),
        ],
        ship_to: Annotated[ShipToIn, Field(description="Where the goods go.")],
        country_id: Country = 1,
        notes: Notes = None,
    ) -> dict[str, Any]:
        """Save a draft purchase order for one supplier. Nothing is sent to the distributor:
        a person approves the draft in disty's console (or submit_po sends it, where the
        tenant allows). Lines without an expected price get today's live price. The same PO
        number with the same content answers the existing draft."""

        async def work(rt: Runtime, who: Principal) -> dict[str, Any]:
            async with rt.sessions() as session:
                priced = await _with_prices(session, rt, who, country_id, supplier, lines)
                po, created = await ordering.place(
                    session, _ctx(rt, who), shortcut=who.shortcut, country_id=country_id,
                    supplier=registry.get(supplier).key, po_number=po_number, lines=priced,
                    ship_to=Address.from_dict(ship_to.model_dump()), notes=notes, send=False,
                    origin=assistant.origin(who.token_name, who.token_id),
                )  # fmt: skip
                return {"created": created, "po": _po(po)}

        args = {"po_number": po_number, "supplier": supplier, "lines": len(lines)}
        return await tools.call("create_draft_po", Scope.ORDER, args, work)

    @server.tool(annotations=_WRITES)
    async def create_requisition(
        po_prefix: Annotated[
            str,
            Field(
                min_length=1,
                max_length=16,
                description="The requisition's number; each supplier's PO is PREFIX-N.",
            ),
        ],
        choices: Annotated[
            list[ChoiceIn],
            Field(
                min_length=1,
                max_length=500,
                description="The lines as bought: each line's choice from source_list.",
            ),
        ],
        ship_to: Annotated[ShipToIn, Field(description="Where every PO's goods go.")],
        country_id: Country = 1,
        notes: Notes = None,
    ) -> dict[str, Any]:
        """Draft a sourced list as one PO per supplier, linked to one requisition: give the
        choices source_list made (or others). Nothing is sent to any distributor: each PO is
        a draft a person approves in disty's console, or that submit_po sends where the
        tenant allows (give it the PO's number and supplier from the answer). The same
        prefix with the same choices and ship-to answers the existing requisition."""

        async def work(rt: Runtime, who: Principal) -> dict[str, Any]:
            picked = [
                sourcing.LineChoice(
                    c.line_number,
                    c.part.strip(),
                    registry.get(c.supplier).key,
                    c.supplier_sku,
                    c.quantity,
                    c.unit_price,
                )
                for c in choices
            ]
            async with rt.sessions() as session:
                view = await sourcing.place(
                    session, _ctx(rt, who), shortcut=who.shortcut, country_id=country_id,
                    choices=picked, po_prefix=po_prefix,
                    ship_to=Address.from_dict(ship_to.model_dump()), notes=notes, send=False,
                    origin=assistant.origin(who.token_name, who.token_id),
                )  # fmt: skip
            found = view.to_json()
            found["pos"] = [_po(po) for po in view.pos]
            return found

        args = {"po_prefix": po_prefix, "choices": len(choices), "country_id": country_id}
        return await tools.call("create_requisition", Scope.ORDER, args, work)

    @server.tool(annotations=ToolAnnotations(read_only_hint=False, destructive_hint=False))
    async def submit_po(po_number: PoNumber, supplier: WhichSupplier = None) -> dict[str, Any]:
        """Submit a draft PO to its distributor, if the tenant lets this token do so: within
        its per-PO and per-day limits. Otherwise the PO stays a draft for a person to approve
        in the console, and the answer says why (submitted: false, reason)."""

        async def work(rt: Runtime, who: Principal) -> dict[str, Any]:
            async with rt.sessions() as session:
                po = await ordering.find_po(
                    session, shortcut=who.shortcut, po_number=po_number, supplier=supplier
                )
                if po.status != POStatus.DRAFT.value:
                    return {
                        "submitted": False, "po": _po(po),
                        "reason": f"the PO is {po.status}, not a draft: nothing was sent",
                    }  # fmt: skip
                why = await assistant.refusal(session, po, utcnow())
                if why is not None:
                    return {"submitted": False, "reason": why, "po": _po(po)}
                assistant.record_submission(session, po, who.actor)
                await session.commit()
                sent = await ordering.send_draft(session, po, _ctx(rt, who))
                return {"submitted": True, "po": _po(sent)}

        return await tools.call("submit_po", Scope.ORDER, {"po_number": po_number}, work)

    @server.tool(annotations=_READ_ONLY)
    async def show_po(po_number: PoNumber, supplier: WhichSupplier = None) -> dict[str, Any]:
        """One purchase order: its status, lines, supplier order numbers, shipments with
        carriers and tracking, invoices, who drafted it, and its latest events."""

        async def work(rt: Runtime, who: Principal) -> dict[str, Any]:
            async with rt.sessions() as session:
                return _po(
                    await ordering.find_po(
                        session, shortcut=who.shortcut, po_number=po_number, supplier=supplier
                    )
                )

        return await tools.call("show_po", Scope.READ, {"po_number": po_number}, work)

    @server.tool(annotations=_READ_ONLY)
    async def list_open_pos(
        limit: Annotated[int, Field(ge=1, le=200, description="Open POs to list, at most.")] = 50,
    ) -> dict[str, Any]:
        """The open purchase orders (not yet invoiced, cancelled or failed), newest first, and
        which of them wait for a person: drafts to approve, POs stopped for their price, POs
        held for review."""

        async def work(rt: Runtime, who: Principal) -> dict[str, Any]:
            async with rt.sessions() as session:
                found = await po_list.pos(
                    session, shortcut=who.shortcut, f=POFilter(), limit=500, newest_first=True
                )
            open_ = [po for po in found.rows if POStatus(po.status) not in FINAL][:limit]
            rows = [_summary(po) for po in open_]
            return {
                "open": rows,
                "waiting_for_a_person": [r for r in rows if r["waits_for"]],
            }

        return await tools.call("list_open_pos", Scope.READ, {"limit": limit}, work)

    @server.tool(annotations=ToolAnnotations(read_only_hint=False, open_world_hint=True))
    async def run_connection_test(supplier: SupplierKey, country_id: Country = 1) -> dict[str, Any]:
        """Run Test on a supplier connection (needs an admin token): each check (credentials,
        price and availability, ordering, webhooks ...) with its status and, for one that did
        not pass, exactly what to fix."""

        async def work(rt: Runtime, who: Principal) -> dict[str, Any]:
            async with rt.sessions() as session:
                report = await run_test(
                    session, shortcut=who.shortcut, supplier=registry.get(supplier).key,
                    country_id=country_id, suppliers=rt.suppliers,
                )  # fmt: skip
            found = report.to_json()
            found["fixes"] = [
                f"{c['name']}: {c.get('fix') or c['detail']}"
                for c in found["checks"]
                if c["status"] in ("fail", "warn")
            ]
            return found

        args = {"supplier": supplier, "country_id": country_id}
        return await tools.call("run_connection_test", Scope.ADMIN, args, work)

    @server.tool(annotations=_READ_ONLY)
    async def list_webhook_events(
        status: Annotated[
            Literal["received", "processed", "failed", "dead"] | None,
            Field(description="Only events in this state."),
        ] = None,
        limit: Annotated[int, Field(ge=1, le=100, description="Events to list, at most.")] = 20,
    ) -> dict[str, Any]:
        """The latest webhook events the distributors sent (newest first): type, status,
        what processing did with each, and the error of one that failed."""

        async def work(rt: Runtime, who: Principal) -> dict[str, Any]:
            async with rt.sessions() as session:
                found = await event_list.events(
                    session, EventFilter(who.shortcut, None, status, limit=limit)
                )
            return {"events": [event_lookup.to_json(e) for e in found.rows]}

        args = {"status": status, "limit": limit}
        return await tools.call("list_webhook_events", Scope.READ, args, work)

    _resources(server, tools)
    return server


def _resources(server: MCPServer, tools: Tools) -> None:
    async def read(
        name: str, scope: Scope, args: dict[str, Any], work: Callable[..., Awaitable[Any]]
    ) -> str:
        try:
            return json.dumps(await tools.call(name, scope, args, work), default=str)
        except ToolError as exc:
            raise ResourceError(str(exc)) from None

    @server.resource("disty://po/{po_number}", mime_type="application/json")
    async def po_resource(po_number: str) -> str:
        """A purchase order by its number: status, shipments, tracking, invoices."""

        async def work(rt: Runtime, who: Principal) -> dict[str, Any]:
            async with rt.sessions() as session:
                return _po(
                    await ordering.find_po(session, shortcut=who.shortcut, po_number=po_number)
                )

        return await read("resource.po", Scope.READ, {"po_number": po_number}, work)

    @server.resource("disty://product/{supplier}/{country_id}/{sku}", mime_type="application/json")
    async def product_resource(supplier: str, country_id: str, sku: str) -> str:
        """One product's details from one supplier's catalog."""

        async def work(rt: Runtime, who: Principal) -> dict[str, Any]:
            async with rt.sessions() as session:
                item = await catalog.details(
                    session, shortcut=who.shortcut, country_id=_country(country_id),
                    supplier=registry.get(supplier).key, sku=sku, suppliers=rt.suppliers,
                )  # fmt: skip
            return _plain(item)

        args = {"supplier": supplier, "sku": sku}
        return await read("resource.product", Scope.READ, args, work)

    @server.resource("disty://connection/{supplier}/{country_id}", mime_type="application/json")
    async def connection_resource(supplier: str, country_id: str) -> str:
        """A supplier connection's status (admin): its API type and its last Run Test."""

        async def work(rt: Runtime, who: Principal) -> dict[str, Any]:
            async with rt.sessions() as session:
                tenant = await get_tenant(session, who.shortcut)
                found = await get_connection(
                    session, tenant, registry.get(supplier).key, _country(country_id)
                )
                return {
                    "supplier": found.supplier,
                    "country_id": found.country_id,
                    "api_type": found.api_type,
                    "last_test_at": found.last_test_at.isoformat() if found.last_test_at else None,
                    "last_test": found.last_test_result,
                }

        return await read("resource.connection", Scope.ADMIN, {"supplier": supplier}, work)


def _country(value: str) -> int:
    if value not in ("1", "29"):
        raise NotFound(f"no country site {value!r}: use 1 (United States) or 29 (Canada)")
    return int(value)


async def _connected(session: Any, who: Principal, country_id: int) -> list[str]:
    return await connected_suppliers(session, who.shortcut, country_id)


async def _with_prices(
    session: Any, rt: Runtime, who: Principal, country_id: int, supplier: str, lines: list[LineIn]
) -> list[ordering.LineInput]:
    """The lines, each with an expected price: the one given, else today's live price (so a
    draft's value is known, for the person approving it and for the limits)."""
    key = registry.get(supplier).key
    missing = [x.sku for x in lines if x.expected_price is None]
    live: dict[str, Decimal] = {}
    if missing:
        offers = await price_and_availability(
            session, shortcut=who.shortcut, country_id=country_id, skus=missing,
            suppliers=rt.suppliers, only=[key],
        )  # fmt: skip
        live = {o.sku.upper(): o.price for o in offers if o.supplier == key and o.price is not None}
    return [
        ordering.LineInput(x.sku, x.quantity, x.expected_price or live.get(x.sku.strip().upper()))
        for x in lines
    ]


def _summary(po: Any) -> dict[str, Any]:
    waits = None
    if po.status == POStatus.DRAFT.value:
        waits = "approval: a draft a person submits in the console"
    elif po.status == POStatus.AWAITING_APPROVAL.value:
        waits = f"approval of its price: {po.approval_reason or 'the price changed'}"
    elif po.hold_for_review and po.status == POStatus.ON_HOLD.value:
        waits = "release: held for review"
    value = assistant.po_value(po)
    return {
        "po_number": po.po_number,
        "supplier": po.supplier,
        "status": po.status,
        "value": str(value) if value is not None else None,
        "drafted_by": po.origin,
        "created_at": po.created_at.isoformat(),
        "waits_for": waits,
    }


def _plain(value: Any) -> dict[str, Any]:
    import dataclasses

    data = dataclasses.asdict(value)
    data.pop("raw", None)
    return data
