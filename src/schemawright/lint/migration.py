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


def lint_migrations(paths: Iterable[str | Path], *, config: LintConfig | None = None) -> LintResult:
    """Lint SQL files and folders of SQL files as one migration set; ``SpecError`` for unreadable input."""
    parsed = parse_files(collect_sql_files(paths))
    return lint_files(parsed, config=config)


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


def lint_files(files: Sequence[SqlFile], *, config: LintConfig | None = None) -> LintResult:
    config = config or LintConfig()
    settings = MigrationSettings.from_options(config.options)
    active = MIGRATION_RULES.configure(config)
    catalog = Catalog()
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
