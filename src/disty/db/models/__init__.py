"""The models, one module per area. ``from disty.db.models import Tenant`` imports the module
that defines it (and what that one imports), not every model: mapping a class costs SQLAlchemy
a few milliseconds, and a command such as ``disty tenant list`` needs two of the two dozen.
Each module holds its classes' relationships, so a module loaded alone maps completely.
The tables its foreign keys name in other modules (its ``REFERENCES``) matter only to a flush,
which orders its rows by them: :func:`load_referenced` loads them just before one (db/base.py),
so showing a PO does not map the supplier connections its foreign key names.

What needs every table (Alembic, comparing the models with the database) calls
:func:`load_all` first: it also gives the indexes their options for one database, which a model
module alone leaves aside (db/base.py's dialect_kwargs).
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

# Each model's module, by the model's name.
MODULES = {
    "ApiToken": "access",
    "AuditEntry": "access",
    "IdempotencyKey": "access",
    "SupplierConnection": "connections",
    "WebhookKey": "connections",
    "ConflictingDelivery": "events",
    "InboundEvent": "events",
    "RejectedDeliveries": "events",
    "StockLevel": "events",
    "LastOffer": "offers",
    "POEvent": "orders",
    "POInvoice": "orders",
    "POLine": "orders",
    "POShipment": "orders",
    "PurchaseOrder": "orders",
    "Requisition": "requisitions",
    "RateLimitCall": "shared",
    "SharedToken": "shared",
    "SignInThrottle": "shared",
    "Tenant": "tenants",
    "TenantCountry": "tenants",
    "ConsoleSession": "users",
    "SignInLink": "users",
    "User": "users",
}

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
    "load_all",
    "load_referenced",
]


def __getattr__(name: str) -> Any:
    module = MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


def load_all() -> None:
    """Import every model, so that Base.metadata knows every table, and give the indexes their
    options for one database (db/base.py's dialect_kwargs)."""
    from disty.db.base import Base, apply_dialect_kwargs

    for module in sorted(set(MODULES.values())):
        importlib.import_module(f"{__name__}.{module}")
    apply_dialect_kwargs(Base.metadata)


def load_referenced() -> None:
    """Import the modules of the tables that the loaded models' foreign keys name (each
    module's ``REFERENCES``), and theirs in turn: a flush sorts the rows it writes by the
    foreign keys of every mapped table and fails on one naming a table not on Base.metadata.
    Run before each flush (db/base.py); once every named module is loaded it imports nothing."""
    while True:
        loaded = {m for m in set(MODULES.values()) if f"{__name__}.{m}" in sys.modules}
        named = {
            name
            for module in loaded
            for name in getattr(sys.modules[f"{__name__}.{module}"], "REFERENCES", ())
        }
        if named <= loaded:
            return
        for module in sorted(named - loaded):
            importlib.import_module(f"{__name__}.{module}")
