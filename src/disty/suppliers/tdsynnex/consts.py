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

# NOTES Q10: the XML spec states no batch limit; REST caps at 100. disty asks 50 lines a call
# (as for Ingram), a few calls at once.
PNA_BATCH = 50
PNA_CONCURRENCY = 4

CAPABILITIES = Capability.PRICE_AVAILABILITY
CAPABILITIES = CAPABILITIES | Capability.INVOICES | Capability.FREIGHT  # invoices.py, freight.py
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
NEXT_STEP = (
    "TD SYNNEX ordering, order status and catalog search come with disty's next step: "
    "until then, place the order on EC Express"
)
