"""TD SYNNEX's ship-notice files (NOTES 9.2): ``ShipNotice3D`` XML dropped on its FTP.

No schema is published, only what other integrators' parsers read, so reading is lenient:
element names are matched whatever their case, empty fields are absent facts, and a notice
is skipped (not the file) when it names no PO. But the file comes from outside disty: it is
refused unread past ``MAX_BYTES`` and parsed with defusedxml, so a DTD or an entity (a
"billion laughs") is refused, never expanded.

File names: ``<YYYYMMDDHHMMSSmmm>_<COMPANY>_856.xml`` (one file per shipment).
"""

from __future__ import annotations

import re
from collections import defaultdict
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from disty.domain.orders import Shipment
from disty.domain.ship_notices import ShipNotice, UnreadableNotice
from disty.suppliers.ship_notices import ShipNoticeCodec

PATTERN = "*_856.xml"
# One shipment per file is a few kB; a megabyte is already hundreds of packages.
MAX_BYTES = 1024 * 1024
SETTING = "ship_notice_folder"

_DATE = re.compile(r"(\d{2})(\d{2})(\d{2})")  # YYMMDD
_TIME = re.compile(r"(\d{2})(\d{2})(\d{2})")  # HHMMSS


def read(body: bytes) -> list[ShipNotice]:
    """The notices of one file; UnreadableNotice says why a file cannot be read at all."""
    if len(body) > MAX_BYTES:
        raise UnreadableNotice(f"larger than {MAX_BYTES} bytes ({len(body)})")
    try:
        root = SafeET.fromstring(body, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise UnreadableNotice(f"refused: the file declares a DTD or entity ({exc})") from None
    except (ParseError, ValueError) as exc:
        raise UnreadableNotice(f"not well-formed XML ({exc})") from None
    if _name(root) != "synnexb2b":
        raise UnreadableNotice(f"not a SynnexB2B document (root {_name(root)!r})")
    notices = [n for el in _children(root, "shipnotice3d") if (n := _notice(el)) is not None]
    if not notices:
        raise UnreadableNotice("no ShipNotice3D naming a PO number")
    return notices


def _notice(el: Element) -> ShipNotice | None:
    # PONumber is the PO as sent (NOTES 9.2: OSF uses it as its own order id); some parsers
    # prefer CustomerPONumber. The simulator, like the notes' example, has them equal.
    po_number = _text(el, "ponumber") or _text(el, "customerponumber")
    if not po_number:
        return None
    shipped_on = _shipped_on(_text(el, "shipdate"), _text(el, "shiptime"))
    carrier = _text(el, "shipdescription") or _text(el, "shipcode")
    first_tracking = _text(el, "shiptrackno")
    quantities: dict[tuple[str, str], int] = defaultdict(int)  # (tracking, SKU) -> shipped
    for package in _children(el, "package"):
        tracking = _text(package, "tracknumber") or first_tracking
        if not tracking:
            continue  # a package nobody can follow is no shipment to record
        for item in _children(package, "item"):
            sku = _text(item, "sku")
            if sku:
                quantities[(tracking, sku.upper())] += _quantity(_text(item, "shipquantity"))
    shipments = tuple(
        Shipment(sku=sku, tracking_number=tracking, carrier=carrier, tracking_url=None,
                 shipped_on=shipped_on, quantity=quantity)
        for (tracking, sku), quantity in quantities.items()
    )  # fmt: skip
    invoice = _text(el, "invoicenumber")
    return ShipNotice(po_number, shipments, (invoice,) if invoice else ())


def _shipped_on(date: str | None, time: str | None) -> str | None:
    """YYMMDD (and HHMMSS) as ISO 8601; parsers prepend "20" (NOTES 9.2)."""
    day = _DATE.fullmatch(date or "")
    if day is None:
        return None
    iso = f"20{day[1]}-{day[2]}-{day[3]}"
    clock = _TIME.fullmatch(time or "")
    return f"{iso}T{clock[1]}:{clock[2]}:{clock[3]}" if clock else iso


def _quantity(value: str | None) -> int:
    return int(value) if value and value.isdigit() and len(value) <= 9 else 0


def _name(el: Element) -> str:
    return el.tag.rsplit("}", 1)[-1].lower() if isinstance(el.tag, str) else ""


def _children(el: Element, name: str) -> list[Element]:
    return [child for child in el if _name(child) == name]


def _text(el: Element, name: str) -> str | None:
    for child in _children(el, name):
        value = (child.text or "").strip()
        return value[:100] or None
    return None


CODEC = ShipNoticeCodec(setting=SETTING, pattern=PATTERN, max_bytes=MAX_BYTES, read=read)
