"""The ``SynnexB2B`` envelope shared by PO and PO status (NOTES 2.4, 4.2, 5.2): the login in
``Credential``, one transaction element beside it, and the answer's timestamps."""

from __future__ import annotations

import time
from xml.etree.ElementTree import Element

from starlette.responses import Response

from disty.simulator.tdsynnex.errors import EC_TAGS, b2b_error
from disty.simulator.tdsynnex.state import TdState
from disty.simulator.tdsynnex.xmlio import text

LOGIN_FAILED = (
    "Login failed: check the customer number, user name and password (the EC Express login)."
)


def signed_in(state: TdState, root: Element, request: Element) -> bool:
    return state.signed_in(
        text(request, "CustomerNumber"),
        text(root, "Credential/UserID"),
        text(root, "Credential/Password"),
    )


def login_failed(response_tag: str, *, tags: tuple[str, str] = EC_TAGS) -> Response:
    # The same answer as P&A's wrong login (pna.py); it never repeats what was sent.
    return b2b_error(response_tag, "Client.LoginFailed", LOGIN_FAILED, tags=tags)


def stamp(seconds: float | None) -> str:
    """``CCYY-MM-DDTHH:MM:SS`` on the simulator's clock, in UTC ("" for no time)."""
    if seconds is None:
        return ""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))


def day(seconds: float) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(seconds))


def elapsed(started: float) -> str:
    """``ResponseElapsedTime``: how long the simulator really took, as "1.234s"."""
    return f"{time.perf_counter() - started:.3f}s"
