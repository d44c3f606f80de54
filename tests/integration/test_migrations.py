"""The migrations build the schema from empty, on SQLite and on PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from cryptography.fernet import Fernet
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from disty.crypto import SecretBox
from disty.db import migrate, models
from disty.db.base import Base
from disty.db.engine import create_engine, session_factory
from disty.db.models import (
    ConflictingDelivery,
    SupplierConnection,
    Tenant,
    TenantCountry,
    WebhookKey,
)
from disty.runtime import Runtime
from disty.services import connections


async def test_upgrade_from_empty_reaches_head_and_matches_the_models(
    empty_database_url: str,
) -> None:
    engine = create_engine(empty_database_url)
    try:
        assert await migrate.current_revision(engine) is None
        assert await migrate.stored_revision(engine) is None
        await migrate.upgrade(engine)
        assert await migrate.current_revision(engine) == migrate.head_revision()
        assert await migrate.is_current(engine)
        # What start-up reads without Alembic (migrate.py): the file names' head, one query.
        assert migrate.newest_file_revision() == migrate.head_revision()
        assert await migrate.stored_revision(engine) == migrate.head_revision()

        def tables(connection: Connection) -> set[str]:
            return set(inspect(connection).get_table_names())

        def differences(connection: Connection) -> list[object]:
            models.load_all()  # only what the test has used so far is mapped otherwise
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_name": migrate.ours}
            )
            return list(compare_metadata(context, Base.metadata))

        async with engine.connect() as connection:
            found = await connection.run_sync(tables)
            # The migrations build exactly what the models declare: nothing missing or extra.
            assert await connection.run_sync(differences) == []
        assert set(Base.metadata.tables) <= found

        # Applying again is a no-op; down to nothing and up again works on both databases.
        await migrate.upgrade(engine)
        await migrate.downgrade(engine, "base")
        async with engine.connect() as connection:
            assert not (await connection.run_sync(tables)) & set(Base.metadata.tables)
        await migrate.upgrade(engine)
        assert await migrate.is_current(engine)
    finally:
        await engine.dispose()


def _index_options(connection: Connection) -> tuple[dict[str, object], dict[str, object]]:
    """Each index's options for this database (an operator class, a partial index's WHERE):
    as the models declare them (after load_all: db/base.py's dialect_kwargs) and as the
    migrated database holds them. Alembic's comparison reads neither."""
    models.load_all()
    dialect = connection.dialect.name
    declared = {
        str(index.name): {
            key.removeprefix(f"{dialect}_"): str(value) if key.endswith("_where") else value
            for key, value in index.dialect_kwargs.items()
            if key.startswith(f"{dialect}_")
        }
        for table in Base.metadata.tables.values()
        for index in table.indexes
    }
    found: dict[str, object] = {}
    if dialect == "postgresql":
        inspector = inspect(connection)
        for table in Base.metadata.tables:
            for index in inspector.get_indexes(table):
                options = {
                    key.removeprefix("postgresql_"): value
                    for key, value in index.get("dialect_options", {}).items()
                    if key in ("postgresql_ops", "postgresql_where")
                }
                if "where" in options:  # PostgreSQL writes it back in parentheses
                    options["where"] = str(options["where"]).removeprefix("(").removesuffix(")")
                found[str(index["name"])] = options
    else:  # SQLite keeps each index's CREATE statement as it was given
        rows = connection.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        )
        for name, sql in rows:
            _, where, condition = sql.partition(" WHERE ")
            found[name] = {"where": condition} if where else {}
    return {k: v for k, v in declared.items() if v}, {k: v for k, v in found.items() if v}


async def test_indexes_hold_the_options_the_models_declare_for_their_database(
    empty_database_url: str,
) -> None:
    engine = create_engine(empty_database_url)
    try:
        await migrate.upgrade(engine)
        async with engine.connect() as connection:
            declared, found = await connection.run_sync(_index_options)
        assert found == declared
        # The partial unique index of webhook keys, and PostgreSQL's byte-order indexes for
        # prefix search: the comparison above is not between two empty sets.
        assert declared["uq_webhook_keys_current_label"] == {"where": "retired_at IS NULL"}
        if engine.dialect.name == "postgresql":
            assert declared["ix_po_lines_sku"] == {"ops": {"sku": "varchar_pattern_ops"}}
    finally:
        await engine.dispose()


async def test_models_round_trip(runtime: Runtime) -> None:
    tested_at = datetime(2026, 11, 28, 12, 30, tzinfo=UTC)
    async with runtime.sessions() as session:
        tenant = Tenant(
            shortcut="smbi",
            name="SMB Inc — Ünïcode",
            countries=[TenantCountry(country_id=1), TenantCountry(country_id=29)],
        )
        session.add(tenant)
        await session.flush()
        session.add(
            SupplierConnection(
                tenant_id=tenant.id,
                supplier="ingram",
                country_id=29,
                api_type="rest",
                settings={"client_id": "client", "customer_number": "20-222222"},
                secrets_enc={"client_secret": "token"},
                base_url="https://api.ingrammicro.com:443",
                last_test_at=tested_at,
                last_test_result={"checks": [{"name": "api_access", "ok": True}]},
                webhook_keys=[WebhookKey(label="orders", secret_enc="k1")],
            )
        )
        await session.commit()

    async with runtime.sessions() as session:
        tenant = (await session.scalars(select(Tenant))).one()
        assert tenant.name == "SMB Inc — Ünïcode"
        assert tenant.country_ids == [1, 29]
        assert tenant.created_at.tzinfo is not None
        connection = (await session.scalars(select(SupplierConnection))).one()
        assert connection.settings == {"client_id": "client", "customer_number": "20-222222"}
        assert connection.secrets_enc == {"client_secret": "token"}
        assert connection.last_test_at == tested_at
        assert connection.last_test_result == {"checks": [{"name": "api_access", "ok": True}]}
        assert [k.label for k in connection.webhook_keys] == ["orders"]


async def test_database_refuses_a_connection_for_a_country_the_tenant_lacks(
    runtime: Runtime,
) -> None:
    # Also proves foreign keys are enforced on SQLite, where they are off unless switched on.
    async with runtime.sessions() as session:
        tenant = Tenant(shortcut="smbi", name="smbi", countries=[TenantCountry(country_id=1)])
        session.add(tenant)
        await session.commit()
        session.add(
            SupplierConnection(
                tenant_id=tenant.id, supplier="ingram", country_id=29, base_url="https://x"
            )
        )
        with pytest.raises(IntegrityError):
            await session.commit()


async def test_one_current_webhook_key_per_label(runtime: Runtime) -> None:
    async with runtime.sessions() as session:
        tenant = Tenant(shortcut="smbi", name="smbi", countries=[TenantCountry(country_id=1)])
        session.add(tenant)
        await session.flush()
        connection = SupplierConnection(
            tenant_id=tenant.id, supplier="ingram", country_id=1, base_url="https://x"
        )
        session.add(connection)
        await session.commit()
        retired = datetime.now(UTC)
        session.add_all(
            [
                WebhookKey(connection_id=connection.id, label="a", secret_enc="1"),
                # A retired key may share its label with the current one.
                WebhookKey(
                    connection_id=connection.id, label="a", secret_enc="0", retired_at=retired
                ),
            ]
        )
        await session.commit()
        session.add(WebhookKey(connection_id=connection.id, label="a", secret_enc="2"))
        with pytest.raises(IntegrityError):
            await session.commit()


async def test_conflicting_deliveries_already_kept_are_folded_into_one_row_per_event(
    empty_database_url: str,
) -> None:
    # Before 0008 every conflicting redelivery was a row with its body; after, one row per
    # event id keeps the first body and counts the others.
    engine = create_engine(empty_database_url)
    try:
        await migrate.upgrade(engine, "0006")
        sessions = session_factory(engine)
        # Rows are written as the schema was then, not through today's models.
        connection_id = await _old_connection(engine, {})
        rows = [("E-1", "a", 1), ("E-1", "b", 2), ("E-2", "c", 3), ("E-1", "d", 4)]
        async with engine.begin() as conn:
            for event_id, body, minute in rows:
                await conn.execute(
                    text(
                        "INSERT INTO conflicting_deliveries (connection_id, event_id, body,"
                        " body_sha256, headers, received_at)"
                        " VALUES (:c, :e, :b, :s, '{}', :r)"
                    ),
                    {
                        "c": connection_id, "e": event_id, "b": body, "s": f"sha-{body}",
                        "r": datetime(2026, 1, 1, 10, minute, tzinfo=UTC),
                    },
                )  # fmt: skip
        await migrate.upgrade(engine)
        async with sessions() as session:
            kept = list(
                await session.scalars(
                    select(ConflictingDelivery).order_by(ConflictingDelivery.event_id)
                )
            )
        assert [(k.event_id, k.body, k.count, k.last_sha256) for k in kept] == [
            ("E-1", "a", 3, "sha-d"),
            ("E-2", "c", 1, "sha-c"),
        ]
        assert kept[0].last_at == datetime(2026, 1, 1, 10, 4, tzinfo=UTC)
    finally:
        await engine.dispose()


async def _old_connection(engine: AsyncEngine, columns: dict[str, str]) -> int:
    """A tenant and its connection written as the schema before 0010 had them: one column per
    Ingram setting (``columns``)."""
    async with engine.begin() as conn:
        now = datetime(2026, 1, 1, tzinfo=UTC)
        await conn.execute(
            text(
                "INSERT INTO tenants (shortcut, name, created_at, updated_at)"
                " VALUES ('smbi', 'smbi', :n, :n)"
            ),
            {"n": now},
        )
        tenant_id = (await conn.execute(text("SELECT id FROM tenants"))).scalar_one()
        await conn.execute(
            text("INSERT INTO tenant_countries (tenant_id, country_id) VALUES (:t, 1)"),
            {"t": tenant_id},
        )
        names = ", ".join(columns)
        values = ", ".join(f":{name}" for name in columns)
        await conn.execute(
            text(
                "INSERT INTO supplier_connections (tenant_id, supplier, country_id, api_type,"  # noqa: S608
                f" base_url, created_at, updated_at{', ' if columns else ''}{names})"
                f" VALUES (:t, 'ingram', 1, 'rest', 'https://x', :n, :n"
                f"{', ' if columns else ''}{values})"
            ),
            {"t": tenant_id, "n": now, **columns},
        )
        return int((await conn.execute(text("SELECT id FROM supplier_connections"))).scalar_one())


async def test_declared_settings_take_over_the_ingram_columns_without_loss(
    empty_database_url: str,
) -> None:
    # Before 0010 each Ingram setting had its own column; after, plain ones live in one JSON
    # column and secrets (still the same Fernet tokens) in another. Down again restores them.
    box = SecretBox([Fernet.generate_key()])
    old = {
        "client_id": "client-1",
        "customer_number": "20-222222",
        "sender_id": "disty",
        "application_id": "APP-7",
        "contact_email": "buyer@example.com",
        "xml_login_id": "login-9",
        "client_secret_enc": box.encrypt("client-secret-value"),
        "xml_password_enc": box.encrypt("xml-password-value"),
    }
    engine = create_engine(empty_database_url)
    try:
        await migrate.upgrade(engine, "0009")
        connection_id = await _old_connection(engine, old)
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO webhook_keys (connection_id, label, secret_enc, created_at)"
                    " VALUES (:c, 'default', 'k', :n)"
                ),
                {"c": connection_id, "n": datetime(2026, 1, 1, tzinfo=UTC)},
            )
        await migrate.upgrade(engine)
        async with session_factory(engine)() as session:
            connection = await session.get(SupplierConnection, connection_id)
            assert connection is not None
            assert connection.settings == {
                name: old[name]
                for name in ("client_id", "customer_number", "sender_id", "application_id",
                             "contact_email", "xml_login_id")
            }  # fmt: skip
            assert connection.secrets_enc == {
                "client_secret": old["client_secret_enc"],
                "xml_password": old["xml_password_enc"],
            }
            plain = connections.connection_settings(connection, box)
            assert plain.get("client_secret") == "client-secret-value"
            assert plain.get("xml_password") == "xml-password-value"
            # What refers to the connection is still there: on SQLite the table was rebuilt.
            assert [key.label for key in connection.webhook_keys] == ["default"]
        await migrate.downgrade(engine, "0009")
        async with engine.connect() as conn:
            row = (
                await conn.execute(
                    text(f"SELECT {', '.join(old)} FROM supplier_connections WHERE id = :i"),  # noqa: S608
                    {"i": connection_id},
                )
            ).one()
        assert dict(row._mapping) == old
    finally:
        await engine.dispose()
