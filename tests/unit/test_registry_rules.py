"""What a supplier may declare: a registration that would clash with what a connection is
already called by, or declare a setting twice, is refused when it is made, not found later as
an overwritten field."""

from __future__ import annotations

from dataclasses import replace

import pytest

from disty.suppliers import default_key, registry
from disty.suppliers.registry import Setting
from tests.fixtures.fake_supplier import REGISTRATION


@pytest.mark.parametrize("name", ["base_url", "tenant", "webhook_key", "Client-Id", "a b"])
def test_a_setting_cannot_take_a_name_the_connection_uses(name: str) -> None:
    # It would overwrite the connection's own field in the view, the API and the CLI.
    with pytest.raises(ValueError, match="cannot name a setting"):
        replace(REGISTRATION, settings=(Setting(name, "x", "x"),))


def test_a_setting_declared_twice_is_refused() -> None:
    twice = (Setting("account", "a", "a"), Setting("account", "b", "b"))
    with pytest.raises(ValueError, match="declared twice"):
        replace(REGISTRATION, settings=twice)


def test_the_default_supplier_is_the_first_package_registered() -> None:
    # default_key() (suppliers/__init__.py) answers without importing a package or the
    # registry (the CLI's defaults need it at start-up); the registrations say the same.
    assert default_key() == registry.keys()[0]
    assert default_key() == registry.registrations()[0].key
