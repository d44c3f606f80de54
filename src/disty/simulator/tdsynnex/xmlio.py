"""EC Express's transport: one XML document per POST, read safely, answered as XML.

The body is the raw document with any content type (integrators send ``text/plain``,
``application/xml``, ``text/xml``) or an HTML form whose field ``xmldata`` holds it (NOTES 2.3).
A body is read at most ``MAX_BODY`` bytes (a larger one is refused with 413 before it is read
whole) and parsed with defusedxml: a DTD, an entity or an external reference is refused, so a
billion-laughs body costs nothing.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs
from xml.etree.ElementTree import Element, ParseError, SubElement, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from starlette.requests import Request
from starlette.responses import Response

from disty.simulator.bodies import read_limited

MAX_BODY = 20 * 1024 * 1024
XML_TYPE = "application/xml; charset=utf-8"


class BadDocument(ValueError):
    """The body is not one well-formed, entity-free XML document."""


async def read_body(request: Request) -> bytes:
    return await read_limited(request, MAX_BODY)


def document(body: bytes, content_type: str) -> Element:
    """The XML document of a request body: the raw body, or the form field ``xmldata``."""
    raw = body
    if content_type.split(";")[0].strip().lower() == "application/x-www-form-urlencoded":
        fields = parse_qs(body.decode("utf-8", "replace"), max_num_fields=50)
        if "xmldata" not in fields:
            raise BadDocument("the form has no xmldata field")
        raw = fields["xmldata"][0].encode()
    try:
        root: Element = fromstring(raw, forbid_dtd=True)
    except DefusedXmlException:
        raise BadDocument("DTDs, entities and external references are not accepted") from None
    except ParseError as exc:
        raise BadDocument(f"the body is not well-formed XML ({exc})") from None
    return root


def text(parent: Element | None, path: str) -> str:
    """The stripped text of ``path`` under ``parent`` ("" when absent or empty)."""
    if parent is None:
        return ""
    found = parent.find(path)
    return (found.text or "").strip() if found is not None else ""


def add(parent: Element, tag: str, value: Any = None) -> Element:
    """A child element, with ``value`` as its text unless None (an empty element then)."""
    child = SubElement(parent, tag)
    if value is not None:
        child.text = str(value)
    return child


def serialise(root: Element) -> bytes:
    """A whole document: the declaration, then the tree (answers and the FTP-style files)."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(root, encoding="unicode")
    ).encode()


def answer(root: Element, status: int = 200) -> Response:
    return Response(serialise(root), status, media_type=XML_TYPE)


@dataclass(frozen=True, slots=True)
class Arrived:
    """One EC Express request, read and parsed: its document, the caller's address (the PO's
    IP allow-list) and when it arrived (``ResponseElapsedTime``)."""

    root: Element
    ip: str
    started: float


Handler = Callable[[Request], Awaitable[Response]]


def endpoint(
    respond: Callable[[Arrived], Response], refuse: Callable[[BadDocument], Response]
) -> Handler:
    """An EC Express route: read the body, parse the document and answer it, or ``refuse`` a
    body that is not one (each transaction words that refusal its own way)."""

    async def route(request: Request) -> Response:
        started = time.perf_counter()
        body = await read_body(request)
        try:
            root = document(body, request.headers.get("content-type", ""))
        except BadDocument as exc:
            return refuse(exc)
        ip = request.client.host if request.client else ""
        return respond(Arrived(root, ip, started))

    return route
