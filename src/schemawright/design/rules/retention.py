""""Tracking events are kept for 24 months then deleted" -> a retention function for the maintenance job.

On a table range-partitioned by month (design/partitioning.py names partitions ``<table>_pYYYYMM``)
the function drops the partitions wholly older than the retention period: instant, no bloat. On a
table kept whole it deletes the rows whose business time is older. Either way it returns what it
removed; scripts/ schedule it daily with the partition maintenance (run as the table owner, which
append-only tables let correct). Compiled after partitioning, since the method depends on it.
"""

from __future__ import annotations

import re

from schemawright.design.partitioning import _time_column
from schemawright.design.rules.base import Compiled, RuleText, add_function
from schemawright.model import names

PATTERN = re.compile(r"\b(?:kept|retained|stored|keep|retain|store|held)(?: for| during)? (\d+) "
                     r"(day|week|month|year)s?\b|\b(?:deleted|purged|removed|dropped) after (\d+) (day|week|month|year)s?\b")


def period(text: str) -> str | None:
    m = PATTERN.search(text)
    if not m:
        return None
    n, unit = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    return f"{int(n)} {unit}{'s' if int(n) != 1 else ''}"


def claims(text: str) -> bool:
    """A retention rule, compiled after partitioning."""
    return period(text) is not None


def compile(rt: RuleText) -> Compiled | None:
    keep = period(rt.text)
    if keep is None:
        return None
    q, lit = names.quote_ident, names.quote_literal
    table = rt.table
    fn = names.shorten(f"fn_{table.name}_retention")
    if rt.ctx.schema.function(fn) is not None:
        return None
    target = f"{q(table.schema)}.{q(table.name)}"
    if table.partitioning is not None and table.partitioning.strategy == "range":
        body = f"""
DECLARE
    v_cutoff text := to_char(date_trunc('month', now() - interval {lit(keep)}), 'YYYYMM');
    v_partition record;
    v_dropped integer := 0;
BEGIN
    -- monthly partitions <table>_pYYYYMM wholly older than {keep}
    FOR v_partition IN
        SELECT n.nspname, c.relname FROM pg_catalog.pg_inherits AS i
        JOIN pg_catalog.pg_class AS c ON c.oid = i.inhrelid
        JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
        WHERE i.inhparent = {lit(target)}::regclass AND c.relname ~ '_p[0-9]{{6}}$' AND right(c.relname, 6) < v_cutoff
    LOOP
        EXECUTE format('DROP TABLE %I.%I', v_partition.nspname, v_partition.relname);
        v_dropped := v_dropped + 1;
    END LOOP;
    RETURN v_dropped;
END;
"""
        how = f"drops monthly partitions older than {keep}"
    else:
        column = _time_column(rt.ctx, table)
        if column is None:
            return None
        body = f"""
DECLARE
    v_deleted integer;
BEGIN
    DELETE FROM {target} WHERE {q(column)} < now() - interval {lit(keep)};
    GET DIAGNOSTICS v_deleted = ROW_COUNT;
    RETURN v_deleted;
END;
"""
        how = f"deletes rows whose {column} is older than {keep}"
    made = add_function(rt, "retention", fn, body, returns="integer",
                        comment=f"Retention (business rule {rt.rule.name}): {how}; run daily by the maintenance "
                        "job as the table owner")
    rt.ctx.infer("retention.schedule", fn, "daily job: scripts/maintenance/retention_schedule.sql (pg_cron) or "
                 "scripts/maintenance/retention.sh (cron)", "a retention rule is kept only if something runs it: "
                 "pg_cron when the server has the extension, else the system's cron (docs/operations-retention.md)")
    return Compiled("retention", [made], how)
