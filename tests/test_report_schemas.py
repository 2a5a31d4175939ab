"""docs/schemas: the JSON Schemas of the task input and of agent_output.json hold for every example and
every tests/inputs file, and the task input schema is the one the models generate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is in the test extras: pip install -e '.[test]'")

from shared_inputs import EXAMPLES, TASK_INPUTS, per_input  # noqa: E402

from schemawright.api import design_project  # noqa: E402
from schemawright.analysis import confidence  # noqa: E402
from schemawright.render.writer import write_folder  # noqa: E402
from schemawright.spec.json_schema import task_input_schema  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "docs" / "schemas"
INPUTS = sorted(EXAMPLES + TASK_INPUTS)


def _validator(name: str):
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _errors(validator, doc) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in validator.iter_errors(doc)]


def test_task_input_schema_is_up_to_date():
    committed = json.loads((SCHEMAS / "task_input.schema.json").read_text(encoding="utf-8"))
    assert committed == task_input_schema(), \
        "regenerate: python -m schemawright.spec.json_schema > docs/schemas/task_input.schema.json"


@pytest.mark.parametrize("path", INPUTS, ids=[p.name for p in INPUTS])
def test_every_input_matches_the_task_input_schema(path: Path):
    assert not _errors(_validator("task_input.schema.json"), yaml.safe_load(path.read_text(encoding="utf-8")))


def test_task_input_schema_refuses_what_the_loader_refuses():
    validator = _validator("task_input.schema.json")
    good = yaml.safe_load((ROOT / "tests" / "inputs" / "tricky_types.yaml").read_text(encoding="utf-8"))
    assert not _errors(validator, good)
    bad = json.loads(json.dumps(good))
    bad["data_model"]["entities"][0]["atributes"] = bad["data_model"]["entities"][0].pop("attributes")
    assert _errors(validator, bad)
    del good["data_model"]
    assert any("data_model" in e for e in _errors(validator, good))


@pytest.mark.parametrize("path", per_input(INPUTS))
def test_every_agent_output_matches_its_schema(path: Path, tmp_path: Path, designed_input):
    # designed_input: design_project(path), once per session (tests/conftest.py); written here as
    # design_project(path, folder) writes it
    write_folder(designed_input(path).artifacts, tmp_path / "out")
    doc = json.loads((tmp_path / "out" / "agent_output.json").read_text(encoding="utf-8"))
    assert not _errors(_validator("agent_output.schema.json"), doc)
    summary = doc["execution_summary"]
    inputs = summary["confidence_inputs"]
    # The status follows the documented rule: documented-only business rules make it partial.
    expected = "success" if inputs["rules_enforced"] == inputs["rules_declared"] else "partial_success"
    assert summary["status"] == expected
    assert summary["confidence_score"] == confidence.score(inputs)[0]
    assert inputs["verification"] is None and summary["confidence_terms"]["verification"] == confidence.UNVERIFIED
    # Storage: the audit trail is growth, not initial size.
    storage = doc["performance_analysis"]["storage_estimate"]
    assert "audit_log" not in storage["tables"]
    for name in storage["growth_per_year"]:
        assert name not in storage["tables"] and f"{name} grows about" in doc["performance_analysis"]["estimated_storage"]


def test_confidence_formula():
    base = {"verification": None, "rules_declared": 4, "rules_enforced": 3, "columns": 50,
            "fallback_typed_columns": 5, "inference_warnings": 2}
    value, terms = confidence.score(base)
    assert terms == {"verification": 0.5, "rules": 0.75, "typing": 0.86}
    assert value == round(0.5 * 0.5 + 0.3 * 0.75 + 0.2 * 0.86, 2)
    assert confidence.status(base) == "partial_success"
    verified = dict(base, rules_enforced=4, verification={"checks": 100, "passed": 100, "failed": 0})
    assert confidence.status(verified) == "success"
    failing = dict(verified, verification={"checks": 100, "passed": 90, "failed": 10})
    assert confidence.status(failing) == "partial_success"
    assert confidence.score(failing)[0] < confidence.score(verified)[0]
    assert confidence.status(dict(verified, bench={"checks": 5, "failed": 1})) == "partial_success"


def test_agent_output_lists_every_file_and_carries_each_text_once():
    """Every script, migration and seed file is in agent_output.json, with its text or with the size and
    SHA-256 of the file next to it; V001's statements are carried once (not again for the physical model
    and each per-object DDL file)."""
    import hashlib

    artifacts = {a.path: a for a in design_project(ROOT / "examples" / "ecommerce.json").artifacts}
    report = json.loads(artifacts["agent_output.json"].content)
    entries = [e for section in ("database_scripts", "migration_files", "seed_data")
               for e in report["schema_implementation"][section]]
    listed = {e["filename"] for e in entries}
    assert listed == {p for p, a in artifacts.items() if a.kind in ("schema", "script", "migration", "seed")}
    for e in entries:
        text = artifacts[e["filename"]].content
        if "content" in e:
            assert e["content"] == text
        else:
            assert e["sha256"] == hashlib.sha256(text.encode()).hexdigest() and e["bytes"] == len(text.encode())
            assert e["content_omitted"]
    statement = next(line for line in artifacts["migrations/V001__initial_schema.sql"].content.splitlines()
                     if line.startswith("CREATE TABLE"))
    assert artifacts["agent_output.json"].content.count(statement) == 1
