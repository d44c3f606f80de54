"""The CLI's help and usage errors read as a person needs them: values named for what they are
(never Python's types), a help text printed as written, refused choices listed; and ``-v``
shows disty's debug lines, not the database drivers'."""

from __future__ import annotations

import logging
import re

import pytest
import typer
from typer.core import TyperGroup
from typer.testing import CliRunner

from disty.cli import COMMANDS, app, load_command
from disty.cli._common import configure_logging

TYPE_NAMES = re.compile(r"<(str|bool|int|float|path|list\[[a-z]+\]|[a-z_|]+)>")


def _help(*words: str) -> str:
    shown = CliRunner().invoke(app, [*words, "--help"], env={"COLUMNS": "80"})
    assert shown.exit_code == 0, shown.output
    return shown.output


def _every_command() -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = [()]
    for name in COMMANDS:
        command = load_command(name)
        found.append((name,))
        if isinstance(command, TyperGroup):  # its commands are built when asked for: listed
            found += [(name, sub) for sub in command.list_commands(typer.Context(command))]
    return found


def test_no_help_names_a_python_type_and_every_line_fits_80_columns() -> None:
    for words in _every_command():
        shown = _help(*words)
        assert not TYPE_NAMES.search(shown), (words, shown)
        assert all(len(line) <= 80 for line in shown.splitlines()), (words, shown)


def test_values_are_named_and_help_texts_printed_as_written() -> None:
    submit = _help("order", "submit")
    assert "--line SKU=QTY[@PRICE]" in submit  # brackets are text, not markup
    assert "--tenant TENANT" in submit
    assert "--ship-to ADDRESS" in submit
    assert "--hold / --no-hold" in submit
    assert re.search(r"^\s+--json\s+Print", submit, re.MULTILINE)  # a flag takes no value
    assert "Usage: disty order show [OPTIONS] {PO}" in _help("order", "show")


def test_a_status_not_known_is_refused_with_the_known_ones() -> None:
    refused = CliRunner().invoke(app, ["order", "list", "--tenant", "smbi", "--status", "bogus"])
    assert refused.exit_code == 2
    for status in ("draft", "awaiting_approval", "on_hold", "shipped", "invoiced", "failed"):
        assert f"'{status}'" in refused.output
    assert "draft, awaiting_approval" in _help("order", "list")


def test_one_v_is_disty_debug_only_two_everyones(monkeypatch: pytest.MonkeyPatch) -> None:
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", list(root.handlers))
    monkeypatch.setattr(root, "level", root.level)
    disty = logging.getLogger("disty")
    monkeypatch.setattr(disty, "level", disty.level)
    drivers = ("sqlalchemy.engine", "aiosqlite", "psycopg", "httpcore", "httpx", "asyncio")
    configure_logging(1)
    assert logging.getLogger("disty.services.ordering").isEnabledFor(logging.DEBUG)
    for driver in drivers:
        assert not logging.getLogger(driver).isEnabledFor(logging.INFO), driver
        assert logging.getLogger(driver).isEnabledFor(logging.WARNING), driver
    configure_logging(2)  # -vv: everyone's (a logger whose level its owner set keeps it)
    assert logging.getLogger("a.library").isEnabledFor(logging.DEBUG)
    configure_logging(0)
    assert not logging.getLogger("disty.services.ordering").isEnabledFor(logging.INFO)
    assert logging.getLogger("disty.services.ordering").isEnabledFor(logging.WARNING)
