"""All models, imported here so that Base.metadata knows every table (Alembic reads it)."""

from disty.db.models.access import ApiToken, AuditEntry, IdempotencyKey
from disty.db.models.connections import SupplierConnection, WebhookKey
from disty.db.models.events import (
    ConflictingDelivery,
    InboundEvent,
    RejectedDeliveries,
    StockLevel,
)
from disty.db.models.offers import LastOffer
from disty.db.models.orders import POEvent, POInvoice, POLine, POShipment, PurchaseOrder
from disty.db.models.requisitions import Requisition
from disty.db.models.shared import RateLimitCall, SharedToken, SignInThrottle
from disty.db.models.tenants import Tenant, TenantCountry
from disty.db.models.users import ConsoleSession, SignInLink, User

__all__ = [
    "ApiToken",
    "AuditEntry",
    "ConflictingDelivery",
    "ConsoleSession",
    "IdempotencyKey",
    "InboundEvent",
    "LastOffer",
    "POEvent",
    "POInvoice",
    "POLine",
    "POShipment",
    "PurchaseOrder",
    "RateLimitCall",
    "RejectedDeliveries",
    "Requisition",
    "SharedToken",
    "SignInLink",
    "SignInThrottle",
    "StockLevel",
    "SupplierConnection",
    "Tenant",
    "TenantCountry",
    "User",
    "WebhookKey",
]
