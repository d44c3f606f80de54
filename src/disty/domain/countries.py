"""Country sites a tenant is served in.

The ids are the ones distributors' reseller platforms put in webhook destination URLs
(``/supplierapi/distributorWebhook/{shortcut}/{countryId}``): 1 is the United States, 29 Canada.
"""

from __future__ import annotations

from dataclasses import dataclass

from disty.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class CountrySite:
    id: int
    iso: str  # ISO 3166-1 alpha-2, as distributors' APIs take it
    name: str
    currency: str  # ISO 4217


SITES: dict[int, CountrySite] = {
    1: CountrySite(1, "US", "United States", "USD"),
    29: CountrySite(29, "CA", "Canada", "CAD"),
}


def _known() -> str:
    return ", ".join(f"{site.id} ({site.name})" for site in SITES.values())


def country_site(country_id: int) -> CountrySite:
    """The site for a country id, or InvalidInput naming the ids that exist."""
    try:
        return SITES[country_id]
    except KeyError:
        raise InvalidInput(
            f"unknown country id {country_id}: use {_known()}", field="country"
        ) from None
