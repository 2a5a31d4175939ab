from __future__ import annotations

from schemawright.findings import Severity
from schemawright.lint.live import Extension
from schemawright.lint.schema_rules.base import SchemaRule, q


class ExtensionInPublic(SchemaRule):
    """An extension is installed in the `public` schema.

    Its functions, types and operators then share a namespace with the application's objects: they
    show up in API schemas (PostgREST exposes `public`), can collide with your names, and anyone
    with CREATE on `public` can shadow them. Install extensions into their own schema (e.g.
    `extensions`) and add it to the `search_path` of the roles that need it.

    **Bad**

    ```sql
    CREATE EXTENSION pg_trgm;                         -- lands in public
    ```

    **Good**

    ```sql
    CREATE SCHEMA IF NOT EXISTS extensions;
    CREATE EXTENSION pg_trgm SCHEMA extensions;
    ```
    """

    code = "SW606"
    name = "extension-in-public"
    severity = Severity.WARNING
    fix = "CREATE SCHEMA IF NOT EXISTS extensions; ALTER EXTENSION pg_trgm SET SCHEMA extensions;"
    targets = (Extension,)
    needs = "catalog"

    def check(self, extension, ctx):
        if extension.schema == "public":
            if extension.relocatable:
                fix = (f"CREATE SCHEMA IF NOT EXISTS extensions;\n"
                       f"ALTER EXTENSION {q(extension.name)} SET SCHEMA extensions;")
            else:
                fix = (f"-- {extension.name} cannot be moved: recreate it (dependent objects must be recreated too)\n"
                       f"DROP EXTENSION {q(extension.name)};\nCREATE EXTENSION {q(extension.name)} SCHEMA extensions;")
            yield self.report(ctx, f"Extension {extension.name!r} is installed in schema public.",
                              at=f"public.{extension.name}", fix=fix)
