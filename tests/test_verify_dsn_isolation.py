"""verify --dsn on a shared server: the design's roles (cluster-wide) get per-run names, so two
verifications of one design at once both pass, and so does one next to a migrated and seeded copy of the
same design in another database of that server; the copy's roles and rows are left alone and no per-run
role is left behind. Oracle: the PostgreSQL 15 service's own catalog (pg_roles, pg_shdepend)."""

from __future__ import annotations

import secrets
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest
import yaml
from psycopg import sql

from schemawright.api import design_project, seed
from schemawright.db import scratch_database
from schemawright.verify import verify_project
from schemawright.verify.isolation import RoleMap

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _design(tmp_path: Path, example: str, project: str) -> Path:
    """The example under a project name of this test run, so its (real) roles meet no other test's."""
    data = yaml.safe_load((EXAMPLES / example).read_text(encoding="utf-8"))
    data["project"]["name"] = project
    spec = tmp_path / "input.yaml"
    spec.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    out = tmp_path / "out"
    design_project(spec, out)
    return out


def _roles(dsn: str, prefix: str) -> set[str]:
    with psycopg.connect(dsn) as conn:
        return {r[0] for r in conn.execute("SELECT rolname FROM pg_roles WHERE rolname LIKE %s", [prefix + "%"])}


def test_role_map_rewrites_whole_names_only():
    roles = RoleMap(["shop_owner", "shop_app"], run_id="abc123")
    text = 'SET ROLE shop_owner; GRANT x TO "shop_app"; CREATE POLICY shop_owner_all ON t; -- shop_application'
    mapped = roles.text(text)
    assert mapped == ('SET ROLE shop_owner_vabc123; GRANT x TO "shop_app_vabc123"; '
                      "CREATE POLICY shop_owner_all ON t; -- shop_application")
    assert roles.undo_text(mapped) == text
    long = RoleMap(["a" * 63])
    assert all(len(v) <= 63 for v in long.forward.values())


def test_verify_dsn_concurrent_and_beside_a_seeded_copy(tmp_path: Path, pg15_dsn: str):
    tag = secrets.token_hex(3)
    prefix = f"iso_{tag}_saas"
    folder = _design(tmp_path, "saas_multitenant.yaml", prefix.replace("_", " "))
    copies = [tmp_path / "second"]
    import shutil

    shutil.copytree(folder, copies[0])
    design_roles = {f"{prefix}_{p}" for p in ("owner", "readonly", "readwrite", "admin", "app")}
    try:
        with scratch_database(pg15_dsn, prefix="sw_isocopy") as copy_dsn:
            # a deployment of the same design: migrated and seeded, its roles owning objects and holding grants
            seeded = seed(folder, copy_dsn, scale=0.0005, max_rows=200)
            assert seeded.load.rows > 0
            assert _roles(pg15_dsn, prefix) == design_roles
            with psycopg.connect(copy_dsn) as conn:
                before = conn.execute("SELECT count(*) FROM organizations").fetchone()[0]
            assert before > 0

            with ThreadPoolExecutor(2) as pool:
                reports = list(pool.map(lambda f: verify_project(f, dsn=pg15_dsn), [folder, copies[0]]))
            for report in reports:
                failed = [s.to_dict() for s in report.steps if not s.ok]
                assert report.passed, failed[:5]
                assert any(s.group == "security" for s in report.steps)
                # findings name the design's roles, not this run's
                assert any(f"{prefix}_readonly" in s.name for s in report.steps)
                assert not any(f"_v{tag}" in s.name for s in report.steps)
            mapped = [set(r.roles["mapped for this run"].values()) for r in reports]
            assert mapped[0].isdisjoint(mapped[1])

            # the deployment is untouched, and no per-run role is left on the server
            with psycopg.connect(copy_dsn) as conn:
                assert conn.execute("SELECT count(*) FROM organizations").fetchone()[0] == before
            assert _roles(pg15_dsn, prefix) == design_roles
    finally:
        with psycopg.connect(pg15_dsn, autocommit=True) as conn:
            for role in sorted(_roles(pg15_dsn, prefix), key=lambda r: r.endswith("_owner")):
                conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
