from __future__ import annotations

import re

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import SchemaRule
from schemawright.model.names import quote_ident as q
from schemawright.model.schema import Table

_NUMBERED = re.compile(r"^(?P<stem>[a-z_]*?[a-z])_?(?P<n>[0-9]{1,2})$")
# Numbered parts that are one value split for display, not a list of values.
_PARTS = ("line", "street", "address")


class RepeatedGroup(SchemaRule):
    """A table repeats one attribute in numbered columns (a repeating group: not in first normal form).

    `phone1, phone2, phone3` caps the list at three, leaves empty columns behind, and makes "find
    the customer with this phone" a query over every copy. Each value belongs in a row of a child
    table. Numbered address lines (`address_line1`, `line2`) are one value split for printing and
    are not reported.

    **Bad**

    ```sql
    CREATE TABLE customers (id bigint PRIMARY KEY, phone1 text, phone2 text, phone3 text);
    ```

    **Good**

    ```sql
    CREATE TABLE customer_phones (customer_id bigint REFERENCES customers (id), phone text NOT NULL,
                                  PRIMARY KEY (customer_id, phone));
    ```
    """

    code = "SW212"
    name = "repeated-group"
    severity = Severity.WARNING
    fix = "Move the numbered columns into a child table, one row per value"
    targets = (Table,)

    def check(self, table, ctx):
        groups: dict[str, list[tuple[int, str]]] = {}
        for column in table.columns:
            if (m := _NUMBERED.match(column.name)) is not None:
                groups.setdefault(m["stem"], []).append((int(m["n"]), column.name))
        for stem, members in groups.items():
            numbers = sorted(n for n, _ in members)
            if len(members) < 2 or numbers[0] > 1 or numbers != list(range(numbers[0], numbers[0] + len(numbers))):
                continue
            if stem.rstrip("_").endswith(_PARTS):
                continue
            cols = [c for _, c in sorted(members)]
            child = f"{table.name.removesuffix('s')}_{stem.rstrip('_')}s"
            yield self.report(ctx, f"Table {table.name!r} repeats {stem.rstrip('_')!r} in numbered columns "
                                   f"({', '.join(cols)}): a repeating group, not in first normal form.",
                              at=ctx.table_path(table, cols[0]),
                              fix=f"CREATE TABLE {q(child)} (... REFERENCES {ctx.table_sql(table)}, "
                                  f"{q(stem.rstrip('_'))} ... NOT NULL);  -- then drop {', '.join(cols)}")
