"""EC Express's error answer: HTTP 200 with ``ErrorMessage`` and ``ErrorDetail`` (NOTES 4.5,
Q2: no other status code is evidenced for the XML endpoints)."""

from __future__ import annotations

from xml.etree.ElementTree import Element

from starlette.responses import Response

from disty.simulator.tdsynnex.xmlio import add, answer


def document_error(
    root_tag: str, message: str, detail: str, *, attrib: dict[str, str] | None = None
) -> Response:
    """``root_tag`` may be a path (``SynnexB2B/OrderResponse``): the error then sits in the
    innermost element, as the PO, status and freight specs show it; ``attrib`` goes on that
    element (a ``version`` echoed)."""
    first, *inner = root_tag.split("/")
    root = parent = Element(first)
    for tag in inner:
        parent = add(parent, tag)
    parent.attrib.update(attrib or {})
    add(parent, "ErrorMessage", message)
    add(parent, "ErrorDetail", detail)
    return answer(root)
