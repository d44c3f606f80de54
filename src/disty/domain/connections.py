"""Supplier connections: one tenant's settings for one supplier in one country.

Only rules live here (which suppliers and API types exist, what a customer number looks like,
how secrets are masked); storage and encryption are in services/connections.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from disty.errors import ApiTypeNotAvailable, InvalidInput


class ApiType(StrEnum):
    REST = "rest"  # Ingram's "APIS (Recommended)"
    XML = "xml"  # Ingram's legacy XML API

    @property
    def label(self) -> str:
        return _API_TYPE_LABELS[self]


_API_TYPE_LABELS = {ApiType.REST: "APIS (Recommended)", ApiType.XML: "XML"}


@dataclass(frozen=True, slots=True)
class SupplierInfo:
    key: str
    name: str
    # The supplier's own https endpoints, production first: the only base URLs a tenant may
    # give a connection (suppliers/endpoints.py); anything else is the operator's choice.
    endpoints: tuple[str, ...]

    @property
    def default_base_url(self) -> str:
        return self.endpoints[0]


# More suppliers (tdsynnex) join here as their adapters land.
SUPPLIERS: dict[str, SupplierInfo] = {
    "ingram": SupplierInfo(
        "ingram",
        "Ingram Micro",
        ("https://api.ingrammicro.com:443", "https://api.ingrammicro.com:443/sandbox"),
    ),
}


def supplier_info(key: str) -> SupplierInfo:
    try:
        return SUPPLIERS[key]
    except KeyError:
        known = ", ".join(SUPPLIERS)
        raise InvalidInput(f"unknown supplier {key!r}: use {known}", field="supplier") from None


def parse_api_type(value: str) -> ApiType:
    try:
        return ApiType(value.lower())
    except ValueError:
        raise InvalidInput(
            f"unknown API type {value!r}: use rest (APIS (Recommended)) or xml", field="api_type"
        ) from None


def require_rest(api_type: ApiType) -> None:
    """Every supplier operation calls this first: only the REST adapter exists so far."""
    if api_type is not ApiType.REST:
        raise ApiTypeNotAvailable(
            "the XML API type is not available yet: switch to APIS (Recommended)"
        )


# Ingram: at most 10 characters (letters, digits, hyphens); the usual form is XX-XXXXXX.
_CUSTOMER_NUMBER = re.compile(r"[A-Za-z0-9-]{1,10}")
CUSTOMER_NUMBER_MAX = 10


def validate_customer_number(value: str) -> str:
    number = value.strip()
    if _CUSTOMER_NUMBER.fullmatch(number):
        return number
    raise InvalidInput(
        f"invalid customer number {value!r}: use at most {CUSTOMER_NUMBER_MAX} letters, digits "
        "and hyphens, as Ingram Micro shows it (usually XX-XXXXXX, e.g. 20-222222)",
        field="customer_number",
    )


def validate_text(value: str, *, field: str, label: str, max_len: int) -> str:
    """A short one-line value such as a client id or sender id (Ingram: IM-SenderID <= 32)."""
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
        f"invalid contact e-mail {value!r}: use the address Ingram knows, like buyer@example.com",
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


def webhook_path(shortcut: str, country_id: int) -> str:
    return f"/supplierapi/distributorWebhook/{shortcut}/{country_id}"


def webhook_url(public_url: str, shortcut: str, country_id: int) -> str:
    """The destination URL to paste into the distributor's portal."""
    return public_url.rstrip("/") + webhook_path(shortcut, country_id)
