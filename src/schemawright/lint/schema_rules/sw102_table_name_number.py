from __future__ import annotations

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import SchemaRule, q
from schemawright.model.names import is_plural, plural, singular
from schemawright.model.schema import Table


class TableNameNumber(SchemaRule):
    """A table name is singular where the convention wants plural (or the reverse).

    Seed 004 names tables in the plural (`users`, `order_items`): a table holds many rows, and one
    rule applied everywhere means nobody has to guess whether it is `user` or `users`. Set
    `naming: {tables: singular}` for the opposite convention, or `any` to turn the check off.
    Words without a plural (`inventory`, `staff`, `metadata`) are accepted either way.

    **Bad**

    ```sql
    CREATE TABLE order_item (id bigint PRIMARY KEY);
    ```

    **Good**

    ```sql
    CREATE TABLE order_items (id bigint PRIMARY KEY);
    ```
    """

    code = "SW102"
    name = "table-name-number"
    severity = Severity.INFO
    fix = "Rename the table: ALTER TABLE order_item RENAME TO order_items;"
    targets = (Table,)

    def check(self, table, ctx):
        want = ctx.settings.naming.tables
        if want == "any" or not table.name.islower() or not table.name.rpartition("_")[2].isalpha():
            return  # mixed case is SW101's; a last word like "2024" or "v2" has no number
        if want == "plural" and not is_plural(table.name) and plural(table.name) != table.name:
            better = plural(table.name)
        elif want == "singular" and is_plural(table.name) and singular(table.name) != table.name:
            better = singular(table.name)
        else:
            return
        yield self.report(ctx, f"Table name {table.name!r} is not {want} (the naming convention); "
                               f"expected {better!r}.", at=ctx.table_path(table),
                          fix=f"ALTER TABLE {ctx.table_sql(table)} RENAME TO {q(better)};")
