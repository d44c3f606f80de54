"""The control API's fault switches on TD SYNNEX's side: latency, an error for one endpoint
(by path), maintenance, timeouts and drops, driven through EC Express P&A (NOTES 3) as the
evidence's documents are written. A failure is what NOTES 4.5 (TS-PO Appendix D) and Q2 make
most likely: HTTP 200 with ``ErrorMessage``/``ErrorDetail`` under the transaction's response
root, unless the rule asks for a transport failure (a status or a hang)."""

from __future__ import annotations

import time
from xml.etree.ElementTree import Element

import httpx
import pytest
from defusedxml.ElementTree import fromstring

from disty.simulator.hangups import ConnectionDropped
from tests.fixtures.simulator import RunningSimulator, SimulatorClient
from tests.simulator.helpers import SEARCH, authed
from tests.simulator.test_tdsynnex_pna import PNA, catalog, first, request

AVAILABILITY = "/tdsynnex/us/SynnexXML/Availability"
PNA_CA = "/tdsynnex/ca/SynnexXML/PriceAvailability"
ENDPOINT = "/SynnexXML/PriceAvailability"
# Only the envelope matters to a fault: its root names the answer's (NOTES 4.1, 4.8).
PO_DOCUMENT = (
    '<?xml version="1.0" encoding="UTF-8"?><SynnexB2B><Credential><UserID>u</UserID>'
    "<Password>p</Password></Credential><OrderRequest><CustomerNumber>1</CustomerNumber>"
    "</OrderRequest></SynnexB2B>"
)


async def fault(client: httpx.AsyncClient, **rule: object) -> dict[str, object]:
    r = await client.post("/_control/faults", json={"distributor": "tdsynnex", **rule})
    assert r.status_code == 201, r.text
    answer: dict[str, object] = r.json()
    return answer


def pna_body(client: SimulatorClient) -> str:
    p = first(catalog(client), lambda p: p.authorized and not p.discontinued)
    return request(p.sku, p.mfg_pn)


async def post(client: httpx.AsyncClient, body: str, path: str = PNA) -> httpx.Response:
    return await client.post(path, content=body, headers={"Content-Type": "text/plain"})


def xml_error(
    r: httpx.Response,
    root: str = "priceResponse",
    tags: tuple[str, str] = ("ErrorMessage", "ErrorDetail"),
) -> tuple[str, str]:
    """(ErrorMessage, ErrorDetail) of an HTTP 200 error document under ``root`` (the invoice
    query's ``tags`` are ErrorCode and ErrorReason)."""
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/xml")
    doc: Element = fromstring(r.content)
    first_tag, _, inner = root.partition("/")
    assert doc.tag == first_tag
    holder = doc.find(inner) if inner else doc
    assert holder is not None
    assert [c.tag for c in holder] == list(tags)
    return holder.findtext(tags[0]) or "", holder.findtext(tags[1]) or ""


def is_answer(r: httpx.Response) -> bool:
    doc = fromstring(r.content)
    return r.status_code == 200 and doc.find("PriceAvailabilityList") is not None


async def test_latency_delays_the_answer(simulator_client: SimulatorClient) -> None:
    body = pna_body(simulator_client)
    await fault(simulator_client, kind="latency", endpoint=ENDPOINT, latency_ms=150)
    started = time.monotonic()
    r = await post(simulator_client, body)
    assert time.monotonic() - started >= 0.15
    assert is_answer(r)
    started = time.monotonic()
    assert is_answer(await post(simulator_client, body, AVAILABILITY))  # another endpoint
    assert time.monotonic() - started < 0.15


async def test_error_for_one_endpoint_is_an_appendix_d_document(
    simulator_client: SimulatorClient,
) -> None:
    body = pna_body(simulator_client)
    rule = await fault(simulator_client, kind="error", endpoint=ENDPOINT, times=2)
    assert rule["distributor"] == "tdsynnex"
    assert rule["status"] == 200
    message, detail = xml_error(await post(simulator_client, body))
    assert message == "Server.DatabaseIssue"
    assert detail.startswith("We are experiencing technical issues at this time.")
    assert is_answer(await post(simulator_client, body, AVAILABILITY))  # not this endpoint
    # One rule covers both countries' hosts; times=2 is then spent.
    assert xml_error(await post(simulator_client, body, PNA_CA))[0] == "Server.DatabaseIssue"
    assert is_answer(await post(simulator_client, body))


@pytest.mark.parametrize(
    ("message", "detail"),
    [
        ("ServerError", "SYNNEX XML Server is not Available"),
        ("Server.APIFault", "Internal API Fault"),
        ("Server.Timeout", "timed out"),
    ],
)
async def test_error_names_the_appendix_d_code_asked_for(
    simulator_client: SimulatorClient, message: str, detail: str
) -> None:
    await fault(simulator_client, kind="error", message=message)
    got = xml_error(await post(simulator_client, pna_body(simulator_client)))
    assert got[0] == message
    assert detail in got[1]


async def test_error_answers_under_the_requests_own_root(
    simulator_client: SimulatorClient,
) -> None:
    """Endpoints are matched by path, so a rule reaches one with no route here yet; a B2B
    request gets its error inside ``SynnexB2B/...Response`` as the PO spec shows (4.8)."""
    await fault(simulator_client, kind="error", endpoint="/SynnexXML/PO")
    r = await post(simulator_client, PO_DOCUMENT, "/tdsynnex/us/SynnexXML/PO")
    assert xml_error(r, "SynnexB2B/OrderResponse")[0] == "Server.DatabaseIssue"
    # Sent as the xmldata form field, read the same way.
    r = await simulator_client.post("/tdsynnex/us/SynnexXML/PO", data={"xmldata": PO_DOCUMENT})
    assert xml_error(r, "SynnexB2B/OrderResponse")[0] == "Server.DatabaseIssue"
    # Not XML at all: the endpoint's usual root (NOTES 2.2), else the bare envelope.
    r = await post(simulator_client, "not xml", "/tdsynnex/us/SynnexXML/PO")
    assert xml_error(r, "SynnexB2B/OrderResponse")[0] == "Server.DatabaseIssue"
    # The invoice query's root, in its own error form (NOTES 7.1).
    await fault(simulator_client, kind="error", endpoint="/webservice/invoice/query")
    r = await post(simulator_client, "not xml", "/tdsynnex/us/webservice/invoice/query")
    invoice = xml_error(r, "SynnexB2B/InvoiceResponse", ("ErrorCode", "ErrorReason"))
    assert invoice[0] == "Server.DatabaseIssue"
    await fault(simulator_client, kind="error", endpoint="/webservice/nothing")
    r = await post(simulator_client, "not xml", "/tdsynnex/us/webservice/nothing")
    assert xml_error(r, "SynnexB2B")[0] == "Server.DatabaseIssue"


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
async def test_error_with_a_status_fails_at_the_transport(
    simulator_client: SimulatorClient, status: int
) -> None:
    await fault(simulator_client, kind="error", endpoint=ENDPOINT, status=status, times=1)
    r = await post(simulator_client, pna_body(simulator_client))
    assert r.status_code == status
    assert not r.headers["content-type"].startswith("application/xml")
    assert ("Retry-After" in r.headers) == (status in (429, 503))
    assert is_answer(await post(simulator_client, pna_body(simulator_client)))


async def test_maintenance_answers_server_error_on_td_synnex_only(
    simulator_client: SimulatorClient,
) -> None:
    body = pna_body(simulator_client)
    r = await simulator_client.put(
        "/_control/maintenance", json={"on": True, "distributor": "tdsynnex"}
    )
    assert r.json() == {"maintenance": True}
    for path in (PNA, AVAILABILITY, PNA_CA):
        message, detail = xml_error(await post(simulator_client, body, path))
        assert (message, detail) == ("ServerError", "SYNNEX XML Server is not Available")
    overview = (await simulator_client.get("/_control")).json()
    assert overview["maintenance"] is False  # Ingram's switch is its own
    assert overview["tdsynnex"]["maintenance"] is True
    h = await authed(simulator_client)
    assert (await simulator_client.get(SEARCH, headers=h)).status_code == 200
    await simulator_client.put(
        "/_control/maintenance", json={"on": False, "distributor": "tdsynnex"}
    )
    assert is_answer(await post(simulator_client, body))


async def test_timeout_then_server_timeout_document(simulator_client: SimulatorClient) -> None:
    await fault(simulator_client, kind="timeout", endpoint=ENDPOINT, timeout_s=0.05, times=1)
    r = await post(simulator_client, pna_body(simulator_client))
    assert xml_error(r)[0] == "Server.Timeout"
    await fault(simulator_client, kind="timeout", timeout_s=0.05, status=504, times=1)
    assert (await post(simulator_client, pna_body(simulator_client))).status_code == 504


async def test_timeout_outlasts_the_client(simulator: RunningSimulator) -> None:
    """Over real HTTP: the request hangs until the client gives up."""
    async with httpx.AsyncClient(base_url=simulator.root_url, timeout=0.3) as c:
        await fault(c, kind="timeout", endpoint=ENDPOINT, timeout_s=30)
        with pytest.raises(httpx.ReadTimeout):
            await post(c, "<priceRequest/>")


async def test_drop_closes_the_connection(simulator: RunningSimulator) -> None:
    async with httpx.AsyncClient(base_url=simulator.root_url, timeout=10) as c:
        await fault(c, kind="drop", endpoint=ENDPOINT, times=1)
        with pytest.raises(httpx.RemoteProtocolError):
            await post(c, "<priceRequest/>")
        counts = (await c.get("/_control/counts", params={"distributor": "tdsynnex"})).json()
        assert counts == {ENDPOINT: 1}


async def test_drop_in_process(simulator_client: SimulatorClient) -> None:
    await fault(simulator_client, kind="drop")
    with pytest.raises(ConnectionDropped):
        await post(simulator_client, pna_body(simulator_client))


async def test_rules_stay_on_their_distributor(simulator_client: SimulatorClient) -> None:
    body = pna_body(simulator_client)
    h = await authed(simulator_client)
    # An Ingram rule (no distributor named, as Ingram's existing calls send it) misses TD SYNNEX.
    r = await simulator_client.post("/_control/faults", json={"kind": "error"})
    assert r.json()["distributor"] == "ingram"
    assert r.json()["status"] == 500
    assert is_answer(await post(simulator_client, body))
    await simulator_client.delete("/_control/faults")
    await fault(simulator_client, kind="error")
    assert (await simulator_client.get(SEARCH, headers=h)).status_code == 200
    assert xml_error(await post(simulator_client, body))[0] == "Server.DatabaseIssue"


async def test_reset_and_counts_cover_td_synnex(simulator_client: SimulatorClient) -> None:
    body = pna_body(simulator_client)
    await fault(simulator_client, kind="error", endpoint=ENDPOINT)
    await simulator_client.put(
        "/_control/maintenance", json={"on": True, "distributor": "tdsynnex"}
    )
    await post(simulator_client, body)
    await post(simulator_client, body, PNA_CA)
    await post(simulator_client, body, AVAILABILITY)
    counts = (await simulator_client.get("/_control/counts?distributor=tdsynnex")).json()
    assert counts == {ENDPOINT: 2, "/SynnexXML/Availability": 1}
    assert (await simulator_client.post("/_control/reset")).status_code == 200
    assert (await simulator_client.get("/_control/faults")).json() == []
    assert (await simulator_client.get("/_control/counts?distributor=tdsynnex")).json() == {}
    assert (await simulator_client.get("/_control")).json()["tdsynnex"]["maintenance"] is False
    assert is_answer(await post(simulator_client, body))


@pytest.mark.parametrize(
    "rule",
    [
        {"kind": "error", "status": 200},  # Ingram has no HTTP 200 error
        {"kind": "error", "message": "ServerError"},  # nor Appendix D codes
        {"kind": "error", "distributor": "tdsynnex", "message": "Server.Nope"},
        {"kind": "error", "distributor": "other"},
    ],
)
async def test_control_refuses_rules_a_distributor_cannot_carry(
    simulator_client: SimulatorClient, rule: dict[str, object]
) -> None:
    r = await simulator_client.post("/_control/faults", json=rule)
    assert r.status_code == 422
    assert (await simulator_client.get("/_control/faults")).json() == []
