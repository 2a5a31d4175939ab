"""Retention rules are scheduled: the generated folder holds a pg_cron registration (a NOTICE where the server
has no pg_cron) and a cron script; both run against PostgreSQL, and the script removes what is older."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import psycopg
import pytest

from schemawright.api import design_project
from schemawright.db import scratch_database
from schemawright.project.applier import apply_sql

INPUT = Path(__file__).resolve().parent / "inputs" / "coworking.yaml"


@pytest.mark.skipif(shutil.which("psql") is None, reason="psql is not installed")
def test_retention_is_scheduled_and_runs(tmp_path, pg_dsn):
    result = design_project(INPUT, tmp_path / "out")
    out = tmp_path / "out"
    assert any(i.rule == "retention.schedule" for i in result.schema.inferences)
    script = out / "scripts" / "maintenance" / "retention.sh"
    schedule = (out / "scripts" / "maintenance" / "retention_schedule.sql").read_text()
    assert "cron.schedule_in_database" in schedule
    with scratch_database(pg_dsn, "sw_retention") as dsn, psycopg.connect(dsn, autocommit=True) as conn:
        apply_sql(conn, (out / "migrations" / "V001__initial_schema.sql").read_text())
        notices: list[str] = []
        conn.add_notice_handler(lambda d: notices.append(d.message_primary))
        conn.execute(schedule.encode())  # no pg_cron on this server: a NOTICE naming the cron script
        assert any("retention.sh" in n for n in notices), notices
        env = dict(os.environ, DATABASE_URL=dsn)
        run = subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr
        assert "fn_badge_scans_retention" in run.stdout
