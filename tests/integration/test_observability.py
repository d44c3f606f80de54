"""Operations: /metrics (what it counts, who may read it), the request id from a delivery to
its event's processing and from a PO's submission to its send by the worker, JSON log lines
that hold no secret, /readyz when the schema is behind.

The app runs in this process (tests/fixtures/disty.py), so its counters are read here directly
(``metrics.REGISTRY``) before and after, exactly."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import text

from disty import logs, metrics
from disty.config import Environment, Settings
from disty.db import migrate
from disty.jobs import worker
from disty.runtime import Runtime
from disty.services import ordering, tokens
from tests.fixtures.disty import ServedDisty, serve_disty
from tests.fixtures.ingram import control
from tests.fixtures.simulator import RunningSimulator
from tests.integration import test_webhooks as hooks
from tests.integration.test_webhooks import KEY, eventually, inbox_rows, order_event, sign

# The receiver's fixtures (a tenant connected to the simulator, disty served), shared.
server_settings, rt, served = hooks.server_settings, hooks.rt, hooks.served


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """disty's log lines at debug, as DISTY_LOG_FORMAT=json writes them."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logs.JsonFormatter())
    handler.addFilter(logs._WithRequestId())
    logger = logging.getLogger("disty")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield out
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def _count(name: str, **labels: str) -> float:
    return metrics.REGISTRY.get_sample_value(name, labels) or 0.0


async def test_a_delivery_is_counted_and_its_request_id_follows_it_into_processing(
    rt: Runtime, served: ServedDisty, json_lines: io.StringIO
) -> None:
    accepted = _count("disty_webhook_deliveries_total", supplier="ingram", outcome="accepted")
    refused = _count("disty_webhook_refusals_total", supplier="ingram", reason="bad_signature")
    rid = "edge-proxy-7f3a9c01"
    body = json.dumps(order_event("EVT-OBS-1", po="PO-OBS-404")).encode()
    signature = sign(KEY, "EVT-OBS-1")
    async with httpx.AsyncClient(base_url=served.url) as client:
        ok = await client.post(
            served.hook(), content=body,
            headers={"x-hub-signature": signature, "x-request-id": rid},
        )  # fmt: skip
        # An id nobody should keep (too long, and what a stranger might try to plant in logs).
        bad = await client.post(
            served.hook(), content=body,
            headers={"x-hub-signature": sign("not-the-key", "EVT-OBS-1"),
                     "x-request-id": "x" * 65 + "\"}{"},
        )  # fmt: skip
        assert ok.status_code == 200
        assert ok.headers["x-request-id"] == rid
        assert bad.status_code == 401
        made = bad.headers["x-request-id"]
        assert len(made) == 32
        assert made != rid

        async def processed() -> bool:
            rows = await inbox_rows(rt)
            return len(rows) == 1 and rows[0].status == "processed"

        await eventually(processed)
        [row] = await inbox_rows(rt)
        assert row.headers["x-request-id"] == rid  # stored with the row: any process sees it
        assert "x-hub-signature" not in row.headers

        page = await client.get("/metrics")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/plain")
    after = _count("disty_webhook_deliveries_total", supplier="ingram", outcome="accepted")
    assert after == accepted + 1
    assert (
        _count("disty_webhook_refusals_total", supplier="ingram", reason="bad_signature")
        == refused + 1
    )
    scraped = page.text
    assert "disty_database_up 1.0" in scraped
    assert 'disty_inbox_events{status="received"} 0.0' in scraped
    assert 'disty_jobs_queued{queue="webhook_events"} 0.0' in scraped
    assert 'disty_purchase_orders{state="submitted"}' in scraped
    assert "disty_inbox_lag_seconds 0.0" in scraped

    lines = [json.loads(line) for line in json_lines.getvalue().splitlines()]
    mine = [e for e in lines if e.get("request_id") == rid]
    assert any("EVT-OBS-1 processed" in e["message"] for e in mine), lines
    # No line, and no metric, holds the webhook key or a signature.
    for secret in (KEY, signature, signature[:20]):
        assert secret not in json_lines.getvalue()
        assert secret not in scraped


async def test_a_po_sent_later_by_the_worker_logs_under_the_request_that_submitted_it(
    rt: Runtime,
    simulator: RunningSimulator,
    server_settings: Settings,
    json_lines: io.StringIO,
) -> None:
    async with rt.sessions() as session:
        _, bearer = await tokens.create_token(
            session, shortcut="smbi", scopes=["order"], name=None, actor="test"
        )
    sku = str(simulator.state.catalog.product(21).ingram_part_number)
    ship_to = {"company": "Acme", "street": "1 Main St", "city": "Springfield", "state": "IL",
               "postcode": "62701", "country": "US"}  # fmt: skip
    priced_later, resent = "api-submit-0000aaaa", "api-submit-0000bbbb"

    async def submit(client: httpx.AsyncClient, po: str, rid: str) -> str:
        body = {"po_number": po, "country_id": 1, "lines": [{"sku": sku, "quantity": 1}],
                "ship_to": ship_to}  # fmt: skip
        answer = await client.post("/api/v1/pos", json=body, headers={"x-request-id": rid})
        assert answer.status_code == 201, answer.text
        return str(answer.json()["status"])

    def fault(**given: object) -> None:
        control(simulator, "POST", "/faults", json=given)

    # Web only: the test runs the worker's rounds itself, outside any request, when it likes.
    with serve_disty(server_settings, run_worker=False) as web:
        async with httpx.AsyncClient(
            base_url=web.url, headers={"authorization": f"Bearer {bearer}"}, timeout=30
        ) as client:
            # Prices cannot be confirmed: nothing sent, the worker checks them again later.
            fault(kind="error", endpoint="post-priceandavailability")
            assert await submit(client, "PO-RID-PRICE", priced_later) == "draft"
            control(simulator, "DELETE", "/faults")
            # The order's answer is lost and the search for it fails: the outbox resends later.
            fault(kind="drop_after", endpoint="post-createorder_v6", times=1)
            fault(kind="error", endpoint="get-resellers-v6-ordersearch")
            assert await submit(client, "PO-RID-LOST", resent) == "submitting"
            control(simulator, "DELETE", "/faults")
    sent_in_request = json_lines.getvalue()

    async with rt.sessions() as session:
        po = await ordering.find_po(session, shortcut="smbi", po_number="PO-RID-PRICE")
        assert po.price_check_at is not None
        po.price_check_at = po.price_check_at.replace(year=2000)  # due now
        await session.commit()
    assert logs.REQUEST_ID.get() is None  # the rounds below run in no request
    assert await worker.price_round(rt) == 1
    assert await worker.outbox_round(rt) == 1
    async with rt.sessions() as session:
        for number in ("PO-RID-PRICE", "PO-RID-LOST"):
            po = await ordering.find_po(session, shortcut="smbi", po_number=number)
            assert po.status == "submitted", (number, po.status)

    later = json_lines.getvalue()[len(sent_in_request) :]
    lines = [json.loads(line) for line in later.splitlines()]
    sending = [e for e in lines if e["message"].startswith("PO PO-RID-")]
    by_po = {(e["message"].split(":")[0], e.get("request_id")) for e in sending}
    # Each PO's lines, logged by the worker, carry the id of the request that submitted it.
    assert by_po == {("PO PO-RID-PRICE", priced_later), ("PO PO-RID-LOST", resent)}, sending
    messages = [e["message"] for e in sending]
    assert "PO PO-RID-PRICE: sending it to ingram (send 1)" in messages
    assert any(m.startswith("PO PO-RID-LOST: found at ingram as") for m in messages)
    # And the request's own lines (its first send, the answer lost) carry it too.
    asked = [json.loads(line) for line in sent_in_request.splitlines()]
    assert any(
        e.get("request_id") == resent and e["message"].startswith("PO PO-RID-LOST: no answer")
        for e in asked
    ), asked


async def test_metrics_are_for_the_operator_only(settings: Settings) -> None:
    production = settings.model_copy(update={"env": Environment.PRODUCTION})
    # Production without a token: nobody, not even this machine.
    with serve_disty(production, run_worker=False) as open_:
        async with httpx.AsyncClient(base_url=open_.url) as client:
            assert (await client.get("/metrics")).status_code == 404
    token = "metrics-token-0123456789abcdef"
    guarded = production.model_copy(update={"metrics_token": SecretStr(token)})
    with serve_disty(guarded, run_worker=False) as tokened:
        async with httpx.AsyncClient(base_url=tokened.url) as client:
            assert (await client.get("/metrics")).status_code == 404
            wrong = {"authorization": "Bearer metrics-token-wrong"}
            assert (await client.get("/metrics", headers=wrong)).status_code == 404
            right = await client.get("/metrics", headers={"authorization": f"Bearer {token}"})
    assert right.status_code == 200
    assert "disty_database_up 1.0" in right.text
    assert token not in right.text


async def test_readyz_fails_while_the_schema_is_behind(rt: Runtime, served: ServedDisty) -> None:
    head = migrate.head_revision()
    async with httpx.AsyncClient(base_url=served.url) as client:
        ready = await client.get("/readyz")
        async with rt.engine.begin() as conn:
            await conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
        try:
            behind = await client.get("/readyz")
            alive = await client.get("/healthz")
        finally:
            async with rt.engine.begin() as conn:
                await conn.execute(
                    text("UPDATE alembic_version SET version_num = :head"), {"head": head}
                )
        again = await client.get("/readyz")
    # Ready at the head, before and after: the 503 below is the schema's, not the probe's.
    assert ready.status_code == again.status_code == 200
    assert ready.json() == {"status": "ready", "schema": head}
    assert behind.status_code == 503
    assert behind.json()["reason"] == (
        f"database schema at 0001, expected {head}: run 'disty db upgrade'"
    )
    assert alive.status_code == 200  # liveness: the process answers all the same
