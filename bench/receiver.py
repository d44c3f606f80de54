"""The webhook receiver against the least a receiver can be, measured with wrk.

Run: ``python -m bench.receiver [--seconds 8] [--connections 32] [--rounds 2] [--no-postgres]
[--no-sqlite] [--no-replicas] [--profile DIR]``

The yardstick is a minimal FastAPI app (``minimal_app``) that does only what no receiver can
skip: read the body, take the eventId, check Ingram's signature (HMAC-SHA512 of the eventId),
answer JSON. It runs on the same uvicorn as ``disty serve`` (web/server.py's ``config``: the
guarded httptools protocol, the connection limit). disty runs as ``disty serve`` runs it, its
in-process worker included, with /metrics and the request-id middleware on (they are part of
the app), on SQLite and on PostgreSQL. Every delivery disty gets is a new signed event (its own
eventId), so each one is a new inbox row committed before its 200.

wrk (the Debian package: a load generator in C, one thread, ``--connections`` keep-alive
connections) drives each server for ``--seconds`` after a warm-up, minimal and disty in turn,
``--rounds`` times; the ratios are between medians, in one run, on one machine: compare ratios,
not absolutes. Goal: disty's throughput >= 0.70 of the minimal app's, its p99 <= 1.5x.

Then two replicas: two ``disty serve --no-worker`` on one PostgreSQL database (each as any
replica behind a load balancer would run; the worker is another process's job) and one
``disty worker`` (when the command exists) beside them, wrk on each replica at once: the
figures per replica and their sum.

``--profile DIR`` records py-spy (if installed) on disty's server during its first run on each
database, then during the drain that follows (its worker processing the events the run left),
and writes the functions where the most time went (own and total) to stdout and DIR.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import hmac
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from statistics import median

import httpx
import psycopg
from bench.webhooks import DURABLE, KEY, free_port, set_up, signed_events
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

HOST = "127.0.0.1"
POSTGRES = os.environ.get("DISTY_TEST_POSTGRES_URL", "postgresql://127.0.0.1:5432/test")
MINIMAL = "/hook/bench/1"

# One wrk thread: each of its connections posts the next request of its share of the file as
# soon as the last is answered (a closed loop, as a distributor's sender with a pool).
_LUA = r"""
local lines = {}
local n, i = 0, 0
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end
function init(args)
  local path, threads = args[1], tonumber(args[2])
  local k = 0
  for line in io.lines(path) do
    if k % threads == id then
      local sig, body = line:match("([^\t]*)\t(.*)")
      n = n + 1
      lines[n] = wrk.format("POST", nil, {["Content-Type"] = "application/json",
                                          ["X-Hub-Signature"] = sig}, body)
    end
    k = k + 1
  end
end
function request()
  i = i % n + 1
  return lines[i]
end
"""


# -- the yardstick ---------------------------------------------------------------------------


def minimal_app() -> FastAPI:
    """Body in, eventId out, Ingram's signature checked, JSON back: nothing else."""
    app = FastAPI()
    key = KEY.encode()

    @app.get("/readyz")
    async def ready() -> dict[str, str]:  # for the bench to know it is up
        return {"status": "ready"}

    @app.post("/hook/{shortcut}/{country_id}")
    async def hook(shortcut: str, country_id: str, request: Request) -> JSONResponse:
        body = json.loads(await request.body())
        event_id = str(body.get("eventId", ""))
        mac = base64.b64encode(hmac.new(key, event_id.encode(), hashlib.sha512).digest())
        given = request.headers.get("x-hub-signature", "").encode()
        if not hmac.compare_digest(mac, given):
            return JSONResponse({"error": "bad-signature"}, status_code=401)
        return JSONResponse({"accepted": 1, "duplicates": 0, "conflicts": 0})

    return app


def serve_minimal(port: int) -> None:
    import uvicorn

    from disty.config import Settings
    from disty.web.server import config

    uvicorn.Server(config(minimal_app(), Settings(), host=HOST, port=port)).run()


# -- servers ---------------------------------------------------------------------------------


@contextlib.contextmanager
def started(argv: list[str], env: dict[str, str], port: int | None) -> Iterator[int]:
    """A process, waited for until /readyz answers 200 (if it serves); yields its pid."""
    proc = subprocess.Popen(  # noqa: S603 - fixed arguments
        argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 60
        while port is not None:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"http://{HOST}:{port}/readyz").status_code == 200:
                    break
            if proc.poll() is not None or time.monotonic() > deadline:
                err = proc.stderr.read().decode() if proc.stderr else ""
                raise SystemExit(f"{argv} did not start: {err[-2000:]}")
            time.sleep(0.05)
        yield proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def disty(*args: str) -> list[str]:
    return [sys.executable, "-c", "from disty.cli import main; main()", *args]


# -- wrk -------------------------------------------------------------------------------------


@dataclass
class Result:
    label: str
    rate: float
    p50: float  # ms
    p99: float
    statuses: Counter[str]

    def row(self) -> str:
        codes = " ".join(f"{k}:{v}" for k, v in sorted(self.statuses.items()))
        return f"{self.label:28} {self.rate:9.0f} {self.p50:8.2f} {self.p99:8.2f}  {codes}"


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    found = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if found is None:
        raise SystemExit(f"wrk reported a latency of {text!r}")
    return float(found.group(1)) * _UNITS[found.group(2)]


def events_file(tmp: Path, prefix: str, n: int) -> Path:
    path = tmp / f"{prefix}-{uuid.uuid4().hex[:6]}.tsv"
    with path.open("w") as out:
        for body, signature in signed_events(prefix, n):
            out.write(f"{signature}\t{body.decode()}\n")
    return path


def wrk_cmd(url: str, script: Path, events: Path, seconds: float, connections: int) -> list[str]:
    return [
        "wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency",
        "-s", str(script), url, "--", str(events), "1",
    ]  # fmt: skip


def parse(label: str, out: str) -> Result:
    if "Requests/sec" not in out:
        raise SystemExit(f"wrk failed ({label}):\n{out}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    # The latency distribution's lines ("    99%   12.3ms"), never a stdev column's "74.99%".
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    statuses: Counter[str] = Counter()
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    statuses["2xx"] = total - (int(bad.group(1)) if bad else 0)
    if bad:
        statuses["other"] = int(bad.group(1))
    if errors:
        statuses["socket-errors"] = 1
    return Result(label, rate, p50, p99, statuses)


def wrk(label: str, url: str, script: Path, events: Path, seconds: float, conns: int) -> Result:
    out = subprocess.run(  # noqa: S603
        wrk_cmd(url, script, events, seconds, conns), capture_output=True, text=True, check=True
    ).stdout
    return parse(label, out)


# -- the run ---------------------------------------------------------------------------------


def _inbox(port: int) -> tuple[int, int]:
    """Events received and not yet processed, and those failed (waiting for a retry), from
    /metrics (open to this machine in development). Claimed events still count: an event
    leased by a worker is not processed until its worker says so."""
    page = httpx.get(f"http://{HOST}:{port}/metrics").text
    found = dict(re.findall(r'disty_inbox_events\{status="(\w+)"\} ([0-9.e+]+)', page))
    return int(float(found.get("received", 0))), int(float(found.get("failed", 0)))


def drained(port: int, timeout_s: float = 480.0) -> None:
    """Wait for disty's worker to process what the run left in the inbox, so its work never
    overlaps the next run, and say how long it took: the worker's rate on a backlog. A run on
    SQLite leaves up to ~45,000 events, which its worker processes at ~200/s: nearly 4 min."""
    began = time.monotonic()
    deadline = began + timeout_s
    left, _ = _inbox(port)
    while time.monotonic() < deadline:
        received, failed = _inbox(port)
        if not received:
            took = time.monotonic() - began
            print(
                f"the worker processed the inbox {took:.1f} s after the run: {left} events, "
                f"{left / max(took, 0.1):.0f}/s" + (f" ({failed} failed)" if failed else "")
            )
            return
        time.sleep(0.5)
    print(f"the worker had not processed the inbox within {timeout_s:.0f} s")


def postgres_database() -> tuple[str, str]:
    """A fresh database on the test server: (its name, disty's URL to it)."""
    name = f"disty_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(POSTGRES, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    return name, f"{base}/{name}"


def drop_database(name: str) -> None:
    with psycopg.connect(POSTGRES, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def profiled(pid: int, seconds: float | None, out: Path) -> subprocess.Popen[bytes] | None:
    """py-spy recording ``pid`` for ``seconds`` (None: until sent SIGINT, ``stop_profile``)."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(spy).exists():
        print("py-spy not installed: no profile")
        return None
    length = ["-d", str(int(seconds))] if seconds is not None else []
    return subprocess.Popen(  # noqa: S603
        [spy, "record", "-p", str(pid), *length, "-f", "raw", "-o", str(out), "--nonblocking"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def stop_profile(spy: subprocess.Popen[bytes], raw: Path, what: str) -> None:
    """Let ``spy`` write its profile (SIGINT ends a recording without ``-d``), then show it."""
    if spy.poll() is None:
        spy.send_signal(signal.SIGINT)
    spy.wait(timeout=60)
    summary = summarize_profile(raw)
    raw.with_suffix(".txt").write_text(summary + "\n")
    print(f"py-spy, {what}: {summary}")


def summarize_profile(raw: Path, top: int = 25) -> str:
    """py-spy's collapsed stacks as the functions with the most samples, own and total."""
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    samples = 0
    # A stack per line, its count last; a frame of generated code may hold newlines of its
    # own (SQLAlchemy's), so a stack ends at the first line that ends with a count.
    for line in re.findall(r"(?s).*? \d+(?:\n|$)", raw.read_text()):
        stack, _, count = line.strip().replace("\n", " ").rpartition(" ")
        n = int(count)
        samples += n
        frames = [re.sub(r" \(/.*?/(site-packages|src)/", " (", f) for f in stack.split(";")]
        own[frames[-1]] += n
        for frame in set(frames):
            total[frame] += n
    lines = [f"{samples} samples; own time:"]
    lines += [f"  {100 * n / samples:5.1f}%  {f}" for f, n in own.most_common(top)]
    lines.append("total time (with callees):")
    lines += [f"  {100 * n / samples:5.1f}%  {f}" for f, n in total.most_common(top)]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="wrk time per run")
    parser.add_argument("--warmup", type=float, default=2.0, help="wrk time before the runs")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=2, help="runs of each server (medians)")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--no-replicas", action="store_true")
    parser.add_argument("--profile", type=Path, help="py-spy's profile of disty, per database")
    parser.add_argument("--serve-minimal", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_minimal:
        serve_minimal(args.serve_minimal)
        return
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")

    from disty.crypto import generate_key

    # Enough new events for the fastest durable run there could be, per run.
    per_run = int(12_000 * (args.seconds + args.warmup))
    results: list[Result] = []
    ratios: list[str] = []
    with tempfile.TemporaryDirectory(prefix="disty-receiver-") as tmp_:
        tmp = Path(tmp_)
        script = tmp / "post.lua"
        script.write_text(_LUA)
        base_env = dict(
            os.environ,
            DISTY_SECRET_KEYS=generate_key(),
            DISTY_ALLOW_CUSTOM_SUPPLIER_URLS="1",
            PYTHONPATH=str(Path(__file__).resolve().parent.parent),
        )
        base_env.pop("DISTY_DATABASE_URL", None)
        minimal_events = events_file(tmp, "MIN", 20_000)

        def measure_pair(kind: str, env: dict[str, str]) -> None:
            os.environ.clear()
            os.environ.update(env)
            import asyncio

            asyncio.run(set_up())
            mport, dport = free_port(), free_port()
            minimal_argv = [sys.executable, "-m", "bench.receiver", "--serve-minimal", str(mport)]
            serve_argv = disty("serve", "--host", HOST, "--port", str(dport))
            mine: list[Result] = []
            theirs: list[Result] = []
            with started(minimal_argv, env, mport), started(serve_argv, env, dport) as pid:
                murl, durl = f"http://{HOST}:{mport}{MINIMAL}", f"http://{HOST}:{dport}{DURABLE}"
                warm = events_file(tmp, f"W{kind}", per_run)
                wrk("warm", murl, script, minimal_events, args.warmup, args.connections)
                wrk("warm", durl, script, warm, args.warmup, args.connections)
                drained(dport)
                for round_ in range(args.rounds):
                    theirs.append(
                        wrk(f"minimal FastAPI ({kind} run)", murl, script, minimal_events,
                            args.seconds, args.connections)
                    )  # fmt: skip
                    events = events_file(tmp, f"D{kind}{round_}", per_run)
                    spy = None
                    raw = args.profile / f"disty-{kind}.raw" if args.profile else None
                    if raw is not None and round_ == 0:
                        raw.parent.mkdir(parents=True, exist_ok=True)
                        spy = profiled(pid, args.seconds, raw)
                    mine.append(
                        wrk(f"disty durable, {kind}", durl, script, events, args.seconds,
                            args.connections)
                    )  # fmt: skip
                    if spy is not None and raw is not None:
                        stop_profile(spy, raw, f"disty on {kind}")
                        # Then the worker alone, processing the backlog the run left.
                        raw = raw.with_name(f"disty-{kind}-drain.raw")
                        spy = profiled(pid, None, raw)
                    drained(dport)
                    if spy is not None and raw is not None:
                        stop_profile(spy, raw, f"disty's worker on {kind}, the drain")
            results.extend(theirs + mine)
            rate = median(r.rate for r in mine) / median(r.rate for r in theirs)
            p99 = median(r.p99 for r in mine) / median(r.p99 for r in theirs)
            ratios.append(
                f"{kind}: throughput {rate:.2f} of the minimal app's (goal >= 0.70) "
                f"{'PASS' if rate >= 0.70 else 'MISS'}; p99 {p99:.2f}x (goal <= 1.5) "
                f"{'PASS' if p99 <= 1.5 else 'MISS'}"
            )

        if not args.no_sqlite:
            measure_pair("SQLite", dict(base_env, DISTY_HOME=str(tmp / "sqlite-home")))
        if not args.no_postgres:
            name, url = postgres_database()
            try:
                pg_env = dict(base_env, DISTY_HOME=str(tmp / "pg-home"), DISTY_DATABASE_URL=url)
                measure_pair("PostgreSQL", pg_env)
                if not args.no_replicas:
                    results.extend(replicas(tmp, script, pg_env, args))
            finally:
                drop_database(name)

    print(f"wrk, 1 thread, {args.connections} connections, {args.seconds:g} s a run, "
          f"{args.rounds} rounds; ratios of medians")  # fmt: skip
    print(f"{'server':28} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8}  answers")
    for r in results:
        print(r.row())
    for line in ratios:
        print(line)


def replicas(
    tmp: Path, script: Path, env: dict[str, str], args: argparse.Namespace
) -> list[Result]:
    """Two web-only replicas on one PostgreSQL database, wrk on each at once."""
    ports = [free_port(), free_port()]
    per_run = int(12_000 * (args.seconds + args.warmup))
    with contextlib.ExitStack() as stack:
        for port in ports:
            stack.enter_context(
                started(disty("serve", "--host", HOST, "--port", str(port), "--no-worker"),
                        env, port)
            )  # fmt: skip
        with contextlib.suppress(SystemExit):  # ``disty worker`` beside them, where it exists
            stack.enter_context(started(disty("worker"), env, None))
        runs = []
        for i, port in enumerate(ports):
            events = events_file(tmp, f"R{i}", per_run)
            url = f"http://{HOST}:{port}{DURABLE}"
            cmd = wrk_cmd(url, script, events, args.seconds, args.connections // 2)
            runs.append(subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True))  # noqa: S603
        out = [parse(f"replica {i + 1} of 2, PostgreSQL", p.communicate()[0]) for i, p in
               enumerate(runs)]  # fmt: skip
    both = Result("both replicas", sum(r.rate for r in out), max(r.p50 for r in out),
                  max(r.p99 for r in out), sum((r.statuses for r in out), Counter()))  # fmt: skip
    return [*out, both]


if __name__ == "__main__":
    main()
