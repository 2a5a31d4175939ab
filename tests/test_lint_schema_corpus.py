"""The schema lint on outside material: splinter's own tests replayed, and Pagila, Northwind, Chinook loaded.

The measured numbers and the reason for every difference are in docs/lint-vs-splinter.md.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from schemawright.lint.splinter import EQUIVALENTS, compare, lint_sample, summarize

CORPUS = Path(__file__).parents[2] / "shared" / "corpus"
SPLINTER = CORPUS / "splinter"
# Known, explained differences (docs/lint-vs-splinter.md): the index on (bar, foo) covers a foreign key on
# (foo, bar) for us; a plain index on a primary key's columns is a duplicate for us.
EXPECTED_ONLY_THEM = {"0001_unindexed_foreign_keys": 1}
EXPECTED_ONLY_US = {"0009_duplicate_index": 2}

pytestmark = pytest.mark.corpus


def _need(path: Path) -> None:
    if not path.exists():
        pytest.skip(f"corpus absent: {path} (expected ../shared/corpus beside the checkout)")


@pytest.fixture(scope="module")
def summary(pg_dsn):
    _need(SPLINTER)
    return summarize(compare(SPLINTER, pg_dsn))


def test_every_splinter_lint_with_an_equivalent_agrees_but_for_the_explained_differences(summary):
    mapped = {lint: counts for lint, counts in summary.items() if lint in EQUIVALENTS}
    assert len(mapped) >= 15
    for lint, counts in mapped.items():
        assert counts["checkpoints"] and counts["not_replayed"] == 0, lint
        assert counts["both"] > 0, lint
        assert counts["only_them"] == EXPECTED_ONLY_THEM.get(lint, 0), (lint, counts)
        assert counts["only_us"] == EXPECTED_ONLY_US.get(lint, 0), (lint, counts)
    both = sum(c["both"] for c in mapped.values())
    differ = sum(c["only_us"] + c["only_them"] for c in mapped.values())
    assert both / (both + differ) >= 0.9  # measured 43 / 46


def test_the_lints_without_an_equivalent_are_supabase_specific(summary):
    unmapped = {lint for lint in summary if lint not in EQUIVALENTS}
    assert unmapped == {"0002_auth_users_exposed", "0003_auth_rls_initplan", "0015_rls_references_user_metadata",
                        "0017_foreign_table_in_api", "0019_insecure_queue_exposed_in_api", "0021_fkey_to_auth_unique",
                        "0025_public_bucket_allows_listing", "0026_pg_graphql_anon_table_exposed",
                        "0027_pg_graphql_authenticated_table_exposed"}


@pytest.mark.parametrize(("name", "expected"), [
    ("pagila", {"SW401": 7, "SW604": 1, "SW609": 1, "SW606": 1, "SW611": 1, "SW305": 13, "SW202": 3}),
    ("northwind", {"SW401": 10, "SW303": 3, "SW201": 0, "SW306": 1}),
    ("chinook", {"SW401": 0, "SW301": 3, "SW403": 1, "SW207": 3}),
])
def test_sample_schemas_loaded_with_their_data(name, expected, pg_dsn):
    _need(CORPUS / name.replace("northwind", "northwind-pg"))
    result = lint_sample(CORPUS, name, pg_dsn)
    found = Counter(f.rule for f in result.findings)
    assert {code: found[code] for code in expected} == expected
    assert result.live and not result.skipped
