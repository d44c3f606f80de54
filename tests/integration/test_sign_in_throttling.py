"""Guessing passwords and API tokens, as an attacker would, over real HTTP on both databases.

- Forty parallel wrong passwords for one account: at most five reach the password check (401);
  the rest are refused before it (429, Retry-After), and the owner signs in once the short
  delay has passed (no 15-minute lock).
- A client sending a new X-Forwarded-For with every guess is still one client, unless it is
  a proxy listed in DISTY_TRUSTED_PROXIES.
- Unknown API tokens: after twenty from one client, 429 with Retry-After before the database
  is asked; other clients' valid tokens keep working. The same at /mcp (AI assistants), with
  one count per client across both doors.
- A flood of wrong passwords writes nothing to the database.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator

import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from disty.config import Settings
from disty.runtime import Runtime, open_runtime
from disty.services import tenants, tokens, users
from disty.web import create_app
from tests.fixtures.disty import ServedDisty, serve_disty

OWNER = "owner@smbi.example"
PASSWORD = "the-owners-password-42"
# The limits (ACCOUNT_FREE, CLIENT_FREE), spelled out so this
# file also runs against code without them.
ACCOUNT_FREE = 5
CLIENT_FREE = 20


@pytest.fixture
def served(settings: Settings) -> Iterator[ServedDisty]:
    with serve_disty(settings, run_worker=False) as running:
        yield running


async def _owner(settings: Settings) -> None:
    """smbi with its owner, whose password is PASSWORD (already chosen)."""
    async with open_runtime(settings) as rt, rt.sessions() as session:
        await tenants.add_tenant(session, "smbi", [1])
        user, one_time = await users.add_user(
            session, email=OWNER, shortcut="smbi", role="admin", actor="test"
        )
        await users.change_password(session, user.id, one_time, PASSWORD)


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None, page
    return found.group(1)


async def _attempt(
    url: str, email: str, password: str, headers: dict[str, str] | None = None
) -> httpx.Response:
    """One sign-in from a fresh browser: the form, then its post."""
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as browser:
        form = await browser.get("/login")
        return await browser.post(
            "/login", data={"csrf_token": _csrf(form.text), "email": email, "password": password}
        )


async def _failures_stored(settings: Settings) -> int:
    """Rows about failed sign-ins, if such a table exists (it did before: one row per guess)."""
    async with open_runtime(settings, apply_migrations=False) as rt, rt.sessions() as session:
        try:
            found = await session.scalar(text("SELECT count(*) FROM sign_in_failures"))
        except DBAPIError:  # no such table: nothing is stored
            return 0
        return int(found or 0)


async def test_parallel_guesses_reach_the_password_check_at_most_five_times(
    settings: Settings, served: ServedDisty
) -> None:
    await _owner(settings)
    answers = await asyncio.gather(*(_attempt(served.url, OWNER, f"guess-{n}") for n in range(40)))
    statuses = [a.status_code for a in answers]
    checked = statuses.count(401)  # only a password check answers 401
    refused = [a for a in answers if a.status_code == 429]
    assert checked <= ACCOUNT_FREE, statuses
    assert checked + len(refused) == 40, statuses
    assert all(int(a.headers["Retry-After"]) >= 1 for a in refused)
    assert "too many failed sign-ins: wait" in refused[0].text
    # Nothing about the guesses went to the database (SQLite's one write lock stays free).
    assert await _failures_stored(settings) == 0

    # The owner waits out the short delay (about a second: no 15-minute lock) and is in.
    signed_in = await _attempt(served.url, OWNER, PASSWORD)
    if signed_in.status_code == 429:  # still within the delay
        wait_s = int(signed_in.headers["Retry-After"])
        assert wait_s <= 2
        await asyncio.sleep(wait_s + 0.2)
        signed_in = await _attempt(served.url, OWNER, PASSWORD)
    assert signed_in.status_code == 303, signed_in.text
    assert signed_in.headers["location"] == "/"
    # The success cleared the account's count: the owner's next typo is just a typo.
    typo = await _attempt(served.url, OWNER, "typo")
    assert typo.status_code == 401


async def test_a_spoofed_forwarded_for_does_not_make_a_new_client(
    settings: Settings, served: ServedDisty
) -> None:
    await _owner(settings)
    # One attacker spraying many accounts, claiming another address each time.
    answers = []
    for n in range(CLIENT_FREE + 5):
        spoofed = {"X-Forwarded-For": f"203.0.113.{n}", "X-Real-IP": f"203.0.113.{n}"}
        answers.append(await _attempt(served.url, f"user{n}@smbi.example", "guess", spoofed))
    statuses = [a.status_code for a in answers]
    assert statuses.count(401) == CLIENT_FREE, statuses
    assert statuses[-1] == 429


async def test_forwarded_for_is_believed_from_a_configured_proxy(settings: Settings) -> None:
    proxied = settings.model_copy(update={"trusted_proxies": "127.0.0.1, 10.0.0.0/8"})
    with serve_disty(proxied, run_worker=False) as served:
        await _owner(proxied)
        # Behind the proxy, many people share its address: each is counted on their own.
        answers = []
        for n in range(CLIENT_FREE + 5):
            forwarded = {"X-Forwarded-For": f"198.51.100.{n}"}
            answers.append(await _attempt(served.url, f"user{n}@smbi.example", "guess", forwarded))
        assert [a.status_code for a in answers].count(401) == len(answers)


async def _api_token(rt: Runtime) -> str:
    async with rt.sessions() as session:
        await tenants.add_tenant(session, "smbi", [1])
        _, token = await tokens.create_token(
            session, shortcut="smbi", scopes=["read"], name="psa", actor="test"
        )
    return token


async def test_unknown_api_tokens_are_throttled_per_client(settings: Settings) -> None:
    app = create_app(settings, run_worker=False)
    async with open_runtime(settings) as rt:
        token = await _api_token(rt)
        app.state.rt = rt

        def client(address: str) -> httpx.AsyncClient:
            transport = httpx.ASGITransport(app=app, client=(address, 40000))
            return httpx.AsyncClient(transport=transport, base_url="http://disty.test")

        async with client("192.0.2.7") as guesser, client("192.0.2.8") as integration:
            answers = []
            for n in range(40):
                bearer = {"Authorization": f"Bearer disty_guess{n:040d}"}
                answers.append(await guesser.get("/api/v1/pos", headers=bearer))
            statuses = [a.status_code for a in answers]
            assert statuses[:20] == [401] * 20, statuses
            assert set(statuses[20:]) == {429}, statuses
            last = answers[-1]
            assert int(last.headers["Retry-After"]) >= 1
            assert last.headers["content-type"].startswith("application/problem+json")
            assert "wait" in last.json()["detail"]
            # Another client's valid token is neither refused nor delayed.
            for _ in range(30):
                ok = await integration.get(
                    "/api/v1/pos", headers={"Authorization": f"Bearer {token}"}
                )
                assert ok.status_code == 200, ok.text
            # And valid requests count nothing against their client.
            wrong = await integration.get(
                "/api/v1/pos", headers={"Authorization": "Bearer disty_nope"}
            )
            assert wrong.status_code == 401


async def test_unknown_tokens_at_mcp_are_throttled_per_client_as_at_the_api(
    settings: Settings,
) -> None:
    proxied = settings.model_copy(update={"trusted_proxies": "127.0.0.1"})
    async with open_runtime(proxied) as rt:
        token = await _api_token(rt)
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    accept = {"Accept": "application/json, text/event-stream"}
    guesser = accept | {"X-Forwarded-For": "192.0.2.7"}
    with serve_disty(proxied, run_worker=False) as served:
        async with httpx.AsyncClient(base_url=served.url, timeout=30) as http:
            answers = [
                await http.post(
                    "/mcp",
                    json=body,
                    headers=guesser | {"Authorization": f"Bearer disty_guess{n:040d}"},
                )
                for n in range(CLIENT_FREE + 3)
            ]
            statuses = [a.status_code for a in answers]
            assert statuses[:CLIENT_FREE] == [401] * CLIENT_FREE, statuses
            assert set(statuses[CLIENT_FREE:]) == {429}, statuses
            assert int(answers[-1].headers["Retry-After"]) >= 1
            assert "wait" in answers[-1].json()["detail"]
            # The delay can be waited out, and doubles with each failure after it: waiting
            # twice (1 s, then 2 s) puts the checks below inside a 4 s delay, which a slow
            # machine does not outlast as it once did the first 1 s one.
            last = answers[-1]
            for doubled in (2, 4):
                await asyncio.sleep(int(last.headers["Retry-After"]))
                guess = await http.post(
                    "/mcp", json=body, headers=guesser | {"Authorization": "Bearer disty_late"}
                )
                assert guess.status_code == 401, guess.text
                last = await http.post(
                    "/mcp", json=body, headers=guesser | {"Authorization": "Bearer disty_late"}
                )
                assert last.status_code == 429, last.text
                assert 1 <= int(last.headers["Retry-After"]) <= doubled
            # Even its valid token waits (the database is not asked), and so does the API:
            # one count per client, not one per door.
            waits = await http.post(
                "/mcp", json=body, headers=guesser | {"Authorization": f"Bearer {token}"}
            )
            assert waits.status_code == 429
            api = await http.get(
                "/api/v1/pos", headers={"X-Forwarded-For": "192.0.2.7", "Authorization": "Bearer x"}
            )
            assert api.status_code == 429
            # Another client's valid token is neither refused nor delayed, over the SDK's client.
            other = {"X-Forwarded-For": "192.0.2.8", "Authorization": f"Bearer {token}"}
            async with (
                httpx2.AsyncClient(headers=other, timeout=30) as http2,
                Client(streamable_http_client(served.url + "/mcp", http_client=http2)) as mcp,
            ):
                assert "price_list" in {t.name for t in (await mcp.list_tools()).tools}


async def test_one_ipv6_network_is_one_client(settings: Settings) -> None:
    # An IPv6 client is handed a whole /64 (2^64 addresses): spraying passwords across
    # accounts from a new address of it each time is still one client.
    proxied = settings.model_copy(update={"trusted_proxies": "127.0.0.1"})
    with serve_disty(proxied, run_worker=False) as served:
        await _owner(proxied)
        answers = []
        for n in range(CLIENT_FREE + 5):
            forwarded = {"X-Forwarded-For": f"2001:db8:1:2::{n + 1:x}"}
            answers.append(await _attempt(served.url, f"user{n}@smbi.example", "guess", forwarded))
        statuses = [a.status_code for a in answers]
        assert statuses.count(401) == CLIENT_FREE, statuses
        assert statuses[-1] == 429


async def test_a_stranger_keeping_the_account_delayed_cannot_keep_its_owner_out(
    settings: Settings, served: ServedDisty
) -> None:
    """Owners sign in from a browser that signed in before (its device cookie, bound to the
    account): a stranger's guesses, which keep the account's delay running, do not count
    against it; a device cookie of another account, or a made-up one, counts for nothing."""
    await _owner(settings)
    async with open_runtime(settings) as rt, rt.sessions() as session:
        other, one_time = await users.add_user(
            session, email="stranger@smbi.example", shortcut="smbi", role="viewer", actor="test"
        )
        await users.change_password(session, other.id, one_time, "the-strangers-own-pw-42")
    async with httpx.AsyncClient(base_url=served.url, timeout=60) as owner:
        form = await owner.get("/login")
        first = await owner.post(
            "/login", data={"csrf_token": _csrf(form.text), "email": OWNER, "password": PASSWORD}
        )
        assert first.status_code == 303, first.text
        owner.cookies.delete("disty_session")  # the session is over; the device is remembered

        # A stranger with an account of their own gets a device cookie too, for their account.
        async with httpx.AsyncClient(base_url=served.url, timeout=60) as stranger:
            form = await stranger.get("/login")
            mine = await stranger.post(
                "/login",
                data={
                    "csrf_token": _csrf(form.text),
                    "email": "stranger@smbi.example",
                    "password": "the-strangers-own-pw-42",
                },
            )
            assert mine.status_code == 303
            strangers_device = stranger.cookies.get("disty_device", path="/login")
        # ... then guesses the owner's password until the account waits.
        answers = [(await _attempt(served.url, OWNER, "wrong-guess-123")).status_code]
        while answers[-1] != 429:
            answers.append((await _attempt(served.url, OWNER, "wrong-guess-123")).status_code)
        assert answers.count(401) == ACCOUNT_FREE
        # The stranger's own device cookie, or a made-up one, is no way past the delay.
        for cookie in filter(None, (strangers_device, "abc.9999999999.forged")):
            async with httpx.AsyncClient(
                base_url=served.url, timeout=60, cookies={"disty_device": cookie}
            ) as browser:
                form = await browser.get("/login")
                refused = await browser.post(
                    "/login",
                    data={"csrf_token": _csrf(form.text), "email": OWNER, "password": PASSWORD},
                )
            assert refused.status_code == 429, refused.text

        # The owner's browser is let in at once, delay or not.
        form = await owner.get("/login")
        back = await owner.post(
            "/login", data={"csrf_token": _csrf(form.text), "email": OWNER, "password": PASSWORD}
        )
        assert back.status_code == 303, back.text
