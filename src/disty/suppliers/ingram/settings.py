"""The settings of an Ingram Micro connection, as its admin fills them in.

The names are the stored keys, the API's fields and (dashed) the CLI's options; they are what
they were when they were columns, so nothing a client sends changed when they became declared.
"""

from __future__ import annotations

import re

from disty.domain.connections import ApiType, validate_email
from disty.errors import InvalidInput
from disty.suppliers.registry import EVERY_CAPABILITY, Setting

# At most 10 characters (letters, digits, hyphens); the usual form is XX-XXXXXX.
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


# IM-XML's LoginID: 6 to 10 characters (XML-NOTES 3.1, the XSD's bounds).
_XML_LOGIN = re.compile(r"[A-Za-z0-9_.-]{6,10}")
XML_LOGIN_MAX = 10


def validate_xml_login(value: str) -> str:
    login = value.strip()
    if _XML_LOGIN.fullmatch(login):
        return login
    raise InvalidInput(
        f"invalid XML login id {value!r}: IM-XML login ids are 6 to 10 letters and digits, as "
        "Ingram Micro's e-commerce team issued it (not your web login)",
        field="xml_login_id",
    )


_REST = frozenset({ApiType.REST})
_XML = frozenset({ApiType.XML})

SETTINGS = (
    Setting(
        "client_id",
        "client id",
        "Client ID of the distributor app.",
        required_for=EVERY_CAPABILITY,
        api_types=_REST,
    ),
    Setting(
        "client_secret",
        "client secret",
        "Client secret.",
        secret=True,
        required_for=EVERY_CAPABILITY,
        api_types=_REST,
    ),
    Setting(
        "customer_number",
        "customer number",
        "Customer number, e.g. 20-222222.",
        required_for=EVERY_CAPABILITY,
        max_len=CUSTOMER_NUMBER_MAX,
        validate=validate_customer_number,
        example="20-222222",
        api_types=_REST,  # an IM-XML login names its account itself
    ),
    Setting("sender_id", "sender id", "IM-SenderID (at most 32).", max_len=32, api_types=_REST),
    Setting("application_id", "application id", "IM-ApplicationID.", max_len=100, api_types=_REST),
    Setting(
        "contact_email",
        "contact e-mail",
        "IM-CustomerContact e-mail.",
        max_len=254,
        validate=validate_email,
        api_types=_REST,
    ),
    Setting(
        "xml_login_id",
        "XML login id",
        "IM-XML LoginID from Ingram Micro's e-commerce team (6 to 10 characters).",
        required_for=EVERY_CAPABILITY,
        max_len=XML_LOGIN_MAX,
        validate=validate_xml_login,
        flag="--xml-login",
        api_types=_XML,
        example="RSLR123",
    ),
    Setting(
        "xml_password",
        "XML password",
        "IM-XML Password (not your web login's).",
        secret=True,
        required_for=EVERY_CAPABILITY,
        api_types=_XML,
    ),
)

CREDENTIALS_FIX = (
    "Paste them from the production app in Ingram Micro's developer portal, save, and run the "
    "test again."
)
