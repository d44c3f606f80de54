"""Supplier connections: one tenant's settings for one supplier in one country.

Only neutral rules live here (API types, what a short text, an e-mail or a secret may be, how
secrets are masked); each supplier declares its own settings (suppliers/registry.py), and
storage and encryption are in services/connections.py.
"""

from __future__ import annotations

import re
from enum import StrEnum

from disty.errors import InvalidInput


class ApiType(StrEnum):
    """How disty talks to a supplier's account. Each supplier labels its own (its portal's
    words) and has adapters for some of them (suppliers/registry.py)."""

    REST = "rest"
    XML = "xml"


def validate_text(value: str, *, field: str, label: str, max_len: int) -> str:
    """A short one-line value such as a client id or sender id."""
    text = value.strip()
    if not text or len(text) > max_len or not text.isprintable():
        raise InvalidInput(
            f"invalid {label}: use 1 to {max_len} printable characters on one line", field=field
        )
    return text


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def validate_email(value: str) -> str:
    email = value.strip()
    if len(email) <= 254 and _EMAIL.fullmatch(email):
        return email
    raise InvalidInput(
        f"invalid contact e-mail {value!r}: use the address the distributor knows, like "
        "buyer@example.com",
        field="contact_email",
    )


def validate_secret(value: str, *, label: str, field: str) -> str:
    # Secrets are kept exactly as given except for surrounding whitespace, which copying from a
    # portal often adds. The message never repeats the value.
    secret = value.strip()
    if not secret or len(secret) > 512 or not secret.isprintable():
        raise InvalidInput(
            f"invalid {label}: paste the whole value, 1 to 512 printable characters", field=field
        )
    return secret


MASK = "••••"


def mask(secret: str | None) -> str | None:
    """How a secret is shown: ``••••`` + its last 4 characters, ``None`` when unset.

    Secrets shorter than 8 characters show the bullets alone: their last 4 would be half.
    """
    if secret is None:
        return None
    return MASK + secret[-4:] if len(secret) >= 8 else MASK
