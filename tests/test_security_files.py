"""The security design's files: no secret in any of them, config sections, access_control.md,
agent_output.json, and the password script (run with psql against a real server)."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
from pathlib import Path

import psycopg
import pytest

from schemawright.api import design_project
from schemawright.render import RenderContext
from schemawright.render import config as config_renderer
from schemawright.verify.runner import apply_files, read_migrations
from schemawright.verify.security import scan_secrets, scratch_roles

EXAMPLES = sorted(p for p in (Path(__file__).resolve().parent.parent / "examples").iterdir()
                  if p.suffix in (".json", ".yaml", ".yml"))


@pytest.fixture(scope="module")
def ecommerce(tmp_path_factory):
    out = tmp_path_factory.mktemp("ecommerce") / "out"
    return design_project(EXAMPLES[[p.name for p in EXAMPLES].index("ecommerce.json")], out)


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_no_generated_file_holds_a_secret(example, tmp_path):
    design_project(example, tmp_path / "out")
    assert scan_secrets(tmp_path / "out") == []


def test_the_scan_finds_planted_secrets(tmp_path):
    planted = {
        "a.sql": "ALTER ROLE app PASSWORD 'hunter2';\nSELECT pgp_sym_encrypt(x, 's3cret-key');",
        "b.sql": "SET app.encryption_key = 'k3y';\nSELECT set_config('app.encryption_key', 'k3y', true);",
        ".env.example": "DATABASE_URL=postgresql://app:letmein@db:5432/shop\nAPP_DB_PASSWORD=letmein\n",
        "key.pem": "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n",
        "ok.sql": "ALTER ROLE app PASSWORD :'app_password';\n-- postgresql://app:${APP_DB_PASSWORD}@db/x\n",
        "ok.env": "APP_DB_PASSWORD=\nAPI_TOKEN=<from your secret store>\nDATABASE_URL=postgresql://u:***@h/d\n",
    }
    for name, text in planted.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    found = scan_secrets(tmp_path)
    assert sorted(found) == sorted([
        "a.sql:1: a password literal in SQL", "a.sql:2: an encryption key literal",
        "b.sql:1: an encryption key literal", "b.sql:2: an encryption key literal",
        ".env.example:1: a password in a connection URL", ".env.example:2: a secret in an environment file",
        "key.pem:1: a private key"])


def test_config_examples_require_tls_and_scram(ecommerce):
    files = {a.path: a.content for a in ecommerce.artifacts}
    hba, conf = files["config/pg_hba.conf.example"], files["config/postgresql.conf.example"]
    rules = [line.split() for line in hba.splitlines() if line and not line.startswith("#")]
    allowing = [r for r in rules if r[0] != "local" and r[-1] != "reject"]
    assert allowing and all(r[0] == "hostssl" and r[-1] == "scram-sha-256" for r in allowing)
    assert ["hostnossl", "all", "all", "0.0.0.0/0", "reject"] in rules
    assert "ecommerce_platform_app" in hba and "+ecommerce_platform_admin" in hba
    assert "ssl = on" in conf and "password_encryption = 'scram-sha-256'" in conf
    assert "# --- security: TLS, password hashing, logging" in conf
    assert "encrypted storage" in conf  # at_rest: true is answered, honestly, outside PostgreSQL


def test_config_sections_come_from_any_module(ecommerce):
    def extra(ctx):
        return [config_renderer.ConfigSection("postgresql.conf.example", "test: an extra section", ["work_mem = 64MB"],
                                              order=999)]
    config_renderer.PROVIDERS.append(extra)
    try:
        files = config_renderer.Config().render(RenderContext(schema=ecommerce.schema))
    finally:
        config_renderer.PROVIDERS.remove(extra)
    conf = next(a for a in files if a.path == "config/postgresql.conf.example")
    assert conf.content.index("# --- security:") < conf.content.index("# --- test: an extra section")
    assert "work_mem = 64MB" in conf.content


def test_access_control_document(ecommerce):
    doc = next(a.content for a in ecommerce.artifacts if a.path == "docs/access_control.md")
    roles = ["ecommerce_platform_readonly", "ecommerce_platform_readwrite", "ecommerce_platform_admin",
             "ecommerce_platform_app"]
    assert "| object | " + " | ".join(f"`{r}`" for r in roles) + " |" in doc
    assert "| table `orders` | S · · · · | S I U D · | S I U D T | S I U D · |" in doc
    assert "| table `users` | · · · · · | S I U D · | S I U D T | S I U D · |" in doc
    assert "| table `audit_log` | · · · · · | · · · · · | S · · · · | · · · · · |" in doc
    assert "| function `fn_erase_user` | · | · | EXECUTE | · |" in doc
    assert "`pol_orders_owner`" in doc and "SELECT set_config('app.current_user_id', $1, true);" in doc
    assert "**GDPR**" in doc and "**PCI-DSS**" in doc


def test_agent_output_reports_the_security_design(ecommerce):
    report = json.loads(next(a.content for a in ecommerce.artifacts if a.path == "agent_output.json"))
    section = report["security_implementation"]
    assert [r["purpose"] for r in section["user_roles"]] == ["owner", "readonly", "readwrite", "admin", "app"]
    assert section["user_roles"][-1]["password_source"] == "environment variable APP_DB_PASSWORD"
    assert {"role": "ecommerce_platform_readwrite", "object_type": "table", "object": "orders",
            "privileges": ["SELECT", "INSERT", "UPDATE", "DELETE"]} in section["permissions"]
    assert any(p.get("policy") == "pol_orders_owner" for p in section["permissions"])
    audited = {t["table"] for t in section["audit_triggers"]}
    assert audited == set(ecommerce.schema.facts.security.audit["tables"])
    assert section["encryption_setup"] == [{"scope": "in transit", "setting": "hostssl + scram-sha-256 "
                                            "(config/pg_hba.conf.example)", "required": True}]


@pytest.mark.skipif(shutil.which("psql") is None, reason="psql is not installed (the script is a psql script)")
def test_password_script_reads_the_environment(tmp_path, pg_dsn):
    spec = json.loads((EXAMPLES[0].parent / "ecommerce.json").read_text(encoding="utf-8"))
    spec["project"]["name"] = f"pw-{secrets.token_hex(3)}"
    (tmp_path / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
    result = design_project(tmp_path / "spec.json", tmp_path / "out")
    app = result.schema.role("app").name
    script = tmp_path / "out" / "scripts" / "security" / "set_app_password.sql"
    forward, undo = read_migrations(tmp_path / "out")
    with scratch_roles(pg_dsn, result.schema), psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("CREATE DATABASE pw_script_" + spec["project"]["name"][3:])
        dsn = pg_dsn.rsplit("/", 1)[0] + "/pw_script_" + spec["project"]["name"][3:]
        try:
            with psycopg.connect(dsn, autocommit=True) as db:
                assert apply_files(db, forward) == []

                def run(env: dict) -> subprocess.CompletedProcess:
                    clean = {k: v for k, v in os.environ.items() if k != "APP_DB_PASSWORD"}
                    return subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", dsn, "-f", str(script)],
                                          env=clean | env, capture_output=True, text=True, timeout=60)

                def stored() -> str | None:
                    return db.execute("SELECT rolpassword FROM pg_authid WHERE rolname = %s", [app]).fetchone()[0]

                missing = run({})
                assert missing.returncode != 0 and "APP_DB_PASSWORD is not set or empty" in missing.stderr
                assert run({"APP_DB_PASSWORD": ""}).returncode != 0
                assert stored() is None
                done = run({"APP_DB_PASSWORD": "correct horse ' battery \\ staple"})
                assert done.returncode == 0, done.stderr
                assert stored().startswith("SCRAM-SHA-256$")
                assert apply_files(db, undo) == []
        finally:
            conn.execute("DROP DATABASE IF EXISTS pw_script_" + spec["project"]["name"][3:] + " WITH (FORCE)")
