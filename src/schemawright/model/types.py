"""Portable logical data types and the parser that maps type names (any common spelling) onto them.

A ``DataType`` is a kind plus parameters; each dialect renders it in its own words. The parser is
shared by the spec loader (user-written types) and the catalog inspector (``format_type`` output), so
both sides of a comparison use one vocabulary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    SMALLINT = "smallint"
    INTEGER = "integer"
    BIGINT = "bigint"
    NUMERIC = "numeric"
    REAL = "real"
    DOUBLE = "double"
    MONEY = "money"
    BOOLEAN = "boolean"
    TEXT = "text"
    VARCHAR = "varchar"
    CHAR = "char"
    CITEXT = "citext"
    UUID = "uuid"
    DATE = "date"
    TIME = "time"
    TIMETZ = "timetz"
    TIMESTAMP = "timestamp"
    TIMESTAMPTZ = "timestamptz"
    INTERVAL = "interval"
    JSON = "json"
    JSONB = "jsonb"
    BYTEA = "bytea"
    INET = "inet"
    CIDR = "cidr"
    MACADDR = "macaddr"
    TSVECTOR = "tsvector"
    XML = "xml"
    ENUM = "enum"  # a named enum type: ``name`` holds the type name
    OTHER = "other"  # a type the catalog reported that we carry through by name (domains, PostGIS...)


@dataclass(slots=True, frozen=True)
class DataType:
    kind: Kind
    length: int | None = None  # varchar(n), char(n)
    precision: int | None = None  # numeric(p, s), time(p), timestamp(p)
    scale: int | None = None
    name: str | None = None  # enum type name, or the verbatim name of an OTHER type
    array_dims: int = 0  # text[] has 1

    def element(self) -> DataType:
        """The element type of an array type (self when not an array)."""
        return DataType(self.kind, self.length, self.precision, self.scale, self.name, 0)

    @property
    def is_numeric(self) -> bool:
        return self.array_dims == 0 and self.kind in NUMERIC_KINDS

    @property
    def is_textual(self) -> bool:
        return self.array_dims == 0 and self.kind in TEXT_KINDS

    def __str__(self) -> str:
        base = self.name if self.kind in (Kind.ENUM, Kind.OTHER) else str(self.kind)
        if self.length is not None:
            base += f"({self.length})"
        elif self.precision is not None:
            base += f"({self.precision}" + (f",{self.scale})" if self.scale is not None else ")")
        return base + "[]" * self.array_dims


NUMERIC_KINDS = {Kind.SMALLINT, Kind.INTEGER, Kind.BIGINT, Kind.NUMERIC, Kind.REAL, Kind.DOUBLE, Kind.MONEY}
TEXT_KINDS = frozenset({Kind.TEXT, Kind.VARCHAR, Kind.CHAR, Kind.CITEXT})  # the one definition: import it

# Every accepted spelling -> kind. Keys are lower-case with single spaces.
_ALIASES: dict[str, Kind] = {
    "smallint": Kind.SMALLINT, "int2": Kind.SMALLINT, "tinyint": Kind.SMALLINT,
    "integer": Kind.INTEGER, "int": Kind.INTEGER, "int4": Kind.INTEGER, "mediumint": Kind.INTEGER,
    "bigint": Kind.BIGINT, "int8": Kind.BIGINT, "long": Kind.BIGINT,
    "numeric": Kind.NUMERIC, "decimal": Kind.NUMERIC, "number": Kind.NUMERIC,
    "real": Kind.REAL, "float4": Kind.REAL, "float": Kind.DOUBLE,
    "double": Kind.DOUBLE, "double precision": Kind.DOUBLE, "float8": Kind.DOUBLE,
    "money": Kind.MONEY,
    "boolean": Kind.BOOLEAN, "bool": Kind.BOOLEAN,
    "text": Kind.TEXT, "string": Kind.TEXT, "clob": Kind.TEXT, "longtext": Kind.TEXT,
    "varchar": Kind.VARCHAR, "character varying": Kind.VARCHAR,
    "char": Kind.CHAR, "character": Kind.CHAR, "bpchar": Kind.CHAR,
    "citext": Kind.CITEXT,
    "uuid": Kind.UUID,
    "date": Kind.DATE,
    "time": Kind.TIME, "time without time zone": Kind.TIME,
    "timetz": Kind.TIMETZ, "time with time zone": Kind.TIMETZ,
    "timestamp": Kind.TIMESTAMP, "timestamp without time zone": Kind.TIMESTAMP, "datetime": Kind.TIMESTAMP,
    "timestamptz": Kind.TIMESTAMPTZ, "timestamp with time zone": Kind.TIMESTAMPTZ,
    "interval": Kind.INTERVAL,
    "json": Kind.JSON, "jsonb": Kind.JSONB,
    "bytea": Kind.BYTEA, "blob": Kind.BYTEA, "binary": Kind.BYTEA, "bytes": Kind.BYTEA,
    "inet": Kind.INET, "cidr": Kind.CIDR, "macaddr": Kind.MACADDR,
    "tsvector": Kind.TSVECTOR, "xml": Kind.XML,
}

_TYPE_RE = re.compile(
    r"^\s*(?P<base>[a-z][a-z0-9_ ]*?)\s*(?:\(\s*(?P<p1>\d+)\s*(?:,\s*(?P<p2>-?\d+)\s*)?\))?"
    r"(?P<tail>(?:\s+(?:with|without)\s+time\s+zone)?)\s*(?P<arr>(?:\[\s*\d*\s*\])*)\s*$"
)


class UnknownTypeError(ValueError):
    """Raised for a type name that is not a supported type."""


def supported_type_names() -> list[str]:
    return sorted(_ALIASES)


def parse_type(text: str) -> DataType:
    """Parse a type name such as ``varchar(100)``, ``numeric(12,2)``, ``text[]`` or
    ``timestamp(3) with time zone`` into a DataType. Raises UnknownTypeError otherwise."""
    m = _TYPE_RE.match(text.lower())
    if not m:
        raise UnknownTypeError(text)
    base = " ".join(m.group("base").split())
    tail = " ".join(m.group("tail").split())
    if tail:
        base = f"{base} {tail}"
    dims = m.group("arr").count("[")
    p1 = int(m.group("p1")) if m.group("p1") else None
    p2 = int(m.group("p2")) if m.group("p2") else None
    kind = _ALIASES.get(base)
    if kind is None:
        raise UnknownTypeError(text)
    if kind in (Kind.VARCHAR, Kind.CHAR):
        return DataType(kind, length=p1 if p1 is not None else (1 if kind == Kind.CHAR and base != "bpchar" else None),
                        array_dims=dims)
    if kind == Kind.NUMERIC:
        return DataType(kind, precision=p1, scale=p2 if p1 is not None else None, array_dims=dims)
    if kind in (Kind.TIME, Kind.TIMETZ, Kind.TIMESTAMP, Kind.TIMESTAMPTZ, Kind.INTERVAL) and p1 is not None:
        return DataType(kind, precision=p1, array_dims=dims)
    if kind == Kind.DOUBLE and base == "float" and p1 is not None and p1 <= 24:
        return DataType(Kind.REAL, array_dims=dims)
    return DataType(kind, array_dims=dims)


def enum_type(name: str) -> DataType:
    return DataType(Kind.ENUM, name=name)
