from __future__ import annotations

from collections import Counter

from pglast import ast, parse_sql
from pglast.enums import A_Expr_Kind
from pglast.parser import ParseError

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import Namespace, SchemaRule, column_list, q
from schemawright.model.names import uq_name
from schemawright.model.schema import Table
from schemawright.pg_ast import walk

TENANT_COLUMNS = ("tenant_id", "organization_id", "organisation_id", "org_id", "workspace_id")


class TenantIsolationGap(SchemaRule):
    """A multi-tenant schema lets one tenant read, reference or probe another tenant's rows.

    Tables that share a required tenant column (`tenant_id`, `organization_id`, `org_id`,
    `workspace_id`) hold several tenants' rows. The rule reports, in a schema with at least two such
    tables:

    - a tenant table (or the tenants' table itself, the one the tenant column references, or a table that
      belongs to a tenant through a required reference to a tenant table, like a junction) without
      row-level security or without a policy: any role that can read it reads every tenant's rows;
    - a foreign key between two tenant tables that does not include the tenant column: foreign keys
      ignore row-level security, so tenant A can attach a row to tenant B's parent, and when B deletes
      the parent, an ON DELETE CASCADE deletes A's row;
    - a UNIQUE constraint or index on a tenant table without the tenant column: a refused insert tells
      tenant A that tenant B already holds the value (an API key prefix, an invoice number);
    - a policy that compares the tenant column with `current_setting(...)` directly: the setting is
      one any session of the role can change, so the policy binds nothing the application did not
      choose; check it against a membership in a SECURITY DEFINER function instead.

    **Bad**

    ```sql
    CREATE TABLE tasks (id uuid PRIMARY KEY, tenant_id uuid NOT NULL,
                        project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE);
    ```

    **Good**

    ```sql
    ALTER TABLE projects ADD CONSTRAINT uq_projects_tenant_id_id UNIQUE (tenant_id, id);
    CREATE TABLE tasks (id uuid PRIMARY KEY, tenant_id uuid NOT NULL, project_id uuid NOT NULL,
                        FOREIGN KEY (tenant_id, project_id) REFERENCES projects (tenant_id, id) ON DELETE CASCADE);
    ALTER TABLE tasks ENABLE ROW LEVEL SECURITY;
    CREATE POLICY tasks_tenant ON tasks USING (tenant_id = (SELECT fn_current_tenant()));
    ```
    """

    code = "SW614"
    name = "tenant-isolation-gap"
    severity = Severity.ERROR
    fix = ("ALTER TABLE tasks ADD FOREIGN KEY (tenant_id, project_id) REFERENCES projects (tenant_id, id); "
           "ALTER TABLE tasks ENABLE ROW LEVEL SECURITY; CREATE POLICY ...")
    targets = (Namespace,)

    def check(self, namespace, ctx):
        tenants = _tenant_tables(namespace.tables, ctx)
        if len(tenants) < 2:
            return
        by_name = {t.name: t for t in namespace.tables}
        roots = {fk.ref_table for t, col in tenants.items() for fk in by_name[t].foreign_keys
                 if fk.columns == (col,) and fk.ref_table not in tenants}
        children = {}  # tables that reach a tenant through a required reference to a tenant table
        for table in namespace.tables:
            fk = next((fk for fk in table.foreign_keys if fk.ref_table in tenants and table.name not in tenants
                       and table.name not in roots and all(table.has_column(c) and not table.column(c).nullable
                                                          for c in fk.columns)), None)
            if fk is not None:
                children[table.name] = fk.ref_table
        for name in sorted(roots) + sorted(tenants) + sorted(children):
            table = by_name.get(name)
            if table is None:
                continue
            what = ("the tenants' table" if name in roots else f"a tenant table (by {tenants[name]})"
                    if name in tenants else f"a tenant's (through {children[name]})")
            if not table.rls_enabled or not ctx.policies_of(table):
                yield self.report(ctx, f"Table {name!r} is {what} and has "
                                       f"{'no row-level security' if not table.rls_enabled else 'no policy'}: every "
                                       "role that can read it reads every tenant's rows.", at=ctx.table_path(table),
                                  fix=f"ALTER TABLE {ctx.table_sql(table)} ENABLE ROW LEVEL SECURITY;\n"
                                      f"CREATE POLICY {q(name + '_tenant')} ON {ctx.table_sql(table)} USING "
                                      f"({q(tenants.get(name, 'id'))} = (SELECT fn_current_tenant()));")
        root_keys = {fk.ref_table: fk.ref_columns[0] for t, col in tenants.items() for fk in by_name[t].foreign_keys
                     if fk.columns == (col,) and fk.ref_table in roots}
        for name, col in sorted(tenants.items()) + sorted(root_keys.items()):
            table = by_name[name]
            if name in tenants:
                yield from self._keys(ctx, table, col, tenants, by_name)
                yield from self._uniques(ctx, table, col)
            for policy in ctx.policies_of(table):
                for kind, expr in (("USING", policy.using), ("WITH CHECK", policy.with_check)):
                    if expr is not None and _reads_setting(str(expr), col):
                        yield self.report(ctx, f"Policy {policy.name!r} on {name} compares {col} with a session "
                                               f"setting ({kind}): any session of the role can set it to another "
                                               "tenant.", at=ctx.path(table.schema, name, policy.name),
                                          fix=f"-- check the tenant against the signed-in user's membership in a "
                                              f"SECURITY DEFINER function:\nALTER POLICY {q(policy.name)} ON "
                                              f"{ctx.table_sql(table)} USING ({q(col)} = (SELECT "
                                              "fn_current_tenant()));")
                        break

    def _keys(self, ctx, table: Table, col: str, tenants: dict[str, str], by_name: dict[str, Table]):
        for fk in table.foreign_keys:
            parent = by_name.get(fk.ref_table)
            if parent is None or parent.name not in tenants or col in fk.columns:
                continue
            pcol = tenants[parent.name]
            yield self.report(ctx, f"Foreign key {fk.name!r} ({', '.join(fk.columns)}) -> {parent.name} joins two "
                                   f"tenant tables without {col}: a row can reference another tenant's "
                                   f"{parent.name} row, and that tenant's delete cascades into it.",
                              at=ctx.table_path(table, fk.name),
                              fix=f"ALTER TABLE {ctx.table_sql(parent)} ADD CONSTRAINT "
                                  f"{q(uq_name(parent.name, (pcol, *fk.ref_columns)))} UNIQUE "
                                  f"({column_list((pcol, *fk.ref_columns))});\n"
                                  f"ALTER TABLE {ctx.table_sql(table)} DROP CONSTRAINT {q(fk.name)}, ADD FOREIGN KEY "
                                  f"({column_list((col, *fk.columns))}) REFERENCES {ctx.table_sql(parent)} "
                                  f"({column_list((pcol, *fk.ref_columns))}) ON DELETE {fk.on_delete};")

    def _uniques(self, ctx, table: Table, col: str):
        keys = [(u.name, u.columns) for u in table.uniques]
        keys += [(i.name, i.columns) for i in table.indexes if i.unique and i.where is None]
        for name, columns in keys:
            if col in columns or not columns:
                continue
            yield self.report(ctx, f"UNIQUE {name!r} ({', '.join(columns)}) on tenant table {table.name} holds "
                                   f"across tenants: a refused insert tells one tenant that another holds the value.",
                              at=ctx.table_path(table, name),
                              fix=f"ALTER TABLE {ctx.table_sql(table)} DROP CONSTRAINT {q(name)}, ADD CONSTRAINT "
                                  f"{q(uq_name(table.name, (col, *columns)))} UNIQUE ({column_list((col, *columns))});")


def _tenant_tables(tables, ctx) -> dict[str, str]:
    """table -> tenant column: as a schemawright design records it, else the most common required tenant-like
    column (by name, or compared with a tenant setting in a policy), when two tables or more have it."""
    names = {t.name for t in tables}
    designed = (ctx.schema.facts.tenancy or {}).get("tables") or {}
    if designed:
        return {t: c for t, c in designed.items() if t in names}
    found: dict[str, str] = {}
    for table in tables:
        col = next((c for c in TENANT_COLUMNS if table.has_column(c) and not table.column(c).nullable), None)
        col = col or next((c.name for c in table.columns if not c.nullable and any(
            _reads_setting(str(e), c.name, "tenant") for p in ctx.policies_of(table) for e in (p.using, p.with_check)
            if e is not None)), None)
        if col is not None:
            found[table.name] = col
    if not found:
        return {}
    common, count = Counter(found.values()).most_common(1)[0]
    return {t: c for t, c in found.items() if c == common} if count >= 2 else {}


def _reads_setting(expression: str, column: str, setting: str = "") -> bool:
    """Whether ``expression`` compares ``column`` with current_setting(...) (of a setting whose name contains
    ``setting``) other than through a function of its own: casts, NULLIF/COALESCE and a scalar sub-select
    around the setting read it directly."""
    try:
        stmt = parse_sql(f"SELECT 1 WHERE {expression}")[0].stmt
    except ParseError:
        return False
    for node in walk(stmt.whereClause):
        if not isinstance(node, ast.A_Expr) or node.kind != A_Expr_Kind.AEXPR_OP or not node.name \
                or node.name[-1].sval != "=":
            continue
        sides = (node.lexpr, node.rexpr)
        if any(_is_column(s, column) for s in sides) and any(
                (name := _direct_setting(s)) is not None and setting in name for s in sides):
            return True
    return False


def _is_column(node, column: str) -> bool:
    return isinstance(node, ast.ColumnRef) and getattr(node.fields[-1], "sval", None) == column


def _direct_setting(node) -> str | None:
    """The name of the setting ``node`` reads directly ('' when not a constant), or None."""
    if isinstance(node, ast.TypeCast):
        return _direct_setting(node.arg)
    if isinstance(node, ast.FuncCall):
        name = node.funcname[-1].sval.lower()
        if name == "current_setting":
            first = (node.args or (None,))[0]
            return getattr(getattr(first, "val", None), "sval", "") or ""
        if name in ("nullif", "coalesce"):
            return next((n for a in node.args or () if (n := _direct_setting(a)) is not None), None)
        return None
    if isinstance(node, ast.CoalesceExpr):
        return next((n for a in node.args or () if (n := _direct_setting(a)) is not None), None)
    if isinstance(node, ast.SubLink) and isinstance(node.subselect, ast.SelectStmt):  # (SELECT current_setting(..))
        targets = node.subselect.targetList or ()
        return _direct_setting(targets[0].val) if len(targets) == 1 and not node.subselect.fromClause else None
    if isinstance(node, ast.A_Expr) and node.kind == A_Expr_Kind.AEXPR_NULLIF:
        return _direct_setting(node.lexpr)
    return None
