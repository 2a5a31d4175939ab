"""``migrate status``: every version of the folder and of the history table, and its state."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from schemawright.db import connect, resolve_dsn
from schemawright.migrate.files import checksum, load_migrations, version_text
from schemawright.migrate.history import DEFAULT_TABLE, History
from schemawright.migrate.runner import APPLICATION_NAME

STATES = ("applied", "pending", "failed", "undo-incomplete", "checksum-mismatch", "missing")


@dataclass(frozen=True)
class VersionStatus:
    version: str
    description: str
    script: str
    state: str  # one of STATES
    detail: str = ""
    applied_at: str | None = None
    applied_by: str | None = None
    execution_ms: int | None = None


@dataclass
class StatusReport:
    table: str
    versions: list[VersionStatus] = field(default_factory=list)

    @property
    def current(self) -> str | None:
        """The highest applied version."""
        applied = [v for v in self.versions if v.state in ("applied", "checksum-mismatch")]
        return applied[-1].version if applied else None

    @property
    def pending(self) -> int:
        return sum(v.state == "pending" for v in self.versions)

    def to_dict(self) -> dict:
        return {"table": self.table, "current": self.current, "pending": self.pending,
                "versions": [asdict(v) for v in self.versions]}


def migration_status(directory: str | Path, dsn: str | None = None, *, table: str = DEFAULT_TABLE) -> StatusReport:
    """Read-only: takes no lock and creates nothing."""
    migrations = {m.version: m for m in load_migrations(directory)}
    with connect(resolve_dsn(dsn, database=True), autocommit=True, application_name=APPLICATION_NAME) as conn:
        history = History(conn, table)
        rows = history.rows()
    top = max((v for v, r in rows.items() if r.success), default=None)
    report = StatusReport(table=history.display)
    for version in sorted(set(migrations) | set(rows)):
        m, row = migrations.get(version), rows.get(version)
        if row is None:
            late = top is not None and version < top
            report.versions.append(VersionStatus(
                version_text(version), m.description, m.path.name, "pending",
                f"out of order (below applied {version_text(top)}): 'up' refuses it" if late else ""))
            continue
        when = {"applied_at": row.applied_at.isoformat(timespec="seconds") if row.applied_at else None,
                "applied_by": row.applied_by, "execution_ms": row.execution_ms}
        if m is None:
            state, detail = "missing", "applied, but its file is not in the folder"
        elif row.direction == "down":
            state, detail = "undo-incomplete", f"undo stopped after statement {row.statements_done}"
        elif not row.success:
            state, detail = "failed", f"stopped after statement {row.statements_done}"
        elif row.checksum != checksum(m.sql()):
            state, detail = "checksum-mismatch", "the file was edited after it was applied"
        else:
            state, detail = "applied", ""
        if row.error and state in ("failed", "undo-incomplete"):
            detail += f": {row.error.splitlines()[0]}"
        report.versions.append(VersionStatus(row.version, row.description, row.script, state, detail, **when))
    return report
