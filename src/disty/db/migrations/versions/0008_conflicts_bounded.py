"""Conflicting redeliveries bounded: one row per (connection, event id),
keeping the first conflicting body, how many came, when the last did and its SHA-256.

Rows already there are folded into the first of each event id (the others' bodies are
dropped, their number kept in ``count``).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

UTC_DATETIME = sa.DateTime(timezone=True)

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conflicting_deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("count", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("last_at", UTC_DATETIME, nullable=True))
        batch_op.add_column(sa.Column("last_sha256", sa.String(length=64), nullable=True))
    op.execute(
        """
        UPDATE conflicting_deliveries SET
          count = (SELECT COUNT(*) FROM conflicting_deliveries AS other
                   WHERE other.connection_id = conflicting_deliveries.connection_id
                     AND other.event_id = conflicting_deliveries.event_id),
          last_at = (SELECT MAX(other.received_at) FROM conflicting_deliveries AS other
                     WHERE other.connection_id = conflicting_deliveries.connection_id
                       AND other.event_id = conflicting_deliveries.event_id),
          last_sha256 = (SELECT other.body_sha256 FROM conflicting_deliveries AS other
                         WHERE other.connection_id = conflicting_deliveries.connection_id
                           AND other.event_id = conflicting_deliveries.event_id
                         ORDER BY other.id DESC LIMIT 1)
        """
    )
    op.execute(
        "DELETE FROM conflicting_deliveries WHERE id NOT IN"
        " (SELECT MIN(id) FROM conflicting_deliveries GROUP BY connection_id, event_id)"
    )
    with op.batch_alter_table("conflicting_deliveries", schema=None) as batch_op:
        batch_op.alter_column("count", server_default=None)
        batch_op.alter_column("last_at", existing_type=UTC_DATETIME, nullable=False)
        batch_op.alter_column("last_sha256", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(
            batch_op.f("uq_conflicting_deliveries_connection_id_event_id"),
            ["connection_id", "event_id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("conflicting_deliveries", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_conflicting_deliveries_connection_id_event_id"), type_="unique"
        )
        batch_op.drop_column("last_sha256")
        batch_op.drop_column("last_at")
        batch_op.drop_column("count")
