"""A pasted list of parts, one per line, as a buyer copies it from a quote, an e-mail or a
spreadsheet: ``SKU QTY``, ``SKU,QTY``, ``SKU;QTY``, ``SKU<tab>QTY``, ``SKU=QTY`` (as the
sourcing command's ``--line`` takes it), ``SKU x QTY`` or ``SKU`` alone (quantity 1). Blank
lines are ignored; a part named twice is one line with the quantities added, so the PO never
carries the same part twice. A bad line is refused with its number and text, so the buyer can
find it in what they pasted."""

from __future__ import annotations

import re
from dataclasses import dataclass

from disty.errors import InvalidInput

MAX_LINES = 200  # pricing fans out in batches of 50; more than this is not a pasted list
MAX_QUANTITY = 99_999
# Distributors' own part numbers are short; vendor part numbers carry dashes, slashes, dots, #
# and +.
_PART = r"[A-Za-z0-9][A-Za-z0-9._/#+-]{0,49}"
_LINE = re.compile(
    rf"(?P<part>{_PART})"
    r"(?:\s*[,;\t=]\s*(?P<q1>\S+)"  # SKU,QTY  SKU;QTY  SKU<tab>QTY  SKU=QTY
    r"|\s+[xX×]\s+(?P<q2>\S+)"  # SKU x QTY
    r"|\s+(?P<q3>\S+))?"  # SKU QTY
)


@dataclass(frozen=True, slots=True)
class PartLine:
    part: str  # upper case: part numbers are case-insensitive at the supplier
    quantity: int
    line_number: int  # where it first appears in the pasted text (1-based)


def _quantity(text: str, number: int, line: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= MAX_QUANTITY:
        raise InvalidInput(
            f"line {number} ({line!r}): the quantity {text!r} is not a whole number from 1 to "
            f"{MAX_QUANTITY}; write the part number, then the quantity, e.g. 'QQ0202 3'",
            field="parts",
        )
    return int(text)


def parse_line(line: str, number: int) -> tuple[str, int] | None:
    """(part, quantity) of one line; None for a blank line; InvalidInput naming the line."""
    text = line.strip()
    if not text:
        return None
    match = _LINE.fullmatch(text)
    if match is None:
        raise InvalidInput(
            f"line {number} ({text!r}) is not a part number and a quantity: use one of "
            "'SKU 3', 'SKU,3', 'SKU x 3' or 'SKU' alone for one",
            field="parts",
        )
    given = match.group("q1") or match.group("q2") or match.group("q3")
    quantity = 1 if given is None else _quantity(given, number, text)
    return match.group("part").upper(), quantity


def parse_part_list(text: str, *, max_lines: int = MAX_LINES) -> list[PartLine]:
    """The parts of a pasted list in the order first named; InvalidInput for a bad line or an
    empty list, or one of more than ``max_lines`` parts (sourcing takes longer lists than
    the single supplier's price list)."""
    merged: dict[str, PartLine] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        parsed = parse_line(line, number)
        if parsed is None:
            continue
        part, quantity = parsed
        seen = merged.get(part)
        if seen is None:
            merged[part] = PartLine(part, quantity, number)
            continue
        total = seen.quantity + quantity
        if total > MAX_QUANTITY:
            raise InvalidInput(
                f"line {number}: {part} adds up to {total}, more than {MAX_QUANTITY}",
                field="parts",
            )
        merged[part] = PartLine(part, total, seen.line_number)
    if not merged:
        raise InvalidInput(
            "the list is empty: paste one part number per line, with its quantity",
            field="parts",
        )
    if len(merged) > max_lines:
        raise InvalidInput(
            f"the list names {len(merged)} parts: price at most {max_lines} at a time",
            field="parts",
        )
    return list(merged.values())
