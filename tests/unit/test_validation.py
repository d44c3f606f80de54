"""Validation rules of the domain: shortcuts, customer numbers, countries, URLs, masking."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from disty.domain.connections import ApiType, mask, validate_email
from disty.domain.countries import country_site
from disty.domain.tenants import validate_shortcut
from disty.errors import InvalidInput
from disty.services.connections import webhook_url
from disty.suppliers import registry
from disty.suppliers.endpoints import check_base_url
from disty.suppliers.ingram.settings import validate_customer_number

SHORTCUT_CHARS = string.ascii_lowercase + string.digits + "-"
INNER = string.ascii_lowercase + string.digits

valid_shortcuts = st.builds(
    lambda first, middle, last: first + middle + last,
    st.sampled_from(INNER),
    st.text(SHORTCUT_CHARS, max_size=30),
    st.sampled_from(INNER),
)


@given(valid_shortcuts)
def test_every_well_formed_shortcut_is_accepted(shortcut: str) -> None:
    assert validate_shortcut(shortcut) == shortcut


@given(st.text(max_size=40))
def test_shortcut_rule_matches_its_definition(value: str) -> None:
    expected = (
        2 <= len(value) <= 32
        and all(ch in SHORTCUT_CHARS for ch in value)
        and value[0] != "-"
        and value[-1] != "-"
    )
    if expected:
        assert validate_shortcut(value) == value
    else:
        with pytest.raises(InvalidInput) as error:
            validate_shortcut(value)
        assert "2 to 32 lowercase letters, digits and hyphens" in str(error.value)


@pytest.mark.parametrize("value", ["a", "x" * 33, "-ab", "ab-", "a_b", "a b", "smbi\n", ""])
def test_bad_shortcuts_are_refused(value: str) -> None:
    with pytest.raises(InvalidInput):
        validate_shortcut(value)


def test_uppercase_shortcut_suggests_the_lowercase_form() -> None:
    with pytest.raises(InvalidInput, match="did you mean 'smbi'"):
        validate_shortcut("SMBI")


CUSTOMER_CHARS = string.ascii_letters + string.digits + "-"


@given(st.text(CUSTOMER_CHARS, min_size=1, max_size=10))
def test_customer_numbers_of_up_to_ten_allowed_characters_are_accepted(value: str) -> None:
    assert validate_customer_number(value) == value


@given(st.text(max_size=14))
def test_customer_number_rule_matches_its_definition(value: str) -> None:
    stripped = value.strip()
    ok = 1 <= len(stripped) <= 10 and all(ch in CUSTOMER_CHARS for ch in stripped)
    if ok:
        assert validate_customer_number(value) == stripped
    else:
        with pytest.raises(InvalidInput, match="at most 10 letters, digits and hyphens"):
            validate_customer_number(value)


def test_usual_ingram_customer_number_is_accepted_and_spaces_trimmed() -> None:
    assert validate_customer_number(" 20-222222 ") == "20-222222"


@pytest.mark.parametrize("value", ["20-2222222222", "20 222222", "20_222222", "", "20-22222é"])
def test_bad_customer_numbers_are_refused(value: str) -> None:
    with pytest.raises(InvalidInput):
        validate_customer_number(value)


def test_country_sites() -> None:
    assert (country_site(1).iso, country_site(1).currency) == ("US", "USD")
    assert (country_site(29).iso, country_site(29).currency) == ("CA", "CAD")
    with pytest.raises(InvalidInput, match=r"unknown country id 2: use 1 \(United States\)"):
        country_site(2)


@pytest.mark.parametrize(
    ("secret", "shown"),
    [(None, None), ("abcdefgh1234", "••••1234"), ("12345678", "••••5678"), ("short", "••••")],
)
def test_mask_shows_only_the_last_four(secret: str | None, shown: str | None) -> None:
    assert mask(secret) == shown


@given(st.text(min_size=8, max_size=64))
def test_mask_never_reveals_more_than_four_characters(secret: str) -> None:
    shown = mask(secret)
    assert shown is not None
    assert shown.startswith("••••")
    assert len(shown) == 8
    assert shown[4:] == secret[-4:]


def test_api_types() -> None:
    ingram = registry.get("ingram")
    assert ingram.parse_api_type("REST") is ApiType.REST
    assert ingram.api_type_label(ApiType.REST) == "APIS (Recommended)"
    with pytest.raises(InvalidInput, match="use rest"):
        ingram.parse_api_type("soap")
    assert ingram.factory(ApiType.REST) is not None
    assert ingram.factory(ApiType.XML) is not None  # IM-XML (suppliers/ingram/xml)
    assert next(n for n, _ in ingram.checks_for(ApiType.XML)) == "xml_login"


def test_base_url_and_email_rules() -> None:
    def check(url: str) -> str:
        return check_base_url(url, supplier="ingram", allow_custom=True)

    assert check("http://127.0.0.1:9000/ingram/") == "http://127.0.0.1:9000/ingram"
    for bad in ("ftp://x", "api.ingrammicro.com", "https://x?y=1"):
        with pytest.raises(InvalidInput):
            check(bad)
    assert validate_email(" buyer@example.com ") == "buyer@example.com"
    with pytest.raises(InvalidInput):
        validate_email("buyer@")


def test_webhook_url() -> None:
    assert (
        webhook_url("https://disty.example.com/", "ingram", "smbi", 29)
        == "https://disty.example.com/supplierapi/distributorWebhook/smbi/29"
    )
