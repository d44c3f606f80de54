"""disty order submit|show|list|approve|release|cancel|refresh|modify"""

from __future__ import annotations

import getpass
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from disty.cli._common import console, err_console, run
from disty.domain.countries import SITES
from disty.domain.po_status import POStatus
from disty.errors import InvalidInput
from disty.formatting import money, po_status
from disty.suppliers import default_key

if TYPE_CHECKING:
    from disty.domain.orders import Address, LineChange
    from disty.runtime import Runtime
    from disty.services.ordering import Context, LineInput

# The supplier a command means when it names none (the API's default too).
DEFAULT_SUPPLIER = default_key()

app = typer.Typer(help="Purchase orders: submit, follow, approve, release, cancel.")

TenantOpt = Annotated[str, typer.Option(help="Tenant shortcut.")]
CountryOpt = Annotated[int | None, typer.Option(help="Country id: 1 = US, 29 = Canada.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the PO as JSON.")]


def _ctx(rt: Runtime) -> Context:
    from disty.services.ordering import Context

    return Context(rt.suppliers, actor=f"cli:{getpass.getuser()}")


def parse_line(value: str) -> LineInput:
    """``SKU=QTY`` or ``SKU=QTY@PRICE``."""
    from disty.services.ordering import LineInput

    sku, sep, rest = value.partition("=")
    quantity, _, price = rest.partition("@")
    try:
        if not sep or not sku.strip():
            raise ValueError
        return LineInput(
            sku=sku.strip(),
            quantity=int(quantity),
            expected_price=Decimal(price) if price else None,
        )
    except (ValueError, InvalidOperation):
        raise InvalidInput(
            f"invalid line {value!r}: use SKU=QTY or SKU=QTY@PRICE, e.g. 123512=2@5.43"
        ) from None


def _number_and_quantity(value: str, option: str, what: str) -> tuple[str, int]:
    key, sep, quantity = value.partition("=")
    try:
        if not sep or not key.strip():
            raise ValueError
        return key.strip(), int(quantity)
    except ValueError:
        raise InvalidInput(f"invalid {option} {value!r}: use {what}") from None


def _line_number(line: str, option: str, value: str) -> int:
    try:
        return int(line)
    except ValueError:
        raise InvalidInput(
            f"invalid {option} {value!r}: LINE is a line number as 'disty order show' lists it"
        ) from None


def parse_changes(add: list[str], set_: list[str], remove: list[str]) -> list[LineChange]:
    """``--add SKU=QTY``, ``--set LINE=QTY``, ``--remove LINE`` (LINE: disty's line number)."""
    # Here, not at the top: the order dataclasses cost start-up ~7 ms that disty order show,
    # which only reads a PO, need not pay (domain/po_status.py).
    from disty.domain.orders import LineChange

    changes = [LineChange.add(*_number_and_quantity(v, "--add", "SKU=QTY, e.g. 123512=2"))
               for v in add]  # fmt: skip
    for value in set_:
        line, quantity = _number_and_quantity(value, "--set", "LINE=QTY, e.g. 2=5")
        changes.append(LineChange.set_quantity(_line_number(line, "--set", value), quantity))
    changes += [LineChange.remove(_line_number(v, "--remove", v)) for v in remove]
    return changes


def _address_file(file: Path, field: str) -> Address:
    from disty.domain.orders import Address, validate_address

    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise InvalidInput(f"cannot read {file} as JSON", field=field) from None
    if not isinstance(data, dict):
        raise InvalidInput(
            f"{file} must hold a JSON object with company, street, city, state, postcode, "
            "country and optionally street2, contact, phone, email, address_id",
            field=field,
        )
    return validate_address(Address.from_dict(data, field), field)


def _ship_to(value: str | None, file: Path | None, stored_id: str | None) -> Address:
    from disty.domain.orders import Address, parse_ship_to, validate_address

    given = [x for x in (value, file, stored_id) if x is not None]
    if len(given) > 1:
        raise InvalidInput("give one of --ship-to, --ship-to-file and --ship-to-id")
    if file is not None:
        return _address_file(file, "ship_to")
    if stored_id is not None:
        return validate_address(Address.stored(stored_id.strip()), "ship_to")
    if value is None:
        raise InvalidInput('a PO needs --ship-to "Company|Street|City|State|Postcode|CountryCode"')
    return parse_ship_to(value)


def _end_user(value: str | None, file: Path | None) -> Address | None:
    from disty.domain.orders import parse_ship_to

    if value is not None and file is not None:
        raise InvalidInput("give one of --end-user and --end-user-file")
    if file is not None:
        return _address_file(file, "end_user")
    return parse_ship_to(value, "end_user") if value is not None else None


def _print(data: dict[str, Any], as_json: bool) -> None:
    from rich.table import Table
    from rich.text import Text

    if as_json:
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    numbers = ", ".join(data["supplier_order_numbers"]) or "none yet"
    console.print(
        f"PO {data['po_number']} · {data['supplier']} · {po_status(data['status'])} · "
        f"order(s) {numbers}",
        markup=False,
    )
    # A supplier with one order API has no version to show.
    extras = [
        f"{label} {data[key]}"
        for label, key in (("API", "api_version"), ("confirmation number", "confirmation_number"),
                           ("quote", "quote_number"))
        if data[key]
    ]  # fmt: skip
    if extras:
        console.print(" · ".join(extras), markup=False)
    last = (data.get("last_checked_at") or "")[:19]
    checked = f"{last} UTC" if last else "not yet"
    upcoming = (data.get("next_check_at") or "")[:19]
    console.print(f"checked with the supplier: {checked}", markup=False)
    console.print(
        f"next check: {upcoming} UTC" if upcoming else "next check: none (not followed now)",
        markup=False,
    )
    currency = SITES[data["country_id"]].currency if data["country_id"] in SITES else None
    lines = Table("line", "sku", "qty", "shipped", "backordered", "price", "note")
    for line in data["lines"]:
        lines.add_row(*(Text(str(v)) for v in (
            line["line_number"], line["sku"], line["quantity"], line["shipped_quantity"],
            line["backordered_quantity"], money(line["expected_price"], currency),
            "removed" if line["removed"]
            else line["rejected_reason"] or ", ".join(line["serial_numbers"]),
        )))  # fmt: skip
    console.print(lines)
    for shipment in data["shipments"]:
        console.print(
            f"shipped {shipment['quantity']} × {shipment['sku']} via {shipment['carrier']}: "
            f"{shipment['tracking_number']} {shipment['tracking_url'] or ''}",
            markup=False,
        )
    if data["invoices"]:
        console.print("invoices: " + ", ".join(data["invoices"]), markup=False)
    if data["timeline"]:
        console.print("timeline, newest first:", markup=False)
    for event in reversed(data["timeline"]):
        console.print(
            f"  {event['at'][:19]}  {po_status(event['status']):<17} {event['source']:<7} "
            f"{event['message']}",
            markup=False,
        )


# How `order submit` and `order approve` end, so scripts need not parse the PO: 0 once the PO
# is at the distributor; 1 for an error (nothing saved or done); otherwise the PO is saved but
# not placed, as the message on standard error says.
EXIT_APPROVAL = 3  # awaiting an admin's approval (a price rose or could not be confirmed)
EXIT_PENDING = 4  # not sent yet: waiting for a confirmed price, or being sent (the worker ends it)
EXIT_FAILED = 5  # refused by the distributor, nothing placed: correct it and submit it again


def _finish(data: dict[str, Any], as_json: bool, tenant: str) -> None:
    """Print the PO, then end with the exit status its state calls for."""
    _print(data, as_json)
    status, number = data["status"], data["po_number"]
    if status == "awaiting_approval":
        reason = data.get("approval_reason") or "its price needs approval"
        err_console.print(
            f"PO {number} is not sent: {reason}. An admin sends it with "
            f"'disty order approve {number} --tenant {tenant}', or cancels it",
            markup=False, soft_wrap=True,
        )  # fmt: skip
        raise typer.Exit(EXIT_APPROVAL)
    if status in ("draft", "submitting"):
        why = (
            "its price is not confirmed yet (the worker checks again)"
            if status == "draft"
            else "it is being sent; the worker finishes it without placing it twice"
        )
        err_console.print(
            f"PO {number} is not placed yet: {why}. Follow it with "
            f"'disty order show {number} --tenant {tenant}'",
            markup=False, soft_wrap=True,
        )  # fmt: skip
        raise typer.Exit(EXIT_PENDING)
    if status == "failed":
        err_console.print(
            f"PO {number} failed: {data.get('failure_reason') or 'refused by the distributor'}. "
            "Nothing was placed: correct it and submit the same PO number again",
            markup=False, soft_wrap=True,
        )  # fmt: skip
        raise typer.Exit(EXIT_FAILED)


@app.command("submit")
def submit(
    tenant: TenantOpt,
    country: Annotated[int, typer.Option(help="Country id: 1 = US, 29 = Canada.")],
    po: Annotated[str, typer.Option(help="PO number (customerOrderNumber), at most 18.")],
    line: Annotated[
        list[str] | None,
        typer.Option(
            metavar="SKU=QTY[@PRICE]",
            help="A line, at the price you expect (optional); repeat for more lines (none: a "
            "quote's lines).",
        ),
    ] = None,
    supplier: Annotated[str, typer.Option(help="Supplier.")] = DEFAULT_SUPPLIER,
    ship_to: Annotated[
        str | None,
        typer.Option(
            metavar="ADDRESS", help='Ship-to: "Company|Street|City|State|Postcode|CountryCode".'
        ),
    ] = None,
    ship_to_file: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="Ship-to as a JSON object (company, street, city, state, postcode, country; "
            "street2, contact, phone, email, address_id optional).",
        ),
    ] = None,
    ship_to_id: Annotated[
        str | None,
        typer.Option(help="An address stored at the distributor (Ingram's address id)."),
    ] = None,
    end_user: Annotated[
        str | None,
        typer.Option(
            metavar="ADDRESS", help='End user: "Company|Street|City|State|Postcode|CountryCode".'
        ),
    ] = None,
    end_user_file: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="End user as a JSON object (fields as --ship-to-file)."),
    ] = None,
    hold: Annotated[bool, typer.Option(help="Place on customer hold for review.")] = False,
    notes: Annotated[str | None, typer.Option(help="Notes for the supplier.")] = None,
    api: Annotated[
        str | None,
        typer.Option(
            help="Ingram's order API: v6 (answers the order number), or v7 "
            "(asynchronous: a confirmation number now, the order number later)."
        ),
    ] = None,
    quote: Annotated[
        str | None,
        typer.Option(
            help="Order this quote at its prices (implies v7; without --line, its lines)."
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Save and send a PO; the same PO again places nothing new and prints that PO, a failed
    one is sent again as given now. Exits 0 once placed; 3 awaiting approval, 4 not placed
    yet (price not confirmed, or being sent), 5 failed; 1 on an error."""
    from disty.services import ordering
    from disty.services.po_views import po_json

    async def work(rt: Runtime) -> dict[str, Any]:
        lines = [parse_line(v) for v in line or []]
        address = _ship_to(ship_to, ship_to_file, ship_to_id)
        user = _end_user(end_user, end_user_file)
        async with rt.sessions() as session:
            placed = await ordering.submit(
                session, _ctx(rt), shortcut=tenant, country_id=country, supplier=supplier,
                po_number=po, lines=lines, ship_to=address, hold=hold, notes=notes,
                api_version=api, quote_number=quote, end_user=user,
            )  # fmt: skip
            return po_json(placed)

    _finish(run(work), as_json, tenant)


def _on_po(
    action: str | None,
    tenant: str,
    po: str,
    country: int | None,
    supplier: str | None,
) -> dict[str, Any]:
    """Find the PO, apply ``action`` (the name of one of the ordering service's actions on a
    PO: approve, release, cancel, refresh) and answer the PO as JSON. Showing a PO (no action)
    imports no ordering use case: only the lookup."""
    from disty.services.po_lookup import find_po
    from disty.services.po_views import po_json

    async def work(rt: Runtime) -> dict[str, Any]:
        async with rt.sessions() as session:
            found = await find_po(
                session, shortcut=tenant, po_number=po, supplier=supplier, country_id=country
            )
            if action is not None:
                from disty.services import ordering

                actions: dict[str, ordering.Action] = {
                    "approve": ordering.approve,
                    "release": ordering.release,
                    "cancel": ordering.cancel,
                    "refresh": ordering.refresh,
                }
                found = await actions[action](session, found, _ctx(rt))
            return po_json(found)

    return run(work)


@app.command("show")
def show(
    po: str,
    tenant: TenantOpt,
    country: CountryOpt = None,
    supplier: Annotated[str | None, typer.Option(help="Supplier.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """A PO: status, lines, shipments with tracking, serial numbers, invoices, timeline."""
    _print(_on_po(None, tenant, po, country, supplier), as_json)


@app.command("list")
def list_(
    tenant: TenantOpt,
    country: CountryOpt = None,
    status: Annotated[
        POStatus | None,
        typer.Option(
            help="Only POs in this status: " + ", ".join(POStatus) + ".", case_sensitive=False
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
) -> None:
    """List a tenant's POs."""
    from rich.table import Table
    from rich.text import Text

    from disty.services.po_lookup import list_pos
    from disty.services.po_views import po_json

    async def work(rt: Runtime) -> list[dict[str, Any]]:
        async with rt.sessions() as session:
            pos = await list_pos(
                session, shortcut=tenant, country_id=country, status=status and status.value
            )
            return [po_json(p) for p in pos]

    found = run(work)
    if as_json:
        typer.echo(json.dumps(found, indent=2, ensure_ascii=False))
        return
    table = Table("PO", "supplier", "status", "order(s)", "lines", "updated")
    for item in found:
        table.add_row(*(Text(str(v)) for v in (
            item["po_number"], item["supplier"], item["status"],
            ", ".join(item["supplier_order_numbers"]), len(item["lines"]), item["updated_at"][:19],
        )))  # fmt: skip
    console.print(table)


def _action_command(name: str, help_text: str) -> None:
    """``disty order NAME``: the ordering service's action of that name on one PO."""

    def command(
        po: str,
        tenant: TenantOpt,
        country: CountryOpt = None,
        supplier: Annotated[str | None, typer.Option(help="Supplier.")] = None,
        as_json: JsonOpt = False,
    ) -> None:
        _print(_on_po(name, tenant, po, country, supplier), as_json)

    command.__doc__ = help_text
    app.command(name)(command)


@app.command("approve")
def approve(
    po: str,
    tenant: TenantOpt,
    country: CountryOpt = None,
    supplier: Annotated[str | None, typer.Option(help="Supplier.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Approve a PO stopped for its price and send it (exit statuses as 'order submit')."""
    _finish(_on_po("approve", tenant, po, country, supplier), as_json, tenant)


_action_command("release", "Release a PO held for review at the supplier.")
_action_command("cancel", "Cancel a PO (at the supplier only while on hold).")
_action_command("refresh", "Bring a PO up to date from the supplier now.")


@app.command("modify")
def modify(
    po: str,
    tenant: TenantOpt,
    country: CountryOpt = None,
    supplier: Annotated[str | None, typer.Option(help="Supplier.")] = None,
    add: Annotated[
        list[str] | None, typer.Option(metavar="SKU=QTY", help="Add a line; repeatable.")
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", metavar="LINE=QTY", help="Change a line's quantity; repeatable."),
    ] = None,
    remove: Annotated[
        list[str] | None, typer.Option(metavar="LINE", help="Remove a line; repeatable.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Change the lines of a PO held for review (LINE: the line number 'show' lists)."""
    from disty.services import ordering
    from disty.services.po_views import po_json

    async def work(rt: Runtime) -> tuple[dict[str, Any], list[dict[str, str]]]:
        changes = parse_changes(add or [], set_ or [], remove or [])
        async with rt.sessions() as session:
            found = await ordering.find_po(
                session, shortcut=tenant, po_number=po, supplier=supplier, country_id=country
            )
            done = await ordering.modify(session, found, _ctx(rt), changes)
            refused = [{"change": c.describe(), "reason": why} for c, why in done.refused]
            return po_json(done.po), refused

    data, refused = run(work)
    if as_json:
        typer.echo(json.dumps({**data, "refused_changes": refused}, indent=2, ensure_ascii=False))
        return
    _print(data, as_json=False)
    for item in refused:
        console.print(f"refused: {item['change']}: {item['reason']}", markup=False)
