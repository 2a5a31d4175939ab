"""Changes -> a migration plan: the forward steps, the undo steps (the reversed changes) and the session
settings before them, all rendered by the dialect (``Dialect.change_steps``); and the refusals: a
migration that destroys data without ``allow_destructive``, or one that cannot apply."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from schemawright.dialects import get_dialect
from schemawright.dialects.base import Step
from schemawright.errors import SchemawrightError
from schemawright.model import changes as ch
from schemawright.model.schema import Schema

__all__ = ["DestructiveChangeError", "Plan", "Step", "needs_backfill", "plan", "refuse_data_loss", "rename_hints"]


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
    cleaned: dict[int, list] = field(default_factory=dict)  # by id of a tightening step: the cleanup rules for it

    @property
    def data_loss(self) -> list[str]:
        return [s.data_loss for s in self.forward if s.data_loss]

    @property
    def warnings(self) -> list[str]:
        """What to review before applying the forward steps (placeholders, rewrites, checks on the data)."""
        return [s.warning for s in self.forward if s.warning]

    def sql(self, *, undo: bool = False, title: str | None = None) -> str:
        """The migration (or its undo) as one SQL script, ready for the database's client (``psql -f``)."""
        steps = self.reverse if undo else self.forward
        return get_dialect(self.dialect).migration_script(steps, self.settings,
                                                          title or ("undo" if undo else "migration"))

    def part_sql(self, steps: list[Step], title: str) -> str:
        """Some of the steps (a part of a migration cut for Flyway) as one SQL script, with the settings."""
        return get_dialect(self.dialect).migration_script(steps, self.settings, title)


def plan(changes: list[ch.Change], *, allow_destructive: bool = False, online: bool = True,
         row_counts: Mapping[tuple[str, str], int] | None = None, lock_timeout: str = "5s",
         statement_timeout: str = "30min", dialect: str = "postgresql", cleanup: list | None = None,
         old: Schema | None = None) -> Plan:
    """The forward steps for ``changes`` and the undo steps (the reversed changes). Raises
    DestructiveChangeError when the forward steps destroy data and ``allow_destructive`` is False.
    ``online=False`` gives plain DDL (no CONCURRENTLY / NOT VALID), for databases not in use. ``cleanup``:
    the user's cleanup rules (``diff.cleanup``), placed before the tightenings they match (``old``: the
    schema the migration starts from, for the defaults of the rules)."""
    counts = dict(row_counts or {})
    sql = get_dialect(dialect)
    forward = sql.change_steps(changes, online=online, renames_first=True, row_counts=counts)
    backward = _restores_no_data(changes, sql.change_steps([c.reverse() for c in reversed(changes)], online=online,
                                                           renames_first=False, row_counts=counts))
    result = Plan(list(changes), forward, backward, sql.session_settings(lock_timeout, statement_timeout), dialect)
    if cleanup:
        from schemawright.diff.cleanup import apply_cleanup

        result.forward, result.cleaned = apply_cleanup(forward, cleanup, old or Schema(), dialect)
        forward = result.forward
    impossible = [s for s in forward if s.needs_empty and counts.get(s.needs_empty, 0) > 0]
    if impossible:
        raise DestructiveChangeError("refusing a migration that cannot apply:\n" + "\n".join(
            f"  - {'.'.join(s.needs_empty)} has {counts[s.needs_empty]:,} rows: {s.warning}" for s in impossible))
    if not allow_destructive:
        refuse_data_loss(changes, result.data_loss)
    return result


def _restores_no_data(changes: list[ch.Change], backward: list[Step]) -> list[Step]:
    """The undo of a dropped column or table brings it back empty: said on its first step (a REVIEW line in the
    undo), as the forward file says DATA LOSS."""
    out, seen = [], set()
    for step in backward:
        original = changes[len(changes) - 1 - step.change] if step.change is not None else None
        if step.change not in seen and isinstance(original, (ch.DropColumn, ch.DropTable)) and original.data_loss:
            seen.add(step.change)
            what = (f"re-adds column {original.schema}.{original.table}.{original.column.name}"
                    if isinstance(original, ch.DropColumn) else
                    f"recreates table {original.table.schema}.{original.table.name}")
            note = f"{what} empty: the values the migration dropped are not restored (restore them from a backup)"
            step = replace(step, warning=f"{step.warning}; {note}" if step.warning else note)
        out.append(step)
    return out


def refuse_data_loss(changes: list[ch.Change], notes: list[str]) -> None:
    """DestructiveChangeError listing ``notes`` (what the steps destroy), with rename hints, if any."""
    if notes:
        raise DestructiveChangeError("refusing a migration that destroys data (rerun with --allow-destructive "
                                     "to accept it):\n" + "\n".join(f"  - {note}" for note in notes)
                                     + "".join(f"\n  hint: {h}" for h in rename_hints(changes)))


def rename_hints(changes: list[ch.Change]) -> list[str]:
    """A drop and an add that look alike (a column of the same type in the same table, a table with the same
    column names) are probably a rename: say how to declare it (``renamed_from``), which keeps the data."""
    hints = []
    dropped_cols = [c for c in changes if isinstance(c, ch.DropColumn)]
    for add in (c for c in changes if isinstance(c, ch.AddColumn)):
        for drop in dropped_cols:
            if (drop.schema, drop.table) == (add.schema, add.table) and drop.column.type == add.column.type:
                hints.append(f"if {add.schema}.{add.table}.{add.column.name} is {drop.column.name} renamed, declare "
                             f"it in the input (attribute {add.column.name}: renamed_from: {drop.column.name}) "
                             "and the values are kept")
                break
    dropped_tables = [c.table for c in changes if isinstance(c, ch.DropTable)]
    for add in (c.table for c in changes if isinstance(c, ch.AddTable)):
        names = {col.name for col in add.columns}
        for old in dropped_tables:
            same = names & {col.name for col in old.columns}
            if old.schema == add.schema and len(same) >= max(1, len(names) // 2):
                hints.append(f"if table {add.schema}.{add.name} is {old.name} renamed, declare it in the input "
                             f"(entity {add.name}: renamed_from: {old.name}) and its rows are kept")
                break
    return hints


def needs_backfill(change: ch.AddColumn) -> bool:
    """A new NOT NULL column with nothing to fill existing rows (no default, identity or expression)."""
    col = change.column
    return not col.nullable and col.default is None and not col.identity and col.generated is None
