"""Operations material: the backup and restore scripts round-trip a database, monitoring queries run."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import psycopg
import pytest

from schemawright.api import design_project
from schemawright.db import scratch_database
from schemawright.db.embedded import bin_dir
from schemawright.project.applier import apply_files
from schemawright.project.layout import load_model, read_migrations
from schemawright.verify.security import scratch_roles

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "ecommerce.json"


@pytest.mark.parametrize("passphrase", [None, "correct horse battery staple"], ids=["plain", "encrypted"])
def test_backup_and_restore_scripts_round_trip(tmp_path, pg_dsn, passphrase):
    if passphrase and shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    project = tmp_path / "db"
    design_project(EXAMPLE, project)
    forward, _ = read_migrations(project)
    env = {**os.environ, "PATH": f"{bin_dir()}:{os.environ['PATH']}", "BACKUP_DIR": str(tmp_path / "backups")}
    env.pop("BACKUP_PASSPHRASE", None)
    if passphrase:
        env["BACKUP_PASSPHRASE"] = passphrase
    with scratch_roles(pg_dsn, load_model(project)), scratch_database(pg_dsn) as source, \
            scratch_database(pg_dsn) as target:
        with psycopg.connect(source, autocommit=True) as conn:
            assert apply_files(conn, forward) == []
            conn.execute("INSERT INTO categories (name) VALUES ('books'), ('it''s \\ odd')")
            conn.execute(open(project / "scripts/maintenance/monitoring.sql").read())  # every query runs
        done = subprocess.run([str(project / "scripts/maintenance/backup.sh")], env={**env, "DATABASE_URL": source},
                              capture_output=True, text=True, check=True)
        backup = Path(done.stdout.strip())
        assert backup.exists() and backup.name.endswith(".dump.enc" if passphrase else ".dump")
        if passphrase:
            assert b"books" not in backup.read_bytes()
        restored = subprocess.run([str(project / "scripts/maintenance/restore.sh"), str(backup)],
                                  env={**env, "DATABASE_URL": target}, capture_output=True, text=True)
        assert restored.returncode == 0, restored.stderr[-3000:]
        with psycopg.connect(target) as conn:
            names = {r[0] for r in conn.execute("SELECT name FROM categories")}
    assert names == {"books", "it's \\ odd"}


def test_backup_script_refuses_to_run_without_a_database_url(tmp_path):
    project = tmp_path / "db"
    design_project(EXAMPLE, project)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    done = subprocess.run([str(project / "scripts/maintenance/backup.sh")], env=env, capture_output=True, text=True)
    assert done.returncode != 0 and "set DATABASE_URL" in done.stderr


def test_a_failed_backup_leaves_no_partial_file(tmp_path, pg_dsn):
    """pg_dump failing half-way (here: a database that does not exist) leaves no .dump.tmp behind."""
    project = tmp_path / "db"
    design_project(EXAMPLE, project)
    backups = tmp_path / "backups"
    env = {**os.environ, "PATH": f"{bin_dir()}:{os.environ['PATH']}", "BACKUP_DIR": str(backups),
           "DATABASE_URL": pg_dsn.rsplit("/", 1)[0] + "/no_such_database_sw"}
    env.pop("BACKUP_PASSPHRASE", None)
    done = subprocess.run([str(project / "scripts/maintenance/backup.sh")], env=env, capture_output=True, text=True)
    assert done.returncode != 0
    assert list(backups.iterdir()) == []


SAAS = Path(__file__).resolve().parents[1] / "examples" / "saas_multitenant.yaml"


def _two_tenants(conn, users: list | None = None) -> tuple[str, str]:
    """Two organizations with a member user, a project and a task each; returns their ids (A, B) and
    appends the users' ids to ``users`` (the tenant is honoured only for a member: fn_current_tenant)."""
    ids = []
    for tenant in ("alpha", "beta"):
        org = conn.execute("INSERT INTO organizations (name, slug) VALUES (%s, %s) RETURNING id",
                           (tenant.title(), tenant)).fetchone()[0]
        user = conn.execute("INSERT INTO users (email, password_hash) VALUES (%s, 'x') RETURNING id",
                            (f"{tenant}@example.com",)).fetchone()[0]
        project = conn.execute("INSERT INTO projects (organization_id, name, owner_id) VALUES (%s, %s, %s) "
                               "RETURNING id", (org, f"{tenant} project", user)).fetchone()[0]
        conn.execute("INSERT INTO tasks (organization_id, project_id, title) VALUES (%s, %s, %s)",
                     (org, project, f"{tenant} task"))
        conn.execute("INSERT INTO memberships (organization_id, user_id) VALUES (%s, %s)", (org, user))
        ids.append(str(org))
        if users is not None:
            users.append(str(user))
    return ids[0], ids[1]


def test_restore_keeps_the_owner_role_so_row_level_security_holds_through_views(tmp_path, pg_dsn):
    """A restored database is owned by the project's owner role, not by whoever restored it: views read as the
    owner, so a tenant sees only its rows through vw_active_*, and the next migration (as the owner) runs."""
    project = tmp_path / "db"
    design_project(SAAS, project)
    model = load_model(project)
    owner, app = model.owner, next(r.name for r in model.roles if r.purpose == "app")
    forward, _ = read_migrations(project)
    backups = tmp_path / "backups"
    env = {**os.environ, "PATH": f"{bin_dir()}:{os.environ['PATH']}", "BACKUP_DIR": str(backups)}
    env.pop("BACKUP_PASSPHRASE", None)
    with scratch_roles(pg_dsn, model), scratch_database(pg_dsn) as source, scratch_database(pg_dsn) as target:
        with psycopg.connect(source, autocommit=True) as conn:
            assert apply_files(conn, forward) == []
            members: list[str] = []
            tenant_a, tenant_b = _two_tenants(conn, members)
        done = subprocess.run([str(project / "scripts/maintenance/backup.sh")], env={**env, "DATABASE_URL": source},
                              capture_output=True, text=True, check=True)
        backup = Path(done.stdout.strip())
        assert stat.S_IMODE(backup.stat().st_mode) == 0o600
        assert stat.S_IMODE(backups.stat().st_mode) == 0o700
        restored = subprocess.run([str(project / "scripts/maintenance/restore.sh"), str(backup)],
                                  env={**env, "DATABASE_URL": target}, capture_output=True, text=True)
        assert restored.returncode == 0, restored.stderr
        with psycopg.connect(target, autocommit=True) as conn:
            not_owned = conn.execute(
                "SELECT c.relname, pg_get_userbyid(c.relowner) FROM pg_class c "
                "WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S') "
                "AND pg_get_userbyid(c.relowner) <> %s AND c.relname <> 'schemawright_history'", (owner,)).fetchall()
            assert not_owned == []
            definer = conn.execute("SELECT pg_get_userbyid(proowner) FROM pg_proc WHERE proname = 'fn_audit_row' "
                                   "AND prosecdef").fetchone()
            assert definer == (owner,)
            conn.execute(psycopg.sql.SQL("SET ROLE {}").format(psycopg.sql.Identifier(app)))
            conn.execute("SELECT set_config('app.current_user_id', %s, false)", (members[0],))
            conn.execute("SELECT set_config('app.current_tenant_id', %s, false)", (tenant_a,))
            for view in ("vw_active_projects", "vw_active_tasks"):
                seen = {str(r[0]) for r in conn.execute(f"SELECT organization_id FROM {view}")}
                assert seen == {tenant_a}, view
            conn.execute("SELECT set_config('app.current_user_id', %s, false)", (members[1],))
            conn.execute("SELECT set_config('app.current_tenant_id', %s, false)", (tenant_b,))
            assert {str(r[0]) for r in conn.execute("SELECT organization_id FROM vw_active_tasks")} == {tenant_b}
            conn.execute("RESET ROLE")
            # the next migration, as the owner: replacing the SECURITY DEFINER function must work
            definition = conn.execute("SELECT pg_get_functiondef('fn_audit_row'::regproc)").fetchone()[0]
            conn.execute(psycopg.sql.SQL("SET ROLE {}").format(psycopg.sql.Identifier(owner)))
            conn.execute(definition)
            conn.execute("RESET ROLE")


def test_restore_refuses_missing_roles_and_reports_views_that_would_bypass_row_level_security(tmp_path, pg_dsn):
    project = tmp_path / "db"
    design_project(SAAS, project)
    model = load_model(project)
    forward, _ = read_migrations(project)
    env = {**os.environ, "PATH": f"{bin_dir()}:{os.environ['PATH']}", "BACKUP_DIR": str(tmp_path / "backups")}
    env.pop("BACKUP_PASSPHRASE", None)
    restore = str(project / "scripts/maintenance/restore.sh")
    (tmp_path / "backups").mkdir(mode=0o755)  # a folder that exists already is closed too
    with scratch_roles(pg_dsn, model):
        with scratch_database(pg_dsn) as source, scratch_database(pg_dsn) as target:
            with psycopg.connect(source, autocommit=True) as conn:
                assert apply_files(conn, forward) == []
                conn.execute("ALTER VIEW vw_active_tasks OWNER TO CURRENT_USER")  # as an old --no-owner restore did
            done = subprocess.run([str(project / "scripts/maintenance/backup.sh")],
                                  env={**env, "DATABASE_URL": source}, capture_output=True, text=True, check=True)
            backup = done.stdout.strip()
            assert stat.S_IMODE((tmp_path / "backups").stat().st_mode) == 0o700
            assert stat.S_IMODE(Path(backup).stat().st_mode) == 0o600
            wrong = subprocess.run([restore, backup], env={**env, "DATABASE_URL": target}, capture_output=True,
                                   text=True)
            assert wrong.returncode == 1
            assert "view vw_active_tasks" in wrong.stderr and "bypass row-level security" in wrong.stderr
            assert "vw_active_projects" not in wrong.stderr
    # the roles are gone (a new server): the restore says which to create and restores nothing
    with scratch_database(pg_dsn) as target:
        refused = subprocess.run([restore, backup], env={**env, "DATABASE_URL": target}, capture_output=True,
                                 text=True)
        assert refused.returncode == 1
        assert f"{model.owner}" in refused.stderr and "Create them first" in refused.stderr
        with psycopg.connect(target) as conn:
            assert conn.execute("SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"
                                ).fetchone() == (0,)
