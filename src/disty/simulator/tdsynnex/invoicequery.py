"""The invoice query: ``POST /webservice/invoice/query`` (NOTES 7.1).

TD SYNNEX serves it on its web-service hosts (``ws.us.tdsynnex.com``, ``ws.ca.tdsynnex.com``);
here under the same country prefixes as EC Express: ``/tdsynnex/us/webservice/invoice/query``.
A ``SynnexB2B`` (``version`` 2.2 or 1.0, echoed) with ``Credential`` and an ``InvoiceRequest``
naming the account and one key: ``PONumber`` (every invoice of the PO), ``InvoiceNumber`` (that
invoice) or ``OrderNumber`` (the invoice of a sales order, as the SDK asks). The answer lists
one ``Invoice`` per invoice; errors are ``InvoiceResponse/ErrorCode`` and ``ErrorReason``, the
form the SDK reads (their values are unknown, Q8: EC Express's codes are reused).
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

from starlette.responses import Response

from disty.simulator.tdsynnex import b2b, invoices
from disty.simulator.tdsynnex.errors import INVOICE_TAGS, b2b_error
from disty.simulator.tdsynnex.invoices import TdInvoice
from disty.simulator.tdsynnex.state import TdState
from disty.simulator.tdsynnex.xmlio import Arrived, Handler, add, answer, endpoint, text

PATH = "/webservice/invoice/query"
RESPONSE = "InvoiceResponse"
INCOMPLETE = "Client.IncompleteXML"
NOT_FOUND = "Client.InvoiceNotFound"
KEYS = ("PONumber", "InvoiceNumber", "OrderNumber")


def handler(state: TdState, country: str) -> Handler:
    return endpoint(
        lambda got: respond(state, country, got),
        lambda exc: _error(None, INCOMPLETE, f"(1)SynnexB2B: {exc}"),
    )


def _error(version: str | None, code: str, reason: str) -> Response:
    return b2b_error(RESPONSE, code, reason, version, tags=INVOICE_TAGS)


def respond(state: TdState, country: str, got: Arrived) -> Response:
    root = got.root
    version = root.get("version")
    request = root.find("InvoiceRequest") if root.tag == "SynnexB2B" else None
    if request is None:
        return _error(version, INCOMPLETE, "(1)SynnexB2B/InvoiceRequest: Element required")
    if not b2b.signed_in(state, root, request):
        return b2b.login_failed(RESPONSE, tags=INVOICE_TAGS)
    key = next(((k, text(request, k)) for k in KEYS if text(request, k)), None)
    if key is None:
        return _error(
            version,
            INCOMPLETE,
            "(1)InvoiceRequest/PONumber|InvoiceNumber|OrderNumber: String value required",
        )
    found = _find(state, country, text(request, "CustomerNumber"), *key)
    if not found:
        name, value = key
        return _error(version, NOT_FOUND, f"No invoice found for {name} {value}.")
    out = Element("SynnexB2B", {"version": version} if version else {})
    response = add(out, RESPONSE)
    add(response, "CustomerPONumber", found[0].order.po_number)
    for invoice in found:
        invoices.element(response, invoice, joined_tracking=True)
    return answer(out)


def _find(state: TdState, country: str, customer: str, key: str, value: str) -> list[TdInvoice]:
    """The account's invoices in this country for the key; an order not yet invoiced has none."""
    if key == "PONumber":
        order = state.orders.by_po(country, customer, value)
        return invoices.of_order(state, order) if order is not None else []
    if key == "InvoiceNumber":
        one = invoices.by_number(state, value)
        found = [one] if one is not None else []
    else:
        order = state.orders.by_number(value)
        every = invoices.of_order(state, order) if order is not None else []
        found = [i for i in every if i.order_number == value]
    return [i for i in found if (i.order.country, i.order.customer) == (country, customer)]
