"""The ``disty`` command line: one module per command, imported when that command is used.

A command pays only for what it uses: ``disty --version`` imports no command module, ``disty
--help`` and ``disty tenant --help`` import the light command modules but no web framework,
database or simulator, a command that reads the database does not import the web app, and
``disty serve``/``simulator``/``demo`` import what they serve when they run. So a command module
keeps its signatures light (Typer reads them to build the command line) and imports the runtime,
the services, the web app or the simulator inside the function that needs them.
tests/integration/test_cli_startup.py keeps it so; bench/cli.py measures it.
"""

from __future__ import annotations

import copy
import gc
import importlib
import inspect
from typing import Annotated, Any

import typer
from typer.core import TyperArgument, TyperGroup, TyperOption
from typer.models import CommandInfo

from disty import __version__
from disty.cli._common import configure_logging

# The commands, in the order help lists them: name -> "module:attribute", where the attribute
# is a Typer app (a command group) or a function (one command).
COMMANDS = {
    "tenant": "disty.cli.tenant:app",
    "supplier": "disty.cli.supplier:app",
    "webhook": "disty.cli.webhook:app",
    "db": "disty.cli.db:app",
    "keys": "disty.cli.keys:app",
    "order": "disty.cli.order:app",
    "events": "disty.cli.events:app",
    "token": "disty.cli.token:app",
    "user": "disty.cli.user:app",
    "requisition": "disty.cli.requisition:app",
    "demo": "disty.cli.demo:demo",
    "pna": "disty.cli.pna:pna",
    "source": "disty.cli.source:source",
    "serve": "disty.cli.serve:serve",
    "worker": "disty.cli.worker:worker",
    "simulator": "disty.cli.simulator:simulator",
    "mcp": "disty.cli.mcp:mcp",
}

# The commands that keep running until stopped: the only ones that run with Python's garbage
# collector on (see main).
KEEP_RUNNING = frozenset({"serve", "worker", "simulator", "demo", "mcp"})


def _target(name: str) -> Any:
    """The command's Typer app or function, its module imported."""
    module, _, attribute = COMMANDS[name].partition(":")
    return getattr(importlib.import_module(module), attribute)


def load_command(name: str) -> typer.core.TyperCommand | TyperGroup:
    """Import one command's module and build its command line (a group's: see _OnDemand)."""
    target = _target(name)
    if isinstance(target, typer.Typer):
        # The group as Typer builds it (its help, its options), without its commands.
        shell = copy.copy(target)
        shell.info = copy.copy(target.info)
        shell.info.cls = _OnDemand
        shell.registered_commands = []
        group = typer.main.get_group(shell)
        if not isinstance(group, _OnDemand):  # Typer builds the class it is given: never
            raise TypeError(f"{COMMANDS[name]} is not a group")
        group.name = name
        group.pending = {
            info.name or typer.main.get_command_name(info.callback.__name__): info
            for info in target.registered_commands
            if info.callback is not None
        }
        group.names = list(group.pending)
        plain_help(group)
        return group
    single = typer.Typer(add_completion=False)
    single.command(name)(target)
    return _one_command(single, COMMANDS[name])


def _one_command(single: typer.Typer, what: str) -> typer.core.TyperCommand:
    command = typer.main.get_command(single)
    if not isinstance(command, typer.core.TyperCommand):  # one command, no callback: never
        raise TypeError(f"{what} is not one command")
    plain_help(command)
    return command


class _OnDemand(TyperGroup):
    """A command group (``disty order``) that builds each of its commands when it is asked for
    it (to run it, or to list it in ``disty order --help``): Typer reads every signature to
    build one, and ``disty order show`` need not pay for the other eight (5 ms). A name that is
    none of its commands builds them all, for Typer to suggest the nearest."""

    pending: dict[str, CommandInfo]  # not built yet, by name
    names: list[str]  # every command's, in the order they were declared (help lists them so)

    def list_commands(self, ctx: object) -> list[str]:
        return list(self.names)

    def get_command(self, ctx: object, cmd_name: str) -> typer.core.TyperCommand | None:
        for name in [cmd_name] if cmd_name in self.pending else list(self.pending):
            single = typer.Typer(add_completion=False)
            single.registered_commands.append(self.pending.pop(name))
            self.commands[name] = _one_command(single, f"{self.name} {name}")
        found = self.commands.get(cmd_name)
        return found if isinstance(found, typer.core.TyperCommand) else None


def plain_help(command: typer.core.TyperCommand | TyperGroup) -> None:
    """disty's help is plain text, as git's, with each value named for what it is.

    Typer's own draws boxes and reads help texts as rich markup (``SKU=QTY[@PRICE]`` lost its
    ``[@PRICE]``), and names values by their Python type (``--tenant <str>``, ``<bool>``).
    Here a flag shows no value, an option the metavar it declares or else its name in
    capitals (``--tenant TENANT``), an argument its name in capitals (``PO``)."""
    command.rich_markup_mode = None
    for param in command.params:
        takes_value = isinstance(param, TyperArgument) or (
            isinstance(param, TyperOption) and not (param.is_flag or param.count)
        )
        if param.metavar is None and param.name and takes_value:
            param.metavar = param.name.upper()
        if isinstance(param, TyperArgument):
            # Its name says what it is; Typer would add the Python type ("PO <str>").
            vars(param)["display_type_rich"] = _no_type
    for sub in getattr(command, "commands", {}).values():
        plain_help(sub)


def _no_type(ctx: object) -> None:
    return None


class _LazyGroup(TyperGroup):
    """The root group: knows its commands by name and imports one only when it is asked for
    (to run it, or to list it in ``disty --help``). ``ctx`` is unused, hence ``object``: the
    context class is Click's or Typer's own, depending on Typer's version."""

    def list_commands(self, ctx: object) -> list[str]:
        return [*self.commands, *(name for name in COMMANDS if name not in self.commands)]

    def get_command(
        self, ctx: object, cmd_name: str
    ) -> typer.core.TyperCommand | TyperGroup | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            self.commands[cmd_name] = load_command(cmd_name)
        found = self.commands.get(cmd_name)
        return found if isinstance(found, typer.core.TyperCommand | TyperGroup) else None

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        """The command to run; one that keeps running turns the collector back on (main)."""
        name, command, rest = super().resolve_command(ctx, args)
        if name in KEEP_RUNNING:
            gc.enable()
        return name, command, rest

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """``disty --help`` lists each command with its help only: stand-ins that carry it spare
        building every command line (Typer reads every signature to build one)."""
        listing = {
            name: self.commands.get(name) or _stand_in(name) for name in self.list_commands(ctx)
        }
        TyperGroup(commands=listing).format_commands(ctx, formatter)


def _stand_in(name: str) -> typer.core.TyperCommand:
    target = _target(name)
    text = target.info.help if isinstance(target, typer.Typer) else inspect.getdoc(target)
    return typer.core.TyperCommand(name=name, help=text if isinstance(text, str) else None)


# Known errors end in one sentence (see _common.run). Anything else is a bug and gets Python's
# plain traceback; never one with local variables, which could hold a secret.
app = typer.Typer(
    name="disty",
    cls=_LazyGroup,
    rich_markup_mode=None,  # plain help: see plain_help
    help="disty: the open-source hub between IT resellers and their distributors.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"disty {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    verbose: Annotated[
        int,
        typer.Option(
            "--verbose",
            "-v",
            count=True,
            show_default=False,
            help="Log disty's debug details; -vv also the database's and HTTP clients'.",
        ),
    ] = 0,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    configure_logging(verbose)


def main() -> None:
    """The ``disty`` executable: the command, then the process ends.

    Python's garbage collector is off for a command that ends (all but KEEP_RUNNING): what such
    a command allocates is mostly the modules it imports, alive until the process ends, and
    the collector would trace them over and over as they load (a sixth of a database
    command's time; bench/cli.py measures it); the little cyclic garbage the command's work
    leaves goes when the process ends. As it ends, every object is moved out of the
    collector's reach (gc.freeze): Python's shutdown otherwise collects the whole heap, a tenth
    of a second of CPU to free memory the process is about to give back anyway. Only here:
    ``app`` itself, as tests call it in-process, leaves the collector alone.

    A command that ends then ends the process at once (:func:`_end`): its work is done, its
    database closed, and Python's teardown would only free its ~500 modules one object at a
    time (7 of the ~370 ms of ``disty order show``)."""
    gc.disable()
    try:
        app()
    except SystemExit as exc:
        if not gc.isenabled():  # off exactly for a command that ends (_LazyGroup)
            _end(exc.code)
        raise
    finally:
        gc.freeze()


def _end(code: object) -> None:
    """End the process with ``code`` as sys.exit would, without Python's teardown: the logs
    closed and the output flushed first. Returns (the caller exits the usual way) while a
    thread other than this one runs, so its work is not cut short, or for a code that is not a
    status."""
    import logging
    import os
    import sys
    import threading

    if threading.active_count() > 1 or not isinstance(code, int | None):
        return  # sys.exit("message"): Python's own exit prints it
    status = code or 0
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader gone (| head), a stream closed
            status = status or 120  # Python's own status when it cannot flush at exit
    os._exit(status)
