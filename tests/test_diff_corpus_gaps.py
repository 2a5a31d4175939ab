"""The corpus failures left after issue 13's main work, each reproduced outside the corpus on a small OLD/NEW
pair and judged as the corpus test judges them: OLD + our diff against NEW applied fresh, by ``pg_dump -s``
(the oracle), then a re-diff finds nothing and the undo brings OLD back.

- an index key's COLLATE (sqldef ``IndexWithCollate``),
- CLUSTER ON an index the same migration creates (apgdiff ``add_cluster``),
- comments on views' columns, on the indexes of keys and on sequences (apgdiff ``add_comment*``),
- a parent's serial column dropped while a child's default still uses its sequence (apgdiff
  ``modify_inherits``)."""

from __future__ import annotations

import test_diff_oracle_corpus
from test_diff_oracle_corpus import compare_dumps, dump_objects

from schemawright.db import connect, scratch_database
from schemawright.diff import diff, plan
from schemawright.diff.compare import unmodelled_differences
from schemawright.importers.postgres_sql import import_postgres_sql
from schemawright.project.sources import apply_sql, inspect_database

oracle_server = test_diff_oracle_corpus.oracle_server  # the fixture: a private server and its pg_dump


def migrate_and_compare(oracle_server, old_sql: str, new_sql: str, tag: str, rows: str = "") -> str:
    """Apply OLD (and ``rows``), our diff, compare with NEW applied fresh; then the undo against OLD.
    Returns the forward migration's SQL."""
    server, pg_dump = oracle_server
    with scratch_database(server, f"sw_gap_{tag}_a") as a_dsn, scratch_database(server, f"sw_gap_{tag}_b") as b_dsn, \
            connect(a_dsn, autocommit=True) as a, connect(b_dsn, autocommit=True) as b:
        apply_sql(a, old_sql + rows)
        apply_sql(b, new_sql)
        old, new = inspect_database(a), inspect_database(b)
        assert unmodelled_differences(old, new) == []  # modelled: nothing the diff has to leave out
        forward = plan(diff(old, new), allow_destructive=True)
        script = forward.sql()
        apply_sql(a, script)
        assert compare_dumps(dump_objects(pg_dump, b_dsn), dump_objects(pg_dump, a_dsn)) == []
        assert diff(inspect_database(a), new) == []
        apply_sql(a, forward.sql(undo=True))
        with scratch_database(server, f"sw_gap_{tag}_c") as c_dsn, connect(c_dsn, autocommit=True) as c:
            apply_sql(c, old_sql)
            assert compare_dumps(dump_objects(pg_dump, c_dsn), dump_objects(pg_dump, a_dsn)) == []
        return script


COLLATE_OLD = """
CREATE TABLE names (id int PRIMARY KEY, name text, code varchar(20) COLLATE "C", note text);
CREATE INDEX names_name ON names (name);
CREATE INDEX names_code ON names (code);
CREATE INDEX names_lower ON names (lower(name) COLLATE "C");
CREATE INDEX names_note ON names (note COLLATE "POSIX" text_pattern_ops DESC);
"""

COLLATE_NEW = """
CREATE TABLE names (id int PRIMARY KEY, name text, code varchar(20) COLLATE "C", note text);
CREATE INDEX names_name ON names (name COLLATE "C");
CREATE INDEX names_code ON names (code COLLATE "default");
CREATE INDEX names_lower ON names ((lower(name)) COLLATE "POSIX");
CREATE INDEX names_note ON names (note text_pattern_ops DESC);
CREATE INDEX names_both ON names (name COLLATE "C" DESC NULLS LAST, (upper(note)) COLLATE "C", id);
"""


def test_index_key_collations_migrate_exactly(oracle_server):
    """sqldef's IndexWithCollate: a key's COLLATE was listed as an unmodelled index option and lost."""
    script = migrate_and_compare(oracle_server, COLLATE_OLD, COLLATE_NEW, "coll",
                                 rows="INSERT INTO names VALUES (1, 'a', 'b', 'c');")
    assert 'CREATE INDEX CONCURRENTLY names_name ON names (name COLLATE "C")' in script
    assert 'names_both ON names (name COLLATE "C" DESC NULLS LAST, (upper(note)) COLLATE "C", id)' in script


def test_index_key_collations_are_read_and_imported(oracle_server):
    server, _ = oracle_server
    with scratch_database(server, "sw_gap_collr") as dsn, connect(dsn, autocommit=True) as conn:
        apply_sql(conn, COLLATE_NEW)
        schema = inspect_database(conn)
    assert [u for u in schema.unmodelled if u.kind == "index option"] == []
    ix = {i.name: i for i in schema.table("names").indexes}
    assert [e.collation for e in ix["names_both"].elements] == ["C", "C", None]
    assert [e.collation for e in ix["names_code"].elements] == ["default"]  # not the column's own: "C"
    assert ix["names_lower"].elements[0].collation == "POSIX"
    assert str(ix["names_lower"].elements[0].expression) == "lower(name)"
    assert ix["names_note"].elements[0].collation is None
    # the SQL importer reads the same keys (a parenthesized COLLATE is the key's, as PostgreSQL takes it)
    imported = import_postgres_sql(COLLATE_NEW).schema
    ix = {i.name: i for i in imported.table("names").indexes}
    assert [e.collation for e in ix["names_both"].elements] == ["C", "C", None]
    assert ix["names_lower"].elements[0].collation == "POSIX"
    assert ix["names_code"].elements[0].collation == "default"  # the column's own is "C"
    own = import_postgres_sql('CREATE TABLE t (a text COLLATE "C", b text);\n'
                              'CREATE INDEX t_a ON t (a COLLATE "C", b COLLATE "default");').schema
    assert [e.collation for e in own.table("t").indexes[0].elements] == [None, None]  # the columns' own


CLUSTER_OLD = """
CREATE TABLE kept (id int PRIMARY KEY, a int, b int);
CREATE INDEX kept_b ON kept (b);
ALTER TABLE kept CLUSTER ON kept_b;
"""

CLUSTER_NEW = """
CREATE TABLE kept (id int PRIMARY KEY, a int, b int);
CREATE INDEX kept_b ON kept (b);
CREATE INDEX kept_a ON kept (a);
ALTER TABLE kept CLUSTER ON kept_a;
CREATE TABLE fresh (id serial, flag boolean NOT NULL);
CREATE INDEX fresh_flag ON fresh (flag);
ALTER TABLE fresh CLUSTER ON fresh_flag;
CREATE TABLE keyed (id int PRIMARY KEY, v text);
ALTER TABLE keyed CLUSTER ON keyed_pkey;
"""


def test_cluster_on_an_index_the_migration_creates(oracle_server):
    """apgdiff's add_cluster: a new table's CLUSTER ON was lost (only kept tables had a SetCluster step); it
    follows the index it names, a new one or a key's."""
    script = migrate_and_compare(oracle_server, CLUSTER_OLD, CLUSTER_NEW, "clu",
                                 rows="INSERT INTO kept VALUES (1, 2, 3);")
    assert script.index("fresh_flag ON fresh (flag)") < script.index("ALTER TABLE fresh CLUSTER ON fresh_flag")
    assert script.index("kept_a ON kept (a)") < script.index("ALTER TABLE kept CLUSTER ON kept_a")

