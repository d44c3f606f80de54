"""TD SYNNEX's ship-notice codec (NOTES 9.2): lenient with names, dates and empty fields,
refusing DTDs, entities, oversize and broken files; and the drop-folder name rule."""

from __future__ import annotations

import pytest

from disty.domain.orders import Shipment
from disty.domain.ship_notices import ShipNotice, UnreadableNotice, validate_drop_folder
from disty.errors import InvalidInput
from disty.suppliers import registry
from disty.suppliers.tdsynnex.ship_notices import MAX_BYTES, read

NOTES_EXAMPLE = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<SynnexB2B>
  <ShipNotice3D>
    <PONumber>DISTY-000123</PONumber>
    <CustomerPONumber>DISTY-000123</CustomerPONumber>
    <ShipDate>250305</ShipDate>
    <ShipTime>162016</ShipTime>
    <ShipCode>FG</ShipCode>
    <ShipDescription>FedEx Ground</ShipDescription>
    <ShipTrackNo>040985928478309</ShipTrackNo>
    <InvoiceNumber>71234567</InvoiceNumber>
    <Package>
      <TrackNumber>040985928478309</TrackNumber>
      <Item><SKU>4512345</SKU><ShipQuantity>1</ShipQuantity></Item>
    </Package>
    <Package>
      <TrackNumber>040985928478310</TrackNumber>
      <Item><SKU>4512345</SKU><ShipQuantity>1</ShipQuantity></Item>
    </Package>
  </ShipNotice3D>
</SynnexB2B>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<SynnexB2B><ShipNotice3D><PONumber>&lol3;</PONumber></ShipNotice3D></SynnexB2B>"""


def test_the_notes_example_reads_as_two_packages_and_an_invoice() -> None:
    fedex = "FedEx Ground"
    at = "2025-03-05T16:20:16"
    assert read(NOTES_EXAMPLE) == [
        ShipNotice(
            "DISTY-000123",
            (
                Shipment("4512345", "040985928478309", fedex, None, at, 1),
                Shipment("4512345", "040985928478310", fedex, None, at, 1),
            ),
            ("71234567",),
        )
    ]


def test_names_in_any_case_empty_fields_and_fallbacks() -> None:
    body = b"""<synnexb2b><SHIPNOTICE3D><ponumber></ponumber>
      <CustomerPoNumber>PO-9</CustomerPoNumber><shipdate>260101</shipdate><ShipTime/>
      <ShipCode>UPG</ShipCode><ShipDescription/><ShipTrackNo>1Z999</ShipTrackNo>
      <InvoiceNumber></InvoiceNumber>
      <package><item><sku>ab-1</sku><shipquantity></shipquantity></item>
               <item><sku>ab-1</sku><shipquantity>3</shipquantity></item><item><sku/></item></package>
    </SHIPNOTICE3D><ShipNotice3D><PONumber/></ShipNotice3D></synnexb2b>"""
    [notice] = read(body)  # the notice naming no PO is skipped, not the file
    assert notice == ShipNotice("PO-9", (Shipment("AB-1", "1Z999", "UPG", None, "2026-01-01", 3),))


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (BILLION_LAUGHS, "DTD or entity"),
        (b'<!DOCTYPE x SYSTEM "file:///etc/passwd"><SynnexB2B/>', "DTD or entity"),
        (NOTES_EXAMPLE[: len(NOTES_EXAMPLE) // 2], "not well-formed"),
        (b"", "not well-formed"),
        (b"<OrderStatusResponse/>", "not a SynnexB2B"),
        (b"<SynnexB2B><ShipNotice3D/></SynnexB2B>", "no ShipNotice3D naming a PO"),
        (b" " * (MAX_BYTES + 1), "larger than"),
    ],
)
def test_hostile_and_broken_files_are_refused(body: bytes, reason: str) -> None:
    with pytest.raises(UnreadableNotice, match=reason):
        read(body)


def test_the_registration_declares_the_codec_and_its_setting() -> None:
    td = registry.get("tdsynnex")
    assert td.ship_notices is not None
    assert td.webhooks is None
    assert td.ship_notices.pattern == "*_856.xml"
    assert td.setting(td.ship_notices.setting).clean(" acme/td ") == "acme/td"


@pytest.mark.parametrize(
    "name",
    ["/etc", "../other", "acme/../../etc", "acme/./x", ".", "..", "~root", "a\\b", "C:/x",
     "", " ", "a//b/../c", "a/b/c/d/e", ".hidden", "a b"],
)  # fmt: skip
def test_a_folder_name_never_names_a_server_path(name: str) -> None:
    with pytest.raises(InvalidInput, match="inside disty's file drop"):
        validate_drop_folder(name, field="f", label="folder")


def test_plain_folder_names_are_kept() -> None:
    assert validate_drop_folder("acme", field="f", label="x") == "acme"
    assert validate_drop_folder("acme/td_us-1.v2/", field="f", label="x") == "acme/td_us-1.v2"
