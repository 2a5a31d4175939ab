"""Operations material: the backup and restore scripts round-trip a database, monitoring queries run."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import psycopg
import pytest

from schemawright.api import design_project
from schemawright.db import scratch_database
from schemawright.db.embedded import bin_dir
from schemawright.verify.runner import apply_files, load_model, read_migrations
from schemawright.verify.security import scratch_roles

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "ecommerce.json"


@pytest.mark.parametrize("passphrase", [None, "correct horse battery staple"], ids=["plain", "encrypted"])
def test_backup_and_restore_scripts_round_trip(tmp_path, pg_dsn, passphrase):
    if passphrase and shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    project = tmp_path / "db"
    design_project(EXAMPLE, project)
    forward, _ = read_migrations(project)
    env = {**os.environ, "PATH": f"{bin_dir()}:{os.environ['PATH']}", "BACKUP_DIR": str(tmp_path / "backups")}
    env.pop("BACKUP_PASSPHRASE", None)
    if passphrase:
        env["BACKUP_PASSPHRASE"] = passphrase
    with scratch_roles(pg_dsn, load_model(project)), scratch_database(pg_dsn) as source, \
            scratch_database(pg_dsn) as target:
        with psycopg.connect(source, autocommit=True) as conn:
            assert apply_files(conn, forward) == []
            conn.execute("INSERT INTO categories (name) VALUES ('books'), ('it''s \\ odd')")
            conn.execute(open(project / "scripts/maintenance/monitoring.sql").read())  # every query runs
        done = subprocess.run([str(project / "scripts/maintenance/backup.sh")], env={**env, "DATABASE_URL": source},
                              capture_output=True, text=True, check=True)
        backup = Path(done.stdout.strip())
        assert backup.exists() and backup.name.endswith(".dump.enc" if passphrase else ".dump")
        if passphrase:
            assert b"books" not in backup.read_bytes()
        subprocess.run([str(project / "scripts/maintenance/restore.sh"), str(backup)],
                       env={**env, "DATABASE_URL": target}, capture_output=True, text=True, check=True)
        with psycopg.connect(target) as conn:
            names = {r[0] for r in conn.execute("SELECT name FROM categories")}
    assert names == {"books", "it's \\ odd"}


def test_backup_script_refuses_to_run_without_a_database_url(tmp_path):
    project = tmp_path / "db"
    design_project(EXAMPLE, project)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    done = subprocess.run([str(project / "scripts/maintenance/backup.sh")], env=env, capture_output=True, text=True)
    assert done.returncode != 0 and "set DATABASE_URL" in done.stderr
