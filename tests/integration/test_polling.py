"""The polling round on the schedule (domain/polling.py), on SQLite and PostgreSQL, with a
supplier without webhooks (the tests' own, tests/fixtures/fake_supplier.py): due POs only,
the most overdue first and at most the round's limit; the wait doubling while nothing changes,
never past an hour, and starting over when the order moves; a failing PO asked again later
while the others are refreshed; the last and next check shown by the API's JSON and the CLI."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import pytest
from sqlalchemy import update

from disty.config import Settings
from disty.db.base import utcnow
from disty.db.models import PurchaseOrder
from disty.domain.orders import Address
from disty.runtime import Runtime, open_runtime
from disty.services import connections, ordering, tenants
from disty.services.connections import ConnectionChanges
from disty.services.ordering import Context, LineInput
from disty.services.po_views import po_json
from tests.conftest import Cli
from tests.fixtures.fake_supplier import (
    ACCOUNT,
    API_KEY,
    KEY,
    RunningTessera,
    serve_tessera,
    tessera_registered,
)

SHIP_TO = Address("Acme", "1 Main St", "Springfield", "IL", "62701", "US")
MINUTE = timedelta(minutes=1)


@pytest.fixture
def tessera() -> Iterator[RunningTessera]:
    with tessera_registered(), serve_tessera() as running:
        yield running


@pytest.fixture
async def rt(settings: Settings, tessera: RunningTessera) -> AsyncIterator[Runtime]:
    async with open_runtime(settings) as opened:
        async with opened.sessions() as session:
            await tenants.add_tenant(session, "smbi", [1])
        async with opened.sessions() as session:
            await connections.set_connection(
                session, shortcut="smbi", supplier=KEY, country_id=1,
                changes=ConnectionChanges.of(account_number=ACCOUNT, api_key=API_KEY,
                                             base_url=tessera.url),
                box=opened.box, public_url="https://d.example",
                grace=opened.settings.webhook_key_grace, allow_custom_urls=True,
            )  # fmt: skip
        yield opened


def ctx(rt: Runtime) -> Context:
    return Context(rt.suppliers, "test")


async def submit(rt: Runtime, po_number: str) -> PurchaseOrder:
    async with rt.sessions() as session:
        return await ordering.submit(
            session, ctx(rt), shortcut="smbi", country_id=1, supplier=KEY, po_number=po_number,
            lines=[LineInput("TS-100", 1)], ship_to=SHIP_TO,
        )  # fmt: skip


async def get(rt: Runtime, po_number: str) -> PurchaseOrder:
    async with rt.sessions() as session:
        return await ordering.find_po(session, shortcut="smbi", po_number=po_number)


async def set_times(rt: Runtime, po_number: str, **values: object) -> None:
    async with rt.sessions() as session:
        await session.execute(
            update(PurchaseOrder).where(PurchaseOrder.po_number == po_number).values(**values)
        )
        await session.commit()


async def make_due(rt: Runtime, po_number: str) -> None:
    """Time passes: the PO's check and its schedule move back until it is due (its wait kept)."""
    po = await get(rt, po_number)
    assert po.next_check_at is not None
    assert po.refreshed_at is not None
    shift = po.next_check_at - utcnow() + timedelta(seconds=1)
    await set_times(rt, po_number, refreshed_at=po.refreshed_at - shift,
                    next_check_at=po.next_check_at - shift)  # fmt: skip


async def poll(rt: Runtime, limit: int | None = None) -> int:
    async with rt.sessions() as session:
        return await ordering.refresh_open(session, ctx(rt), limit=limit)


def wait_of(po: PurchaseOrder) -> timedelta:
    assert po.next_check_at is not None
    assert po.refreshed_at is not None
    return po.next_check_at - po.refreshed_at


async def test_a_sent_po_is_checked_soon_then_less_often_until_it_moves(rt: Runtime,
                                                                       tessera: RunningTessera
                                                                       ) -> None:  # fmt: skip
    po = await submit(rt, "PO-BACKOFF")
    assert po.status == "submitted"
    assert wait_of(po) == 2 * MINUTE  # placing it was a check; the next one soon
    assert await poll(rt) == 0  # not due yet: nothing asked

    waits = []
    for _ in range(7):
        await make_due(rt, "PO-BACKOFF")
        assert await poll(rt) == 1
        waits.append(wait_of(await get(rt, "PO-BACKOFF")) // MINUTE)
    assert waits == [4, 8, 16, 32, 60, 60, 60]  # doubling, never past the hour
    quiet = await get(rt, "PO-BACKOFF")
    assert quiet.status == "submitted"

    [number] = quiet.supplier_order_numbers
    tessera.ship(number)
    await make_due(rt, "PO-BACKOFF")
    assert await poll(rt) == 1
    shipped = await get(rt, "PO-BACKOFF")
    assert shipped.status == "shipped"
    assert wait_of(shipped) == 2 * MINUTE  # it moved: the backoff starts over
    assert shipped.timeline[-1].source == "poll"


async def test_only_due_pos_most_overdue_first_at_most_the_limit(rt: Runtime) -> None:
    for name in ("PO-A", "PO-B", "PO-C", "PO-LATER"):
        await submit(rt, name)
    now = utcnow()
    await set_times(rt, "PO-A", next_check_at=now - MINUTE)
    await set_times(rt, "PO-B", next_check_at=now - 5 * MINUTE)
    await set_times(rt, "PO-C", next_check_at=None)  # an older row: due at the next round
    checked = {name: (await get(rt, name)).refreshed_at for name in ("PO-A", "PO-B", "PO-C")}

    async def refreshed() -> list[str]:
        return [n for n, at in checked.items() if (await get(rt, n)).refreshed_at != at]

    assert await poll(rt, limit=1) == 1
    assert await refreshed() == ["PO-C"]
    assert await poll(rt, limit=1) == 1
    assert await refreshed() == ["PO-B", "PO-C"]
    assert await poll(rt, limit=5) == 1  # the rest; PO-LATER is not due
    assert await refreshed() == ["PO-A", "PO-B", "PO-C"]
    assert await poll(rt, limit=5) == 0
    for name in ("PO-A", "PO-B", "PO-C", "PO-LATER"):
        po = await get(rt, name)
        assert po.next_check_at is not None
        assert po.next_check_at > utcnow()


async def test_a_failing_po_is_asked_again_later_and_stops_no_other(rt: Runtime) -> None:
    await submit(rt, "PO-GONE")
    await submit(rt, "PO-FINE")
    # The supplier answers "no such order" for this one (an error answer, every time).
    long_ago = utcnow() - timedelta(minutes=20)
    await set_times(rt, "PO-GONE", supplier_order_numbers=["TS-9999"], refreshed_at=long_ago,
                    next_check_at=utcnow() - MINUTE)  # fmt: skip
    await set_times(rt, "PO-FINE", next_check_at=utcnow() - 2 * MINUTE)
    assert await poll(rt) == 2
    gone = await get(rt, "PO-GONE")
    assert gone.refreshed_at == long_ago  # not checked: it failed
    assert gone.next_check_at is not None
    # Asked again as long after as the last good check is old (20 minutes), not next round.
    assert gone.next_check_at - utcnow() > 19 * MINUTE
    fine = await get(rt, "PO-FINE")
    assert fine.refreshed_at is not None
    assert fine.refreshed_at > long_ago
    assert await poll(rt) == 0


async def test_the_last_and_next_check_are_in_the_json_and_gone_once_final(
    rt: Runtime,
) -> None:
    po = await submit(rt, "PO-SHOWN")
    view = po_json(po)
    assert po.refreshed_at is not None
    assert po.next_check_at is not None
    assert view["last_checked_at"] == po.refreshed_at.isoformat()
    assert view["next_check_at"] == po.next_check_at.isoformat()
    await set_times(rt, "PO-SHOWN", status="cancelled")
    assert po_json(await get(rt, "PO-SHOWN"))["next_check_at"] is None  # nobody follows it


def test_order_show_says_when_it_was_checked_and_when_next(
    cli: Cli, tessera: RunningTessera
) -> None:
    assert cli("tenant", "add", "smbi", "--country", "1").exit_code == 0
    saved = cli(
        "supplier", "set", KEY, "--tenant", "smbi", "--country", "1",
        "--account-number", ACCOUNT, "--api-key", "-", "--base-url", tessera.url,
        input=API_KEY + "\n",
    )  # fmt: skip
    assert saved.exit_code == 0, saved.output
    placed = cli(
        "order", "submit", "--tenant", "smbi", "--country", "1", "--supplier", KEY,
        "--po", "PO-CLI-SHOWN", "--line", "TS-100=1",
        "--ship-to", "Acme|1 Main St|Springfield|IL|62701|US", "--json",
    )  # fmt: skip
    assert placed.exit_code == 0, placed.output
    view = json.loads(placed.stdout)
    assert view["status"] == "submitted"
    assert view["last_checked_at"]
    assert view["next_check_at"]
    text = cli("order", "show", "PO-CLI-SHOWN", "--tenant", "smbi")
    assert text.exit_code == 0, text.output
    assert f"checked with the supplier: {view['last_checked_at'][:19]} UTC" in text.output
    assert f"next check: {view['next_check_at'][:19]} UTC" in text.output
