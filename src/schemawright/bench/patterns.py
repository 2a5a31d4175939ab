"""The workload: query patterns generated from the design, plus those the task input declares.

Generated: a primary-key lookup per table, children by parent (newest first), the newest rows of a
table, unique-key lookups, declared index searches, a daily report over the last 30 days, and write
transactions (insert a row and touch its parent; change a row's status). Parameters are sampled from
the loaded data, so popular parents are asked for as often as they occur.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pglast
import psycopg
from pglast import ast
from pglast.visitors import Visitor
from psycopg import sql

from schemawright.analysis.workload import Shape, read_shapes
from schemawright.datagen.plan import SeedPlan
from schemawright.datagen.pools import copy_unescape
from schemawright.datagen.rules import table_rules
from schemawright.model.facts import LatencyTargets
from schemawright.errors import SchemawrightError
from schemawright.model.names import quote_ident as q
from schemawright.model.names import quote_literal
from schemawright.model.schema import Schema, Table

SAMPLE = 400
DEFAULT_TARGETS_MS = {"pk": 1.0, "simple": 10.0, "complex": 100.0, "report": 5000.0, "write": 50.0}
_LATENCY_RE = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|us|µs)?", re.I)


def parse_latency(text: str | None) -> float | None:
    """Milliseconds from a target such as "< 10ms", "< 2s" or "500 us"."""
    m = _LATENCY_RE.search(text or "")
    if not m:
        return None
    value, unit = float(m.group(1)), (m.group(2) or "ms").lower()
    return value * {"ms": 1, "s": 1000, "us": 0.001, "µs": 0.001}[unit]


@dataclass
class Pattern:
    name: str
    category: str  # pk | simple | complex | report | write
    statements: list[str]  # run in one transaction; %s placeholders
    params: list[tuple] = field(default_factory=list)  # one tuple of all statements' parameters per call
    frequency: float = 1.0
    target_ms: float | None = None
    table: str | None = None
    source: str = "generated"  # generated | input
    fresh: Callable[[int], tuple] | None = None  # makes the parameters of a new row for index n (inserts)

    @property
    def writes(self) -> bool:
        return self.category == "write"

    def to_dict(self) -> dict:
        return {"name": self.name, "category": self.category, "sql": ";\n".join(self.statements),
                "frequency": self.frequency, "target_ms": self.target_ms, "source": self.source}


def _targets(schema: Schema) -> dict[str, float]:
    out = dict(DEFAULT_TARGETS_MS)
    latency = schema.facts.latency_targets or LatencyTargets()
    for given, cat in ((latency.simple_queries, "simple"), (latency.complex_queries, "complex"),
                       (latency.reports, "report")):
        if (ms := parse_latency(given)) is not None:
            out[cat] = ms
    return out


def _sample(conn: psycopg.Connection, table: Table, columns: list[str], where: str = "") -> list[tuple]:
    cols = ", ".join(q(c) for c in columns)
    rows = conn.execute(f"SELECT {cols} FROM {q(table.name)} {where} ORDER BY random() LIMIT {SAMPLE}").fetchall()
    return [tuple(str(v) if v is not None else None for v in r) for r in rows]


def _pk(table: Table) -> tuple[str, ...]:
    return table.primary_key.columns if table.primary_key else ()


def _where(columns) -> str:
    return " AND ".join(f"{q(c)} = %s" for c in columns)


def generated_patterns(conn: psycopg.Connection, schema: Schema, plan: SeedPlan) -> list[Pattern]:
    """The read shapes of ``analysis.workload`` (which the designer indexes too), bound from sampled rows,
    and the write transactions."""
    targets = _targets(schema)
    rows = {tp.name: tp.rows for tp in plan.tables}
    shapes: dict[str, list[Shape]] = {}
    for shape in read_shapes(schema, lambda t: rows.get(t.name, 0)):
        shapes.setdefault(shape.table, []).append(shape)
    out: list[Pattern] = []
    for t in schema.tables:
        if not rows.get(t.name):
            continue
        samples: dict[tuple, list[tuple]] = {}
        for shape in shapes.get(t.name, ()):
            if shape.since_days is not None:
                params = [(dt.date.fromordinal(plan.window.end.date().toordinal() - shape.since_days).isoformat(),)]
            elif shape.sample:
                key = (shape.sample, shape.sample_where)
                if key not in samples:
                    samples[key] = _sample(conn, t, list(shape.sample), shape.sample_where)
                params = samples[key]
            else:
                params = [()]
            out.append(Pattern(shape.name, shape.category, [shape.sql], params, shape.frequency,
                               targets[shape.category], t.name))
        out += _writes(conn, t, schema, plan, targets)
    return out


def _writes(conn, t: Table, schema: Schema, plan: SeedPlan, targets) -> list[Pattern]:
    """Insert a new row (and touch its parent, as an application does); change a status."""
    out: list[Pattern] = []
    tp = next(p for p in plan.tables if p.name == t.name)
    pk = _pk(t)
    if t.kind in ("transactional", "time_series", "log", "core", "child") and tp.enumeration is None and pk:
        cols = tp.columns
        insert = f"INSERT INTO {q(t.name)} ({', '.join(q(c) for c in cols)}) VALUES ({', '.join(['%s'] * len(cols))})"

        def row(n: int, tp=tp, cols=cols) -> tuple:  # row n past the loaded ones: fresh unique values
            batch = tp.batch(tp.rows + n, 1)
            return tuple(copy_unescape(batch[c][0]) for c in cols)

        params = [row(n) for n in range(3)]
        statements = [insert]
        positions: list[int] = []
        fk = next((f for f in t.foreign_keys if f.columns[0] not in ("created_by", "updated_by")
                   and f.ref_table != t.name), None)
        parent = schema.table(fk.ref_table) if fk else None
        if parent is not None and parent.has_column("updated_at") and _pk(parent) == fk.ref_columns:
            statements.append(f"UPDATE {q(parent.name)} SET updated_at = now() WHERE {_where(fk.ref_columns)}")
            positions = [cols.index(c) for c in fk.columns]

        def fresh(n: int, row=row, positions=positions) -> tuple:
            values = row(n)
            return values + tuple(values[i] for i in positions)

        out.append(Pattern(f"{t.name}: insert" + (f" + touch {parent.name}" if len(statements) > 1 else ""),
                           "write", statements, [fresh(n) for n in range(3)], 1.0, targets["write"], t.name,
                           fresh=fresh))
    status = next((c for c in t.columns if c.name == "status"), None)
    values = (table_rules(t).get("status") or None)
    if pk and status is not None and values and values.values:
        keys = _sample(conn, t, list(pk))
        choices = values.values
        params = [(choices[i % len(choices)],) + k for i, k in enumerate(keys)]
        flow = next((f.pairs for f in schema.facts.status_transitions if (f.table, f.column) == (t.name, "status")),
                    None)
        if flow:  # a transitions rule: each sampled row moves along an allowed transition, as the application does
            nexts: dict[str, list[str]] = {}
            for a, b in flow:
                nexts.setdefault(a, []).append(b)
            rows = _sample(conn, t, [*pk, "status"], "WHERE status IN (" + ", ".join(
                quote_literal(a) for a in nexts) + ")")
            params = [(nexts[r[-1]][i % len(nexts[r[-1]])],) + r[:-1] for i, r in enumerate(rows)]
        if not params:
            return out
        out.append(Pattern(f"{t.name}: change status", "write",
                           [f"UPDATE {q(t.name)} SET status = %s WHERE {_where(pk)}"], params, 1.0,
                           targets["write"], t.name))
    return out


_PARAM_RE = re.compile(r"(?<!:):([a-z_][a-z0-9_]*)(?:\.([a-z_][a-z0-9_]*))?", re.I)


class PatternError(SchemawrightError):
    """A declared query pattern cannot be measured (its parameters cannot be bound, or every call failed)."""

    exit_code = 4


_DOLLAR_RE = re.compile(r"\$(\d+)")
_TSQUERY_FUNCTIONS = {"to_tsquery", "plainto_tsquery", "phraseto_tsquery", "websearch_to_tsquery"}
_LEXEME_RE = re.compile(r"'((?:[^']|'')+)'")


def _search_word(value):
    """A tsvector's first lexeme (psycopg returns the text form ``'art':1 'paint':2``): a word that finds it."""
    found = _LEXEME_RE.search(value) if isinstance(value, str) else None
    return found.group(1).replace("''", "'") if found else value


def positional_parameters(schema: Schema, text: str) -> dict[int, tuple[Table, str]]:
    """For each ``$n`` of ``text``, the table column it is compared with (``col = $1``, ``t.col IN ($2)``,
    ``$3 <= col``...), read from PostgreSQL's parse tree; parameters compared with no column are left out."""
    try:
        tree = pglast.parse_sql(text)
    except pglast.parser.ParseError:
        return {}
    aliases: dict[str, str] = {}
    found: dict[int, str | tuple[str, str]] = {}

    def column_of(node):
        if isinstance(node, ast.TypeCast):
            return column_of(node.arg)
        if isinstance(node, ast.ColumnRef) and all(isinstance(f, ast.String) for f in node.fields):
            names = [f.sval for f in node.fields]
            return (names[-2], names[-1]) if len(names) >= 2 else names[-1]
        return None

    def param_of(node):
        if isinstance(node, ast.TypeCast):
            return param_of(node.arg)
        if isinstance(node, ast.FuncCall) and node.funcname[-1].sval.lower() in _TSQUERY_FUNCTIONS:
            # col @@ plainto_tsquery('english', $1): $1 is a word of the column's documents
            found_params = [param_of(a) for a in node.args or ()]
            return next((n for n in found_params if n is not None), None)
        return node.number if isinstance(node, ast.ParamRef) else None

    class Collect(Visitor):
        def visit_RangeVar(self, ancestors, node):  # noqa: N802 - pglast visitor naming
            aliases[node.alias.aliasname if node.alias else node.relname] = node.relname
            aliases.setdefault(node.relname, node.relname)

        def visit_A_Expr(self, ancestors, node):  # noqa: N802
            sides = [node.lexpr, *(node.rexpr if isinstance(node.rexpr, (list, tuple)) else [node.rexpr])]
            cols = [c for c in (column_of(x) for x in sides if x is not None) if c is not None]
            params = [n for n in (param_of(x) for x in sides if x is not None) if n is not None]
            if len(cols) == 1:
                for n in params:
                    found.setdefault(n, cols[0])

    Collect()(tree)
    out: dict[int, tuple[Table, str]] = {}
    tables = [schema.table(t) for t in dict.fromkeys(aliases.values()) if schema.table(t) is not None]
    for n, col in found.items():
        if isinstance(col, tuple):
            table = schema.table(aliases.get(col[0], col[0]))
            name = col[1]
        else:
            name = col
            table = next((t for t in tables if t.has_column(name)), None)
        if table is not None and table.has_column(name):
            out[n] = (table, name)
    return out


def input_patterns(conn: psycopg.Connection, schema: Schema) -> list[Pattern]:
    """query_patterns of the task input: SQL whose parameters (``$1``, ``:column``, ``:table.column``)
    are bound from values sampled in the loaded data; columns of one table are sampled from the same
    rows, so ``organization_id = $1 AND status = $2`` asks for combinations that exist. A pattern
    whose parameters cannot all be bound raises PatternError, naming it and why."""
    targets = _targets(schema)
    out = []
    for p in schema.facts.query_patterns:
        text = p.sql
        if not text:
            continue
        params: list[tuple] = [()]
        dollars = [int(n) for n in _DOLLAR_RE.findall(text)]
        refs = _PARAM_RE.findall(text) if not dollars else []
        if dollars:
            bound = positional_parameters(schema, text)
            missing = sorted(set(dollars) - set(bound))
            if missing:
                raise PatternError(f"query pattern {p.name!r}: cannot tell which column "
                                   f"{', '.join(f'${n}' for n in missing)} is compared with, so no real values can "
                                   "be bound; compare each parameter with a column (col = $1)")
            numbers = sorted(bound)
            by_table: dict[str, list[int]] = {}
            for n in numbers:
                by_table.setdefault(bound[n][0].name, []).append(n)
            values: dict[int, list] = {}
            for table_name, ns in by_table.items():
                rows = _sample(conn, schema.table(table_name), [bound[n][1] for n in ns],
                               "WHERE " + " AND ".join(f"{q(bound[n][1])} IS NOT NULL" for n in ns))
                if not rows:
                    raise PatternError(f"query pattern {p.name!r}: {table_name} holds no rows to take "
                                       f"{', '.join(f'${n}' for n in ns)} from")
                for k, n in enumerate(ns):
                    column = bound[n][0].column(bound[n][1])
                    words = column is not None and str(column.type).lower() == "tsvector"
                    values[n] = [_search_word(r[k]) if words else r[k] for r in rows]
            size = min(len(v) for v in values.values())
            params = [tuple(values[n][i] for n in dollars) for i in range(size)]
            text = _DOLLAR_RE.sub("%s", text.replace("%", "%%"))
        elif refs:
            columns = []
            for a, b in refs:
                table = schema.table(a) if b else next((t for t in schema.tables if t.has_column(a)), None)
                columns.append((table, b or a))
            if any(t is None or not t.has_column(c) for t, c in columns):
                raise PatternError(f"query pattern {p.name!r}: no column "
                                   + ", ".join(f":{a}{'.' + b if b else ''}" for a, b in refs) + " in the design")
            samples = [_sample(conn, t, [c]) for t, c in columns]
            params = [tuple(s[i % len(s)][0] for s in samples) for i in range(min(len(s) for s in samples))] or [()]
            text = _PARAM_RE.sub("%s", text)
        kind = "write" if re.match(r"\s*(insert|update|delete)", text, re.I) else (
            "report" if re.search(r"\bgroup\s+by\b", text, re.I) else "complex" if re.search(r"\bjoin\b", text, re.I)
            else "simple")
        out.append(Pattern(p.name, kind, [text], params, float(p.frequency or 1.0),
                           parse_latency(p.target_latency) or targets[kind], None, "input"))
    return out


def as_sql(statement: str) -> sql.SQL:
    return sql.SQL(statement)  # built from quoted identifiers and %s placeholders only
