"""`disty supplier set`'s options come from the suppliers' declared settings: a flag two
suppliers declare with different meanings explains each, not only the first one's."""

from __future__ import annotations

from typing import Any, get_args

from disty.cli.supplier import _declared_options
from disty.suppliers import registry


def _helps() -> dict[str, str]:
    helps: dict[str, str] = {}
    for param in _declared_options():
        option: Any = get_args(param.annotation)[1]
        helps[param.name] = option.help
    return helps


def test_a_shared_flag_gives_every_suppliers_meaning() -> None:
    sharing = {
        name: [r for r in registry.registrations() if any(s.name == name for s in r.settings)]
        for name in _helps()
    }
    shared = {name: regs for name, regs in sharing.items() if len(regs) > 1}
    assert "customer_number" in shared  # both distributors declare it, each its own shape
    helps = _helps()
    for name, regs in shared.items():
        meanings = {r.setting(name).help for r in regs}
        if len(meanings) > 1:
            for reg in regs:
                assert f"{reg.name}: {reg.setting(name).help}" in helps[name]


def test_a_secret_flag_says_it_reads_standard_input_once() -> None:
    helps = _helps()
    for reg in registry.registrations():
        for setting in reg.settings:
            text = helps[setting.name]
            if setting.secret:
                assert text.count("Use - to read it from standard input") == 1
