"""Ingram's webhook signature and envelopes, read leniently (suppliers/ingram/webhooks.py).

The expected signatures are computed here from Ingram's documented algorithm,
base64(HMAC-SHA512(key=Signature Token, message=eventId)), independently of disty's code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from disty.suppliers.ingram import webhooks
from disty.suppliers.webhooks import (
    Ignored,
    NotEnvelopes,
    OrderRef,
    OrderResult,
    OrdersTouched,
    QuoteCreated,
    StockChanged,
    StockRow,
)

KEY = "my-signature-token"


def documented(key: str, event_id: str) -> str:
    digest = hmac.new(key.encode("utf-8"), event_id.encode("utf-8"), hashlib.sha512).digest()
    return base64.b64encode(digest).decode("ascii")


def test_the_documented_signature_verifies() -> None:
    header = documented(KEY, "N01CIB9VVFYKR9J6ZW")
    assert len(base64.b64decode(header)) == 64  # SHA-512
    assert webhooks.verify(header, "N01CIB9VVFYKR9J6ZW", [KEY])
    assert webhooks.verify(header, "N01CIB9VVFYKR9J6ZW", ["old-key", KEY])  # grace keys too


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        documented("another-key", "N01CIB9VVFYKR9J6ZW"),
        documented(KEY, "ANOTHER-EVENT"),
        documented(KEY, "N01CIB9VVFYKR9J6ZW")[:-8],
        "not base64 at all!",
        base64.b64encode(b"x" * 64).decode(),
    ],
)
def test_anything_else_does_not(header: str | None) -> None:
    assert not webhooks.verify(header, "N01CIB9VVFYKR9J6ZW", [KEY])


def test_no_key_verifies_nothing() -> None:
    assert not webhooks.verify(documented("", "E1"), "E1", [])


@given(key=st.text(min_size=1, max_size=40), event_id=st.text(min_size=1, max_size=40))
def test_any_key_and_event_id(key: str, event_id: str) -> None:
    assert webhooks.verify(documented(key, event_id), event_id, [key])
    assert not webhooks.verify(documented(key + "x", event_id), event_id, [key])


def test_one_signature_per_envelope_separated_by_commas() -> None:
    header = f"{documented(KEY, 'A')},{documented(KEY, 'B')}"
    assert webhooks.verify(header, "A", [KEY])
    assert webhooks.verify(header, "B", [KEY])
    assert not webhooks.verify(header, "C", [KEY])


def test_envelopes_are_read_leniently() -> None:
    body = json.dumps(
        {
            "topic": "resellers/orders",
            "event": "im::updated",
            "evenTtimeStamp": "2021-11-01T13:02:06.369Z",  # a spelling of Ingram's examples
            "EventId": "EVT-1",
            "resource": [
                {"eventType": "IM::ORDER_SHIPPED", "orderNumber": "20-RD3QV", "LineNumber": "1"}
            ],
            "customerOrderNumber": "PO-7",
        }
    ).encode()
    [envelope] = webhooks.envelopes(body)
    assert envelope.event_id == "EVT-1"
    assert envelope.event_type == "im::order_shipped"
    assert envelope.event_time is not None
    assert envelope.event_time.isoformat() == "2021-11-01T13:02:06.369000+00:00"
    assert envelope.raw == body.decode()
    assert webhooks.order_refs(envelope.data) == [OrderRef("20-RD3QV", "PO-7")]


def test_the_v7_result_and_its_refusal() -> None:
    placed = {
        "eventId": "V7-1",
        "resource": {
            "eventType": "IM::async_order_create",
            "customerOrderNumber": "PO-V7",
            "orders": [{"ingramOrderNumber": "20-AAAAA"}],
        },
    }
    [envelope] = webhooks.envelopes(json.dumps([placed]).encode())
    assert envelope.event_type == webhooks.V7_ORDER_RESULT
    result = webhooks.v7_result(envelope.data)
    assert (result.po_number, result.order_numbers, result.refusal) == (
        "PO-V7",
        ("20-AAAAA",),
        None,
    )
    refused = {
        "eventId": "V7-2",
        "eventType": "IM::async_order_create",
        "customerOrderNumber": "PO-V7B",
        "resource": {"orders": [], "rejectedLineItems": [{"rejectReason": "SKU-NOTFOUND"}]},
    }
    result = webhooks.v7_result(refused)
    assert result.order_numbers == ()
    assert result.refusal == "SKU-NOTFOUND"
    assert result.po_number == "PO-V7B"
    # v7's own schema: an order entry without a number, its notes saying why.
    refused["resource"] = {
        "orders": [{"ingramOrderNumber": "", "numberOfLinesWithError": 1, "notes": "Duplicate"}]
    }
    assert webhooks.v7_result(refused).refusal == "Duplicate"


def test_stock_rows_skip_what_cannot_be_read() -> None:
    data = {
        "resource": [
            {"ingramPartNumber": "abc123", "totalAvailability": "12", "backOrderFlag": "Y"},
            {"ingramPartNumber": "DEF456", "totalAvailability": "n/a"},
            {"totalAvailability": "3"},
        ]
    }
    assert webhooks.stock_rows(data) == [StockRow("ABC123", 12, True)]


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe", b"[]", b"[1, 2]", b'"text"', b"42"])
def test_what_is_not_an_envelope_is_refused(body: bytes) -> None:
    with pytest.raises(ValueError, match=r".+"):
        webhooks.envelopes(body)


@pytest.mark.parametrize(
    "body",
    [
        b'[{"eventId": "A"}]',
        b' \r\n[ {"eventId": "A"} ,\t{"eventId": "B", "resource": [1, [2], {"c": "]"}]} ] \n',
        b'\xef\xbb\xbf{"eventId": "A", "s": "\\ud83d\\ude00 caf\xc3\xa9"}',
    ],
)
def test_envelopes_read_arrays_one_by_one_as_json_reads_them(body: bytes) -> None:
    expected = json.loads(body.removeprefix(b"\xef\xbb\xbf"))
    expected = expected if isinstance(expected, list) else [expected]
    assert [e.data for e in webhooks.envelopes(body)] == expected


@pytest.mark.parametrize(
    "body",
    [
        b'[{"eventId": "A"}] {}',
        b'[{"eventId": "A"},]',
        b'[{"eventId": "A"}',
        b"[]",
        b'{"eventId": "A", "s": "\\udc00"}',
        b"\xff\xfe{\x00}\x00",
        b'{"a":' * 33 + b"1" + b"}" * 33,
    ],
)
def test_what_envelopes_refuse(body: bytes) -> None:
    # ValueError is the contract: the receiver refuses exactly that as malformed (400).
    with pytest.raises(ValueError):  # noqa: PT011
        webhooks.envelopes(body)


def test_event_ids_named_finds_them_in_any_case_and_slice() -> None:
    body = b'{"EVENTID" : "A\\u0042", "x": {"eventId":"C"}, "eventid": 5}'
    assert webhooks.event_ids_named(body) == ["AB", "C"]
    assert webhooks.event_ids_named(body, 0, 10) == ["AB"]  # the key starts in the slice
    assert webhooks.event_ids_named(body, 10) == ["C"]
    assert webhooks.event_ids_named(body, limit=1) == ["AB"]


def test_the_codec_tells_what_each_kind_of_event_means() -> None:
    codec = webhooks.CODEC
    order = {"eventId": "E", "resource": [{"orderNumber": "20-A", "customerOrderNumber": "PO-1"}]}
    assert codec.interpret("im::order_shipped", json.dumps(order)) == OrdersTouched(
        (OrderRef("20-A", "PO-1"),)
    )
    result = {"resource": {"customerOrderNumber": "PO-2", "orders": [{"orderNumber": "20-B"}]}}
    assert codec.interpret(webhooks.V7_ORDER_RESULT, json.dumps(result)) == OrderResult(
        "PO-2", ("20-B",), None
    )
    stock = {"resource": [{"ingramPartNumber": "x1", "totalAvailability": 3}]}
    assert codec.interpret(webhooks.STOCK_UPDATE, json.dumps(stock)) == StockChanged(
        (StockRow("X1", 3, False),)
    )
    quote = {"resource": [{"quoteNumber": "Q-1"}]}
    assert codec.interpret(webhooks.QUOTE_CREATED, json.dumps(quote)) == QuoteCreated(("Q-1",))
    assert codec.interpret("im::other", "{}") == Ignored("im::other")
    with pytest.raises(NotEnvelopes, match="one JSON object"):
        codec.interpret("im::order_shipped", "[1]")
