"""Run Test: check each capability of a connection separately, say exactly what to fix, and
record the result on the connection (the CLI, the API and the console all call this)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from disty.config import Settings
from disty.crypto import SecretBox
from disty.db.base import utcnow
from disty.db.models import SupplierConnection
from disty.domain.checks import Check, CheckStatus, RunTestReport
from disty.domain.connections import ApiType
from disty.errors import InvalidInput
from disty.services.connections import get_connection, verification_keys
from disty.services.inbox import WebhookHealth, webhook_health
from disty.services.suppliers import adapter_for, missing_settings, usable_base_url
from disty.services.tenants import get_tenant
from disty.suppliers.hub import SupplierHub
from disty.suppliers.ingram import IngramSupplier


async def run_test(
    session: AsyncSession,
    *,
    shortcut: str,
    supplier: str,
    country_id: int,
    box: SecretBox,
    hub: SupplierHub,
    settings: Settings,
) -> RunTestReport:
    tenant = await get_tenant(session, shortcut)
    connection = await get_connection(session, tenant, supplier, country_id)
    tested_at = utcnow()
    checks: list[Check]
    if ApiType(connection.api_type) is ApiType.XML:
        checks = [
            Check(
                "api_type",
                CheckStatus.FAIL,
                True,
                "the XML API type is not available yet: switch to APIS (Recommended)",
                "Set API Type to APIS (Recommended) (--api-type rest) and save the client id "
                "and secret of a production app from Ingram Micro's developer portal.",
            )
        ]
    else:
        missing = missing_settings(connection)
        url_refused = _base_url_refused(connection, settings)
        if url_refused is not None:
            # Nothing is sent, not even the token request: the secret would go to that host.
            checks = [
                url_refused,
                *(
                    Check(name, CheckStatus.SKIP, required, "not run: the base URL is not allowed")
                    for name, required in IngramSupplier.checks
                ),
            ]
        elif missing:
            checks = [
                Check(
                    "credentials",
                    CheckStatus.FAIL,
                    True,
                    "Not saved yet: " + ", ".join(missing) + ".",
                    "Paste them from the production app in Ingram Micro's developer portal, "
                    "save, and run the test again.",
                ),
                *(
                    Check(name, CheckStatus.SKIP, required, "not run: the credentials check failed")
                    for name, required in IngramSupplier.checks[1:]
                ),
            ]
        else:
            adapter = adapter_for(connection, box=box, hub=hub, settings=settings)
            checks = await adapter.run_checks()
        checks.append(_webhook_key_check(verification_keys(connection, box)))
        checks.append(_webhook_seen_check(await webhook_health(session, connection.id)))
    report = RunTestReport(tested_at=tested_at, checks=checks)
    connection.last_test_at = tested_at
    connection.last_test_result = report.to_json()
    await session.commit()
    return report


def _base_url_refused(connection: SupplierConnection, settings: Settings) -> Check | None:
    try:
        usable_base_url(connection, settings)
    except InvalidInput as exc:
        return Check(
            "base_url",
            CheckStatus.FAIL,
            True,
            str(exc),
            "Set the base URL to the distributor's own https endpoint (the default) and save.",
        )
    return None


def _webhook_key_check(keys: list[str]) -> Check:
    if keys:
        return Check(
            "webhook_key", CheckStatus.PASS, False, f"{len(keys)} webhook key(s) configured."
        )
    return Check(
        "webhook_key",
        CheckStatus.WARN,
        False,
        "No webhook key yet: order updates will arrive by polling only.",
        "Once Ingram approves the app, create a webhook in the developer portal with disty's "
        "Destination URL (disty webhook url) and paste its Signature Token here "
        "(--webhook-key).",
    )


_REASONS = {
    "missing_signature": "no x-hub-signature header",
    "bad_signature": "a signature that matches no webhook key",
    "no_event_id": "no eventId",
    "no_key_configured": "no webhook key saved yet",
    "malformed_json": "a body that is not JSON",
    "too_large": "a body over 10 MiB",
    "too_many_events": "more events in one delivery than disty accepts",
}


def _webhook_seen_check(health: WebhookHealth) -> Check:
    """Optional: whether the distributor's deliveries reach disty and verify."""
    refused = ", ".join(
        f"{count} with {_REASONS.get(reason, reason)}" for reason, count in health.rejected.items()
    )
    if health.last_verified_at is None and not refused:
        return Check(
            "webhook_seen",
            CheckStatus.WARN,
            False,
            "No webhook delivery has reached disty yet.",
            "In the developer portal, open the app's webhook and press Send Test Event; "
            "its Destination URL must be exactly what 'disty webhook url' prints.",
        )
    last = (
        f"Last verified delivery {health.last_verified_at:%Y-%m-%d %H:%M} UTC."
        if health.last_verified_at
        else "No verified delivery yet."
    )
    if refused:
        return Check(
            "webhook_seen",
            CheckStatus.WARN,
            False,
            f"{last} Refused deliveries since (counts in all): {refused}.",
            "A signature that matches no key means the Signature Token in disty is not the "
            "webhook's current one: paste it again (Generate New Key in the portal replaces "
            "it). Refusals from strangers need no action.",
        )
    return Check("webhook_seen", CheckStatus.PASS, False, last)
