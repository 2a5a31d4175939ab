"""State shared by the design steps: the schema being built, the input, and problems found."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import inflect

from schemawright.errors import SpecError, SpecProblem
from schemawright.model.names import to_snake
from schemawright.model.schema import Schema, Table
from schemawright.spec.load import PathKey, SourceMap
from schemawright.spec.models import TaskInput

_inflect = inflect.engine()
_UNCOUNTABLE = frozenset({"data", "metadata", "media", "news", "settings", "series", "species", "status",
                          "equipment", "information", "feedback", "inventory", "analytics", "staff"})


@cache
def plural(word: str) -> str:
    """Plural of a snake_case name, inflecting its last part (order_item -> order_items)."""
    head, _, last = word.rpartition("_")
    if last in _UNCOUNTABLE or is_plural(last):
        return word
    return (head + "_" if head else "") + _inflect.plural_noun(last)


@cache
def singular(word: str) -> str:
    """Singular of a snake_case name (order_items -> order_item, categories -> category)."""
    head, _, last = word.rpartition("_")
    if last in _UNCOUNTABLE:
        return word
    single = _inflect.singular_noun(last)
    return (head + "_" if head else "") + (single or last)


@cache
def is_plural(word: str) -> bool:
    last = word.rpartition("_")[2]
    return last not in _UNCOUNTABLE and bool(_inflect.singular_noun(last)) and not last.endswith("ss")


def table_name_for(name: str) -> str:
    return plural(to_snake(name))


@dataclass
class DesignContext:
    spec: TaskInput
    smap: SourceMap
    schema: Schema = field(default_factory=Schema)
    problems: list[SpecProblem] = field(default_factory=list)
    entity_paths: dict[str, PathKey] = field(default_factory=dict)  # table -> input path

    def problem(self, path: PathKey, message: str, **kw) -> None:
        self.problems.append(self.smap.problem(path, message, **kw))

    def raise_problems(self) -> None:
        if self.problems:
            raise SpecError(self.problems)

    def table(self, name: str) -> Table | None:
        return self.schema.table(name)

    def infer(self, rule: str, subject: str, decision: str, reason: str) -> None:
        self.schema.infer(rule, subject, decision, reason)

    @property
    def users_table(self) -> Table | None:
        return self.schema.table("users")
