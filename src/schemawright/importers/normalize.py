"""The rewrite every import applies, to the model read from a file and to the one read from a catalog
alike, so both describe a schema the designer can build (serials are no longer rewritten to identity
columns: a task input carries sequences, so a serial stays what PostgreSQL holds, see docs/import-corpus.md):

* a column whose type is a domain gets the domain's base type, NOT NULL, default and CHECKs (named
  ``<table>_<column>_<domain check>``), since a task input has no domains.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import psycopg
from pglast import ast, parse_sql

from schemawright.model import names
from schemawright.model.schema import CheckConstraint, Column, Expression, Origin, Schema, Source
from schemawright.model.types import DataType, Kind
from schemawright.spec.expressions import SafeLiteralStream



@dataclass
class Domain:
    """A domain as far as columns of its type are concerned."""

    name: str  # as format_type() spells it: bare in public, schema-qualified elsewhere, quoted if needed
    base: DataType
    not_null: bool = False
    default: Expression | None = None
    checks: list[tuple[str, str]] = field(default_factory=list)  # (constraint name, expression over VALUE)


def sequence_of(default: Expression | None) -> str | None:
    """The sequence a ``nextval('seq'::regclass)`` default draws from (``public.`` dropped), else None."""
    if default is None or "nextval" not in default.sql:
        return None
    try:
        node = parse_sql("SELECT " + default.sql)[0].stmt.targetList[0].val
    except Exception:  # not an expression pglast reads: not a plain nextval() either
        return None
    if not isinstance(node, ast.FuncCall) or [s.sval for s in node.funcname][-1] != "nextval" or len(node.args) != 1:
        return None
    arg = node.args[0]
    while isinstance(arg, ast.TypeCast):
        arg = arg.arg
    if not isinstance(arg, ast.A_Const) or not isinstance(arg.val, ast.String):
        return None
    return arg.val.sval.removeprefix("public.")


def domain_name(schema: str, name: str) -> str:
    """How format_type() spells a type of ``schema`` (public is on the search path)."""
    quoted = names.quote_ident(name)
    return quoted if schema == "public" else f"{names.quote_ident(schema)}.{quoted}"


def resolve_domains(schema: Schema, domains: dict[str, Domain]) -> dict[str, int]:
    """Give columns of a domain type the domain's base type and rules; returns the columns per domain."""
    used: Counter[str] = Counter()
    for table in schema.tables:
        for column in table.columns:
            domain = _domain_of(column, domains)
            if domain is None:
                continue
            used[domain[0].name] += 1
            for d in domain:  # the domain, then the domains it is based on
                column.nullable = column.nullable and not d.not_null
                if column.default is None and d.default is not None:
                    column.default = d.default
                for check_name, expression in d.checks:
                    table.checks.append(CheckConstraint(
                        name=names.shorten(f"{table.name}_{column.name}_{check_name}"),
                        expression=Expression(_value_to(expression, column.name)), columns=(column.name,),
                        origin=Origin(source=Source.INFERRED, rule="import.domain", reason=f"domain {d.name}")))
            column.type = domain[-1].base
    return dict(used)


def _domain_of(column: Column, domains: dict[str, Domain]) -> list[Domain] | None:
    """The chain of domains behind a column's type (outermost first), or None."""
    chain: list[Domain] = []
    t = column.type
    while t.kind == Kind.OTHER and t.array_dims == 0 and (d := domains.get(t.name)) is not None and d not in chain:
        chain.append(d)
        t = d.base
    return chain or None


def _value_to(expression: str, column: str) -> str:
    """A domain CHECK over ``VALUE`` rewritten over ``column``."""
    stmt = parse_sql("SELECT " + expression)[0].stmt
    node = stmt.targetList[0].val
    _rename_value(node, column)
    return SafeLiteralStream()(node)


def _rename_value(node, column: str) -> None:
    if isinstance(node, tuple):
        for item in node:
            _rename_value(item, column)
        return
    if not isinstance(node, ast.Node):
        return
    if isinstance(node, ast.ColumnRef) and len(node.fields) == 1 and isinstance(node.fields[0], ast.String) \
            and node.fields[0].sval == "value":
        node.fields = (ast.String(sval=column),)
        return
    for member in node:
        _rename_value(getattr(node, member), column)


_DOMAINS_SQL = """
SELECT n.nspname, t.typname, format_type(t.typbasetype, t.typtypmod) AS base, t.typnotnull,
       t.typdefault,
       ARRAY(SELECT c.conname FROM pg_constraint c WHERE c.contypid = t.oid AND c.contype = 'c' ORDER BY c.conname)
           AS check_names,
       ARRAY(SELECT pg_get_expr(c.conbin, 0) FROM pg_constraint c WHERE c.contypid = t.oid AND c.contype = 'c'
             ORDER BY c.conname) AS check_exprs
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE t.typtype = 'd' AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'"""


def catalog_domains(conn: psycopg.Connection) -> dict[str, Domain]:
    """The domains of a live database, keyed by their format_type() spelling."""
    from schemawright.design.explicit import parse_any_type

    out = {}
    for nsp, name, base, not_null, default, check_names, check_exprs in conn.execute(_DOMAINS_SQL).fetchall():
        key = domain_name(nsp, name)
        out[key] = Domain(name=key, base=parse_any_type(base), not_null=not_null,
                          default=Expression(default) if default is not None else None,
                          checks=list(zip(check_names, check_exprs, strict=True)))
    return out
