"""Supplier connections keep their settings as each supplier declares them: plain values in one
JSON column, secrets in another (one Fernet token per value), instead of one column per Ingram
setting. The tokens move as they are: nothing is decrypted, so no key is needed here.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 18:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The columns this revision folds, by setting name (the API's and CLI's names already).
PLAIN = {
    "client_id": sa.String(200),
    "customer_number": sa.String(10),
    "sender_id": sa.String(32),
    "application_id": sa.String(100),
    "contact_email": sa.String(254),
    "xml_login_id": sa.String(100),
}
SECRET = {"client_secret": "client_secret_enc", "xml_password": "xml_password_enc"}


def _table(*columns: str) -> sa.TableClause:
    return sa.table(
        "supplier_connections",
        sa.column("id", sa.Integer),
        *(
            sa.column(name, sa.JSON if name in ("settings", "secrets_enc") else sa.Text)
            for name in columns
        ),
    )


def upgrade() -> None:
    with op.batch_alter_table("supplier_connections", schema=None) as batch_op:
        batch_op.add_column(sa.Column("settings", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.add_column(
            sa.Column("secrets_enc", sa.JSON(), nullable=False, server_default="{}")
        )
    old = [*PLAIN, *SECRET.values()]
    table = _table("settings", "secrets_enc", *old)
    bind = op.get_bind()
    rows = bind.execute(sa.select(table.c.id, *(table.c[name] for name in old))).mappings().all()
    for row in rows:
        settings = {name: row[name] for name in PLAIN if row[name] is not None}
        secrets = {name: row[column] for name, column in SECRET.items() if row[column] is not None}
        bind.execute(
            table.update()
            .where(table.c.id == row["id"])
            .values(settings=settings, secrets_enc=secrets)
        )
    with op.batch_alter_table("supplier_connections", schema=None) as batch_op:
        for name in old:
            batch_op.drop_column(name)


def downgrade() -> None:
    with op.batch_alter_table("supplier_connections", schema=None) as batch_op:
        for name, kind in PLAIN.items():
            batch_op.add_column(sa.Column(name, kind, nullable=True))
        for column in SECRET.values():
            batch_op.add_column(sa.Column(column, sa.Text(), nullable=True))
    old = [*PLAIN, *SECRET.values()]
    table = _table("settings", "secrets_enc", *old)
    bind = op.get_bind()
    rows = bind.execute(sa.select(table.c.id, table.c.settings, table.c.secrets_enc)).mappings()
    for row in rows.all():
        settings, secrets = row["settings"] or {}, row["secrets_enc"] or {}
        values = {name: settings.get(name) for name in PLAIN}
        values.update({column: secrets.get(name) for name, column in SECRET.items()})
        bind.execute(table.update().where(table.c.id == row["id"]).values(**values))
    with op.batch_alter_table("supplier_connections", schema=None) as batch_op:
        batch_op.drop_column("secrets_enc")
        batch_op.drop_column("settings")
