"""One receiver route per supplier with a webhook codec, at the codec's path; a supplier
without one gets no route and no Destination URL."""

from __future__ import annotations

from fastapi.routing import APIRoute

from disty.services.connections import webhook_url
from disty.suppliers import registry
from disty.web import webhooks
from tests.fixtures.fake_supplier import KEY, REGISTRATION, tessera_registered


def test_a_route_per_codec_and_none_without() -> None:
    with tessera_registered():  # a supplier without webhooks
        routes = [r for r in webhooks.router().routes if isinstance(r, APIRoute)]
        with_webhooks = registry.with_webhooks()
        url = webhook_url("https://disty.example.com", KEY, "smbi", 1)
    assert {r.path for r in routes} == {"/supplierapi/distributorWebhook/{shortcut}/{country_id}"}
    assert all(r.methods == {"POST"} for r in routes)
    assert [r.name for r in routes] == [f"webhook_{r.key}" for r in with_webhooks]
    assert REGISTRATION not in with_webhooks
    assert url is None
