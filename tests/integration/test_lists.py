"""The console's and the API's lists (POs, webhook events, invoices) on SQLite and PostgreSQL,
served in-process through httpx's ASGITransport: keyset pages that neither repeat nor skip a
row while POs arrive, filters, search, CSV exports with the formula guard, and another
tenant's rows never shown or exported."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from html import unescape

import httpx
import pytest

from disty.config import Settings
from disty.db.models import (
    InboundEvent,
    POInvoice,
    POLine,
    PurchaseOrder,
    SupplierConnection,
)
from disty.runtime import Runtime, open_runtime
from disty.services import keyset, tenants, tokens, users
from disty.web.app import create_app

START = datetime(2026, 3, 1, tzinfo=UTC)
STATUSES = ("submitted", "shipped", "invoiced", "failed")


async def _connection(rt: Runtime, shortcut: str) -> tuple[int, int]:
    async with rt.sessions() as session:
        await tenants.add_tenant(session, shortcut, [1])
        tenant = await tenants.get_tenant(session, shortcut)
        row = SupplierConnection(
            tenant_id=tenant.id, supplier="ingram", country_id=1, base_url="http://x.invalid"
        )
        session.add(row)
        await session.commit()
        return tenant.id, row.id


async def _pos(
    rt: Runtime, tenant: tuple[int, int], prefix: str, count: int, start: int = 0
) -> None:
    """``count`` POs a minute apart, each with a line, an order number and an invoice."""
    tenant_id, connection_id = tenant
    async with rt.sessions() as session:
        for n in range(start, start + count):
            at = START + timedelta(minutes=n)
            po = PurchaseOrder(
                tenant_id=tenant_id, connection_id=connection_id, supplier="ingram",
                country_id=1, po_number=f"{prefix}-{n:04d}", status=STATUSES[n % 4],
                ship_to={}, supplier_order_numbers=[f"{prefix}ORD{n}"], created_at=at,
                updated_at=at,
            )  # fmt: skip
            po.lines = [
                POLine(line_number=1, sku=f"SKU{n % 3}", quantity=2,
                       expected_price=Decimal("10.50"), supplier_order_number=f"{prefix}ORD{n}")
            ]  # fmt: skip
            po.invoices = [POInvoice(invoice_number=f"{prefix}INV{n:04d}")]
            session.add(po)
        await session.commit()


@pytest.fixture
async def rt(settings: Settings) -> AsyncIterator[Runtime]:
    async with open_runtime(settings) as opened:
        yield opened


@pytest.fixture
async def app_client(rt: Runtime, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, run_worker=False)
    app.state.rt = rt
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://disty.test") as client:
        yield client


async def _sign_in(rt: Runtime, client: httpx.AsyncClient, email: str) -> None:
    async with rt.sessions() as session:
        _, password = await users.add_user(
            session, email=email, shortcut="smbi", role="admin", actor="test", one_time=False
        )
    form = await client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    answer = await client.post(
        "/login", data={"csrf_token": token.group(1), "email": email, "password": password}
    )
    assert answer.status_code == 303, answer.text


def _shown(html: str) -> list[str]:
    return re.findall(r'<tr data-po="([^"]+)"', html)


def _next(html: str) -> str | None:
    found = re.search(r'<a href="([^"]+)" rel="next">', html)
    return unescape(found.group(1)) if found else None


def _csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


async def test_po_list_pages_filters_searches_and_exports_one_tenants_pos(
    rt: Runtime, app_client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Exports read a batch at a time: small batches make every export cross their seams.
    monkeypatch.setattr(keyset, "EXPORT_BATCH", 7)
    smbi = await _connection(rt, "smbi")
    acme = await _connection(rt, "acme")
    await _pos(rt, smbi, "PO", 120)
    await _pos(rt, acme, "PO", 30, start=500)  # same numbers' shape: only the tenant differs
    await _sign_in(rt, app_client, "admin@smbi.example")

    # Pages of 50, newest first, while new POs arrive between pages: each PO of the start
    # exactly once, and none of the new ones (they sort before the cursor).
    url: str | None = "/t/smbi/pos"
    seen: list[str] = []
    while url is not None:
        page = await app_client.get(url)
        assert page.status_code == 200, page.text
        seen += _shown(page.text)
        url = _next(page.text)
        await _pos(rt, smbi, "PO", 1, start=1000 + len(seen))
    assert seen == [f"PO-{n:04d}" for n in reversed(range(120))]
    assert 'href="/t/smbi/pos.csv"' in (await app_client.get("/t/smbi/pos")).text

    # Filters and search: status, date range, PO number prefix, SKU, supplier order number.
    failed = _shown((await app_client.get("/t/smbi/pos?status=failed")).text)
    assert failed[:2] == ["PO-0119", "PO-0115"]
    assert len(failed) == 30
    day = (await app_client.get("/t/smbi/pos?from=2026-03-01&to=2026-03-01&q=PO-00")).text
    assert _shown(day)[0] == "PO-0099"
    assert len(_shown(day)) == 50
    assert _shown((await app_client.get("/t/smbi/pos?q=PO-011")).text) == [
        f"PO-{n:04d}" for n in reversed(range(110, 120))
    ]
    assert _shown((await app_client.get("/t/smbi/pos?q=POORD7")).text) == [
        "PO-0079", "PO-0078", "PO-0077", "PO-0076", "PO-0075", "PO-0074", "PO-0073",
        "PO-0072", "PO-0071", "PO-0070", "PO-0007",
    ]  # fmt: skip
    assert _shown((await app_client.get("/t/smbi/pos?q=po-011")).text) == []  # case as typed
    sku = _shown((await app_client.get("/t/smbi/pos?q=SKU1&status=shipped")).text)
    assert sku
    assert all(int(n[3:]) % 3 == 1 and int(n[3:]) % 4 == 1 for n in sku)
    bad = await app_client.get("/t/smbi/pos?from=yesterday")
    assert bad.status_code == 422
    assert "not a date" in bad.text
    assert (await app_client.get("/t/smbi/pos?after=garbage")).status_code == 422

    # The export: every PO of the filter, acme's never, the formula guard on every cell.
    export = await app_client.get("/t/smbi/pos.csv?status=failed")
    assert export.headers["content-type"].startswith("text/csv")
    assert export.headers["content-disposition"] == 'attachment; filename="smbi-pos.csv"'
    table = _csv(export.text)
    assert table[0][:4] == ["PO number", "Supplier", "Country", "Status"]
    assert [r[0] for r in table[1:]] == failed
    assert table[1][6:8] == ["1", "21.00"]
    everything = _csv((await app_client.get("/t/smbi/pos.csv")).text)
    assert len(everything) == 1 + 120 + 3  # the header, the POs and those added while paging
    assert not any(int(r[0][3:]) >= 500 and int(r[0][3:]) < 530 for r in everything[1:])


async def test_csv_cells_that_a_spreadsheet_would_run_are_defused(
    rt: Runtime, app_client: httpx.AsyncClient
) -> None:
    smbi = await _connection(rt, "smbi")
    async with rt.sessions() as session:
        hostile = PurchaseOrder(
            tenant_id=smbi[0], connection_id=smbi[1], supplier="ingram", country_id=1,
            po_number="PO-EVIL", status="submitted", ship_to={}, created_at=START,
            updated_at=START,
            supplier_order_numbers=['=HYPERLINK("http://evil.example")', "+1", "-2", "@SUM(A1)",
                                    "\tTAB", "\rCR"],
        )  # fmt: skip
        hostile.invoices = [POInvoice(invoice_number="=1+1", supplier_order_number="@cmd")]
        session.add(hostile)
        await session.commit()
    await _sign_in(rt, app_client, "admin@smbi.example")
    [_, row] = _csv((await app_client.get("/t/smbi/pos.csv")).text)
    assert row[4] == '\'=HYPERLINK("http://evil.example") +1 -2 @SUM(A1) \tTAB \rCR'
    invoices = _csv((await app_client.get("/t/smbi/invoices.csv")).text)
    assert invoices[1][:2] == ["'=1+1", "'@cmd"]
    page = await app_client.get("/t/smbi/invoices?q=%3D1")
    assert 'data-invoice="=1+1"' in page.text


async def test_events_and_invoices_page_and_export_one_tenants_rows(
    rt: Runtime, app_client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Exports read a batch at a time: small batches make every export cross their seams.
    monkeypatch.setattr(keyset, "EXPORT_BATCH", 7)
    smbi = await _connection(rt, "smbi")
    acme = await _connection(rt, "acme")
    await _pos(rt, smbi, "S", 60)
    await _pos(rt, acme, "A", 10)
    async with rt.sessions() as session:
        for tenant, prefix, count in ((smbi, "evt", 70), (acme, "acme-evt", 5)):
            session.add_all(
                InboundEvent(
                    tenant_id=tenant[0],
                    connection_id=tenant[1],
                    supplier="ingram",
                    country_id=1,
                    event_id=f"{prefix}-{n:03d}",
                    event_type="im::order_shipped",
                    received_at=START + timedelta(seconds=n),
                    body_sha256="0" * 64,
                    headers={},
                    status="dead" if n % 10 == 0 else "processed",
                    body="{}",
                )
                for n in range(count)
            )
        await session.commit()
    await _sign_in(rt, app_client, "admin@smbi.example")

    url: str | None = "/t/smbi/webhooks"
    events: list[str] = []
    while url is not None:
        page = await app_client.get(url)
        assert page.status_code == 200, page.text
        events += re.findall(r'<tr id="event-([^"]+)"', page.text)
        url = _next(page.text)
    assert events == [f"evt-{n:03d}" for n in reversed(range(70))]
    dead = (await app_client.get("/t/smbi/webhooks?status=dead&q=evt-0")).text
    assert re.findall(r'<tr id="event-([^"]+)"', dead) == [
        "evt-060", "evt-050", "evt-040", "evt-030", "evt-020", "evt-010", "evt-000",
    ]  # fmt: skip
    exported = _csv((await app_client.get("/t/smbi/webhooks.csv")).text)
    assert [r[1] for r in exported[1:]] == events

    url = "/t/smbi/invoices"
    invoices: list[str] = []
    while url is not None:
        page = await app_client.get(url)
        assert page.status_code == 200, page.text
        invoices += re.findall(r'<tr data-invoice="([^"]+)"', page.text)
        url = _next(page.text)
    assert invoices == [f"SINV{n:04d}" for n in reversed(range(60))]
    assert 'href="/t/smbi/invoices"' in page.text  # the nav link
    found = (await app_client.get("/t/smbi/invoices?q=S-000")).text
    assert re.findall(r'<tr data-invoice="([^"]+)"', found) == [
        f"SINV{n:04d}" for n in reversed(range(10))
    ]
    exported = _csv((await app_client.get("/t/smbi/invoices.csv")).text)
    assert [r[0] for r in exported[1:]] == invoices


async def test_api_lists_page_by_cursor_and_still_by_offset(
    rt: Runtime, app_client: httpx.AsyncClient
) -> None:
    smbi = await _connection(rt, "smbi")
    acme = await _connection(rt, "acme")
    await _pos(rt, smbi, "PO", 23)
    await _pos(rt, acme, "PO", 5, start=200)
    async with rt.sessions() as session:
        _, token = await tokens.create_token(
            session, shortcut="smbi", scopes=["read"], name="psa", actor="test"
        )
    bearer = {"Authorization": f"Bearer {token}"}
    numbers: list[str] = []
    cursor: str | None = None
    while True:
        params = {"limit": "7", **({"cursor": cursor} if cursor else {})}
        answer = (await app_client.get("/api/v1/pos", params=params, headers=bearer)).json()
        numbers += [po["po_number"] for po in answer["items"]]
        cursor = answer["next_cursor"]
        if cursor is None:
            break
        await _pos(rt, smbi, "PO", 1, start=100 + len(numbers))  # newer: after the end
    assert numbers[:23] == [f"PO-{n:04d}" for n in range(23)]  # oldest first, no gap or twice
    assert len(numbers) == len(set(numbers))
    assert not any(n >= "PO-0200" and n < "PO-0205" for n in numbers)
    by_offset = (
        await app_client.get("/api/v1/pos", params={"limit": 5, "offset": 10}, headers=bearer)
    ).json()
    assert [po["po_number"] for po in by_offset["items"]] == numbers[10:15]
    assert by_offset["next_offset"] == 15
    searched = await app_client.get("/api/v1/pos", params={"q": "PO-001"}, headers=bearer)
    assert [po["po_number"] for po in searched.json()["items"]] == [
        f"PO-{n:04d}" for n in range(10, 20)
    ]
    refused = await app_client.get("/api/v1/pos", params={"cursor": "nope"}, headers=bearer)
    assert refused.status_code == 422
    assert (await app_client.get("/api/v1/events", headers=bearer)).json()["next_cursor"] is None
