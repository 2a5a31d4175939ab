"""Every example input designs into a complete project folder that verifies on a real PostgreSQL.

Examples are discovered by glob, so a new file in examples/ is covered without touching this file.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from shared_inputs import EXAMPLES, per_input

from schemawright.api import design_project
from schemawright.datagen.rows import regex_sample
from schemawright.render.writer import write_folder

REQUIRED_FILES = (
    "README.md",
    "models/physical/physical_model.sql",
    "models/physical/schema.json",
    "migrations/V001__initial_schema.sql",
    "migrations/U001__initial_schema.sql",
    "docs/inferences.md",
    "agent_output.json",
)
SUMMARY_FIELDS = ("status", "tables_designed", "indexes_optimized", "migrations_created", "time_taken",
                  "confidence_score")


def test_examples_are_found():
    assert len(EXAMPLES) >= 5, [p.name for p in EXAMPLES]


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _without_time(agent_output: bytes) -> dict:
    data = json.loads(agent_output)
    data["execution_summary"].pop("time_taken")
    return data


@pytest.fixture(params=per_input(EXAMPLES))
def example(request) -> Path:
    return request.param


def test_example_designs_and_verifies(example: Path, tmp_path: Path, designed_input, verified_input):
    out = tmp_path / "out"
    result = design_project(example, out)
    assert result.out_dir == out.resolve()

    # The folder layout of a generated project.
    files = _files(out)
    missing = [f for f in REQUIRED_FILES if f not in files]
    assert not missing, f"missing: {missing}"
    table_scripts = [f for f in files if re.fullmatch(r"scripts/ddl/tables/[a-z0-9_]+\.sql", f)]
    assert len(table_scripts) == len(result.schema.tables), table_scripts
    empty = [f for f, content in files.items() if not content.strip()]
    assert not empty, f"empty files: {empty}"

    summary = json.loads(files["agent_output.json"])["execution_summary"]
    assert set(SUMMARY_FIELDS) <= set(summary), summary
    inputs = summary["confidence_inputs"]  # success only when every declared rule is enforced (not yet verified)
    assert summary["status"] == ("success" if inputs["rules_enforced"] == inputs["rules_declared"] else "partial_success")
    assert summary["tables_designed"] == len(result.schema.tables) == len(table_scripts)
    assert summary["indexes_optimized"] == sum(len(t.indexes) for t in result.schema.tables)
    assert summary["migrations_created"] == 1
    assert re.fullmatch(r"\d+\.\d{3}s", summary["time_taken"]), summary["time_taken"]
    assert 0.0 <= summary["confidence_score"] <= 1.0

    # Determinism: a second design of the same input (the session's, tests/conftest.py: designed_input) is
    # byte-identical, but for the time taken.
    again = _files(write_folder(designed_input(example).artifacts, tmp_path / "again"))
    assert sorted(again) == sorted(files)
    differing = [f for f in files if f != "agent_output.json" and files[f] != again[f]]
    assert not differing, f"files differ between two designs of {example.name}: {differing}"
    assert _without_time(files["agent_output.json"]) == _without_time(again["agent_output.json"])

    # The real database: migrations forward/undo/forward, catalog == model, every constraint probed; on the
    # session's folder of the same design (byte-identical to this one, above), verified once per session on the
    # embedded binaries (those with the design's extensions), tests/conftest.py: verified_input.
    verified, report = verified_input(example)
    failed = [f"{s.name}: {s.detail}" + "".join(f"\n      {p}" for p in s.problems[:5])
              for s in report.steps if not s.ok]
    assert report.passed, f"{example.name}: {len(failed)} failing step(s):\n  " + "\n  ".join(failed)
    assert (verified / "verification.json").is_file()


# The verifier builds values for CHECKs with a regular expression from the pattern itself.
@pytest.mark.parametrize("pattern, ignore_case", [
    ("^#[0-9a-f]{6}$", False),
    ("^[^@[:space:]]+@[^@[:space:]]+[.][^@[:space:]]+$", True),
    ("^[a-z0-9]+(-[a-z0-9]+)*$", False),
    ("^[+]?[0-9 ()-]{6,31}$", False),
    ("^[A-Z]{3}$", False),
    ("^https?://", True),
    ("^[a-z]+/[a-z0-9.+-]+$", False),
    ("^(draft|live)-\\d+$", False),
])
def test_regex_samples_match_and_vary(pattern: str, ignore_case: bool):
    flags = re.IGNORECASE if ignore_case else 0
    python = pattern.replace("[:space:]", r"\s")
    samples = [regex_sample(pattern, seed, ignore_case) for seed in range(40)]
    assert all(s is not None and re.search(python, s, flags) for s in samples), samples
    if any(ch in pattern for ch in "+{*"):
        assert len(set(samples)) > 1, samples


def test_regex_sample_gives_up_on_what_it_cannot_build():
    assert regex_sample("(?=a)b", 1) is None
    assert regex_sample("[", 1) is None
