"""From two sources to the next versioned migration (``V<n+1>__<desc>.sql``) and its undo
(``U<n+1>__<desc>.sql``): load, diff, plan, write."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from schemawright.model import changes as ch
from schemawright.model.changes import Change
from schemawright.diff.compare import Skipped, diff, unmodelled_differences
from schemawright.diff.cleanup import load_cleanup
from schemawright.diff.flyway import CONF_TEXT, MIXED_CONF_TEXT
from schemawright.diff.flyway import split as flyway_parts
from schemawright.diff.planning import DestructiveChangeError, Plan, needs_backfill, plan, refuse_data_loss
from schemawright.dialects import get_dialect
from schemawright.errors import SchemawrightError
from schemawright.model.schema import Schema
from schemawright.model.serialize import schema_to_json
from schemawright.project.layout import MODEL_PATH
from schemawright.project.sources import count_rows, is_dsn, load_schema, migration_files

DEFAULT_WIDTH = 3  # V001, as 'schemawright design' numbers them


@dataclass
class Migration:
    plan: Plan
    description: str
    target: Schema | None = None  # the schema the migration leads to
    notes: list[str] = field(default_factory=list)  # checks that could not run on the live data, and why
    skipped: list[Skipped] = field(default_factory=list)  # unmodelled differences the migration leaves out

    @property
    def changes(self) -> list[Change]:
        return self.plan.changes

    def forward_sql(self, title: str | None = None) -> str:
        return self.skipped_header() + self.plan.sql(title=title or self.description)

    def undo_sql(self, title: str | None = None) -> str:
        return self.skipped_header(undo=True) + self.plan.sql(undo=True, title=title or f"undo of {self.description}")

    def skipped_header(self, undo: bool = False) -> str:
        """A comment block listing what the migration does NOT do (objects the schema model does not hold)."""
        if not self.skipped:
            return ""
        what = "undo" if undo else "migration"
        lines = [f"-- WARNING: this {what} is INCOMPLETE. {len(self.skipped)} difference(s) between the two schemas "
                 "concern objects the schema model does not hold; they are NOT migrated here, do them by hand:"]
        lines += [f"--   {' '.join(s.text.split())}" for s in self.skipped]
        return "\n".join(lines) + "\n\n"


def make_migration(source_from: str, source_to: str, *, dsn: str | None = None, allow_destructive: bool = False,
                   online: bool = True, description: str | None = None, lock_timeout: str = "5s",
                   statement_timeout: str = "30min", cleanup: str | Path | None = None) -> Migration:
    """Diff two sources (see ``sources.load_schema``) into a migration. When ``source_from`` is a live
    database, data-loss notes carry the row counts. Raises DestructiveChangeError unless
    ``allow_destructive``. ``cleanup``: a cleanup file (``diff.cleanup``): data changes placed before the
    tightenings they make pass."""
    rules = load_cleanup(cleanup) if cleanup is not None else []
    old = load_schema(source_from, dsn=dsn)
    new = load_schema(source_to, dsn=dsn)
    changes = diff(old, new)
    skipped = unmodelled_differences(old, new)
    counts = None
    if is_dsn(source_from):
        tables = {c.loss_table for c in changes if c.data_loss and c.loss_table}
        tables |= {(c.schema, c.table) for c in changes if isinstance(c, ch.AddColumn) and needs_backfill(c)}
        counts = count_rows(source_from, tables)
    live = is_dsn(source_from)
    result = plan(changes, allow_destructive=allow_destructive or live, online=online, row_counts=counts,
                  lock_timeout=lock_timeout, statement_timeout=statement_timeout, cleanup=rules, old=old)
    notes: list[str] = []
    if live:  # a conversion the rows show to be lossless destroys nothing: refused only for what it would lose
        notes, counted = check_live_data(source_from, result, result.cleaned)
        if not allow_destructive:
            refuse_data_loss(changes, [s.data_loss + (f"; {counted[id(s)]}" if counted.get(id(s)) else "")
                                       for s in result.forward if s.data_loss and counted.get(id(s), "?")])
    return Migration(result, slug(description) if description else describe(changes), target=new, notes=notes,
                     skipped=skipped)


def check_live_data(dsn: str, result: Plan, cleaned: dict[int, list] | None = None) -> tuple[list[str], dict[int, str]]:
    """Count, in the live database the migration starts from, the rows each tightening would refuse (NULLs
    under a new NOT NULL, rows violating a new CHECK, duplicates under a new UNIQUE, values a narrower type
    cannot hold) and refuse the migration, with the counts and the fix, when any has some. Values that a
    conversion changes (truncated, rounded) are reported as data loss by the planner. Returns the checks that
    could not run (they name what the migration itself creates, e.g. a renamed column) or that a cleanup the
    user asked for (``cleaned``: by step id, its rules) takes care of, and, by step id, what each conversion
    step would change ("": no row)."""
    import psycopg

    from schemawright.db import connect

    problems, unchecked, counted = [], [], {}
    with connect(dsn, autocommit=True) as conn:
        conn.read_only = True
        for step in result.forward:
            if step.data_check is None:
                continue
            what, query, fix, fails = step.data_check
            try:
                with conn.transaction():
                    count = conn.execute(query, prepare=False).fetchone()[0]
            except psycopg.Error as exc:
                fills = _placeholders_of(result, step)
                if fails and fills:  # a new NOT NULL column's placeholder: the CHECK judged with it in the rows
                    try:
                        with conn.transaction():
                            query = get_dialect("postgresql").placeholder_check_query(*step.tightens[1:3],
                                                                                   step.tightens[5], fills)
                            count = conn.execute(query, prepare=False).fetchone()[0]
                    except psycopg.Error:
                        count = None
                    if count:
                        problems.append(f"{what}: the placeholder {', '.join(f'{c} = {v}' for c, v in fills.items())} "
                                        f"that the {count:,} existing row(s) get would make it fail; give the "
                                        "attribute a default the rule accepts in the input, or a fill expression in "
                                        "a cleanup file (diff --cleanup)")
                    if count is not None:
                        continue
                if fails:  # it names what the migration creates first (a renamed column)
                    unchecked.append(f"{what}: not checked against the data ({str(exc).strip().splitlines()[0]})")
                    continue
                count, fix = None, f"{fix} ({str(exc).strip().splitlines()[0]})"
            if count == 0:
                if not fails:
                    counted[id(step)] = ""
                continue
            if count is not None and (cleaned or {}).get(id(step)):
                unchecked.append(f"{what}: {count:,} row(s) {'would make it fail' if fails else 'hold values it changes'}"
                                 "; cleaned first: " + "; ".join(r.describe() for r in cleaned[id(step)]))
                if not fails:
                    counted[id(step)] = ""  # the cleanup leaves no value for the conversion to change
                continue
            if count is None or fails:
                shown = "some values do not convert" if count is None else f"{count:,} row(s)"
                problems.append(f"{what}: {shown} in the database would make it fail; {fix}")
            else:
                counted[id(step)] = f"{what}: {count:,} row(s) hold values it changes; {fix}"
    if problems:
        raise DestructiveChangeError("refusing a migration that cannot apply on this database's rows:\n"
                                     + "\n".join(f"  - {p}" for p in problems)
                                     + "\n  or let the migration clean those rows first: diff --cleanup FILE "
                                       "(fill NULLs, delete duplicates, fix or delete violating rows, map removed "
                                       "values, fit values to a narrower type; see docs/migrations.md)")
    return unchecked, counted


def _placeholders_of(result: Plan, step) -> dict[str, str]:
    """The placeholders (column -> typed value) that the existing rows get in the new NOT NULL columns a CHECK
    step reads (none when a cleanup fills the column instead: its placeholder step is gone)."""
    t = step.tightens
    if t is None or t[0] != "check" or len(t) < 6:
        return {}
    return {p[3]: p[4] for s in result.forward if (p := s.tightens) is not None and p[0] == "placeholder"
            and len(p) > 4 and p[1:3] == t[1:3] and p[3] in t[4]}


_FOLLOW_UPS = (ch.AddView, ch.DropView, ch.SetComment, ch.SessionRole, ch.GrantPrivileges, ch.RevokePrivileges,
               ch.AddPolicy, ch.DropPolicy)


def describe(changes: list[ch.Change]) -> str:
    """A file-name description: the one change made (views rebuilt, comments, grants aside), else the one
    table altered, else ``schema_changes``."""
    main = [c for c in changes if not isinstance(c, _FOLLOW_UPS)] or changes
    if not main:
        return "no_changes"
    if len(main) == 1:
        return slug(re.sub(r"(?<!^)([A-Z])", r"_\1", type(main[0]).__name__) + "_" + "_".join(_names(main[0])))
    tables = {getattr(c, "table", None) if isinstance(getattr(c, "table", None), str) else None for c in main}
    if len(tables) == 1 and None not in tables:
        return slug(f"alter_{tables.pop()}")
    return "schema_changes"


def _names(change: ch.Change) -> list[str]:
    """The names a change is about: its table, then the object on it."""
    out = []
    for attr in ("table", "view", "function", "enum", "role", "policy", "column", "index", "constraint",
                 "foreign_key", "trigger", "name", "new"):
        value = getattr(change, attr, None)
        if isinstance(value, str) or hasattr(value, "name"):
            out.append(value if isinstance(value, str) else value.name)
    return out[:2]


def slug(text: str) -> str:
    return (re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "migration")[:60]


def next_version(folder: Path) -> str:
    """The version after the highest ``V<n>`` in ``folder``, zero-padded like the existing files."""
    versions = [re.match(r"V(\d+)", f.name).group(1) for f in migration_files(folder)]
    if not versions:
        return f"{1:0{DEFAULT_WIDTH}d}"
    last = max(versions, key=int)
    return f"{int(last) + 1:0{len(last)}d}"


def write_migration(migration: Migration, folder: str | Path, *, flyway: bool = False) -> list[Path]:
    """Write ``V<n+1>__<desc>.sql`` and ``U<n+1>__<desc>.sql`` into ``folder`` (all files or none); the paths,
    forward files first. ``flyway``: a migration with steps that cannot run in a transaction is cut into
    Flyway-ready versioned files (``diff.flyway``): each such step alone in ``V<n+1>_<k>__...sql`` with
    Flyway's script config ``<file>.conf`` saying ``executeInTransaction=false``, the steps between them in
    transactional files; an undo file with such steps gets the same config (see docs/migrations.md)."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise SchemawrightError(f"{folder} is not a folder")
    folder.mkdir(parents=True, exist_ok=True)
    version = next_version(folder)
    desc = migration.description
    plan_ = migration.plan
    parts = (flyway_parts(plan_.forward, plan_.reverse, len(plan_.changes), plan_.dialect)
             if flyway and any(not s.transactional for s in plan_.forward) else None)
    if parts is None or len(parts) == 1:
        forward_texts = [migration.forward_sql(f"V{version}__{desc}")]
        undo_texts = [migration.undo_sql(f"U{version}__{desc}")]
        stems = [f"{version}__{desc}"]
        confs = [(not all(s.transactional for s in plan_.forward), not all(s.transactional for s in plan_.reverse))]
    else:
        stems = [f"{version}__{desc}" if k == 0 else f"{version}_{k}__{slug(desc + '_' + p.label)}"
                 for k, p in enumerate(parts)]
        forward_texts, undo_texts, confs = [], [], []
        for k, (stem, p) in enumerate(zip(stems, parts)):
            head = (f"-- Part {k + 1} of {len(parts)} of migration {version} ({desc}), cut for Flyway by schemawright "
                    "diff --flyway: " + ("one statement that cannot run in a transaction (see the .conf beside "
                                         "this file)" if not p.transactional else "runs in one transaction") + "\n")
            forward_texts.append(head + (migration.skipped_header() if k == 0 else "")
                                 + plan_.part_sql(p.forward, f"V{stem}"))
            undo_texts.append(f"-- Undo of part {k + 1} of {len(parts)} of migration {version} ({desc})\n"
                              + (migration.skipped_header(undo=True) if k == 0 else "")
                              + plan_.part_sql(p.undo, f"U{stem}"))
            confs.append((not p.transactional, not p.undo_transactional))
    names = [f"V{s}.sql" for s in stems] + [f"U{s}.sql" for s in stems]
    clash = [n for n in names if (folder / n).exists()] + [
        f.name for f in folder.glob(f"[VU]{version}[_.]*.sql") if re.match(rf"[VU]{version}[_.]\d", f.name)] + [
        f.name for f in folder.glob(f"U{version}__*.sql")]
    if clash:
        raise SchemawrightError(f"{folder}: {', '.join(sorted(set(clash)))} already exist(s); nothing was written")
    texts = tuple(forward_texts + undo_texts)
    paths = [folder / n for n in names]
    temps = [folder / f".{n}.tmp" for n in names]
    written = len(paths)
    if flyway:
        for name, (fwd, back) in zip(names, confs):
            for kind, needs in (("V", fwd), ("U", back)):
                if needs:
                    conf = f"{kind}{name[1:]}.conf"
                    paths.append(folder / conf)
                    temps.append(folder / f".{conf}.tmp")
                    texts += (CONF_TEXT if kind == "V" and parts is not None and len(parts) > 1 else MIXED_CONF_TEXT,)
    # In a project written by `design`, the model files must describe the newest migration (verify, seed
    # and bench read them), so they are replaced together with the new files.
    project = folder.parent if folder.name == "migrations" and (folder.parent / MODEL_PATH).is_file() else None
    if project is not None and migration.target is not None:
        model_text = json.dumps(schema_to_json(migration.target), ensure_ascii=False, separators=(",", ":")) + "\n"
        ddl = "\n\n".join(s.sql for s in get_dialect().create_statements(migration.target)) + "\n"
        physical = project / "models/physical/physical_model.sql"
        header = f"-- Physical model after {names[len(stems) - 1]}: the complete DDL (generated by schemawright diff)\n\n"
        paths += [project / MODEL_PATH, physical]
        temps += [project / f"{MODEL_PATH}.tmp", physical.with_suffix(".sql.tmp")]
        texts += (model_text, header + ddl)
    try:
        for tmp, text in zip(temps, texts):
            tmp.write_text(text, encoding="utf-8")
        for tmp, path in zip(temps, paths):
            os.replace(tmp, path)
    except OSError as exc:
        for p in temps + paths[:written]:
            p.unlink(missing_ok=True)
        raise SchemawrightError(f"could not write the migration into {folder}: {exc}") from exc
    return paths[:written]
