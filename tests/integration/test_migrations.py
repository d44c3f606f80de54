"""The migrations build the schema from empty, on SQLite and on PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from disty.db import migrate
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


async def test_upgrade_from_empty_reaches_head_and_matches_the_models(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        assert await migrate.current_revision(engine) is None
        await migrate.upgrade(engine)
        assert await migrate.current_revision(engine) == migrate.head_revision()
        assert await migrate.is_current(engine)

        def tables(connection: Connection) -> set[str]:
            return set(inspect(connection).get_table_names())

        def differences(connection: Connection) -> list[object]:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
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
                client_id="client",
                client_secret_enc="token",
                customer_number="20-222222",
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
    database_url: str,
) -> None:
    # Before 0008 every conflicting redelivery was a row with its body; after, one row per
    # event id keeps the first body and counts the others.
    engine = create_engine(database_url)
    try:
        await migrate.upgrade(engine, "0006")
        sessions = session_factory(engine)
        async with sessions() as session:
            tenant = Tenant(shortcut="smbi", name="smbi", countries=[TenantCountry(country_id=1)])
            session.add(tenant)
            await session.flush()
            connection = SupplierConnection(
                tenant_id=tenant.id, supplier="ingram", country_id=1, base_url="https://x"
            )
            session.add(connection)
            await session.commit()
            connection_id = connection.id
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
