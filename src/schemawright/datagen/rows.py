"""Build rows that satisfy a table's constraints, on a live database.

Values start from a per-type candidate list enriched with the literals that the table's CHECK
expressions mention; whether a candidate satisfies a check is asked of PostgreSQL itself
(``SELECT <check> FROM (SELECT <values>) AS t``), so any expression the designer accepted can be
satisfied, or violated, without re-implementing SQL semantics here. Parent rows needed by foreign
keys are inserted first. All values travel as parameters; identifiers are quoted by psycopg.
"""

from __future__ import annotations

import datetime
import itertools
import json
import uuid
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import pglast
import psycopg
from pglast import ast
from pglast.visitors import Visitor
from psycopg import sql

from schemawright.datagen.rules import admits, table_rules
from schemawright.dialects import type_sql
from schemawright.model.schema import CheckConstraint, Column, Schema, Table
from schemawright.model.types import Kind
from schemawright.regex_sample import regex_sample

__all__ = ["RowFactory", "base_candidates", "check_literals", "check_patterns", "regex_sample"]

Row = dict[str, str | None]


class _Constants(Visitor):
    """String forms of the constants of an expression, and their neighbours for numbers."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def visit_A_Const(self, ancestors, node):  # noqa: N802 - pglast visitor naming
        val = node.val
        if isinstance(val, ast.String):
            self.found.append(val.sval)
        elif isinstance(val, (ast.Integer, ast.Float)):
            number = float(val.ival if isinstance(val, ast.Integer) else val.fval)
            for n in (number - 1, number, number + 1):
                self.found.append(str(int(n)) if n == int(n) else str(n))


class _Matches(Visitor):
    """(column, regular expression, case-insensitive) for each ``column ~ 'pattern'``."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, str, bool]] = []

    def visit_A_Expr(self, ancestors, node):  # noqa: N802 - pglast visitor naming
        op = node.name[0].sval if node.name and isinstance(node.name[0], ast.String) else None
        if op in ("~", "~*") and isinstance(node.lexpr, ast.ColumnRef) and isinstance(node.rexpr, ast.A_Const) \
                and isinstance(node.rexpr.val, ast.String) and isinstance(node.lexpr.fields[-1], ast.String):
            self.found.append((node.lexpr.fields[-1].sval, node.rexpr.val.sval, op == "~*"))


@lru_cache(maxsize=4096)
def _expression_facts(expression: str) -> tuple[tuple[str, ...], tuple[tuple[str, str, bool], ...]]:
    """(constants, patterns) of a check expression, parsed once per distinct text."""
    tree = pglast.parse_sql(f"SELECT {expression}")
    constants, matches = _Constants(), _Matches()
    constants(tree)
    matches(tree)
    return tuple(constants.found), tuple(matches.found)


class CannotBuildRow(RuntimeError):
    """No row of a table satisfying its checks (and its parents' rows) could be built or inserted."""


def check_literals(check: CheckConstraint) -> list[str]:
    """String forms of the constants in a check, and their neighbours for numbers."""
    return list(_expression_facts(str(check.expression))[0])


def check_patterns(check: CheckConstraint) -> list[tuple[str, str, bool]]:
    """(column, regular expression, case-insensitive) for each ``column ~ 'pattern'`` in a check."""
    return list(_expression_facts(str(check.expression))[1])


def _is_string(check: CheckConstraint, value: str) -> bool:
    """Is ``value`` one of the check's string constants (and not a pattern it matches against)?"""
    return not any(value == pattern for _, pattern, _ in check_patterns(check)) and not _is_number(value)


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


_INT_RANGE = {Kind.SMALLINT: 32767, Kind.INTEGER: 2_147_483_647, Kind.BIGINT: 9_223_372_036_854_775_807}
_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def compact_token(serial: int, width: int) -> str:
    """``serial`` spelled in at most ``width`` base-36 characters (distinct for serials below 36**width)."""
    n, out = serial % (36 ** max(width, 1)), ""
    while True:
        out = _B36[n % 36] + out
        n //= 36
        if n == 0:
            break
    return out


def fits_number(text: str, column_type) -> bool:
    """Would ``text`` fit the column's numeric type (integer range, numeric precision and scale)?"""
    k = column_type.kind
    try:
        value = Decimal(text)
    except InvalidOperation:
        return False
    if k in _INT_RANGE:
        return value == value.to_integral_value() and abs(value) <= _INT_RANGE[k]
    if k == Kind.NUMERIC and column_type.precision is not None:
        scale = column_type.scale or 0
        rounded = value.quantize(Decimal(1).scaleb(-scale)) if scale >= 0 else value
        return abs(rounded) < Decimal(10) ** (column_type.precision - scale)
    return True


def _numeric_serial(serial: int, column_type) -> str:
    """A value distinct per ``serial`` that fits numeric(p, s)."""
    p, s = column_type.precision, column_type.scale or 0
    if p is None:
        return f"{serial % 900 + 10}.5"
    n = serial % (10 ** p - 1) + 1
    return str(Decimal(n).scaleb(-s)) if s > 0 else str(n)


def _fits(column: Column, value: str) -> bool:
    """Does a candidate (a check's literal, a regex sample) fit the column's type?"""
    t = column.type
    if t.array_dims:
        return True
    if t.kind in _INT_RANGE or t.kind == Kind.NUMERIC:
        return fits_number(value, t)
    if t.is_textual and t.length is not None:
        return len(value) <= t.length
    return True


def base_candidates(column: Column, serial: int) -> list[str]:
    """Plausible values for a column, most plausible first; ``serial`` makes them distinct. Every
    value fits the column's full type: integer range, numeric precision and scale, character width."""
    t, name = column.type, column.name
    if t.array_dims:
        return ["{}"]
    k = t.kind
    if k in (Kind.SMALLINT, Kind.INTEGER, Kind.BIGINT):
        return [str(serial % 30000 + 1), "1", "0", "5", "3"]
    if k in (Kind.NUMERIC, Kind.REAL, Kind.DOUBLE, Kind.MONEY):
        first = f"{serial % 900 + 10}.5"
        if not fits_number(first, t):  # numeric(3,2) holds at most 9.99
            first = _numeric_serial(serial, t)
        return [v for v in dict.fromkeys([first, "1", "0", "4.5", "50"]) if fits_number(v, t)]
    if k == Kind.BOOLEAN:
        return ["true", "false"]
    if k == Kind.UUID:
        return [str(uuid.uuid5(uuid.NAMESPACE_OID, f"{name}:{serial}"))]
    if k in (Kind.TIMESTAMPTZ, Kind.TIMESTAMP):  # alternatives let an ordering check (ends > starts) be met
        return [f"2024-01-{serial % 28 + 1:02d} 12:00:00+00", "2023-06-01 08:00:00+00", "2025-06-01 18:00:00+00"]
    if k == Kind.DATE:
        return [f"2024-02-{serial % 28 + 1:02d}", "2023-06-01", "2025-06-01"]
    if k in (Kind.TIME, Kind.TIMETZ):
        return ["12:00:00"]
    if k == Kind.INTERVAL:
        return ["1 hour"]
    if k in (Kind.JSON, Kind.JSONB):
        return ["{}", "[]"]
    if k == Kind.BYTEA:
        return [f"\\x{serial:04x}"]
    if k in (Kind.INET, Kind.CIDR):
        return [f"10.{serial // 65536 % 256}.{serial // 256 % 256}.{serial % 256}"]
    if k == Kind.MACADDR:
        return [f"08:00:2b:01:{serial // 256 % 256:02x}:{serial % 256:02x}"]
    if k == Kind.TSVECTOR:
        return ["sample"]
    if k == Kind.XML:
        return ["<a/>"]
    if k == Kind.ENUM:
        return []  # filled from the enum's labels by the factory
    # text-like: shapes that satisfy the usual format checks, made distinct by the serial
    width = t.length or 200
    shapes = [f"user{serial}@example.com", f"https://example.com/{serial}", f"+1 555 {serial % 10000:04d}",
              f"item-{serial}", f"sample {serial}", f"CODE{serial}", "US", "USD", "x", "", " "]
    # The shape the column's name asks for first (fewer round trips to satisfy its format check).
    hint = next((i for i, words in enumerate((("email",), ("url", "website", "link", "avatar", "image"),
                                              ("phone", "mobile", "fax"))) if any(w in name for w in words)), 0)
    shapes.insert(0, shapes.pop(hint))
    # A shape wider than the column is not cut (cut values collide: "item-1" and "item-12" in char(5));
    # the serial spelled compactly takes the place of the first one that does not fit.
    fitting = [s for s in shapes if len(s) <= width]
    if len(fitting) < len(shapes):
        compact = compact_token(serial, width)
        if k == Kind.CHAR:  # char(n) pads with blanks: a full-width value keeps the padding out of comparisons
            compact = compact.rjust(width, "0")
        fitting.insert(0, compact)
    return list(dict.fromkeys(fitting))


class RowFactory:
    """Makes valid rows for the tables of ``schema`` on ``conn`` (inside the caller's transaction)."""

    def __init__(self, conn: psycopg.Connection, schema: Schema):
        self.conn = conn
        self.schema = schema
        self.serial = itertools.count(1)
        self._literals = {(t.name, c.name): check_literals(c) for t in schema.tables for c in t.checks}
        self._patterns = {(t.name, c.name): check_patterns(c) for t in schema.tables for c in t.checks}
        # Strings a check names that are not patterns: allowed values (``kind IN (...)``), the likeliest fit.
        self._strings = {(t.name, c.name): [v for v in check_literals(c) if _is_string(c, v)]
                         for t in schema.tables for c in t.checks}

    # --- expressions evaluated by the server ----------------------------------------------------
    def evaluate(self, table: Table, expression: str, row: Row) -> bool | None:
        """Value of ``expression`` for ``row`` (True/False/None), computed by PostgreSQL."""
        cols = [c for c in table.columns if c.name in row]
        # Columns the row leaves out take their default (trusted SQL from the model), else NULL.
        absent = [c for c in table.columns if c.name not in row]
        select = sql.SQL(", ").join(
            [sql.SQL("{}::{} AS {}").format(sql.Placeholder(), sql.SQL(type_sql(c.type)), sql.Identifier(c.name))
             for c in cols]
            + [sql.SQL("({})::{} AS {}").format(sql.SQL(_no_placeholders(str(c.default)) if c.default else "NULL"),
                                                 sql.SQL(type_sql(c.type)), sql.Identifier(c.name))
               for c in absent if c.generated is None and not c.identity])
        query = sql.SQL("SELECT ({}) FROM (SELECT {}) AS t").format(sql.SQL(_no_placeholders(expression)), select)
        try:
            with self.conn.transaction():
                return self.conn.execute(query, [row[c.name] for c in cols]).fetchone()[0]
        except psycopg.errors.DataError:
            return None

    def holds(self, table: Table, check: CheckConstraint, row: Row) -> bool:
        """Would PostgreSQL accept ``row`` under ``check``? (NULL passes; a value of the wrong type does not.)"""
        result = self.evaluate(table, str(check.expression), row)
        if result is not None:
            return result
        return self.evaluate(table, "true", row) is True  # NULL result, not a value that fails to cast

    def candidates(self, table: Table, column: Column) -> list[str]:
        if column.type.kind == Kind.ENUM:
            enum = self.schema.enum(column.type.name)
            return list(enum.values) if enum else []
        serial = next(self.serial)
        values = base_candidates(column, serial)
        for check in table.checks:
            if column.name in check.columns:
                if column.type.is_textual:
                    strings = self._strings[(table.name, check.name)]
                    values = [v for v in strings if v not in values] + values
                values += [v for v in self._literals[(table.name, check.name)] if v not in values]
                for col, pattern, ignore_case in self._patterns[(table.name, check.name)]:
                    sample = regex_sample(pattern, serial, ignore_case) if col == column.name else None
                    if sample is None or sample in values or (column.type.length or len(sample)) < len(sample):
                        continue
                    # A sample that spells the serial is distinct per row: the likeliest valid value, so first.
                    distinct = sample != regex_sample(pattern, serial + 1, ignore_case)
                    values.insert(0, sample) if distinct else values.append(sample)
        p = table.partitioning
        if p is not None and p.strategy == "range" and p.columns and p.columns[0] == column.name \
                and column.type.kind in (Kind.TIMESTAMPTZ, Kind.TIMESTAMP, Kind.DATE):
            # Inside the partitions a migration creates around today, whether or not a default one exists.
            today = datetime.date.today().isoformat()
            values.insert(0, today if column.type.kind == Kind.DATE else f"{today} 12:{serial % 60:02d}:00+00")
        return [v for v in values if _fits(column, v)]

    def satisfying(self, table: Table, check: CheckConstraint, row: Row, want: bool,
                   fixed: tuple[str, ...] = ()) -> Row | None:
        """A copy of ``row`` with the check's columns changed so the check is ``want`` (None: no luck);
        the ``fixed`` columns keep their values.

        When changing the check's own columns cannot do it while the other checks hold (``total =
        subtotal + tax`` with ``subtotal >= 0``: a negative subtotal needs another total), the columns
        of the checks that share a column with it are varied too."""
        own = tuple(c for c in check.columns if c not in fixed)
        found = self._search(table, check, own, row, want) if own else None
        if found is None:
            related = [c for other in table.checks if other is not check and set(other.columns) & set(check.columns)
                       for c in other.columns]
            wider = tuple(c for c in dict.fromkeys([*check.columns, *related]) if c not in fixed)
            if len(wider) > len(own):
                found = self._search(table, check, wider, row, want)
        return found

    def repair(self, table: Table, row: Row, fixed: tuple[str, ...] = ()) -> Row:
        """``row`` changed until every check of ``table`` holds, never touching the ``fixed`` columns."""
        for check in table.checks:
            if not self.holds(table, check, row):
                repaired = self.satisfying(table, check, row, want=True, fixed=fixed)
                if repaired is None:
                    raise CannotBuildRow(f"cannot build a row of {table.name} satisfying {check.name}")
                row = repaired
        return row

    def _search(self, table: Table, check: CheckConstraint, names: tuple[str, ...], row: Row, want: bool) -> Row | None:
        columns = [table.column(c) for c in names]
        options = [self.candidates(table, c) for c in columns]
        # Columns of one type also try each other's values (``parent_id <> id`` is broken by equal ones).
        options = [o + [p[0] for d, p in zip(columns, options) if d is not c and p and d.type == c.type
                        and p[0] not in o] for c, o in zip(columns, options)]
        # A nullable column may be empty: a CHECK passes on NULL, and ``x IS NOT NULL`` fails only on it.
        options = [o + [None] if c.nullable else o for c, o in zip(columns, options)]
        if not want:  # to break a check, the values it names (and NULL, for IS NOT NULL) are the likeliest
            literals = self._literals[(table.name, check.name)]
            options = [sorted(o, key=lambda v: (v is not None, v not in literals)) for o in options]
        if want:
            # Checks the row already meets must keep holding (fixing one check must not break another).
            keep = [c for c in table.checks if c is not check
                    and set(c.columns) & set(names) and self.holds(table, c, row)]
        for combo in itertools.islice(_diagonal(options), 1000):
            trial = dict(row)
            trial.update({c.name: v for c, v in zip(columns, combo)})
            if want:
                if self.holds(table, check, trial) and self._other_checks_hold(table, keep, trial):
                    return trial
            elif self.evaluate(table, str(check.expression), trial) is False \
                    and self._other_checks_hold(table, [c for c in table.checks if c is not check], trial):
                return trial
        return None

    def _other_checks_hold(self, table: Table, checks: list[CheckConstraint], row: Row) -> bool:
        return all(self.holds(table, c, row) for c in checks)

    # --- rows ----------------------------------------------------------------------------------------
    def valid_row(self, table: Table, fixed: Row | None = None) -> Row:
        """A row for ``table`` that satisfies its checks; parents for its foreign keys are inserted. ``fixed``
        values are kept, and parents are made to agree with them: with composite keys that share a column
        (the tenant in ``(tenant_id, project_id)`` and ``(tenant_id)``) every parent has the same tenant."""
        row: Row = dict(fixed or {})
        # a new parent has no children yet: a column that must equal the sum of its children's is 0
        # (design/rules/child_sum.py), and what a check derives from it follows in the repair
        # - unless a CHECK refuses 0 (boxes.total_weight_kg BETWEEN 0.5 AND 25): then NULL when the column
        # may be empty (the rule's triggers skip a parent whose column is NULL), else 0 and the repair says why
        zero = tuple(cs.column for cs in self.schema.facts.child_sums if cs.parent == table.name
                     and cs.column not in row and table.has_column(cs.column))
        bounds = table_rules(table) if zero else {}
        row.update({c: None if table.column(c).nullable and not admits(bounds.get(c), Decimal(0)) else "0"
                    for c in zero})
        fk_columns = {c for fk in table.foreign_keys for c in fk.columns}
        for column in table.columns:
            if column.name in row or column.identity or column.generated is not None or column.name in fk_columns:
                continue
            if column.default is not None:
                continue  # the default must satisfy the constraints by itself
            options = self.candidates(table, column)
            row[column.name] = options[0] if options else None
        # Columns whose emptiness could matter to a key or a check; other optional links stay NULL, which
        # spares a chain of parent rows (the foreign key probes fill them in themselves).
        keyed = {c for u in table.uniques for c in u.columns} | {c for k in table.checks for c in k.columns} | set(
            table.primary_key.columns if table.primary_key else ()) | {
            e.column for ix in table.indexes if ix.unique for e in ix.elements if e.column is not None}
        self._rule_parents(table, row)
        for fk in sorted(table.foreign_keys, key=lambda f: -len(f.columns)):  # the widest first
            optional = any(table.column(c).nullable for c in fk.columns)  # MATCH SIMPLE: one NULL skips the check
            if optional and (fk.ref_table == table.name or not set(fk.columns) & keyed):
                continue  # an optional link (or self-reference) stays empty
            if all(c in row for c in fk.columns):
                continue  # given, or set by a wider key that includes these columns
            parent = self.schema.table(fk.ref_table)
            agree = {r: row[c] for c, r in zip(fk.columns, fk.ref_columns) if c in row}
            try:
                with self.conn.transaction():
                    parent_row = self.insert(parent, self.valid_row(parent, agree))
            except psycopg.Error as exc:
                raise CannotBuildRow(f"the parent row in {parent.name} that {fk.name} needs was refused: "
                                     f"{exc.diag.sqlstate} {exc.diag.message_primary}") from None
            for col, ref in zip(fk.columns, fk.ref_columns):
                row[col] = parent_row[ref]
        self._rule_dates(table, row, fixed or {})
        return self.repair(table, row, fixed=tuple(fixed or ()) + zero)

    def _parent_value(self, table: Table, key: str, value, column: str):
        return self.conn.execute(sql.SQL("SELECT {} FROM {} WHERE {} = %s").format(
            sql.Identifier(column), sql.Identifier(table.schema, table.name), sql.Identifier(key)),
            [value]).fetchone()

    def _rule_parents(self, table: Table, row: Row) -> None:
        """Two references that must share a scope (design/rules/same_parent.py, checked at commit): the
        referenced rows are made with the same scope, so a valid row stays valid when committed."""
        for ss in self.schema.facts.same_scope:
            if ss.table != table.name or ss.column in row:
                continue
            via, owner = self.schema.table(ss.via), self.schema.table(ss.owner_table)
            via_key = next(fk for fk in table.foreign_keys if fk.columns == (ss.column,)).ref_columns[0]
            owner_key = next(fk for fk in table.foreign_keys if fk.columns == (ss.owner,)).ref_columns[0]
            try:
                with self.conn.transaction():
                    if ss.owner in row:
                        found = self._parent_value(owner, owner_key, row[ss.owner], ss.owner_scope)
                        if found is None:
                            continue
                        scope = found[0]
                        if scope is None:
                            continue
                    else:
                        owner_row = self.insert(owner, self.valid_row(owner))
                        row[ss.owner], scope = owner_row[owner_key], owner_row[ss.owner_scope]
                    via_row = self.insert(via, self.valid_row(via, {ss.via_scope: scope}))
            except psycopg.Error as exc:
                raise CannotBuildRow(f"the rows in {via.name} and {owner.name} of one {ss.via_scope} were refused: "
                                     f"{exc.diag.sqlstate} {exc.diag.message_primary}") from None
            row[ss.column] = via_row[via_key]

    def _rule_dates(self, table: Table, row: Row, fixed: Row) -> None:
        """A date (or amount) ordered after the referenced row's (design/rules/event_order.py, parent_compare.py,
        checked at commit): 30 days (units) on the right side of it."""
        for ev in self.schema.facts.ordered_after_parent:
            if ev.table != table.name or ev.column in fixed or row.get(ev.key) is None:
                continue
            parent = self.schema.table(ev.parent)
            found = self._parent_value(parent, ev.parent_key, row[ev.key], ev.parent_column)
            if found is None or found[0] is None:
                continue
            kind = sql.SQL(type_sql(table.column(ev.column).type))
            if ev.spread == 1:  # a window's bound: a value inside is kept, one outside moves onto the bound
                if row.get(ev.column) is not None and self.conn.execute(
                        sql.SQL("SELECT (%s::{t}){cast} {op} %s::{pt}").format(
                            t=kind, cast=sql.SQL(ev.own_cast), op=sql.SQL(ev.op),
                            pt=sql.SQL(type_sql(parent.column(ev.parent_column).type))),
                        [str(row[ev.column]), str(found[0])]).fetchone()[0]:
                    continue
                days = 0
            else:
                days = 30 if ev.op in (">", ">=") else -30
            row[ev.column] = self.conn.execute(sql.SQL("SELECT (%s::{t} + %s * {unit})::{t}::text").format(
                t=kind, unit=sql.SQL(ev.unit)), [str(found[0]), days]).fetchone()[0]

    def insert(self, table: Table, row: Row) -> dict:
        """Insert ``row`` and return the stored row (with defaults and generated keys)."""
        cols = [table.column(c) for c in row]
        query = sql.SQL("INSERT INTO {} ({}) VALUES ({}) RETURNING *").format(
            sql.Identifier(table.schema, table.name),
            sql.SQL(", ").join(sql.Identifier(c.name) for c in cols),
            sql.SQL(", ").join(sql.SQL("{}::{}").format(sql.Placeholder(), sql.SQL(type_sql(c.type))) for c in cols))
        with self.conn.cursor(row_factory=psycopg.rows.dict_row) as cur:
            cur.execute(query, [row[c.name] for c in cols])
            return {k: (None if v is None else _as_text(v)) for k, v in cur.fetchone().items()}


def _diagonal(options: list[list]):
    """Every combination of one value per list, those made of earlier (likelier) values first: the
    sum of the positions grows, so a late candidate of one column meets the early ones of the others
    long before the full product is walked."""
    if not options or any(not o for o in options):
        return

    def spread(total: int, lists: list[list]):
        if len(lists) == 1:
            if total < len(lists[0]):
                yield (lists[0][total],)
            return
        for i in range(min(total, len(lists[0]) - 1) + 1):
            for rest in spread(total - i, lists[1:]):
                yield (lists[0][i], *rest)

    for total in range(sum(len(o) - 1 for o in options) + 1):
        yield from spread(total, options)


def _no_placeholders(text: str) -> str:
    """SQL text for a query that also has parameters: a literal % (LIKE 'image/%') is doubled so the
    driver does not read it as a placeholder."""
    return text.replace("%", "%%")


def _as_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    if isinstance(value, bytes):
        return "\\x" + value.hex()
    return str(value)

