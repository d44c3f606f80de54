"""Settings of one simulator instance (the ``disty simulator`` options)."""

from __future__ import annotations

from dataclasses import dataclass

APP_STATES = ("approved", "in_review", "v7_only", "revoked")

# The simulator's own demo app: fine to print, it opens nothing but the simulator.
DEMO_CLIENT_ID = "disty-demo-client"
DEMO_CLIENT_SECRET = "disty-demo-secret"  # noqa: S105 - a public demo credential of the simulator
DEMO_CUSTOMER_NUMBER = "20-222222"
# The same account's IM-XML login (6-10 characters each, XML-NOTES 3.1).
DEMO_XML_LOGIN = "DISTYXML"
DEMO_XML_PASSWORD = "demoxml1"  # noqa: S105 - a public demo credential of the simulator

# TD SYNNEX's EC Express demo account: the account number and the web login (an e-mail) with
# its password, sent inside every XML document.
DEMO_TDSYNNEX_CUSTOMER = "1150897"
DEMO_TDSYNNEX_USER = "buyer@disty.example"
DEMO_TDSYNNEX_PASSWORD = "disty-demo-xml"  # noqa: S105 - a public demo credential
# The company name in TD SYNNEX FTP file names (NOTES 9.2: *_<COMPANY>_856.xml).
DEMO_TDSYNNEX_COMPANY = "DISTYDEMO"
# TD SYNNEX's Partner REST API (OAuth2 client credentials): a client of its own, as the real
# one is created apart from the EC Express login (NOTES 8.1).
DEMO_TDSYNNEX_REST_CLIENT_ID = "disty-tdsynnex-rest-client"
DEMO_TDSYNNEX_REST_CLIENT_SECRET = "disty-demo-rest"  # noqa: S105 - a public demo credential
# The sending addresses registered for XML POs (NOTES 2.4): loopback, and "testclient", the
# address Starlette's test client reports. "*" allows every address.
DEMO_TDSYNNEX_ALLOWED_IPS = ("127.0.0.1", "::1", "testclient")

# 7 decimal digits encode the index inside generated vendor part numbers.
MAX_PRODUCTS = 10_000_000


@dataclass(frozen=True)
class SimulatorConfig:
    client_id: str = DEMO_CLIENT_ID
    client_secret: str = DEMO_CLIENT_SECRET
    customer_number: str = DEMO_CUSTOMER_NUMBER
    countries: tuple[str, ...] = ("US", "CA")
    xml_login: str = DEMO_XML_LOGIN
    xml_password: str = DEMO_XML_PASSWORD
    app_state: str = "approved"
    token_ttl_s: int = 86_400
    latency_ms: int = 0
    pna_per_minute: int = 100
    get_per_minute: int = 60
    products: int = 5_000
    seed: int = 1
    # Part 2: each step of an order's life after this many simulated seconds.
    ship_after_s: float = 60.0
    # One webhook for the demo app, subscribed to every event (the CLI's --webhook-url).
    webhook_url: str | None = None
    webhook_secret: str | None = None
    # None: wall time; a number freezes the simulated clock there (tests, benchmarks).
    frozen_clock_at: float | None = None
    tdsynnex_customer: str = DEMO_TDSYNNEX_CUSTOMER
    tdsynnex_user: str = DEMO_TDSYNNEX_USER
    tdsynnex_password: str = DEMO_TDSYNNEX_PASSWORD
    tdsynnex_company: str = DEMO_TDSYNNEX_COMPANY
    tdsynnex_rest_client_id: str = DEMO_TDSYNNEX_REST_CLIENT_ID
    tdsynnex_rest_client_secret: str = DEMO_TDSYNNEX_REST_CLIENT_SECRET
    # The REST GetPriceAvailability entitlement (disputed, NOTES 8.4): on unless switched off.
    tdsynnex_rest_pna: bool = True
    # REST calls per client per simulated minute (NOTES 8.5: the real threshold is unpublished).
    tdsynnex_rest_per_minute: int = 60
    tdsynnex_allowed_ips: tuple[str, ...] = DEMO_TDSYNNEX_ALLOWED_IPS

    def __post_init__(self) -> None:
        if self.app_state not in APP_STATES:
            raise ValueError(f"app state must be one of {', '.join(APP_STATES)}")
        if not 1 <= self.products <= MAX_PRODUCTS:
            raise ValueError(f"products must be between 1 and {MAX_PRODUCTS:,}")
        if self.ship_after_s <= 0:
            raise ValueError("ship-after-s must be positive")
        if self.token_ttl_s <= 0 or self.pna_per_minute <= 0 or self.latency_ms < 0:
            raise ValueError("token lifetime and P&A limit must be positive, latency not negative")
        if self.tdsynnex_rest_per_minute <= 0:
            raise ValueError("the TD SYNNEX REST limit must be positive")
