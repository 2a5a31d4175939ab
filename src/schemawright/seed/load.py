"""Load a seeding plan into PostgreSQL with COPY, the way pg_restore does it.

In one transaction: keys, unique constraints, foreign keys and secondary indexes are set aside (their
definitions read from the catalog), each table is COPYed in dependency order while worker processes
generate the next blocks, then every constraint and index is put back, which makes the server check
every row (UNIQUE and FOREIGN KEY are validated by the rebuild; CHECK, NOT NULL and types by COPY
itself). A failure anywhere rolls everything back. Before the bulk load, a sample of each table is
COPYed and rolled back, and the generators of any CHECK it violates are repaired from values the
server accepts.
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import multiprocessing as mp
import os
import re
import time
import zlib
from collections import deque
from dataclasses import dataclass, field
from decimal import Decimal

import psycopg
from psycopg import sql
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from schemawright.datagen.columns import Joint
from schemawright.datagen.plan import SeedError, SeedPlan, TablePlan, is_audit_trail
from schemawright.datagen.rules import admits, table_rules
from schemawright.datagen.pools import copy_unescape
from schemawright.dialects import type_sql
from schemawright.errors import DatabaseError
from schemawright.model.types import Kind
from schemawright.model.names import dollar_quote, quote_literal
from schemawright.seed.source import qualified

BLOCK_ROWS = 5000
SAMPLE_ROWS = 1000
_PLAN: SeedPlan | None = None  # the plan, inherited by forked workers


@dataclass
class TableLoad:
    table: str
    rows: int
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


@dataclass
class LoadReport:
    tables: list[TableLoad] = field(default_factory=list)
    copy_seconds: float = 0.0
    constraint_seconds: float = 0.0
    vacuum_seconds: float = 0.0
    repairs: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)

    @property
    def copy_rows_per_second(self) -> float:
        return self.rows / self.copy_seconds if self.copy_seconds else 0.0

    def to_dict(self) -> dict:
        return {"rows": self.rows, "copy_seconds": round(self.copy_seconds, 3),
                "copy_rows_per_second": round(self.copy_rows_per_second),
                "constraint_seconds": round(self.constraint_seconds, 3),
                "vacuum_seconds": round(self.vacuum_seconds, 3), "repairs": self.repairs,
                "tables": [{"table": t.table, "rows": t.rows, "seconds": round(t.seconds, 3),
                            "notes": t.notes} for t in self.tables]}


def _worker_block(index: int, start: int, count: int) -> bytes:
    return _PLAN.tables[index].block(start, count)


def copy_statement(plan: TablePlan) -> sql.Composed:
    t = plan.table
    return sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(t.schema, t.name), sql.SQL(", ").join(map(sql.Identifier, plan.columns)))


def set_aside(conn: psycopg.Connection, plan: SeedPlan) -> list[str]:
    """Drop keys, unique constraints, foreign keys and indexes of the plan's tables; return the DDL
    that restores them, in the order to run it."""
    names = [qualified(t.table.schema, t.name) for t in plan.tables]
    rels = [r[0] for r in conn.execute(  # the tables and all their partitions
        "SELECT DISTINCT p.relid::oid FROM unnest(%s::regclass[]) AS t(oid), LATERAL (SELECT t.oid AS relid UNION "
        "SELECT relid FROM pg_partition_tree(t.oid)) AS p", [names])]
    cons = conn.execute("""
        SELECT c.conrelid::regclass::text, c.conname, c.contype, pg_get_constraintdef(c.oid),
               obj_description(c.oid, 'pg_constraint')
        FROM pg_constraint c WHERE c.contype IN ('p', 'u', 'f') AND c.conparentid = 0
          AND (c.conrelid = ANY(%s::oid[]) OR (c.contype = 'f' AND c.confrelid = ANY(%s::oid[])))
        ORDER BY c.contype = 'f' DESC, c.conname""", [rels, rels]).fetchall()
    idx = conn.execute("""
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid), obj_description(i.indexrelid, 'pg_class')
        FROM pg_index i WHERE i.indrelid = ANY(%s::oid[])
          AND NOT EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = i.indexrelid)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid
                          AND c.contype IN ('p', 'u', 'x'))""", [rels]).fetchall()
    for rel, name, _, _, _ in cons:  # foreign keys first: they depend on the keys' indexes
        conn.execute(sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(sql.SQL(rel), sql.Identifier(name)))
    for name, _, _ in idx:
        conn.execute(sql.SQL("DROP INDEX {}").format(sql.SQL(name)))
    add = lambda rel, name, d: f"ALTER TABLE {rel} ADD CONSTRAINT {sql.Identifier(name).as_string(conn)} {d}"  # noqa: E731
    restore = [add(r, n, d) for r, n, kind, d, _ in cons if kind != "f"]
    restore += [d.replace(" ON ONLY ", " ON ", 1) for _, d, _ in idx]
    restore += [add(r, n, d) for r, n, kind, d, _ in cons if kind == "f"]
    # dropping a key or an index drops its COMMENT too: put each back, or the seeded database differs from
    # the design (a later diff against it proposes the comments again)
    restore += [sql.SQL("COMMENT ON CONSTRAINT {} ON {} IS {}").format(
        sql.Identifier(n), sql.SQL(r), sql.Literal(c)).as_string(conn) for r, n, _, _, c in cons if c is not None]
    restore += [sql.SQL("COMMENT ON INDEX {} IS {}").format(sql.SQL(n), sql.Literal(c)).as_string(conn)
                for n, _, c in idx if c is not None]
    return restore


def _disable_triggers(conn: psycopg.Connection, rels: list, triggers) -> None:
    """Disable each trigger on its table (``rels[i]`` holds ``triggers[i]``) for the load."""
    for rel, trigger in zip(rels, triggers):
        conn.execute(sql.SQL("ALTER TABLE {} DISABLE TRIGGER {}").format(rel, sql.Identifier(trigger)))


def _enable_triggers(rels: list, triggers) -> list:
    """The statements that enable again what _disable_triggers disabled."""
    return [sql.SQL("ALTER TABLE {} ENABLE TRIGGER {}").format(rel, sql.Identifier(trigger))
            for rel, trigger in zip(rels, triggers)]


def _loaded_with_parent(plan: SeedPlan, facts, child: str, parent: str):
    """(fact, its table, [table, parent] as identifiers) for each fact whose table is loaded and whose
    parent exists; ``child``/``parent`` name the fact's fields holding the two table names."""
    loaded = {t.name for t in plan.tables if t.rows}
    for fact in facts:
        table, ref = plan.schema.table(getattr(fact, child)), plan.schema.table(getattr(fact, parent))
        if table is not None and ref is not None and table.name in loaded:
            yield fact, table, [sql.Identifier(table.schema, table.name), sql.Identifier(ref.schema, ref.name)]


def _set_aside_balance_triggers(conn: psycopg.Connection, plan: SeedPlan) -> list:
    """The deferred constraint triggers of balanced-sums rules (design/rules/balanced.py) would queue one
    event per loaded row (and a pending event forbids the ALTER TABLEs that rebuild the keys): disabled
    for the load, then the balance is checked once per rule over the whole table, set-based and with the
    indexes back, and the triggers enabled again."""
    loaded = {t.name for t in plan.tables if t.rows}
    out: list = []
    for bal in plan.schema.facts.balanced_sums:
        table = plan.schema.table(bal.table)
        if table is None or bal.table not in loaded:
            continue
        rel = sql.Identifier(table.schema, table.name)
        _disable_triggers(conn, [rel], [bal.trigger])
        check = sql.SQL("SELECT 1 FROM {} GROUP BY {} HAVING coalesce(sum({}), 0) <> coalesce(sum({}), 0)").format(
            rel, sql.Identifier(bal.key), sql.Identifier(bal.left), sql.Identifier(bal.right)).as_string(conn)
        message = f"{bal.trigger}: the loaded rows of {bal.table} do not balance sum({bal.left}) = sum({bal.right})"
        out.append("DO " + dollar_quote(f"\nBEGIN\n    IF EXISTS ({check}) THEN\n        RAISE EXCEPTION USING "
                                         f"ERRCODE = 'check_violation', MESSAGE = {quote_literal(message)};\n"
                                         "    END IF;\nEND\n", ""))
        out += _enable_triggers([rel], [bal.trigger])
    return out


def _set_aside_child_sum_triggers(conn: psycopg.Connection, plan: SeedPlan) -> list:
    """The deferred constraint triggers of child-sum rules (design/rules/child_sum.py: invoices.subtotal =
    the sum of its lines' amounts) are disabled for the load; afterwards each parent's column is set to its
    children's sum in one set-based UPDATE, together with the columns a CHECK derives from it (``total =
    subtotal + tax_amount``: set to its expression, so that check still holds), and the triggers enabled."""
    loaded = {t.name for t in plan.tables if t.rows}
    out: list = []
    for cs in plan.schema.facts.child_sums:
        parent, child = plan.schema.table(cs.parent), plan.schema.table(cs.child)
        if parent is None or child is None or not ({cs.parent, cs.child} & loaded):
            continue
        rels = [sql.Identifier(child.schema, child.name), sql.Identifier(parent.schema, parent.name)]
        _disable_triggers(conn, rels, cs.triggers)
        bounds = table_rules(parent).get(cs.column)
        lo, hi = (bounds.lo, bounds.hi) if bounds is not None else (None, None)
        if lo is not None or hi is not None:  # boxes.total_weight_kg BETWEEN 0.5 AND 25 = sum of its items
            out.extend(_child_sums_within(cs, parent, child, lo, hi))
        column = parent.column(cs.column)
        empty = sql.SQL("coalesce(s.sw_sum__, 0)")
        if column is not None and column.nullable and not admits(bounds, Decimal(0)):
            empty = sql.SQL("s.sw_sum__")  # a parent without children: NULL (unknown), not a 0 its CHECK refuses
        sets = [sql.SQL("{} = {}").format(sql.Identifier(cs.column), empty)]
        for chk in parent.checks:  # total = subtotal + tax_amount: total follows the new subtotal
            m = re.fullmatch(r"\(?\s*(\w+|\"[^\"]+\")\s*=\s*(.+?)\s*\)?", chk.expression.sql)
            if m is None or cs.column not in chk.columns or m.group(1).strip('"') == cs.column \
                    or re.search(r"(?i)\b(?:and|or|not)\b|[<>=]", m.group(2)):
                continue
            expr = re.sub(rf'(?<![\w"]){re.escape(cs.column)}(?![\w"])|"{re.escape(cs.column)}"',
                          "coalesce(s.sw_sum__, 0)", m.group(2))
            sets.append(sql.SQL("{} = {}").format(sql.Identifier(m.group(1).strip('"')), sql.SQL(expr)))
        out.append(sql.SQL("UPDATE {parent} AS p SET {sets} FROM (SELECT p0.{pk} AS sw_key__, sum(c.{summed}) AS "
                           "sw_sum__ FROM {parent} AS p0 LEFT JOIN {child} AS c ON c.{key} = p0.{pk} GROUP BY p0.{pk}) "
                           "AS s WHERE s.sw_key__ = p.{pk}").format(
            parent=rels[1], child=rels[0], sets=sql.SQL(", ").join(sets), key=sql.Identifier(cs.child_key),
            summed=sql.Identifier(cs.summed), pk=sql.Identifier(cs.parent_key)))
        out += _enable_triggers(rels, cs.triggers)
    return out


def _child_sums_within(cs, parent, child, lo: Decimal | None, hi: Decimal | None) -> list:
    """The statements that scale the children's summed values of every parent whose sum falls outside the
    range its CHECK allows (the children were drawn independently: 20 items of up to 100 kg each against a
    box of 0.5 to 25 kg), proportionally, towards a target inside the range (a pseudo-random point of its
    middle part, per parent). The children keep their sign and their proportions; the parent is set to their
    new sum afterwards, so the range and the sum rule hold together. A parent without children is left to
    the caller (NULL when nullable)."""
    if lo is not None and hi is not None:
        low, width = lo, hi - lo
    elif lo is not None:
        low, width = lo, max(abs(lo), Decimal(1))
    else:
        low, width = hi - max(abs(hi), Decimal(1)), max(abs(hi), Decimal(1))
    # target = low + width * (0.2 + 0.6 * u), u in [0, 1) from the parent's key
    target = sql.SQL("({low}::numeric + {width}::numeric * (0.2 + 0.6 * ((hashtext(p.{pk}::text)::bigint "
                     "& 1023) / 1024.0)))").format(low=sql.Literal(low), width=sql.Literal(width),
                                                   pk=sql.Identifier(cs.parent_key))
    outside = []
    if lo is not None:
        outside.append(sql.SQL("sum(c.{s}) {op} {v}").format(  # the bound itself counts as outside: safe
            s=sql.Identifier(cs.summed), op=sql.SQL("<="), v=sql.Literal(lo)))
    if hi is not None:
        outside.append(sql.SQL("sum(c.{s}) >= {v}").format(s=sql.Identifier(cs.summed), v=sql.Literal(hi)))
    crel, prel = sql.Identifier(child.schema, child.name), sql.Identifier(parent.schema, parent.name)
    return [sql.SQL("UPDATE {child} AS c SET {s} = c.{s} * f.k FROM (SELECT p.{pk} AS sw_key__, {target} / "
                    "sum(c.{s}) AS k FROM {parent} AS p JOIN {child} AS c ON c.{key} = p.{pk} GROUP BY p.{pk} "
                    "HAVING sum(c.{s}) > 0 AND ({outside})) AS f WHERE c.{key} = f.sw_key__").format(
        child=crel, parent=prel, s=sql.Identifier(cs.summed), pk=sql.Identifier(cs.parent_key),
        key=sql.Identifier(cs.child_key), target=target, outside=sql.SQL(" OR ").join(outside))]


def _set_aside_same_scope_triggers(conn: psycopg.Connection, plan: SeedPlan) -> list:
    """The deferred constraint triggers of same-scope rules (design/rules/same_parent.py: the menu item of an
    order line belongs to the order's merchant) are disabled for the load; afterwards each row whose two
    references disagree is repointed at a row of the owner's scope (a pseudo-random one, per row), a row
    with no such candidate is deleted when nothing references its table, and whatever still disagrees
    aborts the load with the rule's name; then the triggers are enabled again."""
    loaded = {t.name for t in plan.tables if t.rows}
    out: list = []
    referenced = {fk.ref_table for t in plan.schema.tables for fk in t.foreign_keys}
    for ss in plan.schema.facts.same_scope:
        table, via, owner = (plan.schema.table(n) for n in (ss.table, ss.via, ss.owner_table))
        if table is None or via is None or owner is None or ss.table not in loaded:
            continue
        rels = [sql.Identifier(t.schema, t.name) for t in (table, via, owner)]
        _disable_triggers(conn, rels, ss.triggers)
        via_fk = next(fk for fk in table.foreign_keys if fk.columns == (ss.column,))
        owner_fk = next(fk for fk in table.foreign_keys if fk.columns == (ss.owner,))
        ids = dict(t=rels[0], v=rels[1], o=rels[2], col=sql.Identifier(ss.column), own=sql.Identifier(ss.owner),
                   vkey=sql.Identifier(via_fk.ref_columns[0]), okey=sql.Identifier(owner_fk.ref_columns[0]),
                   vs=sql.Identifier(ss.via_scope), os=sql.Identifier(ss.owner_scope))
        wrong = sql.SQL("FROM {t} AS t2 JOIN {o} AS o ON o.{okey} = t2.{own} JOIN {v} AS v0 ON v0.{vkey} = t2.{col} "
                        "WHERE v0.{vs} IS DISTINCT FROM o.{os}").format(**ids)
        out.append(sql.SQL("UPDATE {t} AS t SET {col} = c.k FROM (SELECT t2.tableoid AS toid, t2.ctid AS tid, "
                           "(SELECT v.{vkey} FROM {v} AS v WHERE v.{vs} = o.{os} ORDER BY md5(t2.ctid::text || "
                           "v.{vkey}::text) LIMIT 1) AS k {wrong}) AS c WHERE t.tableoid = c.toid AND t.ctid = c.tid "
                           "AND c.k IS NOT NULL").format(wrong=wrong, **ids))
        if ss.table not in referenced:
            out.append(sql.SQL("DELETE FROM {t} AS t USING (SELECT t2.tableoid AS toid, t2.ctid AS tid {wrong}) AS c "
                               "WHERE t.tableoid = c.toid AND t.ctid = c.tid").format(wrong=wrong, **ids))
        message = f"{ss.triggers[0]}: loaded rows of {ss.table} whose {ss.column} is not in the scope of {ss.owner}"
        check = sql.SQL("SELECT 1 {wrong}").format(wrong=wrong).as_string(conn)
        out.append("DO " + dollar_quote(f"\nBEGIN\n    IF EXISTS ({check}) THEN\n        RAISE EXCEPTION USING "
                                         f"ERRCODE = 'check_violation', MESSAGE = {quote_literal(message)};\n"
                                         "    END IF;\nEND\n", ""))
        out += _enable_triggers(rels, ss.triggers)
    return out


def _set_aside_event_order_triggers(conn: psycopg.Connection, plan: SeedPlan) -> list:
    """The deferred constraint triggers of rules ordering a column after (or before) a date of the referenced
    row (design/rules/event_order.py: a unit expires after its donation) are disabled for the load;
    afterwards each violating value is moved 1 to 60 days past the parent's date (per row), and the
    triggers are enabled again."""
    out: list = []
    enable: list = []
    for ev, table, rels in _loaded_with_parent(plan, plan.schema.facts.ordered_after_parent, "table", "parent"):
        _disable_triggers(conn, rels, ev.triggers)
        sign, least = ("+" if ev.op in (">", ">=") else "-"), (1 if ev.op in (">", "<") else 0)
        # a window's bound (spread 1) is met exactly: moved past it, a value could leave the window's other side
        moved = sql.SQL("(p.{pcol} {sign} ({least} + (hashtext(t.ctid::text) & 2147483647) % {spread}) * {unit})::{type}"
                        ).format(pcol=sql.Identifier(ev.parent_column), sign=sql.SQL(sign), least=sql.Literal(least),
                                 spread=sql.Literal(ev.spread), unit=sql.SQL(ev.unit),
                                 type=sql.SQL(type_sql(table.column(ev.column).type)))
        # the columns the table's checks order against this one (decided_at >= filed_at) move with it, by as much
        along = [sql.SQL(", {c} = t.{c} + ({moved} - t.{col})").format(c=sql.Identifier(c), moved=moved,
                                                                      col=sql.Identifier(ev.column))
                 for c in _ordered_with(table, ev.column)]
        out.append(sql.SQL("UPDATE {t} AS t SET {col} = {moved}{along} FROM {p} AS p WHERE p.{pkey} = t.{key} "
                           "AND NOT (t.{col}{cast} {op} p.{pcol})").format(
            t=rels[0], p=rels[1], col=sql.Identifier(ev.column), pcol=sql.Identifier(ev.parent_column),
            moved=moved, along=sql.SQL("").join(along), cast=sql.SQL(ev.own_cast),
            pkey=sql.Identifier(ev.parent_key), key=sql.Identifier(ev.key), op=sql.SQL(ev.op)))
        enable += _enable_triggers(rels, ev.triggers)
    return out + enable  # enabled after every UPDATE: one enabled earlier would queue events the next ALTER refuses


def _ordered_with(table, column: str) -> list[str]:
    """The columns of ``table`` of ``column``'s type that its checks compare with it, directly or through one
    another (filed_at <= decided_at <= closed_at): moved by the same amount, the checks between them still hold."""
    kind = table.column(column).type
    linked, todo = {column}, [column]
    while todo:
        current = todo.pop()
        for check in table.checks:
            if current in check.columns:
                for other in check.columns:
                    col = table.column(other)
                    if other not in linked and col is not None and col.type == kind and col.generated is None:
                        linked.add(other)
                        todo.append(other)
    return sorted(linked - {column})


def _set_aside_child_count_triggers(conn: psycopg.Connection, plan: SeedPlan) -> list:
    """The row triggers of child-count rules (design/rules/child_count.py: at most two swapped items per box)
    would refuse the COPY of random children; they are disabled for the load. Afterwards the rows past the
    limit per parent (the latest by ctid) lose their flag, or are deleted when every child counts; with a bound
    column the parent's bound is raised to its count. Then the triggers are enabled again."""
    out: list = []
    for cc, _child, rels in _loaded_with_parent(plan, plan.schema.facts.child_counts, "child", "parent"):
        _disable_triggers(conn, rels, cc.triggers)
        key, flag = sql.Identifier(cc.child_key), sql.Identifier(cc.flag) if cc.flag else None
        counted = sql.SQL("{} IS NOT NULL").format(key) + (sql.SQL(" AND {}").format(flag) if flag else sql.SQL(""))
        if cc.bound is not None:
            out.append(sql.SQL("UPDATE {p} AS p SET {b} = n.count FROM (SELECT {k} AS k, count(*) AS count FROM {c} "
                               "WHERE {w} GROUP BY {k}) AS n WHERE p.{pk} = n.k AND p.{b} < n.count").format(
                p=rels[1], b=sql.Identifier(cc.bound), k=key, c=rels[0], w=counted, pk=sql.Identifier(cc.parent_key)))
        else:
            extra = sql.SQL("SELECT ctid FROM (SELECT ctid, row_number() OVER (PARTITION BY {k} ORDER BY ctid) AS n "
                            "FROM {c} WHERE {w}) AS r WHERE r.n > {limit}").format(
                k=key, c=rels[0], w=counted, limit=sql.Literal(cc.limit))
            if flag is not None:
                out.append(sql.SQL("UPDATE {c} SET {f} = false WHERE ctid IN ({extra})").format(
                    c=rels[0], f=flag, extra=extra))
            else:
                out.append(sql.SQL("DELETE FROM {c} WHERE ctid IN ({extra})").format(c=rels[0], extra=extra))
        out += _enable_triggers(rels, cc.triggers)
    return out


def _set_aside_history_triggers(conn: psycopg.Connection, plan: SeedPlan) -> list[str]:
    """Disable the triggers that only record history (AFTER row triggers whose function writes into the
    design's audit trail) for the bulk load; return the statements that enable them again. Synthetic
    rows are not changes anybody made: the audit trail stays as it was (empty after a fresh design)."""
    audit = [t for t in plan.schema.tables if is_audit_trail(t)]
    if not audit:
        return []
    names = [qualified(t.table.schema, t.name) for t in plan.tables]
    pattern = r"insert\s+into\s+(\S+\.)?\"?(" + "|".join(re.escape(t.name) for t in audit) + r")\"?(\s|\()"
    found = conn.execute("""
        SELECT tg.tgrelid::regclass::text, tg.tgname FROM pg_trigger tg JOIN pg_proc p ON p.oid = tg.tgfoid
        WHERE NOT tg.tgisinternal AND tg.tgenabled <> 'D' AND tg.tgtype & 66 = 0 AND tg.tgtype & 1 = 1
          AND tg.tgrelid = ANY(%s::regclass[]) AND p.prosrc ~* %s
        ORDER BY 1, 2""", [names, pattern]).fetchall()
    enable = []
    for rel, name in found:
        conn.execute(sql.SQL("ALTER TABLE {} DISABLE TRIGGER {}").format(sql.SQL(rel), sql.Identifier(name)))
        enable.append(sql.SQL("ALTER TABLE {} ENABLE TRIGGER {}").format(sql.SQL(rel), sql.Identifier(name)))
    return enable


def ensure_partitions(conn: psycopg.Connection, plan: SeedPlan) -> None:
    """Monthly partitions covering the generated time window, for range-partitioned tables on one
    time column (months another partition already covers are left alone)."""
    for tp in plan.tables:
        p = tp.table.partitioning
        column = tp.table.column(p.columns[0]) if p and len(p.columns) == 1 else None
        if not (p and p.strategy == "range" and tp.rows and column is not None
                and column.type.kind in (Kind.DATE, Kind.TIMESTAMP, Kind.TIMESTAMPTZ)):
            continue
        month = plan.window.start.date().replace(day=1)
        end = plan.window.end.date() + dt.timedelta(days=62)
        while month < end:
            nxt = (month + dt.timedelta(days=32)).replace(day=1)
            name = f"{tp.name[:55]}_p{month:%Y%m}"
            part, parent = sql.Identifier(tp.table.schema, name), sql.Identifier(tp.table.schema, tp.name)
            try:
                with conn.transaction():
                    if conn.execute("SELECT to_regclass(%s) IS NULL", [part.as_string(conn)]).fetchone()[0]:
                        conn.execute(sql.SQL("CREATE TABLE {} PARTITION OF {} FOR VALUES FROM ({}) TO ({})").format(
                            part, parent, sql.Literal(month.isoformat()), sql.Literal(nxt.isoformat())))
                        # the table's owner, not the connecting user, owns its partitions (the retention job
                        # runs as the owner and must be able to drop them; a diff sees one owner)
                        owner = conn.execute("SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = %s::regclass",
                                             [parent.as_string(conn)]).fetchone()[0]
                        conn.execute(sql.SQL("ALTER TABLE {} OWNER TO {}").format(part, sql.Identifier(owner)))
            except (psycopg.errors.InvalidObjectDefinition, psycopg.errors.CheckViolation):
                pass  # another partition covers (part of) this month
            month = nxt


REPAIR_ROWS = 24  # sample rows a violated check's columns are repaired from


def _accepted_values(factory, tp, check, block: bytes) -> list[dict]:
    """Distinct combinations of ``check``'s columns that the server accepts, taken from up to REPAIR_ROWS
    sample rows (each row's own values when they hold, else the nearest values that do): a repair draws
    from them, so a repaired column keeps varying instead of becoming one constant."""
    seen: dict[tuple, dict] = {}
    rows = [{k: copy_unescape(v) for k, v in zip(tp.columns, line.split("\t"))}
            for line in block.decode().split("\n")[:REPAIR_ROWS] if line]
    for row in rows:
        fixed = row if factory.holds(tp.table, check, row) else factory.satisfying(tp.table, check, row, want=True)
        if fixed is None:
            continue
        values = {c: fixed.get(c) for c in check.columns if c in tp.gens}
        seen.setdefault(tuple(values.values()), values)
    found = list(seen.values())
    if all(c in tp.gens for c in check.columns):
        return found
    # a column the repair cannot draw (a foreign key loaded apart) keeps its own values: a combination that
    # held only beside one row's value of it ("author_id IS NOT NULL OR guest_name ...") fails beside
    # another's, so prefer combinations that hold beside every sample row's value
    robust = [t for t in found if all(factory.holds(tp.table, check, {**row, **t}) for row in rows)]
    return robust or found


def _validate(conn: psycopg.Connection, plan: SeedPlan, tp: TablePlan, report: LoadReport) -> None:
    """COPY a sample inside a savepoint and roll it back; repair generators of violated checks."""
    from schemawright.datagen.rows import RowFactory

    refused: list[str] = []  # the checks the samples violated, in order
    for _attempt in range(6):
        block = tp.block(0, min(tp.rows, SAMPLE_ROWS))
        try:
            with conn.transaction(force_rollback=True), conn.cursor() as cur, cur.copy(copy_statement(tp)) as cp:
                cp.write(block)
            return
        except psycopg.errors.CheckViolation as exc:
            check = next((c for c in tp.table.checks if c.name == exc.diag.constraint_name), None)
            if check is None:
                raise
            refused.append(check.name)
            tuples = _accepted_values(RowFactory(conn, plan.schema), tp, check, block)
            if not tuples:
                raise SeedError(f"{tp.name}: cannot generate values satisfying {check.name}") from None
            columns = [c for c in check.columns if c in tp.gens]
            for k, col in enumerate(columns):
                tp.gens[col] = Joint([[t[c] for c in columns] for t in tuples], k, salt=zlib.crc32(check.name.encode()))
            report.repairs.append(f"{tp.name}.{check.name}: {', '.join(columns)} drawn from {len(tuples)} "
                                  "combination(s) the server accepts")
        except psycopg.Error as exc:
            raise SeedError(f"{tp.name}: generated rows were refused: {str(exc).strip()}") from None
    # each repair draws one check's columns from combinations the server accepts; checks sharing a column
    # (a <= b, b < c) can undo each other's repair: say which ones kept failing
    raise SeedError(f"{tp.name}: could not generate rows that satisfy its checks: after 6 repairs the rows "
                    f"still violate {refused[-1]} (refused in turn: {', '.join(dict.fromkeys(refused))})")


def _bypass_triggers(conn: psycopg.Connection) -> bool:
    """SET LOCAL session_replication_role = replica (ordinary triggers do not fire) when the role may."""
    try:
        with conn.transaction():
            conn.execute("SET LOCAL session_replication_role = replica")
        return True
    except psycopg.errors.InsufficientPrivilege:
        return False


def _partial_unique(conn: psycopg.Connection, tp, fix) -> None:
    """Keep a partial unique index's predicate true for one row per key (the first loaded), switching it
    off in the other rows of that key; the index is rebuilt afterwards (datagen.plan.PartialUnique)."""
    table = sql.Identifier(tp.table.schema, tp.name)
    # the keys are the model's quoted columns and deparsed expressions (never user text)
    partition = sql.SQL("PARTITION BY {} ").format(sql.SQL(", ").join(map(sql.SQL, fix.keys))) if fix.keys \
        else sql.SQL("")
    # an expression (off_sql) is built by the plan from the model's quoted identifiers, never user text
    off = sql.NULL if fix.off is None else sql.SQL(fix.off) if fix.off_sql else sql.Literal(fix.off)
    statement = sql.SQL(
        "WITH ranked AS (SELECT tableoid AS toid, ctid AS tid, row_number() OVER ({partition}ORDER BY "
        "ctid) AS n FROM {table} WHERE {pred}) UPDATE {table} t SET {col} = {off} FROM ranked "
        "WHERE t.tableoid = ranked.toid AND t.ctid = ranked.tid AND ranked.n > 1").format(
        partition=partition, table=table, pred=sql.SQL(fix.predicate), col=sql.Identifier(fix.column), off=off)
    try:
        with conn.transaction():
            # synthetic rows switched off are no business events: the table's own triggers (a status
            # transition rule refusing active -> pending) are bypassed when the role may do so
            replica = _bypass_triggers(conn)
            conn.execute(statement)
            if replica:
                conn.execute("SET LOCAL session_replication_role = origin")
    except psycopg.Error as exc:
        raise SeedError(f"{tp.name}: cannot make {fix.index} hold (WHERE {fix.predicate} true for at most one "
                        f"row per {', '.join(fix.keys)}): {exc.diag.message_primary}") from None


def load_plan(conn: psycopg.Connection, plan: SeedPlan, *, workers: int | None = None,
              console: Console | None = None, block_rows: int = BLOCK_ROWS) -> LoadReport:
    """Load ``plan`` into the (empty) tables on ``conn`` (autocommit connection); see module doc."""
    global _PLAN
    report = LoadReport()
    if workers is None:
        workers = 0 if plan.total_rows < 50_000 else (os.cpu_count() or 2)
    if console is not None and not console.is_terminal:
        bar = _LineProgress(console)  # a log or a pipe: plain lines, not a bar redrawn in place
    else:
        bar = Progress(TextColumn("{task.description:<28}"), BarColumn(), MofNCompleteColumn(),
                       TimeRemainingColumn(), console=console, transient=True) if console else None
    try:
        with conn.transaction():
            restore = set_aside(conn, plan)
            restore += _set_aside_same_scope_triggers(conn, plan)  # their UPDATEs before history is recorded
            restore += _set_aside_child_count_triggers(conn, plan)  # rows it removes before sums are recomputed
            restore += _set_aside_child_sum_triggers(conn, plan)
            restore += _set_aside_event_order_triggers(conn, plan)
            restore += _set_aside_history_triggers(conn, plan)
            restore += _set_aside_balance_triggers(conn, plan)
            ensure_partitions(conn, plan)
            for tp in plan.tables:
                if tp.rows:
                    _validate(conn, plan, tp, report)
            _PLAN = plan
            pool = cf.ProcessPoolExecutor(workers, mp_context=mp.get_context("fork")) if workers else None
            if bar:
                bar.start()
            task = bar.add_task("rows", total=plan.total_rows) if bar else None
            start = time.perf_counter()
            try:
                for i, tp in enumerate(plan.tables):
                    if bar:
                        bar.update(task, description=f"COPY {tp.name}"[:28])
                    t0 = time.perf_counter()
                    _copy_table(conn, i, tp, pool, workers, block_rows, bar, task)
                    report.tables.append(TableLoad(tp.name, tp.rows, time.perf_counter() - t0, list(tp.notes)))
            finally:
                if pool:
                    pool.shutdown(cancel_futures=True)
            report.copy_seconds = time.perf_counter() - start
            start = time.perf_counter()
            if bar:
                bar.update(task, description="constraints and indexes")
            for tp in plan.tables:
                for fix in tp.partial_uniques if tp.rows else ():
                    _partial_unique(conn, tp, fix)
            for statement in restore:
                conn.execute(statement)
            _sync_sequences(conn, plan)
            report.constraint_seconds = time.perf_counter() - start
    except psycopg.errors.IntegrityError as exc:
        raise SeedError(f"the server refused the generated data: {str(exc).strip()}") from None
    except psycopg.Error as exc:
        raise DatabaseError(f"seeding failed: {str(exc).strip()}") from None
    finally:
        _PLAN = None
        if bar:
            bar.stop()
    start = time.perf_counter()
    for tp in plan.tables:
        conn.execute(sql.SQL("VACUUM (ANALYZE) {}").format(sql.Identifier(tp.table.schema, tp.name)))
    report.vacuum_seconds = time.perf_counter() - start
    return report


class _LineProgress:
    """The part of rich's Progress that load_plan uses, printing a line per phase and at most one line
    every ``every`` seconds while rows are loaded (for output that is not a terminal)."""

    def __init__(self, console: Console, every: float = 5.0):
        self.console, self.every = console, every
        self.total, self.done, self.description, self.last = 0, 0, "", 0.0

    def start(self) -> None:
        self.last = time.perf_counter()

    def stop(self) -> None:
        pass

    def add_task(self, description: str, total: int = 0) -> int:
        self.description, self.total = description, total
        return 0

    def _line(self) -> None:
        share = f" ({self.done / self.total:.0%})" if self.total else ""
        self.console.print(f"seed: {self.description}: {self.done:,} of {self.total:,} rows{share}",
                           highlight=False, soft_wrap=True)
        self.last = time.perf_counter()

    def update(self, task: int, description: str | None = None, **_) -> None:
        if description and description != self.description:
            self.description = description
            self._line()

    def advance(self, task: int, n: int) -> None:
        self.done += n
        if time.perf_counter() - self.last >= self.every:
            self._line()


def _copy_table(conn, index: int, tp: TablePlan, pool, workers: int, block_rows: int, bar, task) -> None:
    starts = range(0, tp.rows, block_rows)
    with conn.cursor() as cur, cur.copy(copy_statement(tp)) as cp:
        if pool is None:
            for s in starts:
                cp.write(tp.block(s, min(block_rows, tp.rows - s)))
                bar and bar.advance(task, min(block_rows, tp.rows - s))
            return
        pending: deque = deque()
        it = iter(starts)
        for s in it:  # keep a bounded number of blocks in flight: memory stays flat
            pending.append((pool.submit(_worker_block, index, s, min(block_rows, tp.rows - s)), s))
            if len(pending) >= 3 * workers:
                break
        while pending:
            future, s = pending.popleft()
            nxt = next(it, None)
            if nxt is not None:
                pending.append((pool.submit(_worker_block, index, nxt, min(block_rows, tp.rows - nxt)), nxt))
            cp.write(future.result())
            bar and bar.advance(task, min(block_rows, tp.rows - s))


def _sync_sequences(conn: psycopg.Connection, plan: SeedPlan) -> None:
    """Move identity/serial sequences past the loaded keys."""
    for tp in plan.tables:
        for col in tp.table.columns:
            if not (col.identity or (col.default and "nextval(" in str(col.default))):
                continue
            conn.execute(sql.SQL("SELECT setval(pg_get_serial_sequence(%s, %s), GREATEST(max({}), 1)) FROM {}").format(
                sql.Identifier(col.name), sql.Identifier(tp.table.schema, tp.name)),
                [qualified(tp.table.schema, tp.name), col.name])
