"""Golden files: the physical model of each example, as reviewed, must not change by accident.

A designer change that alters a model shows up here as a diff. When the change is intended, rerun
with ``--update-golden`` to rewrite tests/golden/<example>/physical_model.sql, then review the new
files (``git diff tests/golden``) as a DBA would before committing them.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from schemawright.api import design_project

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p for p in (ROOT / "examples").iterdir() if p.suffix in (".json", ".yaml", ".yml"))
GOLDEN = Path(__file__).resolve().parent / "golden"
MODEL = "models/physical/physical_model.sql"


def rendered_model(example: Path) -> str:
    artifacts = design_project(example).artifacts
    return next(a.content for a in artifacts if a.path == MODEL)


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_physical_model_matches_golden(example: Path, request):
    golden = GOLDEN / example.stem / "physical_model.sql"
    actual = rendered_model(example)
    if request.config.getoption("--update-golden"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        if not golden.exists() or golden.read_text(encoding="utf-8") != actual:
            golden.write_text(actual, encoding="utf-8")
        return
    assert golden.exists(), f"no golden file {golden.relative_to(ROOT)}: run pytest --update-golden and review it"
    expected = golden.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(list(difflib.unified_diff(
            expected.splitlines(keepends=True), actual.splitlines(keepends=True),
            fromfile=f"golden/{example.stem}/physical_model.sql", tofile="designed now"))[:120])
        pytest.fail(f"the physical model of {example.name} changed (rerun with --update-golden if intended):\n{diff}",
                    pytrace=False)


def test_every_golden_file_has_its_example():
    stems = {p.stem for p in EXAMPLES}
    orphans = sorted(d.name for d in GOLDEN.iterdir() if d.is_dir() and d.name not in stems) if GOLDEN.exists() else []
    assert not orphans, f"golden files without an example (delete them): {orphans}"
