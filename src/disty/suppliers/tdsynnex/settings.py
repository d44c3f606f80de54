"""The settings of a TD SYNNEX connection, as its admin fills them in (NOTES 2.4)."""

from __future__ import annotations

import re

from disty.domain.ship_notices import validate_drop_folder
from disty.errors import InvalidInput
from disty.suppliers.registry import EVERY_CAPABILITY, Setting

# NOTES 3.1: customerNo is numeric, at most 10 digits.
_CUSTOMER_NUMBER = re.compile(r"[0-9]{1,10}")
# NOTES 3.6: warehouse numbers (3, 12, 506, 6523), "US" for the joint pool in Canada.
_WAREHOUSE = re.compile(r"[0-9]{1,5}|US")


# NOTES 4.1, 4.6: ShipMethod/Code is at most 5 letters and digits (FG, PUG, L12G).
_SHIP_METHOD = re.compile(r"[A-Z0-9]{1,5}")


def validate_ship_method(value: str) -> str:
    code = value.strip().upper()
    if _SHIP_METHOD.fullmatch(code):
        return code
    raise InvalidInput(
        f"invalid ship method {value!r}: use a TD SYNNEX ship-method code of at most 5 letters "
        "and digits, e.g. FG (FedEx Ground) or PUG (Purolator Ground)",
        field="ship_method",
    )


def validate_customer_number(value: str) -> str:
    number = value.strip()
    if _CUSTOMER_NUMBER.fullmatch(number):
        return number
    raise InvalidInput(
        f"invalid customer number {value!r}: use the digits of your TD SYNNEX account number "
        "(at most 10, e.g. 1150897)",
        field="customer_number",
    )


def validate_warehouse(value: str) -> str:
    warehouse = value.strip().upper()
    if _WAREHOUSE.fullmatch(warehouse):
        return warehouse
    raise InvalidInput(
        f"invalid ship-from warehouse {value!r}: use a TD SYNNEX warehouse number, e.g. 3",
        field="ship_from_warehouse",
    )


SETTINGS = (
    Setting(
        "customer_number",
        "customer number",
        "Your TD SYNNEX account (customer) number, digits only, e.g. 1150897.",
        required_for=EVERY_CAPABILITY,
        max_len=10,
        validate=validate_customer_number,
        example="1150897",
    ),
    Setting(
        "xml_user",
        "EC Express XML user",
        "The user the EC Express XML API signs in with (usually an e-mail address). It may "
        "differ from your EC Express portal login: TD SYNNEX can issue a separate API user.",
        required_for=EVERY_CAPABILITY,
        max_len=254,
        example="buyer@reseller.example",
    ),
    Setting(
        "xml_password",
        "EC Express XML password",
        "The EC Express XML user's password. Passwords of users that place orders expire "
        "every 3 months; a read-only user for price and availability does not.",
        secret=True,
        required_for=EVERY_CAPABILITY,
    ),
    Setting(
        "rest_client_id",
        "Partner REST client id",
        "Optional: the client id of TD SYNNEX's Partner REST API (order and shipment look-ups).",
        max_len=200,
    ),
    Setting(
        "rest_client_secret",
        "Partner REST client secret",
        "Optional: that client's secret.",
        secret=True,
    ),
    Setting(
        "ship_from_warehouse",
        "ship-from warehouse",
        "Optional: the TD SYNNEX warehouse number orders should ship from, e.g. 3.",
        max_len=5,
        validate=validate_warehouse,
        example="3",
    ),
    Setting(
        "ship_method",
        "ship method",
        "Optional: the TD SYNNEX ship-method code for orders, e.g. FG (FedEx Ground) or UP "
        "(UPS Ground); empty: FG in the US, PUG (Purolator Ground) in Canada.",
        max_len=5,
        validate=validate_ship_method,
        example="FG",
    ),
    Setting(
        "ship_notice_folder",
        "ship-notice folder",
        "Optional: the folder, inside your tenant's area of disty's file drop (set up by your "
        "disty operator), your TD SYNNEX FTP ship-notice files (*_856.xml) are copied to, "
        "e.g. tdsynnex-us. disty "
        "reads each new file and files it away.",
        max_len=200,
        validate=lambda value: validate_drop_folder(
            value, field="ship_notice_folder", label="ship-notice folder"
        ),
        example="tdsynnex-us",
    ),
)

CREDENTIALS_FIX = (
    "Enter your TD SYNNEX customer number and the EC Express XML user and password (ask your "
    "TD SYNNEX rep or the XML team for an API user if you have none; it may differ from your "
    "portal login), save, and run the test again."
)
