""""Tracking events are kept for 24 months then deleted" -> a retention function for the maintenance job.

On a table range-partitioned by month (design/partitioning.py names partitions ``<table>_pYYYYMM``)
the function drops the partitions wholly older than the retention period: instant, no bloat. On a
table kept whole it deletes the rows whose business time is older, but only when the text asks for a
removal ("then deleted", "purged after"): "Dose administrations are kept for 25 years" is a minimum (GCP,
tax law), compiled as a trigger refusing to delete younger rows, never as a job deleting them. Either way
the job returns what it removed; scripts/ schedule it daily with the partition maintenance (run as the table
owner, which append-only tables let correct). Compiled after partitioning, since the method depends on it."""

from __future__ import annotations

import re

from schemawright.design.partitioning import _time_column
from schemawright.design.rules.base import Compiled, RuleText, add_function, add_trigger
from schemawright.model import names

PATTERN = re.compile(r"\b(?:kept|retained|stored|keep|retain|store|held)(?: for| during)? (\d+) "
                     r"(day|week|month|year)s?\b|\b(?:deleted|purged|removed|dropped) after (\d+) (day|week|month|year)s?\b")


def period(text: str) -> str | None:
    m = PATTERN.search(text)
    if not m:
        return None
    n, unit = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    return f"{int(n)} {unit}{'s' if int(n) != 1 else ''}"


# the text asks for removal: "kept for 24 months then deleted", "deleted after 90 days", "purge ... after"
_REMOVE = re.compile(r"\b(?:delete[ds]?|deleting|purge[ds]?|purging|remove[ds]?|removing|drop(?:ped|s)?|erased?|"
                     r"destroy(?:ed|s)?|anonymi[sz]e[ds]?)\b")


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
    monthly = table.partitioning is not None and table.partitioning.strategy == "range"
    if not _REMOVE.search(rt.text) and not monthly:
        return _keep_at_least(rt, keep)
    if monthly:
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
        if not _REMOVE.search(rt.text):
            rt.ctx.infer("retention.window", table.name, f"rolling window of {keep}",
                         f"'{rt.rule.description}' on a table partitioned by month for its volume: read as the "
                         "window the data lives in (older months dropped); write 'kept for at least ...' if it is "
                         "a minimum")
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


def _keep_at_least(rt: RuleText, keep: str) -> Compiled | None:
    """"Dose administrations are kept for 25 years" (no word of removal): a minimum, as in GCP, 21 CFR Part 11
    or tax law; nothing deletes the rows, and a trigger refuses to delete one younger than the period (NULL
    time: refused too, its age is unknown). A purge job needs the text to ask for it ("deleted after")."""
    q, lit = names.quote_ident, names.quote_literal
    table = rt.table
    column = _time_column(rt.ctx, table)
    if column is None:
        return None
    fn = names.shorten(f"fn_{table.name}_keep_minimum")
    trigger = names.trg_name(table.name, "keep_minimum")
    if any(t.name == trigger for t in table.triggers):
        return None
    body = f"""
BEGIN
    IF OLD.{q(column)} IS NULL OR OLD.{q(column)} > now() - interval {lit(keep)} THEN
        RAISE EXCEPTION USING ERRCODE = 'check_violation', CONSTRAINT = TG_NAME,
            MESSAGE = format('%s: %s rows are kept for at least %s; this one (%s = %s) may not be deleted yet',
                             {lit(rt.rule.name)}, TG_TABLE_NAME, {lit(keep)}, {lit(column)}, OLD.{q(column)});
    END IF;
    RETURN OLD;
END;
"""
    made = add_trigger(rt, "retention", trigger, fn, body, "BEFORE", ("DELETE",))
    how = (f"kept for at least {keep}: deleting a row whose {column} is younger is refused; nothing deletes "
           "them afterwards (say 'deleted after ...' for a purge job)")
    rt.ctx.infer("retention.minimum", table.name, f"no deletion before {keep}",
                 f"'{rt.rule.description}' names a period and no removal: a retention period for records "
                 "(clinical, financial, legal) is a minimum, so the rows are protected and never purged by a job")
    return Compiled("retention", made, how)
