"""``schemawright import`` of the corpus's MySQL and SQLite scripts (../shared/corpus): each loads, its task
input carries the whole imported model (designing it gives the same model back), and PostgreSQL accepts and
builds the design. The PostgreSQL scripts are measured against PostgreSQL itself (the script loaded vs
import -> design -> migrate up, ``pg_dump -s`` compared) in tests/test_import_oracle_corpus.py; no count of
today's differences is pinned here: the aim (no difference) is asserted, and where it does not hold yet the
test is an xfail that lists each difference. A table of the results is printed at the end of the module."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from schemawright.importers import import_source
from schemawright.importers.roundtrip import build_design, round_trip_differences

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
PG15_DSN = "postgresql://postgres@/postgres?host=/var/run/postgresql"

# path, minimum tables. Known today (xfail with the list when run): PostgreSQL rewrites or refuses some
# MySQL/SQLite views (lax GROUP BY, DISTINCT + ORDER BY, char = int), timestamp literal defaults, MySQL JSON
# generated columns and SQLite JSON on text.
SCHEMAS = [
    ("chinook/Chinook_MySql.sql", 11),
    ("chinook/Chinook_Sqlite.sql", 11),
    ("sakila/mysql-sakila-schema.sql", 16),
    ("sakila/sqlite-sakila-schema.sql", 16),
    ("sakila-mysql-official/sakila-schema.sql", 16),
    ("temporal/schema/mysql/v8/temporal/schema.sql", 37),
    ("temporal/schema/mysql/v8/visibility/schema.sql", 1),
    ("temporal/schema/sqlite/v3/temporal/schema.sql", 37),
    ("temporal/schema/sqlite/v3/visibility/schema.sql", 1),
    ("tbls-docs/testdata/ddl/mysql/mysql.sql", 9),
    ("tbls-docs/testdata/ddl/maria.sql", 9),
    ("tbls-docs/testdata/ddl/sqlite.sql", 9),
]

ROWS: list[tuple] = []


def _pg15() -> str | None:
    try:
        with psycopg.connect(PG15_DSN, connect_timeout=2):
            return PG15_DSN
    except psycopg.Error:
        return None


@pytest.fixture(scope="module")
def servers(pg_dsn, request):
    """The embedded server, then the Debian PostgreSQL 15 (with contrib extensions) when reachable."""
    yield [pg_dsn] + [dsn for dsn in [_pg15()] if dsn]
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None or not ROWS:
        return
    header = ("schema", "kind", "tables", "columns", "FKs", "indexes", "skipped", "catalog diff", "round trip",
              "built diff")
    widths = [max(len(str(r[i])) for r in [header, *ROWS]) for i in range(len(header))]
    with request.config.pluginmanager.get_plugin("capturemanager").global_and_fixture_disabled():
        reporter.write_line("")
        for row in [header, *ROWS]:
            reporter.write_line("  ".join(str(v).ljust(w) if i == 0 else str(v).rjust(w)
                                          for i, (v, w) in enumerate(zip(row, widths, strict=True))))
        reporter.write_line("(catalog diff: script vs catalog of the same script; round trip: import vs designed "
                            "model; built diff: import vs catalog of the built design; *: an extension the "
                            "servers here lack, not asserted)")


@pytest.mark.corpus
@pytest.mark.parametrize("relative,min_tables", SCHEMAS, ids=[s[0] for s in SCHEMAS])
def test_corpus_schema_imports_and_round_trips(servers, relative, min_tables):
    path = CORPUS / relative
    if not path.is_file():
        pytest.skip(f"corpus file {path} is absent (the corpus is expected at <repo>/../shared/corpus)")
    result = import_source(str(path))
    s = result.schema
    assert result.source_kind in ("mysql", "sqlite")
    assert len(s.tables) >= min_tables
    round_trip = round_trip_differences(result, str(path))
    assert round_trip == []  # the task input carries the whole model
    built = build_design(result, servers[0], str(path))
    if built.errors and len(servers) > 1:
        built = min(built, build_design(result, servers[1], str(path)), key=lambda b: len(b.differences))
    ROWS.append((relative, result.source_kind, len(s.tables), sum(len(t.columns) for t in s.tables),
                 sum(len(t.foreign_keys) for t in s.tables), sum(len(t.indexes) for t in s.tables),
                 sum(x.count for x in result.skipped), "-", len(round_trip), len(built.differences)))
    if built.differences or built.errors:
        pytest.xfail(f"aim: PostgreSQL builds the design as imported; today {len(built.errors)} statement(s) "
                     f"refused, {len(built.differences)} difference(s): {(built.errors + built.differences)[:8]}")
