"""The task input an import writes, the designer's convention switches it relies on, and the
``schemawright import`` command."""

from __future__ import annotations

import textwrap

import pytest
import typer
import yaml
from typer.testing import CliRunner

from schemawright.api import design_schema
from schemawright.errors import SpecError
from schemawright.cli.importer import register
from schemawright.importers.postgres_sql import import_postgres_sql
from schemawright.importers.proof import check_against_catalog
from schemawright.importers.roundtrip import build_design, round_trip_differences
from schemawright.importers.to_spec import to_yaml
from schemawright.model.compare import differences

SCRIPT = """
CREATE SCHEMA billing;
CREATE TYPE status AS ENUM ('open', 'paid');
CREATE TABLE "Customer" ("CustomerId" int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "e-mail" text NOT NULL);
CREATE TABLE billing.invoice (
    year int, number int, customer int REFERENCES "Customer" ON DELETE SET NULL DEFERRABLE,
    state status NOT NULL DEFAULT 'open', issued date DEFAULT CURRENT_DATE,
    total numeric(12,2) GENERATED ALWAYS AS (number * 2.5) STORED,
    PRIMARY KEY (year, number), UNIQUE NULLS NOT DISTINCT (customer, issued),
    CHECK (issued > '2000-01-01' AND issued <= now() + interval '1 day'));
CREATE TABLE billing.line (year int, number int, pos int, FOREIGN KEY (year, number) REFERENCES billing.invoice);
CREATE TABLE a (id int PRIMARY KEY, b_id int NOT NULL);
CREATE TABLE b (id int PRIMARY KEY, a_id int NOT NULL REFERENCES a);
ALTER TABLE a ADD CONSTRAINT a_b FOREIGN KEY (b_id) REFERENCES b;
CREATE INDEX ON billing.invoice USING brin (issued);
CREATE INDEX lines_pos ON billing.line (pos DESC NULLS LAST) WHERE pos > 0;
COMMENT ON TABLE "Customer" IS 'Buyers';
COMMENT ON CONSTRAINT invoice_issued_check ON billing.invoice IS 'Dates make sense';
CREATE VIEW open_invoices AS SELECT year, number FROM billing.invoice WHERE state = 'open';
CREATE FUNCTION double(x int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT x * 2';
"""


def _write(tmp_path, text: str, name: str = "spec.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def test_the_task_input_designs_back_to_the_imported_schema(tmp_path, pg_dsn):
    result = import_postgres_sql(SCRIPT)
    assert round_trip_differences(result) == []
    spec = yaml.safe_load(to_yaml(result, "script.sql"))
    assert set(spec["conventions"].values()) == {False}
    assert {r["name"] for r in spec["data_model"]["relationships"]} == {
        "invoice_customer_fkey", "line_year_number_fkey", "b_a_id_fkey", "a_b"}
    built = build_design(result, pg_dsn)  # and the design builds on PostgreSQL, equal to the import
    assert built.errors == [] and built.differences == []


DOMAINS = """
CREATE SCHEMA ref;
CREATE DOMAIN year AS integer CONSTRAINT year_check CHECK (VALUE >= 1901 AND VALUE <= 2155);
CREATE DOMAIN "Name" AS varchar(50);
CREATE DOMAIN "Flag" AS boolean NOT NULL DEFAULT false;
CREATE DOMAIN ref.code AS text COLLATE "C" CHECK (VALUE ~ '^[A-Z]+$');
COMMENT ON DOMAIN "Name" IS 'A short name';
CREATE TABLE film (id int PRIMARY KEY, release_year year, title "Name" NOT NULL, active "Flag" DEFAULT true,
                   code ref.code);
"""


def test_domains_survive_import_and_design(tmp_path, pg_dsn):
    """A domain is carried as a domain (data_model.domains), and a column of it keeps it as its type: the
    design built on PostgreSQL has the catalog of the source loaded there (check_against_catalog)."""
    result = import_postgres_sql(DOMAINS)
    spec = yaml.safe_load(to_yaml(result, "script.sql"))
    assert [d["name"] for d in spec["data_model"]["domains"]] == ["year", "Name", "Flag", "code"]
    assert {a["name"]: a["type"] for a in spec["data_model"]["entities"][0]["attributes"]}["title"] == '"Name"'
    source = check_against_catalog(DOMAINS, result, pg_dsn)  # the import equals PostgreSQL's own reading
    assert source.load_errors == [] and source.differences == []
    built = build_design(result, pg_dsn)  # and the design, built, has the source's catalog
    assert built.errors == [] and built.differences == []
    assert differences(source.catalog, built.catalog) == []
    assert {(d.name, d.base_type, d.not_null, d.collation) for d in built.catalog.domains} == {
        ("year", "integer", False, None), ("Name", "character varying(50)", False, None),
        ("Flag", "boolean", True, None), ("code", "text", False, "C")}
    film = built.catalog.table("film")
    assert str(film.column("title").type) == '"Name"' and str(film.column("code").type) == "ref.code"


SCHEMA_COMMENTS_AND_CLUSTER = """
CREATE SCHEMA sales;
COMMENT ON SCHEMA sales IS 'Orders and customers';
COMMENT ON SCHEMA public IS 'Standard public schema';
CREATE TABLE sales.o (id int PRIMARY KEY, placed date);
CREATE INDEX o_placed ON sales.o (placed);
CLUSTER sales.o USING o_placed;
CREATE TABLE p (id int, CONSTRAINT p_key PRIMARY KEY (id));
ALTER TABLE p CLUSTER ON p_key;
"""


def test_schema_comments_and_cluster_survive_import_and_design(pg_dsn):
    """COMMENT ON SCHEMA (data_model.schemas) and CLUSTER / CLUSTER ON (an entity's cluster_on) are carried:
    the catalog of the built design equals the catalog of the source (both read from PostgreSQL)."""
    result = import_postgres_sql(SCHEMA_COMMENTS_AND_CLUSTER)
    assert not result.unmodelled, result.skipped_lines
    spec = yaml.safe_load(to_yaml(result, "script.sql"))
    assert spec["data_model"]["schemas"] == [{"name": "sales", "description": "Orders and customers"},
                                             {"name": "public", "description": "Standard public schema"}]
    assert {e["name"]: e.get("cluster_on") for e in spec["data_model"]["entities"]} == {"o": "o_placed", "p": "p_key"}
    source = check_against_catalog(SCHEMA_COMMENTS_AND_CLUSTER, result, pg_dsn)
    assert source.load_errors == [] and source.differences == []
    assert source.catalog.schema_comments == {"public": "Standard public schema", "sales": "Orders and customers"}
    assert not [u for u in source.catalog.unmodelled if u.kind == "schema comment"]  # modelled now
    built = build_design(result, pg_dsn)
    assert built.errors == [] and built.differences == []
    assert differences(source.catalog, built.catalog) == []
    assert {t.name: t.cluster_on for t in built.catalog.tables} == {"o": "o_placed", "p": "p_key"}


MATVIEW_INDEXES = """
CREATE TABLE r (id int PRIMARY KEY, cat text, amount numeric);
CREATE MATERIALIZED VIEW by_cat AS SELECT cat, sum(amount) AS total FROM r GROUP BY cat;
CREATE UNIQUE INDEX by_cat_cat ON by_cat (cat);
CREATE INDEX ON by_cat (lower(cat)) WHERE total > 0;
CLUSTER by_cat USING by_cat_cat;
"""


def test_indexes_of_materialized_views_survive_import_design_and_diff(pg_dsn):
    """A materialized view's indexes (a view's ``indexes``) are carried, read back by inspect (not listed as
    unmodelled any more), and a diff that adds them rebuilds the view with them."""
    from schemawright.diff.compare import diff

    result = import_postgres_sql(MATVIEW_INDEXES)
    assert [ix.name for ix in result.schema.views[0].indexes] == ["by_cat_cat", "by_cat_lower_idx"]
    view = yaml.safe_load(to_yaml(result, "script.sql"))["data_model"]["views"][0]
    assert [ix["name"] for ix in view["indexes"]] == ["by_cat_cat", "by_cat_lower_idx"]
    assert view["cluster_on"] == "by_cat_cat"
    source = check_against_catalog(MATVIEW_INDEXES, result, pg_dsn)
    assert source.load_errors == [] and source.differences == [] and source.catalog.unmodelled == []
    built = build_design(result, pg_dsn)
    assert built.errors == [] and built.differences == []
    assert differences(source.catalog, built.catalog) == []
    without = import_postgres_sql(MATVIEW_INDEXES.split("CREATE UNIQUE")[0]).schema
    assert {type(c).__name__ for c in diff(without, result.schema)} == {"DropView", "AddView"}


def test_virtual_generated_columns_stay_virtual():
    """PostgreSQL 18's VIRTUAL generated columns (pagila's film.length_hours) are carried as generated_virtual
    and rendered VIRTUAL, a STORED one STORED (the import oracle test proves it on PostgreSQL 18)."""
    from schemawright.dialects import get_dialect
    from schemawright.importers.roundtrip import design_back

    result = import_postgres_sql("CREATE TABLE f (len int, h numeric GENERATED ALWAYS AS (len / 60.0) VIRTUAL, "
                                 "s int GENERATED ALWAYS AS (len * 2) STORED);")
    attributes = yaml.safe_load(to_yaml(result, "f.sql"))["data_model"]["entities"][0]["attributes"]
    assert [a.get("generated_virtual") for a in attributes] == [None, True, None]
    assert round_trip_differences(result) == []
    (table,) = [s.sql for s in get_dialect().create_statements(design_back(result)) if "CREATE TABLE" in s.sql]
    assert "GENERATED ALWAYS AS (len / 60.0) VIRTUAL" in table and "GENERATED ALWAYS AS (len * 2) STORED" in table


PARTITIONS = """
CREATE TABLE c (id int PRIMARY KEY);
CREATE TABLE events (blog_id int NOT NULL, at timestamptz NOT NULL, PRIMARY KEY (blog_id, at))
    PARTITION BY HASH (blog_id);
CREATE TABLE events_0 PARTITION OF events FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE events_1 PARTITION OF events FOR VALUES WITH (MODULUS 2, REMAINDER 1);
CREATE INDEX ON events (at);
CREATE TABLE pay (id int NOT NULL, d date NOT NULL, c_id int) PARTITION BY RANGE (d);
CREATE TABLE pay_1 (id int NOT NULL, d date NOT NULL, c_id int);
ALTER TABLE ONLY pay ATTACH PARTITION pay_1 FOR VALUES FROM ('2022-01-01') TO ('2022-02-01');
ALTER TABLE ONLY pay ADD CONSTRAINT pay_pkey PRIMARY KEY (d, id);
ALTER TABLE ONLY pay_1 ADD CONSTRAINT pay_1_pkey PRIMARY KEY (d, id);
ALTER INDEX pay_pkey ATTACH PARTITION pay_1_pkey;
CREATE INDEX pay_1_c_idx ON pay_1 (c_id);
ALTER TABLE ONLY pay_1 ADD CONSTRAINT pay_1_c_fkey FOREIGN KEY (c_id) REFERENCES c(id);
"""


def test_partitions_survive_import_and_design(pg_dsn):
    """Partitions (PARTITION OF, and pg_dump's CREATE TABLE + ATTACH PARTITION) become entities with
    partition_of; what PostgreSQL gives a partition from its parent (key, attached indexes) is left to it, its own
    foreign keys and indexes are kept. Built, the design's catalog lists the same partitions as the source's."""
    result = import_postgres_sql(PARTITIONS)
    assert not result.unmodelled, result.skipped_lines
    entities = {e["name"]: e for e in yaml.safe_load(to_yaml(result, "p.sql"))["data_model"]["entities"]}
    assert entities["events_1"]["partition_of"] == {"parent": "events", "bound": "FOR VALUES WITH (MODULUS 2, REMAINDER 1)"}
    assert "attributes" not in entities["pay_1"] and "primary_key" not in entities["pay_1"]
    source = check_against_catalog(PARTITIONS, result, pg_dsn)
    assert source.load_errors == [] and source.differences == []
    built = build_design(result, pg_dsn)
    assert built.errors == [] and built.differences == []
    assert differences(source.catalog, built.catalog) == []
    def partitions(catalog):  # the catalog reader holds partitions as tables (Table.partition_of)
        return sorted((t.name, t.partition_of, t.partition_bound) for t in catalog.tables if t.partition_of)
    assert partitions(built.catalog) == partitions(source.catalog) and len(partitions(source.catalog)) == 3
    assert not [u for u in source.catalog.unmodelled if u.kind == "partition"]


INHERITANCE_AND_RULES = """
CREATE SEQUENCE pay_id_seq;
CREATE TABLE pay (id int DEFAULT nextval('pay_id_seq') NOT NULL, d date NOT NULL, amount numeric CHECK (amount >= 0),
                  PRIMARY KEY (id));
CREATE TABLE pay_1 (CONSTRAINT pay_1_d_check CHECK (d >= '2007-01-01' AND d < '2007-02-01')) INHERITS (pay);
CREATE TABLE pay_2 (extra text, CONSTRAINT pay_2_d_check CHECK (d >= '2007-02-01')) INHERITS (pay);
ALTER TABLE ONLY pay_1 ADD CONSTRAINT pay_1_pkey PRIMARY KEY (id);
CREATE INDEX pay_1_d ON pay_1 (d);
CREATE RULE pay_insert_1 AS ON INSERT TO pay WHERE new.d >= '2007-01-01'::date AND new.d < '2007-02-01'::date
    DO INSTEAD INSERT INTO pay_1 (id, d, amount) VALUES (DEFAULT, new.d, new.amount);
"""


def test_inheritance_and_rules_survive_import_and_design(pg_dsn):
    """INHERITS (an entity's inherits: its own attributes and checks only) and rules on tables (an entity's
    rules, deparsed by PostgreSQL's parser) are carried: the built design's catalog, and its unmodelled list
    (inheritance, rules: what inspect still lists), equal the source's."""
    result = import_postgres_sql(INHERITANCE_AND_RULES)
    assert not result.unmodelled, result.skipped_lines
    entities = {e["name"]: e for e in yaml.safe_load(to_yaml(result, "i.sql"))["data_model"]["entities"]}
    assert entities["pay_2"]["inherits"] == ["pay"] and [a["name"] for a in entities["pay_2"]["attributes"]] == ["extra"]
    assert [r["name"] for r in entities["pay"]["rules"]] == ["pay_insert_1"]
    assert round_trip_differences(result) == []
    source = check_against_catalog(INHERITANCE_AND_RULES, result, pg_dsn)
    assert source.load_errors == [] and source.differences == []
    built = build_design(result, pg_dsn)
    assert built.errors == [] and built.differences == []
    assert differences(source.catalog, built.catalog) == []

    def listed(catalog):
        return sorted((u.kind, u.name, u.definition) for u in catalog.unmodelled)
    assert listed(built.catalog) == listed(source.catalog)
    assert {kind for kind, _, _ in listed(source.catalog)} == set()  # the catalog reader holds both now

    def lineage(catalog):
        return sorted((t.name, t.inherits, tuple(sorted(t.rules.items()))) for t in catalog.tables
                      if t.inherits or t.rules)
    assert lineage(built.catalog) == lineage(source.catalog)
    assert {name for name, _, _ in lineage(source.catalog)} >= {"pay", "pay_2"}


FOREIGN = """
CREATE EXTENSION IF NOT EXISTS postgres_fdw;
CREATE SERVER IF NOT EXISTS other FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host 'localhost', dbname 'x');
DROP FOREIGN TABLE IF EXISTS comments;
CREATE FOREIGN TABLE comments (post_id int NOT NULL, body text) SERVER other OPTIONS (table_name 'c');
"""


def test_foreign_servers_and_tables_survive_import_and_design(pg_dsn):
    """CREATE SERVER (data_model.foreign_servers) and CREATE FOREIGN TABLE (an entity's foreign_server and
    foreign_options) are carried; built, the catalog lists the same foreign table as the source's."""
    result = import_postgres_sql(FOREIGN)
    assert not result.unmodelled, result.skipped_lines
    data_model = yaml.safe_load(to_yaml(result, "f.sql"))["data_model"]
    assert data_model["foreign_servers"] == [{"name": "other", "wrapper": "postgres_fdw",
                                              "options": ["host=localhost", "dbname=x"]}]
    assert data_model["entities"][0]["foreign_server"] == "other"
    source = check_against_catalog(FOREIGN, result, pg_dsn)
    assert source.load_errors == [] and source.differences == []
    built = build_design(result, pg_dsn)
    assert built.errors == [] and built.differences == []
    assert [(u.kind, u.name) for u in built.catalog.unmodelled] == []  # the catalog reader holds it now
    table = next(t for t in built.catalog.tables if t.name == "comments")
    assert table.foreign_server == "other" and [s.name for s in built.catalog.foreign_servers] == ["other"]


def test_cluster_on_names_an_index_of_the_entity(tmp_path):
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump({"conventions": False, "data_model": {"entities": [
        {"name": "t", "attributes": [{"name": "id", "type": "int"}], "primary_key": ["id"], "cluster_on": "nope"}]}}))
    with pytest.raises(SpecError, match=r"'nope' is not an index or key of t"):
        design_schema(path)


def test_every_convention_off_is_recorded(tmp_path):
    path = _write(tmp_path, """
        conventions: false
        data_model:
          entities:
            - name: order_item
              attributes: [email, status, customer_id]
    """)
    _, schema = design_schema(path)
    table = schema.table("order_item")  # not pluralized
    assert [c.name for c in table.columns] == ["email", "status", "customer_id"]
    assert table.primary_key is None and not table.checks and not table.foreign_keys and not table.indexes
    assert all(c.comment is None for c in table.columns)
    disabled = {i.rule for i in schema.inferences if i.reason.startswith("disabled by conventions.")}
    assert {"conventions.uuid_keys", "conventions.audit_columns", "conventions.infer_types", "conventions.naming"
            } - {"conventions.naming"} <= disabled
    assert not schema.roles and not schema.views


def test_one_switch_off_leaves_the_others_on(tmp_path):
    path = _write(tmp_path, """
        conventions: {audit_columns: false, index_foreign_keys: false}
        data_model:
          entities:
            - name: customer
              attributes: [name]
            - name: order
              attributes: [customer_id, total]
    """)
    _, schema = design_schema(path)
    orders = schema.table("orders")
    assert orders.column("id") is not None and orders.column("created_at") is None
    assert orders.foreign_keys and not orders.indexes
    assert any(i.rule == "conventions.audit_columns" for i in schema.inferences)


def test_spelled_out_sql_needs_strict_expressions_off(tmp_path):
    path = _write(tmp_path, """
        data_model:
          entities:
            - name: counter
              attributes:
                - {name: n, type: integer, default_expression: "nextval('s')"}
    """)
    with pytest.raises(SpecError, match="default_expression needs conventions.strict_expressions: false"):
        design_schema(path)


@pytest.mark.parametrize("entity,problem", [
    ({"name": "a/b"}, "is not a valid name"),
    ({"name": "t", "attributes": [{"name": "c", "type": "text); DROP TABLE x; --"}]}, "unsupported type"),
    ({"name": "t", "attributes": [{"name": "c", "type": "int", "default_expression": "1; DROP TABLE x"}]},
     "bad default_expression"),
    ({"name": "t", "attributes": [{"name": "c", "type": "int", "default_expression": "(SELECT 1)"}]},
     "sub-queries are not allowed"),
])
def test_spelled_out_inputs_still_refuse_smuggled_sql(tmp_path, entity, problem):
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump({"conventions": False, "data_model": {"entities": [entity]}}))
    with pytest.raises(SpecError, match=problem):
        design_schema(path)


def test_views_and_functions_are_checked_before_they_reach_the_ddl(tmp_path):
    spec = {"conventions": False, "data_model": {
        "entities": [{"name": "t", "attributes": [{"name": "a", "type": "int"}]}],
        "views": [{"name": "v", "query": "SELECT a FROM t; DROP TABLE t"}],
        "functions": [{"name": "f", "returns": "int LANGUAGE c AS 'x'", "body": "SELECT 1"}]}}
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec))
    with pytest.raises(SpecError) as caught:
        design_schema(path)
    messages = str(caught.value)
    assert "must be one SELECT" in messages and "signature only" in messages


def test_import_command(tmp_path, pg_dsn):
    app = typer.Typer()
    register(app)
    app.command("noop")(lambda: None)  # a second command keeps "import" a subcommand
    source = _write(tmp_path, SCRIPT + "INSERT INTO a VALUES (1, 1);\nCREATE OPERATOR === (LEFTARG = int, "
                    "RIGHTARG = int, FUNCTION = int4eq);\n", "shop.sql")
    runner = CliRunner()
    out = tmp_path / "spec.yaml"
    result = runner.invoke(app, ["import", str(source), "-o", str(out), "--check", "--dsn", pg_dsn])
    assert result.exit_code == 6, result.output  # the operator is not carried: status partial, listed on stderr
    assert "NOT imported: 1 object(s) the schema model does not hold" in result.stderr
    assert "  CREATE OPERATOR === (line 22): operators, base types" in result.stderr
    result = runner.invoke(app, ["import", str(source), "-o", str(out), "--check", "--dsn", pg_dsn, "--force",
                                 "--allow-unmodelled"])
    assert result.exit_code == 0, result.output
    assert "skipped: INSERT at line" in result.output and "CREATE OPERATOR" in result.output
    assert "import vs built design differences: 0 difference(s)" in result.output
    spec = yaml.safe_load(out.read_text())
    assert any("CREATE OPERATOR" in line for line in spec["x-skipped"])
    again = runner.invoke(app, ["import", str(source), "-o", str(out)])
    assert again.exit_code == 2 and "--force" in again.output
    missing = runner.invoke(app, ["import", str(tmp_path / "nope.sql"), "-o", str(tmp_path / "x.yaml")])
    assert missing.exit_code == 2 and "no such file" in missing.output
    as_json = runner.invoke(app, ["import", str(source), "-o", str(tmp_path / "spec.json"), "--model",
                                  str(tmp_path / "model.json"), "--allow-unmodelled"])
    assert as_json.exit_code == 0 and (tmp_path / "model.json").exists()
    _, designed = design_schema(tmp_path / "spec.json")
    assert differences(import_postgres_sql(source.read_text()).schema, designed) == []


OWN_SCHEMA_TYPES = """
CREATE SCHEMA app;
CREATE TYPE app.state AS ENUM ('open', 'done');
CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.changed := now(); RETURN NEW; END $$;
CREATE TABLE app.task (id int PRIMARY KEY, state app.state NOT NULL DEFAULT 'open', states app.state[],
                       changed timestamptz);
CREATE TRIGGER task_touch BEFORE UPDATE ON app.task FOR EACH ROW EXECUTE FUNCTION app.touch();
"""


def test_enums_and_trigger_functions_of_the_tables_own_schema_build(pg_dsn):
    """An enum and a trigger function in the (non-public) schema of their table: the model names them bare
    (the table's schema), the DDL must name their schema (only public is on the search path)."""
    result = import_postgres_sql(OWN_SCHEMA_TYPES)
    built = build_design(result, pg_dsn)
    assert built.errors == [] and built.differences == []
    task = next(t for t in built.catalog.tables if t.name == "task")
    assert [tr.function for tr in task.triggers] == ["touch"]


IDENTITY_OPTIONS = """
CREATE TABLE amenity (id smallint GENERATED BY DEFAULT AS IDENTITY (START WITH 100 INCREMENT BY 1) PRIMARY KEY);
CREATE TABLE ticket (id bigint GENERATED ALWAYS AS IDENTITY (INCREMENT BY 10 CACHE 20) PRIMARY KEY, n int NOT NULL);
ALTER TABLE ticket ALTER COLUMN n ADD GENERATED BY DEFAULT AS IDENTITY (MAXVALUE 999 CYCLE);
CREATE TABLE plain (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY);
"""


def test_identity_options_survive_sql_and_live_import_and_design(pg_dsn):
    """START WITH, INCREMENT BY, CACHE, MAXVALUE, CYCLE of identity columns: read from the script and from the
    catalog alike, carried by the task input (identity_options) and built again."""
    result = import_postgres_sql(IDENTITY_OPTIONS)
    source = check_against_catalog(IDENTITY_OPTIONS, result, pg_dsn)
    assert source.load_errors == [] and source.differences == []
    entities = {e["name"]: e for e in yaml.safe_load(to_yaml(result, "i.sql"))["data_model"]["entities"]}
    assert entities["amenity"]["attributes"][0]["identity_options"].startswith("START WITH 100 INCREMENT BY 1 ")
    assert "identity_options" not in entities["plain"]["attributes"][0]
    built = build_design(result, pg_dsn)
    assert built.errors == [] and built.differences == []
    assert differences(source.catalog, built.catalog) == []


EXCLUSIONS = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE TABLE booking (id int PRIMARY KEY, room int, desk int, during tstzrange NOT NULL, state text NOT NULL,
    CONSTRAINT booking_room_no_overlap EXCLUDE USING gist (room WITH =, during WITH &&)
        WHERE (state <> 'cancelled' AND room IS NOT NULL),
    EXCLUDE USING gist (desk WITH =, tstzrange(lower(during), upper(during), '[]') WITH &&) DEFERRABLE INITIALLY DEFERRED);
ALTER TABLE booking ADD CONSTRAINT booking_id_excl EXCLUDE (id WITH =);
COMMENT ON CONSTRAINT booking_room_no_overlap ON booking IS 'a room is booked once at a time';
"""


def test_exclusion_constraints_survive_sql_and_live_import_and_design(pg_dsn):
    """EXCLUDE constraints (named or not, with a predicate, an expression element, DEFERRABLE, another method) are
    read from the script as from the catalog, carried by the task input (constraints of type exclude) and built
    again; the live import no longer drops them silently."""
    result = import_postgres_sql(EXCLUSIONS)
    assert not [s for s in result.skipped_lines if "EXCLU" in s.upper()], result.skipped_lines
    source = check_against_catalog(EXCLUSIONS, result, pg_dsn)
    assert source.load_errors == [] and source.differences == []
    spec = yaml.safe_load(to_yaml(result, "x.sql"))
    assert sorted(c["name"] for c in spec["data_model"]["constraints"] if c["type"] == "exclude") == [
        "booking_desk_tstzrange_excl", "booking_id_excl", "booking_room_no_overlap"]
    built = build_design(result, pg_dsn)
    assert built.errors == [] and built.differences == []
    assert differences(source.catalog, built.catalog) == []
    assert sum(len(t.exclusions) for t in built.catalog.tables) == 3


PARTITIONED_IDENTITY = """
CREATE TABLE ev (id bigint GENERATED ALWAYS AS IDENTITY, at timestamptz NOT NULL, PRIMARY KEY (id, at))
    PARTITION BY RANGE (at);
CREATE TABLE ev_2025 PARTITION OF ev FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
"""


def test_a_partition_gets_no_identity_of_its_own(pg_dsn):
    """A partition of a parent with an identity column is created without one (ATTACH gives it what PARTITION OF
    gives: nothing before PostgreSQL 17, the parent's identity since); with one of its own, PostgreSQL 15 kept a
    second sequence per partition (pg_dump: ALTER TABLE ev_2025 ALTER COLUMN id ADD GENERATED ALWAYS...)."""
    from schemawright.dialects import get_dialect
    from schemawright.importers.roundtrip import design_back

    result = import_postgres_sql(PARTITIONED_IDENTITY)
    ddl = "\n".join(s.sql for s in get_dialect().create_statements(design_back(result, "p.sql")))
    assert ddl.count("AS IDENTITY") == 1, ddl
    source = check_against_catalog(PARTITIONED_IDENTITY, result, pg_dsn)
    built = build_design(result, pg_dsn)
    assert built.errors == [] and differences(source.catalog, built.catalog) == []


COMPOSITES = """
CREATE SCHEMA app;
CREATE TYPE app.state AS ENUM ('open', 'done');
CREATE TYPE app.address AS (street text, city varchar(40), country char(2), state app.state, note text COLLATE "C");
COMMENT ON TYPE app.address IS 'as printed on invoices';
CREATE TABLE app.customer (id int PRIMARY KEY, billing app.address, shipping app.address[] NOT NULL DEFAULT '{}');
"""


def test_composite_types_survive_sql_and_live_import_and_design(pg_dsn):
    """A composite type (its attributes' types, an enum's, a collation, its comment) is read from the script,
    carried by the task input (data_model.composite_types) and created before the tables that use it; the
    design failed before (type "app.address" does not exist)."""
    result = import_postgres_sql(COMPOSITES)
    assert not [s for s in result.skipped_lines if "TYPE" in s], result.skipped_lines
    spec = yaml.safe_load(to_yaml(result, "c.sql"))
    (address,) = spec["data_model"]["composite_types"]
    assert (address["schema"], address["description"], address["attributes"][-1]) == (
        "app", "as printed on invoices", {"name": "note", "type": "text", "collation": "C"})
    source = check_against_catalog(COMPOSITES, result, pg_dsn)
    assert source.load_errors == [] and source.differences == []
    built = build_design(result, pg_dsn)
    assert built.errors == [] and built.differences == []
    assert [(t.schema, t.name, t.attributes, t.comment) for t in built.catalog.composite_types] == \
        [(t.schema, t.name, t.attributes, t.comment) for t in source.catalog.composite_types]


VIEW_OPTIONS = """
CREATE TABLE t (a int);
CREATE VIEW v1 WITH (security_barrier) AS SELECT a FROM t;
CREATE VIEW v2 WITH (security_barrier = true, security_invoker = on) AS SELECT a FROM t;
CREATE VIEW v3 AS SELECT a FROM t WHERE a > 0 WITH LOCAL CHECK OPTION;
CREATE VIEW v4 AS SELECT a FROM t WITH CHECK OPTION;
"""


def test_view_options_survive_sql_and_live_import_and_design(pg_dsn):
    """A view's WITH (security_barrier, security_invoker) and WITH CHECK OPTION: read from the script (they were
    dropped silently) as the catalog stores them, carried by the task input (a view's options) and built again."""
    result = import_postgres_sql(VIEW_OPTIONS)
    source = check_against_catalog(VIEW_OPTIONS, result, pg_dsn)
    assert source.load_errors == [] and source.differences == []
    options = {v.name: v.options for v in source.catalog.views}
    assert options == {v.name: v.options for v in result.schema.views}
    assert options["v1"] == ("security_barrier=true",) and options["v4"] == ("check_option=cascaded",)
    built = build_design(result, pg_dsn)
    assert built.errors == [] and {v.name: v.options for v in built.catalog.views} == options


def test_row_level_security_left_out_is_listed_by_name():
    """Row-level security a task input does not carry is listed per table and per policy (kind, name, why),
    not as one line without names."""
    result = import_postgres_sql("""
        CREATE SCHEMA app;
        CREATE TABLE app.doc (id int PRIMARY KEY, org int NOT NULL);
        ALTER TABLE app.doc ENABLE ROW LEVEL SECURITY;
        CREATE POLICY doc_org ON app.doc FOR SELECT USING (org = 1);""")
    skipped = yaml.safe_load(to_yaml(result, "r.sql"))["x-skipped"]
    assert any("row-level security of table app.doc (enabled)" in s for s in skipped), skipped
    assert any("policy doc_org on app.doc (FOR SELECT)" in s for s in skipped), skipped


def test_a_diff_from_the_database_to_the_imported_design_compares_composite_types(pg_dsn, tmp_path):
    """The diff compared composite types between two catalogs only (a task input had none); now that the task
    input carries them, a changed attribute in the input is migrated, and an unchanged one is no difference."""
    from schemawright.db import connect, scratch_database
    from schemawright.diff import diff
    from schemawright.project.sources import inspect_database
    from schemawright.model.changes import AlterCompositeType

    spec = yaml.safe_load(to_yaml(import_postgres_sql(COMPOSITES), "c.sql"))
    (tmp_path / "same.yaml").write_text(yaml.safe_dump(spec))
    spec["data_model"]["composite_types"][0]["attributes"][1]["type"] = "varchar(80)"  # city widened
    (tmp_path / "wider.yaml").write_text(yaml.safe_dump(spec))
    with scratch_database(pg_dsn, prefix="sw_composite_diff") as dsn, connect(dsn, autocommit=True) as conn:
        conn.execute(COMPOSITES)
        live = inspect_database(conn)
    _, same = design_schema(tmp_path / "same.yaml")
    _, wider = design_schema(tmp_path / "wider.yaml")
    assert [c for c in diff(live, same) if isinstance(c, AlterCompositeType)] == []
    (altered,) = [c for c in diff(live, wider) if isinstance(c, AlterCompositeType)]
    assert [a for a in altered.new.attributes if a[0] == "city"] != [a for a in altered.old.attributes if a[0] == "city"]
