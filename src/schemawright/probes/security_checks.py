"""The security promises of a design as SQL checks, shared by ``verify`` and the generated pgTAP tests.

Each ``Check`` is an SQL expression returning text and the text it must return. The expressions call
session-local helpers (``security_support.sql``) that attempt an operation as a role inside a
subtransaction and report what happened: ``allowed``/``denied`` for privileges, ``N row(s)`` or
``refused by policy`` for row-level security, ``ok`` or the first problem for the audit, encryption,
masking, erasure and round-trip probes. The fixture (``fixture_sql``) inserts rows for two principals
(A and B) and for every table, choosing each value from a candidate list whose first entry, for text,
is a hostile string, so every probe also proves that such values travel intact.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from pglast import parse_sql

from schemawright.datagen.rows import base_candidates, check_literals, check_patterns
from schemawright.model.facts import SecurityFacts
from schemawright.model.names import dollar_quote
from schemawright.model.names import quote_ident as q
from schemawright.model.names import quote_literal as lit
from schemawright.model.schema import Column, Schema, Table
from schemawright.model.types import TEXT_KINDS, Kind
from schemawright.regex_sample import regex_sample

TABLE_OPERATIONS = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE")
HOSTILE_MARK = "'; DROP TABLE"
FIXTURE_TAG = "$fixture$"
NOBODY = "current_setting('sw.nobody')"  # a role created by the probes and granted nothing


@cache
def support_sql() -> str:
    """The helper functions (pg_temp) the checks call."""
    return resources.files("schemawright.probes").joinpath("security_support.sql").read_text(encoding="utf-8")


def hostile(table: str, serial: int) -> str:
    """A text value that breaks naive quoting: quotes, backslashes, SQL, dollar quotes, control
    characters and non-ASCII (no NUL: PostgreSQL text cannot hold it)."""
    return (f"#{serial} O'Reilly \"{table}\" \\ \\x00 {HOSTILE_MARK} {table}; -- /* $$ $function$ %_ "
            "Zürich ✓ 東京 🚀 \x01\x07\x1b\x7f\t\n")


@dataclass(frozen=True)
class Check:
    group: str  # the pgTAP file: privileges | row_security | audit | encryption | personal_data
    step: str  # the verify step it belongs to
    name: str
    sql: str
    expected: str
    pgtap: bool = True  # also a pgTAP assertion (False: only meaningful right after the migrations)


@dataclass
class FixtureRow:
    label: str
    table: str
    fixed: dict[str, str]  # column -> SQL jsonb expression (a principal's key, a parent's key)
    candidates: dict[str, list]
    constraints: dict[str, list[str]]
    temporary: bool


# --- fixture rows --------------------------------------------------------------------------------

def column_candidates(schema: Schema, table: Table, column: Column, serial: int) -> list:
    """JSON values to try for a column, most wanted first: the hostile string for text."""
    t = column.type
    if t.array_dims:
        values: list = ["{}"]
    elif t.kind == Kind.ENUM:
        values = list(schema.enum(t.name).values) if schema.enum(t.name) else []
    elif t.kind in (Kind.JSON, Kind.JSONB):
        values = [{"note": hostile(table.name, serial)}, {}, []]
    elif t.kind == Kind.BYTEA:
        values = ["\\x" + bytes(range(1, 256)).hex()]
    else:
        values = [hostile(table.name, serial)[: t.length or None]] if t.kind in TEXT_KINDS else []
        checks = [c for c in table.checks if column.name in c.columns]
        for check in checks:
            values += [s for col, pattern, icase in check_patterns(check) if col == column.name
                       and (s := regex_sample(pattern, serial, icase)) is not None]
        values += base_candidates(column, serial)
        values += [v for check in checks for v in check_literals(check)]
    seen: list = []
    for v in values:
        if v not in seen:
            seen.append(v)
    return seen + ([None] if column.nullable else [])


class FixturePlan:
    """The rows the checks need: principals A and B, each bound table's rows for A and B plus a row A
    may insert, and one row of every other table (a temporary one for audited tables)."""

    def __init__(self, schema: Schema):
        self.schema = schema
        self.tables = {t.name: t for t in schema.tables}  # by name: the plan looks tables up thousands of times
        facts = schema.facts.security or SecurityFacts()
        self.bindings: dict[str, dict] = facts.rls
        self.rows: dict[str, FixtureRow] = {}
        self._persistent: dict[str, str] = {}  # table -> label of its first row that is not temporary
        self.serial = itertools.count(1)
        self.membership = facts.tenant_binding if (facts.tenant_binding or {}).get("kind") == "membership" else None
        if self.membership is not None:  # the members A and B first: each tenant's rows are read by its member
            for who in ("A", "B"):
                self.ensure(self.membership["table"], who)
        for name in self.bindings:
            for who in ("A", "B", "A-new"):
                self.ensure(name, who)
        for subject in facts.erasure:
            self.ensure(subject["table"], "A")
            self.ensure(subject["table"], "B")
        audited = set((facts.audit or {}).get("tables") or [])
        for table in schema.tables:
            if table.name in audited and table.name not in self.bindings:
                self.ensure(table.name, "new")
            if table.name not in self._persistent and table.name != (facts.audit or {}).get("table"):
                self.ensure(table.name, "fixture")

    @staticmethod
    def principal(who: str) -> str | None:
        return {"A": "A", "A-new": "A", "A-parent": "A", "B": "B"}.get(who)

    def label(self, table: str) -> str:
        """A persistent row of ``table``: principal A's when the table is bound, else its fixture row."""
        return f"{table}:A" if table in self.bindings else self._persistent.get(table, f"{table}:fixture")

    def value(self, binding: dict, who: str) -> str:
        """SQL (jsonb) for principal ``who``'s value of a binding column."""
        root = binding.get("principal_table")
        if root:
            return f"pg_temp.sw_val({lit(self.ensure(root, who))}, {lit(binding['principal_columns'][0])})"
        kind = binding.get("value_type", "uuid")
        if kind.startswith(("int", "bigint", "smallint", "numeric")):
            return f"to_jsonb({1001 if who == 'A' else 1002})"
        if kind == "uuid":
            return f"to_jsonb({lit('00000000-0000-4000-8000-00000000000' + ('a' if who == 'A' else 'b'))}::text)"
        return f"to_jsonb({lit('tenant-' + who.lower())}::text)"

    def settings(self, who: str, tenant_of: str | None = None) -> str:
        """SQL (jsonb) for the session settings that make ``who`` the current user and tenant (the tenant of
        ``tenant_of`` instead: a session that switches the setting to another tenant)."""
        pairs = {}
        for b in self.bindings.values():
            if b["basis"] != "parent" and b["setting"] not in pairs:
                owner = tenant_of if tenant_of and b["basis"] == "tenant" else who
                pairs[b["setting"]] = f"({self.value(b, owner)} #>> '{{}}')"
        if self.membership is not None:  # the member of the tenant: its user
            member = self.bindings[self.membership["table"]]["membership"]
            pairs[self.membership["user_setting"]] = (
                f"pg_temp.sw_text({lit(self.ensure(member['user_table'], who))}, {lit(member['user_key'][0])})")
        if not pairs:
            return "'{}'::jsonb"
        return "jsonb_build_object(" + ", ".join(f"{lit(k)}, {v}" for k, v in pairs.items()) + ")"

    def ensure(self, name: str, who: str) -> str:
        label = f"{name}:{who}"
        if label in self.rows:
            return label
        table = self.tables.get(name)
        fixed: dict[str, str] = {}
        b, p = self.bindings.get(name), self.principal(who)
        if b is not None and p is not None:
            if b["basis"] == "parent":
                # a one-to-one child (outings.booking_id unique): the row A may insert needs a parent of A's
                # that no other child row holds
                keys = [u.columns for u in table.uniques] + ([table.primary_key.columns] if table.primary_key else [])
                sole = who == "A-new" and any(set(k) <= set(b["columns"]) for k in keys)
                parent = self.ensure(b["parent"], "A-parent" if sole else p)
                fixed.update({c: f"pg_temp.sw_val({lit(parent)}, {lit(r)})"
                              for c, r in zip(b["columns"], b["parent_columns"])})
            elif b.get("principal_table") != name:
                fixed[b["columns"][0]] = self.value(b, p)
            member = b.get("membership")
            if member is not None and who in ("A", "B"):  # the member A or B: the user the settings name
                fixed[member["user_column"]] = (f"pg_temp.sw_val({lit(self.ensure(member['user_table'], who))}, "
                                                f"{lit(member['user_key'][0])})")
        # the widest first: a composite reference that shares a column with a narrower one ((hotel_id,
        # room_type_id) and (hotel_id)) fixes both from one parent that satisfies both
        for fk in sorted(table.foreign_keys, key=lambda f: -len(f.columns)):
            if set(fk.columns) <= set(fixed) or fk.ref_table == name or all(table.column(c).nullable
                                                                           for c in fk.columns):
                continue
            if set(fk.columns) & set(fixed) and not (p is not None and fk.ref_table in self.bindings):
                continue  # a key that includes the tenant: only a parent of the same principal fits
            keys = [u.columns for u in table.uniques] + ([table.primary_key.columns] if table.primary_key else [])
            # a unique index, partial ones too (one open shipment per keg fill: WHERE returned_on IS NULL,
            # which a fixture row left NULL meets)
            keys += [tuple(e.column for e in ix.elements) for ix in table.indexes
                     if ix.unique and all(e.column is not None for e in ix.elements)]
            unique = any(set(fk.columns) <= set(k) for k in keys)  # part of a key: each row its own parent
            owner = p if p is not None and fk.ref_table in self.bindings else None
            # two references to one table (origin/destination, follower/followee) get two parents: rules
            # often require them to differ
            twin = sum(1 for f in table.foreign_keys if f.ref_table == fk.ref_table) > 1
            parent = self.ensure(fk.ref_table, owner or ((f"for-{label}" if unique else "fixture")
                                                         + (f"-{fk.columns[0]}" if twin else "")))
            fixed.update({c: f"pg_temp.sw_val({lit(parent)}, {lit(r)})" for c, r in zip(fk.columns, fk.ref_columns)
                          if c not in fixed})
        candidates = {}
        # a column whose default a rule forbids in some rows (exactly one of debit, credit non-zero; both
        # default to 0) gets candidates too
        one_of = {c for e in self.schema.facts.exactly_one if e.table == name for c in (e.left, e.right)}
        for c in table.columns:
            if c.name in fixed or c.identity or c.generated is not None or (c.default is not None
                                                                             and c.name not in one_of):
                continue
            if not c.nullable or c.name in one_of or (c.type.kind in TEXT_KINDS and not c.type.array_dims):
                candidates[c.name] = column_candidates(self.schema, table, c, next(self.serial))
        constraints = {c.name: list(c.columns) for c in table.checks}
        constraints |= {u.name: list(u.columns) for u in table.uniques}
        if table.primary_key:
            constraints[table.primary_key.name] = list(table.primary_key.columns)
        self.rows[label] = FixtureRow(label, name, fixed, candidates, constraints, temporary=who in ("A-new", "new"))
        if not self.rows[label].temporary:
            self._persistent.setdefault(name, label)
        return label

    def sql(self) -> str:
        calls = []
        for r in self.rows.values():
            fixed = ("jsonb_build_object(" + ", ".join(f"{lit(k)}, {v}" for k, v in r.fixed.items()) + ")"
                     if r.fixed else "'{}'::jsonb")
            calls.append(f"    PERFORM pg_temp.sw_build({lit(r.label)}, {lit(r.table)}, {fixed},\n"
                         f"        {lit(json.dumps(r.candidates, ensure_ascii=False))}::jsonb,\n"
                         f"        {lit(json.dumps(r.constraints))}::jsonb, {'true' if r.temporary else 'false'});")
        body = "\nBEGIN\n" + "\n".join(calls) + "\nEND\n"
        # Values and names may hold "$fixture$": the quote tag is one the body lacks.
        return (f"-- Fixture rows for the security checks ({len(self.rows)} rows; text values start with a hostile "
                f"string).\nDO {dollar_quote(body, FIXTURE_TAG.strip('$'))};\n")


def fixture_sql(schema: Schema) -> str:
    return FixturePlan(schema).sql()


# --- checks --------------------------------------------------------------------------------------

def effective_privileges(schema: Schema, role: str | None) -> dict[tuple[str, str], set[str]]:
    """(object type, name) -> privileges ``role`` holds, through its own grants, its roles and PUBLIC."""
    names, pending = {"PUBLIC"}, [role] if role else []
    while pending:
        name = pending.pop()
        if name not in names:
            names.add(name)
            r = next((x for x in schema.roles if x.name == name), None)
            pending += list(r.member_of) if r else []
    out: dict[tuple[str, str], set[str]] = {}
    for g in schema.grants:
        if g.grantee in names:
            out.setdefault((g.object_type, g.object_name), set()).update(p.upper() for p in g.privileges)
    return out


def _argument_count(arguments: str) -> int:
    if not arguments.strip():
        return 0
    stmt = parse_sql(f"CREATE FUNCTION f({arguments}) RETURNS void LANGUAGE sql AS ''")[0].stmt
    return sum(1 for p in stmt.parameters or () if str(p.mode.name) not in ("FUNC_PARAM_OUT", "FUNC_PARAM_TABLE"))


def _operation_sql(table: Table, op: str) -> str:
    """A statement that needs exactly one privilege and touches no row."""
    name = f"public.{q(table.name)}"
    col = next((c.name for c in table.columns if c.generated is None and c.identity != "always"), None)
    return {"SELECT": f"SELECT 1 FROM {name} WHERE false",
            "INSERT": f"INSERT INTO {name} ({q(col)}) SELECT NULL WHERE false",
            "UPDATE": f"UPDATE {name} SET {q(col)} = NULL WHERE false",
            "DELETE": f"DELETE FROM {name} WHERE false",
            "TRUNCATE": f"TRUNCATE {name}"}[op]


def privilege_checks(schema: Schema) -> list[Check]:
    roles = [(r.name, lit(r.name)) for r in schema.roles if r.purpose != "owner"]
    roles.append(("PUBLIC", NOBODY))
    out = []
    # The probing statements (quoted as literals) are the same for every role: made once.
    relations = [(t.name, "table", [(op, lit(_operation_sql(t, op))) for op in TABLE_OPERATIONS])
                 for t in schema.tables]
    relations += [(v.name, "view", [("SELECT", lit(f"SELECT 1 FROM public.{q(v.name)} WHERE false"))])
                  for v in schema.views]
    # EXPLAIN checks EXECUTE (when the executor is set up) without running the function's body
    calls = [(f, lit(f"EXPLAIN SELECT public.{q(f.name)}({', '.join(['NULL'] * _argument_count(f.arguments))})"))
             for f in schema.functions]
    for label, role_sql in roles:
        allowed = effective_privileges(schema, None if label == "PUBLIC" else label)
        for name, kind, statements in relations:
            granted = allowed.get((kind, name), set())
            for op, statement in statements:
                expected = "allowed" if op in granted else "denied"
                out.append(Check("privileges", f"privileges: {label} on {name}", f"{label}: {op} on {name} {expected}",
                                 f"pg_temp.sw_privilege({role_sql}, {statement})", expected))
        for f, call in calls:
            expected = "allowed" if "EXECUTE" in allowed.get(("function", f.name), set()) else "denied"
            out.append(Check("privileges", f"privileges: {label} on functions", f"{label}: EXECUTE {f.name} {expected}",
                             f"pg_temp.sw_privilege({role_sql}, {call})", expected))
    app = schema.role("app")
    if app is not None:
        out.append(Check("privileges", "roles: the login role has no password in any file", f"{app.name} has no "
                         "password until set_app_password.sql sets one",
                         f"(SELECT (rolpassword IS NULL)::text FROM pg_authid WHERE rolname = {lit(app.name)})", "true",
                         pgtap=False))
    return out


def _on_row(template: str, table: str, *args: str) -> str:
    """SQL building, at run time, a statement on ``table`` from a format() template (%I is the table)."""
    return f"format({lit(template)}, {lit(table)}{''.join(', ' + a for a in args)})"


def _where(label: str) -> str:
    return f"pg_temp.sw_where({lit(label)})"


def _append_only(schema: Schema, name: str) -> bool:
    """A business rule made the table append-only: its trigger refuses every UPDATE (55000) to the roles
    people and the application use, before any policy is consulted."""
    table = schema.table(name)
    return table is not None and any(t.name.endswith("_immutable") and t.function.endswith("_immutable")
                                     for t in table.triggers)


def _handover(schema: Schema, name: str, sql: str) -> tuple[str, str, str]:
    """A's attempt to hand its row to B: refused by the policy's WITH CHECK, or on an append-only table by
    its trigger first (no UPDATE at all); either way the row stays A's, and an UPDATE that went through
    ('1 row(s)') fails the check."""
    if not _append_only(schema, name):
        return ("A cannot hand its row to B", sql, "refused by policy")
    return ("A cannot hand its row to B (append-only: the UPDATE itself is refused)",
            f"(SELECT CASE WHEN r LIKE 'error 55000:%' THEN 'refused: append-only' ELSE r END FROM (SELECT {sql} AS r) AS t)",
            "refused: append-only")


def row_security_checks(schema: Schema, plan: FixturePlan) -> list[Check]:
    app, admin, readonly = (schema.role(p).name for p in ("app", "admin", "readonly"))
    bypass = bool(schema.facts.security and schema.facts.security.admin_bypass)
    none = "'{}'::jsonb"
    out = []
    for name, b in plan.bindings.items():
        a, bb, new = (f"{name}:{who}" for who in ("A", "B", "A-new"))
        ctx_a = plan.settings("A")

        def attempt(role: str, sql: str, ctx: str = ctx_a) -> str:
            return f"pg_temp.sw_try({lit(role)}, {sql}, {ctx})"

        if b["basis"] == "parent":  # B's values: the key of B's parent row
            parent = lit(f"{b['parent']}:B")
            pairs = list(zip(b["columns"], b["parent_columns"]))
            for_b = "jsonb_build_object(" + ", ".join(f"{lit(c)}, pg_temp.sw_val({parent}, {lit(r)})"
                                                      for c, r in pairs) + ")"
            set_b = ", ".join(f"{q(c)} = %L" for c, _ in pairs)
            b_values = [f"pg_temp.sw_text({parent}, {lit(r)})" for _, r in pairs]
        else:
            for_b = f"jsonb_build_object({lit(b['columns'][0])}, {plan.value(b, 'B')})"
            set_b, b_values = f"{q(b['columns'][0])} = %L", [f"({plan.value(b, 'B')} #>> '{{}}')"]
        column = f"pg_temp.sw_update_column({lit(name)})"
        select = "SELECT 1 FROM public.%I WHERE %s"
        root = b.get("principal_table") == name and b["basis"] == "tenant"  # the tenants' table itself
        rows = [
            ("A sees its own row", attempt(app, _on_row(select, name, _where(a))), "1 row(s)"),
            ("A cannot see B's row", attempt(app, _on_row(select, name, _where(bb))), "0 row(s)"),
            ("A's UPDATE of B's row changes nothing",
             attempt(app, _on_row("UPDATE public.%I SET %I = %I WHERE %s", name, column, column, _where(bb))),
             "0 row(s)"),
            ("A's DELETE of B's row deletes nothing",
             attempt(app, _on_row("DELETE FROM public.%I WHERE %s", name, _where(bb))), "0 row(s)"),
            ("A cannot create a tenant" if root else "A can insert its own row",
             attempt(app, f"pg_temp.sw_insert_sql({lit(name)}, pg_temp.sw_row({lit(new)}))"),
             "refused by policy" if root else "1 row(s)"),
            ("A cannot insert a row for B",
             attempt(app, f"pg_temp.sw_insert_sql({lit(name)}, pg_temp.sw_row({lit(new)}) || {for_b})"),
             "refused by policy"),
            _handover(schema, name, attempt(app, _on_row(f"UPDATE public.%I SET {set_b} WHERE %s", name, *b_values,
                                                         _where(a)))),
            ("without a user or tenant set, no row is visible", attempt(app, _on_row(select, name, _where(a)), none),
             "0 row(s)"),
        ]
        if plan.membership is not None and b["basis"] == "tenant":  # the setting alone does not switch tenants
            rows.append(("switching the tenant setting to B (A's user is no member of B) shows none of B's rows",
                         attempt(app, _on_row(select, name, _where(bb)), plan.settings("A", tenant_of="B")),
                         "0 row(s)"))
            rows.append(("switching the tenant setting to B lets A write nothing for B",
                         attempt(app, f"pg_temp.sw_insert_sql({lit(name)}, pg_temp.sw_row({lit(new)}) || {for_b})",
                                 plan.settings("A", tenant_of="B")), "refused by policy"))
        if "SELECT" in effective_privileges(schema, readonly).get(("table", name), set()):
            rows.append((f"{readonly} as A cannot see B's row", attempt(readonly, _on_row(select, name, _where(bb))),
                         "0 row(s)"))
        both = _on_row("SELECT 1 FROM public.%I WHERE (%s) OR (%s)", name, _where(a), _where(bb))
        rows.append((f"{admin} sees every row" if bypass else f"{admin} is bound too (no bypass)",
                     attempt(admin, both, none), "2 row(s)" if bypass else "0 row(s)"))
        step = f"row security: {name} ({b['basis']}: {', '.join(b['columns'])})"
        out += [Check("row_security", step, f"{name}: {what}", sql, expected) for what, sql, expected in rows]
    return out


def _array(items) -> str:
    return "ARRAY[" + ", ".join(lit(c) for c in items) + "]::text[]"


def audit_checks(schema: Schema, plan: FixturePlan) -> list[Check]:
    audit = schema.facts.security.audit if schema.facts.security else None
    if not audit:
        return []
    app = schema.role("app").name
    admin = schema.role("admin").name
    out = []
    for name in audit["tables"]:
        bound = name in plan.bindings
        b = plan.bindings.get(name) or {}
        # the tenants' table: new tenants are created by the admin role (the application cannot), or with
        # access_control mandatory (no bypass) by a maintenance session outside row-level security
        actor, actor_sql = app, lit(app)
        if b.get("basis") == "tenant" and b.get("principal_table") == name:
            bypass = schema.facts.security is not None and schema.facts.security.admin_bypass
            actor, actor_sql = (admin, lit(admin)) if bypass else ("the session user", "session_user::text")
        label = f"{name}:A-new" if bound else f"{name}:new"
        redacted = audit["redacted"].get(name, [])
        ctx = plan.settings("A") if bound else "'{}'::jsonb"
        sql = (f"pg_temp.sw_audit_probe({actor_sql}, {lit(name)}, {lit(label)}, {ctx}, {_array(redacted)}, "
               f"{lit(audit['table'])})")
        out.append(Check("audit", f"audit: {name}", f"{name}: INSERT, UPDATE and DELETE by {actor} each leave exactly "
                         "the expected audit row", sql, "ok"))
    return out


def encryption_checks(schema: Schema, plan: FixturePlan) -> list[Check]:
    out = []
    for i, e in enumerate(schema.facts.security.encrypted if schema.facts.security else []):
        sql = (f"pg_temp.sw_encryption_probe({lit(e['table'])}, {lit(e['column'])}, {lit(plan.label(e['table']))}, "
               f"{lit(hostile(e['table'], 900 + i))})")
        out.append(Check("encryption", f"encryption: {e['table']}.{e['column']}",
                         f"{e['table']}.{e['column']}: ciphertext hides the value; the key decrypts it, no key or "
                         "another key fails", sql, "ok"))
    return out


def _selects(schema: Schema, role: str, view: str) -> bool:
    return any(g.grantee == role and g.object_name == view and "SELECT" in g.privileges for g in schema.grants)


def personal_data_checks(schema: Schema, plan: FixturePlan) -> list[Check]:
    facts = schema.facts.security or SecurityFacts()
    out = []
    readonly, admin = schema.role("readonly").name, schema.role("admin").name
    for name, view in facts.masked_views.items():
        table = schema.table(name)
        absent = [c.name for c in table.columns if c.encrypt or c.name in facts.secrets.get(name, [])]
        masked = [c for c in facts.pii.get(name, []) if c not in absent]
        ctx = plan.settings("A") if name in plan.bindings else "'{}'::jsonb"
        # the read-only role reads the masked view, unless an access rule ("only registrar may see loans") took
        # SELECT on it away: then whoever still reads it must see it masked, and when nobody does there is
        # nothing to attack (the privilege matrix proves the refusals)
        readers = [r.name for r in schema.roles if _selects(schema, r.name, view)]
        reader = readonly if readonly in readers else admin if admin in readers else next(iter(readers), None)
        if reader is None:
            continue
        sql = (f"pg_temp.sw_mask_probe({lit(reader)}, {lit(view)}, {lit(plan.label(name))}, {_array(masked)}, "
               f"{_array(absent)}, {ctx})")
        out.append(Check("personal_data", f"personal data: {view}", f"{view}: {reader} sees personal data masked",
                         sql, "ok"))
    for e in facts.erasure:
        cols = sorted(e["columns"] if "columns" in e else
                      set(facts.pii.get(e["table"], [])) | set(facts.secrets.get(e["table"], [])))
        sql = (f"pg_temp.sw_erasure_probe({lit(admin)}, {lit(e['function'])}, {lit(e['table'])}, {lit(e['key'])}, "
               f"{lit(e['table'] + ':A')}, {lit(e['table'] + ':B')}, {_array(cols)})")
        out.append(Check("personal_data", f"personal data: {e['function']}",
                         f"{e['function']}: erases one {e['table']} row's personal data and nobody else's", sql, "ok"))
    out.append(Check("personal_data", "injection: hostile values round trip", "every fixture row, hostile text "
                     "included, reads back exactly as sent", "pg_temp.sw_roundtrip_probe()", "ok"))
    return out


def tenant_checks(schema: Schema, plan: FixturePlan) -> list[Check]:
    """Every composite key between tenant-scoped tables: A's row cannot reference B's parent (as the
    application, and as a superuser: the key itself refuses), and deleting B's parent leaves A's rows."""
    tenancy = schema.facts.tenancy or {}
    scoped = tenancy.get("tables") or {}
    app = schema.role("app").name
    out = []
    for name, col in scoped.items():
        if name not in plan.bindings:
            continue
        for fk in schema.table(name).foreign_keys:
            if fk.ref_table not in scoped or col not in fk.columns:
                continue
            parent = lit(f"{fk.ref_table}:B")
            pointing = "jsonb_build_object(" + ", ".join(
                f"{lit(c)}, pg_temp.sw_val({parent}, {lit(r)})" for c, r in zip(fk.columns, fk.ref_columns)
                if c != col) + ")"
            insert = f"pg_temp.sw_insert_sql({lit(name)}, pg_temp.sw_row({lit(name + ':A-new')}) || {pointing})"
            step = f"tenant isolation: {name} -> {fk.ref_table}"
            out.append(Check("row_security", step, f"{name}: A cannot reference B's {fk.ref_table} row "
                             f"({fk.name})", f"pg_temp.sw_try({lit(app)}, {insert}, {plan.settings('A')})",
                             f"foreign key violation: {fk.name}"))
            sql = (f"pg_temp.sw_cascade_probe({lit(name)}, {lit(col)}, {lit(fk.name)}, {insert}, "
                   f"{lit(fk.ref_table)}, {lit(fk.ref_table + ':B')}, {lit(name + ':A')})")
            out.append(Check("row_security", step, f"{name}: no row of A can reference B's {fk.ref_table} row, so "
                             f"deleting it ({fk.on_delete}) leaves A's rows", sql, "ok"))
    return out


@dataclass
class SecurityChecks:
    support: str
    fixture: str
    checks: list[Check] = field(default_factory=list)


def security_checks(schema: Schema) -> SecurityChecks:
    """The support SQL, the fixture and every check of ``schema`` (empty when it has no roles)."""
    if not schema.roles:
        return SecurityChecks("", "", [])
    plan = FixturePlan(schema)
    checks = privilege_checks(schema) + row_security_checks(schema, plan) + tenant_checks(schema, plan)
    checks += audit_checks(schema, plan)
    checks += encryption_checks(schema, plan) + personal_data_checks(schema, plan)
    return SecurityChecks(support_sql(), plan.sql(), checks)
