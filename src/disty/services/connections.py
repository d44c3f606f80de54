"""Supplier connections: save settings (secrets encrypted), show them masked, list webhook keys.

Secrets enter through :func:`set_connection` and leave only two ways: masked in a
:class:`ConnectionView`, or in plaintext through :func:`connection_settings` and
:func:`verification_keys`, which the supplier adapter and webhook receiver call and which are
never shown to a person.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from disty.crypto import SecretBox
from disty.db.base import utcnow
from disty.db.models import SupplierConnection, Tenant, WebhookKey
from disty.domain.connections import ApiType, mask, validate_secret, validate_text
from disty.domain.countries import country_site
from disty.errors import InvalidInput, NotFound
from disty.services.change_notices import Forgets, announce
from disty.services.tenants import get_tenant
from disty.suppliers import registry
from disty.suppliers.endpoints import check_base_url, shown
from disty.suppliers.registry import ConnectionSettings
from disty.suppliers.webhooks import webhook_path

DEFAULT_WEBHOOK_LABEL = "default"


# The caches that read through each engine, i.e. this process's runtime: a connection saved
# through that engine (console, API, CLI alike, all through ``set_connection``) is dropped from
# them at once. Another process (a CLI beside ``disty serve``) shares no engine: its change
# reaches the server by PostgreSQL's notice (services/change_notices.py). Weak references:
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


_GENERAL = ("api_type", "base_url", "webhook_key", "webhook_label")


def webhook_url(public_url: str, supplier: str, shortcut: str, country_id: int) -> str | None:
    """The Destination URL to paste into the supplier's portal (None: it sends no webhooks)."""
    codec = registry.get(supplier).webhooks
    if codec is None:
        return None
    return public_url.rstrip("/") + webhook_path(codec, shortcut, country_id)


@dataclass(frozen=True)
class ConnectionChanges:
    """A partial update: fields left as None (settings left out) keep their stored value.

    ``values`` are the supplier's declared settings by name (suppliers/registry.py)."""

    api_type: str | None = None
    base_url: str | None = None
    webhook_key: str | None = None
    webhook_label: str | None = None
    values: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, **given: str | None) -> ConnectionChanges:
        """From flat fields, as the API, the CLI and the console name them: the general ones
        and any declared setting; None means "keep"."""
        general = {k: given.pop(k) for k in _GENERAL if k in given}
        values = {k: v for k, v in given.items() if v is not None}
        return cls(**general, values=values)

    def named(self) -> list[str]:
        """The names of the fields this update sets (for the audit log: never the values)."""
        general = [name for name in _GENERAL if getattr(self, name) is not None]
        return sorted([*general, *self.values])

    def is_empty(self) -> bool:
        return not self.named()

    def __repr__(self) -> str:
        # It carries secrets in plaintext (the client secret, a webhook key): a traceback or a
        # log line shows which fields it sets, never their values.
        return f"ConnectionChanges(sets={self.named()!r})"


class WebhookKeyView(BaseModel):
    label: str
    key: str | None  # masked
    status: Literal["current", "grace"]
    created_at: datetime
    valid_until: datetime | None  # set while a replaced key is in its grace period


class ConnectionView(BaseModel):
    """A connection as a person or client may see it: every secret masked.

    Besides these fields it holds the supplier's declared settings, each under its own name
    (plain values as saved, secrets masked, None when unset), so an answer reads like the
    request that set it."""

    model_config = ConfigDict(extra="allow")

    tenant: str
    supplier: str
    supplier_name: str
    country_id: int
    country: str
    currency: str
    api_type: ApiType
    api_type_label: str
    base_url: str
    webhook_url: str | None  # None: the supplier sends no webhooks
    webhook_keys: list[WebhookKeyView]
    last_test_at: datetime | None
    last_test_result: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime

    def setting(self, name: str) -> str | None:
        """A declared setting as shown (a secret masked)."""
        value = (self.model_extra or {}).get(name)
        return value if isinstance(value, str) else None


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
    supplier = registry.get(connection.supplier)
    if changes.api_type is not None:
        connection.api_type = supplier.parse_api_type(changes.api_type).value
    if changes.base_url is not None:
        # Where the secrets go: the supplier's own endpoints unless the operator allows others.
        connection.base_url = check_base_url(
            changes.base_url, supplier=connection.supplier, allow_custom=allow_custom_urls
        )
    plain, secrets = dict(connection.settings or {}), dict(connection.secrets_enc or {})
    for name, value in changes.values.items():
        setting = supplier.setting(name)
        if setting.secret:
            secrets[name] = box.encrypt(setting.clean(value))
        else:
            plain[name] = setting.clean(value)
    # New dicts, not changed ones: the ORM saves a JSON column when it is assigned.
    connection.settings, connection.secrets_enc = plain, secrets
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
    supplier = registry.get(connection.supplier)
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
    plain, secrets = connection.settings or {}, connection.secrets_enc or {}
    settings = {
        s.name: (mask(_decrypt(box, secrets.get(s.name))) if s.secret else plain.get(s.name))
        for s in supplier.settings
    }
    return ConnectionView(
        tenant=tenant.shortcut,
        supplier=connection.supplier,
        supplier_name=supplier.name,
        country_id=site.id,
        country=site.iso,
        currency=site.currency,
        api_type=api_type,
        api_type_label=supplier.api_type_label(api_type),
        base_url=shown(connection.base_url),
        webhook_url=webhook_url(public_url, connection.supplier, tenant.shortcut, site.id),
        webhook_keys=keys,
        last_test_at=connection.last_test_at,
        last_test_result=connection.last_test_result,
        created_at=connection.created_at,
        updated_at=connection.updated_at,
        **settings,
    )


async def get_connection(
    session: AsyncSession, tenant: Tenant, supplier: str, country_id: int
) -> SupplierConnection:
    site = country_site(country_id)
    connection = await session.scalar(
        select(SupplierConnection).where(
            SupplierConnection.tenant_id == tenant.id,
            SupplierConnection.supplier == registry.get(supplier).key,
            SupplierConnection.country_id == site.id,
        )
    )
    if connection is None:
        name = registry.get(supplier).name
        raise NotFound(
            f"tenant {tenant.shortcut!r} has no {name} connection for "
            f"{site.name}: set one up with 'disty supplier set {supplier} --tenant "
            f"{tenant.shortcut} --country {site.id}'",
            console=f"there is no {name} connection for {site.name} yet: an admin sets one "
            "up under Admin > Suppliers",
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
    info = registry.get(supplier)
    site = country_site(country_id)
    if site.id not in info.countries:
        served = ", ".join(country_site(c).name for c in info.countries)
        raise InvalidInput(f"{info.name} serves {served} only", field="country")
    tenant = await get_tenant(session, shortcut)
    if site.id not in tenant.country_ids:
        raise InvalidInput(
            f"tenant {shortcut!r} is not served in {site.name}: add the country first with "
            f"'disty tenant set {shortcut} --add-country {site.id}'",
            field="country",
            console=f"tenant {shortcut!r} is not served in {site.name}: an operator adds the "
            "country to the tenant first",
        )
    try:
        connection = await get_connection(session, tenant, info.key, site.id)
    except NotFound:
        connection = SupplierConnection(
            tenant_id=tenant.id,
            supplier=info.key,
            country_id=site.id,
            api_type=info.default_api_type.value,
            base_url=info.default_base_url,
            settings={},
            secrets_enc={},
            webhook_keys=[],
        )
        session.add(connection)
    _apply(connection, changes, box, grace, allow_custom_urls)
    await session.flush()
    # Imported here: the audit log's model need not be mapped by every command that only
    # reads connections (disty pna, supplier show).
    from disty.services import audit

    audit.record(
        session,
        tenant_id=tenant.id,
        actor=actor,
        action="connection.changed",
        target=f"{info.key} connection, country {site.id}",
        details={"fields": changes.named()},
    )
    await announce(session)  # every other process, once committed (PostgreSQL)
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
        query = query.where(SupplierConnection.supplier == registry.get(supplier).key)
    if country_id is not None:
        query = query.where(SupplierConnection.country_id == country_site(country_id).id)
    query = query.order_by(SupplierConnection.supplier, SupplierConnection.country_id)
    return [view(c, tenant, box, public_url) for c in await session.scalars(query)]


def connection_settings(connection: SupplierConnection, box: SecretBox) -> ConnectionSettings:
    """Plaintext settings for the supplier's adapter factory."""
    secrets = connection.secrets_enc or {}
    values = {**(connection.settings or {}), **{k: box.decrypt(v) for k, v in secrets.items()}}
    return ConnectionSettings(
        supplier=connection.supplier,
        api_type=ApiType(connection.api_type),
        base_url=connection.base_url,
        country_id=connection.country_id,
        country_iso=country_site(connection.country_id).iso,
        values=values,
        secrets=frozenset(secrets),
    )


def saved_names(connection: SupplierConnection) -> set[str]:
    """Which declared settings the connection has saved (without decrypting any)."""
    return {name for name, value in (connection.settings or {}).items() if value} | {
        name for name, value in (connection.secrets_enc or {}).items() if value
    }


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


async def connected_suppliers(session: AsyncSession, shortcut: str, country_id: int) -> list[str]:
    """The keys of the suppliers the tenant has connected in a country, in key order."""
    tenant = await get_tenant(session, shortcut)
    found = await session.scalars(
        select(SupplierConnection.supplier)
        .where(
            SupplierConnection.tenant_id == tenant.id,
            SupplierConnection.country_id == country_site(country_id).id,
        )
        .order_by(SupplierConnection.supplier)
    )
    return list(found)
