"""Lint migration SQL for statements that lock or break a live database or its running clients.

    result = lint_migrations(["db/migrations"], config=load_migration_config(".schemawright-lint.yaml"))
    for finding in result.findings: ...

Files are linted in order (natural sort, so ``V2`` before ``V10``) as one migration set; undo files
(``U001__x.sql``, ``*.down.sql``) in a folder are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pglast.parser import ParseError

from schemawright.errors import SpecError, SpecProblem
from schemawright.findings import Finding, RuleInfo, Severity
from schemawright.lint.engine import LintConfig, RuleSet, is_suppressed, load_config
from schemawright.lint.migration_rules import ALL_RULES
from schemawright.lint.migration_state import (OPTIONS, Catalog, FileState, MigrationContext, MigrationSettings,
                                               Transaction, track)
from schemawright.lint.source import SqlFile, parse_files, parse_problem
from schemawright.project.layout import FILE_RE_ANY_CASE, forward_files, version_tuple

MIGRATION_RULES = RuleSet(ALL_RULES)
UNDO_FILE = re.compile(r"(^U\d[^/]*__.*|[._-]down|[._-]undo|^down|^undo)\.sql$", re.IGNORECASE)


@dataclass(frozen=True)
class LintResult:
    findings: list[Finding]
    files: list[str]
    statements: int
    rules: list[RuleInfo]

    def fails(self, threshold: Severity) -> bool:
        return any(f.severity.at_least(threshold) for f in self.findings)


def load_migration_config(path: str | Path) -> LintConfig:
    """Read a lint config (YAML: ``disable``, ``severity``, ``pg_version``, ``assume_in_transaction``, ``per_file``)."""
    return load_config(path, MIGRATION_RULES, OPTIONS)


def lint_migrations(paths: Iterable[str | Path], *, config: LintConfig | None = None,
                    history: bool = True) -> LintResult:
    """Lint SQL files and folders of SQL files as one migration set; ``SpecError`` for unreadable input.
    ``history``: a migration file given alone (``V3__x.sql``, as a pre-commit hook passes the changed files)
    is judged after the earlier versions of its folder, read for what they create but not reported on."""
    files = collect_sql_files(paths)
    context = _parse_quietly(history_of(files)) if history else []
    return lint_files(parse_files(files), config=config, context=context)


def history_of(files: Sequence[Path]) -> list[Path]:
    """The ``V<n>__*.sql`` files that precede the given migration files in their folders, not given themselves."""
    given = {p.resolve() for p in files}
    out: list[Path] = []
    for path in files:
        m = FILE_RE_ANY_CASE.match(path.name)
        if not m or m.group(1).upper() != "V":
            continue
        version = version_tuple(m.group(2))
        for earlier in forward_files(path.parent):
            e = FILE_RE_ANY_CASE.match(earlier.name)
            if version_tuple(e.group(2)) < version and earlier.resolve() not in given and earlier not in out:
                out.append(earlier)
    return sorted(out, key=lambda p: (str(p.parent), version_tuple(FILE_RE_ANY_CASE.match(p.name).group(2))))


def _parse_quietly(paths: list[Path]) -> list[SqlFile]:
    """The history files that parse (one that does not is linted when it is given itself)."""
    out = []
    for path in paths:
        try:
            out.append(SqlFile(str(path), path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError, ParseError):
            continue
    return out


def lint_sql(sql: str | Sequence[str], *, config: LintConfig | None = None) -> list[Finding]:
    """Lint SQL text (or several texts, as consecutive files ``1.sql``, ``2.sql``...) and return the findings."""
    texts = [sql] if isinstance(sql, str) else list(sql)
    files = []
    for i, text in enumerate(texts, 1):
        try:
            files.append(SqlFile(f"{i}.sql", text))
        except ParseError as exc:
            raise SpecError(parse_problem(f"{i}.sql", text, exc)) from None
    return lint_files(files, config=config).findings


def lint_files(files: Sequence[SqlFile], *, config: LintConfig | None = None,
               context: Sequence[SqlFile] = ()) -> LintResult:
    """Lint ``files`` in order, after reading ``context`` (earlier migrations: what they create) unreported."""
    config = config or LintConfig()
    settings = MigrationSettings.from_options(config.options)
    active = MIGRATION_RULES.configure(config)
    catalog = Catalog()
    for file in context:
        state = FileState(Transaction(None) if settings.assume_in_transaction else None)
        for statement in file.statements:
            track(MigrationContext(file, statement, settings, catalog, state))
    findings: list[Finding] = []
    for file in files:
        whole, per_statement = file.suppressions(MIGRATION_RULES.parse_ignore)
        state = FileState(Transaction(None) if settings.assume_in_transaction else None)
        for statement in file.statements:
            ctx = MigrationContext(file, statement, settings, catalog, state)
            suppressed = per_statement.get(statement.index, frozenset())
            findings.extend(f for f in active.check(statement.node, ctx)
                            if not is_suppressed(f, whole) and not is_suppressed(f, suppressed))
            track(ctx)
    findings.sort(key=Finding.sort_key)
    return LintResult(findings, [f.path for f in files], sum(len(f.statements) for f in files), active.infos())


def collect_sql_files(paths: Iterable[str | Path]) -> list[Path]:
    """The SQL files to lint: files as given, folders searched for ``*.sql`` (undo files skipped)."""
    found: list[Path] = []
    problems = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted((p for p in path.rglob("*.sql") if p.is_file() and not UNDO_FILE.search(p.name)),
                                key=_natural_key))
        elif path.is_file():
            found.append(path)
        else:
            problems.append(SpecProblem("no such file or folder", file=str(path)))
    if problems:
        raise SpecError(problems)
    if not found:
        raise SpecError(SpecProblem("no .sql files found", file=", ".join(str(p) for p in paths)))
    return found


def _natural_key(path: Path) -> list:
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", path.as_posix())]
