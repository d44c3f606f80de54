"""Run Test for TD SYNNEX: each check talks to TD SYNNEX without placing anything, and each
failure says what to do."""

from __future__ import annotations

from disty.domain.checks import Check, CheckStatus
from disty.suppliers.errors import AuthenticationFailed, SupplierError
from disty.suppliers.tdsynnex import consts
from disty.suppliers.tdsynnex.settings import CREDENTIALS_FIX
from disty.suppliers.tdsynnex.xml.client import TdSynnexClient, text


async def run_checks(client: TdSynnexClient) -> list[Check]:
    """Run Test's checks, in consts.CHECKS' order, each failure with its fix."""
    try:
        rows = await client.price_and_availability([("synnexSKU", consts.PROBE_SKU)])
    except AuthenticationFailed as exc:
        return [
            Check("credentials", CheckStatus.FAIL, True, str(exc), CREDENTIALS_FIX),
            Check(
                "price_availability",
                CheckStatus.SKIP,
                True,
                "not run: the credentials check failed",
            ),
        ]
    except SupplierError as exc:
        return [
            Check(
                "credentials",
                CheckStatus.FAIL,
                True,
                str(exc),
                "Check the base URL and that this server reaches TD SYNNEX, then test again.",
            ),
            Check(
                "price_availability",
                CheckStatus.SKIP,
                True,
                "not run: the credentials check failed",
            ),
        ]
    checks = [
        Check(
            "credentials",
            CheckStatus.PASS,
            True,
            f"{consts.NAME} accepted customer number {client.config.customer_number} "
            "and the EC Express XML user.",
        )
    ]
    answered = [r for r in rows if text(r, "lineNumber") == "1" and text(r, "status")]
    if answered:
        checks.append(
            Check(
                "price_availability",
                CheckStatus.PASS,
                True,
                f"{consts.NAME} answers price and availability (probe SKU "
                f"{consts.PROBE_SKU}: {text(answered[0], 'status')}).",
            )
        )
    else:
        checks.append(
            Check(
                "price_availability",
                CheckStatus.FAIL,
                True,
                f"{consts.NAME} accepted the login but answered no price and availability row.",
                "Ask TD SYNNEX's XML team to enable XML price and availability for the "
                "account, then test again.",
            )
        )
    return checks
