"""Which order API a PO goes through comes from its supplier's registration, not from disty."""

from __future__ import annotations

from dataclasses import replace

import pytest

from disty.errors import InvalidInput
from disty.services.ordering._submit import _order_api
from disty.suppliers import registry

_ANY = registry.registrations()[0]
# A supplier with two order APIs, the second ordering quotes.
TWO = replace(_ANY, key="two", name="Two", order_apis=("v6", "v7"), quote_order_api="v7")
# A supplier with one order API declares none, and orders quotes through it.
SINGLE = replace(_ANY, key="single", name="Single", order_apis=(), quote_order_api=None)


def test_the_registration_gives_the_default_and_the_quote_api() -> None:
    assert _order_api(TWO, None, None) == "v6"
    assert _order_api(TWO, None, "Q-1") == "v7"
    assert _order_api(TWO, " V7 ", None) == "v7"
    with pytest.raises(InvalidInput, match=r"^unknown API version 'v8': use v6 or v7$") as bad:
        _order_api(TWO, "v8", None)
    assert bad.value.field == "api"
    with pytest.raises(InvalidInput, match="ordered through Two's v7 API: leave out"):
        _order_api(TWO, "v6", "Q-1")


def test_a_supplier_with_one_order_api_takes_none() -> None:
    assert _order_api(SINGLE, None, None) == ""
    assert _order_api(SINGLE, None, "Q-1") == ""
    with pytest.raises(InvalidInput, match="Single has one order API: leave out --api"):
        _order_api(SINGLE, "v6", None)
