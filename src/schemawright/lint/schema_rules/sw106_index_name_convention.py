from __future__ import annotations

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import SchemaRule, q
from schemawright.lint.schema_rules.naming import expected_name, matches
from schemawright.model.schema import Table


class IndexNameConvention(SchemaRule):
    """An index name does not follow the convention (seed 004: `idx_<table>_<columns>`).

    Names that say which table and columns an index covers make `EXPLAIN` output, lock waits and
    monitoring readable without a catalog lookup, and make duplicates easy to spot in review. The
    pattern is `naming: {index: "idx_{table}_*"}` (a glob; `preset: postgres` accepts
    PostgreSQL's own `<table>_<columns>_idx`).

    **Bad**

    ```sql
    CREATE INDEX orders_idx1 ON orders (user_id);
    ```

    **Good**

    ```sql
    CREATE INDEX idx_orders_user_id ON orders (user_id);
    ```
    """

    code = "SW106"
    name = "index-name-convention"
    severity = Severity.INFO
    fix = "Rename the index: ALTER INDEX orders_idx1 RENAME TO idx_orders_user_id;"
    targets = (Table,)

    def check(self, table, ctx):
        pattern = ctx.settings.naming.index
        for index in table.indexes:
            if not matches(index.name, pattern, table):
                better = expected_name(pattern, table, index.columns)
                yield self.report(ctx, f"Index {index.name!r} does not match the naming pattern {pattern!r}.",
                                  at=ctx.table_path(table, index.name),
                                  fix=f"ALTER INDEX {ctx.sql_name(table.schema, index.name)} RENAME TO {q(better)};")
