"""A pasted list of parts, one per line, as a buyer copies it from a quote, an e-mail or a
spreadsheet: ``SKU QTY``, ``SKU,QTY``, ``SKU;QTY``, ``SKU<tab>QTY``, ``SKU=QTY`` (as the
sourcing command's ``--line`` takes it), ``SKU x QTY`` or ``SKU`` alone (quantity 1). Blank
lines are ignored, and so is a spreadsheet's header row (``Part number<tab>Qty`` as the first
line); a part named twice is one line with the quantities added, so the PO never carries the
same part twice. Every bad line is refused at once, each with its number and (the start of) its
text, so the buyer can fix them all in one go."""

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


# A part number as disty accepts it, said as the messages say it.
PART_RULE = (
    "a part number is 1 to 50 letters, digits and . _ / # + - (starting with a letter or a digit)"
)
SHOWN_TEXT = 40  # characters of a bad line repeated in the message (a pasted essay is cut)
SHOWN_LINES = 10  # bad lines described one by one; the rest are named by number
# Words a spreadsheet's header row is made of: such a first line is not a part.
_HEADER_WORDS = frozenset(
    {"sku", "skus", "part", "parts", "part number", "part numbers", "part no", "part #",
     "partnumber", "item", "item number", "product", "mpn", "vpn", "vendor part number",
     "manufacturer part number", "qty", "quantity", "quantities", "count", "units", "amount"}
)  # fmt: skip
_CELLS = re.compile(r"\s*[,;\t=]\s*")


def _shown(text: str) -> str:
    return repr(text if len(text) <= SHOWN_TEXT else text[: SHOWN_TEXT - 1] + "…")


def _is_header(text: str) -> bool:
    """Whether a first line is a header row: header words (a cell, or a word of one) and no
    number. A part literally called "SKU" or "Item" cannot be the list's first line."""
    cells = [c.strip().strip(".:#").strip().lower() for c in _CELLS.split(text) if c.strip()]
    words = {w.strip(".:#") for c in cells for w in c.split()}
    return bool(_HEADER_WORDS & (set(cells) | words)) and not any(w.isdigit() for w in words)


def _quantity(text: str, number: int, line: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= MAX_QUANTITY:
        raise InvalidInput(
            f"line {number} ({_shown(line)}): the quantity {_shown(text)} is not a whole number "
            f"from 1 to {MAX_QUANTITY}",
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
            f"line {number} ({_shown(text)}) is not a part number and a quantity",
            field="parts",
        )
    given = match.group("q1") or match.group("q2") or match.group("q3")
    quantity = 1 if given is None else _quantity(given, number, text)
    return match.group("part").upper(), quantity


def _refused(bad: list[tuple[int, str]]) -> InvalidInput:
    """One refusal naming every bad line: the first SHOWN_LINES said, the rest by number."""
    said = "; ".join(why for _, why in bad[:SHOWN_LINES])
    rest = [str(number) for number, _ in bad[SHOWN_LINES:]]
    if rest:
        said += f"; and lines {', '.join(rest)}"
    count = f"{len(bad)} lines are" if len(bad) > 1 else "1 line is"
    return InvalidInput(
        f"{count} not right: {said}. Write each line as a part number, then its quantity "
        f"('QQ0202 3', 'QQ0202,3', 'QQ0202 x 3', or 'QQ0202' alone for one); {PART_RULE}",
        field="parts",
    )


def parse_part_list(text: str, *, max_lines: int = MAX_LINES) -> list[PartLine]:
    """The parts of a pasted list in the order first named; InvalidInput naming every bad line,
    for an empty list, or one of more than ``max_lines`` parts (sourcing takes longer lists
    than the single supplier's price list)."""
    merged: dict[str, PartLine] = {}
    bad: list[tuple[int, str]] = []
    first = True
    for number, line in enumerate(text.splitlines(), start=1):
        if first and line.strip():
            first = False
            if _is_header(line):
                continue  # a spreadsheet's header row
        try:
            parsed = parse_line(line, number)
        except InvalidInput as exc:
            bad.append((number, str(exc)))
            continue
        if parsed is None:
            continue
        part, quantity = parsed
        seen = merged.get(part)
        if seen is None:
            merged[part] = PartLine(part, quantity, number)
            continue
        total = seen.quantity + quantity
        if total > MAX_QUANTITY:
            bad.append(
                (number, f"line {number}: {part} adds up to {total}, more than {MAX_QUANTITY}")
            )
            continue
        merged[part] = PartLine(part, total, seen.line_number)
    if bad:
        raise _refused(bad)
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
