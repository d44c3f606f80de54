"""disty source: a list of parts priced at every connected supplier, each line's best source
with its reason; with --order, one PO per supplier under one requisition."""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from disty.cli._common import console, err_console, fail, run
from disty.domain.orders import parse_ship_to
from disty.domain.partlist import parse_part_list
from disty.domain.sourcing import SourcingRequest, WantedLine
from disty.errors import InvalidInput

if TYPE_CHECKING:
    from rich.table import Table

    from disty.runtime import Runtime


def parse_lines(values: list[str], file: Path | None) -> tuple[WantedLine, ...]:
    """``--line PART=QTY`` in order, then the file's lines (a pasted list: 'PART QTY', ...)."""
    from disty.services import sourcing

    lines: list[WantedLine] = []
    for value in values:
        part, sep, quantity = value.partition("=")
        if not sep or not part.strip() or not quantity.strip().isdigit():
            raise InvalidInput(f"invalid --line {value!r}: use PART=QTY, e.g. C9200L-24P-4G-E=3")
        lines.append(WantedLine(len(lines) + 1, part.strip(), int(quantity)))
    if file is not None:
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as exc:
            raise InvalidInput(f"cannot read {file}: {exc.strerror}") from None
        for parsed in parse_part_list(text, max_lines=sourcing.MAX_LINES):
            lines.append(WantedLine(len(lines) + 1, parsed.part, parsed.quantity))
    if not lines:
        raise InvalidInput("no parts given: use --line PART=QTY or --file F")
    return tuple(lines)


def source(
    tenant: Annotated[str, typer.Option(help="Tenant shortcut.")],
    country: Annotated[int, typer.Option(help="Country id: 1 = United States, 29 = Canada.")],
    line: Annotated[
        list[str] | None,
        typer.Option(metavar="PART=QTY", help="An MPN or a supplier's SKU, and how many (repeat)."),
    ] = None,
    file: Annotated[Path | None, typer.Option(help="A list: 'PART QTY' per line.")] = None,
    split: Annotated[
        bool, typer.Option(help="Split a line no one can fill whole across suppliers.")
    ] = False,
    prefer: Annotated[
        str,
        typer.Option(
            help="Suppliers' keys, most preferred first, for equal prices (default: the "
            "tenant's, set with 'disty tenant set --prefer')."
        ),
    ] = "",
    near: Annotated[
        str | None,
        typer.Option(help="Prefer stock in a warehouse in this state, e.g. CA or US-CA."),
    ] = None,
    near_ship_to: Annotated[
        bool, typer.Option(help="Prefer stock in a warehouse in the ship-to's state.")
    ] = False,
    freight: Annotated[
        bool, typer.Option(help="Add each supplier's freight estimate (needs --ship-to).")
    ] = False,
    order: Annotated[bool, typer.Option(help="Place the choices: one PO per supplier.")] = False,
    po_prefix: Annotated[
        str | None, typer.Option(help="The requisition's number; POs are PREFIX-1, PREFIX-2.")
    ] = None,
    ship_to: Annotated[
        str | None, typer.Option(help='"Company|Street|City|State|Postcode|CC" (with --order).')
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The best source of each line across every connected supplier, and why."""
    from disty.services import sourcing
    from disty.services.ordering import Context
    from disty.services.sourcing_views import confirmed, result_json

    if order and (not po_prefix or not ship_to):
        fail("--order needs --po-prefix and --ship-to", code=2)
    if (freight or near_ship_to) and not ship_to:
        fail("--freight and --near-ship-to need --ship-to", code=2)
    if near and near_ship_to:
        fail("give --near or --near-ship-to, not both", code=2)
    preferred = tuple(k.strip() for k in prefer.split(",") if k.strip())
    prefix, address = po_prefix or "", ship_to or ""

    async def work(rt: Runtime) -> dict[str, Any]:
        place_to = parse_ship_to(address) if address else None
        where = place_to.state if near_ship_to and place_to else near
        request = SourcingRequest(
            parse_lines(line or [], file), split, preferred, near=where, freight=freight
        )
        async with rt.sessions() as session:
            result = await sourcing.source(
                session, shortcut=tenant, country_id=country, request=request,
                suppliers=rt.suppliers, ship_to=place_to,
            )  # fmt: skip
        data = result_json(result)
        if not order:
            return data
        choices = confirmed(result)
        async with rt.sessions() as session:
            placed = await sourcing.place(
                session, Context(rt.suppliers, actor=f"cli:{getpass.getuser()}"),
                shortcut=tenant, country_id=country, choices=choices, po_prefix=prefix,
                ship_to=place_to or parse_ship_to(address),
            )  # fmt: skip
        return data | {"requisition": placed.to_json()}

    data = run(work)
    if as_json:
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        console.print(lines_table(data["lines"]))
        if data.get("requisition"):
            print_requisition(data["requisition"])
    if data.get("requisition", {}).get("errors"):
        raise typer.Exit(1)


def lines_table(lines: list[dict[str, Any]]) -> Table:
    from rich.table import Table
    from rich.text import Text

    table = Table("line", "part", "qty", "offers", "choice", "reason")
    for line in lines:
        offers = "\n".join(
            f"{o['supplier_name']}: "
            + (f"{o['price']} × {o['available']}" if o["price"] else o["status"])
            + f" ({o['source']}, {o['age_s']} s)"
            for o in line["offers"]
        )
        choice = "\n".join(
            f"{a['quantity']} at {a['supplier_name']} ({a['supplier_sku']}) {a['unit_price']}"
            + (" back-ordered" if a["backorder"] else "")
            for a in line["choice"]
        )
        table.add_row(*(Text(str(v)) for v in (
            line["line_number"], line["part"], line["quantity"], offers,
            choice or f"none ({line['flag']})", line["reason"],
        )))  # fmt: skip
    return table


def print_requisition(data: dict[str, Any]) -> None:
    console.print(f"requisition {data['number']}", markup=False)
    for po in data["pos"]:
        numbers = ", ".join(po["supplier_order_numbers"]) or "none yet"
        console.print(
            f"  PO {po['po_number']} · {po['supplier']} · {po['status']} · order(s) {numbers}",
            markup=False,
        )
    for supplier, error in data["errors"].items():
        err_console.print(f"  {supplier}: not placed: {error}", markup=False, soft_wrap=True)
