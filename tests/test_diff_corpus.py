"""migra's fixtures (../shared/corpus/migra-fixtures): for each case, a.sql -> b.sql by our diff, proven
by round trip (forward equals b.sql introspected, undo equals a.sql introspected). Our SQL differs from
migra's expected.sql in wording (and in safety: CONCURRENTLY, NOT VALID); the round trip proves it
equivalent. Prints a table of results; cases that use features the schema model does not carry are
listed as such (their round trip only proves the modelled part)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pglast import ast, parse_sql
from pglast.enums import ConstrType, ObjectType
from psycopg import sql
from test_diff_roundtrip import restore_roles, round_trip  # noqa: F401  (autouse: drops roles made here)

from schemawright.db import connect
from schemawright.errors import DatabaseError
from schemawright.pg_ast import walk

CORPUS = Path(__file__).parents[2] / "shared" / "corpus" / "migra-fixtures"
MIN_PASSING = 23  # of 26; the table the test prints says why the others do not

# What PostgreSQL cannot do here (not a diff problem): the case is reported, not counted as failing.
ENVIRONMENT = ("ICU is not supported",)
ROLES = ("schemainspect_test_role",)  # roles the fixtures grant to (cluster-wide; created NOLOGIN if missing)


def unmodelled_features(sql: str) -> set[str]:
    """Features of a SQL script that the schema model does not represent."""
    found: set[str] = set()
    matviews = set()
    for node in walk(tuple(s.stmt for s in parse_sql(sql))):
        if isinstance(node, ast.GrantStmt) and any(r.rolename == "postgres" for r in node.grantees or ()):
            found.add("grants to the owner")
        elif isinstance(node, ast.CreateStmt):
            if node.partbound is not None:
                found.add("partitions")
            elif node.inhRelations:
                found.add("inheritance")
            if node.relation.relpersistence == "u":
                found.add("unlogged tables")
        elif isinstance(node, ast.CreateSeqStmt):
            found.add("sequences")
        elif isinstance(node, (ast.CollateClause,)) or (
                isinstance(node, ast.DefineStmt) and node.kind == ObjectType.OBJECT_COLLATION):
            found.add("collations")
        elif isinstance(node, ast.Constraint):
            if node.contype == ConstrType.CONSTR_EXCLUSION:
                found.add("exclusion constraints")
            elif node.deferrable and node.contype in (ConstrType.CONSTR_PRIMARY, ConstrType.CONSTR_UNIQUE):
                found.add("deferrable keys")
        elif isinstance(node, ast.CreateExtensionStmt) and node.options:
            found.add("extension versions")
        elif isinstance(node, ast.CreateTableAsStmt) and node.objtype == ObjectType.OBJECT_MATVIEW:
            matviews.add(node.into.rel.relname)
        elif isinstance(node, ast.IndexStmt) and node.relation.relname in matviews:
            found.add("indexes on materialized views")
        elif isinstance(node, ast.CreateTrigStmt) and node.timing == 64:  # INSTEAD OF: a trigger on a view
            found.add("triggers on views")
        elif isinstance(node, ast.CreateFunctionStmt) and any(
                o.defname in ("strict", "set", "cost", "rows", "parallel", "leakproof") for o in node.options or ()):
            found.add("function attributes (STRICT...)")
    return found


def _cases() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(p for p in CORPUS.iterdir() if (p / "a.sql").is_file() and (p / "b.sql").is_file())


@pytest.mark.corpus
def test_migra_fixtures_round_trip(pg_dsn, capsys):
    cases = _cases()
    if not cases:
        pytest.skip(f"corpus absent: {CORPUS} (clone the shared corpus beside the checkout)")
    with connect(pg_dsn, autocommit=True) as conn:
        for role in ROLES:
            if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
                conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))
    rows = []
    for case in cases:
        a, b = (case / "a.sql").read_text(encoding="utf-8"), (case / "b.sql").read_text(encoding="utf-8")
        features = sorted(unmodelled_features(a) | unmodelled_features(b))
        try:
            try:
                problems = round_trip(pg_dsn, a, b)
            except DatabaseError as exc:
                if "could not connect" not in str(exc):
                    raise
                problems = round_trip(pg_dsn, a, b)  # once more: a busy machine may time a connection out
        except Exception as exc:  # setting up a or b failed
            message = str(exc).splitlines()[0]
            status = "environment" if any(e in str(exc) for e in ENVIRONMENT) else "fail"
            rows.append((case.name, status, f"setup: {message}", features))
            continue
        if problems:
            rows.append((case.name, "fail", "; ".join(problems[:3]), features))
        else:
            rows.append((case.name, "pass (model)" if features else "pass", "", features))
    passing = [r for r in rows if r[1].startswith("pass")]
    with capsys.disabled():
        print(f"\nmigra fixtures: {len(passing)}/{len(rows)} round-trip (forward and undo)")
        for name, status, reason, features in rows:
            extra = f"  [not in the model: {', '.join(features)}]" if features else ""
            print(f"  {name:18} {status:13} {reason[:150]}{extra}")
    assert len(passing) >= MIN_PASSING, [r for r in rows if not r[1].startswith("pass")]
