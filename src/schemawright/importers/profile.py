"""``schemawright import DSN --profile``: candidate functional dependencies mined from the data.

For each table (at most ``sample`` rows, read once into a temporary table), a column A determines a
column B in the data when no value of A appears with two different values of B. Keys and unique columns
are not offered as determinants (they determine everything), nor columns with a single value; types with
no equality (json, xml, arrays of them) are left out. What holds in today's rows is a *candidate*: the
dependency goes into the task input's ``functional_dependencies`` with its evidence, and the designer's
normalization analysis (design/normal_forms.py) reports what it would mean, for a person to confirm.
"""

from __future__ import annotations

from psycopg import sql

from schemawright.db import connect
from schemawright.model.schema import Schema
from schemawright.model.types import Kind

MIN_ROWS = 20  # fewer rows are no evidence
_NO_EQUALITY = {Kind.JSON}  # json has no equality operator (jsonb has)


def _comparable(column) -> bool:
    name = (column.type.name or "").lower()
    return column.type.array_dims == 0 and name not in ("json", "xml", "point", "polygon", "line", "box", "path",
                                                        "circle") and column.type.kind not in _NO_EQUALITY


def mine_dependencies(dsn: str, schema: Schema, *, sample: int = 100_000, max_columns: int = 16) -> list[dict]:
    """Candidate ``functional_dependencies`` entries ({entity, determinant, dependent, description})."""
    found: list[dict] = []
    with connect(dsn, autocommit=True) as conn:
        for table in schema.tables:
            keys = {c for k in ([table.primary_key] if table.primary_key else []) + list(table.uniques)
                    for c in k.columns if len(k.columns) == 1}
            columns = [c.name for c in table.columns if _comparable(c)][:max_columns]
            if len(columns) < 2:
                continue
            conn.execute("DROP TABLE IF EXISTS pg_temp.sw_profile")
            conn.execute(sql.SQL("CREATE TEMPORARY TABLE sw_profile AS SELECT {} FROM {}.{} LIMIT {}").format(
                sql.SQL(", ").join(map(sql.Identifier, columns)), sql.Identifier(table.schema),
                sql.Identifier(table.name), sql.Literal(sample)))
            rows = conn.execute("SELECT count(*) FROM pg_temp.sw_profile").fetchone()[0]
            if rows < MIN_ROWS:
                continue
            distinct = conn.execute(sql.SQL("SELECT {} FROM pg_temp.sw_profile").format(sql.SQL(", ").join(
                sql.SQL("count(DISTINCT {})").format(sql.Identifier(c)) for c in columns))).fetchone()
            for a, n_a in zip(columns, distinct, strict=True):
                if a in keys or n_a <= 1 or n_a >= rows:
                    continue
                others = [b for b in columns if b != a]
                query = sql.SQL("SELECT {} FROM (SELECT {} FROM pg_temp.sw_profile WHERE {} IS NOT NULL GROUP BY {}) s"
                                ).format(
                    sql.SQL(", ").join(sql.SQL("bool_and(n{} <= 1)").format(sql.SQL(str(i))) for i in range(len(others))),
                    sql.SQL(", ").join(sql.SQL("count(DISTINCT {}) AS n{}").format(sql.Identifier(b), sql.SQL(str(i)))
                                       for i, b in enumerate(others)),
                    sql.Identifier(a), sql.Identifier(a))
                holds = conn.execute(query).fetchone()
                dependents = [b for b, ok in zip(others, holds, strict=True) if ok and b not in keys]
                if dependents:
                    found.append({"entity": table.name, "determinant": [a], "dependent": dependents,
                                  "description": f"candidate mined from data: holds on {rows:,} rows "
                                                 f"({n_a:,} distinct {a}); confirm it is a rule of the domain"})
            conn.execute("DROP TABLE IF EXISTS pg_temp.sw_profile")
    return found
