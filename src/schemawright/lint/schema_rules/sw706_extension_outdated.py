from __future__ import annotations

from schemawright.findings import Severity
from schemawright.lint.live import Extension
from schemawright.lint.schema_rules.base import SchemaRule, q


class ExtensionOutdated(SchemaRule):
    """An installed extension is older than the version the server ships (`ALTER EXTENSION ... UPDATE` was never run).

    Upgrading the server's packages installs new extension files but leaves each database on the
    old extension version, with its bugs (and sometimes security fixes) until someone runs
    `ALTER EXTENSION ... UPDATE`. Versions the server's extension files do not describe are not
    judged.

    **Bad**

    ```sql
    -- pg_extension: amcheck 1.0; pg_available_extensions: default_version 1.4
    ```

    **Good**

    ```sql
    ALTER EXTENSION amcheck UPDATE;
    ```
    """

    code = "SW706"
    name = "extension-outdated"
    severity = Severity.INFO
    fix = "ALTER EXTENSION amcheck UPDATE;"
    targets = (Extension,)
    needs = "live"

    def check(self, extension, ctx):
        if extension.default_version and extension.known_version and extension.version != extension.default_version:
            yield self.report(ctx, f"Extension {extension.name!r} is at version {extension.version}; the server "
                                   f"ships {extension.default_version}.", at=f"{extension.schema}.{extension.name}",
                              fix=f"ALTER EXTENSION {q(extension.name)} UPDATE;")
