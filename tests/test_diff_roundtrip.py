"""Round trips on a real PostgreSQL: apply FROM, apply the diff, read the catalog back and compare it
with TO (introspected); then the undo must bring FROM back. Also the helper the corpus test uses.
Migrations are applied by ``project.applier.apply_sql``: split by pglast, statements that cannot run in a
transaction block alone, the others grouped in transactions."""

from __future__ import annotations


import copy
import json
from pathlib import Path

import pytest
import yaml
from psycopg import sql

from schemawright.api import design_schema
from schemawright.db import connect, scratch_database
from schemawright.dialects import get_dialect
from schemawright.diff import diff, plan
from schemawright.model.compare import differences
from schemawright.model.keys import normalized
from schemawright.model.schema import Schema
from schemawright.project.sources import apply_sql, inspect_database

EXAMPLES = Path(__file__).parents[1] / "examples"


@pytest.fixture(autouse=True)
def restore_roles(pg_dsn):
    """Roles are cluster-wide and designs create theirs: drop the roles a test created (its databases
    are gone by then), so that later tests (verify refuses to reuse roles) find the server unchanged."""
    def roles() -> set[str]:
        with connect(pg_dsn, autocommit=True) as conn:
            return {name for (name,) in conn.execute("SELECT rolname FROM pg_roles")}
    before = roles()
    yield
    with connect(pg_dsn, autocommit=True) as conn:
        for role in sorted(roles() - before):
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


def round_trip(server: str, from_sql: str, to_sql: str, old: Schema | None = None,
               new: Schema | None = None) -> list[str]:
    """Problems found (empty: the round trip holds). The diff is computed from ``old``/``new`` when
    given (designed models), else from the two databases as introspected."""
    with scratch_database(server, prefix="sw_diff_a") as a_dsn, scratch_database(server, prefix="sw_diff_b") as b_dsn, \
            connect(a_dsn, autocommit=True) as a, connect(b_dsn, autocommit=True) as b:
        for conn in (a, b):
            conn.execute("SET synchronous_commit = off")  # throw-away databases
        apply_sql(a, from_sql, "FROM")
        apply_sql(b, to_sql, "TO")
        before, target = inspect_database(a), inspect_database(b)
        migration = plan(diff(old or before, new or target), allow_destructive=True)
        problems: list[str] = []
        try:
            apply_sql(a, migration.sql())
        except Exception as exc:  # report, don't crash the table of results
            return [f"forward failed: {type(exc).__name__}: {str(exc).splitlines()[0]}"]
        after = inspect_database(a)
        problems += [f"forward: {d}" for d in differences(target, after) + security_differences(target, after)]
        if new is not None:
            problems += [f"forward vs model: {d}" for d in differences(new, inspect_database(a))]
        try:
            apply_sql(a, migration.sql(undo=True))
        except Exception as exc:  # see above
            return problems + [f"undo failed: {type(exc).__name__}: {str(exc).splitlines()[0]}"]
        restored = inspect_database(a)
        problems += [f"undo: {d}" for d in differences(before, restored) + security_differences(before, restored)]
        return problems


def security_differences(expected: Schema, actual: Schema) -> list[str]:
    """Row-level security, policies and grants, which ``differences`` compares only for models that
    manage roles (designs): a database's own are compared here."""
    if expected.roles:
        return []

    def items(s: Schema) -> set:
        return ({("rls", t.schema, t.name, t.rls_enabled, t.rls_forced) for t in s.tables}
                | {("policy", p.schema, p.table, p.name, p.command, frozenset(p.roles), p.permissive,
                    normalized(p.using), normalized(p.with_check)) for p in s.policies}
                | {("grant", g.object_type, g.schema, g.object_name, g.grantee, priv)
                   for g in s.grants for priv in g.privileges})
    exp, act = items(expected), items(actual)
    return [f"missing {i}" for i in sorted(exp - act, key=str)] + [f"unexpected {i}" for i in sorted(act - exp, key=str)]


def ddl(schema: Schema) -> str:
    return "\n".join(s.sql for s in get_dialect().create_statements(schema))


def _design(data: dict, tmp_path: Path, name: str) -> Schema:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return design_schema(path)[1]


def _load(name: str) -> dict:
    text = (EXAMPLES / name).read_text(encoding="utf-8")
    return json.loads(text) if name.endswith(".json") else yaml.safe_load(text)


def _entity(data: dict, name: str) -> dict:
    return next(e for e in data["data_model"]["entities"] if e["name"] == name)


def _attribute_index(entity: dict, name: str) -> int:
    return next(i for i, a in enumerate(entity["attributes"]) if (a if isinstance(a, str) else a["name"]) == name)


def _ecommerce_changed(data: dict) -> dict:
    """Added, dropped, renamed and retyped columns, a renamed table, a new index, new FKs and a table."""
    data = copy.deepcopy(data)
    _entity(data, "users")["attributes"].append({"name": "phone", "type": "varchar(30)"})
    products = _entity(data, "products")
    products["attributes"].remove("description")
    products["attributes"][_attribute_index(products, "name")] = {"name": "name", "type": "varchar(300)"}
    products["attributes"].append({"name": "approved_by", "references": "users"})
    orders = _entity(data, "orders")
    orders.update(name="purchase_orders", renamed_from="orders")
    orders["attributes"][_attribute_index(orders, "total")] = {
        "name": "total_amount", "type": "numeric(14,2)", "renamed_from": "total"}
    for rel in data["data_model"]["relationships"]:
        rel["from"] = "purchase_orders" if rel["from"] == "orders" else rel["from"]
    data["data_model"]["indexes"] = [{"entity": "purchase_orders", "columns": ["status", "created_at"]}]
    data["data_model"]["entities"].append({"name": "reviews", "attributes": ["rating", "body", "product_id",
                                                                             "user_id"]})
    return data


def _saas_changed(data: dict) -> dict:
    """A dropped table, a narrowed and a widened column, a new NOT NULL, an enum-like value set."""
    data = copy.deepcopy(data)
    data["data_model"]["entities"] = [e for e in data["data_model"]["entities"] if e["name"] != "api_keys"]
    data["data_model"]["indexes"] = [i for i in data["data_model"].get("indexes", []) if i["entity"] != "api_keys"]
    data["data_model"]["relationships"] = [r for r in data["data_model"].get("relationships", [])
                                           if "api_keys" not in (r["from"], r["to"])]
    users = _entity(data, "users")
    users["attributes"][_attribute_index(users, "full_name")] = {"name": "display_name", "type": "varchar(100)",
                                                                 "nullable": False, "renamed_from": "full_name"}
    users["attributes"].append({"name": "bio", "type": "text"})
    orgs = _entity(data, "organizations")
    orgs["attributes"][_attribute_index(orgs, "plan_tier")] = {
        "name": "plan_tier", "type": "text", "values": ["free", "team", "business", "enterprise", "education"],
        "default": "free"}
    return data


CASES = {
    "ecommerce": ("ecommerce.json", _ecommerce_changed),
    "saas": ("saas_multitenant.yaml", _saas_changed),
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("direction", ["forward", "backward"])
def test_example_pairs_round_trip(case, direction, pg_dsn, tmp_path):
    example, change = CASES[case]
    original = _load(example)
    a, b = _design(original, tmp_path, "a"), _design(change(original), tmp_path, "b")
    if direction == "backward":  # the modified input back to the example: drops, widening undone...
        a, b = b, a
    assert diff(a, b), "the modified input should differ"
    assert round_trip(pg_dsn, ddl(a), ddl(b), a, b) == []


@pytest.mark.parametrize("example", ["ecommerce.json", "saas_multitenant.yaml"])
def test_example_against_empty_database_and_back(example, pg_dsn, tmp_path):
    schema = _design(_load(example), tmp_path, "a")
    # the diff creates a designed table's first partitions after the default privileges are set; it revokes
    # what they granted, so its partitions carry no grants, as V001's (rows go through the parent's RLS)
    assert round_trip(pg_dsn, "", ddl(schema), None, schema) == []  # FROM: an empty database, as read


def test_renames_keep_the_data(scratch_dsn):
    """A renamed table and column keep their rows (no drop + add); the undo restores the old names."""
    old_sql = """CREATE TABLE clients (id int PRIMARY KEY, full_name text);
                 CREATE INDEX clients_full_name_idx ON clients (full_name);
                 INSERT INTO clients VALUES (1, 'Ada'), (2, 'Grace');"""
    with connect(scratch_dsn, autocommit=True) as conn:
        apply_sql(conn, old_sql)
        old = inspect_database(conn)
        new = copy.deepcopy(old)
        table = new.tables[0]
        table.name, table.renamed_from = "customers", "clients"
        table.columns[1].name, table.columns[1].renamed_from = "name", "full_name"
        table.primary_key.columns = ("id",)
        table.indexes[0].elements[0].column = "name"
        changes = diff(old, new)
        migration = plan(changes)
        assert not migration.data_loss
        apply_sql(conn, migration.sql())
        assert conn.execute("SELECT name FROM customers ORDER BY id").fetchall() == [("Ada",), ("Grace",)]
        assert differences(new, inspect_database(conn)) == []
        apply_sql(conn, migration.sql(undo=True))
        assert conn.execute("SELECT full_name FROM clients ORDER BY id").fetchall() == [("Ada",), ("Grace",)]
        assert differences(old, inspect_database(conn)) == []


def test_not_null_and_foreign_key_on_live_rows(scratch_dsn):
    """The safe patterns work on a table with rows: SET NOT NULL via a validated check, FK NOT VALID
    then VALIDATE, a concurrent index and a concurrently built unique key."""
    setup = """CREATE TABLE authors (id int PRIMARY KEY);
               CREATE TABLE books (id int, author_id int, title text);
               INSERT INTO authors VALUES (1);
               INSERT INTO books VALUES (1, 1, 'a'), (2, 1, 'b');"""
    target = """CREATE TABLE authors (id int PRIMARY KEY);
                CREATE TABLE books (id int NOT NULL, author_id int REFERENCES authors, title text NOT NULL,
                                    CONSTRAINT books_pkey PRIMARY KEY (id));
                CREATE INDEX books_author_id_idx ON books (author_id);"""
    with connect(scratch_dsn, autocommit=True) as conn:
        apply_sql(conn, setup)
        old = inspect_database(conn)
    with scratch_database(scratch_dsn, prefix="sw_target") as target_dsn, connect(target_dsn, autocommit=True) as t:
        apply_sql(t, target)
        new = inspect_database(t)
    migration = plan(diff(old, new))
    text = migration.sql()
    assert "NOT VALID" in text and "VALIDATE CONSTRAINT" in text and "CONCURRENTLY" in text
    with connect(scratch_dsn, autocommit=True) as conn:
        apply_sql(conn, text)
        assert differences(new, inspect_database(conn)) == []
        assert conn.execute("SELECT count(*) FROM books").fetchone()[0] == 2


def test_hostile_names_are_quoted(pg_dsn):
    """Identifiers and labels that need quoting survive a diff both ways."""
    a = '''CREATE TYPE "Mood" AS ENUM ('it''s ok', 'bad');
           CREATE TABLE "Order Items" ("select" int PRIMARY KEY, "Qty" int, mood "Mood", "drop" text);
           COMMENT ON TABLE "Order Items" IS 'O''Reilly';'''
    b = '''CREATE TYPE "Mood" AS ENUM ('great', 'it''s ok', 'bad', 'a "quoted" one');
           CREATE TABLE "Order Items" ("select" bigint PRIMARY KEY, "Qty" int NOT NULL DEFAULT 1, mood "Mood",
                                       "from" text, CONSTRAINT "Qty > 0" CHECK ("Qty" > 0));
           CREATE INDEX "idx ""q""" ON "Order Items" ("Qty" DESC) WHERE mood <> 'bad';
           CREATE VIEW "V; DROP TABLE x" AS SELECT "select", "Qty" FROM "Order Items";
           COMMENT ON COLUMN "Order Items"."Qty" IS 'how many; -- not a comment';'''
    assert round_trip(pg_dsn, a, b) == []
