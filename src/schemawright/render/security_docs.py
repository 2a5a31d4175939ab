"""docs/access_control.md (roles x tables x operations, policies, encryption, audit, personal data) and
scripts/security/set_app_password.sql (the login role's password, read from the environment)."""

from __future__ import annotations

from schemawright.model.facts import SecurityFacts
from schemawright.model.names import quote_ident as q
from schemawright.model.schema import Schema
from schemawright.probes.security_checks import TABLE_OPERATIONS, effective_privileges
from schemawright.render import Artifact, RenderContext, Renderer
from schemawright.escape import md_cell, md_code, md_text, sql_literal

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
    skip_reason = "roles, grants and row-level security are not generated for this target"

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
    lines = [f"# Access control: {md_text(ctx.schema.facts.project.name)}", "",
             f"Data classification **{facts.classification}**; compliance: "
             f"{md_text(', '.join(facts.compliance_standards or [])) or 'none stated'}; access control: "
             f"{facts.access_control}. Every promise below is attempted on a real database by "
             "`schemawright verify` (group *security*) and by the pgTAP tests in `tests/`.", "",
             "## Roles", "", "Roles are shared by every database of a server, so their names carry the project's "
             f"prefix `{facts.role_prefix}_`.", "", "| role | login | member of | purpose |", "|---|---|---|---|"]
    lines += [f"| {md_code(r.name)} | {'yes' if r.login else 'no'} | {', '.join(r.member_of) or '—'} | "
              f"{md_cell(r.comment or '')} |" for r in s.roles]
    app = s.role("app")
    lines += ["", "## Connecting", "",
              f"- The application logs in as {md_code(app.name)} over TLS (`config/pg_hba.conf.example`: `hostssl`, "
              f"`scram-sha-256`). Its password comes from `${app.password_env}`: set it with "
              f"`{app.password_env}=... psql -f {PASSWORD_SCRIPT}`; no file holds it.",
              f"- Migrations run as a superuser and create objects as {md_code(s.owner)} (`SET ROLE`), which owns "
              "them; "
              "nobody logs in as the owner.",
              "- In every transaction the application states who is acting, with parameters (never "
              "string-built SQL):", "", "```sql"]
    if facts.rls:
        used = sorted({b["setting"] for b in facts.rls.values()} | (
            {session.user} if (facts.tenant_binding or {}).get("kind") == "membership" else set()))
        lines += [f"SELECT set_config('{k}', $1, true);  -- true: for this transaction only" for k in used]
    if facts.encrypted:
        lines += [f"SELECT set_config('{session.key}', $1, true);  -- the encryption key, from your key store"]
    if not facts.rls and not facts.encrypted:
        lines += ["-- nothing to set: no row-level security and no encrypted columns in this design"]
    lines += ["```", "", "## Privileges", "",
              "Letters: " + ", ".join(f"{op[0]} = {op}" for op in TABLE_OPERATIONS) + "; `·` = denied. "
              f"PUBLIC has nothing: `REVOKE ALL ON SCHEMA {s.name} FROM PUBLIC` and on every function.", "",
              "| object | " + " | ".join(f"{md_code(r.name)}" for r in roles) + " |", "|---|" + "---|" * len(roles)]
    for t in s.tables:
        lines.append(f"| table {md_code(t.name)} | " + " | ".join(
            _cell(effective[r.name].get(("table", t.name), set()), TABLE_OPERATIONS) for r in roles) + " |")
    for v in s.views:
        lines.append(f"| view {md_code(v.name)} | " + " | ".join(
            _cell(effective[r.name].get(("view", v.name), set()), ("SELECT",)) for r in roles) + " |")
    for f in s.functions:
        lines.append(f"| function {md_code(f.name)} | " + " | ".join(
            "EXECUTE" if "EXECUTE" in effective[r.name].get(("function", f.name), set()) else "·" for r in roles)
            + " |")
    lines += ["", "Default privileges (objects the owner creates later):", ""]
    for d in s.default_privileges:
        scope = f"in schema {md_code(d.schema)}" if d.schema else "in every schema"
        lines.append(f"- {'revoke' if d.revoke else 'grant'} {', '.join(d.privileges)} on {d.object_type} "
                     f"{scope} {'from' if d.revoke else 'to'} {md_code(d.grantee)}")
    lines += _row_security(s, facts) + _tenancy(s, facts) + _encryption(facts) + _audit(facts)
    lines += _personal_data(s, facts)
    binding = facts.tenant_binding or {}
    trusted = (f"{md_code(session.user)} is the trust boundary: the application authenticates its users, and any "
               f"connection of the application role can set it; the tenant is checked against it "
               f"({md_code(str(binding.get('function')) + '()')}), so a session cannot reach a tenant its user is no member of"
               if binding.get("kind") == "membership" else
               "Row-level security trusts the session settings: any connection of the application role can set "
               "`app.current_*` to any value")
    lines += ["", "## Limits", "",
              f"- {trusted}. It stops a query that forgets its filter and a tenant taken from a request without a "
              "check; it does not stop a compromised application.",
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
        how = (f"parent {md_code(b['parent'])}" if b["basis"] == "parent"
               else f"{b['basis']} column {md_code(b['columns'][0])}")
        pols = ", ".join(md_code(p.name) for p in s.policies if p.table == name)
        lines.append(f"| {md_code(name)} | {how} | {md_code(b['setting'])} | {'yes' if t.rls_forced else 'no'} | "
                     f"{pols} |")
    lines += ["", "| policy | table | command | roles | using / with check |", "|---|---|---|---|---|"]
    lines += [f"| {md_code(p.name)} | {md_code(p.table)} | {p.command} | {', '.join(p.roles) or 'PUBLIC'} | "
              f"{md_code(p.using)} |" for p in s.policies]
    lines += ["", "FORCE binds the owner too, so views (which read as their owner) and maintenance sessions obey "
              "the policies. " + ("The admin role sees every row through its declared `pol_<table>_admin` "
                                  "policies." if facts.admin_bypass else "No role bypasses them.")]
    return lines


def _tenancy(s: Schema, facts: SecurityFacts) -> list[str]:
    tenancy = s.facts.tenancy or {}
    if not tenancy.get("tables"):
        return []
    root, scoped = tenancy.get("root"), tenancy["tables"]
    lines = ["", "## Tenant isolation", "",
             (f"The tenants are the rows of {md_code(str(root))}; each tenant sees only its own row, and "
              + ("only the admin role creates tenants. " if facts.admin_bypass else
                 "tenants are created by a maintenance session outside row-level security (no role bypasses it). ")
              if root else "") +
             "Every tenant-scoped table carries its tenant column and a policy; every other table is global, "
             "for the reason given.", "", "| table | tenant column | policy |", "|---|---|---|"]
    for name, col in ([(root, (tenancy.get("root_key") or ["—"])[0])] if root else []) + list(scoped.items()):
        pols = ", ".join(f"{md_code(str(p.name))}" for p in s.policies if p.table == name) or "**none**"
        lines.append(f"| {md_code(str(name))} | {md_code(str(col))} | {pols} |")
    lines += ["", "| global table | why |", "|---|---|"]
    lines += [f"| {md_code(str(name))} | {md_cell(why)} |" for name, why in (tenancy.get("global") or {}).items()]
    composite = [(t.name, fk) for t in s.tables if t.name in scoped for fk in t.foreign_keys
                 if fk.ref_table in scoped and scoped[t.name] in fk.columns]
    lines += ["", "**Keys cannot cross tenants.** Foreign keys ignore row-level security, so a key that named only "
              "the parent's id would let tenant A attach a row to tenant B's parent (and B's delete would cascade "
              "into A's rows). Every key between tenant-scoped tables includes the tenant and references a "
              "`UNIQUE (tenant, id)` of the parent:", ""]
    lines += [f"- {md_code(str(t))} ({', '.join(md_code(c) for c in fk.columns)}) → {md_code(str(fk.ref_table))} ({', '.join(md_code(c) for c in fk.ref_columns)}), ON DELETE "
              f"{fk.on_delete}" for t, fk in composite] or ["- (none: no tenant-scoped table references another)"]
    lines += ["", "**Uniqueness holds per tenant** (`UNIQUE (tenant, value)`): a global UNIQUE would tell tenant A, "
              "through a refused insert, that tenant B holds a value (an API key prefix, an invoice number). A "
              "uniqueness stated in the input's `constraints` is kept as given (global).", ""]
    binding = facts.tenant_binding or {}
    if binding.get("kind") == "membership":
        lines += [f"**The tenant is bound to the user.** The policies never read {md_code(str(binding['setting']))} directly: "
                  f"they call {md_code(str(binding['function']) + '()')} (SECURITY DEFINER, evaluated once per statement), which "
                  f"returns the tenant only when the user in {md_code(str(binding['user_setting']))} has a row in "
                  f"{md_code(str(binding['table']))} for it, and NULL otherwise. Setting the tenant to one the user does not "
                  f"belong to shows no row and accepts no write. {md_code(str(binding['table']))} has row-level security "
                  "without FORCE: the function reads it as its owner (nobody logs in as the owner), and a user also "
                  "sees their own memberships, to choose a tenant.",
                  "", "Why not a setter function that stores a checked tenant: whatever it checks against, the "
                  "user id is still the application's word (the database does not authenticate end users); "
                  "checking the membership on every statement gives the same guarantee with no state to forge."]
    else:
        lines += [f"**Trust boundary.** {md_code(str(facts.session_settings.tenant))} is trusted as set by the application: no "
                  "membership table (a tenant-scoped table keyed by tenant and user) exists to check it against, "
                  "so any session of the application role can choose any tenant. `schemawright lint` reports "
                  "policies that read the setting directly (SW614); add a membership table to bind it."]
    return lines


def _encryption(facts: SecurityFacts) -> list[str]:
    lines = ["", "## Encrypted columns", ""]
    if not facts.encrypted:
        return lines + ["None (password hashes are one-way hashes, not encrypted: see docs/inferences.md)."]
    key = facts.session_settings.key
    lines += ["| column | stored as | write | read |", "|---|---|---|---|"]
    lines += [f"| {md_code(e['table'] + '.' + e['column'])} | bytea, pgp_sym_encrypt AES-256 | `fn_encrypt($1)` | "
              f"{md_code('fn_decrypt(' + e['column'] + ')')} or "
              f"{md_code(facts.decrypted_views.get(e['table'], ''))} |"
              for e in facts.encrypted]
    return lines + ["", f"The key is never stored: the application sets {md_code(key)} per transaction from its key "
                    "store "
                    "(pgcrypto must be installed: PostgreSQL contrib). Without it, or with another key, decryption "
                    "fails. Rotating the key: decrypt with the old and encrypt with the new key in one transaction."]


def _audit(facts: SecurityFacts) -> list[str]:
    audit = facts.audit
    lines = ["", "## Audit", ""]
    if not audit:
        return lines + ["Not required by the input (`audit_requirements: false`)."]
    lines += [f"{md_code(audit['table'])} receives one row per inserted, updated or deleted row of "
              f"{', '.join(md_code(t) for t in audit['tables'])}: who (database login and `app.current_user_id`), "
              "when, which row, and the old and new values as jsonb. Personal data and secrets are stored as "
              "`\"[redacted]\"`. Only the admin role may read it; no application role can change it (the trigger "
              "function writes as the owner)."]
    if audit["partitioned"]:
        maintain = (f"SELECT {q(audit['partition_function'])}({sql_literal(audit['table'])}, CURRENT_DATE, "
                    "CURRENT_DATE + 93);")
        lines += ["", f"Partitioned by month on `occurred_at` (about {audit['yearly_rows']:,} rows a year). Run "
                  f"{md_code(maintain)} "
                  "monthly (cron, pg_cron) as the owner to create the coming months; "
                  f"{md_code(audit['table'] + '_default')} "
                  "catches anything else. At the end of retention, `ALTER TABLE ... DETACH PARTITION` and drop "
                  "the month."]
    return lines


def _personal_data(s: Schema, facts: SecurityFacts) -> list[str]:
    lines = ["", "## Personal data", ""]
    if not facts.pii:
        return lines + ["No column is marked as personal data."]
    lines += ["| table | personal data | secrets | the read-only role reads |", "|---|---|---|---|"]
    for name in sorted(set(facts.pii) | set(facts.secrets)):
        lines.append(f"| {md_code(name)} | {md_cell(', '.join(facts.pii.get(name, []))) or '—'} | "
                     f"{md_cell(', '.join(facts.secrets.get(name, []))) or '—'} | "
                     f"{md_code(facts.masked_views.get(name, '—'))} |")
    for e in facts.erasure or []:
        call = f"SELECT {q(e['function'])}(<{e['key']}>);"
        lines += ["", f"Right to erasure: {md_code(call)} as the admin role anonymizes the personal data of one "
                  f"{md_code(e['table'])} row in {', '.join(md_code(t) for t in e['tables'])} and returns the rows "
                  "changed."]
    notes = [f"- **{md_text(st)}**: {RETENTION[_key(st)]}" for st in facts.compliance_standards or []
             if _key(st) in RETENTION]
    if notes:
        lines += ["", "Retention:", "", *notes]
    return lines
