"""Money, times and names as people read them, in the console and in the CLI's human output: one
format for each, made by Babel (CLDR's rules) rather than by hand.

The locale is ``en_US`` for everyone: disty's words are English, its sites are the United
States and Canada (English Canada writes amounts and dates as the US does, with ``CA$`` telling
its dollars apart), and one locale keeps what the console, the CLI and a screenshot say the
same. Amounts stay ``Decimal`` from the database to the text: never a float. Babel is
imported on first use, not with this module: the CLI's start-up stays quick; and an amount
without a currency or in the sites' own (US and Canadian dollars) is written without it
(see _SITE_SYMBOLS), as Babel writes it (tests/unit/test_formatting.py compares the two).

- money: ``$3,976.60`` (USD), ``CA$1,250.00`` (CAD), ``€12.50``; without a currency
  ``3,976.60``. Two decimals at least, more when the amount has them (a unit price of
  ``0.4375`` is not rounded away).
- a moment: ``Dec 9, 2026, 2:05 PM UTC`` (always UTC: the tenant's people may sit in any
  zone, and the distributors' own portals write UTC).
- a day: ``Dec 9, 2026`` (a supplier's ship date or invoice date, which has no time).
- a name: ``on_hold`` -> ``On hold`` where no label was declared.
- an age: ``just now``, ``3 min ago``, ``2 h ago``, ``4 days ago`` (how old a price is).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from disty.domain.po_status import STATUS_LABELS, POStatus

LOCALE = "en_US"
_MONEY_PATTERN = "#,##0.00##"  # two decimals at least, up to four (unit prices carry them)
_MOMENT = "MMM d, y, h:mm a"


def _decimal(value: Decimal | int | str) -> Decimal | None:
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        return None


# The en_US symbols (CLDR's, as Babel gives them) of the sites' currencies: the amounts
# disty shows are nearly all in these, and writing them without Babel spares a command such as
# ``disty order show`` loading Babel and four CLDR locale files (15 ms). Any other currency,
# and what is not a finite number, goes through Babel.
_SITE_SYMBOLS = {"USD": "$", "CAD": "CA$"}


def _en_us_amount(amount: Decimal) -> str:
    """A non-negative amount in _MONEY_PATTERN, en_US (``,`` between thousands, ``.`` before
    the decimals), step by step as Babel's NumberPattern.apply does it: normalised, rounded
    to four decimals in the current decimal context, two decimals at least."""
    rounded = amount.normalize().quantize(Decimal("0.0001"))
    whole, _, decimals = f"{rounded:f}".partition(".")
    decimals = decimals.rstrip("0").ljust(2, "0")
    return f"{int(whole):,}.{decimals}"


def money(value: Decimal | int | str | None, currency: str | None = None) -> str:
    """An amount with its currency (``$3,976.60``), or without one (``3,976.60``); "" for
    None. A text that is not a number is shown as it is (a supplier's odd field)."""
    if value is None or value == "":
        return ""
    amount = _decimal(value)
    if amount is None:
        return str(value)
    symbol = _SITE_SYMBOLS.get(currency.upper()) if currency else ""
    if symbol is not None and amount.is_finite():
        return ("-" if amount.is_signed() else "") + symbol + _en_us_amount(abs(amount))
    from babel.numbers import format_currency, format_decimal

    if not currency:
        return format_decimal(amount, format=_MONEY_PATTERN, locale=LOCALE)
    pattern = "¤" + _MONEY_PATTERN
    return format_currency(
        amount, currency.upper(), format=pattern, locale=LOCALE, currency_digits=False
    )


def _moment(value: datetime | str) -> datetime | None:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def when(value: datetime | str | None) -> str:
    """A moment, in UTC: ``Dec 9, 2026, 2:05 PM UTC``; "" for None. ISO text (the API's)
    is read; other text is shown as it is."""
    if value is None or value == "":
        return ""
    moment = _moment(value)
    if moment is None:
        return str(value)
    from babel.dates import format_datetime

    return format_datetime(moment, _MOMENT, tzinfo=UTC, locale=LOCALE) + " UTC"


def day(value: date | datetime | str | None) -> str:
    """A calendar day: ``Dec 9, 2026``; "" for None. A day a supplier wrote its own way
    (not ISO) is shown as it wrote it."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        text = value.strip()
        try:
            value = date.fromisoformat(text[:10])
        except ValueError:
            return text
    elif isinstance(value, datetime):
        value = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).date()
    from babel.dates import format_date

    return format_date(value, "medium", locale=LOCALE)


def describe_age(then: datetime, now: datetime | None = None) -> str:
    """How old a price or a stock level is: 'just now', '3 min ago', '2 h ago', '4 days ago'."""
    seconds = ((now or datetime.now(UTC)) - then).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    days = int(seconds // 86400)
    return "1 day ago" if days == 1 else f"{days} days ago"


def humanize(name: str) -> str:
    """An internal name as words, for what has no declared label: ``on_hold`` -> ``On hold``,
    ``im::order_invoiced`` -> ``Order invoiced``."""
    words = name.rsplit("::", 1)[-1].replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:] if words else name


# Statuses as the console says them; the API and the database keep the values.
_CHECK_STATUSES = {"pass": "Passed", "fail": "Failed", "warn": "Warning", "skip": "Skipped"}
_EVENT_STATUSES = {
    "received": "Received", "processed": "Processed", "failed": "Failed, retrying",
    "dead": "Failed, needs replay",
}  # fmt: skip


def po_status(value: str) -> str:
    """A PO's status: ``on_hold`` -> ``On hold`` (domain/po_status.py's STATUS_LABELS)."""
    try:
        return STATUS_LABELS[POStatus(value)]
    except ValueError:
        return humanize(value)


def check_status(value: str) -> str:
    """A Run Test check's result: ``pass`` -> ``Passed``."""
    return _CHECK_STATUSES.get(value, humanize(value))


def event_status(value: str) -> str:
    """A webhook event's state in the inbox: ``dead`` -> ``Failed, needs replay``."""
    return _EVENT_STATUSES.get(value, humanize(value))
