"""Every migration rule against its fixture (tests/lint_cases/<rule>.yaml): ``fires:`` and ``quiet:`` SQL."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
import yaml

from schemawright.lint.docs import migration_rule_docs, stale_files
from schemawright.lint.engine import LintConfig
from schemawright.lint.migration import MIGRATION_RULES, lint_sql

CASES = Path(__file__).parent / "lint_cases"
DOCS = Path(__file__).parents[1] / "docs" / "rules"


def _fixtures() -> dict[str, tuple[Path, dict]]:
    loaded = {}
    for path in sorted(CASES.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        loaded[data["rule"]] = (path, data)
    return loaded


def _cases():
    for code, (_, data) in _fixtures().items():
        for kind in ("fires", "quiet"):
            for i, case in enumerate(data.get(kind) or ()):
                yield pytest.param(code, kind, case, id=f"{code}-{kind}-{i}")


@pytest.mark.parametrize(("code", "kind", "case"), list(_cases()))
def test_rule_case(code, kind, case):
    case = {"sql": case} if isinstance(case, str) else case
    config = LintConfig(options=case.get("settings", {}))
    findings = [f for f in lint_sql(case.get("files") or case["sql"], config=config) if f.rule == code]
    if kind == "quiet":
        assert findings == []
    elif "count" in case:
        assert len(findings) == case["count"], findings
    else:
        assert findings, f"{code} did not fire"


def test_every_rule_has_a_fixture_that_fires_and_stays_quiet():
    fixtures = _fixtures()
    for rule in MIGRATION_RULES:
        module = Path(inspect.getfile(rule)).stem
        assert module == f"{rule.code.lower()}_{rule.name.replace('-', '_')}", module
        assert rule.code in fixtures, f"no tests/lint_cases fixture for {rule.code}"
        path, data = fixtures[rule.code]
        assert path.stem == module
        assert data.get("fires") and data.get("quiet"), f"{path.name} needs fires: and quiet: cases"
    assert set(fixtures) == {r.code for r in MIGRATION_RULES}


def test_rule_docs_are_in_sync_with_the_rules():
    stale = stale_files(DOCS, migration_rule_docs())
    assert stale == [], f"run: .venv/bin/python scripts/gen_rule_docs.py (stale: {stale})"


def test_at_least_fifteen_rules_with_complete_metadata():
    assert len(MIGRATION_RULES) >= 15
    for rule in MIGRATION_RULES:
        info = rule.info()
        assert info.summary and info.description and info.fix
        assert "```sql" in info.description, f"{rule.code} docs need a SQL example"
