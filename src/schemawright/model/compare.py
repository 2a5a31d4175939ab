"""Structural comparison of two schema models, tolerant of PostgreSQL's canonical spellings.

``differences(expected, actual)`` lists every structural difference as a readable message
(``<expected> != <actual>`` for changed attributes). Expressions are compared after
``normalize_expression``, which rewrites both our rendering style and PostgreSQL's catalog deparse
into one canonical form: casts stripped, ``IN`` lists as ``= ANY (ARRAY[...])``, ``BETWEEN``
expanded, ``LIKE`` as its operator, ``AND``/``OR`` chains flattened, ``pg_catalog.`` dropped, and
the text re-deparsed by pglast (which drops redundant parentheses and fixes keyword case).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable
from dataclasses import replace
from enum import Enum
from functools import lru_cache
from operator import attrgetter

from pglast import ast, parse_sql
from pglast.enums import A_Expr_Kind, BoolExprType, CoercionForm
from pglast.stream import RawStream

from schemawright.model.schema import (
    Aggregate, CheckConstraint, Column, EnumType, ExclusionConstraint, Expression, ForeignKey, Function, Index,
    IndexElement, Policy, Role, Schema, DomainType,
    Table, Trigger, UniqueConstraint, View,
)
from schemawright.model.types import DataType, Kind, UnknownTypeError, parse_type

_NUMERIC_TYPES = frozenset({"int2", "int4", "int8", "smallint", "integer", "bigint", "numeric", "decimal",
                            "float4", "float8", "real"})
_INT_RE = re.compile(r"^-?\d+$")
_FLOAT_RE = re.compile(r"^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")
_OP_KINDS = (A_Expr_Kind.AEXPR_LIKE, A_Expr_Kind.AEXPR_ILIKE, A_Expr_Kind.AEXPR_SIMILAR)


# --- expression normalization -------------------------------------------------------------------

def normalize_expression(sql: str) -> str:
    """Canonical text of a scalar SQL expression, equal for equivalent spellings (see module doc)."""
    try:
        stmts = parse_sql("SELECT " + sql)
        stmt = stmts[0].stmt
        if len(stmts) != 1 or len(stmt.targetList) != 1 or stmt.fromClause or stmt.targetList[0].name:
            return _plain(sql)
        return RawStream()(_rewrite(stmt.targetList[0].val))
    except Exception:  # pglast rejects some text (or fails to deparse a rare node): compare textually
        return _plain(sql)


def normalize_query(sql: str) -> str:
    """Canonical text of a view's SELECT: expressions as in ``normalize_expression``, and column
    qualifiers dropped in single-relation queries (PostgreSQL 15 adds them, 16+ does not)."""
    try:
        stmts = parse_sql(sql)
        if len(stmts) != 1:
            return _plain(sql)
        stmt = _rewrite(stmts[0].stmt)
        _unqualify(stmt)
        return RawStream()(stmt)
    except Exception:  # see normalize_expression
        return _plain(sql)


def _plain(sql: str) -> str:
    """Whitespace- and parenthesis-insensitive fallback form."""
    return " ".join(sql.replace("(", " ").replace(")", " ").split()).rstrip(";").strip()


def _rewrite(node):
    """Rewrite a pglast tree bottom-up into the canonical form; returns the (possibly new) node."""
    if isinstance(node, tuple):
        return tuple(_rewrite(n) for n in node)
    if not isinstance(node, ast.Node):
        return node
    for member in node:
        value = getattr(node, member)
        if isinstance(value, (tuple, ast.Node)):
            setattr(node, member, _rewrite(value))
    if isinstance(node, ast.TypeCast):
        return _uncast(node)
    if isinstance(node, ast.A_Expr):
        return _rewrite_a_expr(node)
    if isinstance(node, ast.BoolExpr) and node.boolop != BoolExprType.NOT_EXPR:
        args: list = []
        for arg in node.args:
            args.extend(arg.args if isinstance(arg, ast.BoolExpr) and arg.boolop == node.boolop else [arg])
        node.args = tuple(args)
    elif isinstance(node, ast.FuncCall) and node.funcformat == CoercionForm.COERCE_EXPLICIT_CALL:
        node.funcname = _unqualified(node.funcname)
    elif isinstance(node, ast.CaseExpr) and isinstance(node.defresult, ast.A_Const) and node.defresult.isnull:
        node.defresult = None
    return node


def _uncast(node: ast.TypeCast):
    """Drop a cast; a negative number PostgreSQL prints as ``'-1'::integer`` becomes ``-1``."""
    arg = node.arg
    type_name = node.typeName.names[-1].sval if node.typeName.names else ""
    if (isinstance(arg, ast.A_Const) and isinstance(arg.val, ast.String) and type_name in _NUMERIC_TYPES
            and _FLOAT_RE.match(arg.val.sval)):
        text = arg.val.sval
        if _INT_RE.match(text) and -2**31 <= int(text) < 2**31:
            return ast.A_Const(val=ast.Integer(ival=int(text)))
        return ast.A_Const(val=ast.Float(fval=text))
    return arg


def _rewrite_a_expr(node: ast.A_Expr):
    kind = node.kind
    name = _unqualified(node.name)
    if kind == A_Expr_Kind.AEXPR_IN:  # IN (a, b) -> = ANY (ARRAY[a, b]); NOT IN -> <> ALL (...)
        items = node.rexpr
        if len(items) == 1:
            return ast.A_Expr(kind=A_Expr_Kind.AEXPR_OP, name=name, lexpr=node.lexpr, rexpr=items[0])
        kind = A_Expr_Kind.AEXPR_OP_ANY if name[-1].sval == "=" else A_Expr_Kind.AEXPR_OP_ALL
        return ast.A_Expr(kind=kind, name=name, lexpr=node.lexpr, rexpr=ast.A_ArrayExpr(elements=items))
    if kind in (A_Expr_Kind.AEXPR_BETWEEN, A_Expr_Kind.AEXPR_NOT_BETWEEN):
        low, high = node.rexpr
        positive = kind == A_Expr_Kind.AEXPR_BETWEEN
        return ast.BoolExpr(
            boolop=BoolExprType.AND_EXPR if positive else BoolExprType.OR_EXPR,
            args=(_op(">=" if positive else "<", node.lexpr, low), _op("<=" if positive else ">", node.lexpr, high)))
    if kind in _OP_KINDS:  # LIKE / ILIKE / SIMILAR TO are stored as ~~ / ~~* / ~ operators
        node.kind = A_Expr_Kind.AEXPR_OP
    node.name = name
    return node


def _op(operator: str, left, right) -> ast.A_Expr:
    return ast.A_Expr(kind=A_Expr_Kind.AEXPR_OP, name=(ast.String(sval=operator),), lexpr=left, rexpr=right)


def _unqualified(names):
    """A function or operator name without a leading ``pg_catalog`` qualifier."""
    if names and len(names) > 1 and isinstance(names[0], ast.String) and names[0].sval == "pg_catalog":
        return names[1:]
    return names


def _unqualify(node) -> None:
    """Drop ``rel.`` from column references in every SELECT that reads exactly one plain relation."""
    if isinstance(node, tuple):
        for item in node:
            _unqualify(item)
        return
    if not isinstance(node, ast.Node):
        return
    if isinstance(node, ast.SelectStmt) and node.fromClause and len(node.fromClause) == 1 \
            and isinstance(node.fromClause[0], ast.RangeVar):
        rel = node.fromClause[0]
        qualifier = rel.alias.aliasname if rel.alias else rel.relname
        for member in ("targetList", "whereClause", "groupClause", "havingClause", "sortClause"):
            _strip_qualifier(getattr(node, member), qualifier)
    for member in node:
        value = getattr(node, member)
        if isinstance(value, (tuple, ast.Node)):
            _unqualify(value)


def _strip_qualifier(node, qualifier: str) -> None:
    """Remove ``qualifier.`` from column references below ``node``, not entering sub-selects."""
    if isinstance(node, tuple):
        for item in node:
            _strip_qualifier(item, qualifier)
        return
    if not isinstance(node, ast.Node) or isinstance(node, ast.SelectStmt):
        return
    if isinstance(node, ast.ColumnRef):
        fields = node.fields
        if len(fields) == 2 and isinstance(fields[0], ast.String) and fields[0].sval == qualifier:
            node.fields = fields[1:]
        return
    for member in node:
        _strip_qualifier(getattr(node, member), qualifier)


def normalize_arguments(arguments: str) -> str:
    """Canonical form of a function's argument list (types via ``parse_type``, typmods dropped,
    defaults via ``normalize_expression``)."""
    if not arguments.strip():
        return ""
    try:
        stmt = parse_sql(f"CREATE FUNCTION f({arguments}) RETURNS void LANGUAGE sql AS ''")[0].stmt
    except Exception:  # see normalize_expression
        return " ".join(arguments.lower().split())
    parts = []
    for param in stmt.parameters or ():
        mode = str(param.mode.name).removeprefix("FUNC_PARAM_").lower()
        words = [] if mode in ("in", "default") else [mode]
        if param.name:
            words.append(param.name)
        words.append(_normalize_type_text(RawStream()(param.argType)))
        if param.defexpr is not None:
            words.append("= " + RawStream()(_rewrite(param.defexpr)))
        parts.append(" ".join(words))
    return ", ".join(parts)


def attribute_type(text: str) -> str:
    """A composite type attribute's type as compared: one spelling (the catalog's ``character varying(40)`` is
    the input's ``varchar(40)``), typmods and COLLATE kept."""
    kind, _, collate = text.partition(" COLLATE ")
    try:
        kind = str(parse_type(kind))
    except UnknownTypeError:
        kind = " ".join(kind.lower().split())
    return f"{kind} COLLATE {collate}" if collate else kind


def _normalize_type_text(text: str) -> str:
    """A type spelling reduced to its kind (no typmods), or its lower-cased text if unknown."""
    try:
        t = parse_type(text)
    except UnknownTypeError:
        return " ".join(text.lower().split())
    return str(DataType(t.kind, array_dims=t.array_dims))


# --- aggregates ----------------------------------------------------------------------------------

def aggregate_arguments(params, direct: int) -> str:
    """An aggregate's argument list from its parse tree (``DefineStmt.args``): ``*`` for none, and an
    ordered-set aggregate's aggregated arguments after ``ORDER BY`` (``direct``: how many come before it,
    -1 for a plain aggregate; PostgreSQL's ``VARIADIC "any" ORDER BY VARIADIC "any"`` parses as one)."""
    params = tuple(params or ())
    if not params:
        return "*"
    texts = [RawStream()(p) for p in params]
    if direct < 0:
        return ", ".join(texts)
    aggregated = texts[direct:] or texts[-1:]
    return ", ".join(texts[:direct]) + " ORDER BY " + ", ".join(aggregated)


@lru_cache(maxsize=4096)
def _aggregate_tree(arguments: str, options: str):
    try:
        (stmt,) = parse_sql(f"CREATE AGGREGATE a({arguments or '*'}) ({options or 'sfunc = f, stype = int'})")
    except Exception:  # unparsable: compared as text
        return None
    return stmt.stmt


def normalize_aggregate_arguments(arguments: str) -> str:
    """Canonical argument list of an aggregate: types reduced as for functions, ``ORDER BY`` kept."""
    node = _aggregate_tree(arguments, "")
    if node is None or not node.args:
        return " ".join(arguments.lower().split())
    params, direct = node.args
    params = tuple(params or ())
    if not params:
        return "*"
    texts = []
    for p in params:
        mode = "variadic " if str(p.mode.name) == "FUNC_PARAM_VARIADIC" else ""
        texts.append(mode + _normalize_type_text(RawStream()(p.argType)))
    n = direct.ival if isinstance(direct, ast.Integer) else int(direct or -1)
    if n < 0:
        return ", ".join(texts)
    return ", ".join(texts[:n]) + " order by " + ", ".join(texts[n:] or texts[-1:])


# options left out when they hold PostgreSQL's default
_AGGREGATE_DEFAULTS = {"sspace": "0", "msspace": "0", "parallel": "unsafe", "finalfunc_modify": "read_only",
                       "mfinalfunc_modify": "read_only"}
_AGGREGATE_TYPES = ("stype", "mstype")
_AGGREGATE_FUNCTIONS = ("sfunc", "finalfunc", "combinefunc", "serialfunc", "deserialfunc", "msfunc", "minvfunc",
                        "mfinalfunc")


def normalize_aggregate_options(options: str, schema: str = "public") -> tuple:
    """Canonical options of an aggregate as sorted (name, value) pairs: names lower-case, types reduced,
    functions without ``pg_catalog``/``public``/the aggregate's own schema, defaults left out."""
    node = _aggregate_tree("*", options)
    if node is None:
        return (" ".join(options.lower().split()),)
    out = []
    for d in node.definition or ():
        name, arg = d.defname.lower(), d.arg
        if arg is None:
            value = "true"
        elif name in _AGGREGATE_TYPES:
            value = _normalize_type_text(RawStream()(arg))
        elif isinstance(arg, ast.TypeName) or name in _AGGREGATE_FUNCTIONS:
            parts = [n.sval for n in arg.names] if isinstance(arg, ast.TypeName) else [RawStream()(arg)]
            if len(parts) > 1 and parts[0] in ("pg_catalog", "public", schema):
                parts = parts[1:]
            value = ".".join(parts)
        elif isinstance(arg, ast.String):
            value = arg.sval
        elif isinstance(arg, ast.Integer):
            value = str(arg.ival)
        elif isinstance(arg, ast.Float):
            value = arg.fval
        elif isinstance(arg, tuple):  # an operator name (sortop = >), possibly qualified
            value = arg[-1].sval if isinstance(arg[-1], ast.String) else RawStream()(arg)
        else:
            value = RawStream()(arg)
        if name not in ("initcond", "minitcond"):
            value = value.lower()
        if value == "false" and name not in ("initcond", "minitcond") or _AGGREGATE_DEFAULTS.get(name) == value:
            continue
        out.append((name, value))
    return tuple(sorted(out))


# --- the one comparison core ----------------------------------------------------------------------
# What makes two objects of a kind differ, as (attribute, getter, normal form) triples. ``differences``
# (verify: expected model vs catalog) reports the attributes that differ; ``diff`` (old vs new) matches
# and rebuilds objects by the same definitions. Comments are compared separately (a comment changes in
# place, it never rebuilds anything).

def _same(value):
    return value


def _attr(name: str, key: Callable = _same) -> tuple:
    return (name.replace("_", " "), attrgetter(name), key)


def _expr_key(expr: Expression | None) -> str | None:
    return None if expr is None else normalized_sql(expr.sql)


@lru_cache(maxsize=65536)
def normalized_sql(sql: str) -> str | None:
    """An expression's normal form; None for NULL (DEFAULT NULL is stored as no default at all)."""
    text = normalize_expression(sql)
    return None if text == "NULL" else text


def _type_text_key(text: str) -> str:
    """A type as written ("varchar(50)") and as format_type() prints it ("character varying(50)") alike."""
    try:
        return str(parse_type(text))
    except UnknownTypeError:
        return " ".join(text.lower().split())


def _type_key(t: DataType) -> DataType:
    if t.kind == Kind.OTHER and t.name:
        return DataType(t.kind, t.length, t.precision, t.scale, " ".join(t.name.lower().split()), t.array_dims)
    return t


def _lower(value: str | None) -> str | None:
    return None if value is None else value.lower()


def _upper(value: str | None) -> str | None:
    return None if value is None else value.upper()


def _nulls(e: IndexElement) -> str:
    """The NULLS option as spelled, ``default`` when it is the direction's default (FIRST for DESC)."""
    if e.nulls_first is None or e.nulls_first == e.descending:
        return "default"
    return "NULLS FIRST" if e.nulls_first else "NULLS LAST"


def element_key(e: IndexElement) -> str:
    """An index key: its column, or its expression's normal form."""
    return e.column if e.column is not None else normalize_expression(e.expression.sql)


def _element_options(ix: Index) -> tuple:
    return tuple((e.descending, _nulls(e), _lower(e.opclass), e.collation) for e in ix.elements)


COLUMN_ATTRS = (_attr("type", _type_key), _attr("nullable"), _attr("default", _expr_key), _attr("identity", _lower),
                _attr("identity_options"),
                _attr("generated", _expr_key), _attr("virtual"), _attr("collation"), _attr("statistics"))
PRIMARY_KEY_ATTRS = (_attr("columns", tuple), _attr("deferrable"), _attr("initially_deferred"))
UNIQUE_ATTRS = (_attr("columns", tuple), _attr("nulls_not_distinct"), _attr("deferrable"), _attr("initially_deferred"))
CHECK_ATTRS = (_attr("expression", _expr_key), _attr("no_inherit"))  # its columns follow from the expression
FOREIGN_KEY_ATTRS = (_attr("columns", tuple), _attr("ref_schema"), _attr("ref_table"), _attr("ref_columns", tuple),
                     _attr("on_delete"), _attr("on_update"), _attr("deferrable"), _attr("initially_deferred"),
                     _attr("match_full"))
INDEX_ATTRS = (_attr("method"), _attr("unique"),
               ("elements", lambda ix: tuple(element_key(e) for e in ix.elements), _same),
               ("element options", _element_options, _same), _attr("where", _expr_key), _attr("include", tuple),
               _attr("nulls_not_distinct"), _attr("storage", lambda s: tuple(sorted(s))))
TRIGGER_ATTRS = (_attr("function"), _attr("timing", _upper),
                 ("events", lambda t: frozenset(e.upper() for e in t.events), _same), _attr("for_each", _upper),
                 _attr("constraint"), _attr("deferrable"), _attr("initially_deferred"),
                 _attr("when", _expr_key), _attr("columns", tuple), _attr("arguments", tuple))
FUNCTION_ATTRS = (_attr("returns", lambda t: _normalize_type_text(t)), _attr("language", _lower),
                  _attr("volatility", _upper), _attr("security_definer"), _attr("strict"), _attr("leakproof"),
                  _attr("parallel", _upper), ("cost", lambda f: f.cost, lambda c: c if c not in (None, 100.0) else None),
                  ("rows", lambda f: f.rows, lambda r: r if r not in (None, 0.0, 1000.0) else None),
                  ("settings", lambda f: f.settings, lambda s: tuple(sorted(" ".join(x.split()) for x in s))),
                  # exact: PostgreSQL keeps the body as written and pg_dump prints it so (whitespace too)
                  _attr("body"),
                  ("arguments", lambda f: normalize_arguments(f.arguments), _same))
VIEW_ATTRS = (_attr("materialized"), _attr("unique_key", lambda k: tuple(k) if k else None),
              ("query", attrgetter("query"), lambda q: normalize_query(q)))
ENUM_ATTRS = (_attr("values", tuple),)
AGGREGATE_ATTRS = (("arguments", attrgetter("arguments"), normalize_aggregate_arguments),
                   ("options", lambda a: (a.options, a.schema), lambda o: normalize_aggregate_options(*o)))
SEQUENCE_ATTRS = (_attr("data_type"), _attr("start"), _attr("increment"), _attr("min_value"), _attr("max_value"),
                  _attr("cache"), _attr("cycle"), _attr("owned_by"))
DOMAIN_ATTRS = (("base type", attrgetter("base_type"), lambda t: _type_text_key(t)), _attr("collation"))
DOMAIN_IN_PLACE_ATTRS = (_attr("not_null"), _attr("default", _expr_key),
                         ("checks", attrgetter("checks"),
                          lambda cs: tuple(sorted((c.name, _expr_key(c.expression)) for c in cs))))


def with_ref_schema(fk: ForeignKey, table_schema: str) -> ForeignKey:
    """``fk`` with its referenced schema spelled out (None means the owning table's)."""
    return fk if fk.ref_schema else replace(fk, ref_schema=table_schema)


def definition(attrs: tuple, obj) -> tuple:
    """The normal form of an object of a kind: equal for objects no migration needs to touch."""
    return tuple(key(get(obj)) for _, get, key in attrs)


def changed(attrs: tuple, a, b) -> list[tuple[str, object, object]]:
    """(attribute, value in a, value in b) for each attribute whose normal forms differ."""
    return [(name, get(a), get(b)) for name, get, key in attrs if key(get(a)) != key(get(b))]


def _report(out: list[str], prefix: str, attrs: tuple, exp, act, quiet: tuple[str, ...] = ()) -> None:
    """One message per attribute of ``attrs`` that differs (``quiet`` ones: just "<attr> differs")."""
    for name, e, a in changed(attrs, exp, act):
        if name in quiet:
            out.append(f"{prefix}: {name} differs")
        elif name == "query":
            out.append(f"{prefix}: query {normalize_query(e)} != {normalize_query(a)}")
        elif name == "options" and isinstance(e, tuple):  # an aggregate's (options, schema)
            out.append(f"{prefix}: options {e[0]} != {a[0]}")
        else:
            out.append(f"{prefix}: {name} {_fmt(e)} != {_fmt(a)}")


# --- comparison ---------------------------------------------------------------------------------

def _apart(t: Table) -> bool:
    return t.partition_of is not None or t.foreign_server is not None


def catalog_apart(catalog: Schema) -> set[tuple[str, str]]:
    """The partitions and foreign tables a catalog holds (as tables, or as unmodelled entries)."""
    listed = {(u.schema, u.name) for u in catalog.unmodelled or () if u.kind in ("partition", "foreign table")}
    return listed | {(t.schema, t.name) for t in catalog.tables if _apart(t)}


def partitions_apart(design: Schema, catalog: Schema) -> tuple[list[Table], list[str]]:
    """The tables of ``design`` to compare with ``catalog``'s, and its partitions ``catalog`` does not list.
    Between two catalogs (``unmodelled`` read) every table counts. A design's partitions and foreign tables
    are matched with a catalog's by name only (a catalog's are left out when ``design`` is the catalog).
    Between two models not read by ``inspect_database`` (a design and ``inspect_schema``'s read), the
    partitions of a parent the other side models no partition of are left out: a design leaves them to
    PostgreSQL (the partitions a designed PARTITION BY makes, by a function, month by month)."""
    if design.unmodelled is not None and catalog.unmodelled is not None:
        return design.tables, []
    if design.unmodelled is None and catalog.unmodelled is None:
        modelled = {(t.schema, t.partition_of) for t in catalog.tables if t.partition_of is not None}
        return [t for t in design.tables if t.partition_of is None or (t.schema, t.partition_of) in modelled], []
    if design.unmodelled is not None:  # the catalog's side, compared with a design
        return [t for t in design.tables if not _apart(t)], []
    listed = catalog_apart(catalog)
    apart = [t for t in design.tables if _apart(t)]
    tables = [t for t in design.tables if not _apart(t)]
    missing = [_qualified(t) for t in apart if (t.schema, t.name) not in listed]
    return tables, missing


def differences(expected: Schema, actual: Schema) -> list[str]:
    """Every structural difference between two schemas; an empty list means they are equal.

    Origins, inferences, settings, estimated row counts and table kinds are ignored."""
    out: list[str] = []
    _match(out, "", "extension", {e: e for e in expected.extensions}, {e: e for e in actual.extensions},
           lambda *_: None)
    for n in sorted(set(expected.schema_comments) | set(actual.schema_comments)):
        if expected.schema_comments.get(n) != actual.schema_comments.get(n):
            out.append(f"schema {n}: comment {expected.schema_comments.get(n)!r} != {actual.schema_comments.get(n)!r}")
    _match(out, "", "enum", _by(expected.enums, _qualified), _by(actual.enums, _qualified), _compare_enum)
    _match(out, "", "domain", _by(expected.domains, _qualified), _by(actual.domains, _qualified), _compare_domain)
    catalogs = expected.unmodelled is not None and actual.unmodelled is not None  # both read from catalogs
    if catalogs:
        _match(out, "", "sequence", _by(expected.sequences, _qualified), _by(actual.sequences, _qualified),
               _compare_sequence)
    expected_tables, out_partitions = partitions_apart(expected, actual)
    actual_tables, in_partitions = partitions_apart(actual, expected)
    out += [f"missing partition {name}" for name in out_partitions] + [
        f"unexpected partition {name}" for name in in_partitions]
    _match(out, "", "table", _by(expected_tables, _qualified), _by(actual_tables, _qualified), _compare_table)
    _match(out, "", "view", _by(expected.views, _qualified), _by(actual.views, _qualified), _compare_view)
    if catalogs:  # what only a catalog holds: comments on keys' indexes and on views' columns
        _catalog_comments(out, expected, actual)
    _match(out, "", "function", _by(expected.functions, _function_key), _by(actual.functions, _function_key),
           _compare_function, label=_function_label)
    _match(out, "", "aggregate", _by(expected.aggregates, aggregate_key), _by(actual.aggregates, aggregate_key),
           _compare_aggregate, label=lambda a: f"{_qualified(a)}({a.arguments})")
    _compare_security(out, expected, actual)
    return out


def _by(items: Iterable, key: Callable[[object], Hashable]) -> dict:
    return {key(item): item for item in items}


def _qualified(obj) -> str:
    return obj.name if obj.schema == "public" else f"{obj.schema}.{obj.name}"


def _function_key(f: Function) -> tuple[str, str]:
    return (_qualified(f), normalize_arguments(f.arguments))


def aggregate_key(a: Aggregate) -> tuple[str, str, str]:
    """What identifies an aggregate: its schema, name and argument types."""
    return (a.schema, a.name, normalize_aggregate_arguments(a.arguments))


def _compare_aggregate(out: list[str], prefix: str, exp: Aggregate, act: Aggregate) -> None:
    # matched by their arguments already
    _report(out, prefix, tuple(a for a in AGGREGATE_ATTRS if a[0] != "arguments"), exp, act)
    _check(out, prefix, "comment", exp.comment, act.comment)


def _function_label(f: Function) -> str:
    return f"{_qualified(f)}({f.arguments})"


def _match(out: list[str], prefix: str, what: str, expected: dict, actual: dict,
           compare: Callable[[list[str], str, object, object], None],
           label: Callable[[object], str] = lambda obj: obj if isinstance(obj, str) else obj.name) -> None:
    """Report objects missing from / unexpected in ``actual``, then compare the ones in both."""
    for key, obj in expected.items():
        if key not in actual:
            out.append(f"{prefix}missing {what} {label(obj)}")
    for key, obj in actual.items():
        if key not in expected:
            out.append(f"{prefix}unexpected {what} {label(obj)}")
    for key, obj in expected.items():
        if key in actual:
            compare(out, f"{prefix}{what} {label(obj)}", obj, actual[key])


def _fmt(value) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, (tuple, list, frozenset, set)):
        items = sorted(value) if isinstance(value, (set, frozenset)) else value
        return "(" + ", ".join(_fmt(v) for v in items) + ")"
    return str(value)


def _check(out: list[str], prefix: str, attr: str, exp, act, key: Callable = lambda v: v) -> None:
    if key(exp) != key(act):
        out.append(f"{prefix}: {attr} {_fmt(exp)} != {_fmt(act)}")


def _compare_sequence(out: list[str], prefix: str, exp, act) -> None:
    _report(out, prefix, SEQUENCE_ATTRS, exp, act)
    _check(out, prefix, "comment", exp.comment, act.comment)


def _catalog_comments(out: list[str], expected: Schema, actual: Schema) -> None:
    """COMMENT ON INDEX of keys' own indexes and COMMENT ON COLUMN of views, between two catalogs."""
    tables = _by(actual.tables, _qualified)
    for exp in expected.tables:
        act = tables.get(_qualified(exp))
        if act is None:
            continue
        act_keys = {k.name: k for k in [*([act.primary_key] if act.primary_key else []), *act.uniques, *act.exclusions]}
        for k in [*([exp.primary_key] if exp.primary_key else []), *exp.uniques, *exp.exclusions]:
            if k.name in act_keys:
                _check(out, f"table {_qualified(exp)}: key {k.name}", "index comment", k.index_comment,
                       act_keys[k.name].index_comment)
    views = _by(actual.views, _qualified)
    for exp in expected.views:
        act = views.get(_qualified(exp))
        if act is not None:
            _check(out, f"view {_qualified(exp)}", "column comments", exp.column_comments, act.column_comments)


def _compare_enum(out: list[str], prefix: str, exp: EnumType, act: EnumType) -> None:
    _report(out, prefix, ENUM_ATTRS, exp, act)
    _check(out, prefix, "comment", exp.comment, act.comment)


def _compare_domain(out: list[str], prefix: str, exp: DomainType, act: DomainType) -> None:
    _report(out, prefix, DOMAIN_ATTRS + DOMAIN_IN_PLACE_ATTRS, exp, act)
    _check(out, prefix, "comment", exp.comment, act.comment)


def _compare_view(out: list[str], prefix: str, exp: View, act: View) -> None:
    _report(out, prefix, VIEW_ATTRS, exp, act)
    _check(out, prefix, "comment", exp.comment, act.comment)
    if exp.options or act.options:  # WITH (...): a design holds them only when imported from a catalog
        _check(out, prefix, "options", tuple(sorted(exp.options)), tuple(sorted(act.options)))
    if exp.triggers or act.triggers:  # likewise triggers on views
        _match(out, f"{prefix}: ", "trigger", _by(exp.triggers, _name), _by(act.triggers, _name),
               lambda o, p, e, a: _report(o, p, TRIGGER_ATTRS, e, a))
    _match(out, f"{prefix}: ", "index", _by(exp.indexes, _name), _by(act.indexes, _name), _compare_index)


def _compare_function(out: list[str], prefix: str, exp: Function, act: Function) -> None:
    # functions are matched by their arguments already
    _report(out, prefix, tuple(a for a in FUNCTION_ATTRS if a[0] != "arguments"), exp, act, quiet=("body",))
    _check(out, prefix, "comment", exp.comment, act.comment)


def _compare_table(out: list[str], prefix: str, exp: Table, act: Table) -> None:
    sub = prefix + ": "
    _check(out, prefix, "comment", exp.comment, act.comment)
    _check(out, prefix, "partitioning", _partitioning(exp), _partitioning(act))
    _check(out, prefix, "unlogged", exp.unlogged, act.unlogged)
    _check(out, prefix, "cluster on", exp.cluster_on, act.cluster_on)
    _match(out, sub, "column", _by(exp.columns, _name), _by(act.columns, _name), _compare_column)
    if exp.primary_key is None or act.primary_key is None:
        if exp.primary_key is not None:
            out.append(f"{sub}missing primary key {exp.primary_key.name}")
        if act.primary_key is not None:
            out.append(f"{sub}unexpected primary key {act.primary_key.name}")
    else:
        _check(out, prefix, "primary key name", exp.primary_key.name, act.primary_key.name)
        _report(out, f"{sub}primary key {exp.primary_key.name}", PRIMARY_KEY_ATTRS, exp.primary_key, act.primary_key)
        _check(out, f"{sub}primary key {exp.primary_key.name}", "comment", exp.primary_key.comment,
               act.primary_key.comment)
    _match(out, sub, "unique", _by(exp.uniques, _name), _by(act.uniques, _name), _compare_unique)
    _match(out, sub, "check", _by(exp.checks, _name), _by(act.checks, _name), _compare_check)
    _match(out, sub, "foreign key", _by(exp.foreign_keys, _name), _by(act.foreign_keys, _name),
           lambda o, p, e, a: _compare_fk(o, p, e, a, exp.schema, act.schema))
    _match(out, sub, "index", _by(exp.indexes, _name), _by(act.indexes, _name), _compare_index)
    _match(out, sub, "trigger", _by(exp.triggers, _name), _by(act.triggers, _name), _compare_trigger)
    _match(out, sub, "exclusion constraint", _by(exp.exclusions, _name), _by(act.exclusions, _name),
           _compare_exclusion)


def _name(obj) -> str:
    return obj.name


def _partitioning(table: Table) -> str | None:
    p = table.partitioning
    if p is None:
        return None
    return f"{p.strategy.lower()} (" + ", ".join(normalize_expression(c) for c in p.columns) + ")"


def _compare_column(out: list[str], prefix: str, exp: Column, act: Column) -> None:
    _report(out, prefix, COLUMN_ATTRS, exp, act)
    _check(out, prefix, "comment", exp.comment, act.comment)


def _compare_unique(out: list[str], prefix: str, exp: UniqueConstraint, act: UniqueConstraint) -> None:
    _report(out, prefix, UNIQUE_ATTRS, exp, act)
    _check(out, prefix, "comment", exp.comment, act.comment)


def _compare_check(out: list[str], prefix: str, exp: CheckConstraint, act: CheckConstraint) -> None:
    _report(out, prefix, CHECK_ATTRS, exp, act)
    _check(out, prefix, "columns", frozenset(exp.columns), frozenset(act.columns))
    _check(out, prefix, "comment", exp.comment, act.comment)


def _compare_fk(out: list[str], prefix: str, exp: ForeignKey, act: ForeignKey,
                exp_schema: str, act_schema: str) -> None:
    _report(out, prefix, FOREIGN_KEY_ATTRS, with_ref_schema(exp, exp_schema), with_ref_schema(act, act_schema))
    _check(out, prefix, "comment", exp.comment, act.comment)


def _compare_index(out: list[str], prefix: str, exp: Index, act: Index) -> None:
    differing = {name for name, _, _ in changed(INDEX_ATTRS, exp, act)}
    for name, get, key in INDEX_ATTRS:
        if name not in differing:
            continue
        if name == "elements":
            out.append(f"{prefix}: elements {_fmt(exp.columns)} != {_fmt(act.columns)}")
        elif name == "element options":
            if "elements" in differing:
                continue
            for e, a in zip(exp.elements, act.elements):
                where = f"{prefix}: element {e.label}"
                _check(out, where, "descending", e.descending, a.descending)
                _check(out, where, "nulls", _nulls(e), _nulls(a))
                _check(out, where, "opclass", e.opclass, a.opclass, _lower)
                _check(out, where, "collation", e.collation, a.collation)
        else:
            _report(out, prefix, ((name, get, key),), exp, act)
    _check(out, prefix, "comment", exp.comment, act.comment)


def _compare_exclusion(out: list[str], prefix: str, exp: ExclusionConstraint, act: ExclusionConstraint) -> None:
    _check(out, prefix, "method", exp.method, act.method, _lower)
    exp_keys = tuple((element_key(e), e.operator) for e in exp.elements)
    act_keys = tuple((element_key(e), e.operator) for e in act.elements)
    if exp_keys != act_keys:
        out.append(f"{prefix}: elements {_fmt([f'{k} WITH {o}' for k, o in exp_keys])} != "
                   f"{_fmt([f'{k} WITH {o}' for k, o in act_keys])}")
    _check(out, prefix, "where", exp.where, act.where, _expr_key)
    _check(out, prefix, "deferrable", exp.deferrable, act.deferrable)
    _check(out, prefix, "initially deferred", exp.initially_deferred, act.initially_deferred)
    _check(out, prefix, "comment", exp.comment, act.comment)


def _compare_trigger(out: list[str], prefix: str, exp: Trigger, act: Trigger) -> None:
    _report(out, prefix, TRIGGER_ATTRS, exp, act)
    _check(out, prefix, "comment", exp.comment, act.comment)


# --- security: compared when the expected design manages privileges (it has roles) ---------------

def _compare_security(out: list[str], exp: Schema, act: Schema) -> None:
    if not exp.roles:
        return
    _check(out, "schema", "owner", exp.owner, act.owner)
    _match(out, "", "role", _by(exp.roles, _name), _by(act.roles, _name), _compare_role)
    _compare_items(out, "grant", _grant_items(exp), _grant_items(act))
    _compare_items(out, "default privilege", _default_items(exp), _default_items(act))
    actual_tables = _by(act.tables, _qualified)
    for t in exp.tables:
        if (a := actual_tables.get(_qualified(t))) is not None:
            _check(out, f"table {t.name}", "row level security", t.rls_enabled, a.rls_enabled)
            _check(out, f"table {t.name}", "forced row level security", t.rls_forced, a.rls_forced)
    _match(out, "", "policy", _by(exp.policies, _policy_key), _by(act.policies, _policy_key), _compare_policy,
           label=lambda p: f"{p.name} on {p.table}")


def _compare_role(out: list[str], prefix: str, exp: Role, act: Role) -> None:
    _check(out, prefix, "login", exp.login, act.login)
    _check(out, prefix, "member of", frozenset(exp.member_of), frozenset(act.member_of))


def _compare_items(out: list[str], what: str, exp: set[str], act: set[str]) -> None:
    out += [f"missing {what} {item}" for item in sorted(exp - act)]
    out += [f"unexpected {what} {item}" for item in sorted(act - exp)]


def _grant_items(schema: Schema) -> set[str]:
    return {f"{p.upper()} on {g.object_type} "
            f"{g.object_name if g.schema == 'public' or g.object_type == 'schema' else g.schema + '.' + g.object_name}"
            f" to {g.grantee}" + (" with grant option" if g.grant_option else "")
            for g in schema.grants for p in g.privileges}


def _default_items(schema: Schema) -> set[str]:
    return {f"for role {d.owner}" + (f" in schema {d.schema}" if d.schema else "")
            + f": {'revoke' if d.revoke else 'grant'} {p.upper()} on {d.object_type} "
            + f"{'from' if d.revoke else 'to'} {d.grantee}"
            for d in schema.default_privileges for p in d.privileges}


def _policy_key(p: Policy) -> tuple[str, str, str]:
    return (p.schema, p.table, p.name)


def _compare_policy(out: list[str], prefix: str, exp: Policy, act: Policy) -> None:
    _check(out, prefix, "command", exp.command, act.command, _upper)
    _check(out, prefix, "roles", frozenset(exp.roles), frozenset(act.roles))
    _check(out, prefix, "permissive", exp.permissive, act.permissive)
    _check(out, prefix, "using", exp.using, act.using, _expr_key)
    _check(out, prefix, "with check", exp.with_check, act.with_check, _expr_key)
    _check(out, prefix, "comment", exp.comment, act.comment)
