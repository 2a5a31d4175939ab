"""An access rule that takes SELECT away from the read-only role ("only registrar may see loans") also takes it
away on the table's masked view: verify then attacked the masking as the read-only role and failed on its own
design with 42501 (tests/inputs/museum_loans.json, docs/fresh-inputs-2026-12.md finding 12). The masking is
attacked as a role that still reads the view; the refusal itself is the privilege matrix's. Real PostgreSQL."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from schemawright.api import design_project
from schemawright.verify import verify_project

SPEC = """\
project: {name: access-mask, type: api, database_type: postgresql, scale: small, environment: development}
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


def test_masking_is_attacked_as_a_role_that_still_reads_the_view(tmp_path: Path, pg_dsn: str):
    spec = tmp_path / "spec.yaml"
    spec.write_text(textwrap.dedent(SPEC))
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
