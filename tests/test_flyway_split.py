"""diff --flyway cuts a migration into Flyway-ready versioned files (issue 13): each statement that cannot run in
a transaction alone in its own file with Flyway's script config (executeInTransaction=false), the statements
between them in transactional files. Proven on the local PostgreSQL 15 by applying the files in order with
psql the way Flyway does (transactional ones with --single-transaction) and comparing pg_dump -s with the
target schema applied fresh; and with our own runner, up, down part by part and up again."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from schemawright.db import scratch_database
from schemawright.diff.migration import make_migration, write_migration
from schemawright.migrate import apply_migrations, undo_migrations, verify_migrations
from schemawright.project.statements import split_statements

pytestmark = pytest.mark.skipif(not shutil.which("psql") or not shutil.which("pg_dump"),
                                reason="psql and pg_dump (PostgreSQL client) are needed")

OLD = """CREATE TYPE item_state AS ENUM ('new', 'done');
CREATE TABLE items (id int PRIMARY KEY, code text, state item_state NOT NULL DEFAULT 'new');
"""
NEW = """CREATE TYPE item_state AS ENUM ('new', 'done', 'archived');
CREATE TABLE items (id int PRIMARY KEY, code text, state item_state NOT NULL DEFAULT 'new',
                    note text NOT NULL DEFAULT 'none', kept item_state DEFAULT 'archived');
CREATE INDEX items_code_idx ON items (code);
COMMENT ON COLUMN items.note IS 'free text';
"""


def _psql(dsn: str, path: Path, single_transaction: bool) -> None:
    args = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", dsn, "-f", str(path)]
    if single_transaction:
        args.insert(1, "--single-transaction")
    subprocess.run(args, check=True, capture_output=True, text=True)


def _dump(dsn: str) -> str:
    out = subprocess.run(["pg_dump", "-s", "--no-owner", "-T", "schemawright_history", "-d", dsn], check=True,
                         capture_output=True, text=True).stdout
    # \restrict carries a random key per dump (pg_dump 15.14+); the history table is the runner's own
    lines = [line for line in out.splitlines() if not line.startswith(("\\restrict", "\\unrestrict", "--"))]
    return "\n".join(lines)


def _versions(folder: Path) -> list[Path]:
    def key(p: Path) -> tuple[int, ...]:
        return tuple(int(x) for x in re.split(r"[._]", re.match(r"V([\d._]+?)__", p.name).group(1)))
    return sorted(folder.glob("V*.sql"), key=key)


@pytest.fixture
def flyway_folder(tmp_path, pg15_dsn):
    (tmp_path / "old.sql").write_text(OLD)
    (tmp_path / "new.sql").write_text(NEW)
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "V001__init.sql").write_text(OLD)
    (folder / "U001__init.sql").write_text("DROP TABLE items;\nDROP TYPE item_state;\n")
    migration = make_migration(str(tmp_path / "old.sql"), str(tmp_path / "new.sql"), dsn=pg15_dsn)
    written = write_migration(migration, folder, flyway=True)
    return folder, written


def test_each_file_is_transactional_or_one_non_transactional_statement(flyway_folder):
    folder, written = flyway_folder
    forward = [p for p in written if p.name.startswith("V")]
    assert [p.name.split("__")[0] for p in forward] == ["V002", "V002_1", "V002_2", "V002_3"]
    kinds = []
    for path in forward:
        statements = [s for s in split_statements(path.read_text(), path.name)
                      if not re.match(r"(SET|RESET)\s", s.text)]
        outside = [s for s in statements if s.non_transactional]
        conf = path.with_name(path.name + ".conf")
        if outside:
            assert len(statements) == 1, f"{path.name} mixes a non-transactional statement with others"
            assert conf.read_text().splitlines()[-1] == "executeInTransaction=false"
            kinds.append(statements[0].text.split(" (")[0].split(" AFTER")[0])
        else:
            assert not conf.exists()
            kinds.append("tx")
    assert kinds == ["ALTER TYPE item_state ADD VALUE 'archived'", "tx",
                     "CREATE INDEX CONCURRENTLY items_code_idx ON items", "tx"]
    # the column whose default uses the new label comes after the label is committed
    assert "ADD COLUMN kept item_state DEFAULT 'archived'" in forward[1].read_text()
    # every undo file beside its forward file
    assert sorted(p.name[1:] for p in written if p.name.startswith("U")) == sorted(p.name[1:] for p in forward)


def test_applied_in_order_with_psql_as_flyway_does_gives_the_target_schema(flyway_folder, pg15_dsn, tmp_path):
    folder, _ = flyway_folder
    with scratch_database(pg15_dsn, prefix="i13mig_fw_a") as db, \
            scratch_database(pg15_dsn, prefix="i13mig_fw_b") as target:
        for path in _versions(folder):
            flyway_conf = path.with_name(path.name + ".conf")
            in_transaction = not (flyway_conf.exists() and "executeInTransaction=false" in flyway_conf.read_text())
            _psql(db, path, single_transaction=in_transaction)
        (tmp_path / "target.sql").write_text(NEW)
        _psql(target, tmp_path / "target.sql", single_transaction=True)
        assert _dump(db) == _dump(target)


def test_our_runner_applies_the_parts_and_undoes_them_part_by_part(flyway_folder, pg15_dsn, tmp_path):
    folder, _ = flyway_folder
    with scratch_database(pg15_dsn, prefix="i13mig_fw_c") as db, \
            scratch_database(pg15_dsn, prefix="i13mig_fw_d") as target:
        assert [r.version for r in apply_migrations(folder, db)] == ["1", "2", "2.1", "2.2", "2.3"]
        (tmp_path / "target.sql").write_text(NEW)
        _psql(target, tmp_path / "target.sql", single_transaction=True)
        after = _dump(db)
        assert after == _dump(target)
        # down part by part: the index goes with V002_2's undo, the columns with V002's
        assert [r.version for r in undo_migrations(folder, db, to="2.1")] == ["2.3", "2.2"]
        assert "items_code_idx" not in _dump(db) and "note" in _dump(db)
        assert [r.version for r in undo_migrations(folder, db, to="1")] == ["2.1", "2"]
        assert "note" not in _dump(db)
        assert [r.version for r in apply_migrations(folder, db)] == ["2", "2.1", "2.2", "2.3"]
        assert _dump(db) == after
        assert verify_migrations(folder, db).ok


def test_without_flyway_one_file_as_before(tmp_path, pg15_dsn):
    (tmp_path / "old.sql").write_text(OLD)
    (tmp_path / "new.sql").write_text(NEW)
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "V001__init.sql").write_text(OLD)
    migration = make_migration(str(tmp_path / "old.sql"), str(tmp_path / "new.sql"), dsn=pg15_dsn)
    written = write_migration(migration, folder)
    assert [p.name.split("__")[0] for p in written] == ["V002", "U002"]
    assert not list(folder.glob("*.conf"))


def test_a_design_folder_cut_for_flyway_keeps_the_owner_role_in_every_part(tmp_path, pg15_dsn):
    """A design's migrations switch to <project>_owner: every part runs under it (SET ROLE at its top, RESET
    ROLE at its end), so what the parts create belongs to the owner; applied with psql as Flyway would."""
    import psycopg
    from psycopg import sql

    import yaml

    from schemawright.api import design_project

    spec = yaml.safe_load((Path(__file__).parent / "inputs" / "library.yaml").read_text())
    spec["project"]["name"] = "i13mig library"  # roles are cluster-wide: names of this test only
    (tmp_path / "a.yaml").write_text(yaml.safe_dump(spec))
    entities = {e["name"]: e for e in spec["data_model"]["entities"]}
    entities["copies"]["attributes"].append({"name": "shelf_mark", "nullable": False, "default": "none"})
    entities["branches"]["attributes"][2] = {"name": "phone", "unique": True}
    (tmp_path / "b.yaml").write_text(yaml.safe_dump(spec))
    project = tmp_path / "project"
    design_project(tmp_path / "a.yaml", project)
    with psycopg.connect(pg15_dsn, autocommit=True) as conn:
        roles_before = {r for (r,) in conn.execute("SELECT rolname FROM pg_roles")}
    try:
        with scratch_database(pg15_dsn, prefix="i13mig_fw_role") as db:
            apply_migrations(project / "migrations", db)
            migration = make_migration(str(project), str(tmp_path / "b.yaml"), dsn=pg15_dsn)
            written = write_migration(migration, project / "migrations", flyway=True)
            forward = sorted((p for p in written if p.name.startswith("V")), key=lambda p: p.name.split("__")[0])
            assert len(forward) >= 3
            for path in forward:
                statements = [s.text for s in split_statements(path.read_text(), path.name)
                              if not re.match(r"SET (lock_timeout|statement_timeout|check_function_bodies)", s.text)]
                assert statements[0] == "SET ROLE i13mig_library_owner", path.name
                assert statements[-1] == "RESET ROLE", path.name
            for path in _versions(project / "migrations")[1:]:
                conf = path.with_name(path.name + ".conf")
                _psql(db, path, single_transaction=not conf.exists())
            # the unique index built CONCURRENTLY in its own file belongs to the owner, like its table
            assert _rows(db, "SELECT c.relname, pg_get_userbyid(c.relowner) FROM pg_index i JOIN pg_class c "
                             "ON c.oid = i.indexrelid JOIN pg_attribute a ON a.attrelid = i.indrelid AND "
                             "a.attnum = ANY (i.indkey) WHERE i.indrelid = 'branches'::regclass AND a.attname = "
                             "'phone' AND i.indisunique") == [("uq_branches_phone", "i13mig_library_owner")]
            assert not make_migration(db, str(tmp_path / "b.yaml"), dsn=pg15_dsn).changes
    finally:
        with psycopg.connect(pg15_dsn, autocommit=True) as conn:
            for (role,) in conn.execute("SELECT rolname FROM pg_roles").fetchall():
                if role not in roles_before and role.startswith("i13mig_library"):
                    conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


def _rows(dsn: str, query: str):
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        return conn.execute(query).fetchall()
