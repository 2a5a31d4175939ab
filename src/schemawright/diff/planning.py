"""Changes -> a migration plan: the forward steps, the undo steps (the reversed changes) and the session
settings before them, all rendered by the dialect (``Dialect.change_steps``); and the refusals: a
migration that destroys data without ``allow_destructive``, or one that cannot apply."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from schemawright.dialects import get_dialect
from schemawright.dialects.base import Step
from schemawright.errors import SchemawrightError
from schemawright.model import changes as ch

__all__ = ["DestructiveChangeError", "Plan", "Step", "needs_backfill", "plan"]


class DestructiveChangeError(SchemawrightError):
    """The diff destroys data and ``allow_destructive`` was not given."""

    exit_code = 5


@dataclass
class Plan:
    """A migration and its undo, as steps, with the session settings that precede them."""

    changes: list[ch.Change]
    forward: list[Step]
    reverse: list[Step]
    settings: list[str] = field(default_factory=list)
    dialect: str = "postgresql"

    @property
    def data_loss(self) -> list[str]:
        return [s.data_loss for s in self.forward if s.data_loss]

    def sql(self, *, undo: bool = False, title: str | None = None) -> str:
        """The migration (or its undo) as one SQL script, ready for the database's client (``psql -f``)."""
        steps = self.reverse if undo else self.forward
        return get_dialect(self.dialect).migration_script(steps, self.settings,
                                                          title or ("undo" if undo else "migration"))


def plan(changes: list[ch.Change], *, allow_destructive: bool = False, online: bool = True,
         row_counts: Mapping[tuple[str, str], int] | None = None, lock_timeout: str = "5s",
         statement_timeout: str = "30min", dialect: str = "postgresql") -> Plan:
    """The forward steps for ``changes`` and the undo steps (the reversed changes). Raises
    DestructiveChangeError when the forward steps destroy data and ``allow_destructive`` is False.
    ``online=False`` gives plain DDL (no CONCURRENTLY / NOT VALID), for databases not in use."""
    counts = dict(row_counts or {})
    sql = get_dialect(dialect)
    forward = sql.change_steps(changes, online=online, renames_first=True, row_counts=counts)
    backward = sql.change_steps([c.reverse() for c in reversed(changes)], online=online, renames_first=False,
                                row_counts=counts)
    result = Plan(list(changes), forward, backward, sql.session_settings(lock_timeout, statement_timeout), dialect)
    impossible = [c for c in changes if isinstance(c, ch.AddColumn) and counts.get((c.schema, c.table), 0) > 0
                  and needs_backfill(c)]
    if impossible:
        raise DestructiveChangeError("refusing a migration that cannot apply:\n" + "\n".join(
            f"  - {c.schema}.{c.table} has {counts[(c.schema, c.table)]:,} rows, so the NOT NULL column "
            f"{c.column.name} needs a default: give it one, or add it nullable, backfill it, then make it "
            "NOT NULL in a later migration" for c in impossible))
    if result.data_loss and not allow_destructive:
        raise DestructiveChangeError("refusing a migration that destroys data (rerun with --allow-destructive "
                                     "to accept it):\n" + "\n".join(f"  - {note}" for note in result.data_loss))
    return result


def needs_backfill(change: ch.AddColumn) -> bool:
    """A new NOT NULL column with nothing to fill existing rows (no default, identity or expression)."""
    col = change.column
    return not col.nullable and col.default is None and not col.identity and col.generated is None
