"""Run Test: check each capability of a connection separately, say exactly what to fix, and
record the result on the connection (the CLI, the API and the console all call this)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from disty.config import Settings
from disty.db.base import utcnow
from disty.db.models import SupplierConnection
from disty.domain.checks import Check, CheckStatus, RunTestReport
from disty.domain.connections import ApiType
from disty.errors import ApiTypeNotAvailable, InvalidInput
from disty.services.connections import get_connection, verification_keys
from disty.services.suppliers import Suppliers, missing_settings, usable_base_url
from disty.services.tenants import get_tenant
from disty.services.webhooks.refusals import Refusal, WebhookHealth, webhook_health
from disty.suppliers import registry
from disty.suppliers.registry import Registration
from disty.suppliers.webhooks import WebhookCodec


async def run_test(
    session: AsyncSession,
    *,
    shortcut: str,
    supplier: str,
    country_id: int,
    suppliers: Suppliers,
) -> RunTestReport:
    tenant = await get_tenant(session, shortcut)
    connection = await get_connection(session, tenant, supplier, country_id)
    registration = registry.get(connection.supplier)
    tested_at = utcnow()
    checks = await _supplier_checks(connection, registration, suppliers)
    # A supplier without webhooks is followed by polling; an API type disty cannot use yet
    # answers its one failing check alone.
    usable = checks[0].name != _API_TYPE
    if registration.webhooks is not None and usable:
        keys = verification_keys(connection, suppliers.box)
        health = await webhook_health(session, connection.id)
        checks.append(_webhook_key_check(registration.webhooks, keys))
        checks.append(_webhook_seen_check(registration.webhooks, health))
    report = RunTestReport(tested_at=tested_at, checks=checks)
    connection.last_test_at = tested_at
    connection.last_test_result = report.to_json()
    await session.commit()
    return report


_API_TYPE = "api_type"


async def _supplier_checks(
    connection: SupplierConnection, registration: Registration, suppliers: Suppliers
) -> list[Check]:
    """The checks that talk to the supplier, or why none could run (each of them then SKIP)."""
    api_type = ApiType(connection.api_type)
    try:
        registration.factory(api_type)
    except ApiTypeNotAvailable as exc:
        labels = [registration.api_type_label(t) for t in registration.adapters]
        usable = " or ".join(
            f"{label} (--api-type {t.value})"
            for label, t in zip(labels, registration.adapters, strict=True)
        )
        return [
            Check(
                "api_type",
                CheckStatus.FAIL,
                True,
                str(exc),
                f"Set API Type to {usable} and save its settings.",
                console_fix=f"Choose API Type {' or '.join(labels)} above and save.",
            )
        ]
    url_refused = _base_url_refused(connection, suppliers.settings)
    if url_refused is not None:
        # Nothing is sent, not even the token request: the secret would go to that host.
        return [
            url_refused,
            *_skipped(registration.checks_for(api_type), "the base URL is not allowed"),
        ]
    missing = missing_settings(connection)
    if missing:
        first, *rest = registration.checks_for(api_type)
        shown = missing_settings(connection, console=True)
        return [
            Check(
                first[0], CheckStatus.FAIL, first[1], "Not saved yet: " + ", ".join(missing) + ".",
                registration.credentials_fix,
                console_detail="Not saved yet: " + ", ".join(shown) + ".",
            ),
            *_skipped(rest, "the credentials check failed"),
        ]  # fmt: skip
    return await suppliers.adapter(connection).run_checks()


def _skipped(checks: Sequence[tuple[str, bool]], why: str) -> list[Check]:
    return [Check(name, CheckStatus.SKIP, required, f"not run: {why}") for name, required in checks]


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


def _webhook_key_check(codec: WebhookCodec, keys: list[str]) -> Check:
    if keys:
        return Check(
            "webhook_key", CheckStatus.PASS, False, f"{len(keys)} webhook key(s) configured."
        )
    return Check(
        "webhook_key",
        CheckStatus.WARN,
        False,
        "No webhook key yet: order updates will arrive by polling only.",
        codec.key_fix.cli,
        console_fix=codec.key_fix.console,
    )


def _seen(codec: WebhookCodec, reason: str) -> str:
    try:
        return Refusal(reason).seen(codec)
    except ValueError:  # a reason this version no longer gives
        return reason


def _webhook_seen_check(codec: WebhookCodec, health: WebhookHealth) -> Check:
    """Optional: whether the distributor's deliveries reach disty and verify."""
    refused = ", ".join(
        f"{count} with {_seen(codec, reason)}" for reason, count in health.rejected.items()
    )
    if health.last_verified_at is None and not refused:
        return Check(
            "webhook_seen",
            CheckStatus.WARN,
            False,
            "No webhook delivery has reached disty yet.",
            codec.test_delivery_fix.cli,
            console_fix=codec.test_delivery_fix.console,
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
            codec.stale_key_fix.cli,
            console_fix=codec.stale_key_fix.console,
        )
    return Check("webhook_seen", CheckStatus.PASS, False, last)
