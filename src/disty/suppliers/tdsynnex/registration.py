"""What disty needs to know about TD SYNNEX: the one registration suppliers/registry.py reads
from this package."""

from __future__ import annotations

from typing import TYPE_CHECKING

from disty.domain.connections import ApiType
from disty.suppliers.registry import ConnectionSettings, Registration
from disty.suppliers.tdsynnex import consts, ship_notices
from disty.suppliers.tdsynnex.guide import guide
from disty.suppliers.tdsynnex.settings import CREDENTIALS_FIX, SETTINGS

if TYPE_CHECKING:
    from disty.config import Settings
    from disty.suppliers.base import Supplier
    from disty.suppliers.hub import SupplierHub


def host_for(base_url: str, country_iso: str) -> str:
    """The base URL to call: a declared endpoint names the environment (production or test),
    and the connection's country picks that environment's host (a Canadian connection left on
    the default US host talks to the Canadian one). Any other URL is used as it is."""
    url = base_url.rstrip("/")
    wanted = consts.ENDPOINTS_BY_COUNTRY.get(country_iso)
    if wanted is None:
        return url
    for production, test in consts.ENDPOINTS_BY_COUNTRY.values():
        if url == production:
            return wanted[0]
        if url == test:
            return wanted[1]
    return url


def xml_adapter(connection: ConnectionSettings, hub: SupplierHub, settings: Settings) -> Supplier:
    """The adapter over EC Express XML."""
    from disty.suppliers.tdsynnex.rest.token import RestTokens
    from disty.suppliers.tdsynnex.xml.adapter import TdSynnexSupplier
    from disty.suppliers.tdsynnex.xml.client import TdSynnexClient, TdSynnexConfig

    config = TdSynnexConfig(
        base_url=host_for(connection.base_url, connection.country_iso),
        customer_number=connection.require("customer_number"),
        user=connection.require("xml_user"),
        password=connection.require("xml_password"),
        country=connection.country_iso,
        ship_from_warehouse=connection.get("ship_from_warehouse"),
        rest_client_id=connection.get("rest_client_id"),
        rest_client_secret=connection.get("rest_client_secret"),
        ship_method=connection.get("ship_method"),
    )
    parts = hub.client_parts()
    return TdSynnexSupplier(
        TdSynnexClient(config, **parts),
        RestTokens(config, http=parts["http"], policy=parts["policy"], sleep=parts["sleep"]),
    )


REGISTRATION = Registration(
    key=consts.KEY,
    name=consts.NAME,
    countries=(1, 29),
    endpoints=consts.ENDPOINTS,
    settings=SETTINGS,
    adapters={ApiType.XML: xml_adapter},
    api_types={ApiType.XML: "EC Express XML"},
    capabilities=consts.CAPABILITIES,
    checks=consts.CHECKS,
    check_titles=consts.CHECK_TITLES,
    credentials_fix=CREDENTIALS_FIX,
    setup_guide=guide,
    address_limits=consts.ADDRESS_LIMITS,
    stored_addresses=False,  # NOTES 4.1: every PO carries its whole ShipTo
    ship_notices=ship_notices.CODEC,
)
