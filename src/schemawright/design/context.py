"""State shared by the design steps: the schema being built, the input, and problems found."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from schemawright.errors import SpecError, SpecProblem
from schemawright.model.names import plural, shorten, to_snake
from schemawright.model.schema import Schema, Table
from schemawright.spec.load import PathKey, SourceMap
from schemawright.spec.models import TaskInput

# conventions.naming of the design in progress: off, entity and attribute names are used as written.
_NAMING: ContextVar[bool] = ContextVar("naming", default=True)


@contextmanager
def naming_convention(enabled: bool) -> Iterator[None]:
    """Apply (or not) the naming convention to entity and attribute names within the block."""
    token = _NAMING.set(enabled)
    try:
        yield
    finally:
        _NAMING.reset(token)


def table_name_for(name: str) -> str:
    return shorten(plural(to_snake(name))) if _NAMING.get() else name


def column_name_for(name: str) -> str:
    return to_snake(name) if _NAMING.get() else name


@dataclass
class DesignContext:
    spec: TaskInput
    smap: SourceMap
    schema: Schema = field(default_factory=Schema)
    problems: list[SpecProblem] = field(default_factory=list)
    entity_paths: dict[str, PathKey] = field(default_factory=dict)  # table -> input path
    disabled: set[str] = field(default_factory=set)  # conventions switched off (recorded once each)
    attribute_checks: list[tuple] = field(default_factory=list)  # (table, column, text, path), parsed last
    references: list[tuple] = field(default_factory=list)  # (table, attribute, column, path), resolved later

    def problem(self, path: PathKey, message: str, **kw) -> None:
        self.problems.append(self.smap.problem(path, message, **kw))

    def raise_problems(self) -> None:
        if self.problems:
            raise SpecError(self.problems)

    _table_index: dict[str, Table] = field(default_factory=dict, repr=False)
    _table_index_key: tuple = field(default=(), repr=False)

    def table(self, name: str) -> Table | None:
        """``schema.table(name)`` in constant time: design only appends tables, so an index rebuilt
        whenever the list is another one, or grew, or changed its last table, stays exact."""
        tables = self.schema.tables
        key = (id(tables), len(tables), id(tables[-1]) if tables else None)
        if key != self._table_index_key:
            old = self._table_index_key
            # Only appended since the last look (the old last table is still in its place): index the new ones.
            grown = bool(old) and old[0] == key[0] and 0 < old[1] < key[1] and id(tables[old[1] - 1]) == old[2]
            if not grown:
                self._table_index = {}
            for t in tables[old[1] if grown else 0:]:
                self._table_index.setdefault(t.name, t)
            self._table_index_key = key
        found = self._table_index.get(name)
        if found is not None and found.name != name:  # renamed since: look again
            self._table_index_key = ()
            return self.schema.table(name)
        return found

    def infer(self, rule: str, subject: str, decision: str, reason: str) -> None:
        self.schema.infer(rule, subject, decision, reason)

    def enabled(self, switch: str, skipped: str) -> bool:
        """Whether ``conventions.<switch>`` is on; when off, records (once) that ``skipped`` was not done."""
        if getattr(self.spec.conventions, switch):
            return True
        if switch not in self.disabled:
            self.disabled.add(switch)
            self.infer(f"conventions.{switch}", "design", f"not applied: {skipped}",
                       f"disabled by conventions.{switch}")
        return False

    @property
    def users_table(self) -> Table | None:
        return self.table("users")
