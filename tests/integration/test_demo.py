"""``disty demo`` as a person runs it: a subprocess that serves until Ctrl-C, and the commands
it suggests, typed in another "terminal" with the environment it prints."""

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

DISTY = str(Path(sys.executable).with_name("disty"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


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
        # The console's URL and the demo admin's one-time password work.
        found = re.search(
            r"Web console: (\S+) - sign in as (\S+) with the one-time password (\S+)", text
        )
        assert found is not None, text
        url, email, password = found.groups()
        with httpx.Client(base_url=url, follow_redirects=False) as browser:
            form = browser.get("/login").text
            token = re.search(r'name="csrf_token" value="([^"]+)"', form)
            assert token is not None
            signed_in = browser.post(
                "/login",
                data={"csrf_token": token.group(1), "email": email, "password": password},
            )
            assert signed_in.status_code == 303
            assert signed_in.headers["location"] == "/password"
        # The environment it prints is all another terminal needs.
        shell = dict(env)
        for line in output:
            if line.strip().startswith("export "):
                name, _, value = line.strip().removeprefix("export ").partition("=")
                shell[name] = value
        home = Path(shell["DISTY_HOME"])
        assert home.is_dir()
        shell["DISTY_DATABASE_URL"] = database_url  # printed with its password hidden

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
        listed = json.loads(disty("events", "list", "--tenant", "demo", "--json").stdout)
        assert listed
        assert all(e["status"] == "processed" for e in listed)
    finally:
        demo.send_signal(signal.SIGINT)
        rest, _ = demo.communicate(timeout=30)
        output.append(rest or "")
    assert demo.returncode == 0, "".join(output)
    assert "demo stopped" in "".join(output)
    assert not home.exists()  # the throw-away folder is gone
