"""DDL that creates the partitions of a partitioned table (the parent is rendered by the dialect).

Range partitions by month are made by the maintenance function ``fn_create_monthly_partitions``
(the designer adds it to the schema): the migration creates last month to three months ahead, and
a scheduled call keeps creating the months to come. A DEFAULT partition catches rows no month takes
(it should stay empty: monitor it). Hash partitions are created once, all of them.
"""

from __future__ import annotations

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
