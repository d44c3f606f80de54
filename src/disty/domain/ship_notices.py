"""Ship notices: a distributor's files saying what it shipped for a PO, and the name of the
folder they are read from. Pure, no I/O (the reading is services/ship_notices.py).

A notice is a hint plus facts, like a webhook: the shipments and invoice numbers it carries
are merged into the PO (idempotently), but the PO's status is only ever what the supplier
answers when asked, so a notice makes the worker ask straight away.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from disty.domain.orders import Shipment
from disty.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class ShipNotice:
    po_number: str  # the reseller's PO number, as the PO was sent
    shipments: tuple[Shipment, ...]  # one per package and SKU
    invoices: tuple[str, ...] = ()


class UnreadableNotice(ValueError):
    """A file that is not a ship notice the codec can read (its message says why)."""


# One folder name per level: letters, digits, dot, dash, underscore; not "." or "..".
_PART = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,63}")
MAX_DEPTH = 4


def validate_drop_folder(value: str, *, field: str, label: str) -> str:
    """A folder *inside* the operator's drop root (DISTY_FILE_DROP_ROOT), as a tenant admin
    names it: relative, plain names only. A tenant never names a path of the server: no
    leading "/", no "..", no "~", no backslash, no drive. (Symbolic links pointing out of the
    root are refused when the folder is opened: services/ship_notices.py.)"""
    folder = value.strip().strip("/")
    parts = folder.split("/") if folder else []
    if (
        not parts
        or value.strip().startswith("/")
        or len(parts) > MAX_DEPTH
        or not all(_PART.fullmatch(part) and part not in (".", "..") for part in parts)
    ):
        raise InvalidInput(
            f"invalid {label} {value!r}: name a folder inside disty's file drop (letters, "
            "digits, '.', '-', '_', at most 4 levels separated by '/', e.g. acme/orders), "
            "never a path of the server",
            field=field,
        )
    return folder
