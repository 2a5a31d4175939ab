"""Every schema rule against its fixture (tests/lint_schema_cases/<rule>.yaml): ``fires:`` and ``quiet:`` cases.

A case is SQL (or ``{sql, config, objects, live, commit}``) applied to a database and linted there:
inside a transaction rolled back afterwards (one scratch database for the module), or, with
``commit: true``, committed in a fresh scratch database with the activity statistics flushed (for the
rules that read ``pg_stat_*``). ``objects`` lists the object paths the rule must flag, exactly;
``live`` lints with the activity statistics.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
import yaml

from schemawright.db import connect, scratch_database
from schemawright.lint.docs import SCHEMA_HEADER, schema_rule_docs, stale_files
from schemawright.lint.engine import LintConfig
from schemawright.lint.schema import SCHEMA_RULES, lint_connection
from schemawright.lint.schema_sources import sql_anchors
from schemawright.lint.source import SqlFile
from schemawright.project.sources import apply_sql

CASES = Path(__file__).parent / "lint_schema_cases"
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


@pytest.fixture(scope="module")
def case_conn(pg_dsn):
    """One scratch database for the transactional cases; each case runs in a transaction rolled back after."""
    with scratch_database(pg_dsn, prefix="sw_lint_cases") as dsn, connect(dsn, autocommit=True) as conn:
        yield conn


def run_case(case: dict, conn, pg_dsn) -> list:
    config = LintConfig(options=case.get("config") or {})
    anchors = sql_anchors([SqlFile("case.sql", case["sql"])], SCHEMA_RULES.parse_ignore)  # -- ignore comments
    if case.get("commit"):
        with scratch_database(pg_dsn, prefix="sw_lint_live") as dsn, connect(dsn, autocommit=True) as live:
            apply_sql(live, case["sql"])
            live.execute("SELECT pg_stat_force_next_flush()")  # this backend's counters, visible to the next query
            live.execute("SELECT 1")
            return lint_connection(live, config=config, live=True, anchors=anchors).findings
    with conn.transaction(force_rollback=True):
        apply_sql(conn, case["sql"])
        return lint_connection(conn, config=config, live=bool(case.get("live")), anchors=anchors).findings


@pytest.mark.parametrize(("code", "kind", "case"), list(_cases()))
def test_rule_case(code, kind, case, case_conn, pg_dsn):
    case = {"sql": case} if isinstance(case, str) else case
    findings = [f for f in run_case(case, case_conn, pg_dsn) if f.rule == code]
    if kind == "quiet":
        assert findings == []
    elif "objects" in case:
        assert sorted(f.location.object for f in findings) == sorted(case["objects"]), findings
    else:
        assert findings, f"{code} did not fire"
    for finding in findings:
        assert finding.fix and finding.message and finding.location.object


def test_every_rule_has_a_fixture_that_fires_and_stays_quiet():
    fixtures = _fixtures()
    for rule in SCHEMA_RULES:
        module = Path(inspect.getfile(rule)).stem
        assert module == f"{rule.code.lower()}_{rule.name.replace('-', '_')}", module
        assert rule.code in fixtures, f"no tests/lint_schema_cases fixture for {rule.code}"
        path, data = fixtures[rule.code]
        assert path.stem == module
        assert data.get("fires") and data.get("quiet"), f"{path.name} needs fires: and quiet: cases"
    assert set(fixtures) == {r.code for r in SCHEMA_RULES}


def test_rule_docs_are_in_sync_with_the_rules():
    stale = stale_files(DOCS, schema_rule_docs(), header=SCHEMA_HEADER)
    assert stale == [], f"run: .venv/bin/python scripts/gen_rule_docs.py (stale: {stale})"


def test_at_least_twenty_five_rules_in_every_family_with_complete_metadata():
    assert len(SCHEMA_RULES) >= 25
    families = {rule.code[:3] for rule in SCHEMA_RULES}
    assert families == {"SW1", "SW2", "SW3", "SW4", "SW6", "SW7"}
    for rule in SCHEMA_RULES:
        info = rule.info()
        assert info.summary and info.description and info.fix
        assert "```sql" in info.description, f"{rule.code} docs need a SQL example"
        assert rule.code[:3] != "SW7" or rule.needs in ("catalog", "live"), rule.code
