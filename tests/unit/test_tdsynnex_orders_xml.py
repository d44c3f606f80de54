"""TD SYNNEX's PO and PO status documents read and written without a server: the PO sent, what
is refused before sending, and the odd answers the evidence allows (names in any case, "not
found" spellings, empty or missing Packages, missing fields); a PO answer lost or unreadable is
"may have landed", never a refusal, and is sent once."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from xml.etree.ElementTree import Element, tostring

import httpx
import pytest

from disty.domain.orders import Address, OrderLine, OrderRequest
from disty.domain.po_status import POStatus
from disty.suppliers.errors import (
    AppNotApproved,
    NotFound,
    RequestRejected,
    SupplierError,
    Unavailable,
)
from disty.suppliers.http import RetryPolicy
from disty.suppliers.tdsynnex import consts
from disty.suppliers.tdsynnex.xml import orders, status
from disty.suppliers.tdsynnex.xml.adapter import TdSynnexSupplier
from disty.suppliers.tdsynnex.xml.client import (
    TdSynnexClient,
    TdSynnexConfig,
    parse,
    raise_for_error,
)

WHERE = "TD SYNNEX at https://ec.us.tdsynnex.com"
NOW = datetime(2026, 1, 1, 9, 15, tzinfo=UTC)
SHIP_TO = Address("Acme Dental", "100 Main St", "Fremont", "CA", "94539", "US", contact="Pat")
US = TdSynnexConfig(consts.PRODUCTION_US, "1150897", "u@x.example", "pw-secret-1", "US")


def request(*lines: OrderLine, **kwargs: object) -> OrderRequest:
    given = lines or (OrderLine(1, "4512345", 2, unit_price=Decimal("127.12")),)
    return OrderRequest("PO-1", given, kwargs.pop("ship_to", SHIP_TO), **kwargs)  # type: ignore[arg-type]


def xml(document: Element) -> str:
    return tostring(document, encoding="unicode")


# -- the PO sent -------------------------------------------------------------------------------


def test_the_po_document() -> None:
    sent = request(
        OrderLine(1, "4512345", 2, unit_price=Decimal("127.120")),
        OrderLine(2, "XYZ-2000", 1, special_bid="DEAL-9", unit_price=Decimal("100")),
        notes="leave at the back door",
    )
    document = orders.order_document(sent, US, NOW)
    text = xml(document)
    assert "<PONumber>PO-1</PONumber>" in text
    assert "<PODateTime>2026-01-01T09:15:00</PODateTime>" in text
    assert "<DropShipFlag>N</DropShipFlag>" in text
    assert "<BackOrderFlag>Y</BackOrderFlag>" in text
    assert "<Code>FG</Code><Description>FedEx Ground</Description>" in text
    assert "<ShipToContact><ContactName>Pat</ContactName></ShipToContact>" in text
    assert "<SKU>4512345</SKU><UnitPrice>127.12</UnitPrice>" in text
    # Not shaped like a TD SYNNEX SKU: ordered by the manufacturer's part number.
    assert "<ManufacturerPartNumber>XYZ-2000</ManufacturerPartNumber>" in text
    assert "<UnitPrice>100</UnitPrice>" in text
    assert "<SpecialPriceReferenceNumber>DEAL-9</SpecialPriceReferenceNumber>" in text
    assert "<Comment>leave at the back door</Comment>" in text
    assert "ShipFromWarehouse" not in text
    assert "pw-secret-1" not in text  # the client adds the login, in Credential only


def test_ship_method_and_warehouse_follow_the_connection() -> None:
    canada = TdSynnexConfig(consts.PRODUCTION_CA, "1", "u", "p", "CA")
    assert "<Code>PUG</Code>" in xml(orders.order_document(request(), canada, NOW))
    chosen = TdSynnexConfig(
        consts.PRODUCTION_US, "1", "u", "p", "US", ship_from_warehouse="3", ship_method="ZZ9"
    )
    text = xml(orders.order_document(request(), chosen, NOW))
    assert "<ShipMethod><Code>ZZ9</Code></ShipMethod>" in text  # no description invented
    assert "<ShipFromWarehouse>3</ShipFromWarehouse>" in text


@pytest.mark.parametrize(
    ("sent", "said"),
    [
        (request(hold=True), "no customer hold"),
        (request(quote_number="Q-1"), "quotes"),
        (request(OrderLine(1, "4512345", 1)), "needs a unit price on every PO line"),
        (request(ship_to=Address.stored("ADDR-1")), "give the full address"),
        (request(ship_to=Address("A", "B", "C", "", "94539", "US")), "state and postcode"),
        (request(ship_to=Address("A" * 31, "B", "C", "CA", "1", "US")), "longer than 30"),
    ],
)
def test_what_cannot_go_is_refused_before_sending(sent: OrderRequest, said: str) -> None:
    with pytest.raises(RequestRejected, match=said):
        orders.order_document(sent, US, NOW)


# -- the PO's answer ---------------------------------------------------------------------------


def answer(header: str, *items: str, reason: str = "") -> Element:
    body = (
        f"<SynnexB2B><OrderResponse><PONumber>PO-1</PONumber><Code>{header}</Code>"
        f"<Reason>{reason}</Reason><Items>{''.join(items)}</Items></OrderResponse></SynnexB2B>"
    )
    return parse(body.encode(), WHERE)


def item(line: int, code: str, number: str, kind: str, ref: str = "", reason: str = "") -> str:
    return (
        f'<Item lineNumber="{line}"><Code>{code}</Code><Reason>{reason}</Reason>'
        f"<OrderNumber>{number}</OrderNumber><OrderType>{kind}</OrderType>"
        f"<SynnexInternalReference>{ref}</SynnexInternalReference></Item>"
    )


def test_an_accepted_po_with_notes_and_a_refused_line() -> None:
    sent = request(*(OrderLine(n, "4512345", 1, unit_price=Decimal(1)) for n in (1, 2, 3, 4)))
    got = orders.read_answer(
        answer(
            "ACCEPTED",
            item(1, "accepted", "43061107", "SO", "SALESORDER,A-CIS---SOLINE,A-CIS"),
            item(2, "Accepted", "43061108", "BO"),
            item(3, "accepted", "43061109", "99", "POLINEQC,A-SALESPND---PRICEVAR,A-SALESPND"),
            item(4, "rejected", "", "99", reason="Product is discontinued."),
        ),
        sent,
        WHERE,
    )
    assert not got.duplicate
    placed = got.placed
    assert placed.order_numbers == ("43061107", "43061108", "43061109")
    assert placed.rejected == {4: "Product is discontinued."}
    assert placed.line_notes == {2: status.BACKORDERED, 3: status.PRICE_REVIEW}


def test_a_po_left_for_sales_is_placed_with_its_note() -> None:
    # An empty (or "null") Code: manual processing by sales (4.2).
    got = orders.read_answer(
        answer("null", item(1, "", "43061107", "SO", "OKCOMMENTS,A-SALESPND---CONVERTOK")),
        request(),
        WHERE,
    )
    assert got.placed.order_numbers == ("43061107",)
    assert got.placed.line_notes == {1: status.SALES_REVIEW}


def test_a_refused_po_refuses_every_line_with_the_reason() -> None:
    got = orders.read_answer(answer("rejected", reason="No line accepted."), request(), WHERE)
    assert got.placed.order_numbers == ()
    assert got.placed.rejected == {1: "No line accepted."}


def test_a_duplicate_is_told_apart() -> None:
    duplicate = item(1, "rejected", "43061190", "99", "DUPREJECT,R-PODUPE---DUPPOKILL,R-PODUPE")
    got = orders.read_answer(answer("rejected", duplicate, reason="already"), request(), WHERE)
    assert got.duplicate
    assert got.reason == "already"


@pytest.mark.parametrize(
    "body",
    [
        b"<SynnexB2B><Other/></SynnexB2B>",  # no OrderResponse
        b"<OrderResponse><Code>accepted</Code></OrderResponse>",  # no envelope
        b"<SynnexB2B><OrderResponse><Code>accepted</Code><Items/></OrderResponse></SynnexB2B>",
    ],
)
def test_an_answer_without_an_order_is_may_have_landed(body: bytes) -> None:
    with pytest.raises(Unavailable, match="by PO number"):
        orders.read_answer(parse(body, WHERE), request(), WHERE)


def test_an_ip_refusal_is_app_not_approved_with_the_fix() -> None:
    for code in ("IP Address Invalid", "ip address invalid", "ValidateIP"):
        body = (
            f"<SynnexB2B><OrderResponse><ErrorMessage>{code}</ErrorMessage>"
            "<ErrorDetail>IP address: 203.0.113.9 not defined.</ErrorDetail>"
            "</OrderResponse></SynnexB2B>"
        )
        with pytest.raises(AppNotApproved, match="fixed public IP address") as refused:
            raise_for_error(parse(body.encode(), WHERE), WHERE)
        assert not refused.value.retryable
        assert "203.0.113.9" in str(refused.value)


# -- PO status ---------------------------------------------------------------------------------


def status_answer(header: str, items: str = "") -> status.StatusAnswer:
    body = (
        f'<SynnexB2B version="2.4"><OrderStatusResponse><PONumber>PO-1</PONumber>'
        f"<Code>{header}</Code><Reason/><Items>{items}</Items></OrderStatusResponse></SynnexB2B>"
    )
    return status.read_status(parse(body.encode(), WHERE), WHERE)


def row(line: int, code: str, number: str, kind: str = "SO", extra: str = "") -> str:
    return (
        f'<Item lineNumber="{line}"><Code>{code}</Code><OrderNumber>{number}</OrderNumber>'
        f"<OrderType>{kind}</OrderType><OrderQuantity>2</OrderQuantity><SKU>4512345</SKU>"
        f"<MfgPN>XYZ-2000</MfgPN>{extra}</Item>"
    )


PACKAGES = (
    "<ShipDatetime>2026-01-02T16:20:16</ShipDatetime><ShipMethod>FG</ShipMethod>"
    "<ShipMethodDescription>FedEx Ground</ShipMethodDescription><Packages>"
    "<Package><TrackingNumber>040985928478309</TrackingNumber><ShipItemQuantity>1"
    "</ShipItemQuantity><SerialNo>S1</SerialNo><SerialNo>S2</SerialNo></Package>"
    "<Package><TrackingNumber>040985928478310</TrackingNumber><ShipItemQuantity>1"
    "</ShipItemQuantity><SerialNo/></Package>"
    "<Package><TrackingNumber/><ShipItemQuantity>1</ShipItemQuantity></Package>"
    "</Packages>"
)


@pytest.mark.parametrize("spelling", ["notFound", "not found", "NOTFOUND", "Not_Found"])
def test_not_found_in_any_spelling(spelling: str) -> None:
    answer = status_answer(spelling)
    assert answer.code == "notfound"
    assert status.order_numbers(answer) == []
    with pytest.raises(NotFound, match="no order under PO PO-1"):
        status.order_states(answer, "PO-1", ["43061107"])


def test_a_shipped_line_with_packages_tracking_and_serials() -> None:
    # No ShipQuantity: the packages say how many shipped. A package without a tracking
    # number says nothing to follow.
    answer = status_answer("SHIPPED", row(1, "Shipped", "43061107", extra=PACKAGES))
    [state] = status.order_states(answer, "PO-1", ["43061107"])
    assert state.status is POStatus.SHIPPED
    [line] = state.lines
    assert (line.line_number, line.shipped, line.backordered, line.note) == (1, 2, 0, "")
    first, second = state.shipments
    assert first.tracking_number == "040985928478309"
    assert first.carrier == "FedEx Ground"
    assert first.shipped_on == "2026-01-02T16:20:16"
    assert first.serial_numbers == ("S1", "S2")
    assert second.serial_numbers == ()
    assert state.invoices == ()  # POStatus names no invoices


def test_rows_become_sales_orders_with_their_status() -> None:
    answer = status_answer(
        "accepted",
        row(1, "invoiced", "43061107", extra="<ShipQuantity>2</ShipQuantity><Packages/>")
        + row(2, "accepted", "43061108", "BO", "<ETADate>2026-01-09</ETADate><Packages/>")
        + row(3, "deleted", "43061109")
        + row(4, "", "43061110", "99"),  # no Code: the header's
    )
    assert status.order_numbers(answer) == ["43061107", "43061108", "43061109", "43061110"]
    states = status.order_states(answer, "PO-1", ["43061108", "43061107"])
    # The asked ones first, in their order, then the others TD SYNNEX shows.
    assert [(s.order_number, s.status) for s in states] == [
        ("43061108", POStatus.BACKORDERED),
        ("43061107", POStatus.INVOICED),
        ("43061109", POStatus.CANCELLED),
        ("43061110", POStatus.SUBMITTED),
    ]
    backordered, invoiced, deleted, review = (s.lines[0] for s in states)
    assert (backordered.backordered, backordered.note) == (2, f"{status.BACKORDERED}, expected "
                                                           "2026-01-09")  # fmt: skip
    assert (invoiced.shipped, invoiced.note) == (2, "")
    assert deleted.note == status.CANCELLED
    assert review.note == status.PRICE_REVIEW
    assert status.with_invoices(states, {"43061107": ["INV-1"]})[1].invoices == ("INV-1",)


def test_missing_fields_cost_only_their_value() -> None:
    body = (
        b"<synnexb2b><orderstatusresponse><code>Accepted</code><items>"
        b'<item lineNumber="x"><ordernumber>43061107</ordernumber></item>'
        b"<item><code>shipped</code></item>"  # no order number: nothing to follow
        b"</items></orderstatusresponse></synnexb2b>"
    )
    answer = status.read_status(parse(body, WHERE), WHERE)
    [state] = status.order_states(answer, "PO-1", [])
    [line] = state.lines
    assert (line.line_number, line.sku, line.quantity, line.shipped) == (None, "", 0, 0)
    assert state.status is POStatus.SUBMITTED
    with pytest.raises(Unavailable):
        status.read_status(parse(b"<SynnexB2B/>", WHERE), WHERE)


def test_a_duplicate_is_this_po_only_with_its_own_lines() -> None:
    mine = request(OrderLine(1, "XYZ-2000", 2, unit_price=Decimal(1)))
    held = status_answer("accepted", row(1, "accepted", "43061107", "BO"))
    placed = orders.already_placed(mine, held, "exists")
    assert placed.order_numbers == ("43061107",)
    assert placed.line_notes == {1: status.BACKORDERED}
    other = request(OrderLine(1, "4512345", 5, unit_price=Decimal(1)))
    with pytest.raises(RequestRejected, match="already used at TD SYNNEX for another order"):
        orders.already_placed(other, held, "exists")
    with pytest.raises(Unavailable, match="shows no order"):
        orders.already_placed(mine, status_answer("notFound"), "exists")


# -- the PO over HTTP: sent once, a lost or unreadable answer is "may have landed" -------------


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (httpx.Response(200, content=b"<SynnexB2B><OrderResponse><Code>acc"), Unavailable),
        (httpx.Response(502, content=b"Bad Gateway"), Unavailable),
        (httpx.Response(200, content=b"<html>maintenance</html>"), Unavailable),
    ],
    ids=["truncated", "502", "not-an-order-answer"],
)
async def test_a_po_is_sent_once_and_a_bad_answer_is_not_a_refusal(
    reply: httpx.Response, error: type[SupplierError]
) -> None:
    sent: list[bytes] = []

    def td_synnex(req: httpx.Request) -> httpx.Response:
        sent.append(req.content)
        return reply

    async with httpx.AsyncClient(transport=httpx.MockTransport(td_synnex)) as http:
        client = TdSynnexClient(
            US, http=http, tokens=None, limiter=None,  # type: ignore[arg-type]
            policy=RetryPolicy(attempts=4, base_delay_s=0.0, max_delay_s=0.0),
        )  # fmt: skip
        with pytest.raises(error) as raised:
            await TdSynnexSupplier(client).place_order(request())
    assert not isinstance(raised.value, RequestRejected)
    assert len(sent) == 1  # never sent again by the transport
    assert b"<Password>pw-secret-1</Password>" in sent[0]
    assert "pw-secret-1" not in str(raised.value)
