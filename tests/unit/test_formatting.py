"""Money, times and names as the console and the CLI show them (disty/formatting.py)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from disty.formatting import (
    check_status,
    day,
    describe_age,
    event_status,
    humanize,
    money,
    po_status,
    when,
)
from disty.suppliers import registry


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (Decimal("3976.6"), "USD", "$3,976.60"),
        (Decimal("0.0"), "USD", "$0.00"),
        (Decimal("1250"), "CAD", "CA$1,250.00"),
        (Decimal("0.4375"), "usd", "$0.4375"),  # a unit price's four decimals are kept
        (Decimal("-12.5"), "EUR", "-€12.50"),
        (Decimal("1234567.891"), None, "1,234,567.891"),
        ("1988.30", "USD", "$1,988.30"),  # the API's exact decimal strings
        (7, "USD", "$7.00"),
        (None, "USD", ""),
        ("n/a", "USD", "n/a"),  # a supplier's odd field is shown as it came
    ],
)
def test_money(amount: Decimal | str | int | None, currency: str | None, shown: str) -> None:
    assert money(amount, currency) == shown


def test_money_never_goes_through_a_float() -> None:
    # 0.1 + 0.2 as floats is 0.30000000000000004; as Decimals it stays exact, to the last digit.
    assert money(Decimal("0.1") + Decimal("0.2")) == "0.30"
    assert money(Decimal("12345678901234.5678"), "USD") == "$12,345,678,901,234.5678"


def _amounts() -> list[Decimal]:
    """Amounts of every size, sign and number of decimals, and the edges of rounding to four
    decimals (half to even, as Babel rounds), from a fixed seed."""
    rng = random.Random(29)  # noqa: S311 (test data, not a secret)
    found = [
        Decimal(text)
        for text in (
            "0", "-0", "0.00", "-0.00001", "0.00005", "0.00015", "0.00025", "-0.00015",
            "999.99995", "999.99994", "1E+3", "1.5E-7", "12345678901234.5678", "1.000000",
            "100", "-1000000", "0.1", "0.01", "0.001", "0.0001", "5.43", "3976.6",
            "0.00014999999999999999999999999999",  # 29 digits: rounded to 28 first
        )
    ]  # fmt: skip
    for _ in range(3000):
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 18)))
        exponent = rng.randint(-10, 6)
        found.append(Decimal(f"{rng.choice('-+')}{digits}E{exponent}"))
    return found


@pytest.mark.parametrize("currency", [None, "", "USD", "usd", "CAD", "Cad", "EUR", "GBP", "JPY"])
def test_money_is_what_babel_writes(currency: str | None) -> None:
    # The sites' currencies and amounts without one are written without Babel (formatting.py's
    # _SITE_SYMBOLS): they must read exactly as Babel writes them, the others go through it.
    from babel.numbers import format_currency, format_decimal

    for amount in _amounts():
        if currency:
            babel = format_currency(
                amount, currency.upper(), format="¤#,##0.00##", locale="en_US",
                currency_digits=False,
            )  # fmt: skip
        else:
            babel = format_decimal(amount, format="#,##0.00##", locale="en_US")
        assert money(amount, currency) == babel, amount
        assert money(str(amount), currency) == babel, amount


def test_moments_are_one_format_in_utc() -> None:
    moment = datetime(2026, 12, 9, 14, 5, 3, tzinfo=UTC)
    assert when(moment) == "Dec 9, 2026, 2:05 PM UTC"
    assert when("2026-12-09T14:05:03+00:00") == "Dec 9, 2026, 2:05 PM UTC"
    assert when("2026-12-09T14:05:03") == "Dec 9, 2026, 2:05 PM UTC"  # naive is UTC
    toronto = timezone(timedelta(hours=-5))
    assert when(datetime(2026, 12, 9, 9, 5, tzinfo=toronto)) == "Dec 9, 2026, 2:05 PM UTC"
    assert when(None) == ""
    assert when("soon") == "soon"


def test_days() -> None:
    assert day("2026-12-09") == "Dec 9, 2026"
    assert day("2026-12-09T23:00:00") == "Dec 9, 2026"
    assert day(date(2027, 1, 31)) == "Jan 31, 2027"
    assert day(datetime(2026, 12, 9, 23, 30, tzinfo=UTC)) == "Dec 9, 2026"
    assert day("12/09/2026") == "12/09/2026"  # a supplier's own way is left as it wrote it
    assert day(None) == ""


def test_internal_names_become_words() -> None:
    assert po_status("on_hold") == "On hold"
    assert po_status("awaiting_approval") == "Awaiting approval"
    assert po_status("backordered") == "Back-ordered"
    assert po_status("something_new") == "Something new"
    assert check_status("pass") == "Passed"
    assert event_status("dead") == "Failed, needs replay"
    assert humanize("im::order_invoiced") == "Order invoiced"


def test_suppliers_title_every_check_and_label_their_events() -> None:
    for registration in registry.registrations():
        for name, _ in registration.checks:
            assert name in registration.check_titles, (registration.key, name)
            assert "_" not in registration.check_title(name)
    ingram = registry.get("ingram")
    assert ingram.check_title("price_availability") == "Price and availability"
    assert ingram.check_title("webhook_seen") == "Webhook deliveries arriving"
    assert ingram.event_label("im::order_invoiced") == "Order invoiced"
    assert ingram.event_label("im::something_else") == "Something else"


AGE_NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("ago", "words"),
    [
        (timedelta(0), "just now"),
        (timedelta(seconds=59), "just now"),
        (timedelta(minutes=3, seconds=30), "3 min ago"),
        (timedelta(hours=2, minutes=59), "2 h ago"),
        (timedelta(days=1, hours=5), "1 day ago"),
        (timedelta(days=40), "40 days ago"),
        (timedelta(seconds=-5), "just now"),  # a clock a little ahead says nothing odd
    ],
)
def test_an_age_in_words(ago: timedelta, words: str) -> None:
    assert describe_age(AGE_NOW - ago, AGE_NOW) == words
