"""What a `disty` command loads before it answers, in a fresh interpreter as a shell starts it:
help and the version load no web framework, database layer or simulator; commands that read
the database load no web framework or simulator (cli/__init__.py). And what `disty serve`
says when it starts: where the console is and, while nobody can sign in, how to make the first
user."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from tests.fixtures.simulator import RunningSimulator

DISTY = str(Path(sys.executable).with_name("disty"))
WEB_ORM_SIMULATOR = ("fastapi", "starlette", "uvicorn", "disty.web", "disty.simulator", "mcp")
HEAVY = (*WEB_ORM_SIMULATOR, "sqlalchemy", "alembic", "disty.runtime", "disty.db")

# Runs each command line in turn in one interpreter and prints, after each, which of the
# watched modules it has loaded so far (the first step to load one is the culprit).
_PROBE = """
import json, sys
watched = json.loads(sys.argv[1])
loaded = lambda: sorted(m for m in watched if m in sys.modules)
steps = {}
import disty.cli
steps["import disty.cli"] = loaded()
for line in json.loads(sys.argv[2]):
    try:
        disty.cli.app(line, prog_name="disty")
    except SystemExit:
        pass
    steps["disty " + " ".join(line)] = loaded()
print("PROBE " + json.dumps(steps))
"""


def _probe(
    lines: list[list[str]], watched: tuple[str, ...], env: dict[str, str]
) -> dict[str, list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(watched), json.dumps(lines)],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    [report] = [line for line in done.stdout.splitlines() if line.startswith("PROBE ")]
    steps: dict[str, list[str]] = json.loads(report.removeprefix("PROBE "))
    return steps


def _env(home: Path) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("DISTY_")},
        "DISTY_HOME": str(home),
        "DISTY_SECRET_KEYS": Fernet.generate_key().decode(),
        "DISTY_PUBLIC_URL": "https://disty.example.com",
    }


def test_help_and_version_load_no_web_database_or_simulator(tmp_path: Path) -> None:
    from disty.cli import COMMANDS

    lines = [["--version"], ["--help"], ["tenant", "--help"]]
    lines += [[name, "--help"] for name in COMMANDS if name != "tenant"]
    lines += [["order", "submit", "--help"], ["supplier", "set", "--help"]]
    steps = _probe(lines, HEAVY, _env(tmp_path))
    assert steps == {step: [] for step in steps}
    assert len(steps) == len(lines) + 1


def test_database_commands_load_no_web_framework_or_simulator(tmp_path: Path) -> None:
    env = _env(tmp_path)
    # Made first, on its own: migrating a new database loads Alembic and every model.
    added = subprocess.run(
        [DISTY, "tenant", "add", "smbi", "--country", "1"], env=env, capture_output=True
    )
    assert added.returncode == 0, added.stderr
    lines = [
        ["tenant", "list"],
        ["user", "list"],
        ["order", "list", "--tenant", "smbi"],
        ["order", "show", "PO-1", "--tenant", "smbi"],  # no such PO: an error, after the query
        ["supplier", "show", "--tenant", "smbi"],
        ["events", "list", "--tenant", "smbi"],
    ]
    from disty.suppliers import registry

    ordering = "disty.services.ordering"  # the use cases that change POs, and their suppliers
    packages = [f"disty.suppliers.{r.key}" for r in registry.registrations()]
    # SQLAlchemy's PostgreSQL dialect (every driver's module) on SQLite: not for a model's
    # index options either (db/base.py's dialect_kwargs).
    postgresql = "sqlalchemy.dialects.postgresql"
    # pydantic-settings: none of them (config.py reads the environment itself).
    watched = (
        *WEB_ORM_SIMULATOR, "sqlalchemy", "httpx", postgresql, ordering, "pydantic_settings",
        *packages,
    )  # fmt: skip
    steps = _probe(lines, watched, env)
    # Showing a PO needs its status (domain/po_status.py), not the order dataclasses, nor the
    # supplier registry (the default supplier's key is in suppliers/__init__.py).
    shown = ("disty.domain.orders", "disty.suppliers.registry")
    orders = _probe([["order", "show", "PO-1", "--tenant", "smbi"]], shown, env)
    assert orders["disty order show PO-1 --tenant smbi"] == []
    # They did read the database (SQLite here); the first ones never needed the HTTP client
    # either, and listing or showing a PO needs only its lookup (services/po_lookup.py), not a
    # supplier's package (the order commands' default supplier is a key: suppliers/__init__.py).
    assert steps["disty user list"] == ["sqlalchemy"]
    assert steps["disty order show PO-1 --tenant smbi"] == ["sqlalchemy"]
    # Listing events needs the inbox's lookup (services/webhooks/event_lookup.py), not what
    # processing an event brings: the ordering use cases, a supplier's package, the HTTP client.
    events = _probe([["events", "list", "--tenant", "smbi"]], watched, env)
    assert events["disty events list --tenant smbi"] == ["sqlalchemy"]
    # Showing connections names each supplier (their packages' registrations) but sends no
    # request: no HTTP client (suppliers/endpoints.py imports it to check a URL being saved).
    connections = _probe([["supplier", "show", "--tenant", "smbi"]], watched, env)
    assert "httpx" not in connections["disty supplier show --tenant smbi"]
    assert "sqlalchemy" in connections["disty supplier show --tenant smbi"]
    allowed = {"sqlalchemy", "httpx", ordering, *packages}
    assert all(set(loaded) <= allowed for loaded in steps.values())


def test_reading_commands_map_the_models_they_read(
    tmp_path: Path, simulator: RunningSimulator
) -> None:
    # Mapping a model costs SQLAlchemy milliseconds (db/models/__init__.py): the tenant list
    # maps the tenants' models, a PO its own and the tenant it is looked up by; neither the
    # tables its other foreign keys name, which only a flush needs (db/base.py), nor the audit
    # log's, which only a change writes. Live prices map no PO (a column type they share is in
    # db/base.py), no stock event (an offer's age is said by disty/formatting.py) and no audit
    # entry (only changing a connection writes one: services/connections.py).
    from disty.db import models

    env = {**_env(tmp_path), "DISTY_ALLOW_CUSTOM_SUPPLIER_URLS": "1"}
    # Made first, on its own: migrating a new database maps every model (Alembic compares).
    added = subprocess.run(
        [DISTY, "tenant", "add", "smbi", "--country", "1"], env=env, capture_output=True
    )
    assert added.returncode == 0, added.stderr
    connected = subprocess.run(
        [DISTY, "supplier", "set", "ingram", "--tenant", "smbi", "--country", "1",
         "--client-id", simulator.client_id, "--client-secret", "-",
         "--customer-number", simulator.customer_number, "--base-url", simulator.base_url],
        env=env, input=simulator.client_secret + "\n", capture_output=True, text=True,
    )  # fmt: skip
    assert connected.returncode == 0, connected.stderr
    pna = ["pna", "123512", "--tenant", "smbi", "--country", "1"]
    lines = [["tenant", "list"], ["order", "show", "PO-1", "--tenant", "smbi"]]  # no such PO
    watched = tuple(f"disty.db.models.{module}" for module in set(models.MODULES.values()))
    steps = _probe(lines, watched, env)
    assert steps["disty tenant list"] == ["disty.db.models.tenants"]
    assert steps["disty order show PO-1 --tenant smbi"] == [
        f"disty.db.models.{module}" for module in ("orders", "tenants")
    ]
    adapter = "disty.suppliers.ingram.rest.adapter"  # loaded to ask the supplier, not before
    also = (adapter, "disty.services.price_list")
    priced = _probe([pna], (*watched, *also), env)[f"disty {' '.join(pna)}"]
    assert {adapter, "disty.db.models.offers"} <= set(priced)  # it asked, and kept the offer
    unread = ("orders", "events", "access")  # POs, stock events, the audit log
    assert not {f"disty.db.models.{module}" for module in unread} & set(priced)
    assert "disty.services.price_list" not in priced


def test_only_the_commands_that_keep_running_collect_garbage(tmp_path: Path) -> None:
    # disty (main) runs a command that ends with the collector off: it mostly loads modules
    # that live until the process ends. A server or the worker must not grow for want of it.
    from disty.cli import COMMANDS, KEEP_RUNNING

    assert {"serve", "worker"} <= KEEP_RUNNING <= set(COMMANDS)
    # A command that ends leaves by os._exit (main's _end), so the probe says the collector's
    # state there; a command that keeps running leaves by SystemExit.
    probe = (
        "import gc, os, sys\n"
        "from disty.cli import main\n"
        "end = os._exit\n"
        "def said(status):\n"
        "    print('ENDED', status, 'COLLECTING', gc.isenabled(), flush=True)\n"
        "    end(status)\n"
        "os._exit = said\n"
        "sys.argv = ['disty', *sys.argv[1:]]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('EXITED', 'COLLECTING', gc.isenabled())\n"
    )
    said = {}
    for line in (["tenant", "list"], ["order", "--help"], ["serve", "--help"], ["mcp", "--help"]):
        done = subprocess.run(
            [sys.executable, "-c", probe, *line], env=_env(tmp_path), capture_output=True,
            text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        said[line[0]] = done.stdout.splitlines()[-1]
    assert said == {
        "tenant": "ENDED 0 COLLECTING False",
        "order": "ENDED 0 COLLECTING False",
        "serve": "EXITED COLLECTING True",
        "mcp": "EXITED COLLECTING True",
    }


def test_a_command_that_ends_at_once_leaves_its_output_and_status_whole(tmp_path: Path) -> None:
    # main ends such a command with os._exit, past Python's teardown: what it printed must
    # still be written (to a file standard output is fully buffered), and its status kept.
    env = _env(tmp_path)
    for shortcut in ("smbi", "acme"):
        added = subprocess.run(
            [DISTY, "tenant", "add", shortcut, "--country", "1"], env=env, capture_output=True
        )
        assert added.returncode == 0, added.stderr
    out = tmp_path / "tenants.json"
    with out.open("wb") as sink:
        listed = subprocess.run(
            [DISTY, "tenant", "list", "--json"], env=env, stdout=sink, stderr=subprocess.PIPE
        )
    assert listed.returncode == 0, listed.stderr
    assert sorted(t["shortcut"] for t in json.loads(out.read_text())) == ["acme", "smbi"]
    missing = subprocess.run(
        [DISTY, "order", "show", "PO-1", "--tenant", "smbi"], env=env, capture_output=True,
        text=True,
    )  # fmt: skip
    assert missing.returncode == 1
    assert missing.stderr.startswith("error: no PO 'PO-1' for tenant 'smbi'")
    # find_po asks for the tenant only when no PO is found: which of the two is missing.
    stranger = subprocess.run(
        [DISTY, "order", "show", "PO-1", "--tenant", "nope"], env=env, capture_output=True,
        text=True,
    )  # fmt: skip
    assert (stranger.returncode, stranger.stderr.startswith("error: no tenant 'nope'")) == (1, True)
    usage = subprocess.run([DISTY, "order"], env=env, capture_output=True, text=True)
    assert usage.returncode == 2
    assert "Missing command" in usage.stderr


def test_serve_says_where_the_console_is_and_how_to_make_the_first_user(tmp_path: Path) -> None:
    env = {**_env(tmp_path), "DISTY_PUBLIC_URL": ""}
    added = subprocess.run(
        [DISTY, "tenant", "add", "smbi", "--country", "1"], env=env, capture_output=True
    )
    assert added.returncode == 0, added.stderr
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [DISTY, "serve", "--port", str(port), "--no-worker"], env={**env, "COLUMNS": "80"},
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        said = [server.stdout.readline().rstrip("\n") for _ in range(4)]
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert said[0].startswith(f"disty serving on http://127.0.0.1:{port} ")
    assert said[1] == f"web console: http://127.0.0.1:{port}/"
    assert said[2].startswith("no users yet: make the first admin")
    # The one tenant there is, named: the command works as printed.
    assert said[3] == "  disty user add you@example.com --role admin --tenant smbi"


def test_serve_hands_threads_the_lock_back_quickly_and_nothing_else_does(tmp_path: Path) -> None:
    # disty serve's app (own_process) lowers Python's switch interval as it starts, so the
    # SQLite writer's COMMIT thread gets its answer to the loop without waiting 5 ms; an app
    # a test or another program embeds leaves the process's interval alone.
    probe = (
        "import asyncio, sys\n"
        "from disty.config import load_settings\n"
        "from disty.web import create_app\n"
        "async def started(own):\n"
        "    app = create_app(load_settings(), run_worker=False, own_process=own)\n"
        "    async with app.router.lifespan_context(app):\n"
        "        return sys.getswitchinterval()\n"
        "before = sys.getswitchinterval()\n"
        "embedded = asyncio.run(started(False))\n"
        "served = asyncio.run(started(True))\n"
        "print(before, embedded, served)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], env=_env(tmp_path), capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    before, embedded, served = map(float, done.stdout.split())
    assert before == embedded == 0.005
    assert served == pytest.approx(0.0001)  # kept in whole microseconds
