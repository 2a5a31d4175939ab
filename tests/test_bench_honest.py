"""bench measures what the user declared: ``$n`` parameters bound from sampled rows, designed and
primary-key-only runs alternating (ABAB), an 80-column report, ``--format json``, and a declared
pattern that cannot be measured fails the run with the reason."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from schemawright.api import design_project
from schemawright.cli.bench import register
from schemawright.model.facts import QueryPattern
from schemawright.bench.patterns import PatternError, input_patterns, positional_parameters
from schemawright.seed.source import load_source

INPUTS = Path(__file__).resolve().parent / "inputs"


def test_positional_parameters_are_matched_to_columns():
    schema = load_source(INPUTS / "tricky_types.yaml").schema
    found = positional_parameters(
        schema, "SELECT i.sku FROM items i WHERE i.currency_id = $1 AND $2 <= i.discount ORDER BY i.sku")
    assert {n: (t.name, c) for n, (t, c) in found.items()} == {1: ("items", "currency_id"), 2: ("items", "discount")}
    found = positional_parameters(schema, "SELECT * FROM currencies WHERE code IN ($1, $2)")
    assert {n: c for n, (_, c) in found.items()} == {1: "code", 2: "code"}
    assert positional_parameters(schema, "SELECT $1 + 1") == {}


def test_unbindable_declared_pattern_fails_with_the_reason(scratch_dsn):
    import psycopg

    source = load_source(INPUTS / "tricky_types.yaml")
    source.schema.facts = dataclasses.replace(source.schema.facts, query_patterns=(
        QueryPattern(name="odd", sql="SELECT * FROM items LIMIT $1"),))
    with psycopg.connect(scratch_dsn) as conn:
        with pytest.raises(PatternError, match=r"'odd'.*\$1"):
            input_patterns(conn, source.schema)


def test_bench_binds_alternates_and_fits_80_columns(tmp_path: Path, pg_dsn: str):
    out = tmp_path / "out"
    design_project(INPUTS / "tricky_types.yaml", out)
    app = typer.Typer()
    register(app)
    app.command("noop")(lambda: None)  # a second command keeps "bench" as a subcommand name
    runner = CliRunner()
    args = ["bench", str(out), "--dsn", pg_dsn, "--scale", "0.01", "--duration", "1", "--warmup", "0",
            "--clients", "1", "--no-floor"]
    result = runner.invoke(app, args, env={"COLUMNS": "80"}, terminal_width=80)
    assert result.exit_code == 0, result.output
    # every line fits 80 columns, but the files written: one path a line, as long as the path is
    assert max(len(line) for line in result.stdout.splitlines() if not line.startswith("  /")) <= 80
    assert "items_in_currency" in result.stdout
    doc = json.loads((out / "bench.json").read_text())
    declared = doc["results"]["items_in_currency"]
    assert declared["calls"] > 0 and declared["errors"] == 0 and not doc["unmeasured"]
    assert doc["baseline"]["order"] == "ABAB" and doc["baseline"]["results"]["items_in_currency"]["calls"] > 0
    agent = json.loads((out / "agent_output.json").read_text())
    assert any(p["query_type"] == "items_in_currency"
               for p in agent["performance_analysis"]["query_performance_projections"])
    as_json = runner.invoke(app, [*args, "--no-baseline", "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.stdout)["results"]["items_in_currency"]["calls"] > 0
