"""How long a ``disty`` command takes to answer, and its peak memory, beside a small Typer program.

Run from the repository's root as a module: ``python -m bench.cli [--runs 5] [--compare
/path/to/another/bin/disty]`` (``python bench/cli.py`` cannot import ``bench.pna``, whose
simulator it starts).

Sets up a throw-away ``DISTY_HOME`` (SQLite) with one tenant connected to the Ingram Micro
simulator (``disty simulator``, started as a subprocess) and one PO placed there, then runs each
command below ``--runs`` times, round-robin so that a busy moment on a shared machine spreads
over all of them, each a fresh process as a person or a script starts it:

- ``disty --version`` and ``disty --help``: what every command pays before its own work;
- ``disty tenant list`` and ``disty order show``: commands that read the database;
- ``disty pna`` of three parts: reads the database, fetches a token from the simulator and asks
  it for price and availability over HTTP (so it also measures the simulator's answers);
- the yardstick: a small Typer program that imports typer, rich, SQLAlchemy, httpx and pydantic
  up front and prints one line, as a small tool built on the same libraries would;
- ``python -c pass``: the interpreter's own start.

It prints the median wall time and the median peak RSS (``/usr/bin/time``: that process alone)
of each, and their ratios to the Typer program. Targets: ``--version`` and ``--help`` at most 0.5x,
database commands at most 1.0x. disty runs a command that ends with Python's garbage collector
off and ends its process without Python's teardown (cli/__init__.py's ``main``); the Typer
program keeps Python's defaults. ``--compare`` runs another disty build (e.g. the main
branch's virtualenv) the same way beside it. Figures are from one run on one machine (often
shared): compare ratios, not absolutes.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median

from bench.pna import serve
from cryptography.fernet import Fernet

HERE = Path(sys.executable).parent
DISTY = str(HERE / "disty")
SIMULATOR_CLIENT = ("disty-demo-client", "disty-demo-secret", "20-222222")
PARTS = ["123512", "4A0036", "LS1016A-CISCO"]
SHIP_TO = "Bench Inc|1 Main St|Springfield|IL|62701|US"

YARDSTICK = """
import httpx, pydantic, rich.console, sqlalchemy, typer

app = typer.Typer()


@app.command()
def hello(name: str = "world") -> None:
    rich.console.Console().print(f"hello {name}")


app()
"""


@dataclass
class Runs:
    label: str
    argv: list[str]
    env: dict[str, str]
    walls: list[float] = field(default_factory=list)
    rss_kb: list[int] = field(default_factory=list)

    def once(self) -> None:
        # /usr/bin/time reports the peak RSS of the command alone: a child's own getrusage
        # figure starts from its parent's at the fork, and this parent is larger than python
        # -c pass.
        with tempfile.NamedTemporaryFile("r") as rss, tempfile.TemporaryFile() as out:
            argv = ["/usr/bin/time", "-f", "%M", "-o", rss.name, *self.argv]
            started = time.perf_counter()
            done = subprocess.run(argv, env=self.env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
            self.walls.append(time.perf_counter() - started)
            if done.returncode != 0:
                out.seek(0)
                raise SystemExit(f"{self.label} failed:\n{out.read().decode()}")
            self.rss_kb.append(int(rss.read().split()[-1]))  # KiB


def run(argv: list[str], env: dict[str, str], stdin: str | None = None) -> str:
    done = subprocess.run(argv, env=env, input=stdin, capture_output=True, text=True)  # noqa: S603
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def set_up(disty: str, env: dict[str, str], root: str, po: str) -> None:
    client_id, client_secret, customer = SIMULATOR_CLIENT
    run([disty, "tenant", "add", "bench", "--country", "1"], env)
    run(
        [disty, "supplier", "set", "ingram", "--tenant", "bench", "--country", "1",
         "--client-id", client_id, "--client-secret", "-", "--customer-number", customer,
         "--base-url", root + "/ingram"],
        env, stdin=client_secret + "\n",
    )  # fmt: skip
    run(
        [disty, "order", "submit", "--tenant", "bench", "--country", "1", "--po", po,
         "--line", "123512=2", "--ship-to", SHIP_TO],
        env,
    )  # fmt: skip


def commands(disty: str, env: dict[str, str], po: str, tag: str = "") -> list[Runs]:
    return [
        Runs(f"disty --version{tag}", [disty, "--version"], env),
        Runs(f"disty --help{tag}", [disty, "--help"], env),
        Runs(f"disty tenant list{tag}", [disty, "tenant", "list"], env),
        Runs(f"disty order show{tag}", [disty, "order", "show", po, "--tenant", "bench"], env),
        Runs(
            f"disty pna (3 parts){tag}",
            [disty, "pna", "--tenant", "bench", "--country", "1", *PARTS],
            env,
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--compare", help="another disty executable to run beside this one")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="disty-bench-cli-") as tmp:
        env = {
            **os.environ,
            "DISTY_HOME": str(Path(tmp) / "home"),
            "DISTY_SECRET_KEYS": Fernet.generate_key().decode(),
            "DISTY_PUBLIC_URL": "https://disty.example.com",
            "DISTY_ALLOW_CUSTOM_SUPPLIER_URLS": "1",
            "COLUMNS": "120",
            # Bytecode written once (the unmeasured first round) and read after, for every
            # build compared, also one in a read-only checkout: as an installed disty runs.
            "PYTHONPYCACHEPREFIX": str(Path(tmp) / "pycache"),
        }
        env.pop("DISTY_DATABASE_URL", None)
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # else every run compiles disty anew
        yardstick = Path(tmp) / "yardstick.py"
        yardstick.write_text(YARDSTICK, encoding="utf-8")
        with serve(latency_ms=0) as root:
            set_up(DISTY, env, root, "BENCH-1")
            typer_program = Runs("small Typer program", [sys.executable, str(yardstick)], env)
            bare = Runs("python -c pass", [sys.executable, "-c", "pass"], env)
            measured = commands(DISTY, env, "BENCH-1")
            if args.compare:
                # Its own database: another build may have other migrations.
                other = {**env, "DISTY_HOME": str(Path(tmp) / "compared")}
                set_up(args.compare, other, root, "BENCH-2")
                measured += commands(args.compare, other, "BENCH-2", " (compared)")
            every = [*measured, typer_program, bare]
            for runs in every:  # warm the file cache and the bytecode once, unmeasured
                runs.once()
                runs.walls.clear()
                runs.rss_kb.clear()
            for _ in range(args.runs):
                for runs in every:
                    runs.once()
    base_wall, base_rss = median(typer_program.walls), median(typer_program.rss_kb)
    print(f"medians of {args.runs} runs each; ratios to the small Typer program")
    print(f"{'command':<34} {'wall s':>7} {'ratio':>6} {'peak RSS MB':>12} {'ratio':>6}")
    for runs in every:
        wall, rss = median(runs.walls), median(runs.rss_kb)
        print(
            f"{runs.label:<34} {wall:>7.3f} {wall / base_wall:>5.2f}x "
            f"{rss / 1024:>12.1f} {rss / base_rss:>5.2f}x"
        )


if __name__ == "__main__":
    main()
