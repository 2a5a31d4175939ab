from __future__ import annotations

from collections import defaultdict

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import SchemaRule
from schemawright.lint.schema_rules.indexes import index_entries
from schemawright.model.schema import Table


class DuplicateIndex(SchemaRule):
    """Two indexes (or an index and a primary key / unique constraint) have the same definition.

    Seed 004: "Duplicate indexes". The copy is never chosen over the original for a query, yet every
    insert, update and delete maintains both, and both take disk, cache and vacuum time. The rule
    compares method, keys (with their order, direction and operator class), predicate and INCLUDE
    columns; uniqueness does not matter, so a plain index on a primary key's columns is a duplicate.
    The most useful one (primary key, unique constraint, unique index, index) is kept.

    **Bad**

    ```sql
    CREATE TABLE users (id bigint PRIMARY KEY, email text);
    CREATE INDEX idx_users_id ON users (id);
    ```

    **Good**

    ```sql
    CREATE TABLE users (id bigint PRIMARY KEY, email text);   -- the primary key's index serves lookups by id
    ```
    """

    code = "SW402"
    name = "duplicate-index"
    severity = Severity.WARNING
    fix = "DROP INDEX CONCURRENTLY idx_users_id;"
    targets = (Table,)

    def check(self, table, ctx):
        groups = defaultdict(list)
        for entry in index_entries(table):
            groups[entry.signature].append(entry)
        for entries in groups.values():
            if len(entries) < 2:
                continue
            keep, *copies = sorted(entries, key=lambda e: (e.rank, e.name))
            for copy in copies:
                yield self.report(ctx, f"The {copy.kind} {copy.name!r} duplicates the {keep.kind} {keep.name!r} "
                                       f"on {table.name} ({', '.join(str(k[0]) for k in keep.keys)}).",
                                  at=ctx.table_path(table, copy.name), fix=copy.drop_sql(ctx, table))
