"""Every script in benchmarks/ runs here in a quick mode (small sizes, no timing assertions), so that
none of them can rot unnoticed; and the designer's growth is guarded: designing 1,000 entities takes
less than 15 times as long as designing 100, in the same run."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "benchmarks"
CORPUS = Path(os.environ.get("SCHEMAWRIGHT_CORPUS") or ROOT.parent / "shared" / "corpus")

sys.path.insert(0, str(BENCHMARKS))
from design_1000 import generate  # noqa: E402

# script -> (arguments of its quick mode, what it needs: "dsn" a server, "corpus" ../shared/corpus)
QUICK = {
    "design_1000.py": (["--entities", "30", "--repeat", "1", "--json"], ()),
    "diff_1000.py": (["--entities", "30", "--repeat", "1", "--json"], ()),
    "lint_1000.py": (["--tables", "20", "--repeat", "1", "--json"], ("dsn",)),
    "migrate_apply.py": (["--migrations", "2", "--tables", "2", "--repeat", "1", "--json"], ("dsn",)),
    "seed_load.py": (["--scale", "0.001", "--repeat", "1", "--max-rows", "200", "--json"], ("dsn",)),
    "advise_pagila.py": (["--scale", "0.005", "--cases", "2"], ("dsn", "corpus")),
    "compare_splinter.py": (["--limit", "3"], ("dsn", "corpus")),
    "compare_squawk.py": (["--limit", "20"], ("corpus",)),
    # pgcrypto (the hotel design encrypts a column) and a Redis on localhost:6379
    "cache_peak.py": (["--scale", "0.002", "--seconds", "2", "--rounds", "1", "--json"], ("pg15", "redis")),
}
SERVER = {"dsn", "pg15"}


def test_every_benchmark_has_a_quick_mode():
    assert sorted(p.name for p in BENCHMARKS.glob("*.py")) == sorted(QUICK)


def run_benchmark(script: str, dsn: str | None) -> subprocess.CompletedProcess:
    args, needs = QUICK[script]
    if "corpus" in needs and not CORPUS.is_dir():
        pytest.skip(f"corpus absent: {CORPUS}")
    command = [sys.executable, str(BENCHMARKS / script), *args] + (["--dsn", dsn] if SERVER & set(needs) else [])
    env = os.environ | {"SCHEMAWRIGHT_CORPUS": str(CORPUS), "COLUMNS": "200"}
    result = subprocess.run(command, capture_output=True, text=True, timeout=900, env=env, cwd=ROOT)
    assert result.returncode == 0, f"{script} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


@pytest.mark.parametrize("script", [s for s, (_, needs) in QUICK.items() if not SERVER & set(needs)])
def test_benchmark_runs_offline(script: str):
    result = run_benchmark(script, None)
    if "--json" in QUICK[script][0]:
        figures = json.loads(result.stdout)
        assert figures and all(v is not None for v in figures.values())


@pytest.mark.slow
@pytest.mark.parametrize("script", [s for s, (_, needs) in QUICK.items() if "dsn" in needs])
def test_benchmark_runs_on_a_server(script: str, pg_dsn: str):
    result = run_benchmark(script, pg_dsn)
    if "--json" in QUICK[script][0]:
        assert json.loads(result.stdout)


@pytest.mark.slow
def test_cache_peak_benchmark_runs(pg15_dsn: str):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis().ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on localhost:6379")
    figures = json.loads(run_benchmark("cache_peak.py", pg15_dsn).stdout)
    assert figures["database"]["reads"] and figures["cache"]["reads"] and figures["pool"] == 10


@pytest.mark.slow
def test_advise_benchmark_runs_on_postgres_15(pg15_dsn: str):
    """Pagila's schema is written for PostgreSQL 18 (uuidv7(), a VIRTUAL column, pgvector)."""
    result = run_benchmark("advise_pagila.py", pg15_dsn)
    assert "dexter corpus: " in result.stdout


def _design_seconds(entities: int, folder: Path, samples: int, runs: int = 1, render: bool = False) -> float:
    """CPU seconds one design (and, with ``render``, its rendering) of ``entities`` takes: the best of
    ``samples`` measures of ``runs`` designs each (a short design is repeated so that both sizes are timed
    over a similar stretch of time)."""
    from schemawright.design import design
    from schemawright.render import render_all
    from schemawright.spec.load import load_task_input

    path = folder / f"input_{entities}.json"
    path.write_text(json.dumps(generate(entities)))
    spec, smap = load_task_input(path)
    best = float("inf")
    for _ in range(samples):  # the best: a neighbour's burst of work must not decide the ratio
        gc.collect()
        gc.disable()  # the algorithm's growth, not when the collector happens to run
        try:
            start = time.process_time()
            for _ in range(runs):
                schema = design(spec, smap)
                if render:
                    render_all(schema)
            best = min(best, (time.process_time() - start) / runs)
        finally:
            gc.enable()
    return best


def test_design_grows_linearly():
    """Design of 1,000 entities takes less than 15x the time of 100 (a quadratic step would take ~100x)."""
    with tempfile.TemporaryDirectory() as tmp:
        _design_seconds(20, Path(tmp), 1)  # warm-up: imports and caches
        small = _design_seconds(100, Path(tmp), 3, runs=10)
        large = _design_seconds(1000, Path(tmp), 3)
    assert large < 15 * small, f"design of 1,000 entities took {large:.2f} s, {large / small:.1f}x that of 100"


def test_design_and_render_grow_linearly():
    """Design and render of 1,000 entities take less than 15x the time of 100: every renderer (the seed data,
    the dictionary, agent_output.json...) grows with the schema, none with its square."""
    with tempfile.TemporaryDirectory() as tmp:
        _design_seconds(20, Path(tmp), 1, render=True)  # warm-up: imports, caches, Faker
        small = _design_seconds(100, Path(tmp), 3, runs=5, render=True)
        large = _design_seconds(1000, Path(tmp), 2, render=True)
    assert large < 15 * small, (f"design + render of 1,000 entities took {large:.2f} s, {large / small:.1f}x "
                                "that of 100")


def test_a_very_large_input_designs_without_recursion_error():
    """2,000 entities with long chains of references (issue 11 found a RecursionError there)."""
    from schemawright.design import design
    from schemawright.render import render_all
    from schemawright.spec.load import load_task_input

    data = generate(2000)
    for i, entity in enumerate(data["data_model"]["entities"][1:], start=1):  # a chain through every entity
        entity["attributes"].append(f"entity_{i - 1:04d}_id")
        entity["attributes"] = list(dict.fromkeys(entity["attributes"]))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "input.json"
        path.write_text(json.dumps(data))
        spec, smap = load_task_input(path)
        schema = design(spec, smap)
        artifacts = render_all(schema, spec)
    assert len(schema.tables) >= 2000
    assert any(a.path == "agent_output.json" for a in artifacts)
