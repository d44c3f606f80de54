"""Reading distributors' ship-notice files: another source of the facts polling learns.

A supplier whose registration has a ship-notice codec (suppliers/ship_notices.py) drops
files saying what it shipped; the operator mirrors them (from the distributor's FTP) into a
folder per connection under DISTY_FILE_DROP_ROOT/<tenant shortcut>/, and the connection names
that folder inside its tenant's own area (a folder name, never a path: a tenant admin must not
be able to make disty read or move files anywhere else on the server, nor another tenant's
files: naming another tenant's folder would file its notices away unread by it and copy its
tracking numbers onto POs numbered alike).

Each worker round reads the new files of every connection with a folder set:

- each notice is applied to that tenant's PO of that supplier with that PO number: its
  packages and invoice numbers merged idempotently (the same file twice adds nothing), a line
  in the PO's timeline (source ``file``), and the PO's next check set to now, so its status
  is confirmed from the supplier (a file is a hint plus facts, as a webhook is; the status is
  always the supplier's answer);
- the file then goes to ``done/`` (a notice for an unknown PO too, with a log line);
- a file that cannot be read goes to ``refused/`` with the reason logged: never lost, never
  retried forever.
"""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from disty.config import Settings
from disty.db.base import utcnow
from disty.db.models import PurchaseOrder, SupplierConnection, Tenant
from disty.domain.po_status import POStatus
from disty.domain.polling import followed
from disty.domain.ship_notices import ShipNotice, UnreadableNotice, validate_drop_folder
from disty.domain.tenants import validate_shortcut
from disty.errors import InvalidInput
from disty.services.ordering._common import event, merge_and_commit
from disty.services.ordering._merge import add_invoices, add_shipments
from disty.suppliers import registry
from disty.suppliers.ship_notices import ShipNoticeCodec

log = logging.getLogger(__name__)

DONE = "done"
REFUSED = "refused"
# Files read per folder in one round (oldest name first); the rest wait for the next round.
FILES_PER_ROUND = 100


class FolderRefused(InvalidInput):
    """A connection's folder that is not a folder inside the drop root."""


def drop_folder(root: Path, tenant: str, name: str) -> Path:
    """The folder ``name`` inside the tenant's area ``root/<tenant>``, resolved;
    FolderRefused if it is not one.

    The name is checked again (the stored value may predate the rule), then the path is
    resolved with its symbolic links followed: a link anywhere on the way that points out of
    the tenant's area is refused, as is the area itself."""
    area = root.resolve() / validate_shortcut(tenant)
    folder = validate_drop_folder(name, field="folder", label="folder")
    resolved = area.joinpath(*folder.split("/")).resolve()
    if resolved == area or not resolved.is_relative_to(area):
        raise FolderRefused(f"folder {name!r} is not inside tenant {tenant}'s file drop")
    return resolved


def _subfolder(folder: Path, name: str) -> Path:
    """``done/`` or ``refused/``, made if missing; a link or a file in its place is refused
    (moving files into a link would put them wherever it points)."""
    path = folder / name
    if path.is_symlink() or (path.exists() and not path.is_dir()):
        raise FolderRefused(f"{path} is not a plain folder")
    path.mkdir(mode=0o750, exist_ok=True)
    return path


def _move(path: Path, into: Path) -> Path:
    """Move the file into ``into`` under a name not taken there (never overwriting)."""
    target = into / path.name
    n = 1
    while target.exists() or target.is_symlink():
        n += 1
        target = into / f"{path.name}.{n}"
    os.replace(path, target)
    return target


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, not following a link; UnreadableNotice past ``max_bytes``."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as handle:
        body = handle.read(max_bytes + 1)
    if len(body) > max_bytes:
        raise UnreadableNotice(f"larger than {max_bytes} bytes")
    return body


@dataclass
class FolderResult:
    applied: int = 0  # notices applied to a PO
    unknown: int = 0  # notices naming no PO of the connection's tenant and supplier
    refused: int = 0  # files moved to refused/
    files: int = 0  # files handled (moved to done/ or refused/)


@dataclass(frozen=True)
class Drop:
    """A connection with a ship-notice folder, as read before any file is."""

    connection_id: int
    tenant_id: int
    tenant: str  # its shortcut: the name of its area in the drop root
    supplier: str
    folder: str  # the setting's value: a folder name inside the tenant's area


async def ingest_all(session: AsyncSession, settings: Settings, *, actor: str = "worker") -> int:
    """One round over every connection with a ship-notice folder; answers the files handled.
    A folder that fails (refused, unreadable) is logged and stops no other."""
    root = settings.resolved_file_drop_root
    handled = 0
    for registration in registry.with_ship_notices():
        codec = registration.ship_notices
        if codec is None:  # pragma: no cover - with_ship_notices() has a codec
            continue
        rows = await session.execute(
            select(
                SupplierConnection.id,
                SupplierConnection.tenant_id,
                Tenant.shortcut,
                SupplierConnection.settings,
            )
            .join(Tenant, Tenant.id == SupplierConnection.tenant_id)
            .where(SupplierConnection.supplier == registration.key)
            .order_by(SupplierConnection.id)
        )
        drops = [
            Drop(pk, tenant_id, shortcut, registration.key, values[codec.setting])
            for pk, tenant_id, shortcut, values in rows
            if (values or {}).get(codec.setting)
        ]
        for drop in drops:
            try:
                folder = await asyncio.to_thread(drop_folder, root, drop.tenant, drop.folder)
                handled += (await ingest_folder(session, drop, codec, folder, actor)).files
            except (InvalidInput, OSError) as exc:
                log.warning(
                    "ship notices of connection %d (%s) not read: %s",
                    drop.connection_id, drop.supplier, exc,
                )  # fmt: skip
    return handled


async def ingest_folder(
    session: AsyncSession,
    connection: Drop,
    codec: ShipNoticeCodec,
    folder: Path,
    actor: str = "worker",
) -> FolderResult:
    """Read the new files of one connection's folder (see the module's docstring). The file
    system is touched in a thread, never on the event loop."""
    result = FolderResult()
    names = await asyncio.to_thread(_pending, folder, codec.pattern)
    if not names:
        return result
    done, refused = await asyncio.to_thread(_filing_folders, folder)
    for name in names:
        path = folder / name
        try:
            notices = await asyncio.to_thread(_read, path, codec)
        except (UnreadableNotice, OSError) as exc:
            moved = await asyncio.to_thread(_move, path, refused)
            log.warning("ship-notice file %s refused (moved to %s): %s", name, moved, exc)
            result.refused += 1
            result.files += 1
            continue
        for notice in notices:
            if await _apply(session, connection, notice, name, actor):
                result.applied += 1
            else:
                result.unknown += 1
                log.info(
                    "ship-notice file %s names PO %r, which connection %d has not placed: kept "
                    "in done/", name, notice.po_number, connection.connection_id,
                )  # fmt: skip
        # After the commit: a crash in between reads the file again, which adds nothing.
        await asyncio.to_thread(_move, path, done)
        result.files += 1
    return result


def _pending(folder: Path, pattern: str) -> list[str]:
    """The names of the files waiting, oldest name first, at most FILES_PER_ROUND."""
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.glob(pattern))[:FILES_PER_ROUND]


def _filing_folders(folder: Path) -> tuple[Path, Path]:
    return _subfolder(folder, DONE), _subfolder(folder, REFUSED)


def _read(path: Path, codec: ShipNoticeCodec) -> list[ShipNotice]:
    if path.is_symlink() or not path.is_file():
        raise UnreadableNotice("not a plain file (a link is never followed)")
    return codec.read(_read_bytes(path, codec.max_bytes))


async def _apply(
    session: AsyncSession,
    connection: Drop,
    notice: ShipNotice,
    file_name: str,
    actor: str,
) -> bool:
    """Merge one notice into its PO and commit; False when there is no such PO."""
    po = await session.scalar(
        select(PurchaseOrder).where(
            PurchaseOrder.tenant_id == connection.tenant_id,
            PurchaseOrder.supplier == connection.supplier,
            PurchaseOrder.po_number == notice.po_number,
        )
    )
    if po is None:
        return False

    def merge() -> None:
        packages = add_shipments(po, notice.shipments)
        invoices = add_invoices(po, notice.invoices, None)
        if packages or invoices:
            tracking = ", ".join(sorted({s.tracking_number for s in notice.shipments}))
            event(
                po, "file", actor,
                f"ship notice {file_name}: {packages} new package(s)"
                + (f", {invoices} new invoice(s)" if invoices else "")
                + (f" (tracking {tracking})" if tracking else "")
                + "; status to be confirmed with the supplier",
            )  # fmt: skip
        if followed(POStatus(po.status)):
            po.next_check_at = utcnow()  # the worker asks the supplier at its next round

    # A refresh of the same PO may save the same packages meanwhile: merge_and_commit merges
    # again on the PO as saved.
    await merge_and_commit(session, po, merge)
    return True
