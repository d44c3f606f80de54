"""Supplier connections: save settings (secrets encrypted), show them masked, list webhook keys.

Secrets enter through :func:`set_connection` and leave only two ways: masked in a
:class:`ConnectionView`, or in plaintext through :func:`credentials` and
:func:`verification_keys`, which the supplier adapter and webhook receiver call and which are
never shown to a person.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Literal, Protocol

from pydantic import BaseModel
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from disty.crypto import SecretBox
from disty.db.base import utcnow
from disty.db.models import SupplierConnection, Tenant, WebhookKey
from disty.domain.connections import (
    ApiType,
    mask,
    supplier_info,
    validate_customer_number,
    validate_email,
    validate_secret,
    validate_text,
    webhook_url,
)
from disty.domain.countries import country_site
from disty.errors import InvalidInput, NotFound
from disty.services import audit
from disty.services.tenants import get_tenant
from disty.suppliers.endpoints import check_base_url, shown

DEFAULT_WEBHOOK_LABEL = "default"


class Forgets(Protocol):
    """Something that keeps connections for a while (the webhook receiver's destination cache)
    and must drop them when one is saved."""

    def forget(self) -> None: ...


# The caches that read through each engine, i.e. this process's runtime: a connection saved
# through that engine (console, API, CLI alike, all through ``set_connection``) is dropped from
# them at once. Another process (a CLI beside ``disty serve``) shares no engine: its change
# reaches the server when the cache's entry runs out (``DestinationCache``). Weak references:
# a closed app's cache is not kept alive by being watched.
_watchers: weakref.WeakKeyDictionary[Engine, weakref.WeakSet[Forgets]] = weakref.WeakKeyDictionary()


def watch_changes(engine: Engine, cache: Forgets) -> None:
    """Have ``cache.forget()`` called whenever a connection is saved through ``engine``."""
    _watchers.setdefault(engine, weakref.WeakSet()).add(cache)


def _changed(session: AsyncSession) -> None:
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    for cache in list(_watchers.get(engine, ())):
        cache.forget()


@dataclass(frozen=True)
class ConnectionChanges:
    """A partial update: fields left as None keep their stored value."""

    api_type: ApiType | None = None
    client_id: str | None = None
    client_secret: str | None = None
    customer_number: str | None = None
    sender_id: str | None = None
    application_id: str | None = None
    contact_email: str | None = None
    xml_login_id: str | None = None
    xml_password: str | None = None
    base_url: str | None = None
    webhook_key: str | None = None
    webhook_label: str | None = None

    def is_empty(self) -> bool:
        return all(getattr(self, f.name) is None for f in fields(self))


class WebhookKeyView(BaseModel):
    label: str
    key: str | None  # masked
    status: Literal["current", "grace"]
    created_at: datetime
    valid_until: datetime | None  # set while a replaced key is in its grace period


class ConnectionView(BaseModel):
    """A connection as a person or client may see it: every secret masked."""

    tenant: str
    supplier: str
    supplier_name: str
    country_id: int
    country: str
    currency: str
    api_type: ApiType
    api_type_label: str
    client_id: str | None
    client_secret: str | None
    customer_number: str | None
    sender_id: str | None
    application_id: str | None
    contact_email: str | None
    xml_login_id: str | None
    xml_password: str | None
    base_url: str
    webhook_url: str
    webhook_keys: list[WebhookKeyView]
    last_test_at: datetime | None
    last_test_result: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Credentials:
    """Plaintext settings for talking to the supplier. Never printed: repr hides secrets."""

    api_type: ApiType
    base_url: str
    client_id: str | None
    client_secret: str | None
    customer_number: str | None
    country_iso: str
    sender_id: str | None
    application_id: str | None
    contact_email: str | None
    xml_login_id: str | None
    xml_password: str | None

    def __repr__(self) -> str:
        return (
            f"Credentials(api_type={self.api_type.value!r}, base_url={self.base_url!r}, "
            f"client_id={self.client_id!r}, customer_number={self.customer_number!r}, "
            f"client_secret={mask(self.client_secret)!r}, xml_password={mask(self.xml_password)!r})"
        )


def _decrypt(box: SecretBox, token: str | None) -> str | None:
    return None if token is None else box.decrypt(token)


def _valid_label(label: str) -> str:
    return validate_text(label, field="webhook_label", label="webhook key label", max_len=64)


def _key_is_live(key: WebhookKey, now: datetime) -> bool:
    return key.retired_at is None or (key.valid_until is not None and key.valid_until > now)


def _apply(
    connection: SupplierConnection,
    changes: ConnectionChanges,
    box: SecretBox,
    grace: timedelta,
    allow_custom_urls: bool,
) -> None:
    if changes.api_type is not None:
        connection.api_type = changes.api_type.value
    plain: dict[str, Callable[[str], str]] = {
        "client_id": lambda v: validate_text(v, field="client_id", label="client id", max_len=200),
        "customer_number": validate_customer_number,
        "sender_id": lambda v: validate_text(v, field="sender_id", label="sender id", max_len=32),
        "application_id": lambda v: validate_text(
            v, field="application_id", label="application id", max_len=100
        ),
        "contact_email": validate_email,
        "xml_login_id": lambda v: validate_text(
            v, field="xml_login_id", label="XML login id", max_len=100
        ),
        # Where the secrets go: the supplier's own endpoints unless the operator allows others.
        "base_url": partial(
            check_base_url, supplier=connection.supplier, allow_custom=allow_custom_urls
        ),
    }
    for name, validate in plain.items():
        value = getattr(changes, name)
        if value is not None:
            setattr(connection, name, validate(value))
    if changes.client_secret is not None:
        secret = validate_secret(
            changes.client_secret, label="client secret", field="client_secret"
        )
        connection.client_secret_enc = box.encrypt(secret)
    if changes.xml_password is not None:
        secret = validate_secret(changes.xml_password, label="XML password", field="xml_password")
        connection.xml_password_enc = box.encrypt(secret)
    if changes.webhook_label is not None and changes.webhook_key is None:
        raise InvalidInput("--webhook-label needs --webhook-key", field="webhook_label")
    if changes.webhook_key is not None:
        _put_webhook_key(
            connection,
            label=_valid_label(changes.webhook_label or DEFAULT_WEBHOOK_LABEL),
            secret=validate_secret(changes.webhook_key, label="webhook key", field="webhook_key"),
            box=box,
            grace=grace,
        )


def _put_webhook_key(
    connection: SupplierConnection, *, label: str, secret: str, box: SecretBox, grace: timedelta
) -> None:
    now = utcnow()
    # Keys whose grace period is over verify nothing any more: drop them.
    connection.webhook_keys[:] = [k for k in connection.webhook_keys if _key_is_live(k, now)]
    for key in connection.webhook_keys:
        if key.retired_at is None and key.label == label:
            if box.decrypt(key.secret_enc) == secret:
                return  # the same key again: nothing changes
            key.retired_at = now
            key.valid_until = now + grace
    connection.webhook_keys.append(WebhookKey(label=label, secret_enc=box.encrypt(secret)))


def view(
    connection: SupplierConnection, tenant: Tenant, box: SecretBox, public_url: str
) -> ConnectionView:
    site = country_site(connection.country_id)
    info = supplier_info(connection.supplier)
    api_type = ApiType(connection.api_type)
    now = utcnow()
    keys = [
        WebhookKeyView(
            label=key.label,
            key=mask(box.decrypt(key.secret_enc)),
            status="current" if key.retired_at is None else "grace",
            created_at=key.created_at,
            valid_until=key.valid_until,
        )
        for key in connection.webhook_keys
        if _key_is_live(key, now)
    ]
    return ConnectionView(
        tenant=tenant.shortcut,
        supplier=connection.supplier,
        supplier_name=info.name,
        country_id=site.id,
        country=site.iso,
        currency=site.currency,
        api_type=api_type,
        api_type_label=api_type.label,
        client_id=connection.client_id,
        client_secret=mask(_decrypt(box, connection.client_secret_enc)),
        customer_number=connection.customer_number,
        sender_id=connection.sender_id,
        application_id=connection.application_id,
        contact_email=connection.contact_email,
        xml_login_id=connection.xml_login_id,
        xml_password=mask(_decrypt(box, connection.xml_password_enc)),
        base_url=shown(connection.base_url),
        webhook_url=webhook_url(public_url, tenant.shortcut, site.id),
        webhook_keys=keys,
        last_test_at=connection.last_test_at,
        last_test_result=connection.last_test_result,
        created_at=connection.created_at,
        updated_at=connection.updated_at,
    )


async def get_connection(
    session: AsyncSession, tenant: Tenant, supplier: str, country_id: int
) -> SupplierConnection:
    site = country_site(country_id)
    connection = await session.scalar(
        select(SupplierConnection).where(
            SupplierConnection.tenant_id == tenant.id,
            SupplierConnection.supplier == supplier_info(supplier).key,
            SupplierConnection.country_id == site.id,
        )
    )
    if connection is None:
        raise NotFound(
            f"tenant {tenant.shortcut!r} has no {supplier_info(supplier).name} connection for "
            f"{site.name}: set one up with 'disty supplier set {supplier} --tenant "
            f"{tenant.shortcut} --country {site.id}'"
        )
    return connection


async def set_connection(
    session: AsyncSession,
    *,
    shortcut: str,
    supplier: str,
    country_id: int,
    changes: ConnectionChanges,
    box: SecretBox,
    public_url: str,
    grace: timedelta,
    actor: str = "system",
    allow_custom_urls: bool = False,
) -> ConnectionView:
    """Create or partially update the tenant's connection to a supplier in one country.

    ``allow_custom_urls`` is the operator's DISTY_ALLOW_CUSTOM_SUPPLIER_URLS: without it the
    base URL must be one of the supplier's own endpoints (suppliers/endpoints.py).
    The audit log names the fields changed, never their values."""
    info = supplier_info(supplier)
    site = country_site(country_id)
    tenant = await get_tenant(session, shortcut)
    if site.id not in tenant.country_ids:
        raise InvalidInput(
            f"tenant {shortcut!r} is not served in {site.name}: add the country first with "
            f"'disty tenant set {shortcut} --add-country {site.id}'",
            field="country",
        )
    try:
        connection = await get_connection(session, tenant, info.key, site.id)
    except NotFound:
        connection = SupplierConnection(
            tenant_id=tenant.id,
            supplier=info.key,
            country_id=site.id,
            api_type=ApiType.REST.value,
            base_url=info.default_base_url,
            webhook_keys=[],
        )
        session.add(connection)
    _apply(connection, changes, box, grace, allow_custom_urls)
    await session.flush()
    audit.record(
        session,
        tenant_id=tenant.id,
        actor=actor,
        action="connection.changed",
        target=f"{info.key} connection, country {site.id}",
        details={
            "fields": sorted(
                f.name for f in fields(changes) if getattr(changes, f.name) is not None
            )
        },
    )
    try:
        await session.commit()
    except IntegrityError:
        # Another writer created the same connection or key at the same moment.
        await session.rollback()
        raise InvalidInput(
            "the connection changed while saving: run the command again", field="supplier"
        ) from None
    _changed(session)  # a new or replaced webhook key verifies at once in this process
    await session.refresh(connection)
    return view(connection, tenant, box, public_url)


async def list_connections(
    session: AsyncSession,
    *,
    shortcut: str,
    box: SecretBox,
    public_url: str,
    supplier: str | None = None,
    country_id: int | None = None,
) -> list[ConnectionView]:
    tenant = await get_tenant(session, shortcut)
    query = select(SupplierConnection).where(SupplierConnection.tenant_id == tenant.id)
    if supplier is not None:
        query = query.where(SupplierConnection.supplier == supplier_info(supplier).key)
    if country_id is not None:
        query = query.where(SupplierConnection.country_id == country_site(country_id).id)
    query = query.order_by(SupplierConnection.supplier, SupplierConnection.country_id)
    return [view(c, tenant, box, public_url) for c in await session.scalars(query)]


def credentials(connection: SupplierConnection, box: SecretBox) -> Credentials:
    """Plaintext settings for the supplier adapter."""
    return Credentials(
        api_type=ApiType(connection.api_type),
        base_url=connection.base_url,
        client_id=connection.client_id,
        client_secret=_decrypt(box, connection.client_secret_enc),
        customer_number=connection.customer_number,
        country_iso=country_site(connection.country_id).iso,
        sender_id=connection.sender_id,
        application_id=connection.application_id,
        contact_email=connection.contact_email,
        xml_login_id=connection.xml_login_id,
        xml_password=_decrypt(box, connection.xml_password_enc),
    )


def verification_key_windows(
    connection: SupplierConnection, box: SecretBox, now: datetime | None = None
) -> list[tuple[str, datetime | None]]:
    """``verification_keys`` with when each stops verifying (None: the current key), for a
    caller that keeps them a while (the receiver's cache) and checks the clock when it uses
    them."""
    moment = now or utcnow()
    return [
        (box.decrypt(key.secret_enc), None if key.retired_at is None else key.valid_until)
        for key in connection.webhook_keys
        if _key_is_live(key, moment)
    ]


def verification_keys(
    connection: SupplierConnection, box: SecretBox, now: datetime | None = None
) -> list[str]:
    """Every key a webhook delivery may be signed with: current ones and those in grace."""
    moment = now or utcnow()
    return [
        box.decrypt(key.secret_enc) for key in connection.webhook_keys if _key_is_live(key, moment)
    ]
