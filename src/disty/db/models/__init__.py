"""All models, imported here so that Base.metadata knows every table (Alembic reads it)."""

from disty.db.models.connections import SupplierConnection, WebhookKey
from disty.db.models.tenants import Tenant, TenantCountry

__all__ = ["SupplierConnection", "Tenant", "TenantCountry", "WebhookKey"]
