"""Quotes as Ingram keeps them: three standing quotes per app and the quotes it created.

Every app sees three standing quotes computed from the catalog (so search is never empty and
two runs agree) plus the quotes it created. A created quote is found again by search and
detail, can be validated, ordered through v7 (``quoteNumber``), and raises an
``im::quote_create`` webhook. Quote numbers look like Ingram's: ``QUO-12345678-A1B2C3``.
No HTTP here: ``routes_quotes`` checks requests and renders answers.
"""

from __future__ import annotations

import secrets
import string
from typing import Any

from disty.simulator.ingram import order_wire
from disty.simulator.ingram.state import SimState

JSON = dict[str, Any]
DAY_S = 86400.0


def _quote_number(n: int) -> str:
    code = "".join(
        string.ascii_uppercase[(n * 7 + i * 3) % 26] + str((n * 3 + i * 7) % 10) for i in range(3)
    )
    return f"QUO-{10_000_000 + n * 7919}-{code}"


def _standing(state: SimState, client_id: str) -> list[JSON]:
    out = []
    start = state.clock.now() - 30 * DAY_S
    for n in range(1, 4):
        products = [state.catalog.product((n * 37 + k * 11) % state.catalog.size) for k in range(n)]
        out.append(
            _make(
                client_id,
                _quote_number(n),
                f"Standing quote {n}",
                [(p.ingram_part_number, 1 + k) for k, p in enumerate(products)],
                state,
                start + n * DAY_S,
                {"companyName": f"END USER {n}", "contact": f"BUYER {n}"},
                deal_id=f"SIM-DEAL-{n:04d}",
            )
        )
    return out


def _make(
    client_id: str,
    number: str,
    name: str,
    items: list[tuple[str, int]],
    state: SimState,
    created_at: float,
    end_user: dict[str, str],
    deal_id: str = "",
    country: str = "US",
) -> JSON:
    products: list[JSON] = []
    for ipn, qty in items:
        p = state.catalog.by_ingram_part_number(ipn)
        if p is None:
            continue
        price = p.price(country, p.customer_cents - p.customer_cents // 10)
        msrp = p.price(country, p.retail_cents)
        products.append(
            {
                "quoteProductGuid": f"{number}-{ipn}",
                "lineNumber": str(len(products) + 1),
                "quantity": qty,
                "ean": p.upc,
                "coo": "US",
                "ingramPartNumber": ipn,
                "vendorPartNumber": p.vendor_part_number,
                "vendorName": p.vendor_name,
                "description": p.description,
                "weight": p.weight_kg,
                "isSuggestionProduct": False,
                "terms": "",
                "price": {
                    "quotePrice": price,
                    "msrp": msrp,
                    "extendedMsrp": round(msrp * qty, 2),
                    "extendedQuotePrice": round(price * qty, 2),
                    "discountOffList": f"{(1 - price / msrp) * 100 if msrp else 0:.2f}",
                },
            }
        )
    return {
        "client_id": client_id,
        "quoteNumber": number,
        "quoteName": name,
        "created_at": created_at,
        "end_user": end_user,
        "specialBidId": deal_id,
        "products": products,
        "status": "Active",
        "currencyCode": "CAD" if country == "CA" else "USD",
    }


def all_quotes(state: SimState, client_id: str) -> list[JSON]:
    own = [q for q in state.quotes.values() if q["client_id"] == client_id]
    return _standing(state, client_id) + own


def find_quote(state: SimState, client_id: str, number: str) -> JSON | None:
    return next((q for q in all_quotes(state, client_id) if q["quoteNumber"] == number), None)


def create_quote(
    state: SimState,
    client_id: str,
    country: str,
    name: str,
    items: list[tuple[str, int]],
    end_user: dict[str, str],
    deal_id: str,
    customer_need: str,
    now: float,
) -> JSON:
    """Make, keep and announce (``im::quote_create``) a quote the app asked for."""
    number = f"QUO-{secrets.randbelow(90_000_000) + 10_000_000}-" + "".join(
        secrets.choice(string.ascii_uppercase) if i % 2 == 0 else secrets.choice(string.digits)
        for i in range(6)
    )
    quote = _make(
        client_id, number, name, items, state, now, end_user, deal_id=deal_id, country=country
    )
    quote["customerNeed"] = customer_need
    state.quotes[number] = quote
    state.webhooks.emit(
        "quote_create",
        client_id,
        {
            "topic": "resellers/quotes",
            "event": "im::created",
            "eventTimeStamp": order_wire.stamp_ms(now),
            "customerOrderNumber": "",
            "resource": [
                {
                    "eventType": "im::quote_create",
                    "quoteNumber": number,
                    "quoteName": quote["quoteName"],
                    "links": [
                        {"topic": "quotes", "href": f"/resellers/v6/quotes/{number}", "type": "GET"}
                    ],
                }
            ],
        },
        country,
    )
    return quote
