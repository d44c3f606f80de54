"""Invoice files (NOTES 7.2): each invoice also written as an XML file, ``SynnexB2B/Invoice``
with the same ``Invoice`` the query answers, kept in ``TdState.invoice_files`` for the control
API to list and serve (it stands in for the customer's FTP folder).

Names are unknown (Q8); the simulator follows the ship notices' ``*_<COMPANY>_856.xml``
(9.2) with EDI's invoice number 810: ``<InvoiceNumber>_<CustomerNumber>_810.xml``. Nothing is
scheduled (orders catch up when read), so a file is written when the folder is next looked at,
dated with its invoice; once written it never changes.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

from disty.simulator.tdsynnex import invoices
from disty.simulator.tdsynnex.invoicefile import InvoiceFile
from disty.simulator.tdsynnex.state import TdState
from disty.simulator.tdsynnex.xmlio import serialise


def file_name(invoice: invoices.TdInvoice) -> str:
    return f"{invoice.number}_{invoice.order.customer}_810.xml"


def publish(state: TdState) -> list[InvoiceFile]:
    """Write the files of invoices made since the last look; every file, oldest first."""
    for invoice in invoices.every(state):
        name = file_name(invoice)
        if name not in state.invoice_files:
            root = Element("SynnexB2B")
            invoices.element(root, invoice, joined_tracking=False)
            state.invoice_files[name] = InvoiceFile(name, serialise(root), invoice.invoiced_at)
    return sorted(state.invoice_files.values(), key=lambda f: (f.written_at, f.name))
