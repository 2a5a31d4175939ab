"""The PostgreSQL DDL interpreter: what it makes of small scripts, proved against the catalog of the
same scripts loaded into a scratch database, and the import of a live database."""

from __future__ import annotations

import psycopg
import pytest

from schemawright.importers import import_source
from schemawright.importers.postgres_sql import import_postgres_sql
from schemawright.importers.proof import check_against_catalog
from schemawright.model.schema import FkAction, IndexMethod
from schemawright.model.types import DataType, Kind

SHOP = """
SET statement_timeout = 0;
SELECT pg_catalog.set_config('search_path', 'public', false);
CREATE TYPE public.mood AS ENUM ('sad', 'ok');
CREATE DOMAIN public.year AS integer CONSTRAINT year_check CHECK (VALUE >= 1901 AND VALUE <= 2155);
CREATE SEQUENCE public.customer_customer_id_seq START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1;
ALTER TABLE public.customer_customer_id_seq OWNER TO postgres;
CREATE TABLE public.customer (
    customer_id integer DEFAULT nextval('public.customer_customer_id_seq'::regclass) NOT NULL,
    email text UNIQUE,
    mood public.mood DEFAULT 'ok'::public.mood,
    born public.year,
    CHECK (length(email) > 3),
    CHECK (born < 2100 OR email IS NULL)
);
ALTER TABLE public.customer OWNER TO postgres;
ALTER TABLE ONLY public.customer ADD CONSTRAINT customer_pkey PRIMARY KEY (customer_id);
CREATE TABLE orders (
    id serial PRIMARY KEY,
    customer_id integer NOT NULL REFERENCES customer ON DELETE CASCADE,
    total numeric(10,2) NOT NULL DEFAULT 0 CHECK (total >= 0),
    note varchar(20),
    placed timestamp(3) with time zone DEFAULT now()
);
CREATE INDEX ON orders (customer_id, placed DESC NULLS LAST);
CREATE INDEX ON orders (lower(note)) WHERE note IS NOT NULL;
CREATE UNIQUE INDEX orders_note_idx1 ON orders USING btree (note) INCLUDE (total);
COMMENT ON TABLE orders IS 'What customers bought';
COMMENT ON COLUMN orders.total IS 'Sum of the lines';
CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 100;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION touch();
INSERT INTO customer (email) VALUES ('a@b.c');
INSERT INTO customer (email) VALUES ('d@e.f');
CREATE AGGREGATE public.total_of(numeric) (SFUNC = numeric_add, STYPE = numeric);
"""


def test_tables_columns_and_postgresql_default_names():
    result = import_postgres_sql(SHOP)
    schema = result.schema
    customer, orders = schema.table("customer"), schema.table("orders")
    assert customer.primary_key.name == "customer_pkey"
    assert [u.name for u in customer.uniques] == ["customer_email_key"]
    assert {c.name for c in customer.checks} == {"customer_email_check", "customer_check"}
    assert customer.column("mood").type == DataType(Kind.ENUM, name="mood")
    assert orders.primary_key.name == "orders_pkey" and orders.column("id").nullable is False
    fk = orders.foreign_keys[0]
    assert (fk.name, fk.ref_table, fk.ref_columns, fk.on_delete) == (
        "orders_customer_id_fkey", "customer", ("customer_id",), FkAction.CASCADE)
    assert orders.column("placed").type == DataType(Kind.TIMESTAMPTZ, precision=3)
    assert [c.name for c in orders.checks] == ["orders_total_check"]
    assert orders.comment == "What customers bought" and orders.column("total").comment == "Sum of the lines"


def test_serials_stay_sequences_and_domains_stay_domains():
    """A serial is what PostgreSQL makes of it (pg_dump shows the same): a sequence of the column's type owned by
    the column, and a nextval() default; not an identity column (the import oracle test compares the two)."""
    schema = import_postgres_sql(SHOP).schema
    sequences = {s.name: s for s in schema.sequences}
    for table, column in (("customer", "customer_id"), ("orders", "id")):
        col = schema.table(table).column(column)
        assert col.identity is None and "nextval" in col.default.sql and f"{table}_{column}_seq'" in col.default.sql
    written, serial = sequences["customer_customer_id_seq"], sequences["orders_id_seq"]
    assert (written.data_type, written.owned_by, written.max_value) == ("bigint", None, 2**63 - 1)  # as written
    assert (serial.data_type, serial.owned_by, serial.max_value) == ("integer", "orders.id", 2**31 - 1)
    born = schema.table("customer").column("born")
    assert born.type == DataType(Kind.OTHER, name="year")  # the column keeps its domain, as the catalog shows
    (year,) = schema.domains
    assert (year.schema, year.name, year.base_type, [c.name for c in year.checks]) == (
        "public", "year", "integer", ["year_check"])
    assert "value >= 1901" in year.checks[0].expression.sql


def test_indexes_keep_order_expressions_predicates_and_names():
    orders = import_postgres_sql(SHOP).schema.table("orders")
    by_name = {ix.name: ix for ix in orders.indexes}
    assert set(by_name) == {"orders_customer_id_placed_idx", "orders_lower_idx", "orders_note_idx1"}
    placed = by_name["orders_customer_id_placed_idx"].elements[1]
    assert placed.descending and placed.nulls_first is False
    assert by_name["orders_lower_idx"].where is not None
    assert by_name["orders_note_idx1"].unique and by_name["orders_note_idx1"].include == ("total",)
    assert all(ix.method == IndexMethod.BTREE for ix in orders.indexes)


def test_views_functions_triggers_and_what_is_skipped():
    result = import_postgres_sql(SHOP)
    view = result.schema.views[0]
    assert "SELECT id, customer_id, total, note, placed FROM orders" in view.query  # * expanded as PostgreSQL does
    assert result.schema.function("touch").returns == "trigger"
    assert result.schema.table("orders").triggers[0].function == "touch"
    lines = result.skipped_lines
    assert any(line.startswith("skipped: INSERT at line 33: data, not schema (2 statements)") for line in lines)
    assert not any("CREATE AGGREGATE" in line for line in lines)  # aggregates are modelled now
    (aggregate,) = result.schema.aggregates
    assert (aggregate.schema, aggregate.name, aggregate.arguments, aggregate.options) == (
        "public", "total_of", "numeric", "sfunc = numeric_add, stype = numeric")
    assert not any("SET" in line or "OWNER" in line or "set_config" in line for line in lines)


def test_psql_meta_commands_copy_data_and_unparsable_statements_are_listed():
    script = ("\\connect shop\nCREATE TABLE t (a int);\nCOPY t (a) FROM stdin;\n1\n2\n\\.\n"
              "CREATE TABLE broken (a int,);\nCREATE TABLE u (b int);\n")
    result = import_postgres_sql(script)
    assert [t.name for t in result.schema.tables] == ["t", "u"]
    lines = result.skipped_lines
    assert lines[0] == "skipped: psql \\connect at line 1: a psql meta-command, not SQL"
    assert "skipped: COPY at line 3: data, not schema" in lines
    assert any(line.startswith("skipped: CREATE TABLE at line 7: cannot be parsed") for line in lines)


def test_partitions_inheritance_and_schemas():
    script = """
    CREATE SCHEMA sales CREATE TABLE region (id int PRIMARY KEY, name text);
    CREATE TABLE payment (id int, paid date NOT NULL, region_id int REFERENCES sales.region) PARTITION BY RANGE (paid);
    CREATE TABLE payment_2024 PARTITION OF payment FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
    CREATE TABLE payment_2025 (id int, paid date NOT NULL, region_id int);
    ALTER TABLE ONLY payment ATTACH PARTITION payment_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
    CREATE TABLE log (at timestamptz NOT NULL DEFAULT now(), CHECK (at > '2000-01-01'));
    CREATE TABLE log_old (extra text) INHERITS (log);
    """
    result = import_postgres_sql(script)
    schema = result.schema
    assert sorted(t.name for t in schema.tables) == ["log", "log_old", "payment", "payment_2024", "payment_2025",
                                                     "region"]
    assert schema.table("region").schema == "sales"
    assert schema.table("payment").foreign_keys[0].ref_schema == "sales"
    assert schema.table("payment").partitioning.columns == ("paid",)
    # partitions are tables of their own now (partition_of): PARTITION OF and pg_dump's ATTACH PARTITION alike
    assert [(t.partition_of, t.partition_bound) for t in (schema.table("payment_2024"), schema.table("payment_2025"))] \
        == [("payment", "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')"),
            ("payment", "FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')")]
    assert schema.table("payment_2024").foreign_keys == []  # the parent's foreign key reaches it by itself
    assert [c.name for c in schema.table("log_old").columns] == ["at", "extra"]
    assert schema.table("log_old").inherits == ("log",)
    assert result.skipped_lines == []


def test_interpretation_matches_the_catalog(pg_dsn):
    result = import_postgres_sql(SHOP)
    check = check_against_catalog(SHOP, result, pg_dsn)
    assert check.load_errors == []
    assert check.differences == []


def test_import_from_a_live_database(scratch_dsn):
    with psycopg.connect(scratch_dsn, autocommit=True) as conn:
        conn.execute("CREATE DOMAIN pct AS numeric(5,2) CHECK (VALUE BETWEEN 0 AND 100)")
        conn.execute("CREATE TABLE item (id bigserial PRIMARY KEY, share pct NOT NULL, name text UNIQUE)")
    result = import_source(scratch_dsn)
    assert result.source_kind == "database"
    item = result.schema.table("item")
    assert item.column("id").identity is None and "item_id_seq" in item.column("id").default.sql  # a serial stays one
    assert [(s.name, s.owned_by) for s in result.schema.sequences] == [("item_id_seq", "item.id")]
    assert item.column("share").type == DataType(Kind.OTHER, name="pct")  # the domain stays the column's type
    (pct,) = result.schema.domains
    assert (pct.name, pct.base_type, [c.name for c in pct.checks]) == ("pct", "numeric(5,2)", ["pct_check"])
    assert item.checks == [] and not any("pct" in line for line in result.skipped_lines)


@pytest.mark.parametrize("text", ["CREATE TABLE t (a int", "CREATE TABLE 'x"])
def test_a_script_that_cannot_be_split_is_a_clear_error(tmp_path, text):
    from schemawright.importers import ImportSourceError

    path = tmp_path / "bad.sql"
    path.write_text(text)
    if text.endswith("int"):  # an unfinished statement is listed; with no table left, the import is refused
        with pytest.raises(ImportSourceError, match=r"(?s)gave no table.*skipped: CREATE TABLE at line 1: cannot be parsed"):
            import_source(str(path))
    else:
        with pytest.raises(ImportSourceError, match="cannot be split"):
            import_source(str(path))


def test_a_live_import_lists_the_privileges_it_does_not_carry(scratch_dsn):
    """Grants (a table's, a column's, a schema's) and EXECUTE revoked from PUBLIC are no part of the task input:
    listed as not carried, never dropped silently; PostgreSQL's defaults (PUBLIC's EXECUTE on a function, USAGE
    on schema public) are no grants of the schema's own and are not listed."""
    with psycopg.connect(scratch_dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE item (id int PRIMARY KEY, name text, secret text)")
        conn.execute("GRANT SELECT ON item TO PUBLIC")
        conn.execute("GRANT UPDATE (name) ON item TO PUBLIC")
        conn.execute("CREATE FUNCTION open_f() RETURNS int LANGUAGE sql AS 'SELECT 1'")
        conn.execute("CREATE FUNCTION closed_f() RETURNS int LANGUAGE sql AS 'SELECT 2'")
        conn.execute("REVOKE EXECUTE ON FUNCTION closed_f() FROM PUBLIC")
    notes = [line for line in import_source(scratch_dsn).skipped_lines if "grant" in line]
    assert any("grants on table item: SELECT, UPDATE(name) to PUBLIC" in n for n in notes), notes
    assert any("EXECUTE on function closed_f is revoked from PUBLIC" in n for n in notes), notes
    assert not [n for n in notes if "open_f" in n or "schema public" in n], notes


def test_privilege_statements_a_script_holds_are_listed_with_what_they_name():
    """GRANT / REVOKE statements are not imported: each is listed with its objects and roles (kind, name, why),
    not merged into one nameless count."""
    result = import_postgres_sql("CREATE SCHEMA app; CREATE TABLE app.t (id int, secret text);\n"
                                 "GRANT SELECT (id) ON app.t TO reader;\nREVOKE ALL ON SCHEMA app FROM PUBLIC;\n")
    lines = [line for line in result.skipped_lines if "privileges" in line]
    assert lines == ["skipped: GRANT at line 2: GRANT SELECT (id) ON TABLE app.t TO reader: roles and privileges are "
                     "not imported", "skipped: REVOKE at line 3: REVOKE ALL PRIVILEGES ON SCHEMA app FROM PUBLIC: roles "
                     "and privileges are not imported"]
