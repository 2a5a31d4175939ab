from __future__ import annotations

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import SchemaRule
from schemawright.lint.schema_rules.indexes import index_entries
from schemawright.model.schema import Table


class RedundantPrefixIndex(SchemaRule):
    """A btree index's keys are the leading keys of another btree index, which can serve its queries.

    An index on `(a)` is redundant next to one on `(a, b)`: the wider index answers every lookup and
    range scan on `a` almost as fast, while the narrow one still costs a write on every change.
    Unique indexes, partial indexes and indexes with INCLUDE columns are kept (they enforce or carry
    something the wider index does not).

    **Bad**

    ```sql
    CREATE INDEX idx_orders_user_id ON orders (user_id);
    CREATE INDEX idx_orders_user_id_created_at ON orders (user_id, created_at);
    ```

    **Good**

    ```sql
    CREATE INDEX idx_orders_user_id_created_at ON orders (user_id, created_at);
    ```
    """

    code = "SW403"
    name = "redundant-prefix-index"
    severity = Severity.INFO
    fix = "DROP INDEX CONCURRENTLY idx_orders_user_id;"
    targets = (Table,)

    def check(self, table, ctx):
        entries = [e for e in index_entries(table) if e.method == "btree" and e.where is None]
        for narrow in entries:
            if narrow.kind != "index" or narrow.include:
                continue
            n = len(narrow.keys)
            wider = next((e for e in entries if len(e.keys) > n and e.keys[:n] == narrow.keys), None)
            if wider is not None:
                yield self.report(ctx, f"Index {narrow.name!r} ({', '.join(str(k[0]) for k in narrow.keys)}) is a "
                                       f"prefix of {wider.kind} {wider.name!r} "
                                       f"({', '.join(str(k[0]) for k in wider.keys)}).",
                                  at=ctx.table_path(table, narrow.name), fix=narrow.drop_sql(ctx, table))
