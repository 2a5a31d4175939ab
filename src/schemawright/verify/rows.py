"""Build rows that satisfy a table's constraints, on a live database.

Values start from a per-type candidate list enriched with the literals that the table's CHECK
expressions mention; whether a candidate satisfies a check is asked of PostgreSQL itself
(``SELECT <check> FROM (SELECT <values>) AS t``), so any expression the designer accepted can be
satisfied, or violated, without re-implementing SQL semantics here. Parent rows needed by foreign
keys are inserted first. All values travel as parameters; identifiers are quoted by psycopg.
"""

from __future__ import annotations

import itertools
import json
import re
import uuid
from re import _constants as sre_c
from re import _parser as sre_parse

import pglast
import psycopg
from pglast import ast
from pglast.visitors import Visitor
from psycopg import sql

from schemawright.dialects.postgres import type_sql
from schemawright.model.schema import CheckConstraint, Column, Schema, Table
from schemawright.model.types import Kind

Row = dict[str, str | None]


def _literals(check: CheckConstraint) -> list[str]:
    """String forms of the constants in a check, and their neighbours for numbers."""
    found: list[str] = []

    class Collect(Visitor):
        def visit_A_Const(self, ancestors, node):  # noqa: N802 - pglast visitor naming
            val = node.val
            if isinstance(val, ast.String):
                found.append(val.sval)
            elif isinstance(val, (ast.Integer, ast.Float)):
                number = float(val.ival if isinstance(val, ast.Integer) else val.fval)
                for n in (number - 1, number, number + 1):
                    found.append(str(int(n)) if n == int(n) else str(n))

    Collect()(pglast.parse_sql(f"SELECT {check.expression}"))
    return found


def _is_string(check: CheckConstraint, value: str) -> bool:
    """Is ``value`` one of the check's string constants (and not a pattern it matches against)?"""
    return not any(value == pattern for _, pattern, _ in _patterns(check)) and not _is_number(value)


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _patterns(check: CheckConstraint) -> list[tuple[str, str, bool]]:
    """(column, regular expression, case-insensitive) for each ``column ~ 'pattern'`` in a check."""
    found: list[tuple[str, str, bool]] = []

    class Collect(Visitor):
        def visit_A_Expr(self, ancestors, node):  # noqa: N802 - pglast visitor naming
            op = node.name[0].sval if node.name and isinstance(node.name[0], ast.String) else None
            if op in ("~", "~*") and isinstance(node.lexpr, ast.ColumnRef) and isinstance(node.rexpr, ast.A_Const) \
                    and isinstance(node.rexpr.val, ast.String) and isinstance(node.lexpr.fields[-1], ast.String):
                found.append((node.lexpr.fields[-1].sval, node.rexpr.val.sval, op == "~*"))

    Collect()(pglast.parse_sql(f"SELECT {check.expression}"))
    return found


# POSIX bracket classes that PostgreSQL's regular expressions know and Python's do not.
_POSIX_CLASSES = {"[:space:]": r"\s", "[:digit:]": "0-9", "[:alpha:]": "a-zA-Z", "[:alnum:]": "a-zA-Z0-9",
                  "[:upper:]": "A-Z", "[:lower:]": "a-z", "[:xdigit:]": "0-9a-fA-F", "[:word:]": r"\w"}
_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-_.@#+() /:"
_CATEGORIES = {sre_c.CATEGORY_DIGIT: str.isdigit, sre_c.CATEGORY_NOT_DIGIT: lambda c: not c.isdigit(),
               sre_c.CATEGORY_SPACE: str.isspace, sre_c.CATEGORY_NOT_SPACE: lambda c: not c.isspace(),
               sre_c.CATEGORY_WORD: lambda c: c.isalnum() or c == "_",
               sre_c.CATEGORY_NOT_WORD: lambda c: not (c.isalnum() or c == "_")}


def _in_set(items, ch: str) -> bool:
    negate, hit = False, False
    for op, av in items:
        if op is sre_c.NEGATE:
            negate = True
        elif op is sre_c.LITERAL:
            hit = hit or ch == chr(av)
        elif op is sre_c.RANGE:
            hit = hit or av[0] <= ord(ch) <= av[1]
        elif op is sre_c.CATEGORY:
            hit = hit or _CATEGORIES.get(av, lambda c: False)(ch)
    return hit != negate


def _choices(op, av) -> list[str] | None:
    """The characters one single-character regex item matches (from a small alphabet), else None."""
    if op is sre_c.LITERAL:
        return [chr(av)]
    if op is sre_c.ANY:
        return list("abcdefghijklmnopqrstuvwxyz0123456789")
    if op is sre_c.IN:
        return [c for c in _ALPHABET if _in_set(av, c)]
    if op is sre_c.CATEGORY:
        return [c for c in _ALPHABET if _CATEGORIES.get(av, lambda c: False)(c)]
    return None


def regex_sample(pattern: str, seed: int, ignore_case: bool = False) -> str | None:
    """A string matching a (simple) regular expression, varied by ``seed``; None when unsure.

    Each repeated character class spells ``seed`` in the characters it allows, so samples for
    different seeds differ (unique columns with a format check get distinct values)."""
    for posix, python in _POSIX_CLASSES.items():
        pattern = pattern.replace(posix, python)
    try:
        parsed = sre_parse.parse(pattern)
    except (re.error, RecursionError, OverflowError):
        return None
    out: list[str] = []

    def spell(choices: list[str], lo: int, hi: int) -> str:
        digits, n = [], seed
        while len(choices) > 1:
            digits.append(choices[n % len(choices)])
            n //= len(choices)
            if n == 0:
                break
        digits = digits[:hi] or choices[:min(hi, 1)]
        return "".join(digits + [choices[0]] * (lo - len(digits)))

    def emit(items) -> None:
        for op, av in items:
            single = _choices(op, av)
            if single is not None:
                if not single:
                    raise ValueError("empty character class")
                out.append(single[seed % len(single)] if op is not sre_c.LITERAL else single[0])
            elif op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, getattr(sre_c, "POSSESSIVE_REPEAT", None)):
                lo, hi, sub = av
                hi = min(hi, lo + 12) if hi is not sre_c.MAXREPEAT else lo + 12
                if len(sub) == 1 and (choices := _choices(*sub[0])):
                    out.append(spell(choices, max(lo, 1) if hi >= 1 else 0, max(hi, 0)))
                else:
                    for _ in range(lo):
                        emit(sub)
            elif op is sre_c.SUBPATTERN:
                emit(av[-1])
            elif op is sre_c.BRANCH:
                emit(av[1][0])
            elif op is sre_c.AT:
                continue
            else:
                raise ValueError(f"unsupported regex item {op}")

    try:
        emit(parsed)
    except (ValueError, TypeError):
        return None
    sample = "".join(out)
    return sample if re.search(pattern, sample, re.IGNORECASE if ignore_case else 0) else None


def base_candidates(column: Column, serial: int) -> list[str]:
    """Plausible values for a column, most plausible first; ``serial`` makes them distinct."""
    t, name = column.type, column.name
    if t.array_dims:
        return ["{}"]
    k = t.kind
    if k in (Kind.SMALLINT, Kind.INTEGER, Kind.BIGINT):
        return [str(serial % 30000 + 1), "1", "0", "5", "3"]
    if k in (Kind.NUMERIC, Kind.REAL, Kind.DOUBLE, Kind.MONEY):
        values = [f"{serial % 900 + 10}.5", "1", "0", "4.5", "50"]
        if k == Kind.NUMERIC and t.precision is not None:  # numeric(5,4) holds less than 10
            values = [v for v in values if abs(float(v)) < 10 ** (t.precision - (t.scale or 0))] + ["0.5"]
        return values
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
    return [s[:width] for s in shapes]


class RowFactory:
    """Makes valid rows for the tables of ``schema`` on ``conn`` (inside the caller's transaction)."""

    def __init__(self, conn: psycopg.Connection, schema: Schema):
        self.conn = conn
        self.schema = schema
        self.serial = itertools.count(1)
        self._literals = {(t.name, c.name): _literals(c) for t in schema.tables for c in t.checks}
        self._patterns = {(t.name, c.name): _patterns(c) for t in schema.tables for c in t.checks}
        # Strings a check names that are not patterns: allowed values (``kind IN (...)``), the likeliest fit.
        self._strings = {(t.name, c.name): [v for v in _literals(c) if _is_string(c, v)]
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
        return values

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
                    raise RuntimeError(f"cannot build a row of {table.name} satisfying {check.name}")
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
    def valid_row(self, table: Table) -> Row:
        """A row for ``table`` that satisfies its checks; parents for its foreign keys are inserted."""
        row: Row = {}
        fk_columns = {c for fk in table.foreign_keys for c in fk.columns}
        for column in table.columns:
            if column.identity or column.generated is not None or column.name in fk_columns:
                continue
            if column.default is not None:
                continue  # the default must satisfy the constraints by itself
            options = self.candidates(table, column)
            row[column.name] = options[0] if options else None
        # Columns whose emptiness could matter to a key or a check; other optional links stay NULL, which
        # spares a chain of parent rows (the foreign key probes fill them in themselves).
        keyed = {c for u in table.uniques for c in u.columns} | {c for k in table.checks for c in k.columns} | set(
            table.primary_key.columns if table.primary_key else ())
        for fk in table.foreign_keys:
            optional = all(table.column(c).nullable for c in fk.columns)
            if optional and (fk.ref_table == table.name or not set(fk.columns) & keyed):
                continue  # an optional link (or self-reference) stays empty
            parent = self.schema.table(fk.ref_table)
            parent_row = self.insert(parent, self.valid_row(parent))
            for col, ref in zip(fk.columns, fk.ref_columns):
                row[col] = parent_row[ref]
        return self.repair(table, row)

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
