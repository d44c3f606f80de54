"""API tokens: per tenant, with scopes; shown once, stored as a SHA-256.

Scopes nest: ``admin`` can do all ``order`` can, and ``order`` all ``read`` can. Only
``admin`` reads or changes connections. A token is 32 random bytes, so a plain SHA-256 is
enough to store it (no password-style stretching is needed against guessing).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from disty.db.base import utcnow
from disty.db.models import ApiToken, Tenant
from disty.errors import InvalidInput, NotFound
from disty.services import audit
from disty.services.tenants import get_tenant

TOKEN_PREFIX = "disty_"  # noqa: S105 (a prefix, not a secret)
_TOUCH_EVERY = timedelta(minutes=1)  # last_used_at is written at most this often


class Scope(StrEnum):
    READ = "read"
    ORDER = "order"
    ADMIN = "admin"


_IMPLIES = {
    Scope.READ: {Scope.READ},
    Scope.ORDER: {Scope.ORDER, Scope.READ},
    Scope.ADMIN: {Scope.ADMIN, Scope.ORDER, Scope.READ},
}


def parse_scopes(values: list[str]) -> list[Scope]:
    if not values:
        raise InvalidInput("give at least one scope: read, order or admin", field="scope")
    try:
        return sorted({Scope(v.strip().lower()) for v in values}, key=list(Scope).index)
    except ValueError:
        raise InvalidInput(
            f"unknown scope in {', '.join(values)}: use read, order or admin", field="scope"
        ) from None


def effective(scopes: list[str]) -> frozenset[Scope]:
    granted: set[Scope] = set()
    for name in scopes:
        granted |= _IMPLIES.get(Scope(name), set())
    return frozenset(granted)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: a token of one tenant, with what it may do."""

    tenant_id: int
    shortcut: str
    token_id: int
    token_name: str
    scopes: frozenset[Scope]

    @property
    def actor(self) -> str:
        return f"token:{self.token_name}#{self.token_id}"


@dataclass(frozen=True, slots=True)
class TokenView:
    id: int
    name: str
    prefix: str
    scopes: list[str]
    created_by: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, token: ApiToken) -> TokenView:
        return cls(
            token.id, token.name, token.prefix, list(token.scopes), token.created_by,
            token.created_at, token.last_used_at, token.revoked_at,
        )  # fmt: skip


async def create_token(
    session: AsyncSession, *, shortcut: str, scopes: list[str], name: str | None, actor: str
) -> tuple[TokenView, str]:
    """Answers the token's view and the token itself, which is never shown again."""
    tenant = await get_tenant(session, shortcut)
    chosen = parse_scopes(scopes)
    label = (name or "").strip() or f"token-{secrets.token_hex(3)}"
    if len(label) > 100:
        raise InvalidInput("a token name has at most 100 characters", field="name")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        tenant_id=tenant.id,
        name=label,
        prefix=token[: len(TOKEN_PREFIX) + 6],
        token_sha256=_digest(token),
        scopes=[s.value for s in chosen],
        created_by=actor,
        created_at=utcnow(),
    )
    session.add(row)
    await session.flush()
    audit.record(
        session, tenant_id=tenant.id, actor=actor, action="token.created",
        target=f"token {label}#{row.id}", details={"scopes": row.scopes},
    )  # fmt: skip
    await session.commit()
    return TokenView.of(row), token


async def list_tokens(session: AsyncSession, *, shortcut: str) -> list[TokenView]:
    tenant = await get_tenant(session, shortcut)
    rows = await session.scalars(
        select(ApiToken).where(ApiToken.tenant_id == tenant.id).order_by(ApiToken.id)
    )
    return [TokenView.of(r) for r in rows]


async def revoke_token(
    session: AsyncSession, *, shortcut: str, token_id: int, actor: str
) -> TokenView:
    tenant = await get_tenant(session, shortcut)
    row = await session.scalar(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.tenant_id == tenant.id)
    )
    if row is None:
        raise NotFound(f"no token {token_id} for tenant {shortcut!r}: see 'disty token list'")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record(
            session, tenant_id=tenant.id, actor=actor, action="token.revoked",
            target=f"token {row.name}#{row.id}",
        )  # fmt: skip
        await session.commit()
    return TokenView.of(row)


async def authenticate(session: AsyncSession, token: str) -> Principal | None:
    """The caller behind a bearer token, or None for an unknown or revoked one."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    found = await session.execute(
        select(ApiToken, Tenant.shortcut)
        .join(Tenant, Tenant.id == ApiToken.tenant_id)
        .where(ApiToken.token_sha256 == _digest(token))
    )
    row = found.first()
    if row is None:
        return None
    api_token, shortcut = row
    if api_token.revoked_at is not None:
        return None
    now = utcnow()
    if api_token.last_used_at is None or now - api_token.last_used_at > _TOUCH_EVERY:
        api_token.last_used_at = now
        await session.commit()
    return Principal(
        tenant_id=api_token.tenant_id,
        shortcut=shortcut,
        token_id=api_token.id,
        token_name=api_token.name,
        scopes=effective(api_token.scopes),
    )
