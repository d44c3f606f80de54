"""A real delivery's latency under a stranger's load: p99 alone against p99 under each attack.

Run: ``python bench/hostile.py [--rate 50] [--seconds 10] [--loris 300] [--phases a,b,c]``

Starts the real ``disty serve`` (SQLite in a throw-away DISTY_HOME, its in-process worker) with
a soft open-file limit of 256, as many services start, and sets up one tenant with an Ingram
connection and its webhook key (bench/webhooks.py's ``set_up``). A probe then posts signed
order events, each a new inbox row, at ``--rate`` a second for ``--seconds`` (open loop,
latency counted from when each was due, over keep-alive connections: bench/webhooks.py's
``open_loop``), alone and under each hostile load (started a second before the probe and
stopped after it), ``--rounds`` times, alone again at the end; the ratios are between the
medians of each phase's p99 and of the lone runs' (one run's p99 is at the mercy of one stall
on a shared machine):

- (a) ``wrk``, 4 connections, each posting a 10 MiB JSON array of 655k tiny envelopes with a
  forged signature, again as soon as answered (the receiver must refuse it without parsing);
- (b) ``--loris`` slow-loris connections (a separate Python process: no CPU to speak of), half
  trickling a request head a byte a second, half a webhook body after a whole head, each
  reconnecting as soon as the server cuts it off;
- (c) ``wrk``, 16 connections, failed console sign-ins (a wrong password, a new e-mail address
  and X-Forwarded-For each time, believed from loopback: as from a botnet, past the per-address
  throttles), each an argon2 hash;
- (d) (not run by default: ``--phases a,b,c,d``) ``wrk``, 16 connections, small deliveries
  with a forged signature as fast as they are answered.

Target: each p99 at most 2x the lone p99, every probe delivery answered 200 and stored.
Figures are from one run on one machine (often shared): compare ratios, not absolutes.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import gc
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from statistics import median

import httpx
from webhooks import DURABLE, HOST, cpu_seconds, free_port, http_request, open_loop, set_up
from webhooks import signed_events as _signed

# A forged signature shaped like a real one (base64 of 64 bytes), so the body must be read.
FORGED = base64.b64encode(bytes(range(64))).decode()

# -- the hostile loads --------------------------------------------------------------------------

_BIG_ARRAYS = """
local tiny = '{"eventId":"x"},'
local n = math.floor(10 * 1024 * 1024 / #tiny) - 2
wrk.method = "POST"
wrk.body = "[" .. string.rep(tiny, n) .. '{"eventId":"x"}]'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["x-hub-signature"] = "%s"
"""

_SMALL_FORGED = """
wrk.method = "POST"
wrk.body = '{"topic":"resellers/orders","event":"im::updated","eventId":"FORGED-1","resource":[]}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["x-hub-signature"] = "%s"
"""

_SIGN_INS = """
local n = 0
request = function()
  n = n + 1
  local body = "csrf_token=bench&email=guess" .. n .. "%40bench.example&password=wrong" .. n
  local headers = {}
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  headers["Cookie"] = "disty_login_csrf=bench"
  headers["X-Forwarded-For"] = "10." .. (n % 250) .. "." .. math.floor(n / 250) % 250 .. ".7"
  return wrk.format("POST", "/login", headers, body)
end
"""


@contextlib.contextmanager
def wrk(port: int, path: str, script: str, connections: int, seconds: float) -> Iterator[None]:
    """``wrk`` running the Lua ``script`` for about ``seconds``; prints its summary after."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script)
    proc = subprocess.Popen(  # noqa: S603 - fixed arguments
        ["/usr/bin/wrk", f"-t{min(2, connections)}", f"-c{connections}",
         f"-d{max(1, round(seconds))}s", "--timeout", "30s", "-s", lua.name,
         f"http://{HOST}:{port}{path}"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        yield
    finally:
        out, _ = proc.communicate(timeout=120)
        os.unlink(lua.name)
        lines = [ln.strip() for ln in out.splitlines()]
        wanted = ("requests in", "Non-2xx", "Socket errors", "Requests/sec")
        print("    wrk: " + "; ".join(ln for ln in lines if any(w in ln for w in wanted)))


async def loris(port: int, count: int, seconds: float) -> Counter[str]:
    """``count`` connections feeding the server a byte a second, reconnecting when cut off."""
    seen: Counter[str] = Counter()
    stop = time.monotonic() + seconds
    head = f"POST {DURABLE} HTTP/1.1\r\nhost: {HOST}\r\n".encode()
    body_head = (
        head
        + f"x-hub-signature: {FORGED}\r\n".encode()
        + (b"content-type: application/json\r\ncontent-length: 1000000\r\n\r\n")
    )

    async def one(i: int) -> None:
        start, trickle = (head, b"x-pad-") if i % 2 else (body_head, b'{"eventId":"x",')
        while time.monotonic() < stop:
            try:
                reader, writer = await asyncio.open_connection(HOST, port)
            except OSError:
                seen["connect failed"] += 1
                await asyncio.sleep(0.5)
                continue
            seen["opened"] += 1
            try:
                writer.write(start)
                while time.monotonic() < stop:
                    writer.write(trickle[:1])
                    trickle = trickle[1:] + trickle[:1]
                    await writer.drain()
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(1.0):
                            if not await reader.read(65536):  # the server closed it
                                seen["cut off"] += 1
                                break
                            seen["answered"] += 1
                            break
            except OSError:
                seen["cut off"] += 1
            finally:
                writer.close()

    await asyncio.gather(*(one(i) for i in range(count)))
    return seen


@contextlib.contextmanager
def loris_process(port: int, count: int, seconds: float) -> Iterator[None]:
    proc = subprocess.Popen(  # noqa: S603 - this script, fixed arguments
        [sys.executable, __file__, "--loris-only", str(port), "--loris", str(count),
         "--seconds", str(seconds)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        yield
    finally:
        out, _ = proc.communicate(timeout=120)
        print(f"    slow-loris: {out.strip()}")


# -- the probe ---------------------------------------------------------------------------------


@dataclass
class Probe:
    phase: str
    latencies: list[float]
    statuses: Counter[int]
    accepted: int
    server_cpu: float
    wall: float

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def probe(port: int, pid: int, phase: str, rate: float, seconds: float) -> Probe:
    events = _signed(f"H-{phase.split()[0]}", max(1, int(rate * seconds)))
    requests = [http_request(HOST, port, DURABLE, body, sig) for body, sig in events]
    gc.collect()
    gc.disable()  # the sender's own pauses would show as the server's latency
    server = cpu_seconds(pid)
    try:
        latencies, statuses, accepted, wall = asyncio.run(open_loop(HOST, port, requests, rate))
    finally:
        gc.enable()
    return Probe(phase, latencies, statuses, accepted, cpu_seconds(pid) - server, wall)


def inbox_rows(db: Path) -> int:
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM inbound_events").fetchone()[0])


@contextlib.contextmanager
def disty_serve(env: dict[str, str], log: Path) -> Iterator[tuple[int, int]]:
    """The real ``disty serve``, started with a soft limit of 256 open files; what it logs goes
    to ``log``."""
    port = free_port()
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    exe = str(Path(sys.executable).with_name("disty"))
    proc = subprocess.Popen(  # noqa: S603 - fixed arguments
        [exe, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard)),
    )  # fmt: skip
    try:
        for _ in range(400):
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"http://{HOST}:{port}/readyz").status_code == 200:
                    break
            if proc.poll() is not None:
                raise SystemExit("disty serve did not start")
            time.sleep(0.05)
        yield port, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=50.0, help="probe deliveries a second")
    parser.add_argument("--seconds", type=float, default=10.0, help="probe time per phase")
    parser.add_argument("--loris", type=int, default=300, help="slow-loris connections")
    parser.add_argument("--phases", default="a,b,c", help="which hostile loads to run")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each phase (medians)")
    parser.add_argument("--loris-only", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.loris_only:
        seen = asyncio.run(loris(args.loris_only, args.loris, args.seconds))
        print(", ".join(f"{k} {v}" for k, v in sorted(seen.items())))
        return

    from disty.crypto import generate_key

    with tempfile.TemporaryDirectory(prefix="disty-hostile-") as tmp:
        home = Path(tmp)
        # X-Forwarded-For believed from loopback: phase (c) then comes from a new address each
        # time, the worst case (a botnet), which the per-address throttle alone does not stop.
        env = dict(
            os.environ,
            DISTY_HOME=str(home),
            DISTY_SECRET_KEYS=generate_key(),
            DISTY_TRUSTED_PROXIES="127.0.0.1",
        )
        env.pop("DISTY_DATABASE_URL", None)
        os.environ.clear()
        os.environ.update(env)
        asyncio.run(set_up())
        lead = 1.0  # the hostile load starts this long before the probe
        span = args.seconds + 2 * lead
        runs: list[Probe] = []
        log = home / "serve.log"
        with disty_serve(env, log) as (port, pid):
            warm = probe(port, pid, "warm-up", args.rate, 2.0)
            loads = {
                "a": ("(a) 4 x 10 MiB arrays",
                      lambda: wrk(port, DURABLE, _BIG_ARRAYS % FORGED, 4, span)),
                "b": (f"(b) {args.loris} slow-loris",
                      lambda: loris_process(port, args.loris, span)),
                "c": ("(c) failed sign-ins",
                      lambda: wrk(port, "/login", _SIGN_INS, 16, span)),
                "d": ("(d) small forged, flood",
                      lambda: wrk(port, DURABLE, _SMALL_FORGED % FORGED, 16, span)),
            }  # fmt: skip
            print(f"probe: signed deliveries at {args.rate:.0f}/s for {args.seconds:.0f} s a "
                  f"phase, {args.rounds} rounds; disty serve on SQLite started with 256 open "
                  "files")  # fmt: skip
            for round_ in range(args.rounds):
                runs.append(probe(port, pid, "alone", args.rate, args.seconds))
                for key in args.phases.split(","):
                    name, load = loads[key]
                    print(f"  round {round_ + 1}, {name}:")
                    with load():
                        time.sleep(lead)
                        runs.append(probe(port, pid, name, args.rate, args.seconds))
                    time.sleep(2.0)  # let the server settle between phases
            runs.append(probe(port, pid, "alone", args.rate, args.seconds))
            time.sleep(1.0)
            stored = inbox_rows(home / "disty.db")
        logged = log.read_text(errors="replace").splitlines()

    print(f"\n{'phase':26} {'p50 ms':>8} {'p99 ms':>8} {'server':>7}  answers")
    for run in runs:
        codes = " ".join(f"{k}:{v}" for k, v in sorted(run.statuses.items()))
        print(f"{run.phase:26} {run.pct(0.5):8.1f} {run.pct(0.99):8.1f} "
              f"{100 * run.server_cpu / run.wall:6.0f}%  {codes}")  # fmt: skip
    by_phase: dict[str, list[Probe]] = {}
    for run in runs:
        by_phase.setdefault(run.phase, []).append(run)
    alone = median(r.pct(0.99) for r in by_phase.pop("alone"))
    print(f"\nmedian p99 alone: {alone:.1f} ms (the lone runs before, between and after)")
    for phase, phase_runs in by_phase.items():
        p99 = median(r.pct(0.99) for r in phase_runs)
        all_200 = all(set(r.statuses) == {200} for r in phase_runs)
        ok = p99 / alone <= 2.0 and all_200
        print(f"{phase:26} median p99 {p99:8.1f} ms = {p99 / alone:5.2f}x alone (target <= 2.0)"
              f"{'' if all_200 else ', not every delivery answered 200'}: "
              f"{'PASS' if ok else 'MISS'}")  # fmt: skip
    answered = sum(r.accepted for r in runs) + warm.accepted
    print(f"inbox rows {stored}, deliveries answered 200 and stored {answered}: "
          f"{'none lost' if stored == answered else 'MISMATCH'}")  # fmt: skip
    # Requests that failed with a traceback, and where: each one's frames name disty's modules.
    blocks = "\n".join(logged).split("Exception in ASGI application")[1:]
    tracebacks = len(blocks)
    where = Counter(
        next((m for m in ("web/webhooks.py", "web/ui/", "web/api/") if m in b), "elsewhere")
        for b in blocks
    )
    print(f"disty serve logged {len(logged)} lines in all; {tracebacks} requests failed with a "
          f"traceback ({', '.join(f'{k}: {v}' for k, v in where.items()) or 'none'}):")  # fmt: skip
    for line in logged[:8]:
        print(f"    {line[:160]}")


if __name__ == "__main__":
    main()
