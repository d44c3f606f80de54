"""Safe reading of suppliers' XML answers, for every supplier's XML transport.

Answers are parsed with defusedxml: a DTD, an entity or an external reference is refused,
never expanded (billion laughs, external entities). Their size is bounded while they are read
(``suppliers.http.send``'s ``max_bytes``). Element names are read without regard to case or
namespace, as suppliers' own samples disagree on both.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from disty.suppliers.errors import Unavailable


def local(tag: str) -> str:
    """An element's name without namespace, lowercased."""
    return tag.rsplit("}", 1)[-1].lower()


def child(element: Element, name: str) -> Element | None:
    wanted = name.lower()
    return next((c for c in element if local(c.tag) == wanted), None)


def children(element: Element, name: str) -> list[Element]:
    wanted = name.lower()
    return [c for c in element if local(c.tag) == wanted]


def text(element: Element, name: str) -> str | None:
    """The stripped text of a child (None when absent or blank)."""
    found = child(element, name)
    if found is None or found.text is None:
        return None
    value = found.text.strip()
    return value or None


def parse(body: bytes, describe: str, team: str) -> Element:
    """The answer's root element, or Unavailable saying the answer was unreadable and whom to
    tell (``team``: the supplier's own words for its XML support, e.g. "the distributor's XML
    team")."""
    try:
        root: Element = SafeET.fromstring(body, forbid_dtd=True)
    except DefusedXmlException:
        raise Unavailable(
            f"{describe} answered with XML disty refuses to read (a DTD or entity): try again "
            f"later, and tell {team} if it lasts"
        ) from None
    except (SafeET.ParseError, ValueError, LookupError) as exc:
        raise Unavailable(
            f"{describe} answered with something that is not readable XML ({exc}): try again "
            f"later, and tell {team} if it lasts"
        ) from None
    return root
