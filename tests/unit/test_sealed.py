"""Sealed form data: opens as sent, refuses a changed, forged, foreign-key or old value."""

from __future__ import annotations

import pytest

from disty.web.ui.sealed import Unsealed, seal, unseal

KEY = b"k" * 32
VALUE = {"lines": [{"part": "QQ0202", "price": "1988.30", "quantity": 2}]}


def test_a_sealed_value_opens_as_sent_within_its_time() -> None:
    token = seal(KEY, VALUE, now=1000)
    assert unseal(KEY, token, max_age_s=3600, now=1000 + 3600) == VALUE


def test_an_old_value_is_refused() -> None:
    token = seal(KEY, VALUE, now=1000)
    with pytest.raises(Unsealed, match="older than 60 minutes"):
        unseal(KEY, token, max_age_s=3600, now=1000 + 3601)


def test_a_value_from_the_future_is_refused() -> None:
    with pytest.raises(Unsealed):
        unseal(KEY, seal(KEY, VALUE, now=5000), max_age_s=3600, now=1000)


def test_a_changed_body_a_forged_mac_or_another_key_is_refused() -> None:
    token = seal(KEY, VALUE, now=1000)
    body, mac = token.split(".")
    lowered = seal(KEY, {"lines": [{"part": "QQ0202", "price": "1.00", "quantity": 2}]}, now=1000)
    forged = [
        lowered.split(".")[0] + "." + mac,  # another body under this body's MAC
        body + "." + mac[:-2] + "AA",
        body,
        "",
        "." + mac,
        seal(b"x" * 32, VALUE, now=1000),
    ]
    for bad in forged:
        with pytest.raises(Unsealed, match="changed or did not come from this console"):
            unseal(KEY, bad, max_age_s=3600, now=1000)
