"""The Citus dialect (``design --dialect citus``): PostgreSQL's SQL, with the keys rewritten for the
distribution plan of ``dialects/distribution.py`` (see there for the criteria). Every key change, and each
constraint that cannot be kept, is a reported ``Degradation``."""

from __future__ import annotations

import copy

from schemawright.dialects.base import Degradation
from schemawright.dialects.distribution import Decision, _reach, _required_refs, _single_pk, carried_key, check, \
    distribution_plan, tenant_root
from schemawright.dialects.postgres import Postgres
from schemawright.model.schema import FkAction, IndexElement, Origin, Schema, Source, Table


class Citus(Postgres):
    name = "citus"

    def __init__(self):
        self.plan: list[Decision] = []

    def adapt(self, schema: Schema) -> tuple[Schema, list[Degradation]]:
        s = copy.deepcopy(schema)
        out: list[Degradation] = []
        root = tenant_root(s)
        if root is not None:
            self._carry_tenant(s, root, out)
        plan = distribution_plan(s)
        by = {d.table: d for d in plan}
        for t in s.tables:
            d = by[t.name]
            if d.method != "distributed":
                if d.method == "reference":
                    kept = []
                    for fk in t.foreign_keys:
                        if by.get(fk.ref_table) and by[fk.ref_table].method == "distributed":
                            out.append(Degradation("foreign_key", f"{t.name}.{fk.name}", "a reference table cannot "
                                                   f"reference a distributed table ({fk.ref_table}): left to the "
                                                   "application", None))
                        else:
                            kept.append(fk)
                    t.foreign_keys = kept
                continue
            col = t.column(d.column)
            if col.nullable:
                col.nullable = False
                out.append(Degradation("column", f"{t.name}.{col.name}", "the distribution column cannot hold NULL",
                                       "NOT NULL"))
            if t.primary_key and d.column not in t.primary_key.columns:
                t.primary_key.columns = (d.column, *t.primary_key.columns)
                out.append(Degradation("key", t.primary_key.name, "Citus enforces a primary key only when it holds the "
                                       "distribution column", f"PRIMARY KEY ({', '.join(t.primary_key.columns)})"))
            pk_set = set(t.primary_key.columns) if t.primary_key else None
            same = [u for u in t.uniques if pk_set is not None and set(u.columns) | {d.column} == pk_set]
            for u in same:  # (id, tenant) beside the new (tenant, id) key: the key already enforces it
                out.append(Degradation("key", u.name, "the same columns as the primary key once that holds the "
                                       "distribution column: the key enforces it, and references to it use the key",
                                       f"PRIMARY KEY ({', '.join(t.primary_key.columns)})"))
            t.uniques = [u for u in t.uniques if u not in same]
            for u in t.uniques:
                if d.column not in u.columns:
                    u.columns = (d.column, *u.columns)
                    out.append(Degradation("key", u.name, "unique per distribution value only (Citus checks uniqueness "
                                           "per shard)", f"UNIQUE ({', '.join(u.columns)})"))
            for i in t.indexes:
                if i.unique and all(e.column for e in i.elements) and d.column not in (e.column for e in i.elements):
                    i.elements = (IndexElement(column=d.column), *i.elements)
                    out.append(Degradation("index", i.name, "a unique index of a distributed table must hold the "
                                           "distribution column", f"unique on ({', '.join(e.column for e in i.elements)})"))
            kept_x = []
            for x in t.exclusions:
                if any(e.column == d.column and e.operator == "=" for e in x.elements):
                    kept_x.append(x)
                else:
                    out.append(Degradation("exclusion", x.name, "an exclusion constraint without the distribution "
                                           "column compared with = cannot be enforced across shards", None))
            t.exclusions = kept_x
        # foreign keys between distributed tables: include the distribution column on both sides, or go
        tables = {t.name: t for t in s.tables}
        for t in s.tables:
            d = by[t.name]
            if d.method != "distributed":
                continue
            kept = []
            for fk in t.foreign_keys:
                rd = by.get(fk.ref_table)
                if rd is None or rd.method == "reference":
                    kept.append(fk)
                    continue
                if rd.method == "local":
                    out.append(Degradation("foreign_key", f"{t.name}.{fk.name}", f"references a local table "
                                           f"({fk.ref_table}): not allowed from a distributed table", None))
                    continue
                group = d.colocate_with or d.table
                rgroup = rd.colocate_with or rd.table
                if group != rgroup or group == "none":
                    out.append(Degradation("foreign_key", f"{t.name}.{fk.name}", f"{t.name} and {fk.ref_table} are not "
                                           "colocated: Citus cannot enforce the reference across shards; the "
                                           "application must", None))
                    continue
                pairs = dict(zip(fk.columns, fk.ref_columns))
                if pairs.get(d.column) != rd.column:
                    if d.column in fk.columns or rd.column in fk.ref_columns:
                        out.append(Degradation("foreign_key", f"{t.name}.{fk.name}", "joins the distribution columns "
                                               "to other columns", None))
                        continue
                    ref = tables[fk.ref_table]
                    key = ref.primary_key.columns if ref.primary_key else ()
                    new_cols, new_refs = (d.column, *fk.columns), (rd.column, *fk.ref_columns)
                    if tuple(sorted(new_refs)) != tuple(sorted(key)) and not any(
                            tuple(sorted(u.columns)) == tuple(sorted(new_refs)) for u in ref.uniques):
                        out.append(Degradation("foreign_key", f"{t.name}.{fk.name}", "no key of "
                                               f"{fk.ref_table} matches ({', '.join(new_refs)})", None))
                        continue
                    order = key if tuple(sorted(new_refs)) == tuple(sorted(key)) else new_refs
                    mapping = dict(zip(new_refs, new_cols))
                    fk.ref_columns = tuple(order)
                    fk.columns = tuple(mapping[c] for c in order)
                    out.append(Degradation("foreign_key", f"{t.name}.{fk.name}", "a foreign key between colocated "
                                           "distributed tables must include the distribution column",
                                           f"({', '.join(fk.columns)}) REFERENCES {fk.ref_table} ({', '.join(fk.ref_columns)})"))
                if d.column in fk.columns and (fk.on_delete in (FkAction.SET_NULL, FkAction.SET_DEFAULT)):
                    fk.on_delete = FkAction.NO_ACTION
                    out.append(Degradation("foreign_key", f"{t.name}.{fk.name}", "SET NULL/SET DEFAULT would change "
                                           "the distribution column (Citus refuses it)", "ON DELETE NO ACTION"))
                if d.column in fk.columns and fk.on_update in (FkAction.SET_NULL, FkAction.SET_DEFAULT, FkAction.CASCADE):
                    fk.on_update = FkAction.NO_ACTION
                    out.append(Degradation("foreign_key", f"{t.name}.{fk.name}", "ON UPDATE would change the "
                                           "distribution column (Citus refuses it)", "ON UPDATE NO ACTION"))
                kept.append(fk)
            t.foreign_keys = kept
        self._audit_keys(s, schema, out)
        out += [x for x in check(s, plan) if x.kind in ("trigger", "distribution")]
        self.plan = plan
        return s, out

    @staticmethod
    def _carry_tenant(s: Schema, root: Table, out: list[Degradation]) -> None:
        """Citus's multi-tenant model: every table below the tenant carries the tenant's key. A table that
        reaches the tenant only through a parent gets the column, and its reference to that parent becomes
        (tenant, parent) -> parent (tenant, key), so the database checks the copy is the parent's tenant."""
        key = _single_pk(root)
        direct = [c for t in s.tables for c in _required_refs(t, root.name)]
        name = direct[0] if direct else f"{root.name.rstrip('s')}_id"
        reach = _reach(s, root)
        for _ in range(len(reach)):
            changed = False
            for t in reach:
                if carried_key(s, t, root) is not None or t.column(name) is not None:
                    continue
                for fk in t.foreign_keys:
                    parent = s.table(fk.ref_table)
                    if len(fk.columns) != 1 or parent is None or parent is t or t.column(fk.columns[0]).nullable:
                        continue
                    pcol = carried_key(s, parent, root)
                    if pcol is None or pcol in fk.ref_columns:
                        continue
                    col = copy.deepcopy(root.column(key))
                    col.name, col.nullable, col.default, col.identity, col.generated = name, False, None, None, None
                    col.identity_sequence = None
                    col.comment = f"The tenant ({root.name}), copied from {parent.name}: Citus colocation"
                    col.origin = Origin(source=Source.INFERRED, rule="citus.tenant_column", reason=f"{t.name} reaches the tenant "
                                        f"{root.name} through {parent.name}")
                    at = len(t.primary_key.columns) if t.primary_key else 0
                    t.columns.insert(at, col)
                    before = f"({fk.columns[0]}) REFERENCES {parent.name} ({fk.ref_columns[0]})"
                    fk.columns, fk.ref_columns = (name, *fk.columns), (pcol, *fk.ref_columns)
                    out.append(Degradation("column", f"{t.name}.{name}", f"added: the tenant's key ({root.name}), so "
                                           f"{t.name} colocates with its tenant (Citus's multi-tenant model); the "
                                           f"application fills it from {parent.name}, and {before} became the "
                                           "composite reference below, which checks it",
                                           f"{name} NOT NULL; ({', '.join(fk.columns)}) REFERENCES {parent.name} "
                                           f"({', '.join(fk.ref_columns)})"))
                    changed = True
                    break
            if not changed:
                break

    @staticmethod
    def _audit_keys(s: Schema, before: Schema, out: list[Degradation]) -> None:
        """The audit trigger records each row's primary key (``v_key``, one array per table): a key that now
        holds the distribution column is recorded with it."""
        audit = (s.facts.security.audit or {}) if s.facts.security else {}
        fn = next((f for f in s.functions if f.name == audit.get("function")), None)
        if fn is None:
            return
        start = fn.body.find("v_key text[] :=")
        end = fn.body.find("END;", start) if start >= 0 else -1
        if start < 0 or end < 0:
            out.append(Degradation("function", fn.name, "the audit function's key list was not found: its row_key "
                                   "may name the primary key before the distribution column was added"))
            return
        segment = fn.body[start:end]
        old_keys = {t.name: t.primary_key.columns for t in before.tables if t.primary_key}
        for t in s.tables:
            if not t.primary_key or old_keys.get(t.name) == t.primary_key.columns:
                continue
            lit = lambda v: "'" + v.replace("'", "''") + "'"  # noqa: E731
            was = f"WHEN {lit(t.name)} THEN ARRAY[{', '.join(lit(c) for c in old_keys.get(t.name, ()))}]::text[]"
            now = f"WHEN {lit(t.name)} THEN ARRAY[{', '.join(lit(c) for c in t.primary_key.columns)}]::text[]"
            if was in segment:
                segment = segment.replace(was, now)
                out.append(Degradation("function", f"{fn.name}: {t.name}", "the audit row key follows the primary "
                                       "key, which now holds the distribution column", f"row_key ({', '.join(t.primary_key.columns)})"))
        fn.body = fn.body[:start] + segment + fn.body[end:]

