"""Purchase-order rules: status moves, PO numbers, price drift, ship-to parsing."""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from disty.domain.orders import (
    Address,
    drifted,
    parse_ship_to,
    validate_address,
    validate_po_number,
)
from disty.domain.po_status import FINAL, POStatus, can_move, require_move
from disty.errors import InvalidInput


def test_the_usual_life_is_allowed() -> None:
    life = ["draft", "submitting", "on_hold", "submitted", "partly_shipped", "backordered",
            "shipped", "invoiced"]  # fmt: skip
    for current, new in pairwise(POStatus(s) for s in life):
        require_move(current, new)


@pytest.mark.parametrize("final", sorted(FINAL))
def test_final_states_never_move(final: POStatus) -> None:
    # Except a failed PO (nothing placed), which is corrected and submitted again as a draft.
    again = {POStatus.DRAFT} if final is POStatus.FAILED else set()
    assert {other for other in POStatus if can_move(final, other)} == again


def test_refusals_name_both_states() -> None:
    with pytest.raises(InvalidInput, match="a PO that is draft cannot become shipped"):
        require_move(POStatus.DRAFT, POStatus.SHIPPED)
    assert not can_move(POStatus.ON_HOLD, POStatus.FAILED)  # it exists at the supplier
    # A v7 order is submitted with a confirmation number before it exists; it may still fail.
    assert can_move(POStatus.SUBMITTED, POStatus.FAILED)
    assert not can_move(POStatus.AWAITING_APPROVAL, POStatus.SUBMITTED)  # goes via the outbox


@given(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,17}", fullmatch=True))
def test_po_numbers_up_to_eighteen(value: str) -> None:
    assert validate_po_number(value) == value


@pytest.mark.parametrize("value", ["", "-PO1", "P" * 19, "PO 1", "PO#1", "PO/1", "PO%2F1"])
def test_bad_po_numbers(value: str) -> None:
    with pytest.raises(InvalidInput, match="invalid PO number"):
        validate_po_number(value)


def test_price_drift_tolerance() -> None:
    two_percent = Decimal("0.02")
    assert not drifted(Decimal("100"), Decimal("102.00"), two_percent)
    assert drifted(Decimal("100"), Decimal("102.01"), two_percent)
    assert not drifted(Decimal("100"), Decimal("50"), two_percent)


def test_ship_to_with_escaped_bars() -> None:
    assert parse_ship_to(r"Acme \| Sons|1 Main St|Springfield|IL|62701|us") == Address(
        "Acme | Sons", "1 Main St", "Springfield", "IL", "62701", "US"
    )
    for bad in ["Acme|1 Main St|Springfield", "Acme|1 Main St|Springfield|IL|62701|USA", "|||||US"]:
        with pytest.raises(InvalidInput, match="ship-to"):
            parse_ship_to(bad)


def test_addresses_are_checked_against_ingrams_limits_and_need_enough_to_ship() -> None:
    full = Address("Acme", "1 Main", "Springfield", "IL", "62701", "US", contact="Pat")
    assert validate_address(full) is full
    assert full.to_dict()["contact"] == "Pat"
    assert "phone" not in full.to_dict()
    assert Address.from_dict(full.to_dict()) == full
    assert validate_address(Address.stored("200")).address_id == "200"
    with pytest.raises(InvalidInput, match="city is longer than 25"):
        validate_address(Address("Acme", "1 Main", "S" * 26, "IL", "62701", "US"))
    with pytest.raises(InvalidInput, match="needs street, city"):
        validate_address(Address("Acme", "", "", "IL", "62701", "US"))
    with pytest.raises(InvalidInput, match="not an e-mail address"):
        validate_address(full.__class__("Acme", "1 Main", "X", "IL", "1", "US", email="pat"))
    with pytest.raises(InvalidInput, match="unknown ship_to field"):
        Address.from_dict({"company": "Acme", "zip": "1"})
    with pytest.raises(InvalidInput, match="invalid end-user"):
        parse_ship_to("Acme|1 Main", "end_user")
