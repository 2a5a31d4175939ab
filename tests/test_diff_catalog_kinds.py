"""Partitions, INHERITS children, rules on tables, views' WITH options and triggers, composite types and
column-level grants, read from a live catalog into the model and migrated by ``diff`` (CREATE TABLE + ATTACH
PARTITION, DETACH, INHERIT / NO INHERIT, columns a parent hands down, rules, ALTER TYPE ... ATTRIBUTE,
GRANT SELECT (col)), judged by ``pg_dump -s`` as the corpus test judges them (old + our migration against new
applied fresh), on populated tables, and the undo brings the old schema back."""

from __future__ import annotations

from test_diff_oracle_corpus import compare_dumps, dump_objects, migrate_and_compare, oracle_server  # noqa: F401  (fixture)

from schemawright.db import connect, scratch_database
from schemawright.diff import diff, plan
from schemawright.importers.common import ImportResult
from schemawright.importers.to_spec import to_task_input
from schemawright.project.sources import apply_sql, inspect_database

OLD = """
CREATE TABLE logs (id bigint NOT NULL, at date NOT NULL, msg text) PARTITION BY RANGE (at);
CREATE TABLE logs_2024 PARTITION OF logs FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE logs_2023 PARTITION OF logs FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE logs_old PARTITION OF logs FOR VALUES FROM ('2000-01-01') TO ('2010-01-01');
CREATE INDEX logs_at ON logs (at);
CREATE TABLE logs_2022 (id bigint NOT NULL, at date NOT NULL, msg text);
INSERT INTO logs VALUES (1, '2024-03-01', 'a'), (2, '2023-03-01', 'b');
INSERT INTO logs_2022 VALUES (3, '2022-03-01', 'c');
CREATE TABLE base (id serial, created timestamptz DEFAULT now(), gone int, CHECK (id > 0));
CREATE TABLE kid (extra text) INHERITS (base);
CREATE TABLE orphan (id integer NOT NULL, created timestamptz, gone int, CONSTRAINT base_id_check CHECK (id > 0));
INSERT INTO kid (extra) VALUES ('x');
CREATE TABLE audit (id int, what text);
CREATE TABLE things (id int PRIMARY KEY, v text);
CREATE RULE things_log AS ON INSERT TO things DO ALSO INSERT INTO audit VALUES (NEW.id, 'insert');
CREATE RULE things_gone AS ON DELETE TO things DO ALSO INSERT INTO audit VALUES (OLD.id, 'delete');
"""

NEW = """
CREATE TABLE logs (id bigint NOT NULL, at date NOT NULL, msg text, level int DEFAULT 0)
    PARTITION BY RANGE (at);
CREATE TABLE logs_2024 PARTITION OF logs FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE logs_2025 PARTITION OF logs FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE logs_2022 PARTITION OF logs FOR VALUES FROM ('2022-01-01') TO ('2023-01-01');
CREATE TABLE logs_old PARTITION OF logs FOR VALUES FROM ('2000-01-01') TO ('2020-01-01');
CREATE TABLE logs_2023 (id bigint NOT NULL, at date NOT NULL, msg text, level int DEFAULT 0);
CREATE INDEX logs_at ON logs (at);
CREATE INDEX logs_2024_msg ON logs_2024 (msg);
CREATE TABLE base (id serial, created timestamptz DEFAULT now(), note text, CHECK (id > 0));
CREATE TABLE kid (extra text, gone int) INHERITS (base);
CREATE TABLE orphan (id integer NOT NULL, created timestamptz, note text, gone int,
                     CONSTRAINT base_id_check CHECK (id > 0));
ALTER TABLE orphan INHERIT base;
CREATE TABLE late_kid (size int DEFAULT 7) INHERITS (base);
ALTER TABLE ONLY late_kid ALTER COLUMN created SET DEFAULT '2000-01-01';
CREATE TABLE audit (id int, what text);
CREATE TABLE things (id int PRIMARY KEY, v text);
CREATE RULE things_log AS ON INSERT TO things DO ALSO INSERT INTO audit VALUES (NEW.id, 'insert:' || NEW.v);
CREATE RULE things_upd AS ON UPDATE TO things DO ALSO INSERT INTO audit VALUES (NEW.id, 'update');
"""


def test_live_reader_holds_partitions_inheritance_and_rules(oracle_server):
    """Partitions, INHERITS and rules on tables are tables' attributes, not unmodelled entries; import from
    the database carries them into the task input."""
    server, _ = oracle_server
    with scratch_database(server, "sw_part_r") as dsn, connect(dsn, autocommit=True) as conn:
        apply_sql(conn, NEW)
        schema = inspect_database(conn)
    assert [u for u in schema.unmodelled if u.kind in ("partition", "inheritance", "rule")] == []
    part = schema.table("logs_2024")
    assert (part.partition_of, part.partition_bound) == ("logs", "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')")
    assert [ix.name for ix in part.indexes] == ["logs_2024_msg"]  # logs_at's partition index is the parent's
    assert schema.table("logs_2023").partition_of is None
    assert schema.table("kid").inherits == ("base",) and schema.table("orphan").inherits == ("base",)
    assert sorted(schema.table("things").rules) == ["things_log", "things_upd"]
    assert "ON UPDATE TO public.things DO  INSERT INTO audit" in schema.table("things").rules["things_upd"]
    task, _ = to_task_input(ImportResult(schema, source_kind="database"))
    entities = {e["name"]: e for e in task["data_model"]["entities"]}
    assert entities["logs_2024"]["partition_of"]["parent"] == "logs"
    assert entities["kid"]["inherits"] == ["base"]
    assert {r["name"] for r in entities["things"]["rules"]} == {"things_log", "things_upd"}


def test_partitions_inheritance_and_rules_migrate_exactly(oracle_server):
    def rows_stay(a, old, new):
        # the rows stay where they were: a detached partition keeps its rows, an attached table brings its own
        assert a.execute("SELECT count(*) FROM logs").fetchone()[0] == 2
        assert a.execute("SELECT count(*) FROM logs_2023").fetchone()[0] == 1
        assert a.execute("SELECT count(*) FROM base").fetchone()[0] == 1

    script = migrate_and_compare(oracle_server, OLD, NEW, "part", after=rows_stay)
    assert "ALTER TABLE logs ATTACH PARTITION logs_2022 FOR VALUES FROM ('2022-01-01') TO ('2023-01-01')" in script
    assert "ALTER TABLE logs DETACH PARTITION logs_2023" in script
    assert "ALTER TABLE orphan INHERIT base" in script


VIEWS_OLD = """
CREATE TABLE items (id int PRIMARY KEY, v text);
CREATE FUNCTION items_ins() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN INSERT INTO items VALUES (NEW.id, NEW.v); RETURN NEW; END';
CREATE VIEW plain AS SELECT id, v FROM items;
CREATE VIEW guarded WITH (security_barrier) AS SELECT id FROM items WHERE id > 0;
CREATE VIEW writable AS SELECT id, v FROM items;
CREATE TRIGGER writable_ins INSTEAD OF INSERT ON writable FOR EACH ROW EXECUTE FUNCTION items_ins();
CREATE TRIGGER writable_upd INSTEAD OF UPDATE ON writable FOR EACH ROW EXECUTE FUNCTION items_ins();
"""

VIEWS_NEW = """
CREATE TABLE items (id int PRIMARY KEY, v text);
CREATE FUNCTION items_ins() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN INSERT INTO items VALUES (NEW.id, NEW.v); RETURN NEW; END';
CREATE VIEW plain WITH (security_barrier = true, check_option = local) AS SELECT id, v FROM items WHERE id > 0;
CREATE VIEW guarded AS SELECT id FROM items WHERE id > 0;
CREATE VIEW writable AS SELECT id, v, length(v) AS n FROM items;
CREATE TRIGGER writable_ins INSTEAD OF INSERT ON writable FOR EACH ROW EXECUTE FUNCTION items_ins();
CREATE VIEW fresh AS SELECT id FROM items;
CREATE TRIGGER fresh_del INSTEAD OF DELETE ON fresh FOR EACH ROW EXECUTE FUNCTION items_ins();
COMMENT ON TRIGGER fresh_del ON fresh IS 'ignored deletes';
"""


def test_view_options_and_triggers_on_views_migrate_exactly(oracle_server):
    """A view's WITH (security_barrier, check_option) and its INSTEAD OF triggers are read, compared and made
    again when the view is (re)created; a view whose query changes keeps its triggers."""
    def trigger_kept(a, old, new):
        views = {v.name: v for v in new.views}
        assert sorted(views["plain"].options) == ["check_option=local", "security_barrier=true"]
        assert [t.timing for t in views["writable"].triggers] == ["INSTEAD OF"]
        a.execute("INSERT INTO writable (id, v) VALUES (5, 'x')")  # the INSTEAD OF trigger is there
        assert a.execute("SELECT v FROM items WHERE id = 5").fetchone()[0] == "x"

    migrate_and_compare(oracle_server, VIEWS_OLD, VIEWS_NEW, "view", after=trigger_kept)


TYPES_OLD = """
CREATE TYPE money_amount AS (amount numeric(12, 2), currency char(3));
CREATE TYPE gone_type AS (a int);
CREATE TYPE reshaped AS (a int, c int, b text);
CREATE TABLE prices (id int PRIMARY KEY, price money_amount);
INSERT INTO prices VALUES (1, ROW(9.5, 'EUR'));
"""

TYPES_NEW = """
CREATE TYPE money_amount AS (amount numeric(12, 2), currency char(3), note text COLLATE "C");
COMMENT ON TYPE money_amount IS 'an amount in a currency';
CREATE TYPE reshaped AS (a bigint, c int);
CREATE TYPE fresh_type AS (x int, y int);
CREATE TABLE prices (id int PRIMARY KEY, price money_amount, spot fresh_type);
"""


def test_composite_types_migrate_exactly(oracle_server):
    """Composite types are created, dropped and altered in place (attributes added, dropped, retyped), before
    the tables that use them; the rows keep their values."""
    def values_kept(a, old, new):
        assert {t.name: t.attributes for t in new.composite_types}["money_amount"] == (
            ("amount", "numeric(12,2)"), ("currency", "character(3)"), ("note", 'text COLLATE "C"'))
        assert a.execute("SELECT (price).currency FROM prices").fetchone()[0] == "EUR"

    migrate_and_compare(oracle_server, TYPES_OLD, TYPES_NEW, "type", after=values_kept)


GRANTS_OLD = """
CREATE TABLE todos (id int PRIMARY KEY, "Name" text, secret text);
GRANT SELECT (id, "Name") ON todos TO sw_cat_web;
GRANT SELECT (secret) ON todos TO sw_cat_admin;
"""

GRANTS_NEW = """
CREATE TABLE todos (id int PRIMARY KEY, "Name" text, secret text, added text);
GRANT SELECT (id) ON todos TO sw_cat_web;
GRANT SELECT ("Name"), UPDATE ("Name") ON todos TO sw_cat_admin;
GRANT SELECT (id, added), INSERT (added) ON todos TO sw_cat_admin WITH GRANT OPTION;
GRANT SELECT ON todos TO sw_cat_audit;
CREATE VIEW todo_names AS SELECT id, "Name" FROM todos;
GRANT SELECT ("Name") ON todo_names TO sw_cat_web;
"""


def test_column_grants_migrate_exactly(oracle_server):
    """Column-level grants (GRANT SELECT (col) ON t) are grants of the model ("SELECT(col)"): granted, revoked and
    granted on a new column and a new view, in ACL order, a quoted column name kept as it is."""
    server, _ = oracle_server
    with connect(server, autocommit=True) as admin:
        for role in ("sw_cat_web", "sw_cat_admin", "sw_cat_audit"):
            admin.execute(f"DROP ROLE IF EXISTS {role}")
            admin.execute(f"CREATE ROLE {role} NOLOGIN")

    def column_grant_read(a, old, new):
        assert any('SELECT("Name")' in g.privileges for g in new.grants if g.grantee == "sw_cat_admin")

    migrate_and_compare(oracle_server, GRANTS_OLD, GRANTS_NEW, "grant", after=column_grant_read)


def test_lint_judges_partitions_by_their_parent(oracle_server):
    """The schema lint reads the catalog too: a partition (no key of its own, the parent's) gets no finding of its
    own, as before the reader held partitions, while its parent is linted."""
    from schemawright.lint.schema import lint_connection

    server, _ = oracle_server
    with scratch_database(server, "sw_part_l") as dsn, connect(dsn) as conn:
        with conn.transaction():
            apply_sql(conn, NEW)
        result = lint_connection(conn, live=False)
    subjects = " ".join(f"{f.message} {getattr(f, 'subject', '')} {getattr(f, 'location', '')}"
                        for f in result.findings)
    assert "logs_2024" not in subjects and "logs_2025" not in subjects
    assert "logs" in subjects  # the parent (no primary key) is linted


def test_a_partition_added_to_a_parent_with_an_identity_column(oracle_server):
    """A new partition of a parent with an identity column and NOT NULL columns, as pg_dump judges it: since
    PostgreSQL 17 a table with an identity of its own cannot be attached ("The new partition may not contain an
    identity column"), and since 18 a partition made by PARTITION OF names its NOT NULL constraints as the
    parent's; the partition the diff creates and attaches must end as PARTITION OF makes it."""
    server, pg_dump = oracle_server
    old = ("CREATE TABLE ev (id bigint GENERATED ALWAYS AS IDENTITY, kind text NOT NULL, at date NOT NULL, "
           "PRIMARY KEY (id, at)) PARTITION BY RANGE (at);\n"
           "CREATE TABLE ev_2025 PARTITION OF ev FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');\n"
           "INSERT INTO ev (kind, at) VALUES ('a', '2025-05-01');\n")
    new = old + "CREATE TABLE ev_2026 PARTITION OF ev FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');\n"
    with scratch_database(server, "sw_part_id_a") as a, scratch_database(server, "sw_part_id_b") as b, \
            connect(a, autocommit=True) as ca, connect(b, autocommit=True) as cb:
        apply_sql(ca, old)
        apply_sql(cb, new)
        apply_sql(ca, plan(diff(inspect_database(ca), inspect_database(cb)), allow_destructive=False).sql())
        ca.execute("INSERT INTO ev (kind, at) VALUES ('b', '2026-02-01')")  # the parent's identity serves it
        assert compare_dumps(dump_objects(pg_dump, b), dump_objects(pg_dump, a)) == []
