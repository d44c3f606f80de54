"""``/readyz`` while PostgreSQL is away: a replica started over a relay to the test's server,
then the relay cut (the server stopped) or stalled (a server that no longer answers). Either
way /readyz answers 503 with a reason and no secret (not the URL's password: none in the
answer, none in any log line), /healthz still 200; and ready again once the server is back.
(The schema behind the migrations: tests/integration/test_observability.py.)"""

from __future__ import annotations

import asyncio
import getpass
import logging

import httpx
import pytest
from sqlalchemy.engine import make_url

from disty.config import Settings
from disty.web import create_app
from tests.fixtures.relay import Relay

PASSWORD = "readyz-pw-5ecret-0c9a"  # the test server trusts every local connection


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
@pytest.mark.parametrize("outage", ["stopped", "hung"])
async def test_readyz_fails_at_once_while_the_database_is_away(
    settings: Settings, outage: str, caplog: pytest.LogCaptureFixture
) -> None:
    url = make_url(str(settings.database_url))
    relay = Relay(url.host or "127.0.0.1", url.port or 5432)
    port = await relay.start()
    relayed = url.set(
        host="127.0.0.1", port=port, username=url.username or getpass.getuser(), password=PASSWORD
    )
    away = settings.model_copy(
        update={"database_url": relayed.render_as_string(hide_password=False)}
    )
    caplog.set_level(logging.DEBUG)
    app = create_app(away, run_worker=False)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        before = await client.get("/readyz")
        assert before.status_code == 200, before.text
        if outage == "stopped":
            await relay.cut()
        else:
            relay.stall()
        # A bounded wait: a probe left hanging on the database never answers at all.
        down = await asyncio.wait_for(client.get("/readyz"), timeout=30)
        alive = await client.get("/healthz")
        scraped = await client.get("/metrics")
        if outage == "stopped":
            await relay.start()  # the server back, on the same address
        else:
            await relay.cut()
            await relay.start()
        after = await client.get("/readyz")
    assert down.status_code == 503, down.text
    assert down.json()["status"] == "not ready"
    assert down.json()["reason"].startswith("database unreachable")
    assert alive.status_code == 200
    assert "disty_database_up 0.0" in scraped.text
    assert after.status_code == 200, after.text
    for text in (down.text, scraped.text, caplog.text):
        assert PASSWORD not in text
