"""Which state a ship-to or a warehouse is in, for sourcing's "a warehouse near the ship-to".

"Near" is kept simple on purpose: the same state or province. Distances between cities would
need a gazetteer disty does not have, and a reseller shipping to California asks "is it in a
California warehouse?", which a state answers.

- A buyer's ``near`` is read leniently: "CA", "ca", "US-CA", "US/CA", "CA, US", "Fremont, CA",
  "CA 94539", "California". A lone two-letter code is a state or province (so "CA" is
  California, never Canada); with a country in front ("US-CA", "CA-ON") the second one is the
  state. A postcode alone names no state (disty keeps no postcode table): it is refused.
- A warehouse's location is read as suppliers write it, "City, ST" (or "City, ST 12345"); one
  whose location names no known state is never near.
"""

from __future__ import annotations

import re

from disty.errors import InvalidInput

# The two-letter codes of US states (with DC and Puerto Rico) and Canadian provinces.
STATES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan",
    "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana",
    "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey",
    "NM": "New Mexico", "NY": "New York", "NC": "North Carolina", "ND": "North Dakota",
    "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania", "PR": "Puerto Rico",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee",
    "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
    "AB": "Alberta", "BC": "British Columbia", "MB": "Manitoba", "NB": "New Brunswick",
    "NL": "Newfoundland and Labrador", "NS": "Nova Scotia", "NT": "Northwest Territories",
    "NU": "Nunavut", "ON": "Ontario", "PE": "Prince Edward Island", "QC": "Quebec",
    "SK": "Saskatchewan", "YT": "Yukon",
}  # fmt: skip
_BY_NAME = {name.replace(" ", "").lower(): code for code, name in STATES.items()}
_COUNTRIES = {"US", "USA", "CA", "CAN"}
_WORDS = re.compile(r"[A-Za-z]+")


def parse_near(text: str) -> str:
    """The state or province code a buyer's ``near`` names, or InvalidInput saying how to
    write it."""
    cleaned = text.strip()
    if not cleaned or len(cleaned) > 80:
        raise InvalidInput("near: give a state or province, e.g. CA or US-CA", field="near")
    name = re.sub(r"[\s.]+", "", cleaned).lower()
    if name in _BY_NAME:
        return _BY_NAME[name]
    words: list[str] = [w.upper() for w in _WORDS.findall(cleaned)]
    codes = [w for w in words if len(w) == 2 and w in STATES]
    if len(words) == 2 and words[0] in _COUNTRIES and words[1] in STATES:
        return words[1]  # "US-CA", "CA-ON": country, then state
    if len(words) == 2 and words[1] in _COUNTRIES and words[0] in STATES:
        return words[0]  # "CA, US", "ON, CA": state, then country
    if codes:
        return codes[-1]  # "CA", "Fremont, CA", "CA 94539": the last code written
    raise InvalidInput(
        f"near: {cleaned!r} names no US state or Canadian province: write its two-letter "
        "code, e.g. CA or US-CA (a postcode alone is not enough)",
        field="near",
    )


def warehouse_state(location: str | None) -> str | None:
    """The state in a warehouse's "City, ST" location, or None when it names none."""
    if not location or "," not in location:
        return None
    words = _WORDS.findall(location.rsplit(",", 1)[1])
    code = words[0].upper() if words else ""
    return code if code in STATES else None
