"""The ``schemawright`` command: parse arguments, call ``schemawright.api``, print results. No logic here.

Each command is a module of this package with ``register(app)``, listed in ``COMMANDS`` and imported only
when it runs; command modules import ``schemawright.api`` (itself cheap: features load when called),
``schemawright.errors`` and ``cli.output`` (the one error printer) and nothing else of the package
(pyproject.toml, contract "The CLI is a thin layer over the API").
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer
from typer.core import TyperCommand, TyperGroup

from schemawright.cli.output import INTERRUPTED, error, internal_error
from schemawright.cli.output import err as _err
from schemawright.errors import SchemawrightError


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"schemawright {version('schemawright')}")
        except PackageNotFoundError:
            typer.echo("schemawright (version unknown: not installed)")
        raise typer.Exit(0)


# Commands defined in other modules: name -> (module with ``register(app)``, the help's first paragraph).
# A module is imported only when its command runs (``--help`` lists them from here), so that help and
# every command load only what they need. Adding a command is one module plus one line here;
# tests/test_cli.py checks that each line matches the command its module registers.
COMMANDS = {
    "design": ("schemawright.cli.design", "Design a schema from a task input and write the database/ project folder."),
    "verify": ("schemawright.cli.verify", "Prove a design on its database (PostgreSQL; MySQL/MariaDB or SQLite for "
                                          "--dialect designs): migrations forward/back/forward, catalog, constraints."),
    "db": ("schemawright.cli.db", "Manage the embedded PostgreSQL (start, stop, status, url)."),
    "migrate": ("schemawright.cli.migrate", "Versioned migrations: new, up, down, status, verify."),
    "lint-migrations": ("schemawright.cli.lint_migrations", "Lint migrations for statements that lock or break a "
                                                            "live database or its running clients."),
    "diff": ("schemawright.cli.diff", "Diff two schemas into the next versioned migration and its undo."),
    "lint": ("schemawright.cli.lint", "Lint a schema for naming, structure, type, index and security "
                                      "problems (and health, when live)."),
    "seed": ("schemawright.cli.seed", "Create the design's tables if absent, then load synthetic rows with COPY."),
    "bench": ("schemawright.cli.bench", "Seed a scratch database, run the workload, report latency/throughput "
                                        "against the targets."),
    "advise": ("schemawright.cli.advise", "Suggest indexes that measurably help a workload; list redundant and "
                                          "unused ones."),
    "docs": ("schemawright.cli.docs", "Document any schema: data dictionary, ER diagrams (Mermaid, SVG, PNG), "
                                      "PRD, overview, HTML report."),
    "import": ("schemawright.cli.importer", "Reverse-engineer an existing schema into a task input (every "
                                            "convention off, everything spelled out)."),
    "draft": ("schemawright.cli.draft", "Propose a task input from free text through an OpenAI-compatible endpoint "
                                        "(SCHEMAWRIGHT_LLM_*)."),
    "mcp": ("schemawright.cli.mcp", "Serve design, verify, lint, diff, advise, import, seed, bench and docs as "
                                    "MCP tools over stdio."),
}


def load_command(name: str):
    """The click command ``name`` registers (its module imported now)."""
    import importlib

    from typer.main import get_group

    module, _ = COMMANDS[name]
    holder = typer.Typer()
    importlib.import_module(module).register(holder)
    return get_group(holder).commands[name]


class _LazyGroup(TyperGroup):
    """The root command: the commands of ``COMMANDS`` are loaded when they run; help lists them by name."""

    _listing = False

    def list_commands(self, ctx) -> list[str]:
        return [*super().list_commands(ctx), *(n for n in COMMANDS if n not in self.commands)]

    def get_command(self, ctx, cmd_name: str):
        if self.commands.get(cmd_name) is not None or cmd_name not in COMMANDS:
            return super().get_command(ctx, cmd_name)
        if self._listing:  # help only needs the name and the first paragraph
            return TyperCommand(cmd_name, help=COMMANDS[cmd_name][1], callback=None)
        self.commands[cmd_name] = load_command(cmd_name)
        return self.commands[cmd_name]

    def resolve_command(self, ctx, args):
        # "Did you mean" is drawn from the loaded commands only: offer the lazy ones too.
        lazy = {n: None for n in COMMANDS if n not in self.commands}
        self.commands.update(lazy)
        try:
            return super().resolve_command(ctx, args)
        finally:
            for name in lazy:
                if self.commands.get(name) is None:
                    del self.commands[name]

    def format_help(self, ctx, formatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


app = typer.Typer(cls=_LazyGroup, add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Design, generate and verify database schemas against a real PostgreSQL.")


@app.callback()
def _root(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                help="Print the version and exit")] = False) -> None:
    pass


def register_all() -> typer.Typer:
    """``app`` (kept for callers that registered every command module up front; loading is lazy now)."""
    return app


def main() -> None:
    if len(sys.argv) > 1 and not {"--help", "-h", "--version"} & set(sys.argv[1:]):
        from schemawright import api

        # before a command changes anything, it says on stderr which server and database it uses
        api.announce_with(lambda line: _err().print(line, markup=False, highlight=False, soft_wrap=True))
    try:
        app()
    except SchemawrightError as exc:  # raised outside a command body (e.g. db commands)
        error(str(exc))
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        _err().print("interrupted")
        sys.exit(INTERRUPTED)
    except Exception as exc:  # a bug in schemawright, not in the input
        if os.environ.get("SCHEMAWRIGHT_DEBUG"):
            raise
        internal_error(exc)
