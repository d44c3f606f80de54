"""What disty needs to know about Ingram Micro: the one registration suppliers/registry.py
reads from this package."""

from __future__ import annotations

from typing import TYPE_CHECKING

from disty.domain.connections import ApiType
from disty.suppliers.ingram import consts
from disty.suppliers.ingram.guide import guide
from disty.suppliers.ingram.settings import CREDENTIALS_FIX, SETTINGS
from disty.suppliers.ingram.webhooks import CODEC, EVENT_LABELS
from disty.suppliers.registry import ConnectionSettings, Registration

if TYPE_CHECKING:
    from disty.config import Settings
    from disty.suppliers.base import Supplier
    from disty.suppliers.hub import SupplierHub


def rest_adapter(connection: ConnectionSettings, hub: SupplierHub, settings: Settings) -> Supplier:
    """The adapter over Ingram's REST API ("APIS (Recommended)")."""
    from disty.suppliers.ingram.rest.adapter import IngramSupplier
    from disty.suppliers.ingram.rest.client import IngramClient, IngramConfig

    config = IngramConfig(
        base_url=connection.base_url,
        client_id=connection.require("client_id"),
        client_secret=connection.require("client_secret"),
        customer_number=connection.require("customer_number"),
        country=connection.country_iso,
        sender_id=connection.get("sender_id"),
        application_id=connection.get("application_id"),
        contact_email=connection.get("contact_email"),
        get_per_minute=settings.ingram_get_per_minute,
        pna_per_minute=settings.ingram_pna_per_minute,
    )
    return IngramSupplier(IngramClient(config, **hub.client_parts()))


def xml_adapter(connection: ConnectionSettings, hub: SupplierHub, settings: Settings) -> Supplier:
    """The adapter over IM-XML (API type "XML"). The REST API's own endpoints stand for
    Ingram's production: IM-XML has one host and no test host (XML-NOTES 2.1, 2.5)."""
    from disty.suppliers.ingram.xml.adapter import IngramXmlSupplier
    from disty.suppliers.ingram.xml.client import IngramXmlClient, IngramXmlConfig

    base_url = connection.base_url.rstrip("/")
    if base_url in (consts.PRODUCTION_URL, consts.SANDBOX_URL):
        base_url = consts.XML_URL
    config = IngramXmlConfig(
        base_url=base_url,
        login_id=connection.require("xml_login_id"),
        password=connection.require("xml_password"),
        country=connection.country_iso,
    )
    return IngramXmlSupplier(IngramXmlClient(config, **hub.client_parts()))


REGISTRATION = Registration(
    key=consts.KEY,
    name=consts.NAME,
    countries=(1, 29),
    endpoints=(consts.PRODUCTION_URL, consts.SANDBOX_URL, consts.XML_URL),
    settings=SETTINGS,
    adapters={ApiType.REST: rest_adapter, ApiType.XML: xml_adapter},
    api_types={ApiType.REST: "APIS (Recommended)", ApiType.XML: "XML"},
    capabilities=consts.CAPABILITIES,
    checks=consts.CHECKS,
    api_checks={ApiType.XML: consts.XML_CHECKS},
    api_capabilities={ApiType.XML: consts.XML_CAPABILITIES},
    check_titles=consts.CHECK_TITLES,
    credentials_fix=CREDENTIALS_FIX,
    webhooks=CODEC,
    event_labels=EVENT_LABELS,
    order_apis=("v6", "v7"),
    quote_order_api="v7",
    setup_guide=guide,
    review_check="api_access",
    hold_rule=f"{consts.NAME} modifies, releases or cancels an order only while it is on "
    "customer hold, within 24 hours of placing it (after that it is voided)",
)
