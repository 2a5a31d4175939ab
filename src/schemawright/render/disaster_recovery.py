"""Disaster recovery: docs/disaster_recovery.md (the runbook, RPO/RTO) and the WAL archiving and
point-in-time-recovery section of config/postgresql.conf.example.

The task input has no recovery objectives, so seed 004's defaults hold (RPO < 1 hour, RTO < 4 hours) and
seed 002's "data can be restored within 30 minutes" is the restore target that ``schemawright verify
--backup`` measures against (its backup.json, when known, is quoted in the runbook).
"""

from __future__ import annotations

from schemawright.escape import md_text
from schemawright.model.names import slug
from schemawright.render import Artifact, RenderContext, Renderer
from schemawright.render.config import ConfigSection, config_section

RPO, RTO, RESTORE_TARGET = "1 hour", "4 hours", "30 minutes"
ARCHIVE_TIMEOUT = "300s"  # a WAL segment is archived at least every 5 minutes: well inside the 1-hour RPO


@config_section
def recovery_sections(ctx: RenderContext) -> list[ConfigSection]:
    lines = [
        f"# Point-in-time recovery (RPO < {RPO}, seed 004): every WAL segment is archived, and at least",
        f"# every {ARCHIVE_TIMEOUT} even when little is written, so at most 5 minutes of changes can be lost.",
        "wal_level = replica",
        "archive_mode = on                      # needs a restart",
        "archive_command = 'test ! -f <wal_archive_dir>/%f && cp %p <wal_archive_dir>/%f'  # or pgBackRest / WAL-G",
        f"archive_timeout = {ARCHIVE_TIMEOUT}",
        "max_wal_senders = 10                   # pg_basebackup and replicas",
        "wal_keep_size = 1GB",
        "# To recover to a point in time: restore the newest pg_basebackup, create recovery.signal and set",
        "# restore_command = 'cp <wal_archive_dir>/%f %p'",
        "# recovery_target_time = '<YYYY-MM-DD HH:MM:SS+00>'",
        "# recovery_target_action = 'promote'",
    ]
    return [ConfigSection("postgresql.conf.example", "WAL archiving and point-in-time recovery", lines, order=300)]


def runbook(ctx: RenderContext) -> str:
    name = ctx.schema.facts.project.name
    prefix = slug(name) or "database"
    lines = [f"# Disaster recovery: {md_text(name)}", "",
             "## Objectives", "",
             "| objective | value | source |", "|---|---|---|",
             f"| recovery point objective (RPO) | < {RPO} | seed 004 default (the task input states none) |",
             f"| recovery time objective (RTO) | < {RTO} | seed 004 default (the task input states none) |",
             f"| restore of a backup | < {RESTORE_TARGET} | seed 002 |", "",
             "## What protects the data", "",
             "| layer | how | loses at most |", "|---|---|---|",
             f"| WAL archiving | `archive_mode = on`, `archive_timeout = {ARCHIVE_TIMEOUT}` "
             "(config/postgresql.conf.example) | 5 minutes of changes |",
             "| base backup | `pg_basebackup -D <dir> -Ft -z -X stream` weekly, kept with the WAL since it | "
             "(with WAL) nothing before the last archived segment |",
             "| logical backup | `scripts/maintenance/backup.sh` daily: pg_dump custom format, checked with "
             "pg_restore --list, encrypted when BACKUP_PASSPHRASE is set, 0600 in a 0700 folder | one day |", ""]
    proof = ctx.results.get("backup.json")
    lines += ["## Proven restore", ""]
    if proof:
        p = proof.get("projection", {})
        lines += [f"`schemawright verify --backup` backed up a seeded copy ({proof.get('rows_loaded', 0):,} rows) with "
                  f"backup.sh in {proof.get('backup_seconds')} s and restored it with restore.sh in "
                  f"{proof.get('restore_seconds')} s; every table's row count and checksum were "
                  f"{'equal' if proof.get('passed') else 'NOT all equal'}. Projected to the target volume: restore "
                  f"{p.get('restore_seconds')} s, {'within' if p.get('restore_within_target') else 'NOT within'} "
                  f"the {RESTORE_TARGET} target.", ""]
    else:
        lines += ["Not measured yet: `schemawright verify <folder> --backup` backs up a seeded copy with the "
                  "generated script, restores it into a new database, compares every table's row count and "
                  "checksum and projects the times to the target volume (backup.json).", ""]
    lines += ["## Runbooks", "",
              "### A table or rows were deleted by mistake (logical error)", "",
              "1. Note the time just before the mistake (from the audit trail or the application log).",
              "2. Restore the newest logical backup before it into a scratch database: "
              "`createdb restore_check && DATABASE_URL=.../restore_check scripts/maintenance/restore.sh "
              f"backups/{prefix}_<stamp>.dump`.",
              "3. Copy the lost rows back (`\\copy` or `INSERT ... SELECT` over dblink/postgres_fdw); for changes "
              "after the backup, do a point-in-time recovery (below) into a scratch server instead.", "",
              "### The server or its disk is lost", "",
              "1. Provision a server with the same PostgreSQL major version; create the project's roles "
              "(migrations/V001 lists them) as a superuser.",
              "2. Restore the newest base backup into the data directory, create `recovery.signal`, set "
              "`restore_command` (config/postgresql.conf.example) and start: PostgreSQL replays the archived "
              "WAL to the end, or to `recovery_target_time`.",
              "3. Without base backups: `scripts/maintenance/restore.sh` the newest logical backup into an "
              "empty database (one transaction; owners kept).",
              "4. Check: `schemawright lint --allow-unmodelled $DATABASE_URL`, the row counts of the main tables, the "
              "application's smoke tests; then point the application (or pgbouncer) at the new server.", "",
              "### A replica lags or is lost", "",
              "The alerts PostgresReplicationLag (> 60 s) and PostgresReplicationLagCritical (> 15 min) in "
              "monitoring/prometheus/alerts.yml fire first. Rebuild a lost replica with "
              "`pg_basebackup -R` from the primary.", "",
              "## Drills", "",
              "- Monthly: restore the newest logical backup into a scratch database and run the checks above; "
              "record the time against the RTO.",
              "- Quarterly: a point-in-time recovery to a chosen time on a scratch server.",
              "- After each schema change: `schemawright verify --backup` on the new design.", ""]
    return "\n".join(lines)


class DisasterRecovery(Renderer):
    name = "disaster_recovery"

    def render(self, ctx: RenderContext) -> list[Artifact]:
        return [Artifact("docs/disaster_recovery.md", runbook(ctx), "doc",
                         "Disaster recovery: RPO/RTO, WAL archiving, restore runbooks and drills")]
