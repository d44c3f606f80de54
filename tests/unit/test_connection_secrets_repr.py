"""A connection's secrets never reach a log line or a traceback through a repr: what a change
carries and what an adapter factory is handed both print names, not secret values."""

from __future__ import annotations

from disty.domain.connections import ApiType
from disty.services.connections import ConnectionChanges
from disty.suppliers.registry import ConnectionSettings

SECRET = "cs-Kilo-0246813579"
KEY = "wk-Lima-1357924680"


def test_a_change_prints_the_names_it_sets_never_the_values() -> None:
    change = ConnectionChanges.of(client_id="app-1", client_secret=SECRET, webhook_key=KEY)
    shown = repr(change) + str(change)
    assert SECRET not in shown
    assert KEY not in shown
    assert "client_secret" in shown
    assert "webhook_key" in shown


def test_the_settings_handed_to_an_adapter_print_secrets_masked() -> None:
    settings = ConnectionSettings(
        supplier="ingram", api_type=ApiType.REST, base_url="https://x", country_id=1,
        country_iso="US", values={"client_id": "app-1", "client_secret": SECRET},
        secrets=frozenset({"client_secret"}),
    )  # fmt: skip
    shown = repr(settings) + str(settings)
    assert SECRET not in shown
    assert "••••" + SECRET[-4:] in shown
    assert "app-1" in shown
