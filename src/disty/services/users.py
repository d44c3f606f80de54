"""Console users: adding them with a one-time password, signing in (throttled), sessions.

Roles: ``admin`` (everything of the tenant, settings included), ``buyer`` (daily work, no
settings), ``viewer`` (reads only); ``operator`` is the platform's own and manages tenants.

Throttling: after ``MAX_FAILURES_PER_EMAIL`` failed sign-ins for an address within
``WINDOW``, or ``MAX_FAILURES_PER_IP`` from one address, further attempts are refused for the
rest of the window, even with the right password; the failures are kept in the database so
every replica of disty counts the same.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from disty.db.base import utcnow
from disty.db.models import ConsoleSession, SignInFailure, SignInLink, Tenant, User
from disty.errors import DistyError, InvalidInput, NotFound
from disty.services import audit
from disty.services.tenants import get_tenant

WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_EMAIL = 5
MAX_FAILURES_PER_IP = 30
SESSION_LIFETIME = timedelta(hours=12)
MIN_PASSWORD = 12

_hasher = PasswordHasher()
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{2,}")


class Role(StrEnum):
    ADMIN = "admin"
    BUYER = "buyer"
    VIEWER = "viewer"
    OPERATOR = "operator"


class SignInRefused(DistyError):
    """Wrong e-mail or password (never saying which)."""


class Throttled(DistyError):
    """Too many failed sign-ins: wait before trying again."""


@dataclass(frozen=True, slots=True)
class ConsoleUser:
    """Who is signed in, as pages need it."""

    id: int
    email: str
    role: Role
    tenant_id: int | None
    shortcut: str | None
    must_change_password: bool
    csrf_token: str
    from_link: bool = False  # signed in by a one-use link: may choose a password without the old

    @property
    def is_operator(self) -> bool:
        return self.role is Role.OPERATOR

    def can(self, role: Role) -> bool:
        """Whether this user may do what ``role`` may (admin > buyer > viewer)."""
        order = [Role.VIEWER, Role.BUYER, Role.ADMIN, Role.OPERATOR]
        return order.index(self.role) >= order.index(role)


def _valid_email(email: str) -> str:
    value = email.strip().lower()
    if not _EMAIL.fullmatch(value):
        raise InvalidInput(f"invalid e-mail address {email!r}", field="email")
    return value


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"a password has at least {MIN_PASSWORD} characters", field="password")


async def add_user(
    session: AsyncSession,
    *,
    email: str,
    shortcut: str | None,
    role: str,
    actor: str,
    one_time: bool = True,
) -> tuple[User, str]:
    """A new user and their password: one-time (to be changed at first sign-in) unless
    ``one_time`` is False (the demo's admin, who signs in by link)."""
    try:
        chosen = Role(role)
    except ValueError:
        raise InvalidInput(
            f"unknown role {role!r}: use admin, buyer, viewer or operator", field="role"
        ) from None
    address = _valid_email(email)
    tenant: Tenant | None = None
    if chosen is Role.OPERATOR:
        if shortcut is not None:
            raise InvalidInput("a platform operator belongs to no tenant: leave out --tenant")
    else:
        if shortcut is None:
            raise InvalidInput(f"a{'n' if chosen is Role.ADMIN else ''} {chosen.value} "
                               "belongs to a tenant: give --tenant")  # fmt: skip
        tenant = await get_tenant(session, shortcut)
    if await session.scalar(select(User.id).where(User.email == address)) is not None:
        raise InvalidInput(f"a user {address} exists already", field="email")
    password = secrets.token_urlsafe(12)
    user = User(
        tenant_id=tenant.id if tenant else None,
        email=address,
        role=chosen.value,
        password_hash=_hasher.hash(password),
        must_change_password=one_time,
        created_at=utcnow(),
    )
    session.add(user)
    await session.flush()
    if tenant is not None:
        audit.record(
            session, tenant_id=tenant.id, actor=actor, action="user.added",
            target=f"user {address}", details={"role": chosen.value},
        )  # fmt: skip
    await session.commit()
    return user, password


async def _throttled(session: AsyncSession, email: str, ip: str) -> bool:
    since = utcnow() - WINDOW
    by_email = await session.scalar(
        select(func.count()).where(SignInFailure.email == email, SignInFailure.at > since)
    )
    by_ip = await session.scalar(
        select(func.count()).where(SignInFailure.ip == ip, SignInFailure.at > since)
    )
    return (by_email or 0) >= MAX_FAILURES_PER_EMAIL or (by_ip or 0) >= MAX_FAILURES_PER_IP


async def sign_in(session: AsyncSession, *, email: str, password: str, ip: str) -> User:
    """The user, or SignInRefused / Throttled; every failure is counted."""
    address = email.strip().lower()[:320]
    if await _throttled(session, address, ip):
        raise Throttled(
            f"too many failed sign-ins: wait {int(WINDOW.total_seconds() // 60)} minutes and "
            "try again, or ask an admin to reset your password"
        )
    user = await session.scalar(select(User).where(User.email == address))
    ok = False
    if user is not None:
        try:
            ok = _hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            ok = False
    else:
        _hasher.hash(password)  # the same work either way: timing tells nothing
    if not ok or user is None:
        session.add(SignInFailure(email=address, ip=ip[:64], at=utcnow()))
        await session.commit()
        raise SignInRefused("wrong e-mail address or password")
    user.last_sign_in_at = utcnow()
    await session.commit()
    return user


async def change_password(
    session: AsyncSession, user_id: int, current: str | None, new: str
) -> None:
    """A new password; ``current`` is None only for a session opened by a sign-in link."""
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound("no such user")
    if current is not None:
        try:
            _hasher.verify(user.password_hash, current)
        except (VerificationError, InvalidHashError):
            raise InvalidInput("the current password is wrong", field="current") from None
    check_password_strength(new)
    if current is not None and new == current:
        raise InvalidInput("choose a new password, not the current one", field="password")
    user.password_hash = _hasher.hash(new)
    user.must_change_password = False
    # Other sessions of this user end: a changed password locks out whoever had the old one.
    await session.commit()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def open_session(session: AsyncSession, user: User, *, from_link: bool = False) -> str:
    """A new console session; answers the token for the cookie (stored only hashed)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    await session.execute(delete(ConsoleSession).where(ConsoleSession.expires_at < now))
    session.add(
        ConsoleSession(
            user_id=user.id, token_sha256=_digest(token), csrf_token=secrets.token_urlsafe(32),
            created_at=now, expires_at=now + SESSION_LIFETIME, from_link=from_link,
        )
    )  # fmt: skip
    await session.commit()
    return token


async def find_session(session: AsyncSession, token: str) -> ConsoleUser | None:
    found = await session.execute(
        select(ConsoleSession, User)
        .join(User, User.id == ConsoleSession.user_id)
        .where(ConsoleSession.token_sha256 == _digest(token))
    )
    row = found.first()
    if row is None:
        return None
    console_session, user = row
    if console_session.expires_at < utcnow():
        return None
    shortcut = None
    if user.tenant_id is not None:
        tenant = await session.get(Tenant, user.tenant_id)
        shortcut = tenant.shortcut if tenant else None
    return ConsoleUser(
        id=user.id, email=user.email, role=Role(user.role), tenant_id=user.tenant_id,
        shortcut=shortcut, must_change_password=user.must_change_password,
        csrf_token=console_session.csrf_token, from_link=console_session.from_link,
    )  # fmt: skip


async def close_session(session: AsyncSession, token: str) -> None:
    await session.execute(
        delete(ConsoleSession).where(ConsoleSession.token_sha256 == _digest(token))
    )
    await session.commit()


async def password_chosen(session: AsyncSession, token: str) -> None:
    """After a link session chose a password, it is an ordinary session: changing the
    password again asks for the current one."""
    await session.execute(
        update(ConsoleSession)
        .where(ConsoleSession.token_sha256 == _digest(token))
        .values(from_link=False)
    )
    await session.commit()


async def close_other_sessions(session: AsyncSession, user_id: int, keep_token: str) -> None:
    await session.execute(
        delete(ConsoleSession).where(
            ConsoleSession.user_id == user_id,
            ConsoleSession.token_sha256 != _digest(keep_token),
        )
    )
    await session.commit()


# -- one-use sign-in links ----------------------------------------------------------------------

LINK_LIFETIME = timedelta(hours=1)


class LinkRefused(DistyError):
    """The link is unknown, used already, or expired."""


async def create_sign_in_link(
    session: AsyncSession, email: str, lifetime: timedelta = LINK_LIFETIME
) -> str:
    """A token for ``/login/link?token=...``: signs the user in once, within ``lifetime``."""
    user = await session.scalar(select(User).where(User.email == _valid_email(email)))
    if user is None:
        raise NotFound(f"no user {email.strip().lower()}")
    token = secrets.token_urlsafe(32)
    now = utcnow()
    await session.execute(delete(SignInLink).where(SignInLink.expires_at < now))
    session.add(
        SignInLink(
            user_id=user.id, token_sha256=_digest(token), created_at=now,
            expires_at=now + lifetime,
        )
    )  # fmt: skip
    await session.commit()
    return token


async def link_user(session: AsyncSession, token: str) -> User | None:
    """Whose link this is, while it can still be used (nothing is spent)."""
    link = await session.scalar(
        select(SignInLink).where(SignInLink.token_sha256 == _digest(token[:100]))
    )
    if link is None or link.used_at is not None or link.expires_at < utcnow():
        return None
    return await session.get(User, link.user_id)


async def use_sign_in_link(session: AsyncSession, token: str) -> User:
    """Spends the link (once, even when two requests race) and answers its user."""
    now = utcnow()
    spent = await session.execute(
        update(SignInLink)
        .where(
            SignInLink.token_sha256 == _digest(token[:100]),
            SignInLink.used_at.is_(None),
            SignInLink.expires_at > now,
        )
        .values(used_at=now)
        .returning(SignInLink.user_id)
    )
    user_id = spent.scalar_one_or_none()
    user = await session.get(User, user_id) if user_id is not None else None
    if user is None:
        await session.rollback()
        raise LinkRefused(
            "this sign-in link was used already or has expired: ask for a new one "
            "(disty user link EMAIL)"
        )
    user.last_sign_in_at = now
    await session.commit()
    return user
