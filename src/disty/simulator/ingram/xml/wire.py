"""IM-XML's transport as Ingram serves it (XML-NOTES 2.2, 3): a raw document POSTed with any
content type, UTF-8 or ISO-8859-1; answers declared ISO-8859-1 with HTTP 200, whatever went
wrong; a document that fails validation is answered by a bare ``<ERROR Number=...>``.

Bodies are read at most ``MAX_BODY`` bytes (more is refused before it is read whole) and parsed
with defusedxml: a DTD, an entity or an external reference is refused, never expanded.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from xml.etree.ElementTree import Element, ParseError, SubElement, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from starlette.requests import Request
from starlette.responses import Response

from disty.simulator.bodies import read_limited

MAX_BODY = 2 * 1024 * 1024  # a 50-line P&A request is a few kB
CONTENT_TYPE = "text/xml; charset=ISO-8859-1"  # XML-NOTES Q3: assumed
# The MSXML HRESULT Ingram's real schema failures carry (XML-NOTES 3.4).
SCHEMA_ERROR_NUMBER = "-1061158593"


class Refused(ValueError):
    """The document failed validation; the message is MSXML's reason."""


async def read_body(request: Request) -> bytes:
    return await read_limited(request, MAX_BODY)


def parse(body: bytes) -> Element:
    """The document's root; Refused for anything that is not one entity-free XML document
    in an encoding it declares (none: UTF-8)."""
    try:
        root: Element = fromstring(body, forbid_dtd=True)
    except DefusedXmlException:
        raise Refused("DTDs and entities are not allowed.") from None
    except (ParseError, ValueError, LookupError) as exc:
        raise Refused(f"The document is not well-formed ({exc}).") from None
    return root


def text(parent: Element | None, name: str) -> str:
    if parent is None:
        return ""
    found = parent.find(name)
    return (found.text or "").strip() if found is not None else ""


def add(parent: Element, tag: str, value: Any = None, **attrs: str) -> Element:
    child = SubElement(parent, tag, attrs)
    if value is not None:
        child.text = str(value)
    return child


def serialise(root: Element) -> bytes:
    """ISO-8859-1 as Ingram's real answers declare it; characters outside it become
    character references, so nothing is lost."""
    body = tostring(root, encoding="unicode")
    return b'<?xml version="1.0" encoding="ISO-8859-1"?>\n' + body.encode(
        "iso-8859-1", "xmlcharrefreplace"
    )


def answer(root: Element) -> Response:
    return Response(serialise(root), 200, media_type=CONTENT_TYPE)


def schema_error(reason: str) -> Response:
    root = Element("ERROR", {"Number": SCHEMA_ERROR_NUMBER})
    root.text = (
        "An error occurred. \nDetails: The XML document has failed validation for the "
        f"following reason: \n{reason} The server could not finish processing the document."
    )
    return answer(root)


def date(at: float) -> str:
    return dt.datetime.fromtimestamp(at, dt.UTC).strftime("%Y-%m-%d")


def response(
    request_root: Element, name: str, now: float, error: tuple[str, str] = ("", "")
) -> Element:
    """A response root with ``Version`` and the ``TransactionHeader`` (XML-NOTES 3.2): sender
    and receiver swapped, the transaction id echoed, a new braced GUID, the time stamp."""
    header_in = request_root.find("TransactionHeader")
    root = Element(name)
    add(root, "Version", text(request_root, "Version") or "2.0")
    header = add(root, "TransactionHeader")
    add(header, "SenderID", text(header_in, "ReceiverID"))
    add(header, "ReceiverID", text(header_in, "SenderID"))
    number, message = error
    add(header, "ErrorStatus", message or None, ErrorNumber=number)
    add(header, "DocumentID", "{" + str(uuid.uuid4()).upper() + "}")
    add(header, "TransactionID", text(header_in, "TransactionID"))
    add(header, "TimeStamp", dt.datetime.fromtimestamp(now, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S"))
    return root


def refusal(request_root: Element, name: str, now: float, number: str, message: str) -> Response:
    """A transaction-level error: only the header is populated (XML-NOTES 3.3)."""
    return answer(response(request_root, name, now, (number, message)))
