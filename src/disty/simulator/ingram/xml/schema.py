"""The XSD rules IM-XML enforces before it processes a document (XML-NOTES 3.4, Q4): element
order (``xsd:sequence``), required elements, and text lengths, from Ingram's v2.0 schemas.

Reasons are MSXML's sentences, as the one real failure shows ("Length is less than the
minimum length."). Parts the simulator does not read deeply (credit cards, government data,
custom name/value pairs) are accepted as they come (``lax``).
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.etree.ElementTree import Element

from disty.simulator.ingram.xml.wire import Refused

UNBOUNDED = 0


@dataclass(frozen=True, slots=True)
class El:
    name: str
    min: int = 1
    max: int = 1  # UNBOUNDED: any number
    length: tuple[int, int] | None = None  # a text element's bounds
    children: tuple[El, ...] | None = None  # None: a text element
    lax: bool = False  # any content


def leaf(name: str, low: int = 0, high: int = 200, *, optional: bool = False) -> El:
    return El(name, 0 if optional else 1, 1, (low, high))


def opt(name: str, low: int = 0, high: int = 200) -> El:
    return leaf(name, low, high, optional=True)


def group(name: str, *children: El, optional: bool = False, many: bool = False) -> El:
    return El(name, 0 if optional else 1, UNBOUNDED if many else 1, None, children)


def lax(name: str) -> El:
    return El(name, 0, UNBOUNDED, None, (), True)


HEADER = group(
    "TransactionHeader",
    leaf("SenderID", 1, 18),
    leaf("ReceiverID", 1, 18),
    leaf("CountryCode", 2, 2),
    leaf("LoginID", 6, 10),
    leaf("Password", 6, 10),
    opt("TransactionID", 0, 18),
)
ORDER_HEADER = group(
    "TransactionHeader",
    *HEADER.children or (),
    opt("SSBranch", 0, 2),
    opt("SSAccount", 0, 6),
    opt("SSSuffix", 0, 3),
)
VERSION = leaf("Version", 3, 3)
SHOW_DETAIL = opt("ShowDetail", 1, 1)

PNA = group(
    "PNARequest",
    VERSION,
    HEADER,
    El("PNAInformation", 1, UNBOUNDED, None, ()),
    SHOW_DETAIL,
)
ADDRESS = group(
    "Address",
    leaf("ShipToAddress1", 1, 35),
    opt("ShipToAddress2", 0, 35),
    opt("ShipToAddress3", 0, 35),
    leaf("ShipToCity", 1, 21),
    opt("ShipToProvince", 0, 2),
    leaf("ShipToPostalCode", 0, 9),
    opt("ShipToCountryCode", 0, 2),
    opt("ShipToEmailAddress", 0, 100),
)
PRODUCT_LINE = El(
    "ProductLine",
    0,
    UNBOUNDED,
    None,
    (
        opt("SKU", 1, 12),
        leaf("Quantity", 1, 5),
        lax("SpecialBid"),
        opt("CustomerLineNumber", 0, 3),
        lax("ReservedInventory"),
        lax("CustomLinePersist"),
        opt("CustomerPartNumber", 0, 30),
        opt("UPC", 0, 14),
        opt("ManufacturerPartNumber", 0, 20),
        opt("ShipFromBranchAtLine", 0, 2),
        opt("RequestedPrice", 0, 12),
        opt("EndUserPrice", 0, 12),
        opt("ResellerPriceOverride", 0, 12),
    ),
)
COMMENT_LINE = El("CommentLine", 0, UNBOUNDED, None, (leaf("CommentText", 1, 35),))
ORDER = group(
    "OrderRequest",
    VERSION,
    ORDER_HEADER,
    group(
        "OrderHeaderInformation",
        opt("BillToSuffix", 0, 3),
        group(
            "AddressingInformation",
            leaf("CustomerPO", 0, 18),
            leaf("ShipToAttention", 0, 35),
            opt("OrderContactName", 0, 35),
            opt("EndUserPO", 0, 18),
            opt("CustomerSalesOrder", 0, 18),
            opt("SpecialBidNumber", 1, 35),
            group(
                "ShipTo",
                group("Address", *ADDRESS.children or (), optional=True),
                group("Suffix", leaf("ShipToSuffix", 3, 3), optional=True),
                optional=True,
            ),
        ),
        group(
            "ProcessingOptions",
            opt("CarrierCode", 0, 2),
            opt("AutoRelease", 1, 1),
            opt("ThirdPartyFreightAccount", 0, 12),
            opt("KillOrderAfterLineError", 1, 1),
            group(
                "ShipmentOptions",
                leaf("BackOrderFlag", 1, 1),
                leaf("SplitShipmentFlag", 1, 1),
                opt("SplitLine", 1, 1),
                leaf("ShipFromBranches", 0, 20),
                opt("DeliveryDate", 0, 8),
            ),
            lax("CreditCardProcessing"),
        ),
        lax("DynamicMessage"),
        lax("Government"),
        lax("Attributes"),
        lax("CustomOrderPersist"),
    ),
    El("OrderLineInformation", 1, 1, None, (PRODUCT_LINE, COMMENT_LINE)),
    SHOW_DETAIL,
)
STATUS = group(
    "OrderStatusRequest",
    VERSION,
    HEADER,
    group("OrderHeaderInfo", leaf("CustomerPO", 1, 18), opt("BillToSuffix", 0, 3)),
)
DETAIL = group(
    "OrderDetailRequest",
    VERSION,
    HEADER,
    group(
        "OrderHeaderInfo",
        leaf("BranchOrderNumber", 7, 7),
        # VC-ING sends an empty <OrderSuffix/> in production (XML-NOTES Q4): accepted.
        opt("OrderSuffix", 0, 2),
        leaf("CustomerPO", 1, 18),
    ),
    SHOW_DETAIL,
)
TRACKING = group(
    "OrderTrackingRequest",
    VERSION,
    HEADER,
    group(
        "TrackingRequestHeader",
        opt("BranchOrderNumber", 7, 7),
        opt("OrderSuffix", 2, 2),
        leaf("CustomerPO", 1, 18),
    ),
    SHOW_DETAIL,
)
SCHEMAS = {s.name: s for s in (PNA, ORDER, STATUS, DETAIL, TRACKING)}


def validate(root: Element) -> None:
    """Refused with MSXML's reason when ``root`` breaks its schema; the root is known."""
    _check(root, SCHEMAS[root.tag])


def _check(element: Element, spec: El) -> None:
    if spec.lax:
        return
    if spec.children is None:
        if len(element):
            raise Refused(f"Element '{spec.name}' cannot contain child elements.")
        low, high = spec.length or (0, 200)
        size = len((element.text or "").strip())
        if size < low:
            raise Refused("Length is less than the minimum length.")
        if size > high:
            raise Refused("Length is greater than the maximum length.")
        return
    if spec.name == "OrderLineInformation" and not len(element):
        raise Refused("Element content is incomplete according to the DTD/Schema.")
    if spec.name == "OrderLineInformation":
        # A repeatable choice of ProductLine and CommentLine, in any mix.
        for child in element:
            kind = next((c for c in spec.children if c.name == child.tag), None)
            if kind is None:
                raise _unexpected(child.tag, spec.name)
            _check(child, kind)
        return
    children = list(element)
    position = 0
    for part in spec.children:
        seen = 0
        while position < len(children) and children[position].tag == part.name:
            if part.max != UNBOUNDED and seen >= part.max:
                break
            _check(children[position], part)
            seen += 1
            position += 1
        if seen < part.min:
            raise Refused("Element content is incomplete according to the DTD/Schema.")
    if position < len(children):
        raise _unexpected(children[position].tag, spec.name)


def _unexpected(tag: str, parent: str) -> Refused:
    return Refused(
        f"Element '{tag}' is unexpected according to content model of parent element '{parent}'."
    )
