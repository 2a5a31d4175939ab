"""Roles, grants, default privileges, row-level security and policies read back from the catalog,
and every drift from the design reported by the comparison."""

from __future__ import annotations

import json
import secrets

import psycopg
import pytest

from schemawright.api import design_project
from schemawright.inspect import inspect_schema
from schemawright.model.compare import differences
from schemawright.verify.runner import apply_files, read_migrations
from schemawright.verify.security import scratch_roles

SPEC = {"project": {"name": "catalog", "scale": "small"},
        "data_model": {"entities": [
            {"name": "users", "attributes": ["email", "full_name"]},
            {"name": "orders", "type": "transactional", "attributes": ["user_id", "total"]}]},
        "security_requirements": {"audit_requirements": True, "compliance_standards": ["GDPR"]}}


@pytest.fixture
def migrated(tmp_path, pg_dsn, scratch_dsn):
    spec = json.loads(json.dumps(SPEC))
    spec["project"]["name"] += "-" + secrets.token_hex(3)
    (tmp_path / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
    result = design_project(tmp_path / "spec.json", tmp_path / "out")
    forward, undo = read_migrations(tmp_path / "out")
    with scratch_roles(pg_dsn, result.schema), psycopg.connect(scratch_dsn, autocommit=True) as conn:
        assert apply_files(conn, forward) == []
        try:
            yield result.schema, conn
        finally:
            conn.execute("RESET ROLE")
            assert apply_files(conn, undo) == []


def test_the_catalog_reads_back_as_designed(migrated):
    model, conn = migrated
    actual = inspect_schema(conn)
    assert differences(model, actual) == []
    p = model.facts.security.role_prefix
    assert actual.owner == f"{p}_owner"
    roles = {r.name: r for r in actual.roles}
    assert set(roles) == {f"{p}_{x}" for x in ("owner", "readonly", "readwrite", "admin", "app")}
    assert roles[f"{p}_app"].login and roles[f"{p}_app"].member_of == (f"{p}_readwrite",)
    orders = actual.table("orders")
    assert orders.rls_enabled and orders.rls_forced and not actual.table("users").rls_enabled
    policy = next(x for x in actual.policies if x.name == "pol_orders_owner")
    assert policy.roles == () and policy.command == "ALL" and "app.current_user_id" in str(policy.using)
    assert not any(g.grantee == "PUBLIC" for g in actual.grants)  # revoked from the schema and every function
    assert any(d.revoke and d.grantee == "PUBLIC" and d.object_type == "functions" for d in actual.default_privileges)


def test_every_drift_is_reported(migrated):
    model, conn = migrated
    p = model.facts.security.role_prefix
    conn.execute(f"""
        GRANT DELETE ON orders TO {p}_readonly;
        REVOKE INSERT ON orders FROM {p}_readwrite;
        ALTER TABLE orders NO FORCE ROW LEVEL SECURITY;
        ALTER POLICY pol_orders_owner ON orders USING (true);
        DROP POLICY pol_orders_admin ON orders;
        REVOKE {p}_readwrite FROM {p}_app;
        GRANT {p}_admin TO {p}_readonly;
        ALTER DEFAULT PRIVILEGES FOR ROLE {p}_owner IN SCHEMA public REVOKE SELECT ON TABLES FROM {p}_readonly;
        GRANT EXECUTE ON FUNCTION fn_audit_row() TO PUBLIC;
        ALTER TABLE users OWNER TO {p}_admin;
    """)
    found = differences(model, inspect_schema(conn))
    expected = [
        f"unexpected grant DELETE on table orders to {p}_readonly",
        f"missing grant INSERT on table orders to {p}_readwrite",
        "table orders: forced row level security true != false",
        "policy pol_orders_owner on orders: using user_id = NULLIF(current_setting('app.current_user_id', true), "
        "'')::uuid != true",
        "missing policy pol_orders_admin on orders",
        f"missing role {p}_app",  # its membership was its only tie to this database
        f"role {p}_readonly: member of () != ({p}_admin)",
        f"missing default privilege for role {p}_owner in schema public: grant SELECT on tables to {p}_readonly",
        "unexpected grant EXECUTE on function fn_audit_row to PUBLIC",
        f"schema: owner {p}_owner != {p}_admin, {p}_owner",
    ]
    for message in expected:
        assert message in found, (message, found)
