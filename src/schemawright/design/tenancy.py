"""Tenant isolation by construction: which tables belong to a tenant, and keys that cannot cross tenants.

A table is *tenant-scoped* when the input declares its ``tenant_column``, when it has a ``tenant_id``
column, when it has a required reference to the tenants' table (memberships), or when it has a required
reference to a tenant-scoped table (a child reaches its tenant through its parent: it gets the tenant
column too, so its own policy can bind it). Then:

- every foreign key between two tenant-scoped tables is composite, ``(tenant, x_id)`` referencing a
  ``UNIQUE (tenant, id)`` of the parent, so a row can never reference (nor be cascade-deleted by)
  another tenant's row, whatever the session or role;
- a UNIQUE on a tenant-scoped table holds per tenant (``(tenant, key_prefix)``), so a failed insert
  cannot reveal that another tenant holds the value; a uniqueness stated in ``constraints`` is kept as
  given (global);
- every other table is *global*, with the reason logged as an inference.

The facts go to ``schema.facts.tenancy``; ``design/security.py`` binds every tenant-scoped table
with a policy and ``verify`` attacks each composite key.
"""

from __future__ import annotations

from dataclasses import replace

from schemawright.design.context import DesignContext, table_name_for
from schemawright.model import names
from schemawright.model.schema import Column, FkAction, ForeignKey, Table, UniqueConstraint, inferred

TENANT_ID = "tenant_id"


def _root_of(ctx: DesignContext, table: Table, column: str) -> Table | None:
    fk = next((fk for fk in table.foreign_keys if fk.columns == (column,)), None)
    return ctx.table(fk.ref_table) if fk is not None and fk.ref_table != table.name else None


def _declared(ctx: DesignContext) -> dict[str, str]:
    """table -> tenant column, from ``tenant_column`` and ``tenant_id`` columns."""
    out: dict[str, str] = {}
    for entity in ctx.spec.data_model.entities:
        table = ctx.table(table_name_for(entity.name))
        if entity.tenant_column and table is not None and table.has_column(names.to_snake(entity.tenant_column)):
            out[table.name] = names.to_snake(entity.tenant_column)
    for table in ctx.schema.tables if ctx.spec.conventions.infer_types else ():  # off: an import, kept as is
        col = table.column(TENANT_ID)
        if table.name not in out and col is not None and not col.nullable and table.kind != "lookup":
            out[table.name] = TENANT_ID
    return out


def apply(ctx: DesignContext) -> None:
    """Runs once tables, keys and tenant columns exist, before constraints from the input and indexes."""
    scoped = _declared(ctx)
    if not scoped:
        return
    roots = {r.name for t, c in scoped.items() if (r := _root_of(ctx, ctx.table(t), c)) is not None}
    root = ctx.table(sorted(roots)[0]) if len(roots) == 1 else None
    if root is not None:
        scoped.pop(root.name, None)
    root_key = root.primary_key.columns if root is not None and root.primary_key else ()
    if root is not None and len(root_key) == 1:  # memberships and the like: a required link to the tenants' table
        for table in ctx.schema.tables:
            if table.name in scoped or table is root:
                continue
            fk = next((fk for fk in table.foreign_keys if fk.ref_table == root.name and len(fk.columns) == 1
                       and not table.column(fk.columns[0]).nullable), None)
            if fk is not None:
                scoped[table.name] = fk.columns[0]
                ctx.infer("tenant.scope", table.name, f"tenant-scoped by {fk.columns[0]}",
                          f"each row belongs to the {root.name} row in {fk.columns[0]} (a required reference)")
    _reach_through_parents(ctx, scoped, root)
    for name, col in scoped.items():
        _composite_keys(ctx, ctx.table(name), col, scoped, root)
    for name, col in scoped.items():
        _scope_uniques(ctx, ctx.table(name), col, scoped)
    facts = {"root": root.name if root is not None else None, "root_key": list(root_key),
             "tables": dict(scoped), "global": {}}
    for table in ctx.schema.tables:
        if table.name in scoped or table is root:
            continue
        why = _global_reason(ctx, table, scoped)
        facts["global"][table.name] = why
        ctx.infer("tenant.global", table.name, "global (not tenant-scoped)", why)
    if root is not None:
        ctx.infer("tenant.root", root.name, "the tenants' table: each tenant sees only its own row",
                  f"{', '.join(sorted(f'{t}.{c}' for t, c in scoped.items()))} belong to it")
    ctx.schema.facts = replace(ctx.schema.facts, tenancy=facts)


def _reach_through_parents(ctx: DesignContext, scoped: dict[str, str], root: Table | None) -> None:
    """A table with a required reference to a tenant-scoped table belongs to that tenant too: it gets the
    tenant column (required), so the composite key and its own policy can bind it."""
    grown = True
    while grown:
        grown = False
        for table in ctx.schema.tables:
            if table.name in scoped or table is root or table.kind == "lookup":
                continue
            fk = next((fk for fk in table.foreign_keys if fk.ref_table in scoped and fk.ref_table != table.name
                       and all(not table.column(c).nullable for c in fk.columns)), None)
            if fk is None:
                continue
            parent = ctx.table(fk.ref_table)
            col = scoped[parent.name]
            if table.has_column(col):
                if table.column(col).nullable or table.column(col).type != parent.column(col).type:
                    continue  # a column of that name that is not the tenant: leave the table global
            else:
                source = parent.column(col)
                table.columns.insert(0 if table.kind == "junction" else len(table.columns), Column(
                    name=col, type=source.type, nullable=False, comment=f"The tenant (from {parent.name})",
                    origin=inferred("tenant.column", f"{table.name} rows belong to their {parent.name} row's tenant")))
                ctx.infer("tenant.column", f"{table.name}.{col}", "column added (NOT NULL)",
                          f"a {table.name} row belongs to the tenant of its {parent.name} row; the column lets the "
                          "foreign key include the tenant and the row carry its own policy")
            scoped[table.name] = col
            grown = True


def _composite_keys(ctx: DesignContext, table: Table, col: str, scoped: dict[str, str], root: Table | None) -> None:
    for i, fk in enumerate(list(table.foreign_keys)):
        parent = ctx.table(fk.ref_table)
        if parent is None or parent.name not in scoped or parent is root:
            continue
        pcol = scoped[parent.name]
        if col in fk.columns or pcol in fk.ref_columns:
            continue
        key = (pcol, *fk.ref_columns)
        if not any(u.columns == key for u in parent.uniques) and not (
                parent.primary_key and parent.primary_key.columns == key):
            parent.uniques.append(UniqueConstraint(
                name=names.uq_name(parent.name, key), columns=key,
                origin=inferred("tenant.foreign_key", "the target of composite foreign keys that include the tenant")))
            ctx.infer("tenant.foreign_key", f"{parent.name}.{names.uq_name(parent.name, key)}",
                      f"UNIQUE ({', '.join(key)})", "composite foreign keys reference it: a child row must name "
                      "its parent's tenant as well as its key")
        on_delete, why = fk.on_delete, ""
        if on_delete in (FkAction.SET_NULL, FkAction.SET_DEFAULT):
            on_delete = FkAction.RESTRICT
            why = f"; ON DELETE {fk.on_delete} would clear the tenant column too, so RESTRICT (clear the link first)"
        new = ForeignKey(name=names.fk_name(table.name, (col, *fk.columns)), columns=(col, *fk.columns),
                         ref_table=parent.name, ref_columns=key, ref_schema=fk.ref_schema, on_delete=on_delete,
                         on_update=fk.on_update, deferrable=fk.deferrable, initially_deferred=fk.initially_deferred,
                         origin=fk.origin)
        table.foreign_keys[i] = new
        ctx.infer("tenant.foreign_key", f"{table.name}.{new.name}",
                  f"FOREIGN KEY ({', '.join(new.columns)}) REFERENCES {parent.name} ({', '.join(key)})",
                  "both tables are tenant-scoped: with the tenant in the key a row can never reference another "
                  f"tenant's {parent.name} row, nor be cascade-deleted by it (foreign keys ignore row-level "
                  f"security){why}")


def _scope_uniques(ctx: DesignContext, table: Table, col: str, scoped: dict[str, str]) -> None:
    tenant_parents = {c for fk in table.foreign_keys if fk.ref_table in scoped and col in fk.columns
                      for c in fk.columns}
    for unique in table.uniques:
        if col in unique.columns or set(unique.columns) & tenant_parents:
            continue  # already per tenant (directly, or through a parent that belongs to one tenant)
        old = ", ".join(unique.columns)
        unique.columns = (col, *unique.columns)
        unique.name = names.uq_name(table.name, unique.columns)
        ctx.infer("tenant.unique", f"{table.name}.{unique.name}", f"UNIQUE ({', '.join(unique.columns)})",
                  f"{old} is unique per tenant: a global UNIQUE would let one tenant learn, from a refused insert, "
                  "that another tenant holds the value; state a global uniqueness in constraints to keep it global")


def _global_reason(ctx: DesignContext, table: Table, scoped: dict[str, str]) -> str:
    if table.kind == "lookup":
        return "a shared vocabulary: the same values for every tenant"
    if table.kind == "log":
        return "an append-only log of every tenant, read by the admin role only"
    if any(fk.ref_table == table.name for name in scoped for fk in ctx.table(name).foreign_keys):
        return ("referenced by tenant-scoped tables but owned by none: a row may be linked to several tenants "
                "(through memberships) and is read before a tenant is chosen (sign-in)")
    return "no required reference to a tenant or a tenant-scoped table; declare tenant_column to scope it"
