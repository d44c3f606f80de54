"""State shared across replicas (shared_tokens, rate_limit_calls) and, on PostgreSQL only,
procrastinate's job queue schema (its tables, types, functions and triggers).

The queue's schema is the one shipped with the installed procrastinate (pyproject.toml bounds
it to one major version): a new major version brings its own migrations, applied by a new
revision here.

Revision ID: 0017
Revises: 0016
Create Date: 2027-01-10 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "shared_tokens",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("token_enc", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.Column("lifetime_s", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_shared_tokens")),
    )
    op.create_table(
        "rate_limit_calls",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rate_limit_calls")),
    )
    op.create_index("ix_rate_limit_calls_key_at", "rate_limit_calls", ["key", "at"])
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        from procrastinate.schema import SchemaManager

        # Many statements in one: no parameters, so '%' is doubled as the driver expects.
        bind.exec_driver_sql(SchemaManager.get_schema().replace("%", "%%"))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # Everything procrastinate made in this schema, found by its prefix.
        bind.exec_driver_sql(
            "DROP TABLE IF EXISTS procrastinate_events, procrastinate_periodic_defers, "
            "procrastinate_jobs, procrastinate_workers CASCADE"
        )
        functions = bind.exec_driver_sql(
            "SELECT p.oid::regprocedure::text FROM pg_proc p "
            "WHERE p.proname LIKE 'procrastinate%%' "
            "AND p.pronamespace = current_schema()::regnamespace"
        ).scalars()
        for signature in list(functions):
            bind.exec_driver_sql(f"DROP FUNCTION IF EXISTS {signature} CASCADE")
        bind.exec_driver_sql(
            "DROP TYPE IF EXISTS procrastinate_job_to_defer_v1, procrastinate_job_event_type, "
            "procrastinate_job_status CASCADE"
        )
    op.drop_index("ix_rate_limit_calls_key_at", table_name="rate_limit_calls")
    op.drop_table("rate_limit_calls")
    op.drop_table("shared_tokens")
