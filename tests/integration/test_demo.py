"""``disty demo`` as a person runs it: a subprocess that serves until Ctrl-C, and the commands
it suggests, typed as printed in another "terminal" (a shell whose PATH does not hold the
venv) with the environment it prints. The ports it picks when the usual ones are taken."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import typer

from disty.cli.demo import SHARED_PART, choose_port
from disty.simulator.config import SimulatorConfig
from disty.simulator.tdsynnex.catalog import TdCatalog

DISTY = str(Path(sys.executable).with_name("disty"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def td_price_of_the_shared_part() -> str:
    """TD SYNNEX's price for the part the demo orders everywhere, as the demo's simulator
    (its default catalog) prices it."""
    config = SimulatorConfig()
    [product] = TdCatalog(config.products, config.seed).all_by_mfg_pn(SHARED_PART)
    return product.price("US")


def test_the_demo_ships_and_invoices_a_po_from_webhooks(database_url: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISTY_")}
    env["DISTY_DATABASE_URL"] = database_url
    demo = subprocess.Popen(
        [DISTY, "demo", "--port", str(free_port()), "--simulator-port", str(free_port()),
         "--ship-after-s", "1"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    assert demo.stdout is not None
    output: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while not any("Ctrl-C stops the demo" in line for line in output):
            assert time.monotonic() < deadline, "".join(output)
            line = demo.stdout.readline()
            assert line, "the demo ended early:\n" + "".join(output)
            output.append(line)
        text = "".join(output)
        assert "Run Test" in text
        assert "5.43 USD" in text  # part 123512, as Ingram's own examples price it
        assert "webhook_key" in text
        # Both distributors connected, tested and priced; a PO at each that disty orders from.
        assert "Run Test · demo · Ingram Micro" in text
        assert "Run Test · demo · TD SYNNEX" in text
        assert "TD SYNNEX accepted customer number" in text
        assert f"{td_price_of_the_shared_part()} USD" in text
        assert re.search(r"Ingram Micro: PO DEMO-2001 submitted \(order \S+\)", text), text
        assert re.search(r"TD SYNNEX: PO DEMO-2002 submitted \(order \d{8}\)", text), text
        # The console's one-use link opens straight onto a dashboard with the demo's POs; the
        # password printed beside it works afterwards.
        found = re.search(r"Web console: open (\S+)", text)
        assert found is not None, text
        link = httpx.URL(found.group(1))
        password = re.search(r"with the password (\S+)\)", text)
        assert password is not None, text
        root = f"{link.scheme}://{link.host}:{link.port}"
        with httpx.Client(base_url=root, follow_redirects=False) as browser:
            page = browser.get(str(link)).text
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
            token = re.search(r'name="token" value="([^"]+)"', page)
            assert csrf is not None
            assert token is not None
            form = {"csrf_token": csrf.group(1), "token": token.group(1)}
            signed_in = browser.post("/login/link", data=form)
            assert signed_in.status_code == 303
            assert signed_in.headers["location"] == "/"
            dashboard = browser.get("/t/demo")
            assert dashboard.status_code == 200
            for po in ("DEMO-1001", "DEMO-1003", "DEMO-1004"):
                assert po in dashboard.text
            assert "Awaiting approval" in dashboard.text
            assert "On hold" in dashboard.text
            # Spent: the same link signs nobody in again.
            assert browser.post("/login/link", data=form).status_code == 410
        with httpx.Client(base_url=root, follow_redirects=False) as other:
            form_page = other.get("/login").text
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', form_page)
            assert csrf is not None
            by_password = other.post("/login", data={
                "csrf_token": csrf.group(1), "email": "admin@demo.example",
                "password": password.group(1)})  # fmt: skip
            assert by_password.status_code == 303
            assert by_password.headers["location"] == "/"
        # The environment it prints is all another terminal needs.
        shell = dict(env)
        for line in output:
            if line.strip().startswith("export "):
                name, _, value = line.strip().removeprefix("export ").partition("=")
                shell[name] = value
        home = Path(shell["DISTY_HOME"])
        assert home.is_dir()
        shell["DISTY_DATABASE_URL"] = database_url  # printed with its password hidden

        # Its commands work as printed, pasted into a new terminal where the venv is not
        # activated: no 'disty' on PATH, the printed path to the executable instead.
        block = text.split("Try it in another terminal", 1)[1].splitlines()
        printed = [line.strip() for line in block if line.startswith("  ") and line.strip()]
        exports = [line for line in printed if line.startswith("export ")]
        commands = [line for line in printed if not line.startswith("export ")]
        assert not [c for c in commands if c.startswith("disty ")], commands
        bare = {k: v for k, v in env.items() if k != "VIRTUAL_ENV"}
        bare["PATH"] = "/usr/bin:/bin"
        bash = "/bin/bash"
        assert subprocess.run([bash, "-c", "command -v disty"], env=bare, check=False).returncode
        script = "\n".join(
            [*exports, f"export DISTY_DATABASE_URL='{database_url}'", "set -e", commands[0]]
        )
        pasted = subprocess.run(
            [bash, "-c", script], env=bare, capture_output=True, text=True, timeout=60,
            check=False,
        )  # fmt: skip
        assert pasted.returncode == 0, (script, pasted.stdout, pasted.stderr)
        assert "5.43" in pasted.stdout, pasted.stdout  # 123512 priced live at Ingram Micro

        def disty(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [DISTY, *args], env=shell, capture_output=True, text=True, timeout=60, check=False
            )

        placed = disty(
            "order", "submit", "--tenant", "demo", "--country", "1", "--supplier", "ingram",
            "--po", "DEMO-1", "--line", "123512=2",
            "--ship-to", "Demo Reseller|1 Main St|Springfield|IL|62701|US", "--json",
        )  # fmt: skip
        assert placed.returncode == 0, placed.stderr
        assert json.loads(placed.stdout)["status"] == "submitted"
        deadline = time.monotonic() + 60
        while True:
            shown = disty("order", "show", "DEMO-1", "--tenant", "demo", "--json")
            po = json.loads(shown.stdout)
            if po["status"] == "invoiced":
                break
            assert time.monotonic() < deadline, po
            time.sleep(0.5)
        assert any(e["source"] == "webhook" for e in po["timeline"])
        # The demo's own POs keep moving too; once they settle every event is processed.
        deadline = time.monotonic() + 30
        while True:
            listed = json.loads(disty("events", "list", "--tenant", "demo", "--json").stdout)
            assert listed
            pending = [(e["event_type"], e["status"], e["error"]) for e in listed
                       if e["status"] != "processed"]  # fmt: skip
            assert not [p for p in pending if p[1] in ("failed", "dead")], pending
            if not pending:
                break
            assert time.monotonic() < deadline, pending
            time.sleep(0.5)
    finally:
        demo.send_signal(signal.SIGINT)
        rest, _ = demo.communicate(timeout=30)
        output.append(rest or "")
    assert demo.returncode == 0, "".join(output)
    assert "demo stopped" in "".join(output)
    assert not home.exists()  # the throw-away folder is gone


def test_a_taken_default_port_gives_way_to_a_free_one(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        # Left out: the default, or any free port when something holds the default.
        chosen = choose_port(None, busy, "--port")
        assert chosen != busy
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", chosen))  # free indeed
        # Asked for by name: refused with a sentence naming the port and the option.
        with pytest.raises(typer.Exit):
            choose_port(busy, 8000, "--simulator-port")
        said = capsys.readouterr().err
        assert f"port {busy} is in use" in said
        assert "--simulator-port" in said
