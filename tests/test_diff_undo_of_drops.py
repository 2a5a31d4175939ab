"""The undo of a migration that dropped a column or a table brings it back empty, and says so: the forward file
said DATA LOSS, the undo said nothing (parking_enforcement v2 dropped vehicles.color; ``migrate down`` re-added
it with every value NULL and no line in U002 told the user). Proven on PostgreSQL: the values really are gone
after the undo, as the REVIEW line says."""

from __future__ import annotations

from schemawright.db import connect, scratch_database
from schemawright.diff import diff, plan
from schemawright.project.sources import apply_sql, inspect_database

OLD = """
CREATE TABLE vehicles (id int PRIMARY KEY, plate text NOT NULL, color text);
CREATE TABLE tow_lots (id int PRIMARY KEY, name text);
INSERT INTO vehicles VALUES (1, 'AB12', 'red'), (2, 'CD34', 'blue');
INSERT INTO tow_lots VALUES (1, 'North');
"""
NEW = "CREATE TABLE vehicles (id int PRIMARY KEY, plate text NOT NULL);"


def test_the_undo_of_a_drop_says_the_values_are_not_restored(pg_dsn):
    with scratch_database(pg_dsn) as a_dsn, scratch_database(pg_dsn) as b_dsn, \
            connect(a_dsn, autocommit=True) as a, connect(b_dsn, autocommit=True) as b:
        apply_sql(a, OLD)
        apply_sql(b, NEW)
        migration = plan(diff(inspect_database(a), inspect_database(b)), allow_destructive=True)
        undo = migration.sql(undo=True)
        assert ("-- REVIEW: re-adds column public.vehicles.color empty: the values the migration dropped are not "
                "restored (restore them from a backup)") in undo
        assert "-- REVIEW: recreates table public.tow_lots empty" in undo
        apply_sql(a, migration.sql())
        apply_sql(a, undo)
        assert a.execute("SELECT count(color) FROM vehicles").fetchone()[0] == 0  # as it says: not restored
        assert a.execute("SELECT count(*) FROM tow_lots").fetchone()[0] == 0
