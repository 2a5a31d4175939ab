"""The command line itself: what --help loads, --version, and the one error printer."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from schemawright.cli import COMMANDS, load_command

COUNT_MODULES = """
import contextlib, io, sys
sys.argv = ["schemawright", *sys.argv[1:]]
from schemawright.cli import main
try:
    with contextlib.redirect_stdout(io.StringIO()):
        main()
except SystemExit:
    pass
print(len(sys.modules), sum(1 for m in sys.modules if m.startswith("schemawright")))
"""

BARE_TYPER = """
import contextlib, io, sys, typer
app = typer.Typer()
@app.command()
def one(): pass
@app.command()
def two(): pass
try:
    with contextlib.redirect_stdout(io.StringIO()):
        app(["--help"])
except SystemExit:
    pass
print(len(sys.modules))
"""


def _python(code: str, *args: str) -> str:
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True,
                          timeout=120).stdout


# Libraries no command needs to print help, and that a command whose work does not need them must not load.
HEAVY = ("psycopg", "pglast", "sqlalchemy", "faker", "jinja2", "pydantic", "yaml", "sqlglot", "pydbml", "inflection")
LOADED = """
import contextlib, io, sys
sys.argv = ["schemawright", *sys.argv[1:]]
from schemawright.cli import main
try:
    with contextlib.redirect_stdout(io.StringIO()):
        main()
except SystemExit:
    pass
print(" ".join(sys.modules))
"""


def _heavy(modules: list[str], heavy=HEAVY) -> set[str]:
    return {m.split(".")[0] for m in modules} & set(heavy)


def test_help_loads_no_command_module():
    total, ours = map(int, _python(COUNT_MODULES, "--help").split())
    bare = int(_python(BARE_TYPER))
    # schemawright.cli, cli.output, errors and the package itself; a few modules more than a bare typer app
    assert ours <= 5, f"--help imported {ours} schemawright modules"
    assert total < bare + 40, f"--help imported {total} modules; a bare typer app {bare}"


@pytest.mark.parametrize("code", [
    "import schemawright.cli as c; c.app; import typer.main; typer.main.get_command(c.app)",  # the app, built
    "import schemawright.api",  # every command imports the API: features load when a function is called
], ids=["build the app", "import the API"])
def test_the_app_and_the_api_load_no_heavy_library(code: str):
    loaded = _python(code + "\nimport sys\nprint(' '.join(sys.modules))").split()
    assert not _heavy(loaded), f"loaded {_heavy(loaded)}"
    features = [m for m in loaded if m.startswith("schemawright.") and m.split(".")[1] not in
                ("cli", "api", "errors", "project", "model")]
    assert features == [], f"loaded feature modules {features}"


def test_help_loads_no_heavy_library():
    loaded = _python(LOADED, "--help").split()
    assert "typer" in loaded  # the probe ran
    assert not _heavy(loaded), f"--help loaded {_heavy(loaded)}"
    assert not [m for m in loaded if m.startswith("schemawright.") and m not in
                ("schemawright.cli", "schemawright.cli.output", "schemawright.errors")]


def test_a_command_that_never_connects_loads_no_database_driver(tmp_path: Path):
    """``lint-migrations`` parses SQL (pglast) and never connects: no psycopg, although the CLI sets up the
    line saying which database a command uses (db.dsn) before every command."""
    (tmp_path / "V1__create.sql").write_text("CREATE TABLE t (id integer PRIMARY KEY);\n", encoding="utf-8")
    loaded = _python(LOADED, "lint-migrations", str(tmp_path)).split()
    assert "schemawright.lint.migration" in loaded and "pglast" in loaded  # the command did its work
    assert "schemawright.db.dsn" in loaded
    assert "psycopg" not in _heavy(loaded), "lint-migrations loaded psycopg"


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_command_loads_only_its_own_module(command: str):
    """``<command> --help`` loads its own module and the (cheap) API: no other command, no heavy library."""
    own = COMMANDS[command][0]
    others = {m for m, _ in COMMANDS.values() if m != own}
    loaded = _python("import sys, runpy\nsys.argv = ['schemawright', sys.argv[1], '--help']\n"
                     "try:\n    runpy.run_module('schemawright', run_name='__main__')\nexcept SystemExit:\n    pass\n"
                     "print(' '.join(sys.modules))", command).split()
    assert own in loaded
    assert not others & set(loaded), f"{command} --help loaded {others & set(loaded)}"
    # typer itself loads pydantic for an option with bounds (``min=1``): not ours to avoid
    heavy = [h for h in HEAVY if h != "pydantic"]
    assert not _heavy(loaded, heavy), f"{command} --help loaded {_heavy(loaded, heavy)}"


def test_commands_table_matches_what_each_module_registers():
    for name, (_, first_paragraph) in COMMANDS.items():
        command = load_command(name)
        assert command.name == name
        assert (command.help or "").split("\n\n")[0].replace("\n", " ") == first_paragraph


def test_version():
    out = subprocess.run([sys.executable, "-m", "schemawright", "--version"], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0 and out.stdout.startswith("schemawright 0.")


def _run_without_columns(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    return subprocess.run([sys.executable, "-m", "schemawright", *args], capture_output=True, text=True,
                          timeout=120, env=env)


def test_errors_keep_long_paths_on_one_line_and_print_markup_as_text(tmp_path: Path):
    """Not a terminal and COLUMNS unset: rich would wrap at 80 columns; a path is printed as it is."""
    deep = tmp_path / ("a_rather_long_folder_name_" * 6) / "[red]not-markup[/red]"
    deep.mkdir(parents=True)
    missing = deep / "missing_input.yaml"
    result = _run_without_columns("design", str(missing), "-o", str(tmp_path / "out"))
    assert result.returncode == 2, result.stderr
    assert str(missing) in result.stderr.replace("\n", "") and str(missing) in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    result = _run_without_columns("diff", str(missing), str(missing))
    assert result.returncode != 0 and "Traceback" not in result.stderr
    line = next(line for line in result.stderr.splitlines() if line.startswith("error:"))
    assert str(missing) in line, result.stderr


def test_fail_prints_each_problem_and_exits_with_the_error_code(capsys):
    from schemawright.cli.output import fail
    from schemawright.errors import SpecError, SpecProblem

    with pytest.raises(typer.Exit) as exit_info:
        fail(SpecError([SpecProblem("bad [bold]value[/bold]", file="in.yaml", line=3)]))
    assert exit_info.value.exit_code == 2
    err = capsys.readouterr().err
    assert "1 problem(s) in the input; nothing was written" in err
    assert "in.yaml:3: bad [bold]value[/bold]" in err


def test_a_mistyped_command_is_matched_against_every_command():
    result = _run_without_columns("lnt")
    assert result.returncode == 2 and "Did you mean 'lint'?" in result.stderr, result.stderr
