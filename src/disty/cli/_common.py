"""What every command shares: opening the runtime, turning errors into one sentence, output.

Light on purpose: every command module imports it, and Typer imports every command module to
build the command line (also for ``--help``). The runtime (the database, the suppliers) is
imported when a command runs: see :func:`run`.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, NoReturn, TypeVar

import typer
from rich.console import Console

from disty.errors import DistyError, InvalidInput

if TYPE_CHECKING:
    from pydantic import BaseModel

    from disty.runtime import Runtime

T = TypeVar("T")

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


def configure_logging(verbosity: int = 0) -> None:
    """disty/logs.py's ``configure``, in the format DISTY_LOG_FORMAT names (text or json)."""
    from disty import logs

    fmt = os.environ.get("DISTY_LOG_FORMAT", "text").strip().lower() or "text"
    if fmt not in logs.FORMATS:
        fail(f"DISTY_LOG_FORMAT is invalid: use {' or '.join(logs.FORMATS)}, not {fmt!r}")
    logs.configure(verbosity, fmt)


def fail(message: str, code: int = 1) -> NoReturn:
    err_console.print(f"error: {message}", markup=False, soft_wrap=True)
    raise typer.Exit(code)


def run(work: Callable[[Runtime], Awaitable[T]], *, apply_migrations: bool = True) -> T:
    """Open the runtime (migrating the database), run ``work`` and close everything again.

    A DistyError ends the command with its one-sentence message and exit status 1, never a
    traceback.
    """
    import asyncio

    from disty.config import load_settings
    from disty.runtime import open_runtime

    try:
        settings = load_settings()

        async def main() -> T:
            async with open_runtime(settings, apply_migrations=apply_migrations) as runtime:
                return await work(runtime)

        return asyncio.run(main())
    except DistyError as exc:
        fail(str(exc))


def guarded(work: Callable[[], T]) -> T:
    """Run work that needs no database, with the same error handling as :func:`run`."""
    try:
        return work()
    except DistyError as exc:
        fail(str(exc))


def print_json(data: BaseModel | Sequence[BaseModel]) -> None:
    from pydantic import BaseModel

    payload: object
    if isinstance(data, BaseModel):
        payload = data.model_dump(mode="json")
    else:
        payload = [item.model_dump(mode="json") for item in data]
    typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))


def read_secrets(**options: str | None) -> dict[str, str | None]:
    """Resolve secret options; the value ``-`` means "read this one from standard input".

    Secrets typed on a command line end up in the process list and shell history; ``-`` keeps
    them out. Only one option can take standard input per command.
    """
    from_stdin = [name for name, value in options.items() if value == "-"]
    if len(from_stdin) > 1:
        names = ", ".join("--" + name.replace("_", "-") for name in from_stdin)
        raise InvalidInput(f"only one option can read standard input (-), got {names}")
    resolved = dict(options)
    for name in from_stdin:
        line = sys.stdin.readline()
        if not line.strip():
            raise InvalidInput(
                f"--{name.replace('_', '-')} - expected the value on standard input, got nothing"
            )
        resolved[name] = line.rstrip("\r\n")
    return resolved
