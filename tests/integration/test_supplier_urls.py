"""Where a connection's secrets may go, attacked over real HTTP on SQLite and PostgreSQL.

A tenant admin (an admin API token, or the console) sets a connection's base URL, and Run Test
sends the client secret there. Without the operator's DISTY_ALLOW_CUSTOM_SUPPLIER_URLS, only
the supplier's own https endpoints are accepted: another host is refused when saved AND when
used (a row saved before the rule, or edited in the database), and a recording server on this
machine receives nothing. A user:pass@ in a URL is refused and never echoed. With the setting
on, plain http works to loopback only.
"""

from __future__ import annotations

import asyncio
import json
import socketserver
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from disty.config import Settings
from disty.db.models import SupplierConnection
from disty.runtime import open_runtime
from disty.services import connections, tenants, tokens
from disty.services.connections import ConnectionChanges
from tests.conftest import Cli
from tests.fixtures.console import field, signed_in
from tests.fixtures.disty import ServedDisty, serve_disty
from tests.fixtures.simulator import RunningSimulator

CLIENT_SECRET = "cs-never-leaves-0123456789"
USERINFO_PASSWORD = "pw-in-the-url-9876"


class Recorder:
    """A TCP server on 127.0.0.1 that records every connection made to it (and its first
    bytes): where a leaked secret would land."""

    def __init__(self) -> None:
        self.received: list[bytes] = []
        received = self.received

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                self.request.settimeout(2)
                try:
                    received.append(self.request.recv(65536))
                except OSError:
                    received.append(b"")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port: int = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Recorder:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    with Recorder() as running:
        yield running


@pytest.fixture
def strict(settings: Settings) -> Settings:
    """A platform whose operator allows no custom supplier URLs (the default)."""
    return settings.model_copy(update={"allow_custom_supplier_urls": False})


async def _set_up(settings: Settings) -> str:
    """Tenant smbi with a complete Ingram connection (the default, official base URL) and an
    admin API token, which is answered."""
    async with open_runtime(settings) as rt:
        async with rt.sessions() as session:
            await tenants.add_tenant(session, "smbi", [1])
        async with rt.sessions() as session:
            await connections.set_connection(
                session, shortcut="smbi", supplier="ingram", country_id=1,
                changes=ConnectionChanges.of(
                    client_id="app-1", client_secret=CLIENT_SECRET, customer_number="20-222222"
                ),
                box=rt.box, public_url="https://d.example", grace=rt.settings.webhook_key_grace,
                allow_custom_urls=settings.allow_custom_supplier_urls,
            )  # fmt: skip
        async with rt.sessions() as session:
            _, made = await tokens.create_token(
                session, shortcut="smbi", scopes=["admin"], name=None, actor="test"
            )
    return made


async def _edit_row(settings: Settings, base_url: str) -> None:
    """What a row saved before the rule (or edited in the database) holds."""
    async with open_runtime(settings) as rt, rt.sessions() as session:
        await session.execute(update(SupplierConnection).values(base_url=base_url))
        await session.commit()


@pytest.fixture
async def admin_token(strict: Settings) -> str:
    return await _set_up(strict)


@pytest.fixture
def served(strict: Settings, admin_token: str) -> Iterator[ServedDisty]:
    with serve_disty(strict, run_worker=False) as running:
        yield running


def _api(served: ServedDisty, token: str) -> httpx.Client:
    return httpx.Client(
        base_url=served.url + "/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )


def _put(api: httpx.Client, base_url: str) -> httpx.Response:
    return api.put("/connections/ingram/1", json={"base_url": base_url})


def _checks(report: dict[str, Any]) -> dict[str, str]:
    return {check["name"]: check["status"] for check in report["checks"]}


def test_an_admin_token_cannot_point_the_secret_at_another_host(
    strict: Settings, served: ServedDisty, admin_token: str, recorder: Recorder
) -> None:
    here = f"http://127.0.0.1:{recorder.port}/"
    with _api(served, admin_token) as api:
        for target in (
            here,
            "http://169.254.169.254/latest/meta-data",
            "http://127.0.0.1:5432",
            "https://attacker.example",
            "http://api.ingrammicro.com",  # Ingram's host, but the secret in clear
        ):
            refused = _put(api, target)
            assert refused.status_code == 422, (target, refused.text)
            assert "DISTY_ALLOW_CUSTOM_SUPPLIER_URLS" in refused.json()["detail"]
        assert api.get("/connections/ingram/1").json()["base_url"] == (
            "https://api.ingrammicro.com:443"
        )
        # Ingram's own endpoints are accepted, however they are spelled.
        for official in (
            "https://api.ingrammicro.com",
            "https://API.ingrammicro.com:443/sandbox/",
            "https://api.ingrammicro.com:443",
        ):
            assert _put(api, official).status_code == 200, official
    assert recorder.received == []


def test_a_row_pointing_elsewhere_is_refused_when_used(
    strict: Settings, served: ServedDisty, admin_token: str, recorder: Recorder, cli: Cli
) -> None:
    """Saved before the rule existed, or edited in the database: Run Test (API, console, CLI)
    and pricing send nothing there, and the URL's password is never shown."""
    asyncio.run(_edit_row(strict, f"http://probe:{USERINFO_PASSWORD}@127.0.0.1:{recorder.port}"))
    with _api(served, admin_token) as api:
        shown = api.get("/connections/ingram/1")
        assert shown.status_code == 200
        assert USERINFO_PASSWORD not in shown.text
        assert "probe" not in shown.text
        tested = api.post("/connections/ingram/1/test")
        assert tested.status_code == 200, tested.text
        checks = _checks(tested.json())
        assert checks["base_url"] == "fail"
        assert checks["credentials"] == "skip"
        assert USERINFO_PASSWORD not in tested.text
        priced = api.post("/prices", json={"country_id": 1, "skus": ["123512"]})
        assert USERINFO_PASSWORD not in priced.text
        assert priced.status_code == 200, priced.text
        assert priced.json()[0]["status"] == "error"
    strict_cli = Cli({**cli.env, "DISTY_ALLOW_CUSTOM_SUPPLIER_URLS": "0"})
    result = strict_cli(
        "supplier", "test", "ingram", "--tenant", "smbi", "--country", "1", "--json"
    )
    assert result.exit_code == 1
    assert _checks(json.loads(result.stdout))["base_url"] == "fail"
    assert USERINFO_PASSWORD not in result.output
    shown_cli = strict_cli("supplier", "show", "--tenant", "smbi")
    assert USERINFO_PASSWORD not in shown_cli.output
    with signed_in(served, cli, "admin@smbi.example") as browser:
        page = browser.get("/t/smbi/suppliers/ingram/1")
        assert page.status_code == 200
        assert USERINFO_PASSWORD not in page.text
        # Run Test redirects to the settings page, which shows the result.
        tested_page = browser.post(
            "/t/smbi/suppliers/ingram/1/test",
            data={"csrf_token": field(page.text, "csrf_token")},
            follow_redirects=True,
        )
        assert "base URL is not allowed" in tested_page.text
        assert USERINFO_PASSWORD not in tested_page.text
    assert recorder.received == []


def test_a_password_in_a_url_is_refused_and_never_echoed(
    strict: Settings, served: ServedDisty, admin_token: str, cli: Cli
) -> None:
    sneaky = f"https://user:{USERINFO_PASSWORD}@api.ingrammicro.com"
    with _api(served, admin_token) as api:
        refused = _put(api, sneaky)
        assert refused.status_code == 422
        assert "user name or password" in refused.json()["detail"]
        assert USERINFO_PASSWORD not in refused.text
    result = cli(
        "supplier", "set", "ingram", "--tenant", "smbi", "--country", "1", "--base-url", sneaky
    )
    assert result.exit_code != 0
    assert "user name or password" in result.output
    assert USERINFO_PASSWORD not in result.output
    with signed_in(served, cli, "admin@smbi.example") as browser:
        page = browser.get("/t/smbi/suppliers/ingram/1")
        saved = browser.post(
            "/t/smbi/suppliers/ingram/1",
            data={"csrf_token": field(page.text, "csrf_token"), "base_url": sneaky},
        )
        assert saved.status_code == 422
        assert "user name or password" in saved.text
        assert USERINFO_PASSWORD not in saved.text


def test_with_the_setting_on_loopback_http_works_and_other_http_is_refused(
    settings: Settings, simulator: RunningSimulator, recorder: Recorder
) -> None:
    assert settings.allow_custom_supplier_urls
    token = asyncio.run(_set_up(settings))
    with serve_disty(settings, run_worker=False) as served, _api(served, token) as api:
        for target in (
            "http://10.1.2.3:8080",
            "http://sandbox.example.com",
            "http://169.254.169.254",
            "https://169.254.169.254",
        ):
            refused = _put(api, target)
            assert refused.status_code == 422, (target, refused.text)
        assert _put(api, "https://sandbox.example.com").status_code == 200
        assert _put(api, simulator.base_url).status_code == 200
        api.put(
            "/connections/ingram/1",
            json={
                "client_id": simulator.client_id,
                "client_secret": simulator.client_secret,
                "customer_number": simulator.customer_number,
            },
        ).raise_for_status()
        tested = api.post("/connections/ingram/1/test")
        assert _checks(tested.json())["credentials"] == "pass", tested.text
    assert recorder.received == []
