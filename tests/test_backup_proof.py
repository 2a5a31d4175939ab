"""``schemawright verify --backup``: a seeded copy backed up with the generated backup.sh and restored with
restore.sh into a new database has every table's row count and content checksum equal; the times are
projected to the target volume. Plus the WAL archiving settings (names and values PostgreSQL knows) and
the disaster-recovery runbook."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import psycopg
import pytest

from schemawright.api import design_project
from schemawright.bench.backup import RESTORE_TARGET_S, prove_backup, table_fingerprints
from schemawright.model.schema import Schema, Table

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("backup") / "library"
    design_project(ROOT / "tests/inputs/library.yaml", folder)
    return folder


def test_backup_and_restore_keep_every_row_of_every_table(library):
    report = prove_backup(library, scale=0.01)
    assert report["passed"]
    assert report["rows_loaded"] > 100 and report["seeded_tables"] >= 5
    assert all(t["equal"] and t["rows"] == t["restored_rows"] and t["checksum"] == t["restored_checksum"]
               for t in report["tables"])
    assert report["backup_seconds"] > 0 and report["restore_seconds"] > 0 and report["dump_bytes"] > 0
    p = report["projection"]
    assert p["factor"] > 1 and p["restore_seconds"] >= report["restore_seconds"]
    assert p["restore_target_seconds"] == RESTORE_TARGET_S == 1800
    assert p["restore_within_target"] == (p["restore_seconds"] <= 1800)
    assert json.loads((library / "backup.json").read_text())["passed"]


def test_fingerprints_see_one_changed_value_and_one_missing_row(scratch_dsn):
    schema = Schema(tables=[Table(name="t")])
    with psycopg.connect(scratch_dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE t (id int PRIMARY KEY, v text); "
                     "INSERT INTO t SELECT i, 'v' || i FROM generate_series(1, 50) AS i")
        first = table_fingerprints(scratch_dsn, schema)["t"]
        conn.execute("UPDATE t SET v = 'changed' WHERE id = 7")
        changed = table_fingerprints(scratch_dsn, schema)["t"]
        conn.execute("DELETE FROM t WHERE id = 8")
        fewer = table_fingerprints(scratch_dsn, schema)["t"]
    assert first["rows"] == changed["rows"] == 50 and first["checksum"] != changed["checksum"]
    assert fewer["rows"] == 49


def test_verify_backup_command_reports_the_projection(library):
    done = subprocess.run([str(ROOT / ".venv/bin/schemawright"), "verify", str(library), "--backup"],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "tables equal (row count and content checksum)" in done.stdout
    assert "30-minute restore target" in done.stdout


def test_wal_archiving_settings_are_postgresql_settings(library, pg_dsn):
    conf = (library / "config/postgresql.conf.example").read_text()
    section = conf[conf.index("# --- WAL archiving"):]
    section = section[:section.index("# ---", 5)] if "# ---" in section[5:] else section
    settings = {}
    for line in section.splitlines():
        if line and not line.startswith("#") and "=" in line:
            name, value = (x.strip() for x in line.split("#")[0].split("=", 1))
            settings[name] = value.strip("'")
    assert {"wal_level", "archive_mode", "archive_command", "archive_timeout"} <= set(settings)
    with psycopg.connect(pg_dsn) as conn:
        for name, value in settings.items():
            row = conn.execute("SELECT vartype, enumvals FROM pg_settings WHERE name = %s", (name,)).fetchone()
            assert row, f"{name} is not a PostgreSQL setting"
            if row[0] == "enum":
                assert value in row[1], (name, value, row[1])
    assert "%p" in settings["archive_command"] and "%f" in settings["archive_command"]


def test_disaster_recovery_runbook_states_rpo_rto_and_the_restore_target(library):
    doc = (library / "docs/disaster_recovery.md").read_text()
    assert "< 1 hour" in doc and "< 4 hours" in doc and "< 30 minutes" in doc
    assert "recovery_target_time" in doc or "restore_command" in doc
    assert "scripts/maintenance/restore.sh" in doc
