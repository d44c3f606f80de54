"""EC Express's error answer: HTTP 200 with ``ErrorMessage`` and ``ErrorDetail`` (NOTES 4.5,
Q2: no other status code is evidenced for the XML endpoints)."""

from __future__ import annotations

from xml.etree.ElementTree import Element

from starlette.responses import Response

from disty.simulator.tdsynnex.xmlio import add, answer

EC_TAGS = ("ErrorMessage", "ErrorDetail")
# The invoice query's error form (NOTES 7.1: the SDK reads InvoiceResponse/ErrorCode, ErrorReason).
INVOICE_TAGS = ("ErrorCode", "ErrorReason")


def _fill(parent: Element, message: str, detail: str, tags: tuple[str, str] = EC_TAGS) -> None:
    add(parent, tags[0], message)
    add(parent, tags[1], detail)


def document_error(
    root_tag: str,
    message: str,
    detail: str,
    *,
    attrib: dict[str, str] | None = None,
    tags: tuple[str, str] = EC_TAGS,
) -> Response:
    """``root_tag`` may be a path (``SynnexB2B/FreightQuoteResponse``): the error then sits in
    the innermost element, as the freight spec shows it; ``attrib`` goes on that element (a
    ``version`` echoed)."""
    first, *inner = root_tag.split("/")
    root = parent = Element(first)
    for tag in inner:
        parent = add(parent, tag)
    parent.attrib.update(attrib or {})
    _fill(parent, message, detail, tags)
    return answer(root)


def b2b_error(
    response_tag: str,
    message: str,
    detail: str,
    version: str | None = None,
    *,
    tags: tuple[str, str] = EC_TAGS,
) -> Response:
    """The error inside ``SynnexB2B/<response_tag>`` with the version echoed on ``SynnexB2B``
    (PO, PO status: 4.8, 5.4); ``tags`` name its two elements."""
    root = Element("SynnexB2B", {"version": version} if version else {})
    _fill(add(root, response_tag), message, detail, tags)
    return answer(root)
