"""Run Test: check each capability of a connection separately, say exactly what to fix, and
record the result on the connection (the CLI, the API and the console all call this)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from disty.config import Settings
from disty.crypto import SecretBox
from disty.db.base import utcnow
from disty.domain.checks import Check, CheckStatus, RunTestReport
from disty.domain.connections import ApiType
from disty.services.connections import get_connection, verification_keys
from disty.services.suppliers import adapter_for, missing_settings
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
        if missing:
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
    report = RunTestReport(tested_at=tested_at, checks=checks)
    connection.last_test_at = tested_at
    connection.last_test_result = report.to_json()
    await session.commit()
    return report


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
