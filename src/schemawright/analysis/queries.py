"""Candidate indexes from a query's predicates, joins, ORDER BY and GROUP BY (parsed with pglast).

For each table a query reads, the columns it filters by equality, by range, joins on, sorts and
groups by are collected (aliases, CTEs over one table, ORDER BY positions and output names are
resolved). Candidates follow seed 004's rule: equality columns first, then one range or sort column.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pglast
from pglast import ast
from pglast.enums import A_Expr_Kind, CTEMaterialize, SortByDir

RANGE_OPS = {"<", "<=", ">", ">=", "~~", "~~*"}


@dataclass(frozen=True)
class Candidate:
    schema: str
    table: str
    columns: tuple[str, ...]
    descending: tuple[bool, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.schema}.{self.table} ({', '.join(self.labels)})"

    @property
    def labels(self) -> list[str]:
        desc = self.descending or (False,) * len(self.columns)
        return [c + (" DESC" if d else "") for c, d in zip(self.columns, desc)]


@dataclass
class TableUse:
    schema: str
    table: str
    equality: list[str] = field(default_factory=list)
    join: list[str] = field(default_factory=list)  # equality columns compared with another table's column
    range: list[str] = field(default_factory=list)
    order: list[tuple[str, bool]] = field(default_factory=list)
    group: list[str] = field(default_factory=list)


def _add(items: list, value) -> None:
    if value not in items:
        items.append(value)


class _Scope:
    """The tables (alias -> (schema, table)) and CTEs visible to one SELECT."""

    def __init__(self, columns_of, ctes: dict):
        self.columns_of, self.ctes = columns_of, ctes
        self.tables: dict[str, tuple[str, str]] = {}

    def add_range(self, node) -> None:
        if isinstance(node, ast.RangeVar):
            name, schema = node.relname, node.schemaname
            alias = node.alias.aliasname if node.alias else name
            if schema is None and name in self.ctes:
                if self.ctes[name] is not None:
                    self.tables[alias] = self.ctes[name]
                return
            self.tables[alias] = (schema or "public", name)
        elif isinstance(node, ast.JoinExpr):
            self.add_range(node.larg)
            self.add_range(node.rarg)

    def resolve(self, ref) -> tuple[str, str, str] | None:
        if not isinstance(ref, ast.ColumnRef) or not all(isinstance(f, ast.String) for f in ref.fields):
            return None
        names = [f.sval for f in ref.fields]
        if len(names) >= 2:
            table = self.tables.get(names[-2])
            return (*table, names[-1]) if table else None
        owners = [t for t in self.tables.values() if names[0] in self.columns_of(*t)]
        return (*owners[0], names[0]) if len(owners) == 1 else None


def _conjuncts(node):
    if isinstance(node, ast.BoolExpr) and node.boolop.name == "AND_EXPR":
        for a in node.args:
            yield from _conjuncts(a)
    elif node is not None:
        yield node


def _is_value(node) -> bool:
    return isinstance(node, (ast.A_Const, ast.ParamRef)) or (isinstance(node, ast.TypeCast) and _is_value(node.arg))


def analyse(query: str, columns_of) -> list[TableUse]:
    """How a query uses each table; ``columns_of(schema, table)`` -> the table's column names."""
    uses: dict[tuple[str, str], TableUse] = {}

    def use(schema: str, table: str) -> TableUse:
        return uses.setdefault((schema, table), TableUse(schema, table))

    def select(stmt, ctes: dict) -> None:
        ctes = dict(ctes)
        if getattr(stmt, "withClause", None):
            for cte in stmt.withClause.ctes:
                ctes[cte.ctename] = _cte_table(cte)
                if isinstance(cte.ctequery, ast.SelectStmt):
                    select(cte.ctequery, ctes)
        if isinstance(stmt, ast.SelectStmt) and stmt.op.name != "SETOP_NONE":
            select(stmt.larg, ctes)
            select(stmt.rarg, ctes)
            return
        scope = _Scope(columns_of, ctes)
        if isinstance(stmt, ast.SelectStmt):
            for item in stmt.fromClause or ():
                scope.add_range(item)
                _subqueries(item, ctes)
            where = stmt.whereClause
        else:  # UPDATE / DELETE
            scope.add_range(stmt.relation)
            where = stmt.whereClause
        quals = list(_conjuncts(where))
        for item in (stmt.fromClause or ()) if isinstance(stmt, ast.SelectStmt) else ():
            quals += _join_quals(item)
        for q in quals:
            _qual(q, scope, use)
        if isinstance(stmt, ast.SelectStmt):
            targets = stmt.targetList or ()
            for s in stmt.sortClause or ():
                col = _sort_column(s.node, targets, scope)
                if col:
                    _add(use(col[0], col[1]).order, (col[2], s.sortby_dir == SortByDir.SORTBY_DESC))
            for g in stmt.groupClause or ():
                col = _sort_column(g, targets, scope)
                if col:
                    _add(use(col[0], col[1]).group, col[2])

    def _subqueries(item, ctes) -> None:
        if isinstance(item, ast.RangeSubselect):
            select(item.subquery, ctes)
        elif isinstance(item, ast.JoinExpr):
            _subqueries(item.larg, ctes)
            _subqueries(item.rarg, ctes)

    try:
        stmts = pglast.parse_sql(query)
    except pglast.parser.ParseError:
        return []
    for raw in stmts:
        if isinstance(raw.stmt, (ast.SelectStmt, ast.UpdateStmt, ast.DeleteStmt)):
            select(raw.stmt, {})
    return list(uses.values())


def _cte_table(cte) -> tuple[str, str] | None:
    """A CTE that the planner inlines and that reads one table: predicates on it reach that table."""
    q = cte.ctequery
    if cte.ctematerialized == CTEMaterialize.CTEMaterializeAlways or not isinstance(q, ast.SelectStmt):
        return None
    if q.fromClause and len(q.fromClause) == 1 and isinstance(q.fromClause[0], ast.RangeVar) and not q.groupClause:
        rv = q.fromClause[0]
        return (rv.schemaname or "public", rv.relname)
    return None


def _join_quals(item) -> list:
    if isinstance(item, ast.JoinExpr):
        return list(_conjuncts(item.quals)) + _join_quals(item.larg) + _join_quals(item.rarg)
    return []


def _qual(q, scope: _Scope, use) -> None:
    if isinstance(q, ast.NullTest):
        return
    if not isinstance(q, ast.A_Expr):
        return
    op = q.name[-1].sval if q.name else None
    left, right = scope.resolve(q.lexpr), scope.resolve(q.rexpr) if not isinstance(q.rexpr, (list, tuple)) else None
    if q.kind == A_Expr_Kind.AEXPR_IN and left:
        _add(use(left[0], left[1]).equality, left[2])
    elif q.kind == A_Expr_Kind.AEXPR_BETWEEN and left:
        _add(use(left[0], left[1]).range, left[2])
    elif q.kind == A_Expr_Kind.AEXPR_OP and op == "=":
        if left and right:  # a join: each side can use an index on its column
            for side in (left, right):
                _add(use(side[0], side[1]).equality, side[2])
                _add(use(side[0], side[1]).join, side[2])
        elif left and _is_value(q.rexpr):
            _add(use(left[0], left[1]).equality, left[2])
        elif right and _is_value(q.lexpr):
            _add(use(right[0], right[1]).equality, right[2])
    elif q.kind in (A_Expr_Kind.AEXPR_OP, A_Expr_Kind.AEXPR_LIKE) and op in RANGE_OPS:
        col = left if left and _is_value(q.rexpr) else right if right and _is_value(q.lexpr) else None
        if col:
            _add(use(col[0], col[1]).range, col[2])


def _sort_column(node, targets, scope: _Scope):
    if isinstance(node, ast.A_Const) and isinstance(node.val, ast.Integer):
        k = node.val.ival - 1
        if 0 <= k < len(targets):
            return scope.resolve(targets[k].val)
        return None
    if isinstance(node, ast.ColumnRef) and len(node.fields) == 1 and isinstance(node.fields[0], ast.String):
        for t in targets:  # an output name (SELECT user_id AS u ... ORDER BY u)
            if t.name == node.fields[0].sval:
                return scope.resolve(t.val)
    return scope.resolve(node)


def candidates(use: TableUse) -> list[Candidate]:
    """Single columns first, then equality columns with one range or sort column (seed 004's order)."""
    s, t = use.schema, use.table
    out: list[Candidate] = []

    def add(cols, desc=()) -> None:
        c = Candidate(s, t, tuple(cols), tuple(desc) if any(desc) else ())
        if cols and len(set(cols)) == len(cols) and c not in out:
            out.append(c)

    for col in use.equality + use.range:
        add([col])
    if use.order:
        cols, desc = [c for c, _ in use.order], [d for _, d in use.order]
        mixed = len(set(desc)) > 1
        if not use.equality:
            add(cols, desc if mixed else ())
        add(use.equality + cols, ([False] * len(use.equality) + desc) if mixed else ())
    if len(use.equality) > 1:
        add(use.equality)
    if use.equality and use.range:
        for r in use.range:
            add(use.equality + [r])
    if use.group:
        add(use.equality + use.group)
    return out
