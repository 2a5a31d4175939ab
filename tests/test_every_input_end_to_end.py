"""Every example and every tests/inputs file: designed, verified, seeded and benchmarked on the
default servers (no --dsn anywhere), encrypted designs included; agent_output.json stays valid."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from shared_inputs import EXAMPLES, TASK_INPUTS, per_input

from schemawright.bench.report import write_outputs
from schemawright.bench.run import bench

INPUTS = sorted(EXAMPLES + TASK_INPUTS)


@pytest.mark.slow
@pytest.mark.parametrize("path", per_input(INPUTS))
def test_design_verify_seed_bench_on_the_defaults(path: Path, tmp_path: Path, pg_dsn: str, verified_input):
    # pg_dsn: the session's embedded server, in a private SCHEMAWRIGHT_HOME (stopped at the end)
    # verified_input: design_project(path) written to a folder and verify_project(folder) there, without a DSN
    # (a private cluster), once per session for every test of this input (tests/conftest.py)
    verified, report = verified_input(path)
    assert report.passed, [f"{s.name}: {s.detail}" for s in report.steps if not s.ok][:10]
    out = shutil.copytree(verified, tmp_path / "out")
    # bench seeds first (seed_source, scale 0.001, on the default server with the design's extensions, as a
    # separate seed would): the rows it loaded are the seed step's result
    doc = bench(out, scale=0.001, duration=0.6, warmup=0, clients=1, floor=False, max_rows=20_000)
    assert doc["seed"]["rows"] > 0, doc["seed"]
    assert not doc["unmeasured"], doc["unmeasured"]
    write_outputs(doc, out)
    summary = json.loads((out / "agent_output.json").read_text())["execution_summary"]
    assert summary["confidence_inputs"]["verification"]["failed"] == 0
    assert "bench" in summary["confidence_inputs"]
