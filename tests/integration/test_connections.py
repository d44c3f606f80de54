"""Supplier connections through the service: partial updates, encryption, webhook keys."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import SecretStr
from sqlalchemy import text

from disty.config import Settings
from disty.crypto import generate_key
from disty.db.base import utcnow
from disty.domain.connections import ApiType
from disty.errors import InvalidInput, NotFound, SecretKeyError
from disty.runtime import Runtime, open_runtime
from disty.services import connections, keys, tenants
from disty.services.connections import ConnectionChanges, ConnectionView

GRACE = timedelta(hours=24)
CLIENT_SECRET = "cs-Alpha-9f8e7d6c5b4a"
XML_PASSWORD = "xml-Bravo-0a1b2c3d"
WEBHOOK_KEY = "wk-Charlie-11223344"


async def _set(
    rt: Runtime, shortcut: str = "smbi", country: int = 1, **changes: object
) -> ConnectionView:
    async with rt.sessions() as session:
        return await connections.set_connection(
            session,
            shortcut=shortcut,
            supplier="ingram",
            country_id=country,
            changes=ConnectionChanges.of(**changes),  # type: ignore[arg-type]
            box=rt.box,
            public_url=rt.settings.effective_public_url,
            grace=GRACE,
            allow_custom_urls=True,
        )


async def _tenant(rt: Runtime, shortcut: str = "smbi", countries: tuple[int, ...] = (1,)) -> None:
    async with rt.sessions() as session:
        await tenants.add_tenant(session, shortcut, countries)


async def _raw_rows(rt: Runtime) -> str:
    """Everything stored in the secret-bearing tables, as one string."""
    async with rt.engine.connect() as conn:
        rows = [
            *(await conn.execute(text("SELECT * FROM supplier_connections"))).all(),
            *(await conn.execute(text("SELECT * FROM webhook_keys"))).all(),
        ]
    return repr(rows)


async def test_partial_updates_keep_the_other_fields(runtime: Runtime) -> None:
    await _tenant(runtime)
    first = await _set(
        runtime,
        client_id="client-1",
        client_secret=CLIENT_SECRET,
        customer_number="20-222222",
        sender_id="disty",
        contact_email="buyer@example.com",
    )
    assert first.api_type is ApiType.REST
    assert first.base_url == "https://api.ingrammicro.com:443"
    assert first.webhook_url == "https://disty.example.com/supplierapi/distributorWebhook/smbi/1"
    second = await _set(runtime, application_id="app-7", base_url="http://127.0.0.1:9000/ingram")
    assert second.setting("client_id") == "client-1"
    assert second.setting("customer_number") == "20-222222"
    assert second.setting("sender_id") == "disty"
    assert second.setting("contact_email") == "buyer@example.com"
    assert second.setting("client_secret") == "••••" + CLIENT_SECRET[-4:]
    assert second.setting("application_id") == "app-7"
    assert second.base_url == "http://127.0.0.1:9000/ingram"


async def test_secrets_are_stored_encrypted_and_shown_masked(runtime: Runtime) -> None:
    await _tenant(runtime)
    view = await _set(
        runtime, client_secret=CLIENT_SECRET, xml_password=XML_PASSWORD, webhook_key=WEBHOOK_KEY
    )
    stored = await _raw_rows(runtime)
    for secret in (CLIENT_SECRET, XML_PASSWORD, WEBHOOK_KEY):
        assert secret not in stored
        assert secret not in view.model_dump_json()
    assert view.setting("client_secret") == "••••" + CLIENT_SECRET[-4:]
    assert view.setting("xml_password") == "••••" + XML_PASSWORD[-4:]
    assert view.webhook_keys[0].key == "••••" + WEBHOOK_KEY[-4:]
    assert view.setting("customer_number") is None  # unset fields show as null, not masked
    # The adapter, and only the adapter, gets them back in plaintext.
    async with runtime.sessions() as session:
        tenant = await tenants.get_tenant(session, "smbi")
        stored_connection = await connections.get_connection(session, tenant, "ingram", 1)
        creds = connections.connection_settings(stored_connection, runtime.box)
    assert (creds.get("client_secret"), creds.get("xml_password")) == (CLIENT_SECRET, XML_PASSWORD)
    assert creds.country_iso == "US"
    assert CLIENT_SECRET not in repr(creds)


async def test_replaced_webhook_key_stays_valid_for_its_grace_period(runtime: Runtime) -> None:
    await _tenant(runtime)
    await _set(runtime, webhook_key="key-one-aaaa")
    await _set(runtime, webhook_key="key-orders-bbbb", webhook_label="orders")
    view = await _set(runtime, webhook_key="key-two-cccc")  # replaces label "default"
    states = sorted((k.label, k.key, k.status) for k in view.webhook_keys)
    assert states == [
        ("default", "••••aaaa", "grace"),
        ("default", "••••cccc", "current"),
        ("orders", "••••bbbb", "current"),
    ]
    async with runtime.sessions() as session:
        tenant = await tenants.get_tenant(session, "smbi")
        conn = await connections.get_connection(session, tenant, "ingram", 1)
        now = utcnow()
        assert sorted(connections.verification_keys(conn, runtime.box, now)) == [
            "key-one-aaaa",
            "key-orders-bbbb",
            "key-two-cccc",
        ]
        later = now + GRACE + timedelta(seconds=1)
        assert sorted(connections.verification_keys(conn, runtime.box, later)) == [
            "key-orders-bbbb",
            "key-two-cccc",
        ]
    # Setting the same key again changes nothing.
    again = await _set(runtime, webhook_key="key-two-cccc")
    assert len(again.webhook_keys) == 3


async def test_refusals(runtime: Runtime) -> None:
    await _tenant(runtime)
    with pytest.raises(NotFound, match="no tenant 'nope'"):
        await _set(runtime, shortcut="nope", client_id="x")
    with pytest.raises(InvalidInput, match=r"not served in Canada.*--add-country 29"):
        await _set(runtime, country=29, client_id="x")
    with pytest.raises(InvalidInput, match="invalid customer number"):
        await _set(runtime, customer_number="20-22222222222")
    with pytest.raises(InvalidInput, match="--webhook-label needs --webhook-key"):
        await _set(runtime, webhook_label="orders")
    with pytest.raises(InvalidInput, match="invalid client secret") as error:
        await _set(runtime, client_secret="bad\nsecret")
    assert "bad" not in str(error.value)
    async with runtime.sessions() as session:
        tenant = await tenants.get_tenant(session, "smbi")
        with pytest.raises(NotFound, match="no Ingram Micro connection for United States"):
            await connections.get_connection(session, tenant, "ingram", 1)


async def test_list_filters_by_supplier_and_country(runtime: Runtime) -> None:
    await _tenant(runtime, countries=(1, 29))
    await _set(runtime, country=1, client_id="us")
    await _set(runtime, country=29, client_id="ca", api_type=ApiType.XML)
    async with runtime.sessions() as session:
        views = await connections.list_connections(
            session, shortcut="smbi", box=runtime.box, public_url="https://d.example"
        )
        only_ca = await connections.list_connections(
            session, shortcut="smbi", box=runtime.box, public_url="https://d.example", country_id=29
        )
    assert [(v.country, v.setting("client_id"), v.currency) for v in views] == [
        ("US", "us", "USD"),
        ("CA", "ca", "CAD"),
    ]
    assert [(v.country, v.api_type_label) for v in only_ca] == [("CA", "XML")]


async def test_rotation_keeps_every_secret_readable(settings: Settings, secret_key: str) -> None:
    async with open_runtime(settings) as rt:
        await _tenant(rt)
        await _set(
            rt, client_secret=CLIENT_SECRET, xml_password=XML_PASSWORD, webhook_key=WEBHOOK_KEY
        )
        before = await _raw_rows(rt)

    new_key = generate_key()
    both = settings.model_copy(update={"secret_keys": SecretStr(f"{new_key},{secret_key}")})
    async with open_runtime(both) as rt, rt.sessions() as session:
        assert await keys.rotate_secrets(session, rt.box) == 3
        assert await _raw_rows(rt) != before

    only_new = settings.model_copy(update={"secret_keys": SecretStr(new_key)})
    async with open_runtime(only_new) as rt, rt.sessions() as session:
        [view] = await connections.list_connections(
            session, shortcut="smbi", box=rt.box, public_url="https://d.example"
        )
        tenant = await tenants.get_tenant(session, "smbi")
        conn = await connections.get_connection(session, tenant, "ingram", 1)
        assert connections.connection_settings(conn, rt.box).get("client_secret") == CLIENT_SECRET
        assert connections.verification_keys(conn, rt.box) == [WEBHOOK_KEY]
    assert view.setting("client_secret") == "••••" + CLIENT_SECRET[-4:]


async def test_wrong_key_fails_clearly_and_rotation_changes_nothing(settings: Settings) -> None:
    async with open_runtime(settings) as rt:
        await _tenant(rt)
        await _set(rt, client_secret=CLIENT_SECRET)
        before = await _raw_rows(rt)

    wrong = settings.model_copy(update={"secret_keys": SecretStr(generate_key())})
    async with open_runtime(wrong) as rt:
        async with rt.sessions() as session:
            with pytest.raises(SecretKeyError, match="add the key it was encrypted with"):
                await connections.list_connections(
                    session, shortcut="smbi", box=rt.box, public_url="https://d.example"
                )
        async with rt.sessions() as session:
            with pytest.raises(SecretKeyError):
                await keys.rotate_secrets(session, rt.box)
        assert await _raw_rows(rt) == before
