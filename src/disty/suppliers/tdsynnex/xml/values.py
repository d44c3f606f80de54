"""Reading TD SYNNEX's numbers leniently: amounts may carry thousands separators ("1,234.56",
NOTES 7.1), quantities may be written as decimals; anything unreadable is None, never an
exception, so one odd field costs its value and not the whole answer."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation


def to_int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(Decimal(value))
    except (InvalidOperation, ValueError):
        return None


def to_decimal(value: str | None) -> Decimal | None:
    if value is None:
        return None
    try:
        price = Decimal(value.replace(",", ""))
    except InvalidOperation:
        return None
    return price if price.is_finite() else None
