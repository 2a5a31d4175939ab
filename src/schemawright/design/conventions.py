"""Seed 004's standard table template: audit columns, the updated_at trigger, soft delete with an
active-rows view, and a comment on every table and column."""

from __future__ import annotations

import re

from schemawright.design.context import DesignContext
from schemawright.design.relationships import add_foreign_key
from schemawright.model import names
from schemawright.model.schema import Column, Expression, Function, Source, Table, Trigger, View, convention
from schemawright.model.types import DataType, Kind

TIMESTAMPTZ = DataType(Kind.TIMESTAMPTZ)
UPDATE_FUNCTION = "fn_update_timestamp"
APPEND_ONLY = frozenset({"time_series", "log"})
SOFT_DELETE_KINDS = frozenset({"core"})
USER_TRACKED_KINDS = frozenset({"core", "transactional"})


def apply(ctx: DesignContext) -> None:
    for i, table in enumerate(list(ctx.schema.tables)):
        entity = _entity_for(ctx, table)
        if entity is not None and entity.audit_columns is False:
            ctx.infer("audit.columns", table.name, "no audit columns", "audit_columns: false in the input")
        elif entity is not None and entity.audit_columns or ctx.enabled("audit_columns", "audit columns"):
            _timestamps(ctx, table)
            _user_tracking(ctx, table)
        wants_soft_delete = entity.soft_delete if entity is not None and entity.soft_delete is not None \
            else table.kind in SOFT_DELETE_KINDS and ctx.enabled("soft_delete", "soft delete of core entities")
        if wants_soft_delete:
            _soft_delete(ctx, table, given=entity is not None and entity.soft_delete is not None)


def _entity_for(ctx: DesignContext, table: Table):
    path = ctx.entity_paths.get(table.name)
    return ctx.spec.data_model.entities[path[2]] if path else None


def _ensure_column(table: Table, column: Column) -> Column:
    existing = table.column(column.name)
    if existing is not None:
        if existing.default is None:
            existing.default = column.default
        existing.nullable = existing.nullable and column.nullable
        existing.comment = existing.comment or column.comment
        return existing
    table.columns.append(column)
    return column


def _timestamps(ctx: DesignContext, table: Table) -> None:
    why = "seed 004 template: every row records when it was created"
    _ensure_column(table, Column(name="created_at", type=TIMESTAMPTZ, nullable=False,
                                 default=Expression("CURRENT_TIMESTAMP"), comment="When the row was created",
                                 origin=convention("audit.columns", why)))
    links = {c for fk in table.foreign_keys for c in fk.columns}  # the key, and the tenant a link may carry
    pure_link = table.kind == "junction" and table.primary_key is not None and all(
        c.name in table.primary_key.columns or c.name in links or c.name == "created_at" for c in table.columns)
    if table.kind in APPEND_ONLY or pure_link:
        ctx.infer("audit.columns", table.name, "created_at only (no updated_at)",
                  "rows of an append-only or link table are never updated")
        return
    _ensure_column(table, Column(name="updated_at", type=TIMESTAMPTZ, nullable=False,
                                 default=Expression("CURRENT_TIMESTAMP"), comment="When the row was last changed",
                                 origin=convention("audit.columns", "kept current by a trigger")))
    _update_trigger(ctx, table)
    ctx.infer("audit.columns", table.name, "created_at, updated_at NOT NULL DEFAULT CURRENT_TIMESTAMP + trigger",
              "seed 004 standard table template")


def _update_trigger(ctx: DesignContext, table: Table) -> None:
    if ctx.schema.function(UPDATE_FUNCTION) is None:
        ctx.schema.functions.append(Function(
            name=UPDATE_FUNCTION, returns="trigger", language="plpgsql",
            body="\nBEGIN\n    NEW.updated_at := CURRENT_TIMESTAMP;\n    RETURN NEW;\nEND;\n",
            comment="Sets updated_at to the current time on every UPDATE",
            origin=convention("audit.trigger", "one shared trigger function keeps updated_at honest")))
    table.triggers.append(Trigger(name=names.trg_name(table.name, "updated_at"), function=UPDATE_FUNCTION,
                                  timing="BEFORE", events=("UPDATE",),
                                  origin=convention("audit.trigger", "seed 004: trg_<table>_updated_at")))


def _user_tracking(ctx: DesignContext, table: Table) -> None:
    users = ctx.users_table
    if users is None or table.kind not in USER_TRACKED_KINDS:
        return
    for col, what in (("created_by", "created"), ("updated_by", "last changed")):
        if table.column(col) is None:
            origin = convention("audit.user_columns", "seed 004 template: who created and changed each row")
            add_foreign_key(ctx, table, col, users, nullable=True, kind="audit", origin=origin,
                            on_delete="set_null", comment=f"The user who {what} the row")
    ctx.infer("audit.user_columns", table.name, "created_by, updated_by -> users ON DELETE SET NULL",
              "seed 004 template, where a users table exists; SET NULL keeps the row when a user is erased")


def _soft_delete(ctx: DesignContext, table: Table, given: bool) -> None:
    _ensure_column(table, Column(name="deleted_at", type=TIMESTAMPTZ, nullable=True,
                                 comment="When the row was soft-deleted (NULL: live)",
                                 origin=convention("audit.soft_delete", "soft delete")))
    view = f"vw_active_{table.name}"
    cols = ", ".join(names.quote_ident(c.name) for c in table.columns if c.name != "deleted_at")
    ctx.schema.views.append(View(
        name=names.shorten(view), depends_on=(table.name,),
        query=f"SELECT {cols}\nFROM {names.quote_ident(table.name)}\nWHERE deleted_at IS NULL",
        comment=f"Live (not soft-deleted) rows of {table.name}",
        origin=convention("audit.soft_delete", "applications read live rows through this view")))
    ctx.infer("audit.soft_delete", table.name, f"deleted_at + view {view}",
              "given in the input" if given else
              "a core entity is referenced by history; soft delete keeps references valid (seed 004: when "
              "appropriate)")


def is_append_only(table: Table) -> bool:
    """An append-only table: its entity type (time series, log) says so, or a compiled business rule
    refuses UPDATE and DELETE of its rows (the ``*_immutable`` trigger)."""
    return table.kind in APPEND_ONLY or any(
        t.name.endswith("_immutable") and t.function.endswith("_immutable") for t in table.triggers)


def settle_append_only(ctx: DesignContext) -> None:
    """After the business rules: a table whose rows a rule has made append-only keeps ``created_at`` only.
    ``updated_at`` (and its trigger), ``updated_by``, soft delete (``deleted_at`` and the active-rows view)
    describe changes the immutability trigger refuses: they would stay NULL or equal to ``created_at`` forever,
    and a soft delete is an UPDATE, so it could never work. What the input asked for itself is kept."""
    for table in ctx.schema.tables:
        if table.kind in APPEND_ONLY or not is_append_only(table):
            continue
        entity = _entity_for(ctx, table)
        dropped = []
        trigger = names.trg_name(table.name, "updated_at")
        if any(t.name == trigger for t in table.triggers):
            table.triggers = [t for t in table.triggers if t.name != trigger]
            dropped.append(f"trigger {trigger}")
        columns = ["updated_at", "updated_by"]
        if entity is None or not entity.soft_delete:
            columns.append("deleted_at")
            view = names.shorten(f"vw_active_{table.name}")
            if any(v.name == view for v in ctx.schema.views):
                ctx.schema.views = [v for v in ctx.schema.views if v.name != view]
                dropped.append(f"view {view}")
        for name in columns:
            column = table.column(name)
            if column is None or column.origin.source != Source.CONVENTION:
                continue
            table.columns = [c for c in table.columns if c.name != name]
            table.foreign_keys = [fk for fk in table.foreign_keys if name not in fk.columns]
            table.indexes = [ix for ix in table.indexes if name not in ix.columns]
            dropped.insert(0, f"column {name}")
        if dropped:
            ctx.infer("audit.append_only", table.name, "created_at only: no " + ", ".join(dropped),
                      "a business rule makes the rows append-only (UPDATE and DELETE refused): a last-change "
                      "time or a soft delete could never be set")


def comment_everything(ctx: DesignContext) -> None:
    """Seed 003: all tables and columns documented. Where the input gave no description the comment says
    so, with what the designer read into the name (its naming rule), and never passes a humanized name
    ("Created by") off as a description."""
    for table in ctx.schema.tables:
        if not table.comment:
            table.comment = f"{MISSING} ({table.kind} entity)"
        for col in table.columns:
            if not col.comment:
                col.comment = missing_description(col.origin.reason)


MISSING = "Not described in the input"


def missing_description(reason: str | None) -> str:
    """The comment of an undescribed column: ``MISSING`` plus the meaning its naming rule read into the name
    (``a calendar date without time of day``), when the rule says one."""
    meaning = re.sub(r"\s*\([^)]*\)", "", (reason or "").split(":")[0].split(";")[0]).strip()
    if " name is " in meaning:  # "an *_at name is a point in time"
        meaning = meaning.split(" name is ", 1)[1]
    if meaning.startswith(("a ", "an ")):
        return f"{MISSING}; read as {meaning}"
    return MISSING


def mark_encrypted_columns(ctx: DesignContext) -> None:
    """security_requirements.encryption_requirements.column_level names columns to encrypt."""
    security = ctx.spec.security_requirements
    wanted = security.encryption_requirements.column_level if security and security.encryption_requirements else []
    for name in wanted:
        matches = [(t, c) for t in ctx.schema.tables for c in t.columns if c.name == name]
        if not matches:
            ctx.infer("security.encrypt", name, "nothing to encrypt",
                      f"column_level lists {name!r} but no entity has that attribute; add it to an entity "
                      "to store it (encrypted)")
        for table, column in matches:
            if column.name.endswith(("_hash", "_digest")):
                ctx.infer("security.encrypt", f"{table.name}.{column.name}", "hashed, not encrypted",
                          "a password hash is one-way already: logins compare hashes and never need the "
                          "plaintext back, so encryption would add a key to manage and protect nothing more")
                continue
            column.encrypt = True
            column.pii = True
            ctx.infer("security.encrypt", f"{table.name}.{column.name}", "column-level encryption",
                      "listed in security_requirements.encryption_requirements.column_level")
