"""The security design stage: roles, grants, row-level security, encryption, audit, personal data."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from schemawright.api import design_schema
from schemawright.design.security import role_prefix
from schemawright.dialects import get_dialect
from schemawright.errors import SpecError
from schemawright.model.serialize import schema_from_json, schema_to_json
from schemawright.model.types import Kind

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def design(tmp_path: Path, spec: dict):
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    return design_schema(path)[1]


def shop(**security) -> dict:
    return {"project": {"name": "Shop 2000!", "scale": "small"},
            "data_model": {"entities": [
                {"name": "users", "attributes": ["email", "password_hash", "full_name",
                                                 {"name": "ssn", "type": "varchar(11)", "unique": True,
                                                  "check": "ssn ~ '^[0-9]{3}-[0-9]{2}-[0-9]{4}$'",
                                                  "encrypt": True}]},
                {"name": "orders", "type": "transactional", "attributes": ["user_id", "total"]},
                {"name": "order_items", "type": "child", "attributes": ["order_id", "quantity"]}]},
            "security_requirements": security}


@pytest.fixture(scope="module")
def ecommerce():
    return design_schema(EXAMPLES / "ecommerce.json")[1]


def test_role_prefix_is_a_safe_identifier():
    assert role_prefix("ecommerce-platform") == "ecommerce_platform"
    assert role_prefix("Shop 2000!") == "shop_2000"
    assert role_prefix("42 things") == "p_42_things"
    assert role_prefix("--") == "app"
    assert role_prefix('x"; DROP ROLE postgres; --') == "x_drop_role_postgres"
    assert len(role_prefix("x" * 200)) <= 50


def test_ecommerce_roles_and_least_privilege(ecommerce):
    roles = {r.purpose: r for r in ecommerce.roles}
    assert [r.name for r in ecommerce.roles] == [f"ecommerce_platform_{p}" for p in
                                                  ("owner", "readonly", "readwrite", "admin", "app")]
    assert roles["app"].login and roles["app"].member_of == ("ecommerce_platform_readwrite",)
    assert roles["app"].password_env == "APP_DB_PASSWORD"
    assert not any(r.login for p, r in roles.items() if p != "app")
    assert ecommerce.owner == "ecommerce_platform_owner"
    grants = {(g.grantee.rsplit("_", 1)[1], g.object_name): set(g.privileges) for g in ecommerce.grants}
    assert grants[("readwrite", "orders")] == {"SELECT", "INSERT", "UPDATE", "DELETE"}  # no TRUNCATE
    assert grants[("admin", "orders")] >= {"TRUNCATE"}
    assert ("readonly", "users") not in grants  # personal data: the masked view only
    assert grants[("readonly", "vw_masked_users")] == {"SELECT"}
    assert grants[("admin", "audit_log")] == {"SELECT"} and ("readwrite", "audit_log") not in grants
    assert grants[("admin", "fn_erase_user")] == {"EXECUTE"}
    assert not any(g.grantee == "PUBLIC" for g in ecommerce.grants)
    revoke = [d for d in ecommerce.default_privileges if d.revoke]
    assert [(d.object_type, d.grantee, d.schema) for d in revoke] == [("functions", "PUBLIC", None)]


def test_ecommerce_row_security_audit_and_personal_data(ecommerce):
    orders = ecommerce.table("orders")
    assert orders.rls_enabled and orders.rls_forced
    policies = {p.name: p for p in ecommerce.policies}
    owner = policies["pol_orders_owner"]
    assert owner.roles == () and str(owner.using) == str(owner.with_check)
    assert "current_setting('app.current_user_id', true)" in str(owner.using)
    assert policies["pol_orders_admin"].roles == ("ecommerce_platform_admin",)
    assert not ecommerce.table("users").rls_enabled  # read at sign-in, before a user is known
    audit = ecommerce.table("audit_log")
    assert audit.partitioning.columns == ("occurred_at",)  # 5,000 writes/s call for monthly partitions
    assert audit.primary_key.columns == ("id", "occurred_at")
    audited = {t.name for t in ecommerce.tables for tr in t.triggers if tr.function == "fn_audit_row"}
    # every table but the audit log itself: the declared ones and those the requirements added (patterns)
    assert audited == {t.name for t in ecommerce.tables} - {"audit_log"}
    assert {"users", "products", "orders", "categories", "vendors", "reviews", "payments"} <= audited
    assert ecommerce.function("fn_audit_row").security_definer
    masked = next(v for v in ecommerce.views if v.name == "vw_masked_users")
    assert "password_hash" not in masked.query and "'***@'" in masked.query
    erase = ecommerce.function("fn_erase_user")
    assert "@erased.invalid" in erase.body and "password_hash = 'erased'" in erase.body
    assert "pgcrypto" not in ecommerce.extensions and not any(c.encrypt for t in ecommerce.tables for c in t.columns)


def test_migration_sets_role_and_writes_no_password(ecommerce):
    dialect = get_dialect("postgresql")
    forward = "\n".join(s.sql for s in dialect.create_statements(ecommerce))
    undo = "\n".join(dialect.drop_statements(ecommerce))
    assert "SET ROLE ecommerce_platform_owner;" in forward and forward.rstrip().endswith("RESET ROLE;")
    assert not re.search(r"PASSWORD\s+E?'", forward, re.IGNORECASE)  # the login role gets its password elsewhere
    assert "REVOKE ALL ON SCHEMA public FROM PUBLIC;" in forward
    assert "CREATE TABLE audit_log_default PARTITION OF audit_log DEFAULT;" in forward
    assert "DROP ROLE IF EXISTS ecommerce_platform_owner;" in undo and "GRANT USAGE ON SCHEMA public TO PUBLIC" in undo


def test_encrypted_column_becomes_ciphertext(tmp_path):
    schema = design(tmp_path, shop(audit_requirements=False))
    users = schema.table("users")
    ssn = users.column("ssn")
    assert ssn.encrypt and ssn.pii and ssn.type.kind == Kind.BYTEA and ssn.default is None
    assert not any("ssn" in c.columns for c in users.checks + users.uniques)  # ciphertext is randomized
    assert "pgcrypto" in schema.extensions
    assert {"fn_encrypt", "fn_decrypt"} <= {f.name for f in schema.functions}
    assert "current_setting('app.encryption_key', true)" in schema.function("fn_encrypt").body
    assert any(v.name == "vw_decrypted_users" and "fn_decrypt(ssn) AS ssn" in v.query for v in schema.views)
    assert schema.table("audit_log") is None
    assert [r.name for r in schema.roles][0] == "shop_2000_owner"


def test_child_rows_follow_their_parent(tmp_path):
    schema = design(tmp_path, shop())
    policy = next(p for p in schema.policies if p.table == "order_items" and p.name.endswith("_parent"))
    assert str(policy.using) == ("EXISTS (SELECT 1 FROM orders AS parent_row "
                                 "WHERE parent_row.id = order_items.order_id)")
    assert not schema.table("audit_log")  # audit_requirements defaults to false
    assert not schema.facts.security.erasure  # no GDPR-like standard listed


def test_low_volume_audit_is_not_partitioned(tmp_path):
    schema = design(tmp_path, shop(audit_requirements=True, compliance_standards=["GDPR"]))
    assert schema.table("audit_log").partitioning is None and schema.table("audit_log").primary_key.columns == ("id",)
    assert schema.function("fn_erase_user") is not None


def test_mandatory_access_control_has_no_bypass(tmp_path):
    schema = design(tmp_path, shop(access_control="mandatory", data_classification="internal"))
    assert not any(p.name.endswith("_admin") for p in schema.policies)
    assert all(schema.table(p.table).rls_forced for p in schema.policies)
    assert schema.facts.security.admin_bypass is False


def test_tenant_column_is_declared_or_refused(tmp_path):
    spec = shop()
    spec["data_model"]["entities"][1]["tenant_column"] = "user_id"
    schema = design(tmp_path, spec)
    assert schema.facts.security.rls["orders"]["basis"] == "tenant"
    assert any(p.name == "pol_orders_tenant" and "app.current_tenant_id" in str(p.using) for p in schema.policies)
    spec["data_model"]["entities"][1]["tenant_column"] = "tenant"
    with pytest.raises(SpecError) as err:
        design(tmp_path, spec)
    assert "data_model.entities[1].tenant_column" in str(err.value)


def test_security_objects_survive_the_model_json(ecommerce):
    again = schema_from_json(json.loads(json.dumps(schema_to_json(ecommerce))))
    assert again.roles == ecommerce.roles and again.grants == ecommerce.grants
    assert again.policies == ecommerce.policies and again.default_privileges == ecommerce.default_privileges
    assert again.table("orders").rls_forced and again.owner == ecommerce.owner
    assert again.facts.security.rls == ecommerce.facts.security.rls
