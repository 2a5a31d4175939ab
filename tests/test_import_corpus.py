"""``schemawright import`` over the real schemas of the corpus (../shared/corpus): each loads without error,
its task input designs back to the same model, the design builds on PostgreSQL and reads back equal, and
PostgreSQL scripts are interpreted as PostgreSQL itself does (same script loaded into a scratch database).
A table of the results is printed at the end of the module."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from schemawright.importers import import_source
from schemawright.importers.proof import check_against_catalog
from schemawright.importers.roundtrip import build_design, round_trip_differences

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
PG15_DSN = "postgresql://postgres@/postgres?host=/var/run/postgresql"

# path, minimum tables, maximum differences: (script vs catalog, import vs designed model, import vs built
# design). What remains, and why:
# - script vs catalog: PostgreSQL rewrites some view texts (aliases renamed fc -> fc_1, '6 months' -> '6 mons',
#   columns of a function's result listed: AdventureWorks 4, Sakila 1); timestamp literal defaults are stored
#   converted to the column's type (temporal 3); an extension created inside a DO block (visibility 1).
# - designed model: tbls has a table "blogs" in two schemas; entity names are unique in a task input (2).
# - built design: CREATE AGGREGATE is not modelled (pagila, 2 views), a function returning a table's row
#   type is created before the table, trigger arguments are not modelled (pagila 4, sakila); a sequence
#   shared by inherited partitions (sakila 14); MySQL/SQLite views PostgreSQL rewrites or refuses (lax GROUP
#   BY, DISTINCT + ORDER BY, char = int), timestamp literal defaults (temporal 3), MySQL JSON generated
#   columns and SQLite JSON on text (visibility), the btree_gin extension made in a DO block (visibility 14),
#   hypopg absent from the servers (dexter 1).
SCHEMAS = [
    ("pagila/pagila-schema.sql", 16, (0, 0, 4)),
    ("pagila/pagila-schema-jsonb.sql", 1, (0, 0, 0)),
    ("chinook/Chinook_PostgreSql.sql", 11, (0, 0, 0)),
    ("chinook/Chinook_PostgreSql_AutoIncrementPKs.sql", 11, (0, 0, 0)),
    ("chinook/Chinook_MySql.sql", 11, (None, 0, 0)),
    ("chinook/Chinook_Sqlite.sql", 11, (None, 0, 0)),
    ("northwind-pg/northwind.sql", 14, (0, 0, 0)),
    ("adventureworks-pg/install.sql", 68, (4, 0, 4)),
    ("sakila/postgres-sakila-schema.sql", 21, (1, 0, 14)),
    ("sakila/mysql-sakila-schema.sql", 16, (None, 0, 7)),
    ("sakila/sqlite-sakila-schema.sql", 16, (None, 0, 3)),
    ("sakila-mysql-official/sakila-schema.sql", 16, (None, 0, 7)),
    ("temporal/schema/postgresql/v12/temporal/schema.sql", 37, (3, 0, 3)),
    ("temporal/schema/postgresql/v12/visibility/schema.sql", 1, (1, 0, 14)),
    ("temporal/schema/mysql/v8/temporal/schema.sql", 37, (None, 0, 3)),
    ("temporal/schema/mysql/v8/visibility/schema.sql", 1, (None, 0, 3)),
    ("temporal/schema/sqlite/v3/temporal/schema.sql", 37, (None, 0, 0)),
    ("temporal/schema/sqlite/v3/visibility/schema.sql", 1, (None, 0, 1)),
    ("tbls-docs/testdata/ddl/postgres.sql", 10, (0, 2, 2)),
    ("tbls-docs/testdata/ddl/mysql/mysql.sql", 9, (None, 0, 0)),
    ("tbls-docs/testdata/ddl/maria.sql", 9, (None, 0, 0)),
    ("tbls-docs/testdata/ddl/sqlite.sql", 9, (None, 0, 0)),
    ("dexter-tests/schema.sql", 3, (0, 0, 1)),
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
@pytest.mark.parametrize("relative,min_tables,max_diffs", SCHEMAS, ids=[s[0] for s in SCHEMAS])
def test_corpus_schema_imports_and_round_trips(servers, relative, min_tables, max_diffs):
    path = CORPUS / relative
    if not path.is_file():
        pytest.skip(f"corpus file {path} is absent (the corpus is expected at <repo>/../shared/corpus)")
    result = import_source(str(path))
    s = result.schema
    assert len(s.tables) >= min_tables
    round_trip = round_trip_differences(result, str(path))  # the task input carries the whole model...
    assert len(round_trip) <= max_diffs[1], round_trip  # ...but for tables of the same name in two schemas

    catalog_diffs = "-"
    if result.source_kind == "postgresql":
        text = path.read_text(encoding="utf-8-sig")
        checks = [check_against_catalog(text, result, dsn) for dsn in servers[:1]]
        if checks[0].load_errors and len(servers) > 1:  # e.g. uuid-ossp, which the embedded server lacks
            checks.append(check_against_catalog(text, result, servers[1]))
        best = min(checks, key=lambda c: (len(c.load_errors), len(c.differences)))
        catalog_diffs = len(best.differences) if not best.load_errors else f"{len(best.differences)}*"
        if not best.load_errors:
            assert len(best.differences) <= max_diffs[0], best.differences
    built = build_design(result, servers[0], str(path))
    if built.errors and len(servers) > 1:
        built = min(built, build_design(result, servers[1], str(path)), key=lambda b: len(b.differences))
    missing_extension = any("is not available" in e for e in built.errors)  # on this machine's servers
    ROWS.append((relative, result.source_kind, len(s.tables), sum(len(t.columns) for t in s.tables),
                 sum(len(t.foreign_keys) for t in s.tables), sum(len(t.indexes) for t in s.tables),
                 sum(x.count for x in result.skipped), catalog_diffs, len(round_trip),
                 f"{len(built.differences)}*" if missing_extension else len(built.differences)))
    if not missing_extension:
        assert len(built.differences) <= max_diffs[2], built.differences
