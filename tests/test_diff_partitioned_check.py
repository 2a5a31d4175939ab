"""A CHECK added to a populated partitioned table is planned online: ADD ... NOT VALID (a brief lock, no scan),
then VALIDATE CONSTRAINT (a scan under SHARE UPDATE EXCLUSIVE, reads and writes go on), as on a plain table.

PostgreSQL has no CONCURRENTLY index build and, before 18, no NOT VALID foreign key on a partitioned table, but
a NOT VALID CHECK it takes (and cascades to the partitions). Found evolving tests/inputs/parking_enforcement.yaml:
its v2 rule "ends_at is after started_at" on the partitioned parking_sessions was added as a plain CHECK, and our
own ``lint-migrations`` refused our own diff's output with SW508 (check-without-not-valid)."""

from __future__ import annotations

from schemawright.db import connect, scratch_database
from schemawright.diff import diff, plan
from schemawright.lint.migration import lint_migrations
from schemawright.project.sources import apply_sql, inspect_database

OLD = """
CREATE TABLE sessions (id bigint NOT NULL, started_at date NOT NULL, ends_at date,
                       PRIMARY KEY (id, started_at)) PARTITION BY RANGE (started_at);
CREATE TABLE sessions_2024 PARTITION OF sessions FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE sessions_2025 PARTITION OF sessions FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
"""
NEW = OLD.replace("ends_at date,", "ends_at date, CONSTRAINT chk_sessions_order CHECK (ends_at > started_at),")


def test_a_check_on_a_populated_partitioned_table_is_added_not_valid_then_validated(pg_dsn, tmp_path):
    with scratch_database(pg_dsn) as a_dsn, scratch_database(pg_dsn) as b_dsn, \
            connect(a_dsn, autocommit=True) as a, connect(b_dsn, autocommit=True) as b:
        apply_sql(a, OLD)
        a.execute("INSERT INTO sessions VALUES (1, '2024-03-01', '2024-03-02'), (2, '2025-03-01', NULL)")
        apply_sql(b, NEW)
        forward = plan(diff(inspect_database(a), inspect_database(b)))
        script = forward.sql()
        added = [line for line in script.splitlines() if line.startswith("ALTER TABLE sessions ADD CONSTRAINT chk_sessions_order")]
        assert len(added) == 1 and added[0].endswith(" NOT VALID;"), added
        assert "ALTER TABLE sessions VALIDATE CONSTRAINT chk_sessions_order;" in script

        folder = tmp_path / "migrations"
        folder.mkdir()
        (folder / "V001__old.sql").write_text(OLD)
        (folder / "V002__check.sql").write_text(script)
        errors = [f for f in lint_migrations([folder]).findings if f.severity.name == "ERROR"]
        assert errors == [], [str(f) for f in errors]

        apply_sql(a, script)  # PostgreSQL takes it on the rows, validated on the parent and every partition
        rows = a.execute("SELECT c.relname, k.convalidated FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
                         "WHERE k.conname = 'chk_sessions_order' ORDER BY 1").fetchall()
        assert rows == [("sessions", True), ("sessions_2024", True), ("sessions_2025", True)]
        assert diff(inspect_database(a), inspect_database(b)) == []
