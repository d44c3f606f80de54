"""Sign-in throttles shared by replicas on PostgreSQL: failures spent against one replica count
at another, a success at either forgets them, and the table holds no e-mail address. Two
engines stand for two replicas (each its own pool), each with its own in-memory counts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select, text

from disty.db.engine import create_engine
from disty.db.models import SignInThrottle
from disty.runtime import Runtime
from disty.services import tenants, users
from disty.services.shared_state import SharedFailures, prune_throttles, share
from disty.services.throttle import Backoff

OWNER = "owner@smbi.example"
PASSWORD = "the-owners-password-42"


@pytest.fixture
async def replicas(runtime: Runtime) -> AsyncIterator[list[users.SignInGuard]]:
    if runtime.engine.dialect.name == "sqlite":
        pytest.skip("SQLite is one process: its counts stay in memory (test_sign_in_throttling)")
    async with runtime.sessions() as session:
        await tenants.add_tenant(session, "smbi", [1])
        user, one_time = await users.add_user(
            session, email=OWNER, shortcut="smbi", role="admin", actor="test"
        )
        await users.change_password(session, user.id, one_time, PASSWORD)
    engines = [create_engine(runtime.settings.resolved_database_url) for _ in range(2)]
    guards = []
    for engine in engines:
        guard = users.SignInGuard()
        share(guard.accounts, engine, "account")
        share(guard.clients, engine, "client")
        guards.append(guard)
    try:
        yield guards
    finally:
        for engine in engines:
            await engine.dispose()


async def _sign_in(rt: Runtime, guard: users.SignInGuard, password: str, client: str) -> str:
    """How one attempt ended: "in", "refused" (the password was checked) or "throttled"."""
    try:
        async with rt.sessions() as session:
            await users.sign_in(session, email=OWNER, password=password, client=client, guard=guard)
    except users.SignInRefused:
        return "refused"
    except users.Throttled:
        return "throttled"
    return "in"


async def test_failures_at_one_replica_count_at_the_other(
    runtime: Runtime, replicas: list[users.SignInGuard]
) -> None:
    a, b = replicas
    # Four wrong passwords at A (each from another address: the account's count is tested).
    for n in range(users.ACCOUNT_FREE_FAILURES - 1):
        assert await _sign_in(runtime, a, f"guess-{n}", f"10.0.0.{n}") == "refused"
    # The owner signs in at B: that forgets the account's failures for both replicas.
    assert await _sign_in(runtime, b, PASSWORD, "10.0.1.1") == "in"
    # So A checks four more (without the forgetting, its second would be throttled) ...
    for n in range(users.ACCOUNT_FREE_FAILURES - 1):
        assert await _sign_in(runtime, a, f"again-{n}", f"10.0.2.{n}") == "refused"
    # ... and B, which saw none of them, the fifth: the allowance is the platform's.
    assert await _sign_in(runtime, b, "fifth", "10.0.3.1") == "refused"
    # Now both refuse before any password check, even the right one, for the delay.
    assert await _sign_in(runtime, a, PASSWORD, "10.0.4.1") == "throttled"
    assert await _sign_in(runtime, b, PASSWORD, "10.0.4.2") == "throttled"
    async with runtime.sessions() as session:
        rows = (await session.scalars(select(SignInThrottle))).all()
        dump = str((await session.execute(text("SELECT * FROM sign_in_throttles"))).all())
    # One row per key: the account and the addresses that failed; none names the owner.
    assert len(rows) == 1 + 2 * (users.ACCOUNT_FREE_FAILURES - 1) + 1
    assert max(r.failures for r in rows) == users.ACCOUNT_FREE_FAILURES
    assert "owner" not in dump
    assert "10.0." not in dump


async def test_the_delay_doubles_on_the_database_clock_and_quiet_rows_go(
    runtime: Runtime, replicas: list[users.SignInGuard]
) -> None:
    engine = runtime.engine
    backoff = Backoff(free=2, base_s=10, cap_s=25)
    counts = SharedFailures(engine, "test", backoff)
    assert await counts.read("k") == (0, 0.0)
    waits = [(await counts.failed("k")) for _ in range(4)]
    assert [f for f, _ in waits] == [1, 2, 3, 4]
    assert [round(w) for _, w in waits] == [0, 10, 20, 25]  # doubling, at most cap_s
    failures, wait = await counts.read("k")
    assert failures == 4
    assert 20 < wait <= 25
    # A replica whose memory never saw the key learns the delay from the database once.
    other = Backoff(free=2, base_s=10, cap_s=25)
    other.shared = counts
    other.reserve("k")
    assert await other.consult("k") > 20
    other.release("k")
    assert other.wait_s("k") > 20  # no second read needed while the delay runs
    # Rows quiet for longer than the throttles remember are deleted by the retention job.
    assert await prune_throttles(engine, 3600) == 0
    assert await prune_throttles(engine, 0) == 1
    await counts.forget("k")
    assert await counts.read("k") == (0, 0.0)


async def test_an_answer_older_than_a_failure_counted_here_never_lowers_the_count(
    runtime: Runtime, replicas: list[users.SignInGuard]
) -> None:
    # A guesser sends its next token as soon as it has its 401, while the database still
    # writes the last failure: that write's answer comes back after the next failure is
    # counted here. Taken as the whole truth it would lower the count (and lift the delay)
    # every time, and a quick guesser would never be held back (seen under load at /mcp).
    backoff = Backoff(free=2, base_s=10, cap_s=100)
    counts = SharedFailures(runtime.engine, "test", backoff)
    backoff.shared = counts
    backoff.failed("k")
    await backoff.record("k", failed=True)  # the row exists: 1 failure
    async with runtime.engine.connect() as holder:
        # Another replica's write holds the row, so this one's answer waits.
        await holder.execute(
            text("SELECT 1 FROM sign_in_throttles WHERE key = :k FOR UPDATE"),
            {"k": counts._key("k")},
        )
        backoff.failed("k")  # the second failure: 10 s
        second = asyncio.ensure_future(backoff.record("k", failed=True))
        await asyncio.sleep(0.2)
        assert not second.done()
        backoff.failed("k")  # the third, counted before the second's answer: 20 s
        assert 19 < backoff.wait_s("k") <= 20
        await holder.rollback()
    await second  # the database says 2 failures, 10 s: older than the memory
    assert 19 < backoff.wait_s("k") <= 20
    # The third's own answer is the database's truth again: 3 failures, 20 s.
    await backoff.record("k", failed=True)
    assert 19 < backoff.wait_s("k") <= 20
    failures, wait = await counts.read("k")
    assert failures == 3
    assert 19 < wait <= 20
