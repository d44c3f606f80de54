"""EC Express's error answer: HTTP 200 with ``ErrorMessage`` and ``ErrorDetail`` (NOTES 4.5,
Q2: no other status code is evidenced for the XML endpoints)."""

from __future__ import annotations

from xml.etree.ElementTree import Element

from starlette.responses import Response

from disty.simulator.tdsynnex.xmlio import add, answer


def document_error(
    root_tag: str,
    message: str,
    detail: str,
    *,
    envelope: str | None = None,
    attrib: dict[str, str] | None = None,
) -> Response:
    """The error answer; ``envelope`` wraps it (``SynnexB2B`` for the B2B transactions)."""
    root = body = Element(root_tag, attrib or {})
    if envelope:
        root = Element(envelope)
        root.append(body)
    add(body, "ErrorMessage", message)
    add(body, "ErrorDetail", detail)
    return answer(root)
