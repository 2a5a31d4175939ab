"""The designer's inference rules, one small inline input at a time.

Each test writes a task input to tmp_path, designs it with ``schemawright.api.design_schema`` and
checks the decision in the canonical model, and that the decision was recorded as an inference
with its reason (docs/inferences.md is built from those).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from schemawright.api import design_schema
from schemawright.dialects.postgres import type_sql
from schemawright.errors import SpecError
from schemawright.model.schema import FkAction, IndexMethod, Schema, Table

EXAMPLES = sorted(p for p in (Path(__file__).resolve().parent.parent / "examples").iterdir()
                  if p.suffix in (".json", ".yaml", ".yml"))


def design(folder: Path, entities: list, name: str = "input.json", **sections) -> Schema:
    """Design an input made of ``entities`` plus any other data_model (relationships=...) or top-level
    (project=..., security_requirements=...) sections."""
    model_keys = {"relationships", "business_rules", "constraints", "indexes"}
    data = {"data_model": {"entities": entities, **{k: v for k, v in sections.items() if k in model_keys}},
            **{k: v for k, v in sections.items() if k not in model_keys}}
    path = folder / name
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return design_schema(path)[1]


def inferences(schema: Schema, rule: str, subject: str | None = None) -> list:
    return [i for i in schema.inferences if i.rule == rule and (subject is None or i.subject == subject)]


def checks_on(table: Table, column: str) -> list[str]:
    return [str(c.expression) for c in table.checks if column in c.columns]


def unique_on(table: Table, *columns: str) -> bool:
    return any(u.columns == columns for u in table.uniques)


def fk(table: Table, column: str):
    return next(f for f in table.foreign_keys if f.columns == (column,))


# --- name -> type rules ------------------------------------------------------------------------------

NAME_RULES = [
    # column, SQL type, NOT NULL, default, a fragment of its check (None: no check), unique, rule
    ("id", "uuid", True, "gen_random_uuid()", None, False, "key.uuid"),
    ("email", "varchar(254)", True, None, "~*", False, "type.email"),
    ("contact_email", "varchar(254)", False, None, "~*", False, "type.email"),
    ("password_hash", "text", True, None, None, False, "type.hash"),
    ("shipped_at", "timestamptz", False, None, None, False, "type.timestamptz"),
    ("due_date", "date", False, None, None, False, "type.date"),
    ("date_of_birth", "date", False, None, None, False, "type.date"),
    ("price", "numeric(12, 2)", True, None, "price >= 0", False, "type.money"),
    ("unit_price", "numeric(12, 2)", True, None, "unit_price >= 0", False, "type.money"),
    ("shipping_cost", "numeric(12, 2)", True, None, "shipping_cost >= 0", False, "type.money"),
    ("balance", "numeric(12, 2)", True, None, None, False, "type.money"),  # may be negative
    ("quantity", "integer", True, "0", "quantity >= 0", False, "type.quantity"),
    ("stock_count", "integer", True, "0", "stock_count >= 0", False, "type.quantity"),
    ("is_active", "boolean", True, "true", None, False, "type.boolean"),
    ("has_gift_wrap", "boolean", True, "false", None, False, "type.boolean"),
    ("profile", "jsonb", True, "'{}'::jsonb", None, False, "type.jsonb"),
    ("preferences", "jsonb", True, "'{}'::jsonb", None, False, "type.jsonb"),
    ("settings", "jsonb", True, "'{}'::jsonb", None, False, "type.jsonb"),
    ("metadata", "jsonb", True, "'{}'::jsonb", None, False, "type.jsonb"),
    ("status", "text", True, "'active'", "status IN ('active', 'inactive', 'archived')", False, "type.status"),
    ("rating", "smallint", True, None, "rating BETWEEN 1 AND 5", False, "type.rating"),
    ("website_url", "text", False, None, "^https?://", False, "type.url"),
    ("phone", "varchar(32)", False, None, "phone ~", False, "type.phone"),
    ("slug", "varchar(200)", True, None, "slug ~", True, "type.slug"),
    ("sku", "varchar(64)", True, None, None, True, "type.code"),
    ("postal_code", "text", False, None, None, False, "type.address"),  # describes, does not identify
    ("country_code", "varchar(2)", False, None, "^[A-Z]{2}$", False, "type.country"),
    ("currency", "varchar(3)", True, "'USD'", "^[A-Z]{3}$", False, "type.currency"),
    ("ip_address", "inet", False, None, None, False, "type.inet"),
    ("latitude", "numeric(9, 6)", False, None, "BETWEEN -90 AND 90", False, "type.coordinate"),
    ("discount_percent", "numeric(5, 2)", False, None, "BETWEEN 0 AND 100", False, "type.percent"),
    ("temperature", "double precision", True, None, None, False, "type.measurement"),
    ("age", "integer", False, None, "age >= 0", False, "type.integer"),
    ("title", "varchar(200)", True, None, "length(btrim(title)) > 0", False, "type.name"),
    ("first_name", "varchar(200)", False, None, None, False, "type.name"),
    ("ssn", "text", False, None, None, False, "type.sensitive"),
    ("description", "text", False, None, None, False, "type.text"),
    ("mystery_field", "text", False, None, None, False, "type.fallback"),
]


@pytest.fixture(scope="module")
def widgets(tmp_path_factory) -> tuple[Schema, Table]:
    schema = design(tmp_path_factory.mktemp("rules"), [
        {"name": "widgets", "attributes": [c for c, *_ in NAME_RULES]}])
    return schema, schema.table("widgets")


@pytest.mark.parametrize("col, sql_type, not_null, default, check, unique, rule", NAME_RULES,
                         ids=[r[0] for r in NAME_RULES])
def test_name_rule(widgets, col, sql_type, not_null, default, check, unique, rule):
    schema, table = widgets
    column = table.column(col)
    assert column is not None, f"no column {col}"
    assert type_sql(column.type) == sql_type
    assert column.nullable is not not_null
    assert (str(column.default) if column.default is not None else None) == default
    found = checks_on(table, col)
    if check is None:
        assert not found, found
    else:
        assert any(check in c for c in found), found
    assert unique_on(table, col) is unique
    assert inferences(schema, rule, f"widgets.{col}"), f"no {rule} inference for widgets.{col}"


@pytest.mark.parametrize("col, pii", [("email", True), ("phone", True), ("first_name", True),
                                      ("date_of_birth", True), ("ssn", True), ("ip_address", True),
                                      ("description", False), ("price", False)])
def test_personal_data_is_marked(widgets, col, pii):
    assert widgets[1].column(col).pii is pii


def test_every_name_rule_records_its_reason(widgets):
    schema, _ = widgets
    for col, *_, rule in NAME_RULES:
        for inference in inferences(schema, rule, f"widgets.{col}"):
            assert inference.reason and inference.decision


# --- explicit settings override the rules --------------------------------------------------------------

@pytest.fixture(scope="module")
def overrides(tmp_path_factory) -> tuple[Schema, Table]:
    schema = design(tmp_path_factory.mktemp("overrides"), [{"name": "items", "attributes": [
        {"name": "price", "type": "numeric(10,4)"},
        {"name": "total", "type": "integer"},
        {"name": "email", "nullable": True},
        {"name": "notes", "type": "varchar(500)", "check": "length(notes) > 10"},
        {"name": "slug", "unique": False},
        {"name": "keywords", "type": "text[]"},
        {"name": "kind", "type": "enum", "values": ["small", "large"]},
        {"name": "priority", "type": "smallint", "default": 3},
        {"name": "sex", "type": "text", "values": ["female", "male", "unknown"]},
        {"name": "status", "values": ["new", "done"]},
        {"name": "weight_grams", "type": "integer", "nullable": False, "unique": True},
        {"name": "is_active", "default": False},
    ]}])
    return schema, schema.table("items")


def test_explicit_type_of_the_same_kind_keeps_the_rule(overrides):
    _, table = overrides
    price = table.column("price")
    assert type_sql(price.type) == "numeric(10, 4)"
    assert not price.nullable and checks_on(table, "price") == ["price >= 0"]


def test_explicit_type_of_another_kind_drops_the_rule(overrides):
    _, table = overrides
    total = table.column("total")
    assert type_sql(total.type) == "integer" and total.nullable and not checks_on(table, "total")


def test_explicit_nullable_unique_and_check(overrides):
    _, table = overrides
    assert table.column("email").nullable
    assert not unique_on(table, "slug")
    assert any(c.name == "chk_items_notes_rule" and str(c.expression) == "length(notes) > 10" for c in table.checks)
    assert unique_on(table, "weight_grams") and not table.column("weight_grams").nullable


def test_explicit_array_type_is_a_column_not_a_child_table(overrides):
    schema, table = overrides
    assert type_sql(table.column("keywords").type) == "text[]"
    assert schema.table("keywords") is None and schema.table("item_keywords") is None


def test_explicit_enum_creates_a_type(overrides):
    schema, table = overrides
    enum = schema.enum("items_kind")
    assert enum is not None and enum.values == ("small", "large")
    assert table.column("kind").type.name == "items_kind"


def test_explicit_default_makes_the_column_required(overrides):
    schema, table = overrides
    priority = table.column("priority")
    assert str(priority.default) == "3" and not priority.nullable
    assert inferences(schema, "nullability.default", "items.priority")
    assert str(table.column("is_active").default) == "false"


def test_explicit_value_set_gets_no_invented_default(overrides):
    schema, table = overrides
    sex = table.column("sex")
    assert sex.default is None and sex.nullable
    assert checks_on(table, "sex") == ["sex IN ('female', 'male', 'unknown')"]
    status = table.column("status")  # a status starts in its first state
    assert str(status.default) == "'new'" and not status.nullable
    assert inferences(schema, "type.status", "items.status")


# --- relationships -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def shop(tmp_path_factory) -> Schema:
    return design(tmp_path_factory.mktemp("shop"), [
        {"name": "users", "attributes": ["email", "full_name"]},
        {"name": "orders", "type": "transactional", "attributes": ["user_id", "total", "status", "placed_at"]},
        {"name": "addresses", "attributes": ["street", "city"]},
        {"name": "user_profiles", "attributes": ["bio"]},
        {"name": "students", "attributes": ["full_name"]},
        {"name": "courses", "attributes": ["title"]},
        {"name": "products", "attributes": [
            "name", "vendor_id", "category", "tags", "images",
            {"name": "nicknames", "multi_valued": True},
            {"name": "supplier_id", "nullable": True}]},
        {"name": "reviews", "attributes": ["product_id", "reviewer_id", "rating", "parent_id", "body"]},
        {"name": "readings", "type": "time_series", "attributes": ["value", "recorded_at"]},
        {"name": "settings_log", "audit_columns": False, "attributes": ["note"]},
        {"name": "archived_orders", "type": "transactional", "soft_delete": True, "attributes": ["total"]},
        {"name": "drafts", "soft_delete": False, "attributes": ["body"]},
    ], relationships=[
        {"from": "orders", "to": "users", "type": "many_to_one", "foreign_key": "user_id"},
        {"from": "users", "to": "addresses", "type": "one_to_many", "on_delete": "cascade"},
        {"from": "user_profiles", "to": "users", "type": "one_to_one"},
        {"from": "students", "to": "courses", "type": "many_to_many"},
    ], indexes=[
        {"entity": "orders", "equality": ["user_id", "status"], "range": ["placed_at"]},
        {"entity": "orders", "columns": ["user_id"]},
        {"entity": "products", "columns": ["vendor_id", "name"]},
        {"entity": "reviews", "columns": ["product_id"], "where": "rating >= 4", "name": "idx_reviews_good"},
    ])


def test_explicit_many_to_one(shop):
    orders = shop.table("orders")
    user_id = orders.column("user_id")
    assert type_sql(user_id.type) == "uuid" and not user_id.nullable
    assert fk(orders, "user_id").ref_table == "users" and fk(orders, "user_id").ref_columns == ("id",)


def test_explicit_one_to_many_puts_the_key_on_the_many_side(shop):
    addresses = shop.table("addresses")
    assert fk(addresses, "user_id").ref_table == "users"
    assert fk(addresses, "user_id").on_delete == FkAction.CASCADE  # given in the input...
    assert not inferences(shop, "fk.on_delete", "addresses.user_id")  # ...so nothing was inferred


def test_one_to_one_is_a_unique_foreign_key(shop):
    profiles = shop.table("user_profiles")
    assert fk(profiles, "user_id").ref_table == "users"
    assert unique_on(profiles, "user_id")
    assert inferences(shop, "fk.one_to_one", "user_profiles.user_id")


def test_many_to_many_is_a_junction_with_a_composite_key(shop):
    junction = shop.table("student_courses")
    assert junction is not None and junction.kind == "junction"
    assert junction.primary_key.columns == ("student_id", "course_id")
    assert {f.ref_table for f in junction.foreign_keys} == {"students", "courses"}
    assert inferences(shop, "relationship.junction", "student_courses")


def test_id_name_creates_a_missing_parent_and_says_so(shop):
    vendors = shop.table("vendors")
    assert vendors is not None and [c.name for c in vendors.columns][:2] == ["id", "name"]
    assert fk(shop.table("products"), "vendor_id").ref_table == "vendors"
    assert inferences(shop, "entity.missing_parent", "vendors")
    assert inferences(shop, "fk.from_name", "products.vendor_id")


def test_role_names_reference_users(shop):
    assert fk(shop.table("reviews"), "reviewer_id").ref_table == "users"
    assert fk(shop.table("reviews"), "parent_id").ref_table == "reviews"


def test_shared_vocabulary_becomes_a_table_and_a_junction(shop):
    tags, junction = shop.table("tags"), shop.table("product_tags")
    assert tags is not None and unique_on(tags, "name") and checks_on(tags, "name")
    assert junction.primary_key.columns == ("product_id", "tag_id")
    assert inferences(shop, "normalize.multi_valued", "products.tags")
    assert shop.table("products").column("tags") is None


@pytest.mark.parametrize("attribute, table, value_column", [
    ("images", "product_images", "url"), ("nicknames", "product_nicknames", "value")])
def test_multi_valued_attribute_becomes_a_child_table(shop, attribute, table, value_column):
    child = shop.table(table)
    assert child is not None and child.kind == "child"
    assert {c.name for c in child.columns} >= {"product_id", value_column, "position"}
    assert unique_on(child, "product_id", value_column)
    assert fk(child, "product_id").on_delete == FkAction.CASCADE
    assert inferences(shop, "normalize.multi_valued", f"products.{attribute}")
    assert shop.table("products").column(attribute) is None


def test_category_becomes_a_lookup_table(shop):
    categories = shop.table("categories")
    assert categories.kind == "lookup" and unique_on(categories, "name")
    products = shop.table("products")
    assert products.column("category") is None and products.column("category_id").nullable
    assert fk(products, "category_id").ref_table == "categories"
    assert inferences(shop, "normalize.lookup", "products.category")


@pytest.mark.parametrize("subject, action, reason", [
    ("student_courses.student_id", FkAction.CASCADE, "part of their parent"),
    ("product_images.product_id", FkAction.CASCADE, "part of their parent"),
    ("user_profiles.user_id", FkAction.CASCADE, "one-to-one"),
    ("products.category_id", FkAction.RESTRICT, "lookup value"),
    ("orders.user_id", FkAction.RESTRICT, "transactional history"),
    ("products.supplier_id", FkAction.SET_NULL, "optional"),
    ("reviews.parent_id", FkAction.SET_NULL, "optional"),
    ("reviews.product_id", FkAction.RESTRICT, "required link"),
])
def test_on_delete_choice_and_its_reason(shop, subject, action, reason):
    table, column = subject.split(".")
    assert fk(shop.table(table), column).on_delete == action
    recorded = inferences(shop, "fk.on_delete", subject)
    assert len(recorded) == 1 and recorded[0].decision == f"ON DELETE {action}"
    assert reason in recorded[0].reason


# --- the standard table template ------------------------------------------------------------------------

def test_audit_columns_and_updated_at_trigger(shop):
    users = shop.table("users")
    for name in ("created_at", "updated_at"):
        column = users.column(name)
        assert type_sql(column.type) == "timestamptz" and not column.nullable
        assert str(column.default) == "CURRENT_TIMESTAMP"
    assert [t.name for t in users.triggers] == ["trg_users_updated_at"]
    assert users.triggers[0].function == "fn_update_timestamp" and users.triggers[0].events == ("UPDATE",)
    assert shop.function("fn_update_timestamp") is not None
    assert inferences(shop, "audit.columns", "users")


def test_append_only_tables_have_no_updated_at(shop):
    readings = shop.table("readings")
    assert readings.column("created_at") is not None and readings.column("updated_at") is None
    assert not readings.triggers


def test_audit_columns_can_be_turned_off(shop):
    log = shop.table("settings_logs")
    assert log.column("created_at") is None and log.column("updated_at") is None
    assert inferences(shop, "audit.columns", "settings_logs")[0].decision == "no audit columns"


def test_created_by_and_updated_by_reference_users(shop):
    orders = shop.table("orders")
    for name in ("created_by", "updated_by"):
        assert orders.column(name).nullable
        assert fk(orders, name).ref_table == "users" and fk(orders, name).on_delete == FkAction.SET_NULL
    assert inferences(shop, "audit.user_columns", "orders")


def test_no_created_by_without_a_users_table(tmp_path):
    schema = design(tmp_path, [{"name": "products", "attributes": ["name"]},
                               {"name": "orders", "type": "transactional", "attributes": ["total"]}])
    for table in schema.tables:
        assert table.column("created_by") is None and table.column("updated_by") is None
    assert not inferences(schema, "audit.user_columns")


def test_soft_delete_and_active_view(shop):
    users = shop.table("users")
    assert users.column("deleted_at").nullable
    view = next(v for v in shop.views if v.name == "vw_active_users")
    assert view.query.endswith("WHERE deleted_at IS NULL") and "deleted_at," not in view.query
    assert view.depends_on == ("users",)
    assert inferences(shop, "audit.soft_delete", "users")


@pytest.mark.parametrize("table, soft", [("users", True), ("orders", False), ("archived_orders", True),
                                         ("drafts", False), ("readings", False)])
def test_soft_delete_by_kind_or_input(shop, table, soft):
    assert (shop.table(table).column("deleted_at") is not None) is soft
    assert any(v.name == f"vw_active_{table}" for v in shop.views) is soft


# --- indexes -----------------------------------------------------------------------------------------------

def _check_foreign_keys_are_indexed(schema: Schema) -> None:
    for table in schema.tables:
        for key in table.foreign_keys:
            assert table.index_leading(key.columns), f"{table.name}.{key.name} has no index leading with it"


def test_every_foreign_key_is_covered_by_an_index(shop):
    _check_foreign_keys_are_indexed(shop)


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_every_foreign_key_of_the_examples_is_covered(example):
    _check_foreign_keys_are_indexed(design_schema(example)[1])


def test_declared_index_puts_equality_before_range(shop):
    orders = shop.table("orders")
    index = next(i for i in orders.indexes if i.name == "idx_orders_user_id_status_placed_at")
    assert index.columns == ("user_id", "status", "placed_at")
    assert inferences(shop, "index.column_order", "orders.idx_orders_user_id_status_placed_at")


def test_prefix_index_is_not_created(shop):
    orders = shop.table("orders")
    # the declared index serves the foreign key, and wins over the generated workload's sort order
    assert [i.columns for i in orders.indexes if i.columns[0] == "user_id"] == [("user_id", "status", "placed_at")]
    # no (user_id, created_at) composite: nothing in the input asks for orders by creation time
    assert not any("created_at" in i.columns for i in orders.indexes)
    assert inferences(shop, "index.redundant", "orders.idx_orders_user_id")


def test_declared_index_serves_the_foreign_key(shop):
    products = shop.table("products")
    assert products.index_leading(("vendor_id",)) in ("idx_products_vendor_id_name", "idx_products_vendor_id_created_at")
    assert not any(i.origin.rule == "index.foreign_key" for i in products.indexes if i.columns[0] == "vendor_id")
    assert not any(i.columns == ("vendor_id",) for i in products.indexes)


def test_partial_index_does_not_count_for_the_foreign_key(shop):
    reviews = shop.table("reviews")
    assert any(i.name == "idx_reviews_good" and i.where is not None for i in reviews.indexes)
    assert any(i.columns[0] == "product_id" and i.where is None for i in reviews.indexes)


def test_index_duplicating_a_unique_constraint_is_dropped(tmp_path):
    schema = design(tmp_path, [{"name": "products", "attributes": ["name", "sku"]}],
                    indexes=[{"entity": "products", "columns": ["sku"]}])
    products = schema.table("products")
    assert not any(i.columns == ("sku",) for i in products.indexes)
    assert inferences(schema, "index.redundant", "products.idx_products_sku")[0].decision.startswith(
        "not created: uq_products_sku")


def test_queried_jsonb_gets_a_gin_index(tmp_path):
    schema = design(tmp_path, [{"name": "devices", "attributes": [{"name": "metadata", "indexed": True}]}])
    index = next(i for i in schema.table("devices").indexes if i.columns == ("metadata",))
    assert index.method == IndexMethod.GIN and index.columns == ("metadata",)
    assert inferences(schema, "index.gin", "devices.metadata")


# --- missing information: documented defaults --------------------------------------------------------------

def test_missing_information_is_filled_in_and_recorded(tmp_path):
    schema = design(tmp_path, [{"name": "products", "attributes": ["name", "price"]}])
    assert schema.facts.scale.name == "medium" and schema.facts.scale.default_rows == 1_000_000
    assert inferences(schema, "default.scale", "project")
    assert {i.subject for i in inferences(schema, "default.latency")} == {
        "simple queries", "complex queries", "reports"}
    assert schema.facts.latency_targets.simple_queries == "< 10ms"
    assert schema.facts.data_classification == "internal"
    assert "no user data" in inferences(schema, "default.classification")[0].reason
    assert schema.table("products").estimated_rows == 1_000_000
    assert inferences(schema, "default.rows", "products")


def test_user_data_is_confidential_by_default(tmp_path):
    schema = design(tmp_path, [{"name": "users", "attributes": ["email"]}])
    assert schema.facts.data_classification == "confidential"


def test_given_information_is_not_inferred(tmp_path):
    schema = design(tmp_path, [{"name": "products", "estimated_rows": 5000, "attributes": ["name"]}],
                    project={"name": "p", "scale": "large"},
                    performance_targets={"query_performance": {"simple_queries": "< 5ms",
                                                               "complex_queries": "< 50ms", "reports": "< 1s"}},
                    security_requirements={"data_classification": "restricted"})
    assert schema.facts.scale.name == "large" and schema.facts.data_classification == "restricted"
    assert schema.facts.latency_targets.simple_queries == "< 5ms"
    for rule in ("default.scale", "default.latency", "default.classification", "default.rows"):
        assert not inferences(schema, rule), rule


# --- tenants, encryption, column order -----------------------------------------------------------------------

def test_tenant_column_is_added_required_and_scopes_inferred_uniques(tmp_path):
    schema = design(tmp_path, [
        {"name": "organizations", "attributes": ["name", "slug"]},
        {"name": "projects", "tenant_column": "organization_id", "attributes": ["name", "slug", "code"]},
        {"name": "documents", "tenant_column": "organization_id",
         "attributes": ["organization_id", {"name": "title", "unique": True}]},
    ])
    projects = schema.table("projects")
    column = projects.column("organization_id")
    assert column is not None and not column.nullable
    assert fk(projects, "organization_id").ref_table == "organizations"
    assert unique_on(projects, "organization_id", "slug") and unique_on(projects, "organization_id", "code")
    assert not unique_on(projects, "slug")
    assert inferences(schema, "tenant.unique", "projects.uq_projects_organization_id_slug")
    assert inferences(schema, "tenant.column", "projects.organization_id")
    assert unique_on(schema.table("organizations"), "slug")  # the tenants' table itself is not scoped
    # a unique the input asked for on an attribute holds per tenant too: a global one would tell tenant A that
    # tenant B already has the value
    assert unique_on(schema.table("documents"), "organization_id", "title")
    assert not unique_on(schema.table("documents"), "title")
    assert inferences(schema, "tenant.unique", "documents.uq_documents_organization_id_title")


def test_global_uniqueness_stated_in_constraints_stays_global(tmp_path):
    schema = design(tmp_path, [
        {"name": "organizations", "attributes": ["name"]},
        {"name": "api_keys", "tenant_column": "organization_id", "attributes": ["name", "key_prefix"]},
    ], constraints=[{"entity": "api_keys", "type": "unique", "columns": ["key_prefix"],
                     "description": "prefixes are looked up before the tenant is known"}])
    assert unique_on(schema.table("api_keys"), "key_prefix")


def test_tenant_keys_cannot_cross_tenants(tmp_path):
    schema = design(tmp_path, [
        {"name": "organizations", "attributes": ["name"]},
        {"name": "users", "attributes": ["email"]},
        {"name": "memberships", "type": "junction", "primary_key": ["organization_id", "user_id"],
         "attributes": ["organization_id", "user_id"]},
        {"name": "projects", "tenant_column": "organization_id", "attributes": ["name"]},
        {"name": "tasks", "tenant_column": "organization_id",
         "attributes": ["title", "project_id", {"name": "parent_task_id", "references": "tasks", "nullable": True}]},
        {"name": "task_comments", "attributes": ["task_id", "body"]},
    ], relationships=[{"from": "projects", "to": "users", "type": "many_to_many", "through": "project_watchers"}])
    tenancy = schema.facts.tenancy
    assert tenancy["root"] == "organizations"
    assert tenancy["tables"] == {"projects": "organization_id", "tasks": "organization_id",
                                 "memberships": "organization_id", "project_watchers": "organization_id",
                                 "task_comments": "organization_id"}
    assert tenancy["global"]["users"].startswith("referenced by tenant-scoped tables")
    assert inferences(schema, "tenant.global", "users")
    tasks = schema.table("tasks")
    composite = next(f for f in tasks.foreign_keys if f.ref_table == "projects")
    assert composite.columns == ("organization_id", "project_id") and composite.ref_columns == ("organization_id", "id")
    assert unique_on(schema.table("projects"), "organization_id", "id")
    self_ref = next(f for f in tasks.foreign_keys if f.ref_table == "tasks")
    assert self_ref.columns == ("organization_id", "parent_task_id") and self_ref.on_delete == "RESTRICT"
    # children reach the tenant through their parent: they get the tenant column and a composite key
    for child, parent in (("task_comments", "tasks"), ("project_watchers", "projects")):
        table = schema.table(child)
        assert not table.column("organization_id").nullable
        assert next(f for f in table.foreign_keys if f.ref_table == parent).columns[0] == "organization_id"
    # every tenant-scoped table, the tenants' table included, has a policy reading the checked tenant
    policies = {p.table: p for p in schema.policies if p.name.endswith("_tenant")}
    assert set(policies) == set(tenancy["tables"]) | {"organizations"}
    assert all("fn_current_tenant()" in str(p.with_check) for p in policies.values())
    assert "app.current_tenant_id" not in str(policies["tasks"].using)
    current = schema.function("fn_current_tenant")
    assert current.security_definer and "memberships" in current.body and "app.current_user_id" in current.body
    assert not schema.table("memberships").rls_forced  # read by fn_current_tenant as its owner


def test_optional_tenant_column_is_refused(tmp_path):
    with pytest.raises(SpecError, match="tenant column"):
        design(tmp_path, [{"name": "organizations", "attributes": ["name"]},
                          {"name": "projects", "tenant_column": "organization_id",
                           "attributes": [{"name": "organization_id", "nullable": True}]}])


def test_encrypted_columns_hold_ciphertext(tmp_path):
    schema = design(tmp_path, [{"name": "patients", "attributes": [
        "email", "password_hash", {"name": "ssn", "type": "varchar(11)", "check": "length(ssn) = 11"},
        {"name": "phone", "encrypt": True}]}],
        security_requirements={"encryption_requirements": {"column_level": ["ssn", "password_hash", "iban"]}})
    patients = schema.table("patients")
    for name in ("ssn", "phone"):
        column = patients.column(name)
        assert type_sql(column.type) == "bytea" and column.encrypt and column.pii
        assert not checks_on(patients, name), name
        assert "encrypted" in column.comment.lower()
    assert inferences(schema, "security.encrypt", "patients.ssn")
    assert type_sql(patients.column("password_hash").type) == "text"
    assert not patients.column("password_hash").encrypt
    assert inferences(schema, "security.encrypt", "patients.password_hash")[0].decision == "hashed, not encrypted"
    assert inferences(schema, "security.encrypt", "iban")[0].decision == "nothing to encrypt"


def test_columns_follow_the_input_order(tmp_path):
    schema = design(tmp_path, [
        {"name": "users", "attributes": ["email"]},
        {"name": "projects", "attributes": ["name"]},
        {"name": "tasks", "attributes": ["title", "project_id", "category", "assignee_id", "due_date"]},
    ], relationships=[{"from": "tasks", "to": "projects", "type": "many_to_one"}])
    names = [c.name for c in schema.table("tasks").columns]
    assert names[:6] == ["id", "title", "project_id", "category_id", "assignee_id", "due_date"]
    assert names[6:] == ["created_at", "updated_at", "created_by", "updated_by", "deleted_at"]


def test_junction_with_its_own_data_tracks_updates(tmp_path):
    schema = design(tmp_path, [
        {"name": "users", "attributes": ["email"]},
        {"name": "teams", "attributes": ["name"]},
        {"name": "memberships", "type": "junction", "primary_key": ["team_id", "user_id"],
         "attributes": ["team_id", "user_id", {"name": "role", "type": "text", "values": ["member", "lead"]}]},
    ], relationships=[{"from": "teams", "to": "users", "type": "many_to_many", "through": "team_followers"}])
    memberships, link = schema.table("memberships"), schema.table("team_followers")
    assert memberships.column("updated_at") is not None and memberships.triggers  # the role changes
    assert link.column("created_at") is not None and link.column("updated_at") is None  # a pure link never does
    assert not link.triggers


def test_declared_lookup_lists_each_value_once(tmp_path):
    schema = design(tmp_path, [{"name": "genres", "type": "lookup", "attributes": ["id", "name"]},
                               {"name": "tags", "type": "lookup",
                                "attributes": ["id", {"name": "name", "unique": False}]}])
    assert [u.columns for u in schema.table("genres").uniques] == [("name",)]
    assert inferences(schema, "constraint.lookup_unique", "genres.name")
    assert schema.table("tags").uniques == []  # the input said no


def test_role_filled_in_later_is_an_optional_link(tmp_path):
    schema = design(tmp_path, [{"name": "users", "attributes": ["id", "email"]},
                               {"name": "tasks", "attributes": ["id", "title", "assignee_id", "owner_id"]}])
    tasks = schema.table("tasks")
    assert tasks.column("assignee_id").nullable and not tasks.column("owner_id").nullable
    assert inferences(schema, "fk.optional_role", "tasks.assignee_id")
    assert next(fk for fk in tasks.foreign_keys if fk.columns == ("assignee_id",)).on_delete == FkAction.SET_NULL


def test_default_refused_by_a_check_is_dropped(tmp_path):
    """A convention's DEFAULT 0 on a quantity meets a rule quantity > 0: the default goes (logged), so an
    insert that leaves the column out is refused by NOT NULL, not accepted-then-refused by the CHECK."""
    schema = design(tmp_path, [{"name": "dispenses", "attributes": ["quantity", "stock_quantity"]}],
                    business_rules=[{"name": "positive_quantity", "entity": "dispenses", "check": "quantity > 0"}])
    table = schema.table("dispenses")
    assert table.column("quantity").default is None
    assert table.column("stock_quantity").default is not None  # >= 0 accepts its DEFAULT 0
    assert inferences(schema, "default.refused_by_check", "dispenses.quantity")
