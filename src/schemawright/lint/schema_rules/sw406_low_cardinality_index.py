from __future__ import annotations

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import SchemaRule
from schemawright.model.schema import IndexMethod, Table
from schemawright.model.types import Kind


class LowCardinalityIndex(SchemaRule):
    """A single-column index is on a column with only a few distinct values (a boolean, a small enum).

    Seed 004: "Indexing low-cardinality columns alone". An index on `is_active` finds half the table:
    the planner prefers a sequential scan, so the index only costs writes. Index the rare value with
    a partial index (`WHERE NOT is_active`), or put the column after a selective one in a composite
    index. Statically the rule sees boolean columns and enums with at most
    `thresholds: {low_cardinality_distinct: 5}` labels; with planner statistics (`pg_stats`, after
    ANALYZE) it flags any column with that few distinct values on tables of at least
    `low_cardinality_min_rows` rows.

    **Bad**

    ```sql
    CREATE INDEX idx_users_is_active ON users (is_active);
    ```

    **Good**

    ```sql
    CREATE INDEX idx_users_inactive ON users (id) WHERE NOT is_active;
    ```
    """

    code = "SW406"
    name = "low-cardinality-index"
    severity = Severity.INFO
    fix = "DROP INDEX CONCURRENTLY idx_users_is_active;  -- and, if the rare value is queried: a partial index"
    targets = (Table,)

    def check(self, table, ctx):
        limits = ctx.settings.thresholds
        for index in table.indexes:
            if index.unique or index.where is not None or index.method != IndexMethod.BTREE or len(index.elements) != 1:
                continue
            column = table.column(index.elements[0].column or "")
            if column is None or column.type.array_dims:
                continue
            distinct = _distinct(ctx, table, column)
            if distinct is None or distinct > limits.low_cardinality_distinct:
                continue
            yield self.report(ctx, f"Index {index.name!r} is on {column.name!r} alone, which has only "
                                   f"{distinct:g} distinct values.", at=ctx.table_path(table, index.name),
                              fix=f"DROP INDEX CONCURRENTLY {ctx.sql_name(table.schema, index.name)};")


def _distinct(ctx, table: Table, column) -> float | None:
    if column.type.kind == Kind.BOOLEAN:
        return 2
    if column.type.kind == Kind.ENUM:
        enum = next((e for e in ctx.schema.enums if e.name == column.type.name), None)
        if enum is not None:
            return len(enum.values)
    if ctx.catalog is None:
        return None
    stats = ctx.catalog.column_stats.get((table.schema, table.name, column.name))
    facts = ctx.relation_facts(table.schema, table.name)
    if stats is None or facts is None or facts.reltuples < ctx.settings.thresholds.low_cardinality_min_rows:
        return None
    return round(stats.distinct(facts.reltuples))
