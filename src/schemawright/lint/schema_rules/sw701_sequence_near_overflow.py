from __future__ import annotations

from schemawright.findings import Severity
from schemawright.lint.live import Sequence
from schemawright.lint.schema_rules.base import SchemaRule, q


class SequenceNearOverflow(SchemaRule):
    """A sequence has used more than `sequence_used_ratio` (0.75) of the values its column can hold.

    When an `integer` identity or serial column reaches 2,147,483,647, every insert fails until the
    column is widened, which rewrites the table and its indexes under an exclusive lock: hours of
    downtime on a large table. The limit used is the smaller of the sequence's maximum and the
    column type's. Widen early, while there is time to do it online (add a `bigint` column, backfill
    in batches, swap).

    **Bad**

    ```sql
    -- orders.id integer, its sequence at 1,900,000,000 (88% of 2,147,483,647)
    ```

    **Good**

    ```sql
    ALTER TABLE orders ALTER COLUMN id TYPE bigint;           -- small table: one rewrite
    ALTER SEQUENCE orders_id_seq AS bigint MAXVALUE 9223372036854775807;
    ```
    """

    code = "SW701"
    name = "sequence-near-overflow"
    severity = Severity.ERROR
    fix = ("Widen the column and the sequence: ALTER TABLE orders ALTER COLUMN id TYPE bigint; "
           "ALTER SEQUENCE orders_id_seq AS bigint;  (large table: add a bigint column, backfill, swap)")
    targets = (Sequence,)
    needs = "catalog"

    def check(self, seq, ctx):
        if seq.last_value is None or seq.increment_by <= 0 or seq.cycle:
            return
        used = seq.last_value / seq.limit
        if used < ctx.settings.thresholds.sequence_used_ratio:
            return
        feeds = f" (feeding {seq.table_name}.{seq.column_name}, {seq.column_type})" if seq.column_name else ""
        seq_sql = ctx.sql_name(seq.schema, seq.name)
        fix = f"ALTER SEQUENCE {seq_sql} AS bigint MAXVALUE 9223372036854775807;"
        if seq.column_name and seq.column_type in ("integer", "smallint"):
            fix = (f"ALTER TABLE {ctx.sql_name(seq.table_schema, seq.table_name)} ALTER COLUMN {q(seq.column_name)} "
                   f"TYPE bigint;  -- rewrites the table; on a large one add a column, backfill and swap\n" + fix)
        at = ctx.path(seq.table_schema, seq.table_name, seq.column_name) if seq.column_name else \
            ctx.path(seq.schema, seq.name)
        yield self.report(ctx, f"Sequence {seq.name!r}{feeds} is at {seq.last_value:,} of {seq.limit:,} "
                               f"({used:.0%}).", at=at, fix=fix)
