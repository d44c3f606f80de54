"""EC Express's error answer: HTTP 200 with ``ErrorMessage`` and ``ErrorDetail`` (NOTES 4.5,
Q2: no other status code is evidenced for the XML endpoints)."""

from __future__ import annotations

from xml.etree.ElementTree import Element

from starlette.responses import Response

from disty.simulator.tdsynnex.xmlio import add, answer


def document_error(root_tag: str, message: str, detail: str) -> Response:
    root = Element(root_tag)
    add(root, "ErrorMessage", message)
    add(root, "ErrorDetail", detail)
    return answer(root)
