"""Console users: adding them with a one-time password, signing in (throttled), sessions.

Roles: ``admin`` (everything of the tenant, settings included), ``buyer`` (daily work, no
settings), ``viewer`` (reads only); ``operator`` is the platform's own and manages tenants.

Throttling (see ``services/throttle.py``): each sign-in is counted BEFORE its password is
checked, per account and per client address. An account may fail ``ACCOUNT_FREE_FAILURES``
times, a client ``CLIENT_FREE_FAILURES`` times (many people may share one address); after that
each attempt waits a delay that doubles with every failure (1 s, 2 s, 4 s ... at most
``ACCOUNT_MAX_DELAY`` / ``CLIENT_MAX_DELAY``), which the account's owner can wait out; a
successful sign-in clears its account's count. The counts live in memory, so on SQLite a flood
of wrong passwords writes nothing to the database; on PostgreSQL every replica also shares them
(one row per key, written only by the attempts the memory lets through), so N replicas do not
give a guesser N times the allowance.

Passwords are argon2 hashes (64 MiB and about 0.1 s of CPU each). Hashing and checking run in
a small pool of threads of their own (``PASSWORD_THREADS``), never on the event loop, which
keeps serving webhooks meanwhile; at most ``PASSWORD_QUEUE`` checks wait for it, further
sign-ins are told to retry in a moment (``Busy``), so a flood holds neither all threads nor
unbounded memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
import secrets
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from disty.db.base import utcnow
from disty.db.models import ConsoleSession, SignInLink, Tenant, User
from disty.errors import DistyError, InvalidInput, NotFound
from disty.services import audit
from disty.services.tenants import get_tenant
from disty.services.throttle import Backoff

ACCOUNT_FREE_FAILURES = 5
ACCOUNT_MAX_DELAY = timedelta(minutes=5)
CLIENT_FREE_FAILURES = 20
CLIENT_MAX_DELAY = timedelta(minutes=5)
SESSION_LIFETIME = timedelta(hours=12)
MIN_PASSWORD = 12
# One argon2 check takes about 0.1 s of CPU and 64 MiB, over 4 lanes (threads of its own): one
# check at a time already uses every core of a small machine, at the lowest CPU priority
# (_yield_to_the_loop). A second pool thread doubled the tail of webhook deliveries under a
# sign-in flood (bench/hostile.py, 2 cores: p99 2.8x alone against 1.6x) for no sign-in a
# person would notice; 16 waiting is a second or two of work.
PASSWORD_THREADS = 1
PASSWORD_QUEUE = 16

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
    """Too many failed sign-ins: wait ``retry_after_s`` before trying again."""

    def __init__(self, retry_after_s: float) -> None:
        self.retry_after_s = max(1, int(retry_after_s + 0.999))
        super().__init__(
            f"too many failed sign-ins: wait {self.retry_after_s} seconds and try again "
            "(each further wrong password makes the wait longer). Forgot your password? Ask "
            "your disty administrator for a sign-in link: it lets you choose a new one"
        )


class Busy(DistyError):
    """Too many sign-ins at this moment for the password checks to keep up."""

    retry_after_s = 2

    def __init__(self) -> None:
        super().__init__("the server is busy checking other sign-ins: try again in a moment")


def _yield_to_the_loop() -> None:
    """Run this thread, and argon2's own lane threads (which inherit it), only on CPU the
    event loop leaves: Linux's SCHED_IDLE, or the lowest nice where that is not available.
    A flood of sign-ins then cannot slow webhook deliveries and pages (bench/hostile.py);
    with nothing else to do, a password check still runs at full speed."""
    tid = threading.get_native_id()
    try:
        os.sched_setscheduler(tid, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):
        with contextlib.suppress(AttributeError, OSError):  # no per-thread priority here
            os.setpriority(os.PRIO_PROCESS, tid, 19)


class _PasswordWork:
    """argon2 off the event loop, in a bounded pool with a bounded queue (see the module
    docstring). Used from the event loop only, so the counter needs no lock."""

    def __init__(self, threads: int, queue: int) -> None:
        self._pool = ThreadPoolExecutor(
            max_workers=threads, thread_name_prefix="argon2", initializer=_yield_to_the_loop
        )
        self._limit = threads + queue
        self._taken = 0
        self._decoy: str | None = None

    async def _run(self, work: Callable[[], bool | str]) -> bool | str:
        if self._taken >= self._limit:
            raise Busy
        self._taken += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool, work)
        finally:
            self._taken -= 1

    async def hash(self, password: str) -> str:
        return str(await self._run(lambda: _hasher.hash(password)))

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """Whether ``password`` matches; with no hash (no such user), the same work is done
        against a decoy, so the time taken tells nothing about which e-mail addresses exist."""
        if password_hash is None:
            if self._decoy is None:
                self._decoy = await self.hash(secrets.token_urlsafe(16))
            password_hash = self._decoy

        def check() -> bool:
            try:
                return _hasher.verify(password_hash, password)
            except (VerificationError, InvalidHashError):
                return False

        return bool(await self._run(check))


passwords = _PasswordWork(PASSWORD_THREADS, PASSWORD_QUEUE)


@dataclass(frozen=True, slots=True)
class SignInGuard:
    """The failure counts of one running app (see the module docstring)."""

    accounts: Backoff = field(
        default_factory=lambda: Backoff(
            free=ACCOUNT_FREE_FAILURES, cap_s=ACCOUNT_MAX_DELAY.total_seconds()
        )
    )
    clients: Backoff = field(
        default_factory=lambda: Backoff(
            free=CLIENT_FREE_FAILURES, cap_s=CLIENT_MAX_DELAY.total_seconds()
        )
    )


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
        password_hash=await passwords.hash(password),
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


def account_key(email: str) -> str:
    """The account a sign-in attempt is counted against (and a trusted device is bound to)."""
    return email.strip().lower()[:320]


async def sign_in(
    session: AsyncSession,
    *,
    email: str,
    password: str,
    client: str,
    guard: SignInGuard,
    device: str | None = None,
) -> User:
    """The user, or SignInRefused / Throttled / Busy. The attempt is counted (for the account
    and for the client address) before the password is checked; nothing is written to the
    database unless the sign-in succeeds or, on PostgreSQL, to count a failure for every
    replica.

    ``device``: the id of a browser that signed in to this account before (its device cookie,
    checked by the caller). Its attempts are counted on their own, not with the account's or
    the address's: a stranger who keeps the account's delay running (one guess every few
    minutes) or shares the owner's address cannot keep the owner out, and a stranger cannot
    make such a cookie without signing in."""
    email = account_key(email)
    account, client = email, client[:64]
    if device is not None:
        account, client = f"{email} device {device[:64]}", f"device {device[:64]}"
    wait = max(guard.accounts.wait_s(account), guard.clients.wait_s(client))
    if wait > 0:
        raise Throttled(wait)
    # No await between the check above and these reservations: no other sign-in can slip in.
    guard.accounts.reserve(account)
    guard.clients.reserve(client)
    failed: bool | None = None  # None: the password was never checked (busy, database error)
    try:
        # PostgreSQL: what every replica counted (one read each, far cheaper than argon2).
        wait = max(await guard.accounts.consult(account), await guard.clients.consult(client))
        if wait > 0:
            raise Throttled(wait)
        user = await session.scalar(select(User).where(User.email == email))
        ok = await passwords.verify(user.password_hash if user else None, password)
        failed = not ok or user is None
    finally:
        if failed is None:
            guard.accounts.release(account)
            guard.clients.release(client)
        else:
            guard.accounts.done(account, failed=failed, forget=not failed)
            guard.clients.done(client, failed=failed)
    await guard.accounts.record(account, failed=failed, forget=not failed)
    await guard.clients.record(client, failed=failed)
    if failed or user is None:
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
    if current is not None and not await passwords.verify(user.password_hash, current):
        raise InvalidInput("the current password is wrong", field="current")
    check_password_strength(new)
    if current is not None and new == current:
        raise InvalidInput("choose a new password, not the current one", field="password")
    user.password_hash = await passwords.hash(new)
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


# -- the people of a deployment, as whoever runs it manages them (``disty user``) ---------------


@dataclass(frozen=True, slots=True)
class UserView:
    email: str
    role: Role
    tenant: str | None  # its shortcut; None for a platform operator
    must_change_password: bool
    created_at: datetime
    last_sign_in_at: datetime | None

    def to_json(self) -> dict[str, object]:
        return {
            "email": self.email,
            "role": self.role.value,
            "tenant": self.tenant,
            "must_change_password": self.must_change_password,
            "created_at": self.created_at.isoformat(),
            "last_sign_in_at": self.last_sign_in_at.isoformat() if self.last_sign_in_at else None,
        }


async def list_users(session: AsyncSession, shortcut: str | None = None) -> list[UserView]:
    """Every user (of one tenant when ``shortcut`` is given), operators first, then by tenant
    and e-mail address."""
    query = select(User, Tenant.shortcut).outerjoin(Tenant, Tenant.id == User.tenant_id)
    if shortcut is not None:
        query = query.where(User.tenant_id == (await get_tenant(session, shortcut)).id)
    rows = (await session.execute(query.order_by(Tenant.shortcut.nulls_first(), User.email))).all()
    return [
        UserView(
            email=user.email,
            role=Role(user.role),
            tenant=tenant,
            must_change_password=user.must_change_password,
            created_at=user.created_at,
            last_sign_in_at=user.last_sign_in_at,
        )
        for user, tenant in rows
    ]


async def _user(session: AsyncSession, email: str) -> User:
    user = await session.scalar(select(User).where(User.email == _valid_email(email)))
    if user is None:
        raise NotFound(f"no user {email.strip().lower()}: 'disty user list' shows who there is")
    return user


async def remove_user(session: AsyncSession, email: str, *, actor: str) -> None:
    """The user, their sessions and sign-in links are gone. A tenant's last admin stays: its
    settings would have no one left to change them."""
    user = await _user(session, email)
    if user.tenant_id is not None:
        if user.role == Role.ADMIN.value:
            admins = await session.scalar(
                select(func.count()).where(
                    User.tenant_id == user.tenant_id, User.role == Role.ADMIN.value
                )
            )
            if admins == 1:
                raise InvalidInput(
                    f"{user.email} is the tenant's only admin: add another admin first"
                )
        audit.record(
            session, tenant_id=user.tenant_id, actor=actor, action="user.removed",
            target=f"user {user.email}", details={"role": user.role},
        )  # fmt: skip
    await session.execute(delete(User).where(User.id == user.id))
    await session.commit()


async def reset_password(
    session: AsyncSession, email: str, *, actor: str, lifetime: timedelta = LINK_LIFETIME
) -> str:
    """A forgotten (or leaked) password: the old one stops working at once, every session of
    the user ends, and the answer is a one-use sign-in link's token with which they choose a
    new one (a link session may, without the current password)."""
    user = await _user(session, email)
    # A password no one knows: only the link signs in until a new one is chosen.
    user.password_hash = await passwords.hash(secrets.token_urlsafe(32))
    user.must_change_password = True
    await session.execute(delete(ConsoleSession).where(ConsoleSession.user_id == user.id))
    if user.tenant_id is not None:
        audit.record(
            session, tenant_id=user.tenant_id, actor=actor, action="user.password_reset",
            target=f"user {user.email}",
        )  # fmt: skip
    await session.commit()
    return await create_sign_in_link(session, user.email, lifetime)
