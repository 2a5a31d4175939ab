"""What the SQL importer keeps while it reads a script: domains as they are declared (a task input carries
domains, so a column of a domain keeps it as its type; serials stay sequences: see docs/import-corpus.md),
and the sequence a ``nextval()`` default draws from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pglast import ast, parse_sql

from schemawright.model import names
from schemawright.model.schema import DomainCheck, DomainType, Expression, Origin, Source
from schemawright.model.types import DataType



@dataclass
class Domain:
    """A domain as far as columns of its type are concerned."""

    name: str  # as format_type() spells it: bare in public, schema-qualified elsewhere, quoted if needed
    base: DataType
    not_null: bool = False
    default: Expression | None = None
    checks: list[tuple[str, str]] = field(default_factory=list)  # (constraint name, expression over VALUE)
    schema: str = "public"
    bare: str = ""  # the name within its schema
    collation: str | None = None
    comment: str | None = None

    def model(self) -> DomainType:
        return DomainType(name=self.bare or self.name, base_type=str(self.base), schema=self.schema,
                          not_null=self.not_null, default=self.default, collation=self.collation,
                          checks=tuple(DomainCheck(name=n, expression=Expression(e)) for n, e in self.checks),
                          comment=self.comment, origin=Origin(source=Source.INPUT, rule="import.domain"))


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
