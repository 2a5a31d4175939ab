"""``schemawright verify --backup``: the generated backup and restore scripts proven on seeded data.

A scratch database gets the design and synthetic rows (seed), ``scripts/maintenance/backup.sh`` backs it
up, ``scripts/maintenance/restore.sh`` restores the dump into a second, empty database, and every table's
row count and content checksum (md5 over the sorted md5 of each row's text) must be equal in both. The
backup and restore times are projected linearly from the measured database size to the design's
estimated size at its target volume (agent_output's storage estimate), against seed 002's "restore within
30 minutes". Writes backup.json beside the design.

It lives beside bench because it measures a seeded design (it uses seed, like bench).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

from psycopg import sql

from schemawright.analysis.confidence import write_atomically
from schemawright.analysis.storage import measured_storage
from schemawright.db import scratch_database
from schemawright.db.scratch import connect
from schemawright.db.embedded import binaries_for, private_server
from schemawright.errors import SchemawrightError
from schemawright.project.layout import load_model
from schemawright.render.agent_output import storage_detail
from schemawright.seed.run import seed
from schemawright.verify.security import scratch_roles

RESTORE_TARGET_S = 30 * 60  # seed 002: restore within 30 minutes
SCRIPT_TIMEOUT = 3600


class BackupProofError(SchemawrightError):
    exit_code = 4


def table_fingerprints(dsn: str, schema) -> dict[str, dict]:
    """Row count and content checksum of every table of the design (partitions counted in their parent)."""
    out = {}
    with connect(dsn, autocommit=True) as conn:
        for t in schema.tables:
            rel = sql.Identifier(t.schema or "public", t.name)
            count, digest = conn.execute(sql.SQL(
                "SELECT count(*), coalesce(md5(string_agg(h, '' ORDER BY h)), '') "
                "FROM (SELECT md5(r::text) AS h FROM {} AS r) AS rows").format(rel)).fetchone()
            out[f"{t.schema}.{t.name}" if t.schema not in (None, "", "public") else t.name] = {
                "rows": count, "checksum": digest}
    return out


def _run(script: Path, args: list[str], env: dict) -> tuple[float, str]:
    start = time.perf_counter()
    try:
        done = subprocess.run([str(script), *args], env=env, capture_output=True, text=True, timeout=SCRIPT_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise BackupProofError(f"{script.name} did not finish within {SCRIPT_TIMEOUT} s") from None
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise BackupProofError(f"{script.name} failed (exit {done.returncode}): {done.stderr.strip()[-1500:]}")
    return seconds, done.stdout.strip()


def prove_backup(folder: str | Path, dsn: str | None = None, *, scale: float = 0.01, max_rows: int = 100_000,
                 seed_value: int = 42) -> dict:
    """Back up a seeded copy of the design in ``folder`` with its own script, restore it into a new
    database, compare every table, and project the times (see the module doc). ``dsn``: the server
    (default: a private throw-away cluster, so the design's roles can be created and dropped)."""
    folder = Path(folder)
    model = load_model(folder)
    scripts = folder / "scripts" / "maintenance"
    for name in ("backup.sh", "restore.sh"):
        if not (scripts / name).is_file():
            raise BackupProofError(f"{folder}: no scripts/maintenance/{name} (a folder written by 'schemawright design')")
    bins = binaries_for(model.extensions)
    with contextlib.ExitStack() as stack:
        server = dsn if dsn is not None else stack.enter_context(private_server(model.extensions))
        stack.enter_context(scratch_roles(server, model))
        source = stack.enter_context(scratch_database(server))
        target = stack.enter_context(scratch_database(server))
        backups = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="sw-backup-")))
        seed(folder, source, scale=scale, seed=seed_value, max_rows=max_rows)
        env = {**os.environ, "PATH": f"{bins}:{os.environ.get('PATH', '')}", "BACKUP_DIR": str(backups)}
        env.pop("BACKUP_PASSPHRASE", None)
        with connect(source, autocommit=True) as conn:
            measured_bytes = sum(t["total_bytes"] for t in measured_storage(conn, model).values())
        backup_s, dump = _run(scripts / "backup.sh", [], {**env, "DATABASE_URL": source})
        dump_bytes = Path(dump).stat().st_size if dump and Path(dump).is_file() else None
        restore_s, _ = _run(scripts / "restore.sh", [dump], {**env, "DATABASE_URL": target})
        before, after = table_fingerprints(source, model), table_fingerprints(target, model)
    tables = []
    for name, want in before.items():
        got = after.get(name, {"rows": None, "checksum": None})
        tables.append({"table": name, "rows": want["rows"], "restored_rows": got["rows"],
                       "checksum": want["checksum"], "restored_checksum": got["checksum"],
                       "equal": want == got})
    target_bytes = storage_detail(model)["initial_bytes"]
    factor = target_bytes / measured_bytes if measured_bytes else None
    projected_restore = restore_s * factor if factor else None
    report = {
        "passed": all(t["equal"] for t in tables) and sum(t["rows"] for t in tables) > 0,
        "scale": scale, "rows_loaded": sum(t["rows"] for t in tables),
        "seeded_tables": len([t for t in tables if t["rows"]]),
        "tables_bytes": measured_bytes, "dump_bytes": dump_bytes,
        "backup_seconds": round(backup_s, 3), "restore_seconds": round(restore_s, 3),
        "target_bytes": target_bytes,
        "projection": {
            "method": "linear in data size: measured seconds x (estimated size of the design's tables at the "
                      "target volume / measured size of the seeded tables, indexes included); the fixed start-up "
                      "cost of the scripts is scaled too, so the projection errs on the slow side",
            "factor": round(factor, 1) if factor else None,
            "backup_seconds": round(backup_s * factor, 1) if factor else None,
            "restore_seconds": round(projected_restore, 1) if projected_restore else None,
            "restore_target_seconds": RESTORE_TARGET_S,
            "restore_within_target": projected_restore is not None and projected_restore <= RESTORE_TARGET_S,
        },
        "tables": tables,
    }
    write_atomically(folder / "backup.json", json.dumps(report, indent=2) + "\n")
    return report
