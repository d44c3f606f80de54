"""``disty worker --metrics-port``: a worker run as its own process serves /metrics, with what
only it counts (its calls to distributors) and the database's figures, under
DISTY_METRICS_TOKEN's rule; without a token, production refuses it rather than serve a page
nobody may read. A real ``disty worker`` on PostgreSQL (procrastinate's queue)."""

from __future__ import annotations

import asyncio
import re
import signal
import sys
from pathlib import Path

import httpx
import pytest

from disty.config import Settings
from disty.runtime import Runtime
from tests.conftest import Cli
from tests.fixtures.ingram import control
from tests.fixtures.killing import cli_env
from tests.fixtures.simulator import RunningSimulator
from tests.integration import test_webhooks as hooks
from tests.integration.test_webhooks import submit

server_settings, rt = hooks.server_settings, hooks.rt
TOKEN = "worker-metrics-token-0123456789"
# The worker's search for the PO (labels in any order).
CALLED = re.compile(r'disty_supplier_responses_total\{[^}]*endpoint="[^"]*/orders/search"')
SHOWN = re.compile(rb"metrics on (http://127\.0\.0\.1:\d+/metrics)")


async def _read_until(stream: asyncio.StreamReader, pattern: re.Pattern[bytes]) -> str:
    seen = b""
    while line := await stream.readline():
        if found := pattern.search(line):
            return found.group(1).decode()
        seen += line
    raise AssertionError(f"the worker ended before saying where its metrics are: {seen!r}")


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_a_worker_serves_its_own_metrics(
    rt: Runtime, simulator: RunningSimulator, server_settings: Settings, secret_key: str
) -> None:
    # A PO left in the outbox (its answer lost, the search failing): the worker's job asks
    # the supplier about it, a call only the worker's own counters see.
    control(simulator, "POST", "/faults",
            json={"kind": "drop_after", "endpoint": "post-createorder_v6", "times": 1})  # fmt: skip
    control(simulator, "POST", "/faults",
            json={"kind": "error", "endpoint": "get-resellers-v6-ordersearch"})  # fmt: skip
    assert (await submit(rt, simulator, "PO-WORKER-METRICS")).status == "submitting"
    control(simulator, "DELETE", "/faults")

    env = {**cli_env(server_settings, secret_key), "DISTY_METRICS_TOKEN": TOKEN,
           "DISTY_POLL_INTERVAL_S": "0", "DISTY_JOB_SHUTDOWN_GRACE_S": "1"}  # fmt: skip
    disty = Path(sys.executable).with_name("disty")
    process = await asyncio.create_subprocess_exec(
        str(disty), "worker", "--metrics-port", "0", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        url = await asyncio.wait_for(_read_until(process.stdout, SHOWN), timeout=60)
        bearer = {"authorization": f"Bearer {TOKEN}"}
        async with httpx.AsyncClient(timeout=10) as client:
            # The web's rule: with a token set, nobody without it (404, as if no such page).
            assert (await client.get(url)).status_code == 404
            wrong = {"authorization": "Bearer worker-metrics-token-wrong"}
            assert (await client.get(url, headers=wrong)).status_code == 404
            page = ""
            for _ in range(200):  # the outbox sweep runs every few seconds
                answer = await client.get(url, headers=bearer)
                assert answer.status_code == 200, answer.text
                page = answer.text
                if CALLED.search(page):
                    break
                await asyncio.sleep(0.1)
        assert CALLED.search(page), page
        assert "disty_supplier_request_seconds_bucket{" in page
        assert "disty_database_up 1.0" in page
        assert 'disty_jobs_queued{queue="outbox"}' in page
        assert TOKEN not in page
        process.send_signal(signal.SIGTERM)  # the worker's own handler, not uvicorn's
        assert await asyncio.wait_for(process.wait(), timeout=30) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_production_refuses_a_worker_metrics_page_without_a_token(cli: Cli) -> None:
    production = Cli({**cli.env, "DISTY_ENV": "production"})
    result = production("worker", "--metrics-port", "0")
    assert result.exit_code == 1
    assert "needs DISTY_METRICS_TOKEN" in result.output
