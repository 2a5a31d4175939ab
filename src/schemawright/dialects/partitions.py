"""DDL that creates the partitions of a partitioned table (the parent is rendered by the dialect).

Range partitions by month are made by the maintenance function ``fn_create_monthly_partitions``
(the designer adds it to the schema): the migration creates last month to three months ahead, and
a scheduled call keeps creating the months to come. A DEFAULT partition catches rows no month takes
(it should stay empty: monitor it). Hash partitions are created once, all of them.
"""

from __future__ import annotations

import re

from schemawright.model.names import quote_ident as q
from schemawright.model.names import quote_literal, shorten
from schemawright.model.schema import Table

PARTITION_FUNCTION = "fn_create_monthly_partitions"
HASH_PARTITIONS = 16


def _qualified(t: Table) -> str:
    return q(t.name) if t.schema == "public" else f"{q(t.schema)}.{q(t.name)}"


def partition_grants_revoked(t: Table) -> str:
    """Revoke what default privileges granted on ``t``'s partitions: rows go through the parent, whose grants
    and row-level security apply; a grant on a partition lets a role read it directly, past both. V001 creates
    the first partitions before its default privileges, a later migration after them, hence this step."""
    return ("DO $$\nDECLARE\n    r record;\nBEGIN\n"
            "    FOR r IN SELECT DISTINCT c.oid::regclass AS part, CASE WHEN a.grantee = 0 THEN 'PUBLIC' "
            "ELSE quote_ident(pg_get_userbyid(a.grantee)) END AS who\n"
            "             FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid CROSS JOIN LATERAL aclexplode(c.relacl) a\n"
            f"             WHERE i.inhparent = {quote_literal(_qualified(t))}::regclass AND a.grantee <> c.relowner\n"
            "    LOOP\n        EXECUTE format('REVOKE ALL ON %s FROM %s', r.part, r.who);\n    END LOOP;\nEND\n$$;")


def partition_statements(t: Table) -> list[str]:
    p = t.partitioning
    if p is None or p.origin.rule not in ("partition.range", "partition.hash"):
        return []  # partitioned by another stage, which creates its own partitions
    if p.strategy == "range":
        target = quote_literal(_qualified(t))
        prefix = f"{q(t.schema)}." if t.schema != "public" else ""
        return [f"CREATE TABLE {prefix}{q(shorten(f'{t.name}_default'))} PARTITION OF {_qualified(t)} DEFAULT;",
                f"SELECT {q(PARTITION_FUNCTION)}({target}::regclass, "
                "(date_trunc('month', CURRENT_DATE) - interval '1 month')::date, "
                "(date_trunc('month', CURRENT_DATE) + interval '4 months')::date);"]
    if p.strategy == "hash":
        prefix = f"{q(t.schema)}." if t.schema != "public" else ""
        return [f"CREATE TABLE {prefix}{q(shorten(f'{t.name}_h{i:02d}'))} PARTITION OF {_qualified(t)} "
                f"FOR VALUES WITH (MODULUS {HASH_PARTITIONS}, REMAINDER {i});" for i in range(HASH_PARTITIONS)]
    return []


def bound_predicate(columns: tuple[str, ...], bound: str) -> str | None:
    """The rows of partition key ``columns`` within ``bound`` (FOR VALUES FROM ... TO ..., FOR VALUES IN (...))
    as a condition, the values as PostgreSQL's parser reads them; None for another kind of bound."""
    from pglast import ast, parse_sql
    from pglast.stream import RawStream

    from schemawright.model.names import quote_ident

    try:
        spec = parse_sql(f"CREATE TABLE p PARTITION OF q {bound}")[0].stmt.partbound
    except Exception:  # noqa: BLE001 - not a bound this reads: no check
        return None
    cols = []
    for c in columns:  # a column's name, or an expression key ((a + b), lower(code)) as the parser reads it
        if re.fullmatch(r"[a-z_][a-z0-9_$]*", c) or not c.strip():
            cols.append(quote_ident(c))
            continue
        try:
            (raw,) = parse_sql(f"SELECT {c}")
        except Exception:  # noqa: BLE001 - not one expression: no count
            return None
        select = raw.stmt
        if not isinstance(select, ast.SelectStmt) or len(select.targetList or ()) != 1 or select.fromClause \
                or select.whereClause or select.withClause:
            return None
        cols.append(f"({RawStream()(select.targetList[0].val)})")

    def prefix(datums) -> tuple[list[str], bool]:
        """The leading values of a range bound, and whether MINVALUE/MAXVALUE ends it (the raw parse tree
        holds those as column references)."""
        values = []
        for d in datums:
            if isinstance(d, ast.ColumnRef) and len(d.fields) == 1 and \
                    getattr(d.fields[0], "sval", "").lower() in ("minvalue", "maxvalue"):
                return values, True
            values.append(RawStream()(d))
        return values, False

    def row(items: list[str]) -> str:
        return f"({', '.join(items)})"

    if spec.strategy == "r" and spec.lowerdatums and spec.upperdatums:
        low, _ = prefix(spec.lowerdatums)
        high, high_open = prefix(spec.upperdatums)
        parts = []
        if low:
            parts.append(f"{row(cols[:len(low)])} >= {row(low)}")
        if high:
            parts.append(f"{row(cols[:len(high)])} {'<=' if high_open else '<'} {row(high)}")
        return " AND ".join(parts) if parts else "true"
    if spec.strategy == "l" and spec.listdatums and len(cols) == 1:
        values = [RawStream()(d) for d in spec.listdatums]
        nulls = [v for v in values if v.upper() == "NULL"]
        others = [v for v in values if v.upper() != "NULL"]
        parts = ([f"{cols[0]} IN ({', '.join(others)})"] if others else []) + ([f"{cols[0]} IS NULL"] if nulls else [])
        return " OR ".join(parts)
    return None
