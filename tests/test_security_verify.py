"""verify's security group on a real PostgreSQL: every promise is attempted, a broken one is caught,
and the roles a run creates (roles are cluster-wide) are gone afterwards."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import psycopg
import pytest
import yaml

from schemawright.api import design_project
from schemawright.db import scratch_database
from schemawright.errors import VerifyError
from schemawright.verify import verify_project
from schemawright.verify.runner import apply_files, read_migrations

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def example_copy(tmp_path: Path, name: str) -> Path:
    """The example under a project name of its own, so its roles cannot meet another run's."""
    data = yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8"))
    data["project"]["name"] += "-" + secrets.token_hex(3)
    path = tmp_path / f"{Path(name).stem}.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def roles_like(dsn: str, prefix: str) -> list[str]:
    with psycopg.connect(dsn) as conn:
        return [r[0] for r in conn.execute("SELECT rolname FROM pg_roles WHERE starts_with(rolname, %s)", [prefix])]


def failures(report) -> dict[str, list[str]]:
    return {s.name: s.problems or [s.detail] for s in report.steps if not s.ok}


@pytest.mark.parametrize("example", ["ecommerce.json", "saas_multitenant.yaml"])
def test_security_promises_hold(example, tmp_path, pg_dsn):
    result = design_project(example_copy(tmp_path, example), tmp_path / "out")
    prefix = result.schema.facts.security.role_prefix + "_"
    report = verify_project(tmp_path / "out", dsn=pg_dsn)
    assert report.passed, failures(report)
    steps = [s.name for s in report.steps if s.group == "security"]
    kinds = {name.split(":")[0] for name in steps}
    assert {"privileges", "roles", "row security", "audit", "personal data", "injection", "security"} <= kinds
    bound = result.schema.facts.security.rls
    assert sum(name.startswith("row security") for name in steps) == len(bound) > 0
    hostile = next(s for s in report.steps if s.name.startswith("security: fixture rows"))
    assert " 0 with hostile" not in hostile.detail
    assert roles_like(pg_dsn, prefix) == []  # cleaned up: roles are shared by the whole server


SABOTAGE = {
    # a privilege too many: the app's role may TRUNCATE (which ignores row-level security)
    "RESET ROLE;": "GRANT TRUNCATE ON TABLE orders TO {p}_readwrite;\n\nRESET ROLE;",
    # a policy that lets everyone see everything
    "CREATE POLICY pol_orders_owner ON orders\n    USING (user_id = NULLIF(current_setting('app.current_user_id', "
    "true), '')::uuid)": "CREATE POLICY pol_orders_owner ON orders\n    USING (true)",
    # changes to orders go unaudited
    "CREATE TRIGGER trg_orders_audit AFTER INSERT OR UPDATE OR DELETE ON orders\n"
    "    FOR EACH ROW EXECUTE FUNCTION fn_audit_row();": "",
    # the masked view shows the e-mail address
    "left(email::text, 1) || '***@' || split_part(email::text, '@', 2) AS email": "email",
    # PUBLIC keeps the schema and may call the erasure function
    "REVOKE ALL ON SCHEMA public FROM PUBLIC;": "",
    "REVOKE ALL ON FUNCTION fn_erase_user(p_id uuid) FROM PUBLIC;": "",
}


def test_broken_promises_are_caught(tmp_path, pg_dsn):
    result = design_project(example_copy(tmp_path, "ecommerce.json"), tmp_path / "out")
    p = result.schema.facts.security.role_prefix
    migration = tmp_path / "out" / "migrations" / "V001__initial_schema.sql"
    text = migration.read_text(encoding="utf-8")
    for old, new in SABOTAGE.items():
        assert old in text, old
        text = text.replace(old, new.format(p=p))
    migration.write_text(text, encoding="utf-8")
    report = verify_project(tmp_path / "out", dsn=pg_dsn)
    failed = failures(report)
    problems = "\n".join(p for ps in failed.values() for p in ps)
    assert f"{p}_readwrite: TRUNCATE on orders denied: got 'allowed'" in problems
    assert f"{p}_app: TRUNCATE on orders denied: got 'allowed'" in problems  # through its membership
    assert "orders: A cannot see B's row: got '1 row(s)'" in problems
    assert "INSERT left 0 audit rows, expected 1" in problems
    assert "email is not masked" in problems
    assert "PUBLIC: EXECUTE fn_erase_user denied: got 'allowed'" in problems
    catalog = "\n".join(failed["catalog matches the design"])
    assert f"unexpected grant TRUNCATE on table orders to {p}_readwrite" in catalog
    assert "policy pol_orders_owner on orders: using" in catalog
    assert "unexpected grant USAGE on schema public to PUBLIC" in catalog
    assert "missing trigger trg_orders_audit" in catalog
    assert roles_like(pg_dsn, p + "_") == []


def test_undo_that_keeps_a_role_is_caught_and_cleaned_up(tmp_path, pg_dsn):
    result = design_project(example_copy(tmp_path, "ecommerce.json"), tmp_path / "out")
    p = result.schema.facts.security.role_prefix
    undo = tmp_path / "out" / "migrations" / "U001__initial_schema.sql"
    undo.write_text(undo.read_text(encoding="utf-8").replace(f"DROP ROLE IF EXISTS {p}_admin;", "NULL;"),
                    encoding="utf-8")
    report = verify_project(tmp_path / "out", dsn=pg_dsn)
    assert failures(report).keys() >= {"security: undo removes roles, privileges and policies"}
    assert f"still present after undo: role {p}_admin" in failures(report)["security: undo removes roles, "
                                                                            "privileges and policies"]
    assert roles_like(pg_dsn, p + "_") == []


def test_roles_in_use_are_never_touched(tmp_path, pg_dsn):
    """A deployment's role with the design's name (and a password) exists: verify --dsn works under
    per-run role names, passes, and leaves the deployment's role and its password alone."""
    result = design_project(example_copy(tmp_path, "ecommerce.json"), tmp_path / "out")
    taken = result.schema.role("app").name
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE \"{taken}\" LOGIN PASSWORD 'a deployment''s'")
    try:
        report = verify_project(tmp_path / "out", dsn=pg_dsn)
        assert report.passed, failures(report)
        assert roles_like(pg_dsn, taken) == [taken]  # a deployment's role (and its password) is left alone
        with psycopg.connect(pg_dsn) as conn:
            assert conn.execute("SELECT rolpassword IS NOT NULL FROM pg_authid WHERE rolname = %s",
                                [taken]).fetchone()[0]
    finally:
        with psycopg.connect(pg_dsn, autocommit=True) as conn:
            conn.execute(f'DROP ROLE "{taken}"')


def test_roles_of_another_database_are_left_alone(tmp_path, pg_dsn):
    """A database migrated with the design holds its roles: verify --dsn neither needs nor touches them
    (it works under per-run names and drops only those)."""
    result = design_project(example_copy(tmp_path, "ecommerce.json"), tmp_path / "out")
    prefix = result.schema.facts.security.role_prefix + "_"
    forward, _ = read_migrations(tmp_path / "out")
    try:
        with scratch_database(pg_dsn) as dsn:
            with psycopg.connect(dsn, autocommit=True) as conn:
                assert apply_files(conn, forward) == []
            before = roles_like(pg_dsn, prefix)
            assert len(before) == 5
            report = verify_project(tmp_path / "out", dsn=pg_dsn)
            assert report.passed, failures(report)
            assert roles_like(pg_dsn, prefix) == before
    finally:
        with psycopg.connect(pg_dsn, autocommit=True) as conn:
            for role in sorted(roles_like(pg_dsn, prefix), key=lambda r: r.endswith("_owner")):
                conn.execute(f'DROP ROLE "{role}"')


ENCRYPTED = {"project": {"name": "vault", "scale": "small"},
             "data_model": {"entities": [{"name": "patients", "attributes": [
                 "full_name", "email", {"name": "ssn", "type": "varchar(11)", "pii": True, "encrypt": True}]}]},
             "security_requirements": {"compliance_standards": ["HIPAA", "GDPR"], "audit_requirements": True,
                                       "encryption_requirements": {"column_level": ["diagnosis"]}}}


def encrypted_project(tmp_path: Path) -> Path:
    spec = json.loads(json.dumps(ENCRYPTED))
    spec["project"]["name"] += "-" + secrets.token_hex(3)
    spec["data_model"]["entities"][0]["attributes"].append("diagnosis")
    path = tmp_path / "vault.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    design_project(path, tmp_path / "out")
    return tmp_path / "out"


def test_encryption_needs_pgcrypto_and_says_so(tmp_path, pg_dsn):
    with psycopg.connect(pg_dsn) as conn:
        if conn.execute("SELECT count(*) FROM pg_available_extensions WHERE name = 'pgcrypto'").fetchone()[0]:
            pytest.skip("the test server has pgcrypto; this test needs one without it (the embedded server)")
    folder = encrypted_project(tmp_path)
    with pytest.raises(VerifyError) as err:
        verify_project(folder, dsn=pg_dsn)
    message = str(err.value)
    assert "pgcrypto" in message and "column encryption" in message and "--dsn" in message
    assert not (folder / "verification.json").exists()


def test_encryption_is_proven_where_pgcrypto_exists(tmp_path, pg15_dsn):
    folder = encrypted_project(tmp_path)
    report = verify_project(folder, dsn=pg15_dsn)
    assert report.passed, failures(report)
    names = {s.name for s in report.steps}
    assert {"encryption: patients.ssn", "encryption: patients.diagnosis", "personal data: fn_erase_patient"} <= names


def test_probes_and_hostile_fixture_survive_old_string_rules(tmp_path, pg_dsn, scratch_dsn):
    """With standard_conforming_strings off a backslash in a plain literal is an escape: the generated
    fixture (hostile values included) and the probes must still mean exactly what they say."""
    from schemawright.verify.security import scratch_roles
    from schemawright.probes.security_checks import HOSTILE_MARK, security_checks

    result = design_project(example_copy(tmp_path, "ecommerce.json"), tmp_path / "out")
    forward, undo = read_migrations(tmp_path / "out")
    suite = security_checks(result.schema)
    with scratch_roles(pg_dsn, result.schema), psycopg.connect(scratch_dsn, autocommit=True) as conn:
        assert apply_files(conn, forward) == []
        conn.execute("SET standard_conforming_strings = off; SET escape_string_warning = off")
        with conn.transaction(force_rollback=True):
            conn.execute(suite.support)
            conn.execute(suite.fixture)
            stored = conn.execute("SELECT stored ->> 'password_hash' FROM sw_fixture WHERE label = 'users:A'")
            assert HOSTILE_MARK in stored.fetchone()[0]
            wrong = [(c.name, got) for c in suite.checks
                     if (got := conn.execute(f"SELECT {c.sql}").fetchone()[0]) != c.expected]
        assert wrong == []
        conn.execute("RESET standard_conforming_strings")
        assert apply_files(conn, undo) == []


TENANT_SABOTAGE = {
    # the gaps put back: a single-column foreign key between tenant tables ...
    "CONSTRAINT fk_tasks_organization_id_project_id FOREIGN KEY (organization_id, project_id) REFERENCES projects "
    "(organization_id, id)": "CONSTRAINT fk_tasks_organization_id_project_id FOREIGN KEY (project_id) REFERENCES "
                             "projects (id)",
    # ... a policy that trusts the raw setting (any session can switch tenant) ...
    "CREATE POLICY pol_api_keys_tenant ON api_keys\n    USING (organization_id = (SELECT fn_current_tenant() AS "
    "fn_current_tenant))": "CREATE POLICY pol_api_keys_tenant ON api_keys\n    USING (organization_id = "
                           "NULLIF(current_setting('app.current_tenant_id', true), '')::uuid)",
    # ... and the tenants' table without row-level security
    "ALTER TABLE organizations ENABLE ROW LEVEL SECURITY;": "",
}


def test_tenant_isolation_gaps_are_caught(tmp_path, pg_dsn):
    result = design_project(example_copy(tmp_path, "saas_multitenant.yaml"), tmp_path / "out")
    p = result.schema.facts.security.role_prefix
    migration = tmp_path / "out" / "migrations" / "V001__initial_schema.sql"
    text = migration.read_text(encoding="utf-8")
    for old, new in TENANT_SABOTAGE.items():
        assert old in text, old
        text = text.replace(old, new)
    migration.write_text(text, encoding="utf-8")
    report = verify_project(tmp_path / "out", dsn=pg_dsn)
    failed = failures(report)
    problems = "\n".join(p for ps in failed.values() for p in ps)
    assert "organizations: A cannot see B's row: got '1 row(s)'" in problems  # B's billing e-mail
    assert "organizations: A cannot create a tenant: got '1 row(s)'" in problems
    assert ("api_keys: switching the tenant setting to B (A's user is no member of B) shows none of B's rows: "
            "got '1 row(s)'") in problems
    assert ("tasks: A cannot reference B's projects row (fk_tasks_organization_id_project_id): got '1 row(s)'"
            in problems)
    assert "references another tenant's projects row" in problems  # so B's delete would cascade into A's tasks
    assert roles_like(pg_dsn, p + "_") == []


def test_tenant_isolation_is_attacked_on_every_tenant_table(tmp_path, pg_dsn):
    result = design_project(example_copy(tmp_path, "saas_multitenant.yaml"), tmp_path / "out")
    tenancy = result.schema.facts.tenancy
    report = verify_project(tmp_path / "out", dsn=pg_dsn)
    assert report.passed, failures(report)
    steps = {s.name: s for s in report.steps}
    scoped = set(tenancy["tables"]) | {tenancy["root"]}
    assert scoped == {"organizations", "memberships", "projects", "tasks", "api_keys", "subscriptions", "invoices",
                      "project_watchers"}
    for name in scoped:
        step = next(s for n, s in steps.items() if n.startswith(f"row security: {name} ("))
        assert step.ok and step.detail.endswith("as designed"), step
    assert {"tenant isolation: tasks -> projects", "tenant isolation: invoices -> subscriptions",
            "tenant isolation: project_watchers -> projects"} <= steps.keys()
    assert result.schema.facts.security.tenant_binding["kind"] == "membership"


def test_lint_flags_the_gaps_verify_catches(tmp_path, pg_dsn):
    """The same gaps in an imported schema (the design's DDL with them put back): SW614 names each; the
    design as generated has none."""
    from schemawright.lint.schema import lint_schema

    design_project(example_copy(tmp_path, "saas_multitenant.yaml"), tmp_path / "out")
    assert not [f for f in lint_schema(tmp_path / "out").findings if f.rule == "SW614"]
    text = (tmp_path / "out" / "models" / "physical" / "physical_model.sql").read_text(encoding="utf-8")
    for old, new in TENANT_SABOTAGE.items():
        assert old in text, old
        text = text.replace(old, new)
    text = text.replace("CONSTRAINT uq_api_keys_organization_id_key_prefix UNIQUE (organization_id, key_prefix)",
                        "CONSTRAINT uq_api_keys_key_prefix UNIQUE (key_prefix)")
    # without the cluster-wide roles (and what names them): roles would outlive the scratch database
    skip = ("GRANT ", "REVOKE ", "ALTER DEFAULT PRIVILEGES", "SET ROLE", "RESET ROLE", "COMMENT ON ROLE")
    imported = "\n\n".join(block for block in text.split("\n\n")
                            if not block.startswith(skip) and "pg_catalog.pg_roles" not in block
                            and not (block.startswith(("CREATE POLICY", "COMMENT ON POLICY")) and "_admin" in block))
    sql = tmp_path / "imported.sql"
    sql.write_text(imported, encoding="utf-8")
    found = {f.location.object for f in lint_schema(sql, dsn=pg_dsn).findings if f.rule == "SW614"}
    assert found == {"public.organizations", "public.tasks.fk_tasks_organization_id_project_id",
                     "public.api_keys.pol_api_keys_tenant", "public.api_keys.uq_api_keys_key_prefix"}, found


WITHOUT_MEMBERSHIPS = {
    "project": {"name": "accounts-only", "scale": "small"},
    "data_model": {"entities": [
        {"name": "accounts", "attributes": ["name"]},
        {"name": "projects", "tenant_column": "account_id", "attributes": ["name", {"name": "code", "unique": True}]},
        {"name": "tasks", "tenant_column": "account_id",
         "attributes": ["title", "project_id", {"name": "reviewer_task_id", "references": "tasks", "nullable": True}]},
        {"name": "task_notes", "attributes": ["task_id", "body"]}]},
    "security_requirements": {"audit_requirements": True, "data_classification": "confidential"}}


def test_tenant_without_memberships_is_a_documented_trust_boundary(tmp_path, pg_dsn):
    """No membership table to check the tenant against: the keys still cannot cross tenants (verified), and
    the raw tenant setting is the documented trust boundary that lint reports."""
    from schemawright.lint.schema import lint_schema

    spec = json.loads(json.dumps(WITHOUT_MEMBERSHIPS))
    spec["project"]["name"] += "-" + secrets.token_hex(3)
    path = tmp_path / "accounts.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    result = design_project(path, tmp_path / "out")
    assert result.schema.facts.security.tenant_binding["kind"] == "trust_boundary"
    report = verify_project(tmp_path / "out", dsn=pg_dsn)
    assert report.passed, failures(report)
    names = {s.name for s in report.steps}
    assert {"tenant isolation: tasks -> projects", "tenant isolation: tasks -> tasks",
            "tenant isolation: task_notes -> tasks", "row security: task_notes (tenant: account_id)"} <= names
    flagged = {f.location.object for f in lint_schema(tmp_path / "out").findings if f.rule == "SW614"}
    assert flagged == {f"public.{t}.pol_{t}_tenant" for t in ("accounts", "projects", "tasks", "task_notes")}
    doc = (tmp_path / "out" / "docs" / "access_control.md").read_text(encoding="utf-8")
    assert "**Trust boundary.**" in doc and "SW614" in doc
