"""A replica whose database connections are all busy answers 503 with Retry-After within its
pool timeout (DISTY_DB_POOL_TIMEOUT_S), rather than keeping the request waiting: a burst one
replica cannot take is tried again, on it or on another. On both databases."""

from __future__ import annotations

import httpx

from disty.config import Settings
from disty.web import create_app
from tests.fixtures.simulator import RunningSimulator
from tests.fixtures.tenants import tenant_with_token

POOL_TIMEOUT_S = 0.2


async def test_a_request_finding_every_connection_busy_gets_503_quickly(
    settings: Settings, simulator: RunningSimulator
) -> None:
    token = await tenant_with_token(settings, simulator, "read")
    tiny = settings.model_copy(
        update={"db_pool_size": 1, "db_pool_overflow": 0, "db_pool_timeout_s": POOL_TIMEOUT_S}
    )
    app = create_app(tiny, run_worker=False)
    headers = {"authorization": f"Bearer {token}"}
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t", headers=headers
        ) as client,
    ):
        assert (await client.get("/api/v1/pos")).status_code == 200
        # Another request holds the pool's only connection.
        async with app.state.rt.engine.connect() as held:
            await held.exec_driver_sql("SELECT 1")
            # A 503 at all is the bounded wait: a pool without a timeout never answers.
            answer = await client.get("/api/v1/pos")
        assert answer.status_code == 503, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["type"].endswith("/database-busy")
        assert "try again" in answer.json()["detail"]
        assert int(answer.headers["retry-after"]) >= 1
        # The connection back, the next request is served.
        assert (await client.get("/api/v1/pos")).status_code == 200
