"""The migration lint on outside material: squawk's rule tests and harbor's real migration history."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from schemawright.lint.engine import LintConfig
from schemawright.lint.migration import lint_migrations
from schemawright.lint.squawk import SQUAWK_EQUIVALENTS, our_codes, squawk_expects

CORPUS = Path(__file__).parents[2] / "shared" / "corpus"
SQUAWK_CASES = CORPUS / "squawk-rules" / "squawk_linter_cases.jsonl"
HARBOR = CORPUS / "harbor" / "make" / "migrations" / "postgresql"
MIN_AGREEMENT = 0.90  # measured 228/253 = 90.1%; see docs/migration-lint-vs-squawk.md

pytestmark = pytest.mark.corpus


def _need(path: Path) -> None:
    if not path.exists():
        pytest.skip(f"corpus absent: {path} (expected ../shared/corpus beside the checkout)")


def test_agreement_with_squawks_own_rule_tests():
    _need(SQUAWK_CASES)
    counts: Counter = Counter()
    for line in SQUAWK_CASES.read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        equivalents = SQUAWK_EQUIVALENTS.get(case["rule"])
        if not equivalents:
            continue
        codes = our_codes(case["sql"], case["settings"])
        if codes is None:
            counts["unparsed"] += 1
            continue
        counts["cases"] += 1
        counts["agree"] += bool(codes & set(equivalents)) == squawk_expects(case)
    assert counts["unparsed"] <= 3  # squawk's tests include a few statements PostgreSQL rejects
    assert counts["agree"] / counts["cases"] >= MIN_AGREEMENT, counts


def test_harbor_history_parses_and_shows_what_each_file_would_do_to_live_tables():
    _need(HARBOR)
    whole_set = lint_migrations([HARBOR], config=LintConfig(options={"per_file": False}))
    per_file = lint_migrations([HARBOR], config=LintConfig(options={"per_file": True}))
    assert len(per_file.files) == 39 and per_file.statements > 400
    found = Counter(f.rule for f in per_file.findings)
    for rule in ("SW504", "SW513", "SW517", "SW519", "SW520", "SW523", "SW532", "SW533", "SW536"):
        assert found[rule] > 0, rule
    # as one set, the tables 0001 creates count as new, so the later ALTERs on them are not reported
    assert len(_live_table_findings(whole_set)) < 10 < 100 < len(_live_table_findings(per_file))


def _live_table_findings(result):
    type_rules = {"SW532", "SW533", "SW534", "SW535", "SW536"}
    return [f for f in result.findings if f.rule not in type_rules]
