"""From a stored connection to a ready adapter: decrypt, check completeness, build."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from disty.config import Settings
from disty.crypto import SecretBox
from disty.db.models import SupplierConnection
from disty.domain.connections import require_rest
from disty.errors import InvalidInput
from disty.services.connections import credentials, get_connection
from disty.services.tenants import get_tenant
from disty.suppliers.base import Capability, Supplier
from disty.suppliers.endpoints import check_base_url
from disty.suppliers.hub import SupplierHub
from disty.suppliers.ingram import IngramConfig

_REQUIRED = {
    "client_id": "client id (--client-id)",
    "client_secret": "client secret (--client-secret)",
    "customer_number": "customer number (--customer-number)",
}


def missing_settings(connection: SupplierConnection) -> list[str]:
    """What must still be saved before the supplier can be called, as a person names it."""
    present = {
        "client_id": connection.client_id,
        "client_secret": connection.client_secret_enc,
        "customer_number": connection.customer_number,
    }
    return [label for name, label in _REQUIRED.items() if not present[name]]


def usable_base_url(connection: SupplierConnection, settings: Settings) -> str:
    """The connection's base URL if secrets may go there now, else InvalidInput saying what an
    admin must change. Checked on every use, not only when saved: a row saved before the rule,
    or edited in the database, must not send a secret to another host either."""
    try:
        return check_base_url(
            connection.base_url,
            supplier=connection.supplier,
            allow_custom=settings.allow_custom_supplier_urls,
        )
    except InvalidInput as exc:
        raise InvalidInput(
            f"the connection's saved base URL is not allowed, so nothing was sent: {exc} "
            "(an admin changes it in the connection's settings)",
            field="base_url",
        ) from None


def adapter_for(
    connection: SupplierConnection, *, box: SecretBox, hub: SupplierHub, settings: Settings
) -> Supplier:
    """The adapter for a connection; refuses XML connections, incomplete ones and a base URL
    secrets may not go to, clearly."""
    base_url = usable_base_url(connection, settings)
    creds = credentials(connection, box)
    require_rest(creds.api_type)
    missing = missing_settings(connection)
    if missing:
        raise InvalidInput(
            "the connection is not complete: save its " + ", ".join(missing) + " first"
        )
    config = IngramConfig(
        base_url=base_url,
        # missing_settings() above guarantees these three are set.
        client_id=creds.client_id or "",
        client_secret=creds.client_secret or "",
        customer_number=creds.customer_number or "",
        country=creds.country_iso,
        sender_id=creds.sender_id,
        application_id=creds.application_id,
        contact_email=creds.contact_email,
        get_per_minute=settings.ingram_get_per_minute,
        pna_per_minute=settings.ingram_pna_per_minute,
    )
    return hub.ingram(config)


async def tenant_adapter(
    session: AsyncSession,
    *,
    shortcut: str,
    country_id: int,
    supplier: str,
    box: SecretBox,
    hub: SupplierHub,
    settings: Settings,
    need: Capability,
    what: str,
) -> Supplier:
    """The tenant's adapter for one supplier and country, refusing clearly when that supplier
    cannot do ``what`` (capability ``need``) at all."""
    tenant = await get_tenant(session, shortcut)
    connection = await get_connection(session, tenant, supplier, country_id)
    adapter = adapter_for(connection, box=box, hub=hub, settings=settings)
    if need not in adapter.capabilities:
        raise InvalidInput(f"{adapter.name} offers no {what} through its API", field="supplier")
    return adapter
