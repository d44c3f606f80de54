"""A JSON value sealed for a round trip through a form: signed (HMAC-SHA256) and dated, so
the server can trust what comes back as what it sent, for a limited time.

The priced list travels this way from the prices page to the PO it becomes: the expected
prices are what the page showed, and a buyer who edits the HTML to lower them (or posts a list
priced yesterday) is refused. Not encryption: the value is readable, as the page shows it
anyway. Each purpose derives its own key, so a value sealed for one form opens in no other.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

from disty.errors import InvalidInput

MAX_SEALED = 1_000_000  # characters: a 200-line list is far below this


class Unsealed(InvalidInput):
    """The sealed value was changed, forged, or is too old."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: bytes, body: str) -> str:
    return _b64(hmac.new(key, body.encode("ascii"), hashlib.sha256).digest())


def seal(key: bytes, value: Any, *, now: float | None = None) -> str:
    stamped = {"at": int(time.time() if now is None else now), "value": value}
    body = _b64(json.dumps(stamped, separators=(",", ":"), sort_keys=True).encode())
    return f"{body}.{_mac(key, body)}"


def unseal(key: bytes, token: str, *, max_age_s: float, now: float | None = None) -> Any:
    """The value sealed with ``key`` no more than ``max_age_s`` ago; Unsealed otherwise."""
    body, _, mac = token.strip().rpartition(".")
    if not body or len(token) > MAX_SEALED or not hmac.compare_digest(mac, _mac(key, body)):
        raise Unsealed("the form's data was changed or did not come from this console")
    stamped = json.loads(_unb64(body))  # signed by us: well-formed
    age = (time.time() if now is None else now) - stamped["at"]
    if not 0 <= age <= max_age_s:
        raise Unsealed(f"the form's data is older than {int(max_age_s // 60)} minutes")
    return stamped["value"]
