"""disty pna: live price and availability for a list of parts."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from disty.cli._common import console, err_console, fail, run

if TYPE_CHECKING:
    from rich.table import Table

    from disty.domain.offers import Offer
    from disty.runtime import Runtime
    from disty.suppliers.base import ProgressCallback

PROGRESS_FROM = 100  # show a progress bar for lists at least this long


def offer_json(offer: Offer, now: datetime) -> dict[str, Any]:
    from disty.services.pricing import age_seconds, supplier_name

    return {
        "supplier": offer.supplier,
        "supplier_name": supplier_name(offer.supplier),
        "sku": offer.sku,
        "supplier_sku": offer.supplier_sku,
        "vendor_part_number": offer.vendor_part_number,
        "vendor_name": offer.vendor_name,
        "description": offer.description,
        # Decimal as a string: prices must not pick up binary floating-point noise.
        "price": None if offer.price is None else str(offer.price),
        "currency": offer.currency,
        "available": offer.available,
        "warehouses": [
            {
                "id": w.warehouse_id,
                "location": w.location,
                "available": w.available,
                "backordered": w.backordered,
                "on_order": w.on_order,
            }
            for w in offer.warehouses
        ],
        "status": offer.status.value,
        "message": offer.message,
        "error": offer.error,
        "fetched_at": offer.fetched_at.isoformat(),
        "age_s": age_seconds(offer, now),  # at the moment this was printed
    }


def read_skus(skus: list[str], file: Path | None) -> list[str]:
    found = list(skus)
    if file is not None:
        try:
            lines = file.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            fail(f"cannot read {file}: {exc.strerror}")
        found += [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    if not found:
        fail("no parts given: name them as arguments or with --file (one per line)", code=2)
    return found


def pna(
    tenant: Annotated[str, typer.Option(help="Tenant shortcut.")],
    country: Annotated[int, typer.Option(help="Country id: 1 = United States, 29 = Canada.")],
    skus: Annotated[
        list[str] | None,
        typer.Argument(help="Supplier or vendor part numbers.", show_default=False),
    ] = None,
    file: Annotated[Path | None, typer.Option(help="A file with one part number per line.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
) -> None:
    """Live price and availability from every connected supplier, in the input's order."""
    from rich.progress import Progress

    from disty.services.pricing import price_and_availability

    wanted = read_skus(skus or [], file)

    async def fetch(rt: Runtime, progress: ProgressCallback | None) -> list[Offer]:
        async with rt.sessions() as session:
            return await price_and_availability(
                session,
                shortcut=tenant,
                country_id=country,
                skus=wanted,
                suppliers=rt.suppliers,
                progress=progress,
            )

    async def work(rt: Runtime) -> list[Offer]:
        if len(wanted) < PROGRESS_FROM or as_json:
            return await fetch(rt, None)
        # On stderr, so that stdout holds only the table.
        with Progress(console=err_console, transient=True) as bar:
            task = bar.add_task("pricing", total=len(wanted))
            return await fetch(rt, lambda n: bar.advance(task, n))

    offers = run(work)
    now = datetime.now(UTC)
    if as_json:
        rows = [offer_json(o, now) for o in offers]
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    table = offers_table(offers, now)
    unbounded = console.options.update_width(10_000)
    if console.measure(table, options=unbounded).maximum <= console.width:
        console.print(table)
        return
    console.print(offers_table(offers, now, narrow=True))
    console.print(
        "(--json or a wider terminal: descriptions, mfr parts, stock by warehouse)",
        markup=False,
        style="dim",
    )


def offers_table(offers: list[Offer], now: datetime, *, narrow: bool = False) -> Table:
    """One row per supplier's offer, the offers for one part together (the service answers
    part by part, every supplier for a part in turn).

    ``narrow`` (a terminal too narrow for the whole table, as 80 columns): the part, the
    supplier's key (as --supplier takes it), its SKU, the price, the stock, the status and the
    age only, without borders. Either way a price is never cut or wrapped, a part number folds
    rather than losing characters, and a description keeps to one line, cut with an
    ellipsis."""
    from rich.table import Column, Table
    from rich.text import Text

    from disty.formatting import describe_age
    from disty.services.pricing import supplier_name

    def identifier(header: str) -> Column:
        return Column(header, overflow="fold")

    columns = [
        identifier("part"),
        Column("supplier"),
        identifier("sku" if narrow else "supplier sku"),
        *([] if narrow else [identifier("mfr part"), Column("description", max_width=30)]),
        Column("price", justify="right", no_wrap=True),
        Column("available", justify="right", no_wrap=True),
        *([] if narrow else [Column("by warehouse")]),
        Column("status", max_width=None if narrow else 30),  # an error's message wraps
        Column("age"),
    ]
    table = (
        Table(*columns, box=None, pad_edge=False, header_style="bold underline")
        if narrow
        else Table(*columns)
    )
    previous: str | None = None
    for offer in offers:
        if previous is not None and offer.sku.strip().upper() != previous:
            table.add_section()
        previous = offer.sku.strip().upper()
        wide = [
            Text(offer.vendor_part_number or ""),
            Text(offer.description or "", no_wrap=True, overflow="ellipsis"),
        ]
        table.add_row(
            Text(offer.sku),
            Text(offer.supplier if narrow else supplier_name(offer.supplier)),
            Text(offer.supplier_sku or ""),
            *([] if narrow else wide),
            Text(_money(offer.price, offer.currency)),
            Text("" if offer.available is None else str(offer.available)),
            *([] if narrow else [Text(_by_warehouse(offer))]),
            Text(offer.status.value if not offer.error else f"error: {offer.error}"),
            Text(describe_age(offer.fetched_at, now)),
        )
    return table


def _by_warehouse(offer: Offer) -> str:
    """The warehouses holding stock, one a line: 'Chicago (12): 40'. The JSON lists all."""
    return "\n".join(
        f"{w.location} ({w.warehouse_id}): {w.available}" if w.location
        else f"{w.warehouse_id}: {w.available}"
        for w in offer.warehouses
        if w.available > 0
    )  # fmt: skip


def _money(price: Decimal | None, currency: str | None) -> str:
    return "" if price is None else f"{price:.2f} {currency or ''}".strip()
