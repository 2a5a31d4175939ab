"""Dogfooding: what the designer produces passes our own schema linter.

Inferred decisions must never raise an error or a warning; warnings are tolerated only where the input
itself asked for the flagged choice (e.g. an explicit char(n) type).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from schemawright.findings import Severity
from schemawright.lint.schema import lint_schema
from schemawright.spec.load import load_task_input

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.*"))


def _explicit_types(path: Path) -> set[str]:
    spec, _ = load_task_input(path)
    return {f"{e.name}.{a.name}" for e in spec.data_model.entities for a in e.attributes if a.type}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_designed_schema_lints_without_errors(example):
    result = lint_schema(str(example))
    errors = [f for f in result.findings if f.severity == Severity.ERROR]
    assert not errors, "\n".join(str(f) for f in errors)
    given = _explicit_types(example)
    inferred_warnings = [f for f in result.findings if f.severity == Severity.WARNING
                         and not any(g.split(".")[1] in str(f) for g in given)]
    assert not inferred_warnings, "\n".join(str(f) for f in inferred_warnings)
