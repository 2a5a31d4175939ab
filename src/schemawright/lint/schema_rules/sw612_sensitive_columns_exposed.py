from __future__ import annotations

import re

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import SchemaRule, q
from schemawright.model.schema import Table

SENSITIVE = re.compile(
    r"(^|_)(password|passwd|pwd|secret|api_key|apikey|access_token|refresh_token|session_token|token|otp|"
    r"totp_secret|private_key|ssh_key|ssn|social_security|passport|national_id|tax_id|driver_licen[cs]e|"
    r"credit_card|card_number|cvv|cvc|iban|bank_account|account_number|routing_number|medical_record|"
    r"health_record|diagnosis|fingerprint|biometrics?)"
    r"(_(hash|hashed|digest|salt|number|num|no|value|enc|encrypted|plain|plaintext|data|template))?$")


class SensitiveColumnsExposed(SchemaRule):
    """A table readable by PUBLIC or an API role, without row-level security, holds secrets or personal data.

    SW601 already reports every exposed table without row-level security; this rule raises the ones
    holding credentials (`password`, `api_key`, `token`), identity numbers (`ssn`, `passport`),
    payment data (`credit_card`, `cvv`, `iban`) or health data, recognised by column name or by the
    task input's `pii: true`, since one anonymous `SELECT *` leaks them all.

    **Bad**

    ```sql
    CREATE TABLE users (id bigint PRIMARY KEY, email text, password_hash text);
    GRANT SELECT ON users TO anon;
    ```

    **Good**

    ```sql
    REVOKE SELECT ON users FROM anon;
    GRANT SELECT (id, email) ON users TO anon;      -- or RLS plus a view without the secrets
    ALTER TABLE users ENABLE ROW LEVEL SECURITY;
    ```
    """

    code = "SW612"
    name = "sensitive-columns-exposed"
    severity = Severity.ERROR
    fix = "REVOKE SELECT ON users FROM anon; ALTER TABLE users ENABLE ROW LEVEL SECURITY;  (and a policy per role)"
    targets = (Table,)

    def check(self, table, ctx):
        if table.rls_enabled:
            return
        sensitive = [c.name for c in table.columns if c.pii or SENSITIVE.search(c.name.lower())]
        readers = ctx.readers(table.schema, table.name) if sensitive else ()
        if readers:
            roles = ", ".join(r if r == "PUBLIC" else q(r) for r in readers)
            yield self.report(ctx, f"Table {table.name!r} is readable by {', '.join(readers)} without row-level "
                                   f"security and holds sensitive columns: {', '.join(sensitive)}.",
                              at=ctx.table_path(table),
                              fix=f"REVOKE SELECT ON {ctx.table_sql(table)} FROM {roles};\n"
                                  f"ALTER TABLE {ctx.table_sql(table)} ENABLE ROW LEVEL SECURITY;")
