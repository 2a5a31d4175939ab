"""What every importer returns, and PostgreSQL's rules for the names it gives unnamed objects."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from schemawright.model.names import _clip, make_object_name
from schemawright.model.schema import Origin, Schema, Source, Unmodelled
from schemawright.project.sources import SourceError

MAX_NAME_BYTES = 63  # NAMEDATALEN - 1


class ImportSourceError(SourceError):
    """A source that cannot be imported at all (unreadable, not SQL/DBML, unknown dialect)."""


@dataclass(slots=True)
class Skipped:
    """A statement (or a part of one) the importer did not carry into the model, and why."""

    kind: str  # e.g. "CREATE AGGREGATE", "INSERT", "trigger arguments"
    line: int | None
    reason: str
    count: int = 1  # data statements are listed once per kind, with their number
    name: str | None = None  # the object, when the statement names one (rule r on t, event trigger e)

    @property
    def schema_object(self) -> bool:
        """A schema object or attribute the model does not hold (not rows, a query or a psql command)."""
        return not _NOT_SCHEMA.search(self.reason)

    def unmodelled(self) -> Unmodelled:
        """This skip as an entry of the list ``diff``, ``import`` and ``lint`` report (kind, name, why)."""
        where = f"line {self.line}" if self.line is not None else ""
        name = f"{self.name} ({where})" if self.name and where else self.name or (f"at {where}" if where else "")
        more = f" ({self.count:,} statements)" if self.count > 1 else ""
        return Unmodelled(kind=self.kind, name=name, why=self.reason + more, schema=None)

    def __str__(self) -> str:
        where = f" at line {self.line}" if self.line is not None else ""
        more = f" ({self.count:,} statements)" if self.count > 1 else ""
        named = f" {self.name}" if self.name else ""
        return f"skipped: {self.kind}{named}{where}: {self.reason}{more}"


@dataclass
class ImportResult:
    """The canonical model of a source and everything that did not make it in."""

    schema: Schema
    skipped: list[Skipped] = field(default_factory=list)
    source_kind: str = "postgresql"  # postgresql | mysql | sqlite | dbml | database

    @property
    def skipped_lines(self) -> list[str]:
        return [str(s) for s in self.skipped]

    @property
    def unmodelled(self) -> list[Unmodelled]:
        """What the source holds that the model does not: a live catalog's own list (``inspect.unmodelled``,
        the one ``diff`` reports), else every schema statement or part the importer skipped."""
        if self.schema.unmodelled is not None:
            return list(self.schema.unmodelled)
        return [s.unmodelled() for s in self.skipped if s.schema_object]


# Skips that are no schema object: rows, queries, maintenance, psql commands.
_NOT_SCHEMA = re.compile(r"not (schema|SQL)$")


def imported(dialect: str) -> Origin:
    """Origin of an object read from a DDL script or a DBML file."""
    return Origin(source=Source.INPUT, rule=f"import.{dialect}")




def choose_name(name1: str, name2: str | None, label: str, taken) -> str:
    """PostgreSQL's ChooseRelationName/ChooseConstraintName: the first of ``..._label``, ``..._label1``,
    ``..._label2``... that is not in ``taken``."""
    name, attempt = make_object_name(name1, name2, label), 0
    while name in taken:
        attempt += 1
        name = make_object_name(name1, name2, f"{label}{attempt}")
    return name


def name_addition(columns) -> str:
    """PostgreSQL's ChooseIndexNameAddition: the column names joined by underscores."""
    return "_".join(columns)


def index_column_names(names: list[str | None]) -> list[str]:
    """PostgreSQL's ChooseIndexColumnNames: a column's name, ``expr`` for an expression, numbered when
    repeated (``expr``, ``expr1``, ``expr2``)."""
    out: list[str] = []
    for original in names:
        original = original or "expr"
        current, i = original, 0
        while current in out:
            i += 1
            current = _clip(original, MAX_NAME_BYTES - len(str(i))) + str(i)
        out.append(current)
    return out
