"""All models, imported here so that Base.metadata knows every table (Alembic reads it)."""

from disty.db.models.access import ApiToken, AuditEntry, IdempotencyKey
from disty.db.models.connections import SupplierConnection, WebhookKey
from disty.db.models.events import (
    ConflictingDelivery,
    InboundEvent,
    RejectedDeliveries,
    StockLevel,
)
from disty.db.models.orders import POEvent, POInvoice, POLine, POShipment, PurchaseOrder
from disty.db.models.tenants import Tenant, TenantCountry

__all__ = [
    "ApiToken",
    "AuditEntry",
    "ConflictingDelivery",
    "IdempotencyKey",
    "InboundEvent",
    "POEvent",
    "POInvoice",
    "POLine",
    "POShipment",
    "PurchaseOrder",
    "RejectedDeliveries",
    "StockLevel",
    "SupplierConnection",
    "Tenant",
    "TenantCountry",
    "WebhookKey",
]
