"""Ingram Micro's set-up guide: the steps from its developer portal to a verified webhook,
as the console shows them, each ticking itself from what disty sees."""

from __future__ import annotations

from disty.domain.guide import GuideStep, SetupState


def guide(state: SetupState) -> list[GuideStep]:
    if "xml_login_id" in state.saved and "client_id" not in state.saved:
        return _xml_guide(state)
    saved = {"client_id", "client_secret"} <= state.saved
    approved = state.passed("api_access")
    keyed = state.webhook_keys > 0
    delivered = state.last_delivery_at is not None
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
            delivered,
            copy=state.destination_url,
        ),
        GuideStep(
            "Pick the notification events",
            "Order shipped, invoiced, on hold, voided and back-ordered, the v7 order result "
            "if you use quotes, and stock updates.",
            delivered,
        ),
        GuideStep(
            "Send a test event",
            "Press Send Test Event in the portal. This step ticks when disty receives a "
            "delivery whose signature verifies.",
            delivered,
        ),
    ]


def _xml_guide(state: SetupState) -> list[GuideStep]:
    """API type XML (IM-XML): a login Ingram issues, no portal app. Orders are followed by
    polling; webhooks need the REST app as well."""
    saved = {"xml_login_id", "xml_password"} <= state.saved
    return [
        GuideStep(
            "Get your IM-XML login from Ingram Micro",
            "Ingram Micro's e-commerce team issues the XML Login ID and Password (6 to 10 "
            "characters each; not your web login). Ask your sales rep if you do not have them. "
            "New integrations are steered to APIS (Recommended).",
            saved,
        ),
        GuideStep(
            "Enter the XML Login ID and XML Password here, then Save and Exit",
            "The password is stored encrypted and is never shown again, only its last four "
            "characters.",
            saved,
        ),
        GuideStep(
            "Press Run Test",
            "It checks the login and each transaction disty uses (price and availability, "
            "order status, detail and tracking); ask Ingram to enable any it refuses. Ordering "
            "is not tested: it would place an order.",
            state.passed("xml_login") and state.passed("order_status"),
        ),
        GuideStep(
            "Place a first order",
            "XML has no webhooks: disty follows each order by asking Ingram from time to time.",
            state.orders_placed > 0,
        ),
    ]
