"""An access rule that takes SELECT on a table with personal data away from the admin role ("only registrar may
see loans") must not break the right to erasure: the admin role runs fn_erase_loan, whose UPDATE ... WHERE needs
SELECT (docs/fresh-inputs-2026-12.md finding 27: refused with 42501). The function then runs with its owner's
rights (SECURITY DEFINER, search_path fixed), still executable by the admin role only. Real PostgreSQL."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import psycopg
import pytest

from schemawright.api import apply_migrations, design_project
from schemawright.verify import verify_project

SPEC = """\
project: {name: erase-access, type: api, database_type: postgresql, scale: small, environment: development}
task: {type: schema_design, priority: low, description: loans seen by the registrar only, requirements: [],
       acceptance_criteria: []}
data_model:
  entities:
    - name: loans
      attributes:
        - {name: borrower_name, type: varchar(100), pii: true}
        - {name: borrower_email, pii: true}
        - loan_number
  business_rules:
    - {name: registrar_only, entity: loans, description: only registrar may see loans}
security_requirements: {data_classification: confidential, compliance_standards: [GDPR], access_control: role_based}
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("erase")
    spec = folder / "spec.yaml"
    spec.write_text(textwrap.dedent(SPEC))
    design_project(spec, folder / "out")
    return folder / "out"


def test_the_admin_role_erases_a_loan_it_may_not_read(project: Path, scratch_dsn: str):
    apply_migrations(project / "migrations", scratch_dsn)
    with psycopg.connect(scratch_dsn, autocommit=True) as conn:
        key = conn.execute("INSERT INTO loans (borrower_name, borrower_email, loan_number) VALUES "
                           "('Ada Lovelace', 'ada@example.org', 'L-1') RETURNING id").fetchone()[0]
        conn.execute("INSERT INTO loans (borrower_name, borrower_email, loan_number) VALUES "
                     "('Other Person', 'other@example.org', 'L-2')")
        conn.execute("SET ROLE erase_access_admin")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # the access rule holds for the admin role
            conn.execute("SELECT borrower_name FROM loans")
        assert conn.execute("SELECT fn_erase_loan(%s)", [key]).fetchone()[0] == 1
        conn.execute("RESET ROLE")
        rows = dict(conn.execute("SELECT loan_number, borrower_name FROM loans").fetchall())
        assert rows["L-1"] != "Ada Lovelace" and rows["L-2"] == "Other Person"
        conn.execute("SET ROLE erase_access_readwrite")  # nobody but the admin role may call it
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT fn_erase_loan(%s)", [key])
        conn.execute("RESET ROLE")
        definer, config = conn.execute("SELECT prosecdef, proconfig FROM pg_proc WHERE proname = 'fn_erase_loan'"
                                       ).fetchone()
        assert definer and any(c.startswith("search_path=") for c in config)


def test_verify_proves_the_erasure_as_the_admin_role(project: Path, pg_dsn: str):
    report = verify_project(project, dsn=pg_dsn)
    failed = [f"{s.name}: {s.detail}" for s in report.steps if not s.ok]
    assert not failed, failed
    assert any(s.name == "personal data: fn_erase_loan" and s.ok for s in report.steps)


# An access rule that takes SELECT away from the read-only role ("only registrar may see loans") also takes it
# away on the table's masked view: verify then attacked the masking as the read-only role and failed on its own
# design with 42501 (tests/inputs/museum_loans.json, docs/fresh-inputs-2026-12.md finding 12). The masking is
# attacked as a role that still reads the view; the refusal itself is the privilege matrix's.

def test_masking_is_attacked_as_a_role_that_still_reads_the_view(tmp_path: Path, pg_dsn: str):
    spec = tmp_path / "spec.yaml"
    spec.write_text(textwrap.dedent(SPEC).replace("erase-access", "access-mask"))
    out = tmp_path / "out"
    design_project(spec, out)
    v001 = next((out / "migrations").glob("V001__*.sql")).read_text()
    assert "REVOKE SELECT ON TABLE vw_masked_loans FROM access_mask_readonly" in v001 or \
        "GRANT SELECT ON TABLE vw_masked_loans TO access_mask_readonly" not in v001
    report = verify_project(out, dsn=pg_dsn)
    failed = [f"{s.name}: {s.detail}" for s in report.steps if not s.ok]
    assert not [f for f in failed if "vw_masked_loans" in f], failed
    # the same rule takes SELECT on loans from the admin role, which runs fn_erase_loan: the function runs with
    # its owner's rights (docs/fresh-inputs-2026-12.md finding 27; tests/test_erasure_under_access_rules.py)
    assert not failed, failed
    steps = {s["name"]: s for s in json.loads((out / "verification.json").read_text())["steps"]}
    matrix = steps["privileges: access_mask_readonly on vw_masked_loans"]  # the refusal, proven by the matrix
    assert matrix["ok"] and matrix["detail"] == "1/1 as designed"
