"""diff against live, populated databases, applied with the migration runner (issue 13): owners that
differ, steps that must work on tables with rows, tightenings checked against the data. Real PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest
from test_diff_roundtrip import restore_roles  # noqa: F401  (autouse: drops the roles a test created)

from schemawright.api import design_project
from schemawright.db import connect, scratch_database
from schemawright.diff.migration import make_migration, write_migration
from schemawright.migrate import apply_migrations, undo_migrations, verify_migrations
from schemawright.project.sources import load_schema

EXAMPLES = Path(__file__).parents[1] / "examples"
INPUTS = Path(__file__).parent / "inputs"


def _query(dsn: str, sql: str, *params):
    with psycopg.connect(dsn, autocommit=True) as conn:
        cur = conn.execute(sql, params)
        return cur.fetchall() if cur.description else None


def test_diff_between_databases_whose_owners_differ(tmp_path, pg_dsn):
    """A V001-migrated database (objects owned by <project>_owner, the history table by the runner) against
    the same schema owned by the connecting user: no crash, the owner change is planned both ways and
    applies with the runner."""
    project = tmp_path / "project"
    design_project(INPUTS / "library.yaml", project)
    migrations = project / "migrations"
    v001 = (migrations / "V001__initial_schema.sql").read_text()
    with scratch_database(pg_dsn, prefix="sw_owner_a") as a, scratch_database(pg_dsn, prefix="sw_owner_b") as b:
        apply_migrations(migrations, a)
        plain = tmp_path / "plain"
        plain.mkdir()
        # the same objects, created by the connecting user (no SET ROLE): another owner
        (plain / "V001__plain.sql").write_text("\n".join(
            line for line in v001.splitlines() if line.strip() not in ("SET ROLE library_owner;", "RESET ROLE;")))
        apply_migrations(plain, b)
        assert load_schema(a).owner == "library_owner" and load_schema(b).owner == "postgres"
        there = make_migration(a, b)
        assert "ALTER TABLE books OWNER TO postgres;" in there.forward_sql()
        back = make_migration(b, a)
        assert "ALTER TABLE books OWNER TO library_owner;" in back.forward_sql()
        out = tmp_path / "b_migrations"
        out.mkdir()
        (out / "V001__plain.sql").write_text((plain / "V001__plain.sql").read_text())
        write_migration(back, out)
        [result] = apply_migrations(out, b)
        assert result.version == "2"
        assert _query(b, "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public' "
                         "AND tablename <> 'schemawright_history'") == [("library_owner",)]
        assert not make_migration(b, a).changes


def _migrations(folder: Path, first_sql: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "V001__start.sql").write_text(first_sql)
    return folder


START = ("CREATE TABLE items (id int PRIMARY KEY, note text, code varchar(20));\n"
         "INSERT INTO items VALUES (1, NULL, 'abc'), (2, 'x', 'abc'), (3, 'y', 'a-much-longer-code');\n")


def test_not_null_columns_added_to_a_populated_table_get_a_value(tmp_path, pg_dsn):
    """File to file (no live source): the NOT NULL columns without defaults are added with a placeholder
    (an allowed value when a CHECK lists them) and the default dropped again; they apply on rows."""
    wanted = tmp_path / "wanted.sql"
    wanted.write_text("CREATE TABLE items (id int PRIMARY KEY, note text, code varchar(20), label text NOT NULL,\n"
                      "  flag boolean NOT NULL, token uuid NOT NULL UNIQUE, seen_at timestamptz NOT NULL,\n"
                      "  status text NOT NULL CONSTRAINT items_status_check CHECK (status IN ('new', 'done')));\n")
    start = tmp_path / "start.sql"
    start.write_text(START.split("\n")[0])
    migration = make_migration(str(start), str(wanted), dsn=pg_dsn)
    text = migration.forward_sql()
    assert "ADD COLUMN status text NOT NULL DEFAULT 'new'" in text and "ALTER COLUMN status DROP DEFAULT" in text
    assert "-- REVIEW: existing rows get public.items.label = ''" in text.replace("items.label", "public.items.label") \
        or "-- REVIEW: existing rows get items.label = ''" in text
    folder = _migrations(tmp_path / "migrations", START)
    write_migration(migration, folder)
    with scratch_database(pg_dsn, prefix="sw_fill") as db:
        assert [r.version for r in apply_migrations(folder, db)] == ["1", "2"]
        rows = _query(db, "SELECT id, note, label, flag, status, seen_at IS NOT NULL, token IS NOT NULL FROM items "
                          "ORDER BY id")
        assert rows == [(1, None, "", False, "new", True, True), (2, "x", "", False, "new", True, True),
                        (3, "y", "", False, "new", True, True)]
        assert _query(db, "SELECT count(DISTINCT token) FROM items") == [(3,)]
        # the columns end as designed: NOT NULL, no default
        assert _query(db, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'items' "
                          "AND column_name IN ('label', 'flag', 'status', 'seen_at') AND column_default IS NULL "
                          "AND is_nullable = 'NO'") == [(4,)]
        assert not make_migration(db, str(wanted), dsn=pg_dsn).changes


def test_a_not_null_foreign_key_column_is_refused_on_rows_and_flagged_otherwise(tmp_path, pg_dsn):
    start = "CREATE TABLE owners (id int PRIMARY KEY);\nCREATE TABLE items (id int PRIMARY KEY);\n"
    wanted = tmp_path / "wanted.sql"
    wanted.write_text("CREATE TABLE owners (id int PRIMARY KEY);\n"
                      "CREATE TABLE items (id int PRIMARY KEY, owner_id int NOT NULL REFERENCES owners);\n")
    (tmp_path / "start.sql").write_text(start)
    flagged = make_migration(str(tmp_path / "start.sql"), str(wanted), dsn=pg_dsn)
    assert any("fails if the table has rows" in w for w in flagged.plan.warnings)
    with scratch_database(pg_dsn, prefix="sw_fk_rows") as db:
        with psycopg.connect(db, autocommit=True) as conn:
            conn.execute(start + "INSERT INTO items VALUES (1);")
        with pytest.raises(Exception) as info:
            make_migration(db, str(wanted), dsn=pg_dsn)
        assert "public.items has 1 rows" in str(info.value) and "references another table" in str(info.value)


def test_tightenings_are_checked_against_the_live_rows(tmp_path, pg_dsn):
    wanted = tmp_path / "wanted.sql"
    wanted.write_text("CREATE TABLE items (id int PRIMARY KEY, note text NOT NULL, code varchar(20),\n"
                      "  CONSTRAINT items_code_key UNIQUE (code), CONSTRAINT items_id_small CHECK (id < 3));\n")
    narrower = tmp_path / "narrower.sql"
    narrower.write_text("CREATE TABLE items (id int PRIMARY KEY, note text, code varchar(5));\n")
    with scratch_database(pg_dsn, prefix="sw_tight") as db:
        with psycopg.connect(db, autocommit=True) as conn:
            conn.execute(START)
        with pytest.raises(Exception) as info:
            make_migration(db, str(wanted), dsn=pg_dsn)
        message = str(info.value)
        assert getattr(info.value, "exit_code", None) == 5
        assert "NOT NULL on items.note: 1 row(s) in the database would make it fail; fill them first" in message
        assert "UNIQUE items_code_key on items (code): 1 row(s)" in message and "remove or merge" in message
        assert "CHECK items_id_small on items: 1 row(s)" in message
        with pytest.raises(Exception, match=r"items.code varchar\(20\) -> varchar\(5\): 1 row\(s\) hold values it changes"):
            make_migration(db, str(narrower), dsn=pg_dsn, allow_destructive=False)
        make_migration(db, str(narrower), dsn=pg_dsn, allow_destructive=True)  # accepted: the loss is known
        fitting = tmp_path / "fitting.sql"  # every value fits: the rows show nothing is lost, no refusal
        fitting.write_text("CREATE TABLE items (id int PRIMARY KEY, note text, code varchar(18));\n")
        assert "TYPE varchar(18)" in make_migration(db, str(fitting), dsn=pg_dsn).forward_sql()
        # without a live source the same steps are flagged in the file, with the query that counts them
        (tmp_path / "start.sql").write_text(START.split("\n")[0])
        text = make_migration(str(tmp_path / "start.sql"), str(wanted), dsn=pg_dsn).forward_sql()
        assert "-- REVIEW: fails if rows hold NULL in items.note: count them first with SELECT count(*)" in text
        # once the data is fixed, the same diff plans and applies
        with psycopg.connect(db, autocommit=True) as conn:
            conn.execute("UPDATE items SET note = 'n' WHERE note IS NULL; UPDATE items SET code = 'abd' WHERE id = 2;"
                         "DELETE FROM items WHERE id = 3")
        folder = _migrations(tmp_path / "m", START.split("\n")[0] + "\n")
        write_migration(make_migration(db, str(wanted), dsn=pg_dsn), folder)
        (folder / "V002__x.sql").exists() or None
        with psycopg.connect(db, autocommit=True) as conn:  # the database was built by hand: record V001
            conn.execute("CREATE TABLE schemawright_history (version text PRIMARY KEY, description text NOT NULL, "
                         "script text NOT NULL, checksum text NOT NULL, applied_by text NOT NULL DEFAULT current_user,"
                         " applied_at timestamptz NOT NULL DEFAULT clock_timestamp(), execution_ms integer NOT NULL, "
                         "success boolean NOT NULL, direction text NOT NULL DEFAULT 'up', statements_done integer "
                         "NOT NULL DEFAULT 0, progress_checksum text NOT NULL DEFAULT '', error text)")
            from schemawright.migrate.files import checksum
            conn.execute("INSERT INTO schemawright_history (version, description, script, checksum, execution_ms, "
                         "success) VALUES ('1', 'start', 'V001__start.sql', %s, 0, true)",
                         (checksum((folder / "V001__start.sql").read_text()),))
        assert [r.version for r in apply_migrations(folder, db)] == ["2"]
        assert _query(db, "SELECT count(*) FROM items") == [(2,)]


def test_a_rename_hint_when_a_drop_and_an_add_look_alike(tmp_path, pg_dsn):
    (tmp_path / "a.sql").write_text("CREATE TABLE items (id int PRIMARY KEY, title text);")
    (tmp_path / "b.sql").write_text("CREATE TABLE items (id int PRIMARY KEY, name text);")
    with pytest.raises(Exception, match=r"hint: if public.items.name is title renamed, declare it in the input "
                                        r"\(attribute name: renamed_from: title\)"):
        make_migration(str(tmp_path / "a.sql"), str(tmp_path / "b.sql"), dsn=pg_dsn)


def test_a_table_renamed_with_its_enum_keeps_rows(tmp_path, pg_dsn):
    """renamed_from on an entity whose enum type is named after it: the type is renamed too, never refused as
    narrowing; applied with the runner on a populated database."""
    spec = {"project": {"name": "h13 enum rename"}, "data_model": {"entities": [
        {"name": "orders", "attributes": [{"name": "status", "type": "enum", "values": ["new", "paid"]},
                                          {"name": "total", "type": "numeric(10,2)"}]}]}}
    a = tmp_path / "a.json"
    a.write_text(json.dumps(spec))
    spec["data_model"]["entities"][0].update(name="purchases", renamed_from="orders")
    b = tmp_path / "b.json"
    b.write_text(json.dumps(spec))
    project = tmp_path / "project"
    design_project(a, project)
    with scratch_database(pg_dsn, prefix="sw_enum_rename") as db:
        apply_migrations(project / "migrations", db)
        _query(db, "INSERT INTO orders (status, total) VALUES ('paid', 3)")
        migration = make_migration(db, str(b))
        assert not migration.plan.data_loss
        assert "ALTER TYPE orders_status RENAME TO purchases_status;" in migration.forward_sql()
        write_migration(migration, project / "migrations")
        apply_migrations(project / "migrations", db)
        assert _query(db, "SELECT status::text, total FROM purchases") == [("paid", 3)]
        assert verify_migrations(project / "migrations", db).ok
        # removing a label rows still use is refused with the count; flagged in the file otherwise
        spec["data_model"]["entities"][0]["attributes"][0]["values"] = ["new"]
        spec["data_model"]["entities"][0].pop("renamed_from")
        c = tmp_path / "c.json"
        c.write_text(json.dumps(spec))
        with pytest.raises(Exception, match=r"removing 'paid' from purchases_status .*1 row\(s\) in the database"):
            make_migration(db, str(c), allow_destructive=True)


def test_flyway_script_config_beside_files_with_non_transactional_steps(tmp_path, pg_dsn):
    (tmp_path / "a.sql").write_text("CREATE TABLE items (id int PRIMARY KEY, code text);")
    (tmp_path / "b.sql").write_text("CREATE TABLE items (id int PRIMARY KEY, code text);\n"
                                    "CREATE INDEX items_code_idx ON items (code);")
    folder = _migrations(tmp_path / "m", "CREATE TABLE items (id int PRIMARY KEY, code text);\n")
    migration = make_migration(str(tmp_path / "a.sql"), str(tmp_path / "b.sql"), dsn=pg_dsn)
    forward, undo = write_migration(migration, folder, flyway=True)
    for path in (forward, undo):  # both create or drop the index CONCURRENTLY
        assert (folder / f"{path.name}.conf").read_text().endswith("executeInTransaction=false\n")
    plain = make_migration(str(tmp_path / "a.sql"), str(tmp_path / "a.sql"), dsn=pg_dsn)
    assert not plain.changes
    with scratch_database(pg_dsn, prefix="sw_flyway") as db:
        assert [r.version for r in apply_migrations(folder, db)] == ["1", "2"]  # the runner ignores .conf files


def test_a_failed_apply_leaves_no_invalid_index_and_says_where_it_stopped(tmp_path, pg_dsn):
    """A UNIQUE added over duplicates (FROM not live, so only flagged): the runner's CREATE UNIQUE INDEX
    CONCURRENTLY fails, its invalid index is dropped, and the history gives the resume point."""
    (tmp_path / "a.sql").write_text("CREATE TABLE items (id int PRIMARY KEY, code text);")
    (tmp_path / "b.sql").write_text("CREATE TABLE items (id int PRIMARY KEY, code text NOT NULL CONSTRAINT "
                                    "items_code_key UNIQUE);")
    folder = _migrations(tmp_path / "m", "CREATE TABLE items (id int PRIMARY KEY, code text);\n"
                                         "INSERT INTO items VALUES (1, 'a'), (2, 'a');\n")
    migration = make_migration(str(tmp_path / "a.sql"), str(tmp_path / "b.sql"), dsn=pg_dsn)
    assert any("holds duplicates of (code)" in w for w in migration.plan.warnings)
    write_migration(migration, folder)
    with scratch_database(pg_dsn, prefix="sw_invalid_ix") as db:
        with pytest.raises(Exception) as info:
            apply_migrations(folder, db)
        assert "23505" in str(info.value) and "resumes at statement" in str(info.value)
        assert _query(db, "SELECT count(*) FROM pg_index WHERE NOT indisvalid") == [(0,)]
        assert _query(db, "SELECT to_regclass('items_code_key')") == [(None,)]
        assert _query(db, "SELECT version, success FROM schemawright_history ORDER BY version") == [
            ("1", True), ("2", False)]
        _query(db, "UPDATE items SET code = 'b' WHERE id = 2")  # fix the data, run again: it resumes
        assert [r.version for r in apply_migrations(folder, db)] == ["2"]
        assert _query(db, "SELECT count(*) FROM pg_index WHERE NOT indisvalid") == [(0,)]


def test_removing_an_allowed_value_rows_still_use_is_refused_with_the_count(tmp_path, pg_dsn):
    spec = {"project": {"name": "h13 values"}, "data_model": {"entities": [
        {"name": "tickets", "attributes": [{"name": "state", "values": ["open", "pending", "closed"]}]}]}}
    a = tmp_path / "a.json"
    a.write_text(json.dumps(spec))
    spec["data_model"]["entities"][0]["attributes"][0]["values"] = ["open", "closed"]
    b = tmp_path / "b.json"
    b.write_text(json.dumps(spec))
    design_project(a, tmp_path / "project")
    with scratch_database(pg_dsn, prefix="sw_values") as db:
        apply_migrations(tmp_path / "project" / "migrations", db)
        _query(db, "INSERT INTO tickets (state) VALUES ('pending'), ('open')")
        with pytest.raises(Exception, match=r"CHECK chk_tickets_state on tickets: 1 row\(s\) in the database would "
                                            r"make it fail; correct or delete those rows"):
            make_migration(db, str(b))
        _query(db, "UPDATE tickets SET state = 'closed' WHERE state = 'pending'")
        assert make_migration(db, str(b)).changes  # the rows fit now: planned


def test_the_undo_of_a_diff_runs_as_the_owner_when_an_extension_lives_in_the_schema(tmp_path, pg15_dsn):
    """V001 of a design with encrypted columns installs pgcrypto into public as the migrating superuser, so
    that user owns pgcrypto's functions there. Those extension members made the history table's owner look
    like a second owner of the schema: the live schema's owner was 'postgres, <project>_owner', the undo of a
    diff had no SET ROLE and the views it rebuilt belonged to the superuser (a view owned by a superuser reads
    past row-level security) instead of the owner."""
    import yaml

    project = tmp_path / "project"
    design_project(EXAMPLES / "clinic_appointments.yaml", project)
    spec = yaml.safe_load((EXAMPLES / "clinic_appointments.yaml").read_text())
    patients = next(e for e in spec["data_model"]["entities"] if e["name"] == "patients")
    patients["attributes"].append({"name": "preferred_language", "type": "varchar(35)"})
    changed = tmp_path / "changed.yaml"
    changed.write_text(yaml.safe_dump(spec, sort_keys=False))
    migrations = project / "migrations"
    with scratch_database(pg15_dsn, prefix="sw_ext_owner") as db:
        apply_migrations(migrations, db)
        assert _query(db, "SELECT count(*) FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.deptype = 'e' "
                          "WHERE p.pronamespace = 'public'::regnamespace AND pg_get_userbyid(p.proowner) = "
                          "current_user")[0][0] > 0  # the situation: the runner owns extension functions here
        assert load_schema(db).owner == "clinic_scheduling_owner"
        migration = make_migration(db, str(changed))
        assert "SET ROLE clinic_scheduling_owner;" in migration.undo_sql()
        write_migration(migration, migrations)
        apply_migrations(migrations, db)
        undo_migrations(migrations, db, to="1")
        owners = _query(db, "SELECT c.relname, pg_get_userbyid(c.relowner) FROM pg_class c WHERE c.relkind = 'v' "
                            "AND c.relnamespace = 'public'::regnamespace AND c.relname LIKE '%%patients'")
        assert owners and {o for _, o in owners} == {"clinic_scheduling_owner"}, owners


def test_a_new_check_is_judged_with_the_placeholder_a_new_not_null_column_gets(tmp_path, pg_dsn):
    """A new NOT NULL column with a CHECK of its own (seats > 0) on a table with rows: the existing rows get the
    placeholder 0, which the CHECK refuses. From a live source the diff said only "not checked against the data
    (column does not exist)" and wrote a migration that failed at VALIDATE; it is refused now with the placeholder
    and the fix, and a placeholder the CHECK accepts (status in a list: its first value) is checked and passes."""
    start = "CREATE TABLE rooms (id int PRIMARY KEY, label text NOT NULL);\nINSERT INTO rooms VALUES (1, 'a'), (2, 'b');\n"
    wanted = tmp_path / "wanted.sql"
    wanted.write_text("CREATE TABLE rooms (id int PRIMARY KEY, label text NOT NULL, seats int NOT NULL,\n"
                      "  CONSTRAINT rooms_seats_positive CHECK (seats > 0));\n")
    fine = tmp_path / "fine.sql"
    fine.write_text("CREATE TABLE rooms (id int PRIMARY KEY, label text NOT NULL, kind text NOT NULL,\n"
                    "  CONSTRAINT rooms_kind_check CHECK (kind IN ('desk', 'office')));\n")
    with scratch_database(pg_dsn, prefix="sw_ph_check") as db:
        with psycopg.connect(db, autocommit=True) as conn:
            conn.execute(start)
        with pytest.raises(Exception) as info:
            make_migration(db, str(wanted), dsn=pg_dsn)
        assert getattr(info.value, "exit_code", None) == 5
        assert "CHECK rooms_seats_positive on rooms: the placeholder seats = CAST(0 AS integer) that the 2 existing " \
               "row(s) get would make it fail" in str(info.value)
        migration = make_migration(db, str(fine), dsn=pg_dsn)
        assert not any("not checked against the data" in n for n in migration.notes), migration.notes
        with psycopg.connect(db) as conn:  # the checked migration applies on the rows
            conn.execute(migration.forward_sql().encode())
            assert conn.execute("SELECT DISTINCT kind FROM rooms").fetchall() == [("desk",)]


def test_a_narrowing_whose_values_all_come_back_the_same_is_not_refused(tmp_path, pg_dsn):
    """integer -> numeric(10,2) is narrowing (10^8 and more do not fit), but 2 stays the number 2 (as text it is
    '2.00'): checked against the rows as numbers, nothing changes, so nothing is refused; a value that does not
    fit still is, and a numeric whose scale shrinks changes its values."""
    wanted = tmp_path / "wanted.sql"
    wanted.write_text("CREATE TABLE lines (id int PRIMARY KEY, qty numeric(10,2), price numeric(8,1));\n")
    with scratch_database(pg_dsn, prefix="sw_narrow") as db:
        with psycopg.connect(db, autocommit=True) as conn:
            conn.execute("CREATE TABLE lines (id int PRIMARY KEY, qty int, price numeric(8,1));"
                         "INSERT INTO lines VALUES (1, 2, 1.5), (2, 1, NULL), (3, NULL, 2.0)")
        assert "TYPE numeric(10, 2)" in make_migration(db, str(wanted), dsn=pg_dsn).forward_sql()
        with psycopg.connect(db, autocommit=True) as conn:
            conn.execute("INSERT INTO lines VALUES (4, 123456789, 0)")
        with pytest.raises(Exception, match=r"lines.qty integer -> numeric\(10, 2\): 1 row\(s\)"):
            make_migration(db, str(wanted), dsn=pg_dsn)
        scale = tmp_path / "scale.sql"
        scale.write_text("CREATE TABLE lines (id int PRIMARY KEY, qty int, price numeric(8,0));\n")
        with pytest.raises(Exception, match=r"lines.price numeric\(8, 1\) -> numeric\(8, 0\): 1 row\(s\) hold values"):
            make_migration(db, str(scale), dsn=pg_dsn)


def test_a_new_partition_beside_a_default_one_is_checked_against_its_rows(tmp_path, pg_dsn):
    """A partition added to a parent whose DEFAULT partition already holds rows of its range: ATTACH fails on
    them ("updated partition constraint for default partition would be violated"), so with a live source the
    diff counts them first and refuses, naming the default partition and the fix; without one it flags it."""
    start = ("CREATE TABLE ev (id int, at timestamptz NOT NULL) PARTITION BY RANGE (at);\n"
             "CREATE TABLE ev_2025 PARTITION OF ev FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');\n"
             "CREATE TABLE ev_other PARTITION OF ev DEFAULT;\n")
    (tmp_path / "start.sql").write_text(start)
    wanted = tmp_path / "wanted.sql"
    wanted.write_text(start + "CREATE TABLE ev_2026 PARTITION OF ev FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');\n")
    flagged = make_migration(str(tmp_path / "start.sql"), str(wanted), dsn=pg_dsn).forward_sql()
    assert "-- REVIEW: fails if the default partition ev_other holds rows of the new partition's range" in flagged
    with scratch_database(pg_dsn, prefix="sw_default_part") as db:
        with psycopg.connect(db, autocommit=True) as conn:
            conn.execute(start + "INSERT INTO ev VALUES (1, '2025-05-01'), (2, '2026-02-03'), (3, '2031-01-01')")
        with pytest.raises(Exception, match=r"beside the default partition ev_other: 1 row\(s\) in the database "
                                            r"would make it fail; move those rows out of ev_other first"):
            make_migration(db, str(wanted), dsn=pg_dsn)
        with psycopg.connect(db, autocommit=True) as conn:
            conn.execute("DELETE FROM ev WHERE id = 2")
        folder = tmp_path / "m"
        write_migration(make_migration(db, str(wanted), dsn=pg_dsn), folder)
        apply_migrations(folder, db)
        assert _query(db, "SELECT count(*) FROM ev_other") == [(1,)]


def test_a_partition_on_an_expression_key_beside_a_default_one_is_counted(tmp_path, pg_dsn):
    """A list partition on an expression key ((a + b)) beside a DEFAULT partition: the count names the expression
    (it named a column "a + b", which does not exist, so the count failed)."""
    start = ("CREATE TABLE st (a int NOT NULL, b int NOT NULL) PARTITION BY LIST ((a + b));\n"
             "CREATE TABLE st_other PARTITION OF st DEFAULT;\n")
    wanted = tmp_path / "wanted.sql"
    wanted.write_text(start + "CREATE TABLE st_two PARTITION OF st FOR VALUES IN (2);\n")
    with scratch_database(pg_dsn, prefix="sw_default_expr") as db:
        with psycopg.connect(db, autocommit=True) as conn:
            conn.execute(start + "INSERT INTO st VALUES (1, 1), (2, 2)")
        with pytest.raises(Exception, match=r"beside the default partition st_other: 1 row\(s\) in the database"):
            make_migration(db, str(wanted), dsn=pg_dsn)
