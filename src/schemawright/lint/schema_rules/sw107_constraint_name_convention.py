from __future__ import annotations

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import SchemaRule, q
from schemawright.lint.schema_rules.naming import expected_name, matches
from schemawright.model.schema import Table


class ConstraintNameConvention(SchemaRule):
    """A constraint name does not follow the convention (seed 004: `pk_`, `fk_`, `uq_`, `chk_<table>_...`).

    A constraint's name is what an application sees when an insert fails (`violates foreign key
    constraint "fk_orders_user_id"`); a name that says the table, the kind and the columns can be
    mapped to a helpful message without a catalog lookup. Patterns: `naming: {primary_key,
    foreign_key, unique, check}` (globs with `{table}`); `preset: postgres` accepts PostgreSQL's
    generated names (`orders_pkey`, `orders_user_id_fkey`, `users_email_key`, `orders_total_check`).

    **Bad**

    ```sql
    CREATE TABLE orders (id bigint CONSTRAINT orders_primary PRIMARY KEY,
                         total numeric CONSTRAINT positive CHECK (total >= 0));
    ```

    **Good**

    ```sql
    CREATE TABLE orders (id bigint CONSTRAINT pk_orders_id PRIMARY KEY,
                         total numeric CONSTRAINT chk_orders_total CHECK (total >= 0));
    ```
    """

    code = "SW107"
    name = "constraint-name-convention"
    severity = Severity.INFO
    fix = "Rename the constraint: ALTER TABLE orders RENAME CONSTRAINT positive TO chk_orders_total;"
    targets = (Table,)

    def check(self, table, ctx):
        naming = ctx.settings.naming
        found = []
        if table.primary_key:
            found.append(("primary key", table.primary_key.name, naming.primary_key, table.primary_key.columns))
        found += [("foreign key", fk.name, naming.foreign_key, fk.columns) for fk in table.foreign_keys]
        found += [("unique constraint", u.name, naming.unique, u.columns) for u in table.uniques]
        found += [("check constraint", c.name, naming.check, c.columns) for c in table.checks]
        for kind, name, pattern, columns in found:
            if not matches(name, pattern, table):
                better = expected_name(pattern, table, columns)
                yield self.report(ctx, f"The {kind} {name!r} does not match the naming pattern {pattern!r}.",
                                  at=ctx.table_path(table, name),
                                  fix=f"ALTER TABLE {ctx.table_sql(table)} RENAME CONSTRAINT {q(name)} TO {q(better)};")
