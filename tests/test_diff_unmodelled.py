"""Objects the schema model holds since issue 13 (domains, sequences, function attributes, DEFERRABLE keys,
NO INHERIT, MATCH FULL, trigger WHEN / UPDATE OF / arguments, index storage parameters, UNLOGGED, column
collations, CLUSTER ON) migrate exactly, judged by ``pg_dump -s`` (the oracle of the corpus test); what it
still does not hold is reported by ``diff`` (stderr, --format json, the migration header) with exit 6,
never dropped silently."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from test_diff_oracle_corpus import EXTENSIONS, compare_dumps, dump_objects
from typer.testing import CliRunner

from schemawright.db import connect, scratch_database
from schemawright.db.embedded import binaries_for, private_server
from schemawright.diff import diff, plan
from schemawright.cli.diff import register
from schemawright.diff.compare import unmodelled_differences
from schemawright.errors import DatabaseError
from schemawright.project.sources import apply_sql, inspect_database

OLD = """
CREATE DOMAIN posint AS integer CHECK (VALUE > 0);
CREATE DOMAIN gone AS text;
CREATE SEQUENCE counter START 5;
CREATE SEQUENCE dropped_seq;
CREATE TABLE parent (id serial PRIMARY KEY, code text UNIQUE, qty posint);
CREATE TABLE child (id int PRIMARY KEY, parent_id int, code text, CHECK (id > 0));
CREATE FUNCTION twice(x integer) RETURNS integer LANGUAGE sql AS 'SELECT x * 2';
CREATE TABLE log (id int, t text, ts timestamptz);
CREATE FUNCTION log_touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
"""

NEW = """
CREATE DOMAIN posint AS integer DEFAULT 1 NOT NULL CONSTRAINT small CHECK (VALUE < 1000) CHECK (VALUE > 0);
CREATE DOMAIN email AS varchar(200) COLLATE "C" CHECK (VALUE ~ '@');
CREATE SEQUENCE counter START 5 INCREMENT 10 CACHE 20 CYCLE;
CREATE SEQUENCE fresh AS integer MINVALUE -100 START -100;
CREATE TABLE parent (id bigserial PRIMARY KEY, code text, qty posint, mail email,
                     CONSTRAINT parent_code_key UNIQUE (code) DEFERRABLE INITIALLY DEFERRED,
                     CONSTRAINT parent_id_code_key UNIQUE (id, code));
CREATE TABLE child (id int PRIMARY KEY, parent_id int, code text,
                    CONSTRAINT child_id_check CHECK (id > 0) NO INHERIT,
                    CONSTRAINT child_parent_fkey FOREIGN KEY (parent_id, code) REFERENCES parent (id, code) MATCH FULL);
CREATE FUNCTION twice(x integer) RETURNS integer LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE COST 5
    SET search_path = pg_catalog, public SET work_mem = '8MB' AS 'SELECT x * 2';
CREATE UNLOGGED TABLE log (id int, t text COLLATE "C", ts timestamptz);
CREATE INDEX log_ts ON log (ts) WITH (fillfactor = 70);
ALTER TABLE log CLUSTER ON log_ts;
CREATE FUNCTION log_touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
CREATE TRIGGER log_touch BEFORE UPDATE OF t ON log FOR EACH ROW WHEN (OLD.t IS DISTINCT FROM NEW.t)
    EXECUTE FUNCTION log_touch('a', 'b');
CREATE SCHEMA reports;
COMMENT ON SCHEMA reports IS 'Derived data';
CREATE MATERIALIZED VIEW reports.codes AS SELECT code, count(*) AS n FROM child GROUP BY code;
CREATE UNIQUE INDEX codes_code ON reports.codes (code);
CREATE INDEX codes_n ON reports.codes (n) WHERE n > 1;
"""


@pytest.fixture(scope="module")
def oracle_server():
    try:
        binaries_for(EXTENSIONS)
    except DatabaseError as exc:
        pytest.skip(f"no PostgreSQL binaries with {', '.join(EXTENSIONS)} here: {exc}")
    with private_server(EXTENSIONS) as server:
        yield server, binaries_for(EXTENSIONS) / "pg_dump"


def test_modelled_kinds_migrate_exactly(oracle_server):
    server, pg_dump = oracle_server
    with scratch_database(server, "sw_unm_a") as a_dsn, scratch_database(server, "sw_unm_b") as b_dsn, \
            connect(a_dsn, autocommit=True) as a, connect(b_dsn, autocommit=True) as b:
        apply_sql(a, OLD)
        apply_sql(b, NEW)
        old, new = inspect_database(a), inspect_database(b)
        assert unmodelled_differences(old, new) == []  # all of it is modelled now
        forward = plan(diff(old, new), allow_destructive=True)
        apply_sql(a, forward.sql())
        assert compare_dumps(dump_objects(pg_dump, b_dsn), dump_objects(pg_dump, a_dsn)) == []
        assert diff(inspect_database(a), new) == []
        apply_sql(a, forward.sql(undo=True))  # and the undo brings the old schema back
        with scratch_database(server, "sw_unm_c") as c_dsn, connect(c_dsn, autocommit=True) as c:
            apply_sql(c, OLD)
            assert compare_dumps(dump_objects(pg_dump, c_dsn), dump_objects(pg_dump, a_dsn)) == []


AGG_OLD = """
CREATE FUNCTION _cat(a text, b text) RETURNS text LANGUAGE sql IMMUTABLE AS $$SELECT a || b$$;
CREATE AGGREGATE cat(text) (sfunc = _cat, stype = text);
CREATE AGGREGATE gone(text) (sfunc = _cat, stype = text);
CREATE AGGREGATE total(numeric) (sfunc = numeric_add, stype = numeric, initcond = '0');
CREATE SEQUENCE bounded INCREMENT 10;
CREATE SEQUENCE used INCREMENT 10;
SELECT nextval('used'), nextval('used'), nextval('used');
CREATE FUNCTION answer() RETURNS int LANGUAGE sql AS '
SELECT 42';
CREATE TABLE items (id int PRIMARY KEY, label text);
ALTER TABLE items ALTER COLUMN label SET STATISTICS 300;
GRANT SELECT ON items TO sw_unm_web WITH GRANT OPTION;
CREATE TABLE volts (v int GENERATED BY DEFAULT AS IDENTITY (START WITH -200 INCREMENT BY 10 MINVALUE -200
                    MAXVALUE 200), w int GENERATED ALWAYS AS IDENTITY (CACHE 5), y int);
CREATE VIEW items_v AS SELECT id FROM items;
ALTER VIEW items_v OWNER TO sw_unm_admin;
CREATE SEQUENCE tickets;
ALTER SEQUENCE tickets OWNER TO sw_unm_admin;
"""

AGG_NEW = """
CREATE FUNCTION _cat(a text, b text) RETURNS text LANGUAGE sql IMMUTABLE AS $$SELECT a || b$$;
CREATE AGGREGATE cat(text) (sfunc = _cat, stype = text, initcond = '', parallel = safe);
CREATE AGGREGATE fresh(text) (sfunc = _cat, stype = text);
COMMENT ON AGGREGATE fresh(text) IS 'new';
CREATE AGGREGATE total(numeric) (sfunc = numeric_add, stype = numeric, initcond = '0');
COMMENT ON AGGREGATE total(numeric) IS 'a sum';
CREATE AGGREGATE pct(float8 ORDER BY anyelement) (sfunc = ordered_set_transition, stype = internal,
    finalfunc = percentile_disc_final, finalfunc_extra);
CREATE SEQUENCE bounded INCREMENT 10 MINVALUE 1000 START 1000;
CREATE SEQUENCE used INCREMENT 10 MINVALUE 5 START 5;
CREATE FUNCTION answer() RETURNS int LANGUAGE sql AS ' SELECT 42';
CREATE TABLE items (id int PRIMARY KEY, label text, code text);
ALTER TABLE items ALTER COLUMN code SET STATISTICS 50;
ALTER TABLE items ALTER COLUMN id SET STATISTICS 0;
CREATE TABLE volts (v int GENERATED BY DEFAULT AS IDENTITY (START WITH -100 INCREMENT BY 5 MINVALUE -100
                    MAXVALUE 100), w int GENERATED ALWAYS AS IDENTITY,
                    x bigint GENERATED ALWAYS AS IDENTITY (START WITH 10 CACHE 20),
                    y int GENERATED BY DEFAULT AS IDENTITY (INCREMENT BY 3));
CREATE TABLE fresh (id int);
COMMENT ON CONSTRAINT items_pkey ON items IS 'the key';
GRANT SELECT ON items TO sw_unm_web;
GRANT SELECT, INSERT ON fresh TO sw_unm_web, sw_unm_admin WITH GRANT OPTION;
CREATE TABLE fresh_child (id int PRIMARY KEY, item int CONSTRAINT fresh_item_fk REFERENCES items);
COMMENT ON CONSTRAINT fresh_item_fk ON fresh_child IS 'its item';
COMMENT ON CONSTRAINT fresh_child_pkey ON fresh_child IS 'child key';
ALTER TABLE fresh ALTER COLUMN id SET STATISTICS 1000;
CREATE VIEW items_v AS SELECT id FROM items;
ALTER VIEW items_v OWNER TO sw_unm_web;
CREATE SEQUENCE tickets;
ALTER SEQUENCE tickets OWNER TO sw_unm_web;
CREATE VIEW labels AS SELECT label FROM items;
ALTER VIEW labels OWNER TO sw_unm_admin;
"""


def test_aggregates_owners_whitespace_statistics_and_bounds_migrate_exactly(oracle_server):
    """What used to go silently (issue 13): an aggregate's options (the catalog read them as one opaque
    routine), owners of single objects, a function body changed only in whitespace; SET STATISTICS (was
    reported as unmodelled), identity columns' sequence options (were reported too); and a sequence whose
    MINVALUE rises above its value (PostgreSQL refuses it without RESTART; one in use keeps its value); grants
    WITH GRANT OPTION (were silent), granted in the ACL's order."""
    server, pg_dump = oracle_server
    with connect(server, autocommit=True) as admin:
        for role in ("sw_unm_admin", "sw_unm_web"):
            admin.execute(f"DROP ROLE IF EXISTS {role}")
            admin.execute(f"CREATE ROLE {role} NOLOGIN")
    with scratch_database(server, "sw_unm_a") as a_dsn, scratch_database(server, "sw_unm_b") as b_dsn, \
            connect(a_dsn, autocommit=True) as a, connect(b_dsn, autocommit=True) as b:
        apply_sql(a, AGG_OLD)
        apply_sql(b, AGG_NEW)
        old, new = inspect_database(a), inspect_database(b)
        assert unmodelled_differences(old, new) == []
        assert {x.name for x in new.aggregates} == {"cat", "fresh", "total", "pct"}
        forward = plan(diff(old, new), allow_destructive=True)
        text = forward.sql()
        for expected in ("DROP AGGREGATE gone(text);", "COMMENT ON AGGREGATE total(numeric) IS 'a sum';",
                         "ALTER VIEW items_v OWNER TO sw_unm_web;", "ALTER SEQUENCE tickets OWNER TO sw_unm_web;",
                         "ALTER VIEW labels OWNER TO sw_unm_admin;", "CREATE OR REPLACE FUNCTION answer()",
                         "ALTER TABLE items ALTER COLUMN label SET STATISTICS -1;",
                         "COMMENT ON CONSTRAINT items_pkey ON items IS 'the key';"):
            assert expected in text, text
        apply_sql(a, text)
        assert compare_dumps(dump_objects(pg_dump, b_dsn), dump_objects(pg_dump, a_dsn)) == []
        assert diff(inspect_database(a), new) == []
        # the sequence in use (value 21, inside the new bounds) kept its value; the other one restarted
        assert a.execute("SELECT last_value FROM used").fetchone()[0] == 21
        assert a.execute("SELECT nextval('bounded')").fetchone()[0] == 1000
        apply_sql(a, forward.sql(undo=True))
        assert diff(inspect_database(a), old) == []


@pytest.fixture
def run(oracle_server):
    app = typer.Typer()
    register(app)
    app.command("noop")(lambda: None)  # a second command keeps 'diff' a subcommand
    runner = CliRunner()
    return lambda *args: runner.invoke(app, ["diff", *map(str, args), "--dsn", oracle_server[0]])


UNMODELLED_OLD = "CREATE TABLE m (id int PRIMARY KEY, note text) PARTITION BY RANGE (id);\n"
# a partition in another schema than its parent's is not modelled (one in the same schema is: Table.partition_of)
UNMODELLED_NEW = (UNMODELLED_OLD + "CREATE SCHEMA other;\nCREATE TABLE other.m_1 PARTITION OF m FOR VALUES FROM (0) TO (100);\n"
                  "CREATE TABLE scratch (id int, label text) WITH (fillfactor = 70);\n"
                  "ALTER TABLE scratch ALTER COLUMN label SET STORAGE EXTERNAL;\n")  # (STATISTICS is modelled)


def test_unmodelled_differences_are_reported_never_dropped(run, tmp_path):
    a, b = tmp_path / "a.sql", tmp_path / "b.sql"
    a.write_text(UNMODELLED_OLD, encoding="utf-8")
    b.write_text(UNMODELLED_NEW, encoding="utf-8")
    result = run(a, b)
    assert result.exit_code == 6, result.output
    for kind, name in (("partition", "other.m_1"), ("relation option", "scratch"), ("column option", "scratch.label")):
        assert f"create {kind} {name}:" in result.stderr, result.stderr
    assert "WARNING: this migration is INCOMPLETE" in result.stdout
    assert "m_1" in result.stdout.split("\n\n")[0]  # listed in the header block

    as_json = run(a, b, "--format", "json", "--allow-unmodelled")
    assert as_json.exit_code == 0, as_json.output
    listed = {(u["action"], u["kind"], u["name"]) for u in json.loads(as_json.stdout)["unmodelled"]}
    assert {("create", "partition", "m_1"), ("create", "relation option", "scratch"),
            ("create", "column option", "scratch.label")} <= listed

    folder = tmp_path / "migrations"
    written = run(a, b, "-o", folder)
    assert written.exit_code == 6
    forward = next(folder.glob("V*.sql")).read_text(encoding="utf-8")
    undo = next(folder.glob("U*.sql")).read_text(encoding="utf-8")
    assert forward.startswith("-- WARNING: this migration is INCOMPLETE") and "partition other.m_1" in forward
    assert undo.startswith("-- WARNING: this undo is INCOMPLETE")

    again = run(b, b)  # the same schema on both sides: nothing to say
    assert again.exit_code == 0 and "no differences" in again.stderr


def test_a_design_side_reports_nothing(run, tmp_path):
    """A task input records no unmodelled objects, though its DDL makes partitions: nothing is claimed."""
    example = Path(__file__).parents[1] / "examples" / "ecommerce.json"
    result = run(example, example, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["unmodelled"] == []
