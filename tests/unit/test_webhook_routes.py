"""One receiver route per supplier with a webhook codec, at the codec's path; a supplier
without one gets no route and no Destination URL."""

from __future__ import annotations

from fastapi.routing import APIRoute

from disty.services.connections import webhook_url
from disty.suppliers import registry
from disty.suppliers.registry import Registration
from disty.web import webhooks


def test_a_route_per_codec_and_none_without(quiet_supplier: Registration) -> None:
    routes = [r for r in webhooks.router().routes if isinstance(r, APIRoute)]
    assert {r.path for r in routes} == {"/supplierapi/distributorWebhook/{shortcut}/{country_id}"}
    assert all(r.methods == {"POST"} for r in routes)
    assert [r.name for r in routes] == [f"webhook_{r.key}" for r in registry.with_webhooks()]
    assert quiet_supplier not in registry.with_webhooks()
    assert webhook_url("https://disty.example.com", quiet_supplier.key, "smbi", 1) is None
