"""Every registered supplier's optional parts agree with its capability flags: the services
refuse by the attribute (``adapter.quotes is None``), the console and registry by the flag."""

from __future__ import annotations

from pathlib import Path

import pytest

from disty.config import Settings
from disty.suppliers import registry
from disty.suppliers.base import Capability, Supplier
from disty.suppliers.hub import SupplierHub
from disty.suppliers.registry import ConnectionSettings, Registration


def parts(adapter: Supplier) -> dict[Capability, object]:
    return {
        Capability.QUOTES: adapter.quotes,
        Capability.INVOICES: adapter.invoices,
        Capability.RETURNS: adapter.returns,
        Capability.FREIGHT: adapter.freight,
    }


@pytest.mark.parametrize("registration", registry.registrations(), ids=lambda r: r.key)
async def test_optional_parts_match_the_capability_flags(
    registration: Registration, tmp_path: Path
) -> None:
    hub = SupplierHub()
    settings = Settings(home=tmp_path)
    try:
        for api_type, factory in registration.adapters.items():
            # Built only, never called: any value will do for each declared setting.
            connection = ConnectionSettings(
                supplier=registration.key,
                api_type=api_type,
                base_url=registration.endpoints[0],
                country_id=registration.countries[0],
                country_iso="US",
                values={s.name: "x" for s in registration.settings},
            )
            adapter = factory(connection, hub, settings)
            for flag, part in parts(adapter).items():
                offered = flag in registration.capabilities_for(api_type)
                assert (part is not None) == offered, (registration.key, api_type, flag)
                assert (flag in adapter.capabilities) == offered, (registration.key, flag)
            if Capability.QUOTE_TO_ORDER in registration.capabilities_for(api_type):
                assert adapter.quotes is not None, (registration.key, api_type)
    finally:
        await hub.aclose()
