"""docs/access_control.md (roles x tables x operations, policies, encryption, audit, personal data) and
scripts/security/set_app_password.sql (the login role's password, read from the environment)."""

from __future__ import annotations

from schemawright.model.facts import SecurityFacts
from schemawright.model.names import quote_ident as q
from schemawright.model.schema import Schema
from schemawright.probes.security_checks import TABLE_OPERATIONS, effective_privileges
from schemawright.render import Artifact, RenderContext, Renderer
from schemawright.render.docs import md_escape

PASSWORD_SCRIPT = "scripts/security/set_app_password.sql"
RETENTION = {
    "GDPR": "personal data is kept only as long as its purpose needs: set a retention period per table and "
            "erase expired subjects with the erasure function; the audit trail holds no personal data",
    "HIPAA": "keep audit records and security documentation for at least six years",
    "PCIDSS": "keep the audit trail at least one year, the last three months immediately available; never "
              "store card security codes",
    "SOC2": "keep the audit trail as long as the retention policy states (commonly one year)",
    "CCPA": "honour deletion requests with the erasure function within 45 days",
}


def _key(standard: str) -> str:
    return "".join(ch for ch in standard.upper() if ch.isalnum())


def security_implementation(schema: Schema) -> dict:
    """The ``security_implementation`` section of agent_output.json, from the design."""
    facts = schema.facts.security or SecurityFacts()
    audit = facts.audit or {}
    return {
        "user_roles": [{"name": r.name, "purpose": r.purpose, "login": r.login, "member_of": list(r.member_of),
                        "password_source": f"environment variable {r.password_env}" if r.password_env else None,
                        "description": r.comment} for r in schema.roles],
        "permissions": [{"role": g.grantee, "object_type": g.object_type, "object": g.object_name,
                         "privileges": list(g.privileges)} for g in schema.grants]
        + [{"policy": p.name, "table": p.table, "command": p.command, "roles": list(p.roles) or ["PUBLIC"],
            "using": str(p.using) if p.using else None} for p in schema.policies],
        "encryption_setup": [{"table": e["table"], "column": e["column"], "method": "pgcrypto pgp_sym_encrypt "
                              "(AES-256)", "key_source": f"session setting {facts.session_settings.key}",
                              "write": "fn_encrypt(value)", "read": f"fn_decrypt({e['column']})"}
                             for e in facts.encrypted or []]
        + [{"scope": "in transit", "setting": "hostssl + scram-sha-256 (config/pg_hba.conf.example)",
            "required": bool(facts.in_transit)}] if schema.roles else [],
        "audit_triggers": [{"table": t.name, "trigger": tr.name, "function": tr.function, "timing": tr.timing,
                            "events": list(tr.events), "audit_table": audit.get("table")}
                           for t in schema.tables for tr in t.triggers if tr.function == audit.get("function")],
    }


class SecurityDocs(Renderer):
    name = "security_docs"

    def render(self, ctx: RenderContext) -> list[Artifact]:
        if not ctx.schema.roles:
            return []
        return [Artifact("docs/access_control.md", _access_control(ctx), "doc",
                         "Access control: roles x tables x operations, row-level security, encryption, audit"),
                Artifact(PASSWORD_SCRIPT, _password_script(ctx), "script",
                         "Sets the application login role's password from $" + ctx.schema.role("app").password_env)]


def _password_script(ctx: RenderContext) -> str:
    app = ctx.schema.role("app")
    env = app.password_env
    return f"""-- Sets the password of the application's login role {app.name} from the environment variable {env}.
-- The password is never written in a file. Run as a superuser (or a role with CREATEROLE) with psql 15+:
--   {env}='<from your secret store>' psql "$ADMIN_DATABASE_URL" -v ON_ERROR_STOP=1 -f {PASSWORD_SCRIPT}
-- password_encryption = 'scram-sha-256' stores a SCRAM verifier, not the password.
\\getenv app_password {env}
\\if :{{?app_password}}
SELECT :'app_password' = '' AS app_password_empty \\gset
\\else
\\set app_password_empty true
\\endif
\\if :app_password_empty
DO $$ BEGIN RAISE EXCEPTION '{env} is not set or empty: nothing changed'; END $$;
\\endif
BEGIN;
-- Keep the statement (it holds the password) out of the server log, where this role may change it.
DO $$ BEGIN IF current_setting('is_superuser') = 'on' THEN SET LOCAL log_statement = 'none'; END IF; END $$;
ALTER ROLE {q(app.name)} PASSWORD :'app_password';
COMMIT;
\\unset app_password
"""


def _cell(privileges: set[str], operations) -> str:
    return " ".join(op[0] if op in privileges else "·" for op in operations)


def _access_control(ctx: RenderContext) -> str:
    s, facts = ctx.schema, ctx.schema.facts.security or SecurityFacts()
    session = facts.session_settings
    roles = [r for r in s.roles if r.purpose != "owner"]
    effective = {r.name: effective_privileges(s, r.name) for r in roles}
    lines = [f"# Access control: {ctx.schema.facts.project.name}", "",
             f"Data classification **{facts.classification}**; compliance: "
             f"{', '.join(facts.compliance_standards or []) or 'none stated'}; access control: "
             f"{facts.access_control}. Every promise below is attempted on a real database by "
             "`schemawright verify` (group *security*) and by the pgTAP tests in `tests/`.", "",
             "## Roles", "", "Roles are shared by every database of a server, so their names carry the project's "
             f"prefix `{facts.role_prefix}_`.", "", "| role | login | member of | purpose |", "|---|---|---|---|"]
    lines += [f"| `{r.name}` | {'yes' if r.login else 'no'} | {', '.join(r.member_of) or '—'} | "
              f"{md_escape(r.comment or '')} |" for r in s.roles]
    app = s.role("app")
    lines += ["", "## Connecting", "",
              f"- The application logs in as `{app.name}` over TLS (`config/pg_hba.conf.example`: `hostssl`, "
              f"`scram-sha-256`). Its password comes from `${app.password_env}`: set it with "
              f"`{app.password_env}=... psql -f {PASSWORD_SCRIPT}`; no file holds it.",
              f"- Migrations run as a superuser and create objects as `{s.owner}` (`SET ROLE`), which owns them; "
              "nobody logs in as the owner.",
              "- In every transaction the application states who is acting, with parameters (never "
              "string-built SQL):", "", "```sql"]
    if facts.rls:
        used = sorted({b["setting"] for b in facts.rls.values()})
        lines += [f"SELECT set_config('{k}', $1, true);  -- true: for this transaction only" for k in used]
    if facts.encrypted:
        lines += [f"SELECT set_config('{session.key}', $1, true);  -- the encryption key, from your key store"]
    if not facts.rls and not facts.encrypted:
        lines += ["-- nothing to set: no row-level security and no encrypted columns in this design"]
    lines += ["```", "", "## Privileges", "",
              "Letters: " + ", ".join(f"{op[0]} = {op}" for op in TABLE_OPERATIONS) + "; `·` = denied. "
              f"PUBLIC has nothing: `REVOKE ALL ON SCHEMA {s.name} FROM PUBLIC` and on every function.", "",
              "| object | " + " | ".join(f"`{r.name}`" for r in roles) + " |", "|---|" + "---|" * len(roles)]
    for t in s.tables:
        lines.append(f"| table `{t.name}` | " + " | ".join(
            _cell(effective[r.name].get(("table", t.name), set()), TABLE_OPERATIONS) for r in roles) + " |")
    for v in s.views:
        lines.append(f"| view `{v.name}` | " + " | ".join(
            _cell(effective[r.name].get(("view", v.name), set()), ("SELECT",)) for r in roles) + " |")
    for f in s.functions:
        lines.append(f"| function `{f.name}` | " + " | ".join(
            "EXECUTE" if "EXECUTE" in effective[r.name].get(("function", f.name), set()) else "·" for r in roles)
            + " |")
    lines += ["", "Default privileges (objects the owner creates later):", ""]
    for d in s.default_privileges:
        scope = f"in schema `{d.schema}`" if d.schema else "in every schema"
        lines.append(f"- {'revoke' if d.revoke else 'grant'} {', '.join(d.privileges)} on {d.object_type} "
                     f"{scope} {'from' if d.revoke else 'to'} `{d.grantee}`")
    lines += _row_security(s, facts) + _encryption(facts) + _audit(facts) + _personal_data(s, facts)
    lines += ["", "## Limits", "",
              "- Row-level security trusts the session settings: any connection of the application role can set "
              "`app.current_*` to any value. It stops a query that forgets its filter; it does not stop a "
              "compromised application.",
              "- Superusers and roles with BYPASSRLS see every row; TRUNCATE ignores policies, so only the admin "
              "role has it.",
              "- Views read their tables as their owner, who is bound by the policies (FORCE): through a view every "
              "role, admin included, sees the rows of the user or tenant set in the session.",
              "- The key in the session setting is visible to that session and to superusers while it is set; "
              "pass it as a parameter so it does not appear in `pg_stat_activity` or logs.",
              "- A later table with personal data must revoke the default SELECT of the read-only role and get a "
              "masked view; regenerate the design to have that done.", ""]
    return "\n".join(lines)


def _row_security(s: Schema, facts: SecurityFacts) -> list[str]:
    lines = ["", "## Row-level security", ""]
    if not facts.rls:
        return lines + ["No table is bound to a user or a tenant (declare `tenant_column` on an entity to bind "
                        "its rows)."]
    lines += ["| table | bound by | setting | forced | policies |", "|---|---|---|---|---|"]
    for name, b in facts.rls.items():
        t = s.table(name)
        how = f"parent `{b['parent']}`" if b["basis"] == "parent" else f"{b['basis']} column `{b['columns'][0]}`"
        pols = ", ".join(f"`{p.name}`" for p in s.policies if p.table == name)
        lines.append(f"| `{name}` | {how} | `{b['setting']}` | {'yes' if t.rls_forced else 'no'} | {pols} |")
    lines += ["", "| policy | table | command | roles | using / with check |", "|---|---|---|---|---|"]
    lines += [f"| `{p.name}` | `{p.table}` | {p.command} | {', '.join(p.roles) or 'PUBLIC'} | "
              f"`{md_escape(p.using)}` |" for p in s.policies]
    lines += ["", "FORCE binds the owner too, so views (which read as their owner) and maintenance sessions obey "
              "the policies. " + ("The admin role sees every row through its declared `pol_<table>_admin` "
                                  "policies." if facts.admin_bypass else "No role bypasses them.")]
    return lines


def _encryption(facts: SecurityFacts) -> list[str]:
    lines = ["", "## Encrypted columns", ""]
    if not facts.encrypted:
        return lines + ["None (password hashes are one-way hashes, not encrypted: see docs/inferences.md)."]
    key = facts.session_settings.key
    lines += ["| column | stored as | write | read |", "|---|---|---|---|"]
    lines += [f"| `{e['table']}.{e['column']}` | bytea, pgp_sym_encrypt AES-256 | `fn_encrypt($1)` | "
              f"`fn_decrypt({e['column']})` or `{facts.decrypted_views.get(e['table'], '')}` |"
              for e in facts.encrypted]
    return lines + ["", f"The key is never stored: the application sets `{key}` per transaction from its key store "
                    "(pgcrypto must be installed: PostgreSQL contrib). Without it, or with another key, decryption "
                    "fails. Rotating the key: decrypt with the old and encrypt with the new key in one transaction."]


def _audit(facts: SecurityFacts) -> list[str]:
    audit = facts.audit
    lines = ["", "## Audit", ""]
    if not audit:
        return lines + ["Not required by the input (`audit_requirements: false`)."]
    lines += [f"`{audit['table']}` receives one row per inserted, updated or deleted row of "
              f"{', '.join(f'`{t}`' for t in audit['tables'])}: who (database login and `app.current_user_id`), "
              "when, which row, and the old and new values as jsonb. Personal data and secrets are stored as "
              "`\"[redacted]\"`. Only the admin role may read it; no application role can change it (the trigger "
              "function writes as the owner)."]
    if audit["partitioned"]:
        lines += ["", f"Partitioned by month on `occurred_at` (about {audit['yearly_rows']:,} rows a year). Run "
                  f"`SELECT {audit['partition_function']}('{audit['table']}', CURRENT_DATE, CURRENT_DATE + 93);` "
                  f"monthly (cron, pg_cron) as the owner to create the coming months; `{audit['table']}_default` "
                  "catches anything else. At the end of retention, `ALTER TABLE ... DETACH PARTITION` and drop "
                  "the month."]
    return lines


def _personal_data(s: Schema, facts: SecurityFacts) -> list[str]:
    lines = ["", "## Personal data", ""]
    if not facts.pii:
        return lines + ["No column is marked as personal data."]
    lines += ["| table | personal data | secrets | the read-only role reads |", "|---|---|---|---|"]
    for name in sorted(set(facts.pii) | set(facts.secrets)):
        lines.append(f"| `{name}` | {', '.join(facts.pii.get(name, [])) or '—'} | "
                     f"{', '.join(facts.secrets.get(name, [])) or '—'} | "
                     f"`{facts.masked_views.get(name, '—')}` |")
    for e in facts.erasure or []:
        lines += ["", f"Right to erasure: `SELECT {e['function']}(<{e['key']}>);` as the admin role anonymizes the "
                  f"personal data of one {e['table']} row in {', '.join(e['tables'])} and returns the rows changed."]
    notes = [f"- **{st}**: {RETENTION[_key(st)]}" for st in facts.compliance_standards or []
             if _key(st) in RETENTION]
    if notes:
        lines += ["", "Retention:", "", *notes]
    return lines
