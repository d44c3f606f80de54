"""Tenants, their country sites, supplier connections and webhook keys.

Revision ID: 0001
Revises:
Create Date: 2026-11-28

Migrations use plain SQLAlchemy types (not disty's own) so they stay frozen as the code moves.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "tenants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shortcut", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenants")),
        sa.UniqueConstraint("shortcut", name=op.f("uq_tenants_shortcut")),
    )
    op.create_table(
        "tenant_countries",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("country_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_tenant_countries_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "country_id", name=op.f("pk_tenant_countries")),
    )
    op.create_table(
        "supplier_connections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("supplier", sa.String(length=32), nullable=False),
        sa.Column("country_id", sa.Integer(), nullable=False),
        sa.Column("api_type", sa.String(length=8), nullable=False),
        sa.Column("client_id", sa.String(length=200), nullable=True),
        sa.Column("client_secret_enc", sa.Text(), nullable=True),
        sa.Column("customer_number", sa.String(length=10), nullable=True),
        sa.Column("sender_id", sa.String(length=32), nullable=True),
        sa.Column("application_id", sa.String(length=100), nullable=True),
        sa.Column("contact_email", sa.String(length=254), nullable=True),
        sa.Column("xml_login_id", sa.String(length=100), nullable=True),
        sa.Column("xml_password_enc", sa.Text(), nullable=True),
        sa.Column("base_url", sa.String(length=500), nullable=False),
        sa.Column("last_test_at", UTC_DATETIME, nullable=True),
        sa.Column("last_test_result", sa.JSON(), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "country_id"],
            ["tenant_countries.tenant_id", "tenant_countries.country_id"],
            name=op.f("fk_supplier_connections_tenant_id_country_id_tenant_countries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_supplier_connections_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supplier_connections")),
        sa.UniqueConstraint(
            "tenant_id",
            "supplier",
            "country_id",
            name=op.f("uq_supplier_connections_tenant_id_supplier_country_id"),
        ),
    )
    op.create_table(
        "webhook_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=64), nullable=False),
        sa.Column("secret_enc", sa.Text(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("retired_at", UTC_DATETIME, nullable=True),
        sa.Column("valid_until", UTC_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["supplier_connections.id"],
            name=op.f("fk_webhook_keys_connection_id_supplier_connections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_keys")),
    )
    op.create_index(
        op.f("ix_webhook_keys_connection_id"), "webhook_keys", ["connection_id"], unique=False
    )
    op.create_index(
        "uq_webhook_keys_current_label",
        "webhook_keys",
        ["connection_id", "label"],
        unique=True,
        sqlite_where=sa.text("retired_at IS NULL"),
        postgresql_where=sa.text("retired_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_webhook_keys_current_label", table_name="webhook_keys")
    op.drop_index(op.f("ix_webhook_keys_connection_id"), table_name="webhook_keys")
    op.drop_table("webhook_keys")
    op.drop_table("supplier_connections")
    op.drop_table("tenant_countries")
    op.drop_table("tenants")
