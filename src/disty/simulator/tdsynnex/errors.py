"""EC Express's error answer: HTTP 200 with ``ErrorMessage`` and ``ErrorDetail`` (NOTES 4.5,
Q2: no other status code is evidenced for the XML endpoints)."""

from __future__ import annotations

from xml.etree.ElementTree import Element

from starlette.responses import Response

from disty.simulator.tdsynnex.xmlio import add, answer


def _fill(parent: Element, message: str, detail: str) -> None:
    add(parent, "ErrorMessage", message)
    add(parent, "ErrorDetail", detail)


def document_error(
    root_tag: str, message: str, detail: str, *, attrib: dict[str, str] | None = None
) -> Response:
    """``root_tag`` may be a path (``SynnexB2B/FreightQuoteResponse``): the error then sits in
    the innermost element, as the freight spec shows it; ``attrib`` goes on that element (a
    ``version`` echoed)."""
    first, *inner = root_tag.split("/")
    root = parent = Element(first)
    for tag in inner:
        parent = add(parent, tag)
    parent.attrib.update(attrib or {})
    _fill(parent, message, detail)
    return answer(root)


def b2b_error(response_tag: str, message: str, detail: str, version: str | None = None) -> Response:
    """The error inside ``SynnexB2B/<response_tag>`` with the version echoed on ``SynnexB2B``
    (PO, PO status: 4.8, 5.4)."""
    root = Element("SynnexB2B", {"version": version} if version else {})
    _fill(add(root, response_tag), message, detail)
    return answer(root)
