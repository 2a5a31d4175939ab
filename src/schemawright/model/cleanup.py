"""Cleanup rules: what the user asks a migration to do to the rows a tightening would refuse, before it
(``diff --cleanup FILE``; read by ``diff.cleanup``, rendered by the dialect). Expressions are held as the
deparse of PostgreSQL's parse tree (``spec.expressions.single_expression``), never as the user's text."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class CleanupRule:
    """One entry of a cleanup file.

    kind ``not_null``: fill the NULLs of ``column`` with ``fill`` (an expression over the row's columns);
    ``unique``: delete the duplicates of ``columns`` (or of ``constraint``), keeping the ``keep`` one
    ("first"/"latest") in ``order_by`` order (default: the primary key);
    ``check``: the rows violating ``constraint``: ``delete`` them, or ``set`` columns to expressions;
    ``values``: rewrite the values of ``column`` that the new list drops (``map``: old value -> kept value);
    ``type``: the values of ``column`` a narrower type cannot hold become ``fill``, or their rows are deleted.
    """

    kind: str
    where: str  # the entry as the user wrote it, e.g. "entry 2 (unique: users(email))", for messages
    table: str
    schema: str | None = None  # None: any schema holding ``table``
    column: str | None = None
    columns: tuple[str, ...] = ()
    constraint: str | None = None
    fill: str | None = None
    keep: str = "first"
    order_by: tuple[str, ...] = ()  # expressions (deparsed)
    delete: bool = False
    set: dict[str, str] = field(default_factory=dict)  # column -> expression (deparsed)
    map: dict[str, str] = field(default_factory=dict)  # old value -> new value

    def describe(self) -> str:
        if self.kind == "not_null":
            return f"fill the NULLs of {self.table}.{self.column} with {self.fill}"
        if self.kind == "unique":
            return (f"delete the duplicates of {self.table} ({', '.join(self.columns) or self.constraint}), keeping "
                    f"the {self.keep} by {', '.join(self.order_by) or 'the primary key'}")
        if self.kind == "check":
            what = "delete them" if self.delete else "set " + ", ".join(f"{c} = {e}" for c, e in self.set.items())
            return f"the rows of {self.table} violating {self.constraint}: {what}"
        if self.kind == "type":
            return (f"delete the rows of {self.table} whose {self.column} does not fit its new type" if self.delete
                    else f"the values of {self.table}.{self.column} that do not fit its new type become {self.fill}")
        return f"rewrite {self.table}.{self.column}: " + ", ".join(f"{a!r} -> {b!r}" for a, b in self.map.items())
