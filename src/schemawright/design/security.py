"""Security by design (seed 003 ``security_requirements``, seed 004 "Security Implementation").

Adds to the schema: the roles (owner, read-only, read-write, admin, the application's login role) and
least-privilege grants with default privileges for later objects; row-level security on the tables
that belong to a user or a tenant; pgcrypto column encryption with the key supplied per session;
an append-only audit table fed by triggers; masked views and an erasure function for personal data.
Everything is an object of the canonical model, so it travels through the migrations, the catalog
comparison and ``verify`` like the rest. What renderers and the verifier need to know about the
design (which column binds a row to whom, what is audited, encrypted, personal) is recorded in
``schema.facts.security`` (a ``SecurityFacts``).
"""

from __future__ import annotations

import re
from dataclasses import replace

from schemawright.design import partitioning
from schemawright.design.columns import PERSON_NAME
from schemawright.design.context import DesignContext, table_name_for
from schemawright.design.defaults import USER_TABLES
from schemawright.design.structural_requirements import ownership_claims
from schemawright.dialects.partitions import PARTITION_FUNCTION
from schemawright.dialects import type_sql
from schemawright.model import names
from schemawright.model.names import quote_ident as q, singular
from schemawright.model.facts import KEY_SETTING, TENANT_SETTING, USER_SETTING, SecurityFacts  # noqa: F401 - re-exported
from schemawright.model.names import quote_literal
from schemawright.model.schema import (
    CheckConstraint, Column, DefaultPrivilege, Expression, Function, Grant, Index, IndexElement, Partitioning,
    Policy, PrimaryKey, Role, Table, Trigger, View, convention, inferred,
)
from schemawright.model.types import TEXT_KINDS, DataType, Kind
from schemawright.spec.models import SecurityRequirements


TABLE_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE")
WRITE_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE")
ROLE_PURPOSES = ("owner", "readonly", "readwrite", "admin", "app")
SECRET_RE = re.compile(r"^(?:password|[a-z0-9_]+_(?:hash|digest))$")
OWNER_COLUMNS = (("user_id",), ("owner_id",))
AUDIT_USER_COLUMNS = frozenset({"created_by", "updated_by"})
# Personal data that describes a person (not a business's phone or address): a table with one of these, or
# with a column the input flags pii, is about people, and a data subject of the right to erasure.
PERSON_COLUMNS = frozenset({"first_name", "last_name", "full_name", "middle_name", "date_of_birth", "birth_date",
                            "dob", "national_id", "passport_number", "ssn", "personal_email", "home_address",
                            "email", "username", "display_name", "mobile_phone", "personal_phone"})
UNBOUND_KINDS = frozenset({"lookup", "junction"})
UNAUDITED_KINDS = frozenset({"time_series", "log"})
ERASURE_LAWS = frozenset({"GDPR", "UKGDPR", "CCPA", "CPRA", "LGPD", "PIPEDA"})
AUDIT_PARTITION_ROWS = 10_000_000  # audit rows a year above which the audit table is partitioned by month
APP_PASSWORD_ENV = "APP_DB_PASSWORD"  # the variable .env.example names too
BYTEA, TEXT, JSONB, TIMESTAMPTZ, UUID = (DataType(k) for k in (Kind.BYTEA, Kind.TEXT, Kind.JSONB, Kind.TIMESTAMPTZ,
                                                               Kind.UUID))


def role_prefix(project: str) -> str:
    """A role-name prefix from the project name: roles are cluster-wide, so each project gets its own."""
    return names.slug(project) or "app"  # 50 bytes at most: room for the longest suffix, _readwrite


def is_secret(column: Column) -> bool:
    """A credential (password hash, API key hash): never shown to readers, never logged."""
    return bool(SECRET_RE.match(column.name))


def apply(ctx: DesignContext) -> None:
    """The security design stage; runs after the tables, keys, indexes and conventions exist."""
    spec = ctx.spec.security_requirements or SecurityRequirements()
    enc = spec.encryption_requirements
    facts: dict = {
        "role_prefix": role_prefix(ctx.spec.project.name),
        "classification": ctx.schema.facts.data_classification,
        "compliance_standards": list(spec.compliance_standards),
        "access_control": spec.access_control or "role_based",
        "at_rest": bool(enc and enc.at_rest), "in_transit": bool(enc and enc.in_transit),
        "settings": {"user": USER_SETTING, "tenant": TENANT_SETTING, "key": KEY_SETTING},
        "function_roles": {}, "rls": {}, "encrypted": [], "masked_views": {}, "decrypted_views": {},
        "erasure": [], "pii": {}, "secrets": {}, "audit": None,
    }
    if spec.access_control is None:
        ctx.infer("security.access_control", "security", "role-based access control",
                  "not given; seed 004's roles (read-only, read-write, admin) are the default")
    _roles(ctx, facts)
    _encrypt_columns(ctx, facts)
    bindings = _bindings(ctx)
    facts["pii"] = {t.name: [c.name for c in t.columns if c.pii or c.encrypt] for t in ctx.schema.tables
                    if any(c.pii or c.encrypt for c in t.columns)}
    facts["secrets"] = {t.name: [c.name for c in t.columns if is_secret(c)] for t in ctx.schema.tables
                        if any(is_secret(c) for c in t.columns)}
    if spec.audit_requirements:
        _audit(ctx, facts)
        tenancy = ctx.schema.facts.tenancy
        if tenancy and tenancy.get("tables"):
            why = "the audit trail of every tenant: append-only, read by the admin role only"
            tenancy["global"][facts["audit"]["table"]] = why
            ctx.infer("tenant.global", facts["audit"]["table"], "global (not tenant-scoped)", why)
    _personal_data(ctx, facts)
    _row_level_security(ctx, bindings, facts)
    _grants(ctx, facts)
    ctx.schema.facts = replace(ctx.schema.facts, security=SecurityFacts.from_builder(facts))


# --- roles ---------------------------------------------------------------------------------------

_ROLE_TEXT = {
    "owner": "Owns every object of the schema; migrations SET ROLE to it. NOLOGIN: nobody connects as the owner",
    "readonly": "Read-only access (reporting, support): SELECT, personal data only through masked views",
    "readwrite": "The application's privileges: SELECT, INSERT, UPDATE, DELETE, bound by row-level security",
    "admin": "Administration: every table operation including TRUNCATE; bypasses row-level security only "
             "through the declared admin policies",
    "app": "The application's login role: a member of {readwrite}; its password comes from ${env}",
}


def _roles(ctx: DesignContext, facts: dict) -> None:
    prefix = facts["role_prefix"]
    env = APP_PASSWORD_ENV
    for purpose in ROLE_PURPOSES:
        name = f"{prefix}_{purpose}"
        member_of = (f"{prefix}_readwrite",) if purpose == "app" else ()
        ctx.schema.roles.append(Role(
            name=name, login=purpose == "app", member_of=member_of, purpose=purpose,
            password_env=env if purpose == "app" else None,
            comment=_ROLE_TEXT[purpose].format(readwrite=f"{prefix}_readwrite", env=env),
            origin=convention("security.roles", "seed 004: read-only, read-write and admin roles, an owner for "
                              "migrations and a login role for the application")))
    ctx.schema.owner = f"{prefix}_owner"
    ctx.infer("security.roles", "roles", f"{', '.join(f'{prefix}_{p}' for p in ROLE_PURPOSES)}",
              f"roles are shared by every database of a server, so their names start with the project's "
              f"({prefix}_); the application logs in as {prefix}_app with the password from ${env}, never "
              "written in a file")


# --- column encryption ---------------------------------------------------------------------------

def _encrypt_columns(ctx: DesignContext, facts: dict) -> None:
    s = ctx.schema
    for table in s.tables:
        keys = set(table.primary_key.columns if table.primary_key else ()) | {
            c for fk in table.foreign_keys for c in fk.columns}
        for col in [c for c in table.columns if c.encrypt]:
            subject = f"{table.name}.{col.name}"
            if col.name in keys:
                col.encrypt = False
                ctx.infer("security.encrypt", subject, "not encrypted",
                          "a key column must stay comparable for joins and lookups")
                continue
            dropped = [c.name for c in table.checks if col.name in c.columns]
            dropped += [u.name for u in table.uniques if col.name in u.columns]
            dropped += [i.name for i in table.indexes if col.name in i.columns]
            table.checks = [c for c in table.checks if col.name not in c.columns]
            table.uniques = [u for u in table.uniques if col.name not in u.columns]
            table.indexes = [i for i in table.indexes if col.name not in i.columns]
            col.type, col.default, col.pii = BYTEA, None, True
            col.comment = (col.comment + ". " if col.comment else "") + \
                f"Encrypted (pgp_sym_encrypt, AES-256); write fn_encrypt(value), read fn_decrypt({col.name})"
            facts["encrypted"].append({"table": table.name, "column": col.name})
            ctx.infer("security.encrypt", subject, "bytea, pgp_sym_encrypt (AES-256) with the session's key"
                      + (f"; dropped {', '.join(dropped)}" if dropped else ""),
                      f"the key comes from {KEY_SETTING}, set per session by the application, so neither the "
                      "database nor any file holds it" + ("; ciphertext is randomized, so constraints and "
                                                          "indexes on the plaintext cannot apply" if dropped else ""))
    if not facts["encrypted"]:
        return
    if "pgcrypto" not in s.extensions:
        s.extensions.append("pgcrypto")
    ctx.infer("security.pgcrypto", "extensions", "pgcrypto", "column encryption uses pgp_sym_encrypt/decrypt")
    key = (f"\nDECLARE\n    v_key text := current_setting({quote_literal(KEY_SETTING)}, true);\nBEGIN\n"
           f"    IF v_key IS NULL OR v_key = '' THEN\n        RAISE EXCEPTION '{KEY_SETTING} is not set: the "
           "encryption key is supplied per session' USING ERRCODE = 'invalid_parameter_value';\n    END IF;\n")
    origin = convention("security.encrypt", "encrypt and decrypt with the session's key")
    s.functions += [
        Function(name="fn_encrypt", returns="bytea", arguments="p_value text", volatility="VOLATILE", origin=origin,
                 body=key + "    RETURN public.pgp_sym_encrypt(p_value, v_key, 'cipher-algo=aes256');\nEND;\n",
                 comment=f"Encrypts a value with the key in {KEY_SETTING} (set per session, never stored)"),
        Function(name="fn_decrypt", returns="text", arguments="p_value bytea", volatility="STABLE", origin=origin,
                 body=key + "    RETURN public.pgp_sym_decrypt(p_value, v_key);\nEND;\n",
                 comment=f"Decrypts a value encrypted by fn_encrypt; needs the key in {KEY_SETTING}")]
    facts["function_roles"].update({"fn_encrypt": ["readwrite", "admin"], "fn_decrypt": ["readwrite", "admin"]})
    for table in s.tables:
        cols = [c for c in table.columns if c.encrypt]
        if not cols:
            continue
        name = names.shorten(f"vw_decrypted_{table.name}")
        select = ", ".join(f"fn_decrypt({q(c.name)}) AS {q(c.name)}" if c.encrypt else q(c.name)
                           for c in table.columns)
        s.views.append(View(name=name, depends_on=(table.name,), query=f"SELECT {select}\nFROM {q(table.name)}",
                            comment=f"{table.name} with its encrypted columns decrypted (needs {KEY_SETTING})",
                            origin=origin))
        facts["decrypted_views"][table.name] = name


# --- who a row belongs to ------------------------------------------------------------------------

def _subject_table(ctx: DesignContext) -> Table | None:
    return ctx.schema.table("users") or next((t for t in ctx.schema.tables if t.name in USER_TABLES), None)


def _bindings(ctx: DesignContext) -> dict[str, dict]:
    """table -> how its rows are bound to a tenant, a user, or the owner of their parent row."""
    s, out = ctx.schema, {}
    tenancy = s.facts.tenancy or {}
    root = s.table(tenancy["root"]) if tenancy.get("root") else None
    if root is not None and len(tenancy["root_key"]) == 1:
        out[root.name] = _tenant(ctx, root, root.column(tenancy["root_key"][0]), "the tenants' table: each tenant "
                                 "sees only its own row")
    for name, column in (tenancy.get("tables") or {}).items():
        table = s.table(name)
        out[name] = _tenant(ctx, table, table.column(column), "tenant-scoped (see tenant.* inferences)", root)
    for entity in ctx.spec.data_model.entities:
        table = ctx.table(table_name_for(entity.name))
        if entity.tenant_column is None or table is None or table.name in out:
            continue
        col = table.column(names.to_snake(entity.tenant_column))
        if col is None:  # refused by the designer already
            continue
        out[table.name] = _tenant(ctx, table, col, "tenant_column given in the input")
    for table in s.tables:
        col = table.column("tenant_id")
        if table.name not in out and col is not None and table.kind not in UNBOUND_KINDS:
            out[table.name] = _tenant(ctx, table, col, "a tenant_id column marks a tenant's rows")
    for claim in ownership_claims(ctx):  # "members only see their own apiaries": stated, so first
        if claim.table in out:
            continue
        out[claim.table] = {"table": claim.table, "basis": "owner", "columns": list(claim.fk.columns),
                            "setting": USER_SETTING, "principal_table": claim.owner,
                            "principal_columns": list(claim.fk.ref_columns)}
        ctx.infer("security.rls", claim.table, f"rows bound to the {singular(claim.owner)} in {claim.fk.columns[0]}",
                  f"requirement {claim.requirement!r} ({claim.path}): {claim.fk.columns[0]} references "
                  f"{claim.owner}, each row belongs to one of them")
    subject = _subject_table(ctx)
    for table in s.tables if subject else ():
        if table.name in out or table is subject or table.kind in UNBOUND_KINDS:
            continue
        fk = next((fk for fk in table.foreign_keys if fk.ref_table == subject.name and fk.columns in OWNER_COLUMNS),
                  None)
        if fk is not None:
            out[table.name] = {"table": table.name, "basis": "owner", "columns": list(fk.columns),
                               "setting": USER_SETTING, "principal_table": subject.name,
                               "principal_columns": list(fk.ref_columns)}
            ctx.infer("security.rls", table.name, f"rows bound to the user in {fk.columns[0]}",
                      f"{fk.columns[0]} references {subject.name}: each row belongs to one user (seed 004)")
    grown = True
    while grown:
        grown = False
        for table in s.tables:
            if table.name in out or table is subject or table.kind in UNBOUND_KINDS:
                continue
            fk = next((fk for fk in table.foreign_keys if fk.ref_table in out and fk.ref_table != table.name
                       and not set(fk.columns) & AUDIT_USER_COLUMNS
                       and all(not table.column(c).nullable for c in fk.columns)), None)
            if fk is not None:
                parent = out[fk.ref_table]
                out[table.name] = {"table": table.name, "basis": "parent", "columns": list(fk.columns),
                                   "setting": parent["setting"], "parent": fk.ref_table,
                                   "parent_columns": list(fk.ref_columns)}
                ctx.infer("security.rls", table.name, f"rows visible with their {fk.ref_table} row",
                          f"a {table.name} row belongs to whoever its {fk.ref_table} row ({', '.join(fk.columns)}) "
                          "belongs to")
                grown = True
    roots = {b["principal_table"] for b in out.values() if b.get("principal_table")} - set(out)
    for root in sorted(roots):
        ctx.infer("security.rls", root, "no row-level security", "the table that rows are bound to: it is read "
                  "before a user or tenant is chosen (sign-in, switching), so privileges protect it; declare "
                  "tenant_column on it to bind its rows too")
    return out


def _tenant(ctx: DesignContext, table: Table, col: Column, why: str, root: Table | None = None) -> dict:
    fk = next((fk for fk in table.foreign_keys if fk.columns == (col.name,)), None)
    own_key = table.primary_key is not None and table.primary_key.columns == (col.name,)
    ctx.infer("security.rls", table.name, f"rows bound to the tenant in {col.name}", why)
    principal, columns = (table.name, [col.name]) if own_key else (fk.ref_table, list(fk.ref_columns)) if fk else (
        (root.name, list(root.primary_key.columns)) if root is not None else (None, None))
    return {"table": table.name, "basis": "tenant", "columns": [col.name], "setting": TENANT_SETTING,
            "principal_table": principal, "principal_columns": columns, "value_type": type_sql(col.type)}


def _membership(ctx: DesignContext, bindings: dict[str, dict]) -> Table | None:
    """The table that says which user belongs to which tenant: tenant-scoped, with a required reference to
    the users' table, its (tenant, user) pair a key. The tenant setting counts only with a row in it."""
    s, subject = ctx.schema, _subject_table(ctx)
    root = (s.facts.tenancy or {}).get("root")
    if subject is None or root is None:
        return None
    found = []
    for name, b in bindings.items():
        table = s.table(name)
        if b["basis"] != "tenant" or name == root:
            continue
        fk = next((fk for fk in table.foreign_keys if fk.ref_table == subject.name and len(fk.columns) == 1
                   and not table.column(fk.columns[0]).nullable and not set(fk.columns) & AUDIT_USER_COLUMNS), None)
        keys = [u.columns for u in table.uniques] + ([table.primary_key.columns] if table.primary_key else [])
        if fk is not None and any(set(k) == {b["columns"][0], fk.columns[0]} for k in keys):
            found.append((0 if "member" in name else 1, name, table, fk.columns[0]))
    if not found:
        return None
    _, _, table, user_col = min(found)
    b = bindings[table.name]
    b["membership"] = {"user_column": user_col, "user_table": subject.name,
                       "user_key": list(subject.primary_key.columns)}
    return table


CURRENT_TENANT = "fn_current_tenant"


def _tenant_binding(ctx: DesignContext, facts: dict, bindings: dict[str, dict], membership: Table | None) -> str | None:
    """How the tenant setting is bound to the signed-in user. With a membership table the policies read the
    tenant through ``fn_current_tenant()``, which returns it only when the user in app.current_user_id is a
    member: switching app.current_tenant_id to another tenant shows nothing. Without one the setting is
    the trust boundary (documented, and ``schemawright lint`` reports it)."""
    tenants = [b for b in bindings.values() if b["basis"] == "tenant"]
    if not tenants:
        return None
    if membership is None:
        facts["tenant_binding"] = {"kind": "trust_boundary", "setting": TENANT_SETTING}
        ctx.infer("security.tenant_binding", TENANT_SETTING, "trusted as set by the application",
                  "no membership table (a tenant-scoped table with a (tenant, user) key) to check it against: any "
                  "session of the application role can choose any tenant; declare one to bind the tenant to the user")
        return None
    b = bindings[membership.name]
    tenant_col, user_col = b["columns"][0], b["membership"]["user_column"]
    ttype, utype = type_sql(membership.column(tenant_col).type), type_sql(membership.column(user_col).type)
    body = (f"\nBEGIN\n    RETURN (SELECT m.{q(tenant_col)} FROM public.{q(membership.name)} AS m\n"
            f"            WHERE m.{q(tenant_col)} = NULLIF(current_setting({quote_literal(TENANT_SETTING)}, true), '')"
            f"::{ttype}\n"
            f"              AND m.{q(user_col)} = NULLIF(current_setting({quote_literal(USER_SETTING)}, true), '')"
            f"::{utype});\nEND;\n")
    ctx.schema.functions.append(Function(
        name=CURRENT_TENANT, returns=ttype, body=body, volatility="STABLE", security_definer=True,
        comment=f"The tenant in {TENANT_SETTING}, only if the user in {USER_SETTING} is a member of it "
                f"({membership.name}); NULL otherwise. Every tenant policy reads it",
        origin=convention("security.tenant_binding", "the tenant is checked against the membership")))
    facts["function_roles"][CURRENT_TENANT] = ["readonly", "readwrite", "admin"]
    facts["tenant_binding"] = {"kind": "membership", "function": CURRENT_TENANT, "table": membership.name,
                               "tenant_column": tenant_col, "user_column": user_col, "setting": TENANT_SETTING,
                               "user_setting": USER_SETTING}
    ctx.infer("security.tenant_binding", TENANT_SETTING, f"checked against {membership.name} by {CURRENT_TENANT}()",
              f"a session cannot switch to a tenant its user ({USER_SETTING}) is not a member of: the policies see "
              f"no tenant then. {USER_SETTING} itself is the trust boundary: the application authenticates users")
    return CURRENT_TENANT


def _row_level_security(ctx: DesignContext, bindings: dict[str, dict], facts: dict) -> None:
    s = ctx.schema
    mandatory = facts["access_control"] == "mandatory"
    sensitive = facts["classification"] in ("confidential", "restricted")
    viewed = {d for v in s.views for d in v.depends_on}
    admin = s.role("admin").name
    membership = _membership(ctx, bindings)
    current = _tenant_binding(ctx, facts, bindings, membership)
    for name, b in bindings.items():
        table = s.table(name)
        table.rls_enabled = True
        table.rls_forced = mandatory or sensitive or name in viewed
        check = None
        if table is membership and name not in viewed:
            table.rls_forced = False
            ctx.infer("security.rls", name, "ENABLE ROW LEVEL SECURITY, not FORCE",
                      f"{current} reads {name} as its owner to check the membership; FORCE would make every "
                      "policy that calls it recursive. Nobody logs in as the owner, and no view reads the table")
        if b["basis"] == "parent":
            join = " AND ".join(f"parent_row.{q(r)} = {q(name)}.{q(c)}" for c, r in zip(b["columns"],
                                                                                       b["parent_columns"]))
            predicate = f"EXISTS (SELECT 1 FROM {q(b['parent'])} AS parent_row WHERE {join})"
            what = f"rows whose {b['parent']} row is visible"
        elif b["basis"] == "tenant" and current is not None:
            col = table.column(b["columns"][0])
            check = f"{q(col.name)} = (SELECT {current}() AS {current})"
            predicate, what = check, f"rows whose {col.name} is the tenant {current}() vouches for"
            if table is membership:
                user = b["membership"]["user_column"]
                utype = type_sql(table.column(user).type)
                predicate = (f"({check}) OR ({q(user)} = NULLIF(current_setting({quote_literal(USER_SETTING)}, "
                             f"true), '')::{utype})")
                what += f" (and reads the memberships of the user in {USER_SETTING})"
        else:
            col = table.column(b["columns"][0])
            predicate = (f"{q(col.name)} = NULLIF(current_setting({quote_literal(b['setting'])}, true), '')"
                         f"::{type_sql(col.type)}")
            what = f"rows whose {col.name} is {b['setting']}"
        policy = names.shorten(f"pol_{name}_{b['basis']}")
        s.policies.append(Policy(name=policy, table=name, using=Expression(predicate),
                                 with_check=Expression(check or predicate),
                                 comment=f"Every role sees and writes only {what}",
                                 origin=convention("security.rls", "seed 004: row-level security")))
        b["policy"] = policy
        why = ("access_control is mandatory" if mandatory else f"data classified {facts['classification']}"
               if sensitive else "views read it as their owner")
        ctx.infer("security.rls", name, f"ENABLE{' and FORCE' if table.rls_forced else ''} ROW LEVEL SECURITY, "
                  f"policy {policy}", f"{what}; " + (f"FORCE binds the owner too ({why})" if table.rls_forced
                                                     else "the owner (migrations) is not bound"))
        if not mandatory:
            s.policies.append(Policy(name=names.shorten(f"pol_{name}_admin"), table=name, roles=(admin,),
                                     using=Expression("true"), with_check=Expression("true"),
                                     comment=f"{admin} sees and changes every row (declared bypass)",
                                     origin=convention("security.rls", "admin bypass, declared as a policy")))
    if bindings:
        ctx.infer("security.rls.admin", "policies", "no admin bypass" if mandatory else
                  "admin bypass as explicit pol_<table>_admin policies",
                  "access_control: mandatory binds every role" if mandatory else
                  "administration needs every row; an explicit policy (not BYPASSRLS) keeps it visible and "
                  "limited to these tables")
    facts["rls"] = bindings
    facts["admin_bypass"] = bool(bindings) and not mandatory


# --- audit ---------------------------------------------------------------------------------------

def _audit(ctx: DesignContext, facts: dict) -> None:
    s = ctx.schema
    name = "audit_log" if s.table("audit_log") is None else "schemawright_audit_log"
    audited = [t for t in s.tables if t.kind not in UNAUDITED_KINDS]
    perf = ctx.spec.performance_targets
    writes = perf.write_operations_per_second if perf else None
    data = sum(t.estimated_rows or 0 for t in audited)
    if writes and data and data * 3 < writes * 86_400 * 365:
        # a write target is a peak to sustain, not the average: a 600-participant trial with a 10 writes/s
        # target does not write 315 million audit rows a year
        yearly = data * 3
        basis = (f"each audited row written once and changed about twice ({data:,} rows estimated); the target of "
                 f"{writes:,} writes/s is a peak, sustained for a year it would be {writes * 86_400 * 365:,}")
    elif writes:
        yearly, basis = writes * 86_400 * 365, f"{writes:,} writes/s sustained for a year"
    else:
        yearly, basis = sum(t.estimated_rows or 0 for t in audited), "each audited row written once"
    partitioned = yearly >= AUDIT_PARTITION_ROWS
    origin = convention("security.audit", "audit_requirements: true")
    table = Table(name=name, kind="log", estimated_rows=yearly, origin=origin,
                  comment="Append-only audit trail: who changed which row, when, and the old and new values "
                  "(schemawright:ignore SW102 SW206 - one log, not a collection of entities; rows are never "
                  "updated and occurred_at records when each was written)")
    table.columns = [
        Column(name="id", type=UUID, nullable=False, default=Expression("gen_random_uuid()"), comment="Audit entry",
               origin=origin),
        Column(name="occurred_at", type=TIMESTAMPTZ, nullable=False, default=Expression("clock_timestamp()"),
               comment="When the change happened", origin=origin),
        Column(name="db_user", type=TEXT, nullable=False, comment="The database login that made the change",
               origin=origin),
        Column(name="app_user", type=TEXT, comment=f"The application user ({USER_SETTING})", origin=origin),
        Column(name="app_tenant", type=TEXT, comment=f"The tenant ({TENANT_SETTING})", origin=origin),
        Column(name="transaction_id", type=DataType(Kind.BIGINT), nullable=False,
               comment="The changing transaction", origin=origin),
        Column(name="table_name", type=TEXT, nullable=False, comment="The changed table", origin=origin),
        Column(name="operation", type=TEXT, nullable=False, comment="INSERT, UPDATE or DELETE", origin=origin),
        Column(name="row_key", type=JSONB, comment="Primary key of the changed row", origin=origin),
        Column(name="old_values", type=JSONB, comment="The row before (personal data redacted)", origin=origin),
        Column(name="new_values", type=JSONB, comment="The row after (personal data redacted)", origin=origin),
    ]
    key = ("id", "occurred_at") if partitioned else ("id",)
    table.primary_key = PrimaryKey(name=names.pk_name(name, key), columns=key, origin=origin)
    table.checks.append(CheckConstraint(name=names.chk_name(name, "operation"), columns=("operation",),
                                        expression=Expression("operation IN ('INSERT', 'UPDATE', 'DELETE')"),
                                        origin=origin))
    table.indexes.append(Index(name=names.idx_name(name, ["table_name", "occurred_at"]), origin=origin,
                               elements=(IndexElement(column="table_name"), IndexElement(column="occurred_at")),
                               comment="History of one table, newest last"))
    if partitioned:  # the performance designer's monthly partitions: created by the migration, then monthly
        table.partitioning = Partitioning(strategy="range", columns=("occurred_at",), origin=inferred(
            "partition.range", "monthly audit partitions are detached and dropped at the end of retention"))
        partitioning._ensure_function(ctx)  # the performance designer's maintenance function
    s.tables.append(table)
    redact = {t.name: sorted(set(facts["pii"].get(t.name, [])) | set(facts["secrets"].get(t.name, [])))
              for t in audited}
    s.functions.append(Function(name="fn_audit_row", returns="trigger", security_definer=True, origin=origin,
                                body=_audit_body(name, audited, redact),
                                comment=f"Writes one {name} row per changed row; personal data is redacted"))
    for t in audited:
        t.triggers.append(Trigger(name=names.trg_name(t.name, "audit"), function="fn_audit_row", timing="AFTER",
                                  events=("INSERT", "UPDATE", "DELETE"), origin=origin))
    facts["audit"] = {"table": name, "tables": [t.name for t in audited], "function": "fn_audit_row",
                      "partitioned": partitioned, "partition_function": PARTITION_FUNCTION if partitioned else None,
                      "redacted": {k: v for k, v in redact.items() if v}, "yearly_rows": yearly}
    ctx.infer("security.audit", name, f"audit table, AFTER triggers on {len(audited)} tables"
              + (", partitioned by month on occurred_at" if partitioned else ""),
              f"audit_requirements: true; about {yearly:,} rows a year ({basis})"
              + (f", above {AUDIT_PARTITION_ROWS:,}: monthly partitions are detached and dropped at the end of "
                 "retention instead of deleting rows" if partitioned else ""))
    skipped = [t.name for t in s.tables if t.kind in UNAUDITED_KINDS and t is not table]
    if skipped:
        ctx.infer("security.audit", ", ".join(skipped), "not audited",
                  "append-only streams: every row is already its own record")


def _case(mapping: dict[str, list[str]]) -> str:
    whens = "".join(f"\n        WHEN {quote_literal(t)} THEN ARRAY[{', '.join(quote_literal(c) for c in cols)}]::text[]"
                    for t, cols in mapping.items() if cols)
    return f"CASE v_table{whens}\n        ELSE ARRAY[]::text[]\n    END" if whens else "ARRAY[]::text[]"


def _audit_body(audit: str, audited: list[Table], redact: dict[str, list[str]]) -> str:
    keys = {t.name: list(t.primary_key.columns) for t in audited if t.primary_key}
    return f"""
DECLARE
    -- the table the row belongs to: a partition's root, since triggers fire on the partition
    v_table text := (SELECT relname FROM pg_class WHERE oid = coalesce(pg_partition_root(TG_RELID), TG_RELID));
    v_redacted text[] := {_case(redact)};
    v_key text[] := {_case(keys)};
    v_old jsonb;
    v_new jsonb;
    v_column text;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        v_old := to_jsonb(OLD);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        v_new := to_jsonb(NEW);
    END IF;
    FOREACH v_column IN ARRAY v_redacted LOOP
        IF jsonb_typeof(v_old -> v_column) NOT IN ('null') THEN
            v_old := jsonb_set(v_old, ARRAY[v_column], '"[redacted]"');
        END IF;
        IF jsonb_typeof(v_new -> v_column) NOT IN ('null') THEN
            v_new := jsonb_set(v_new, ARRAY[v_column], '"[redacted]"');
        END IF;
    END LOOP;
    INSERT INTO public.{q(audit)} (occurred_at, db_user, app_user, app_tenant, transaction_id, table_name,
                                  operation, row_key, old_values, new_values)
    VALUES (clock_timestamp(), session_user, NULLIF(current_setting('{USER_SETTING}', true), ''),
            NULLIF(current_setting('{TENANT_SETTING}', true), ''), txid_current(), v_table, TG_OP,
            (SELECT jsonb_object_agg(k, coalesce(v_new, v_old) -> k) FROM unnest(v_key) AS k),
            v_old, v_new);
    RETURN NULL;
END;
"""


# --- personal data -------------------------------------------------------------------------------

def _masked(column: Column) -> str | None:
    """The masked SELECT item for a personal-data column (None: left out of the view)."""
    c = q(column.name)
    if column.encrypt or is_secret(column):
        return None
    if column.type.kind in TEXT_KINDS and not column.type.array_dims:
        if "email" in column.name:
            return f"left({c}::text, 1) || '***@' || split_part({c}::text, '@', 2) AS {c}"
        return f"left({c}::text, 1) || '***' AS {c}"
    return f"NULL::{type_sql(column.type)} AS {c}"


def _personal_data(ctx: DesignContext, facts: dict) -> None:
    s = ctx.schema
    audit = (facts["audit"] or {}).get("table")
    for table in s.tables:
        if table.name == audit or table.name not in facts["pii"] | facts["secrets"]:
            continue
        items = [q(c.name) if not (c.pii or c.encrypt or is_secret(c)) else _masked(c) for c in table.columns]
        name = names.shorten(f"vw_masked_{table.name}")
        s.views.append(View(name=name, depends_on=(table.name,), origin=convention(
            "security.pii", "readers without a need to know see masked personal data"),
            query=f"SELECT {', '.join(i for i in items if i)}\nFROM {q(table.name)}",
            comment=f"{table.name} with personal data masked and secrets left out (for the read-only role)"))
        facts["masked_views"][table.name] = name
        ctx.infer("security.pii", table.name, f"masked view {name} for {s.role('readonly').name}",
                  f"personal data ({', '.join(facts['pii'].get(table.name, []) or ['secrets only'])}): the "
                  "read-only role reads the masked view, not the table")
    laws = sorted({re.sub(r"[^A-Z]", "", c.upper()) for c in facts["compliance_standards"]} & ERASURE_LAWS)
    if not laws:
        return
    for subject, targets in _erasure_plan(ctx, facts):
        _erasure_function(ctx, facts, subject, targets, laws)


def _personal(facts: dict, table: Table) -> bool:
    return table.name in facts["pii"] and table.name != (facts["audit"] or {}).get("table")


def _links(table: Table, target: str, key: str) -> list[str]:
    """The columns of ``table`` that reference ``target``'s ``key`` (one per foreign key), audit user columns
    (created_by...) left out: they name who typed a row, not whose data it is."""
    out = []
    for fk in table.foreign_keys:
        if fk.ref_table == target and key in fk.ref_columns and not set(fk.columns) & AUDIT_USER_COLUMNS:
            col = fk.columns[fk.ref_columns.index(key)]
            if col not in out:
                out.append(col)
    return out


def _erasure_plan(ctx: DesignContext, facts: dict) -> list[tuple[Table, list[tuple[Table, str]]]]:
    """Who gets an erasure function, and which rows of which tables it anonymizes, derived from the ``pii``
    flags (never from table names): a table with personal data that references no other such table
    (directly or through one table between) is a data subject; every other table with personal data is
    reached from the subjects it references. Every personal column is accounted for: anonymized by one
    function, or reported with the reason it is not."""
    s = ctx.schema
    personal = [t for t in s.tables if _personal(facts, t)]
    flagged = {(table_name_for(e.name), names.to_snake(a.name)) for e in ctx.spec.data_model.entities
               for a in e.attributes if a.pii}
    people = {t.name for t in personal if any(c.pii and (c.name in PERSON_COLUMNS or PERSON_NAME.match(c.name)
                                                         or (t.name, c.name) in flagged)
                                              for c in t.columns)}
    single = {t.name: t.primary_key.columns[0] for t in personal
              if t.name in people and t.primary_key and len(t.primary_key.columns) == 1}

    def reached(t: Table) -> dict[str, str]:
        """subject table -> WHERE condition on ``t`` (p_id is the subject's key), for the subjects t reaches."""
        out: dict[str, str] = {}
        for subject, key in single.items():
            if subject == t.name:
                continue
            direct = _links(t, subject, key)
            if direct:
                out[subject] = " OR ".join(f"{q(c)} = p_id" for c in direct)
                continue
            via = []  # one table between: t -> mid -> subject
            for mid in s.tables:
                if mid is t or mid.name == subject or not mid.primary_key or len(mid.primary_key.columns) != 1:
                    continue
                inner = _links(mid, subject, key)
                outer = _links(t, mid.name, mid.primary_key.columns[0])
                if inner and outer:
                    cond = " OR ".join(f"m.{q(c)} = p_id" for c in inner)
                    via += [f"{q(c)} IN (SELECT m.{q(mid.primary_key.columns[0])} FROM public.{q(mid.name)} AS m "
                            f"WHERE {cond})" for c in outer]
            if via:
                out[subject] = " OR ".join(via)
        return out

    reach = {t.name: reached(t) for t in personal}
    subjects = [t for t in personal if t.name in single and not reach[t.name]]
    plan: list[tuple[Table, list[tuple[Table, str]]]] = []
    for subject in subjects:
        targets = [(subject, f"{q(single[subject.name])} = p_id")]
        targets += [(t, reach[t.name][subject.name]) for t in personal if subject.name in reach[t.name]]
        plan.append((subject, targets))
    for t in personal:
        shared = [n for n in reach[t.name] if n in {x.name for x in subjects}]
        if len(shared) > 1:
            ctx.infer("security.erasure", t.name, f"anonymized by the erasure of any of {', '.join(shared)}",
                      "its personal data references several data subjects: erasing one of them anonymizes the "
                      "row for all (narrow the pii flags of the table if that is too wide)")
    covered = {t.name for _, targets in plan for t, _ in targets}
    for t in personal:
        if t.name in covered:
            continue
        if t.name not in people:
            ctx.infer("security.erasure", f"{t.name}.{', '.join(facts['pii'][t.name])}", "no erasure function",
                      "contact data of a table that describes no person (no pii flag from the input, no name, birth "
                      "date or national id) and references none: masked for the read-only role, not erased")
        else:
            ctx.infer("security.erasure", f"{t.name}.{', '.join(facts['pii'][t.name])}", "NOT covered by an erasure "
                      "function", "personal data in a table with no single-column key: erase it in the application "
                      "(or give the table a single-column key)")
    return plan


_SHAPED = re.compile(r"~|\b(?:LIKE|SIMILAR TO|IN)\b", re.I)


def _anonymized(table: Table, column: Column) -> str | None:
    """SQL value that replaces a personal-data column on erasure (None: leave the column alone)."""
    if column.nullable:
        return "NULL"
    if "email" not in column.name and any(column.name in ck.columns and _SHAPED.search(ck.expression.sql)
                                          for ck in table.checks):
        return None  # a required value whose CHECK fixes its shape (a phone format): no neutral value surely passes
    key = q(table.primary_key.columns[0])
    unique = any(u.columns == (column.name,) for u in table.uniques)
    if column.type.kind == Kind.BYTEA:
        return "''::bytea"
    if column.type.kind in TEXT_KINDS:
        if "email" in column.name:
            return f"'erased-' || {key}::text || '@erased.invalid'"
        return f"'erased-' || {key}::text" if unique else "'erased'"
    if column.type.kind == Kind.DATE:
        return "DATE '1900-01-01'"
    if column.type.kind in (Kind.INET, Kind.CIDR):
        return "'0.0.0.0'"
    return None


def _erasure_function(ctx: DesignContext, facts: dict, subject: Table, targets: list[tuple[Table, str]],
                      laws: list[str]) -> None:
    s = ctx.schema
    key = subject.primary_key.columns[0]
    name = names.shorten(f"fn_erase_{singular(subject.name)}")
    statements, covered, erased = [], [], []
    for table, where in targets:
        if any(t.name.endswith("_immutable") and t.function.endswith("_immutable") for t in table.triggers):
            ctx.infer("security.erasure", f"{table.name}.{', '.join(facts['pii'][table.name])}", f"kept by {name}",
                      "append-only by a business rule (its trigger refuses UPDATE to every role but the owner): "
                      "its personal data leaves with its retention, or by a correction made as the owner")
            continue
        sets = [(c.name, _anonymized(table, c)) for c in table.columns
                if c.pii or c.encrypt or is_secret(c)]
        kept = [c for c, v in sets if v is None]
        if table is subject:
            erased = [c for c, v in sets if v is not None]
        sets = [f"{q(c)} = {v}" for c, v in sets if v is not None]
        if table is subject and table.has_column("deleted_at"):
            sets.append("deleted_at = CURRENT_TIMESTAMP")
        if not sets:
            continue
        statements.append(f"    UPDATE public.{q(table.name)} SET {', '.join(sets)} WHERE {where};\n"
                          "    GET DIAGNOSTICS v_rows = ROW_COUNT;\n    v_count := v_count + v_rows;\n")
        covered.append(table.name)
        if kept:
            ctx.infer("security.erasure", f"{table.name}.{', '.join(kept)}", "kept on erasure",
                      "required, and of a type without a neutral value or with a CHECK a neutral value may fail; "
                      "erase it in the application")
    body = (f"\nDECLARE\n    v_count integer := 0;\n    v_rows integer;\n"
            f"    v_previous text := current_setting('{USER_SETTING}', true);\nBEGIN\n"
            f"    PERFORM set_config('{USER_SETTING}', p_id::text, true);\n" + "".join(statements)
            + f"    PERFORM set_config('{USER_SETTING}', coalesce(v_previous, ''), true);\n    RETURN v_count;\nEND;\n")
    s.functions.append(Function(
        name=name, returns="integer", arguments=f"p_id {type_sql(subject.column(key).type)}", body=body,
        comment=f"Right to erasure ({', '.join(laws)}): anonymizes the personal data of one {singular(subject.name)} "
                f"in {', '.join(covered)}; returns the number of rows changed",
        origin=convention("security.erasure", "right to be forgotten")))
    facts["function_roles"][name] = ["admin"]
    facts["erasure"].append({"function": name, "table": subject.name, "key": key, "tables": covered,
                             "columns": erased})
    ctx.infer("security.erasure", subject.name, f"{name}(id) anonymizes {', '.join(covered)}",
              f"{', '.join(laws)} right to erasure, derived from the pii flags ({subject.name} is a data subject: "
              "personal data, referencing no other table with personal data); it anonymizes and never deletes, so "
              "rows kept by a retention rule stay for their period; runs as the admin role, acting as the erased "
              "subject so that row-level security lets it reach its rows; audit rows never hold personal data")


# --- privileges ----------------------------------------------------------------------------------

def _grants(ctx: DesignContext, facts: dict) -> None:
    s = ctx.schema
    role = {p: s.role(p).name for p in ROLE_PURPOSES}
    audit = (facts["audit"] or {}).get("table")
    personal = set(facts["pii"]) | set(facts["secrets"])

    def grant(purpose: str, privileges, kind: str, name: str, why: str) -> None:
        s.grants.append(Grant(grantee=role[purpose], privileges=tuple(privileges), object_type=kind,
                              object_name=name, origin=convention("security.grants", why)))

    grant("owner", ("USAGE", "CREATE"), "schema", s.name, "the owner creates the schema's objects")
    for p in ("readonly", "readwrite", "admin"):
        grant(p, ("USAGE",), "schema", s.name, "PUBLIC is revoked from the schema; each role is let in")
    for t in s.tables:
        if t.name == audit:
            grant("admin", ("SELECT",), "table", t.name, "the audit trail is append-only: admin reads it")
            continue
        grant("readwrite", WRITE_PRIVILEGES, "table", t.name, "the application reads and writes; no TRUNCATE "
              "(it ignores row-level security)")
        grant("admin", TABLE_PRIVILEGES, "table", t.name, "administration; no REFERENCES or TRIGGER: schema "
              "changes go through migrations as the owner")
        if t.name not in personal:
            grant("readonly", ("SELECT",), "table", t.name, "read-only access")
    for v in s.views:
        if v.name in facts["masked_views"].values():
            readers = ("readonly", "admin")
        elif v.name in facts["decrypted_views"].values():
            readers = ("readwrite", "admin")
        else:
            readers = ("readwrite", "admin") + (() if set(v.depends_on) & personal else ("readonly",))
        for p in readers:
            grant(p, ("SELECT",), "view", v.name, "readers of the view")
    for f in s.functions:
        for p in facts["function_roles"].get(f.name, ()):
            grant(p, ("EXECUTE",), "function", f.name, "callers of the helper function")
    why = convention("security.default_privileges", "objects created later get the same privileges")
    owner = role["owner"]
    defaults = [("tables", ("SELECT",), "readonly"), ("tables", WRITE_PRIVILEGES, "readwrite"),
                ("tables", TABLE_PRIVILEGES, "admin"), ("sequences", ("SELECT",), "readonly"),
                ("sequences", ("SELECT", "USAGE"), "readwrite"), ("sequences", ("SELECT", "UPDATE", "USAGE"), "admin")]
    s.default_privileges += [DefaultPrivilege(owner=owner, object_type=kind, privileges=privileges, origin=why,
                                              grantee=role[purpose]) for kind, privileges, purpose in defaults]
    s.default_privileges.append(DefaultPrivilege(owner=owner, object_type="functions", privileges=("EXECUTE",),
                                                 grantee="PUBLIC", revoke=True, schema=None, origin=why))
    ctx.infer("security.grants", "privileges", "PUBLIC revoked from the schema and every function; explicit "
              "grants per role; default privileges for later tables, sequences and functions",
              "least privilege: a role can do only what its purpose needs" + (
                  f"; {role['readonly']} reads {', '.join(sorted(personal))} only through masked views"
                  if personal else ""))
    ctx.infer("security.default_privileges", "later objects", f"tables created by {owner} are readable by "
              f"{role['readonly']}", "a later table with personal data must revoke that and get a masked view")


def keep_erasure_working(ctx: DesignContext) -> None:
    """After the access rules: an erasure function runs as the admin role, and a rule such as "only registrar
    may see loans" takes SELECT on the table away from it, so its UPDATE ... WHERE would be refused (42501).
    Such a function becomes SECURITY DEFINER: it runs with the owner's rights (the owner owns the tables and
    is never revoked), with its search_path fixed (Function.settings), still executable by the admin role
    only. The right to erasure must not depend on who may read the table."""
    s = ctx.schema
    admin = s.role("admin")
    if admin is None:
        return
    security = s.facts.security
    for e in security.erasure if security is not None else ():
        fn = s.function(e["function"])
        if fn is None or fn.security_definer:
            continue
        missing = []
        for name in e.get("tables") or ():
            held = {p for g in s.grants if g.grantee == admin.name and g.object_type == "table"
                    and g.object_name == name for p in g.privileges}
            lacking = [p for p in ("SELECT", "UPDATE") if p not in held and "ALL" not in held]
            if lacking:
                missing.append(f"{'/'.join(lacking)} on {name}")
        if not missing:
            continue
        fn.security_definer = True
        ctx.infer("security.erasure", fn.name, "SECURITY DEFINER (owner's rights, fixed search_path)",
                  f"the admin role, which runs it, no longer holds {', '.join(missing)} (an access rule took it "
                  "away): run with its owner's rights the erasure still reaches every row; EXECUTE stays with the "
                  "admin role only")
