"""Facts about TD SYNNEX's EC Express XML interface (../shared/tdsynnex/NOTES.md)."""

from __future__ import annotations

from disty.suppliers.base import Capability

KEY = "tdsynnex"
NAME = "TD SYNNEX"

# NOTES 2.1: HTTPS only; production and test hosts per country. A connection's environment is
# its endpoint; its country picks the host of that environment (ENDPOINTS_BY_COUNTRY).
PRODUCTION_US = "https://ec.us.tdsynnex.com"
PRODUCTION_CA = "https://ec.ca.tdsynnex.com"
TEST_US = "https://testec.us.tdsynnex.com"
TEST_CA = "https://testec.ca.tdsynnex.com"
ENDPOINTS = (PRODUCTION_US, PRODUCTION_CA, TEST_US, TEST_CA)
# (production, test) per country ISO code.
ENDPOINTS_BY_COUNTRY = {"US": (PRODUCTION_US, TEST_US), "CA": (PRODUCTION_CA, TEST_CA)}
CURRENCY = {"US": "USD", "CA": "CAD"}

# NOTES 2.2
PNA_PATH = "/SynnexXML/PriceAvailability"
PO_PATH = "/SynnexXML/PO"
STATUS_PATH = "/SynnexXML/POStatus"
FREIGHT_PATH = "/SynnexXML/FreightQuote"
# NOTES 7.1: the invoice query lives on the ws hosts, beside the ec hosts of the same country.
INVOICE_PATH = "/webservice/invoice/query"
# The ws host of each declared ec host (production and test, per country); any other base URL
# (the simulator, an operator's proxy) serves the invoice query itself.
INVOICE_HOSTS = {
    PRODUCTION_US: "https://ws.us.tdsynnex.com",
    PRODUCTION_CA: "https://ws.ca.tdsynnex.com",
    TEST_US: "https://testws.us.tdsynnex.com",
    TEST_CA: "https://testws.ca.tdsynnex.com",
}
# NOTES 8.1: the Partner REST API's token host (one for both countries; none known for CA).
REST_TOKEN_URL = "https://sso.us.tdsynnex.com/oauth2/v1/token"  # noqa: S105 - a URL
REST_TOKEN_PATH = "/oauth2/v1/token"  # noqa: S105 - on the API host, as one client posts it
STATUS_VERSION = "2.4"  # NOTES 2.6: 2.4 or later adds the fee elements

# NOTES Q10: the XML spec states no batch limit; REST caps at 100. disty asks 50 lines a call
# (as for Ingram). No limit on calls at once is published (NOTES 2.5 gives only per-call
# timings): 10 at once send a 500-line list in one wave, so sourcing it costs about 3 round
# trips (SKU, MPN retry, second round), while one disty still never floods the host.
PNA_BATCH = 50
PNA_CONCURRENCY = 10

CAPABILITIES = (
    Capability.PRICE_AVAILABILITY
    | Capability.ORDER_CREATE
    | Capability.ORDER_DETAIL
    | Capability.ORDER_SEARCH
    | Capability.INVOICES  # xml/invoices.py
    | Capability.FREIGHT  # xml/freight.py
)
# Run Test's checks that talk to TD SYNNEX, in order, with whether each is required
# (xml/checks.py says why each is or is not). rest_token runs only when the optional REST
# client is saved: otherwise it is SKIP, "not set".
CHECKS: tuple[tuple[str, bool], ...] = (
    ("credentials", True),
    ("ordering_ip", True),
    ("price_availability", True),
    ("order_status", True),
    ("invoices", False),
    ("freight", False),
    ("rest_token", False),
)
# Their titles, as Run Test's table shows them.
CHECK_TITLES = {
    "credentials": "Credentials (XML login)",
    "ordering_ip": "Ordering IP address registered",
    "price_availability": "Price and availability",
    "order_status": "Order status",
    "invoices": "Invoices",
    "freight": "Freight estimate",
    "rest_token": "REST API token",
}

# A read-only P&A line that proves the login without touching anything: an unknown SKU is
# answered "Not found", which still shows the customer number, user and password were accepted.
PROBE_SKU = "10000000"
# Run Test's order-status and invoice probes ask for a PO number disty never gives (its PO
# numbers have no "~"), so the answer is always "not found" and proves the call works.
PROBE_PO_NUMBER = "DISTY~RUNTEST~PROBE"

PORTAL_REGISTER_IP = (
    "e-mail TD SYNNEX's XML team (US: the TD SYNNEX US helpdesk; Canada: the TD SYNNEX Canada "
    "helpdesk) with your TD SYNNEX customer number and the public IP address this server sends "
    "from, asking them to register it for XML POs"
)

PORTAL = "TD SYNNEX's EC Express (ec.synnex.com)"
# NOTES 1, 4.4: EC Express XML prices, orders and reports status; it has no catalog search
# (the catalog is a nightly flat file) and no transaction to change or cancel a PO (TD SYNNEX's
# sales cancel, which POStatus then shows as deleted).
NO_CATALOG_SEARCH = (
    "TD SYNNEX's EC Express XML has no catalog search: look products up by SKU or "
    "manufacturer part number with price and availability"
)
NO_ORDER_CHANGES = (
    "TD SYNNEX's EC Express XML cannot change or cancel a PO once sent: ask your TD SYNNEX "
    "sales rep, and disty will see the change at its next status check"
)

# -- purchase orders (NOTES 4, 5) ------------------------------------------------------------

# ShipMethod/Code is required (4.1). Without a ship_method setting disty asks for ground
# shipping: FedEx Ground in the US, Purolator Ground in Canada (4.6; both quoted by freight).
DEFAULT_SHIP_METHOD = {"US": "FG", "CA": "PUG"}
# The descriptions disty sends beside a code it knows (4.6); another code goes alone.
SHIP_METHODS = {
    "FG": "FedEx Ground", "FHD": "FedEx Home Delivery", "FX": "FedEx Express Saver",
    "F2": "FedEx 2 Day", "FO": "FedEx Standard Overnight", "FP": "FedEx Priority Overnight",
    "UP": "UPS Ground", "U3": "UPS 3 Day Select", "UB": "UPS 2 Day Air",
    "URS": "UPS Next Day Air Saver", "UR": "UPS Next Day Air", "WC": "SYNNEX Will Call",
    "PUG": "Purolator Ground", "PUX": "Purolator Express Ground", "UPG": "UPS Standard",
    "UPX": "UPS Express Saver", "LMG": "Loomis Ground", "FDXH": "FedEx Express",
}  # fmt: skip
# Shipment/ShipTo's limits (4.1), stricter than disty's own: refused before a PO is saved.
# AddressLine2 is given no length; it is taken to be AddressLine1's.
ADDRESS_LIMITS = {"company": 30, "street": 60, "street2": 60, "city": 20, "state": 2,
                  "postcode": 10}  # fmt: skip
# Ship-to countries whose ZipCode and State TD SYNNEX requires (4.1, the real IncompleteXML).
ZIP_COUNTRIES = ("US", "CA", "MX")
# NOTES 2.4 and 4.5: POs are accepted only from the IP addresses the customer registered.
IP_FIX = (
    "TD SYNNEX accepts XML purchase orders only from IP addresses registered for your account: "
    "e-mail TD SYNNEX's XML team (through the US or Canada helpdesk, or your TD SYNNEX rep) "
    "with your customer number and the fixed public IP address this disty server sends from, "
    "wait for them to confirm it, then submit the PO again (its number is checked at TD "
    "SYNNEX first, so nothing is ordered twice)"
)
