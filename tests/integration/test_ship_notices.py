"""Ship-notice files (services/ship_notices.py) on SQLite and PostgreSQL: TD SYNNEX's own files,
written by the simulator for a PO it shipped, copied into a connection's folder and read into
that tenant's PO (packages merged once, a timeline line, a check asked for), filed in done/;
hostile files filed in refused/; and no way for a tenant admin to make disty read or move a
file outside the operator's drop root."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select, update

from disty.config import Settings
from disty.db.base import utcnow
from disty.db.models import POLine, PurchaseOrder, SupplierConnection
from disty.errors import InvalidInput
from disty.runtime import Runtime, open_runtime
from disty.services import connections, ordering, ship_notices, tenants
from disty.services.connections import ConnectionChanges
from tests.fixtures.simulator import SimulatorClient
from tests.simulator.test_tdsynnex_postatus import STEP, advance, place
from tests.unit.test_ship_notice_codec import BILLION_LAUGHS, NOTES_EXAMPLE

TD = "tdsynnex"
NOTICES = "/_control/tdsynnex/ship-notices"


@pytest.fixture
def drop(tmp_path: Path) -> Path:
    root = tmp_path / "drop"
    root.mkdir()
    return root


@pytest.fixture
async def rt(settings: Settings, drop: Path) -> AsyncIterator[Runtime]:
    async with open_runtime(settings.model_copy(update={"file_drop_root": drop})) as opened:
        async with opened.sessions() as session:
            await tenants.add_tenant(session, "smbi", [1])
            await tenants.add_tenant(session, "other", [1])
        for shortcut in ("smbi", "other"):
            await set_folder(opened, shortcut, "td")  # DISTY_FILE_DROP_ROOT/<tenant>/td
        yield opened


async def set_folder(rt: Runtime, shortcut: str, folder: str) -> None:
    async with rt.sessions() as session:
        await connections.set_connection(
            session, shortcut=shortcut, supplier=TD, country_id=1,
            changes=ConnectionChanges.of(customer_number="1150897", xml_user="b@x.example",
                                         xml_password="pw-123456", ship_notice_folder=folder),
            box=rt.box, public_url="https://d.example", grace=rt.settings.webhook_key_grace,
            allow_custom_urls=True,
        )  # fmt: skip


async def add_po(rt: Runtime, shortcut: str, po_number: str, skus: list[str]) -> None:
    """A TD SYNNEX PO as placing it would leave it (placing is another helper's work)."""
    async with rt.sessions() as session:
        tenant = await tenants.get_tenant(session, shortcut)
        connection = await session.scalar(
            select(SupplierConnection).where(SupplierConnection.tenant_id == tenant.id)
        )
        assert connection is not None
        session.add(
            PurchaseOrder(
                tenant_id=tenant.id, connection_id=connection.id, supplier=TD, country_id=1,
                po_number=po_number, status="backordered", ship_to={}, shipments=[],
                supplier_order_numbers=["SO-1"], invoices=[], timeline=[],
                refreshed_at=utcnow(), next_check_at=utcnow().replace(year=2099),
                lines=[POLine(line_number=n, sku=sku, quantity=3, serial_numbers=[])
                       for n, sku in enumerate(skus, start=1)],
            )
        )  # fmt: skip
        await session.commit()


async def po(rt: Runtime, po_number: str, shortcut: str = "smbi") -> PurchaseOrder:
    async with rt.sessions() as session:
        return await ordering.find_po(session, shortcut=shortcut, po_number=po_number)


async def ingest(rt: Runtime) -> int:
    async with rt.sessions() as session:
        return await ship_notices.ingest_all(session, rt.settings)


async def simulator_files(client: SimulatorClient) -> dict[str, bytes]:
    listed = (await client.get(NOTICES)).json()
    return {f["name"]: (await client.get(f"{NOTICES}/{f['name']}")).content for f in listed}


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


# -- security first ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "folder", ["/etc", "../outside", "smbi/../../outside", "~/x", "smbi/td/../..", "C:\\x"]
)
async def test_a_tenant_admin_cannot_name_a_folder_outside_the_drop(
    rt: Runtime, folder: str
) -> None:
    with pytest.raises(InvalidInput, match="inside disty's file drop"):
        await set_folder(rt, "smbi", folder)


async def test_links_out_of_the_drop_are_never_followed(
    rt: Runtime, drop: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret_856.xml"
    secret.write_bytes(NOTES_EXAMPLE)
    await add_po(rt, "smbi", "DISTY-000123", ["4512345"])
    # 1. The connection's folder is a link out of the root: refused, nothing read or moved.
    (drop / "smbi").mkdir()
    (drop / "smbi" / "td").symlink_to(outside, target_is_directory=True)
    # 2. Another tenant's folder holds a link to a file outside, and a done/ that is a link.
    theirs = drop / "other" / "td"
    theirs.mkdir(parents=True)
    (theirs / "evil_856.xml").symlink_to(secret)
    caplog.set_level(logging.WARNING, logger="disty.services.ship_notices")
    assert await ingest(rt) == 1  # only the link in other/td, filed as refused
    assert names(outside) == ["secret_856.xml"]  # untouched
    assert secret.read_bytes() == NOTES_EXAMPLE
    assert (await po(rt, "DISTY-000123")).shipments == []
    assert "is not inside tenant smbi's file drop" in caplog.text
    assert (theirs / "refused" / "evil_856.xml").is_symlink()  # the link moved, not its target

    (theirs / "done").rmdir()  # made empty by the first round
    (theirs / "done").symlink_to(outside, target_is_directory=True)
    (theirs / "again_856.xml").write_bytes(NOTES_EXAMPLE)
    await ingest(rt)
    assert names(outside) == ["secret_856.xml"]  # nothing moved through the link
    assert (theirs / "again_856.xml").exists()
    assert "is not a plain folder" in caplog.text


async def test_a_stored_folder_that_escapes_is_refused_when_read(
    rt: Runtime, drop: Path, tmp_path: Path
) -> None:
    # A value stored before the rule (or by hand): checked again when the folder is opened.
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x_856.xml").write_bytes(NOTES_EXAMPLE)
    async with rt.sessions() as session:
        await session.execute(
            update(SupplierConnection).values(settings={"ship_notice_folder": "../../outside"})
        )
        await session.commit()
    assert await ingest(rt) == 0
    assert names(outside) == ["x_856.xml"]


async def test_a_tenant_cannot_reach_another_tenants_notices(rt: Runtime, drop: Path) -> None:
    # Both tenants have a PO numbered alike; smbi's admin tries to point at other's files.
    await add_po(rt, "smbi", "DISTY-000123", ["4512345"])
    await add_po(rt, "other", "DISTY-000123", ["4512345"])
    theirs = drop / "other" / "td"
    theirs.mkdir(parents=True)
    (theirs / "a_856.xml").write_bytes(NOTES_EXAMPLE)
    with pytest.raises(InvalidInput):
        await set_folder(rt, "smbi", "../other/td")
    # A plain name is always inside the tenant's own area: this is smbi/other/td.
    await set_folder(rt, "smbi", "other/td")
    mine = ship_notices.drop_folder(drop, "smbi", "other/td")
    assert mine.parts[-3:] == ("smbi", "other", "td")
    assert await ingest(rt) == 1  # other's file, read by other's own connection only
    assert (await po(rt, "DISTY-000123", "smbi")).shipments == []
    assert len((await po(rt, "DISTY-000123", "other")).shipments) == 2


def test_a_folder_resolves_inside_its_tenants_area_only(tmp_path: Path) -> None:
    root = tmp_path / "drop"
    (root / "smbi" / "a").mkdir(parents=True)
    (root / "other" / "td").mkdir(parents=True)
    (root / "smbi" / "a" / "in").symlink_to(root / "smbi" / "a", target_is_directory=True)
    (root / "smbi" / "a" / "out").symlink_to(tmp_path, target_is_directory=True)
    (root / "smbi" / "a" / "theirs").symlink_to(root / "other", target_is_directory=True)
    area = root.resolve() / "smbi"
    assert ship_notices.drop_folder(root, "smbi", "a/b") == area / "a" / "b"
    assert ship_notices.drop_folder(root, "smbi", "a/in") == area / "a"
    # Out of the root, the root itself, or another tenant's area (by name or by a link).
    for escaping in ("a/out", "a/out/drop", "../other/td", "/tmp", "a/theirs/td", ".."):
        with pytest.raises(InvalidInput):
            ship_notices.drop_folder(root, "smbi", escaping)


# -- the simulator's own files ----------------------------------------------------------------


async def test_the_simulators_files_are_read_into_the_po_once(
    rt: Runtime, drop: Path, simulator_client: SimulatorClient
) -> None:
    stocked, empty, _ = await place(simulator_client)
    await advance(simulator_client, STEP)  # the stocked line ships
    await advance(simulator_client, STEP)  # the back-order ships
    files = await simulator_files(simulator_client)
    assert len(files) == 2
    await add_po(rt, "smbi", "DISTY-000123", [stocked.sku, empty.sku])
    folder = drop / "smbi" / "td"
    folder.mkdir(parents=True)
    first = sorted(files)[0]
    (folder / first).write_bytes(files[first])

    assert await ingest(rt) == 1
    got = await po(rt, "DISTY-000123")
    assert {s.sku for s in got.shipments} == {stocked.sku}
    assert sum(s.quantity for s in got.shipments) == 3
    assert all(s.tracking_number and s.shipped_on and s.carrier for s in got.shipments)
    assert got.timeline[-1].source == "file"
    assert first in got.timeline[-1].message
    assert got.status == "backordered"  # the status is the supplier's answer, not the file's
    assert got.next_check_at is not None
    assert got.next_check_at <= utcnow()
    assert names(folder) == ["done", "refused"]
    assert names(folder / "done") == [first]

    # The same file again adds nothing, and is kept beside the first copy.
    for name, body in files.items():
        (folder / name).write_bytes(body)
    timeline = len(got.timeline)
    assert await ingest(rt) == 2
    again = await po(rt, "DISTY-000123")
    assert len(again.shipments) == len(got.shipments) + 1  # only the second file's package
    assert {s.sku for s in again.shipments} == {stocked.sku, empty.sku}
    assert len(again.timeline) == timeline + 1  # a line for the new file only
    assert sorted(names(folder / "done")) == sorted([first, f"{first}.2", *set(files) - {first}])


async def test_a_notice_goes_to_its_tenants_po_only_and_an_unknown_po_is_kept(
    rt: Runtime, drop: Path, caplog: pytest.LogCaptureFixture
) -> None:
    await add_po(rt, "smbi", "DISTY-000123", ["4512345"])
    await add_po(rt, "other", "DISTY-000123", ["4512345"])
    folder = drop / "other" / "td"
    folder.mkdir(parents=True)
    (folder / "a_856.xml").write_bytes(NOTES_EXAMPLE)
    (folder / "b_856.xml").write_bytes(NOTES_EXAMPLE.replace(b"DISTY-000123", b"NOPE-1"))
    (folder / "notes.txt").write_bytes(b"not a notice: left alone")
    caplog.set_level(logging.INFO, logger="disty.services.ship_notices")
    assert await ingest(rt) == 2
    assert len((await po(rt, "DISTY-000123", "other")).shipments) == 2
    assert (await po(rt, "DISTY-000123", "smbi")).shipments == []
    assert [i.invoice_number for i in (await po(rt, "DISTY-000123", "other")).invoices] == [
        "71234567"
    ]
    assert names(folder / "done") == ["a_856.xml", "b_856.xml"]
    assert "names PO 'NOPE-1'" in caplog.text
    assert names(folder) == ["done", "notes.txt", "refused"]


async def test_hostile_and_broken_files_are_refused_and_kept(
    rt: Runtime, drop: Path, caplog: pytest.LogCaptureFixture
) -> None:
    await add_po(rt, "smbi", "DISTY-000123", ["4512345"])
    folder = drop / "smbi" / "td"
    folder.mkdir(parents=True)
    (folder / "laughs_856.xml").write_bytes(BILLION_LAUGHS)
    (folder / "cut_856.xml").write_bytes(NOTES_EXAMPLE[:200])
    huge = folder / "huge_856.xml"
    with huge.open("wb") as handle:
        handle.truncate(2 * 1024 * 1024)
    caplog.set_level(logging.WARNING, logger="disty.services.ship_notices")
    assert await ingest(rt) == 3
    assert names(folder / "refused") == ["cut_856.xml", "huge_856.xml", "laughs_856.xml"]
    assert (folder / "refused" / "laughs_856.xml").read_bytes() == BILLION_LAUGHS  # kept whole
    assert (await po(rt, "DISTY-000123")).shipments == []
    assert "DTD or entity" in caplog.text
    assert "not well-formed" in caplog.text
    assert await ingest(rt) == 0  # never retried
    assert os.listdir(folder / "done") == []
