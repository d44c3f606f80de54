"""What every command shares: opening the runtime, turning errors into one sentence, output."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import NoReturn, TypeVar

import click
import typer
from pydantic import BaseModel
from rich.console import Console

from disty.config import load_settings
from disty.errors import DistyError, InvalidInput
from disty.runtime import Runtime, open_runtime

T = TypeVar("T")

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


def configure_logging(verbose: bool = False) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        force=True,
    )


def fail(message: str, code: int = 1) -> NoReturn:
    err_console.print(f"error: {message}", markup=False, soft_wrap=True)
    raise typer.Exit(code)


def run(work: Callable[[Runtime], Awaitable[T]], *, apply_migrations: bool = True) -> T:
    """Open the runtime (migrating the database), run ``work`` and close everything again.

    A DistyError ends the command with its one-sentence message and exit status 1, never a
    traceback.
    """
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
    payload: object
    if isinstance(data, BaseModel):
        payload = data.model_dump(mode="json")
    else:
        payload = [item.model_dump(mode="json") for item in data]
    click.echo(json.dumps(payload, indent=2, ensure_ascii=False))


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
