"""Returns (RMA claims): create, search, detail; created claims are kept.

A return names an invoice the app really has and a product on it, with a quantity no larger
than invoiced: the simulator checks these against its own invoices, so a client that returns
the wrong thing finds out here. Case numbers look like Ingram's (``CAS-12345-A1B2C3-1``).
"""

from __future__ import annotations

import secrets
import string
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from disty.simulator.ingram import errors, order_wire
from disty.simulator.ingram.calls import (
    Fields,
    admit,
    between_param,
    day_of,
    field_error,
    in_range,
    int_param,
    invalid,
    json_body,
    listed,
    page,
)
from disty.simulator.ingram.consts import OP_RETURN_CREATE, OP_RETURN_DETAIL, OP_RETURN_SEARCH
from disty.simulator.ingram.gateway import state_of
from disty.simulator.ingram.invoices import invoices_of

JSON = dict[str, Any]


def _case_number() -> str:
    code = "".join(
        secrets.choice(string.ascii_uppercase if i % 2 == 0 else string.digits) for i in range(6)
    )
    return f"CAS-{secrets.randbelow(90_000) + 10_000}-{code}-1"


def _links(case: str) -> list[JSON]:
    return [
        {"topic": "returnsClaimsDetails", "href": f"/resellers/v6/returns/{case}", "type": "get"}
    ]


async def create(request: Request) -> Response:
    ctx = await admit(request, OP_RETURN_CREATE)
    if isinstance(ctx, Response):
        return ctx
    state = state_of(request)
    now = state.clock.now()
    body = await json_body(request)
    items = body.get("list") if isinstance(body, dict) else None
    if not isinstance(items, list) or not items:
        return invalid(ctx, now, [field_error("list", "", "At least one return line is required")])
    invoices = {i.number: i for i in invoices_of(state, ctx.app.client_id)}
    bad: Fields = []
    accepted: list[tuple[JSON, Any, Any, int]] = []
    for n, item in enumerate(items):
        if not isinstance(item, dict):
            bad.append(field_error(f"list[{n}]", "", "Each return line must be an object"))
            continue
        inv = invoices.get(str(item.get("invoiceNumber", "")).replace("-", "").upper())
        if inv is None:
            bad.append(
                field_error(
                    f"list[{n}].invoiceNumber", item.get("invoiceNumber"), "Invoice not found"
                )
            )
            continue
        ipn = str(item.get("ingramPartNumber") or "")
        part = next(((ln, s) for ln, s in inv.parts if ln.product.ingram_part_number == ipn), None)
        if part is None:
            bad.append(
                field_error(f"list[{n}].ingramPartNumber", ipn, "Product not on this invoice")
            )
            continue
        qty_raw = item.get("quantity")
        qty = int(qty_raw) if isinstance(qty_raw, int | str) and str(qty_raw).isdigit() else 0
        if not 1 <= qty <= part[1].quantity:
            bad.append(
                field_error(
                    f"list[{n}].quantity", qty_raw, f"quantity must be 1 to {part[1].quantity}"
                )
            )
            continue
        accepted.append((item, inv, part, qty))
    if bad:
        return invalid(ctx, now, bad)
    claims = []
    for item, inv, (ln, _s), qty in accepted:
        case = _case_number()
        claim = {
            "client_id": ctx.app.client_id,
            "rmaClaimId": "RMA" + case[4:9],  # found again by search's returnClaimId
            "caseRequestNumber": case,
            "referenceNumber": str(item.get("referenceNumber") or ""),
            "createdOn": order_wire.stamp(now),
            "modifiedOn": order_wire.stamp(now),
            "type": "CLAIM",
            "returnReason": str(item.get("primaryReason") or ""),
            "ingramPartNumber": ln.product.ingram_part_number,
            "vendorPartNumber": ln.product.vendor_part_number,
            "description": ln.product.description,
            "upc": ln.product.upc,
            "quantity": qty,
            "unitPrice": ln.unit_price,
            "notes": str(item.get("notes") or ""),
            "invoiceNumber": inv.number,
            "invoiceDate": order_wire.stamp(inv.date),
            "customerOrderNumber": inv.order.customer_order_number,
            "estimatedTotalValue": round(ln.unit_price * qty, 2),
            "status": "Open",
            "warehouse": ln.warehouse.id,
        }
        state.returns[case] = claim
        claims.append(
            {
                k: claim[k]
                for k in (
                    "rmaClaimId",
                    "caseRequestNumber",
                    "referenceNumber",
                    "createdOn",
                    "type",
                    "returnReason",
                    "ingramPartNumber",
                    "vendorPartNumber",
                    "quantity",
                    "notes",
                    "estimatedTotalValue",
                    "status",
                )
            }
            # The create answer's schema types createdOn as a date (the SDK enforces it).
            | {"createdOn": order_wire.day(now), "credit": None, "links": _links(case)}
        )
    return JSONResponse({"returnsClaims": claims}, headers=ctx.headers)


async def search(request: Request) -> Response:
    ctx = await admit(request, OP_RETURN_SEARCH)
    if isinstance(ctx, Response):
        return ctx
    state = state_of(request)
    now = state.clock.now()
    q = request.query_params
    bad: Fields = []
    size = int_param(q.get("size"), 25, "size", bad, hi=100)
    number = int_param(q.get("page"), 1, "page", bad)
    created = between_param(q, "createdOn-bt", bad)
    modified = between_param(q, "modifiedOn-bt", bad)
    if bad:
        return invalid(ctx, now, bad)
    found = [
        c
        for c in state.returns.values()
        if c["client_id"] == ctx.app.client_id
        and in_range(day_of(c["createdOn"]), created)
        and in_range(day_of(c["modifiedOn"]), modified)
    ]
    for key, field in (
        ("caseRequestNumber", "caseRequestNumber"),
        ("invoiceNumber", "invoiceNumber"),
        ("referenceNumber", "referenceNumber"),
        ("ingramPartNumber", "ingramPartNumber"),
        ("vendorPartNumber", "vendorPartNumber"),
        ("returnClaimId", "rmaClaimId"),
    ):
        if q.get(key):
            found = [
                c
                for c in found
                if str(c[field]).upper() == q[key].replace("-", "").upper() or c[field] == q[key]
            ]
    # Claim and return status are one status here (a claim is the return request).
    for key, field in (
        ("returnStatus-in", "status"),
        ("claimStatus-in", "status"),
        ("returnReason-in", "returnReason"),
    ):
        wanted = listed(q, key)
        if wanted:
            found = [c for c in found if c[field].lower() in wanted]
    body = {
        "recordsFound": len(found),
        "pageSize": size,
        "pageNumber": number,
        "returnsClaims": [
            {
                "returnClaimId": c["rmaClaimId"],
                "caseRequestNumber": c["caseRequestNumber"],
                "createdOn": c["createdOn"],
                "type": "Claim",
                "returnReason": c["returnReason"],
                "referenceNumber": c["referenceNumber"],
                "estimatedTotalValue": c["estimatedTotalValue"],
                "credit": 0,
                "modifiedOn": c["modifiedOn"],
                "status": c["status"].upper(),
                "links": _links(c["caseRequestNumber"]),
            }
            for c in page(found, number, size)
        ],
        # Empty links are "" on every search (invoices, orders, renewals, deals, returns).
        "nextPage": f"/resellers/v6/returns/search?size={size}&page={number + 1}"
        if number * size < len(found)
        else "",
        "previousPage": f"/resellers/v6/returns/search?size={size}&page={number - 1}"
        if number > 1
        else "",
    }
    return JSONResponse(body, headers=ctx.headers)


async def detail(request: Request) -> Response:
    ctx = await admit(request, OP_RETURN_DETAIL)
    if isinstance(ctx, Response):
        return ctx
    state = state_of(request)
    now = state.clock.now()
    c = state.returns.get(request.path_params["caseRequestNumber"])
    if c is None or c["client_id"] != ctx.app.client_id:
        return errors.not_found(correlation_id=ctx.correlation_id, now=now, headers=ctx.headers)
    body = {
        "typeOfDetails": "Claim",
        "rmaClaimId": c["rmaClaimId"],
        "caseRequestNumber": c["caseRequestNumber"],
        "createdOn": c["createdOn"],
        "returnReason": c["returnReason"],
        "referenceNumber": c["referenceNumber"],
        "status": c["status"],
        "returnWarehouseAddress": f"Ingram Micro Returns (ref RMA {c['caseRequestNumber']})",
        "products": [
            {
                "ingramLineNumber": 1,
                "description": c["description"],
                "ingramPartNumber": c["ingramPartNumber"],
                "vendorPartNumber": c["vendorPartNumber"],
                "upc": c["upc"],
                "invoiceDate": c["invoiceDate"],
                "invoiceNumber": c["invoiceNumber"],
                "customerOrderNumber": c["customerOrderNumber"],
                "quantity": c["quantity"],
                "unitPrice": c["unitPrice"],
                "extendedPrice": c["estimatedTotalValue"],
                "status": c["status"],
                "returnBranch": c["warehouse"],
                "shipFromBranch": c["warehouse"],
                "requestDetails": None,
                "additionalDetails": None,
            }
        ],
        "subTotal": c["estimatedTotalValue"],
        "tax": 0,
        "additionalFees": 0,
        "estimatedTotal": c["estimatedTotalValue"],
    }
    return JSONResponse(body, headers=ctx.headers)
