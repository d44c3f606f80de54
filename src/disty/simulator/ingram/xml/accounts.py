"""IM-XML logins (XML-NOTES 3.1): a LoginID and Password issued by Ingram's e-commerce team,
valid in the countries its account is set up for (``MD`` US, ``FT`` Canada), entitled to some
transactions only (20002 for the others).

A login belongs to the same account as a REST app (``client_id``): the orders it places and
finds are that app's, so XML and REST see one order book.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from disty.simulator.config import SimulatorConfig

# IM-XML's own country codes (XML-NOTES 3.1: "'MD' = USA not 'US'", "'FT' = CA not 'CA'").
COUNTRY_OF = {"MD": "US", "FT": "CA"}
CODE_OF = {iso: code for code, iso in COUNTRY_OF.items()}

TRANSACTIONS = (
    "PNARequest",
    "OrderRequest",
    "OrderStatusRequest",
    "OrderDetailRequest",
    "OrderTrackingRequest",
)


@dataclass(frozen=True, slots=True)
class XmlLogin:
    login_id: str
    password: str
    client_id: str  # the REST app of the same account: its orders are this login's
    countries: tuple[str, ...] = ("MD", "FT")
    transactions: tuple[str, ...] = TRANSACTIONS

    def public(self) -> dict[str, object]:
        """What the control API shows: never the password, only its last 4 characters."""
        return {
            "login_id": self.login_id,
            "password": "****" + self.password[-4:],
            "client_id": self.client_id,
            "countries": list(self.countries),
            "transactions": list(self.transactions),
        }


def authenticate(
    logins: dict[str, XmlLogin], login_id: str, password: str, country_code: str
) -> XmlLogin | None:
    """The login, if the three agree (IM-XML answers 20007 for any of them wrong)."""
    login = logins.get(login_id.upper())
    if login is None or not secrets.compare_digest(
        login.password.encode(), password.encode("utf-8", "replace")
    ):
        return None
    return login if country_code in login.countries else None


def demo_login(config: SimulatorConfig) -> XmlLogin:
    """The configured login, of the demo app's account, in its countries."""
    codes = tuple(CODE_OF[c] for c in config.countries if c in CODE_OF)
    return XmlLogin(config.xml_login, config.xml_password, config.client_id, codes)
