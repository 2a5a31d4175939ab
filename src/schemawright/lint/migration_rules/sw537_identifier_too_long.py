from __future__ import annotations

from pglast import ast

from schemawright.findings import Severity
from schemawright.lint.migration_rules.base import MigrationRule
from schemawright.lint.pg import NAMEDATALEN


class IdentifierTooLong(MigrationRule):
    """An identifier is longer than 63 bytes, so PostgreSQL silently truncates it.

    Names are cut to 63 bytes (`NAMEDATALEN - 1`, counted in UTF-8 bytes, not characters) with only a
    NOTICE. The object then has a different name from the one in the migration and the code: later
    references by the full name fail, and two long names that share their first 63 bytes collide.

    **Bad**

    ```sql
    CREATE INDEX index_on_customer_orders_by_customer_id_and_created_at_and_status_desc ON orders (...);
    ```

    **Good**

    ```sql
    CREATE INDEX orders_customer_created_status_idx ON orders (...);
    ```
    """

    code = "SW537"
    name = "identifier-too-long"
    severity = Severity.WARNING
    fix = "Choose a name of at most 63 bytes."
    targets = (ast.Node,)

    def check(self, node, ctx):
        seen = set()
        for offset, name in ctx.file.identifiers(ctx.statement):
            size = len(name.encode("utf-8"))
            if size > NAMEDATALEN and name not in seen:
                seen.add(name)
                yield self.report(ctx, f"Identifier {name!r} is {size} bytes long; PostgreSQL truncates it to "
                                       f"{NAMEDATALEN} bytes.", at=offset)
