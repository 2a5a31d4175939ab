"""DBML (dbdiagram.io's format) -> the canonical model, parsed by pydbml.

Tables, columns (``pk``, ``increment``, ``not null``, ``unique``, ``default``, ``note``), enums, indexes
(composite, unique, ``pk``, expression, ``type``) and references (``>``, ``<``, ``-``; composite; named;
``delete``/``update`` actions) are read; types are PostgreSQL spellings (anything PostgreSQL's grammar
reads). Unnamed objects get PostgreSQL's default names. A many-to-many reference (``<>``) has no foreign
key to become and is listed as skipped.
"""

from __future__ import annotations

import warnings

import pglast

from schemawright.design.explicit import parse_any_type
from schemawright.importers.common import ImportResult, ImportSourceError, Skipped, choose_name, imported, name_addition
from schemawright.importers.postgres_sql import figure_name
from schemawright.model import names
from schemawright.model.schema import (
    Column, EnumType, Expression, FkAction, ForeignKey, Index, IndexElement, IndexMethod, PrimaryKey, Schema, Table,
    UniqueConstraint,
)
from schemawright.model.types import DataType, Kind, UnknownTypeError

_ACTIONS = {"cascade": FkAction.CASCADE, "restrict": FkAction.RESTRICT, "set null": FkAction.SET_NULL,
            "set default": FkAction.SET_DEFAULT, "no action": FkAction.NO_ACTION}


def import_dbml(text: str, name: str = "<dbml>") -> ImportResult:
    """Read a DBML document (see the module doc)."""
    with warnings.catch_warnings():  # pydbml calls pyparsing's deprecated camelCase API
        warnings.simplefilter("ignore", DeprecationWarning)
        from pydbml import PyDBML

        try:
            document = PyDBML(text)
        except Exception as exc:  # pyparsing's ParseException carries line and column
            raise ImportSourceError(f"{name}: not valid DBML: {str(exc).splitlines()[0]}") from exc
    return _Reader().read(document)


def _figure(expression: str) -> str:
    """The name PostgreSQL gives an expression key in a generated index name (``lower(email)``: lower)."""
    try:
        node = pglast.parse_sql(f"SELECT {expression}")[0].stmt.targetList[0].val
    except Exception:  # not an expression PostgreSQL reads: the generic name
        return "expr"
    return figure_name(node) or "expr"


def _note(note) -> str | None:
    text = getattr(note, "text", note)
    return str(text) if text else None


class _Reader:
    def __init__(self) -> None:
        self.schema = Schema()
        self.skipped: list[Skipped] = []
        self.relations: dict[str, set[str]] = {}

    def skip(self, kind: str, reason: str) -> None:
        self.skipped.append(Skipped(kind, None, reason))

    def read(self, document) -> ImportResult:
        for enum in document.enums:
            self.schema.enums.append(EnumType(name=enum.name, schema=enum.schema or "public", origin=imported("dbml"),
                                              values=tuple(item.name for item in enum.items)))
        for table in document.tables:
            self.table(table)
        for ref in document.refs:
            self.reference(ref)
        if document.table_groups:
            self.skip("TableGroup", "table groups are a diagram layout, not schema")
        return ImportResult(self.schema, self.skipped, "dbml")

    def data_type(self, table: str, column, schema: str) -> DataType:
        raw = column.type
        if hasattr(raw, "items"):  # a pydbml Enum
            return DataType(Kind.ENUM, name=raw.name) if (raw.schema or "public") == schema \
                else DataType(Kind.OTHER, name=f"{raw.schema}.{raw.name}")
        text = str(raw).strip('"')
        if self.schema.enum(text) is not None:
            return DataType(Kind.ENUM, name=text)
        try:
            return parse_any_type(text)
        except UnknownTypeError:
            self.skip("type", f"{table}.{column.name}: {text!r} is not a PostgreSQL type; kept as text")
            return DataType(Kind.TEXT)

    def table(self, source) -> None:
        schema = source.schema or "public"
        table = Table(name=source.name, schema=schema, comment=_note(source.note), origin=imported("dbml"))
        taken = self.relations.setdefault(schema, set())
        taken.add(table.name)
        pk: list[str] = []
        for c in source.columns:
            column = Column(name=c.name, type=self.data_type(table.name, c, schema), nullable=not c.not_null,
                            comment=_note(c.note), origin=imported("dbml"))
            if c.autoinc:
                column.identity, column.nullable = "by default", False
            if c.default is not None:
                column.default = self._default(c.default)
            table.columns.append(column)
            if c.pk:
                pk.append(c.name)
            if c.unique:
                name = choose_name(table.name, c.name, "key", taken)
                taken.add(name)
                table.uniques.append(UniqueConstraint(name=name, columns=(c.name,), origin=imported("dbml")))
        for index in source.indexes:
            if index.pk:
                pk = [s.name for s in index.subjects]
            else:
                self.index(table, index, taken)
        if pk:
            table.primary_key = PrimaryKey(name=choose_name(table.name, None, "pkey", taken), columns=tuple(pk),
                                           origin=imported("dbml"))
            taken.add(table.primary_key.name)
            for col in pk:
                table.column(col).nullable = False
        self.schema.tables.append(table)

    @staticmethod
    def _default(value) -> Expression:
        if hasattr(value, "text"):  # a backtick `expression`
            return Expression(value.text)
        if isinstance(value, bool):
            return Expression("true" if value else "false")
        if isinstance(value, (int, float)):
            return Expression(str(value))
        return Expression(names.quote_literal(str(value)))

    def index(self, table: Table, index, taken: set[str]) -> None:
        elements = []
        for subject in index.subjects:
            if hasattr(subject, "text"):
                elements.append(IndexElement(expression=Expression(subject.text)))
            else:
                elements.append(IndexElement(column=subject.name))
        try:
            method = IndexMethod(index.type or "btree")
        except ValueError:
            self.skip("index", f"{index.name or 'index'} on {table.name}: type {index.type} is not part of the model")
            return
        name = index.name or choose_name(table.name, name_addition(
            [e.column or _figure(e.expression.sql) for e in elements]), "idx", taken)
        taken.add(name)
        table.indexes.append(Index(name=name, elements=tuple(elements), unique=bool(index.unique), method=method,
                                   comment=_note(index.note), origin=imported("dbml")))

    def reference(self, ref) -> None:
        if ref.type == "<>":
            self.skip("Ref", f"{ref.table1.name} <> {ref.table2.name}: a many-to-many reference needs a junction "
                      "table, which DBML leaves to the reader")
            return
        child_cols, parent_cols, parent = ref.col1, ref.col2, ref.table2
        if ref.type == "<":  # one-to-many written from the parent's side
            child_cols, parent_cols, parent = ref.col2, ref.col1, ref.table1
        child = self._table(child_cols[0].table)
        columns = tuple(c.name for c in child_cols)
        name = ref.name or choose_name(child.name, name_addition(columns), "fkey",
                                       {f.name for t in self.schema.tables for f in t.foreign_keys})
        parent_schema = parent.schema or "public"
        child.foreign_keys.append(ForeignKey(
            name=name, columns=columns, ref_table=parent.name, ref_columns=tuple(c.name for c in parent_cols),
            ref_schema=parent_schema if parent_schema != child.schema else None,
            on_delete=_ACTIONS.get((ref.on_delete or "no action").lower(), FkAction.NO_ACTION),
            on_update=_ACTIONS.get((ref.on_update or "no action").lower(), FkAction.NO_ACTION),
            origin=imported("dbml")))
        if ref.type == "-" and not any(u.columns == columns for u in child.uniques):
            key = choose_name(child.name, name_addition(columns), "key", self.relations[child.schema])
            self.relations[child.schema].add(key)
            child.uniques.append(UniqueConstraint(name=key, columns=columns, origin=imported("dbml")))

    def _table(self, source) -> Table:
        return next(t for t in self.schema.tables if t.name == source.name and t.schema == (source.schema or "public"))
