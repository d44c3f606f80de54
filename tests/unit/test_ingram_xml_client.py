"""disty's IM-XML client against hostile or broken answers (a stand-in server: httpx's
MockTransport plays Ingram's side): entities are refused unexpanded, a huge answer is cut off
while it is read, garbage and wrong encodings are "unreadable", every error number maps to its
error, and the password never appears in an error."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from disty.suppliers.errors import (
    AppNotApproved,
    AuthenticationFailed,
    NotFound,
    RequestRejected,
    SupplierError,
    Unavailable,
)
from disty.suppliers.http import RetryPolicy
from disty.suppliers.hub import SupplierHub
from disty.suppliers.ingram.xml.client import IngramXmlClient, IngramXmlConfig

ONCE = RetryPolicy(attempts=1, base_delay_s=0.001, max_delay_s=0.001, max_wait_s=1.0)
PASSWORD = "s3cretpw"


def client(answer: Callable[[httpx.Request], httpx.Response]) -> IngramXmlClient:
    hub = SupplierHub(policy=ONCE, http=httpx.AsyncClient(transport=httpx.MockTransport(answer)))
    config = IngramXmlConfig("https://newport.example", "RSLR123", PASSWORD, "CA")
    return IngramXmlClient(config, **hub.client_parts())


def header_error(number: str, text: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="ISO-8859-1"?><PNAResponse><Version>2.0</Version>'
        f'<TransactionHeader><ErrorStatus ErrorNumber="{number}">{text}</ErrorStatus>'
        "</TransactionHeader></PNAResponse>"
    ).encode("iso-8859-1")


LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
    b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    b"<PNAResponse>&c;</PNAResponse>"
)
HOSTILE: dict[str, tuple[bytes, type[SupplierError]]] = {
    "billion laughs": (LAUGHS, Unavailable),
    "external entity": (
        b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><PNAResponse>&x;</PNAResponse>',
        Unavailable,
    ),
    "garbage": (b"\x00\xffnot xml", Unavailable),
    "wrong encoding": (
        b'<?xml version="1.0" encoding="UTF-8"?><PNAResponse>\xe9</PNAResponse>',
        Unavailable,
    ),
    "huge body": (b"<PNAResponse>" + b" " * (11 * 1024 * 1024) + b"</PNAResponse>", SupplierError),
    "schema error": (
        b'<ERROR Number="-1061158593">An error occurred. Length is less than the minimum '
        b"length.</ERROR>",
        RequestRejected,
    ),
    "20007": (
        header_error("20007", "ERROR: LoginID, or Password or CountryCode is incorrect"),
        AuthenticationFailed,
    ),
    "20002": (
        header_error("20002", "ERROR: Customer is not allowed to execute current transaction"),
        AppNotApproved,
    ),
    "20086": (header_error("20086", "ERROR:Order Not Found"), NotFound),
    "other": (header_error("20044", "ERROR: something"), RequestRejected),
}


@pytest.mark.parametrize("name", list(HOSTILE))
async def test_hostile_and_error_answers(name: str) -> None:
    body, error = HOSTILE[name]
    sent: list[bytes] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request.content)
        return httpx.Response(200, content=body)

    xml = client(answer)
    with pytest.raises(error) as raised:
        await xml.call(xml.document("PNARequest"), safe=True)
    assert PASSWORD not in str(raised.value)
    assert b"<CountryCode>FT</CountryCode>" in sent[0]  # Canada is FT on IM-XML


async def test_a_request_is_iso_8859_1_and_keeps_every_character() -> None:
    sent: list[bytes] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request.content)
        reply = (
            '<?xml version="1.0" encoding="ISO-8859-1"?><PNAResponse><Version>2.0</Version>'
            '<TransactionHeader><ErrorStatus ErrorNumber=""/></TransactionHeader>'
            "<Note>Café Zoë</Note></PNAResponse>"
        )
        return httpx.Response(200, content=reply.encode("iso-8859-1"))

    xml = client(answer)
    document = xml.document("PNARequest")
    document.append(document.makeelement("Note", {}))
    document[-1].text = "Zoë – 東京"
    root = await xml.call(document, safe=True)
    assert root.findtext("Note") == "Café Zoë"
    assert sent[0].startswith(b'<?xml version="1.0" encoding="ISO-8859-1"?>')
    assert "Zoë".encode("iso-8859-1") in sent[0]
    assert b"&#26481;&#20140;" in sent[0]
