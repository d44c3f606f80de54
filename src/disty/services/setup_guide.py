"""What the console shows about a connection: its status in the Supplier Status box, and the
set-up guide whose steps tick themselves as disty sees each one done."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from disty.services.connections import ConnectionView
from disty.services.webhooks.refusals import WebhookHealth


@dataclass(frozen=True, slots=True)
class SupplierStatus:
    state: str  # connected, in_review, failing, not_configured
    label: str
    detail: str


def _check(result: dict[str, Any] | None, name: str) -> dict[str, Any] | None:
    for check in (result or {}).get("checks", []):
        if check.get("name") == name:
            return dict(check)
    return None


def supplier_status(view: ConnectionView | None) -> SupplierStatus:
    if view is None or not view.setting("client_id") or not view.setting("client_secret"):
        return SupplierStatus(
            "not_configured", "not configured", "Client ID and Client Secret are not saved yet."
        )
    if view.api_type.value == "xml":
        return SupplierStatus(
            "failing", "failing", "the XML API type is not available yet: switch to APIS"
        )
    result = view.last_test_result
    if result is None:
        return SupplierStatus("failing", "not tested", "Saved, but Run Test has not run yet.")
    if result.get("ok"):
        return SupplierStatus("connected", "connected", "Every required check passed.")
    access = _check(result, "api_access")
    if access is not None and access.get("status") == "fail":
        return SupplierStatus("in_review", "in review", str(access.get("detail") or ""))
    failed = [c for c in result.get("checks", []) if c.get("status") == "fail"]
    detail = str(failed[0].get("detail")) if failed else "A required check did not pass."
    return SupplierStatus("failing", "failing", detail)


@dataclass(frozen=True, slots=True)
class GuideStep:
    title: str
    explain: str
    done: bool
    copy: str | None = None  # a value to copy, shown with a copy button


def guide(view: ConnectionView | None, health: WebhookHealth | None) -> list[GuideStep]:
    saved = (
        view is not None and bool(view.setting("client_id")) and bool(view.setting("client_secret"))
    )
    access = _check(view.last_test_result if view else None, "api_access")
    approved = access is not None and access.get("status") == "pass"
    keyed = view is not None and bool(view.webhook_keys)
    delivered: datetime | None = health.last_verified_at if health else None
    url = view.webhook_url if view else None
    return [
        GuideStep(
            "Create a production app",
            "In Ingram Micro's developer portal, create an app for production use, not the "
            "sandbox app: the sandbox never sees your account.",
            saved,
        ),
        GuideStep(
            "Subscribe it to the v6 API products",
            "Subscribe the app to every v6 product disty uses (catalog, price and "
            "availability, orders, invoices). Leave v7 out unless you turn quotes into orders: "
            "v7 adds only that.",
            approved,
        ),
        GuideStep(
            "Paste the Client ID and Client Secret here, then Save and Exit",
            "The portal shows both on the app's page. The secret is stored encrypted and is "
            "never shown again, only its last four characters.",
            saved,
        ),
        GuideStep(
            "Wait for the app to be approved",
            "A new app sits In Review until Ingram Micro approves it. Press Run Test from time "
            "to time: this step ticks when the API gateway lets the app in.",
            approved,
        ),
        GuideStep(
            "Paste the webhook's Signature Token as a Webhook Key",
            "After approval, add a webhook to the app in the portal. Its Signature Token "
            "signs every delivery; disty verifies each one with it.",
            keyed,
        ),
        GuideStep(
            "Paste this Destination URL into the portal's webhook",
            "Exactly this address, so deliveries reach this tenant and country.",
            delivered is not None,
            copy=url,
        ),
        GuideStep(
            "Pick the notification events",
            "Order shipped, invoiced, on hold, voided and back-ordered, the v7 order result "
            "if you use quotes, and stock updates.",
            delivered is not None,
        ),
        GuideStep(
            "Send a test event",
            "Press Send Test Event in the portal. This step ticks when disty receives a "
            "delivery whose signature verifies.",
            delivered is not None,
        ),
    ]
