"""The canonical schema model (stdlib + pglast keyword lists only; no I/O, no dialect)."""

from schemawright.model.schema import (
    CheckConstraint, Column, EnumType, Expression, FkAction, ForeignKey, Function, Index, IndexElement,
    IndexMethod, Inference, Origin, Partitioning, PrimaryKey, Schema, Source, Table, Trigger,
    UniqueConstraint, View, convention, given, inferred,
)
from schemawright.model.types import DataType, Kind, parse_type

__all__ = [
    "CheckConstraint", "Column", "DataType", "EnumType", "Expression", "FkAction", "ForeignKey", "Function",
    "Index", "IndexElement", "IndexMethod", "Inference", "Kind", "Origin", "Partitioning", "PrimaryKey",
    "Schema", "Source", "Table", "Trigger", "UniqueConstraint", "View", "convention", "given", "inferred",
    "parse_type",
]
