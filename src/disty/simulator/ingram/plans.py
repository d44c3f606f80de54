"""Subscription (cloud) plans and vendor-required information (VMFs / VRIs).

Plans: ``PLANS`` subscription plans per catalog, each one of the catalog's digital products (the
first ones from index 0, so every run and every endpoint agrees). Product detail finds a plan
by ``planId`` or ``planName`` (case-insensitive) and answers the product's detail with its
``subscriptionDetails``.

Vendor-required info (``POST /resellers/v7/vendorrequiredinfo``, in the official SDK 1.3.0, not
in the spec version we hold): one answer row per product asked for (by Ingram part number,
vendor part number or plan id) or per product of the quote named. Products whose vendor wants
end-user details (``endUserRequired``) list them in ``vmfAdditionalAttributes``; plans list
theirs in ``vriAdditionalAttributes``; an unknown product answers a ``responseMessages`` error.
No HTTP here: ``routes_catalog`` calls these.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from disty.simulator.ingram.catalog import Catalog, Product

JSON = dict[str, Any]
PLANS = 6
_SCAN = 5000  # digital products are common: the first few thousand hold far more than PLANS


@dataclass(frozen=True, slots=True)
class Plan:
    plan_id: str
    plan_name: str
    product: Product


def plans(catalog: Catalog) -> list[Plan]:
    out: list[Plan] = []
    for i in range(min(_SCAN, catalog.size)):
        p = catalog.product(i)
        if p.digital:
            n = len(out) + 1
            term = "Annual" if n % 2 else "Monthly"
            out.append(Plan(f"SIMPLAN{n:04d}", f"{p.vendor_name} {p.description} {term}", p))
            if len(out) == PLANS:
                break
    return out


def find_plan(catalog: Catalog, plan_id: str = "", plan_name: str = "") -> Plan | None:
    for plan in plans(catalog):
        if plan_id and plan.plan_id.lower() != plan_id.strip().lower():
            continue
        if plan_name and plan.plan_name.lower() != plan_name.strip().lower():
            continue
        if plan_id or plan_name:
            return plan
    return None


def subscription_details(plan: Plan) -> list[JSON]:
    annual = plan.plan_name.endswith("Annual")
    return [
        {
            "planId": plan.plan_id,
            "planName": plan.plan_name,
            "planDescription": plan.product.description,
            "groups": [{"groupName": plan.product.category, "groupDescription": ""}],
            "subscriptionPeriod": [
                {
                    "subscriptionPeriodUnit": "Years" if annual else "Months",
                    "subscriptionPeriod": "1",
                }
            ],
            "billingPeriod": {"billingPeriodUnit": "Months", "billingPeriod": "1"},
            "options": [
                {
                    "resourceId": plan.plan_id + "-SEAT",
                    "resourceName": "Seats",
                    "vendorPartNumber": plan.product.vendor_part_number,
                    "minUnits": "1",
                    "maxUnits": "10000",
                    "dependsOn": "",
                }
            ],
            "links": [],
            "nextPage": "",
            "previousPage": "",
        }
    ]


_VMF = [
    ("endUserCompanyName", "End user company name"),
    ("endUserContactEmail", "End user contact e-mail"),
]
_VRI = [
    ("customerDomain", "The end customer's tenant domain"),
    ("customerAdminEmail", "The end customer's administrator e-mail"),
]


def _attributes(pairs: list[tuple[str, str]]) -> list[JSON]:
    return [
        {
            "attributeName": name,
            "attributeValue": "",
            "attributeDescription": text,
            "attributeHint": "Required by the vendor",
            "choices": [],
        }
        for name, text in pairs
    ]


def required_info(
    product: Product | None, plan: Plan | None, asked: JSON, quote_number: str, trace_id: str
) -> JSON:
    """One answer row: what the vendor needs on an order of this product or plan."""
    row: JSON = {
        "quoteNumber": quote_number,
        "ingramPartNumber": product.ingram_part_number
        if product
        else asked.get("ingramPartNumber") or "",
        "vendorPartNumber": product.vendor_part_number
        if product
        else asked.get("vendorPartNumber") or "",
        "planId": plan.plan_id if plan else asked.get("planID") or "",
        "planName": plan.plan_name if plan else "",
        "responseMessages": [],
        "vmfAdditionalAttributes": [],
        "vriAdditionalAttributes": [],
    }
    if product is None:
        row["responseMessages"] = [
            {"id": "1", "traceId": trace_id, "type": "error", "message": "Product not found"}
        ]
    elif plan is not None:
        row["vriAdditionalAttributes"] = _attributes(_VRI)
    elif product.end_user_required:
        row["vmfAdditionalAttributes"] = [
            {
                "vendorName": product.vendor_name,
                "productId": product.ingram_part_number,
                "additionalAttributes": _attributes(_VMF),
            }
        ]
    return row
