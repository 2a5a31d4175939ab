"""Row counts the input leaves out are estimated from the counts it states, not the scale's default of a
million rows each (docs/fresh-inputs-2026-12.md finding 22: a 600-participant trial was sized at 1.1 TB);
the capacity plan says which counts are estimates, and the audit log is sized from the data, not from the
peak write target sustained for a year."""

from __future__ import annotations

from pathlib import Path

from schemawright.api import design_project
from schemawright.render.design_docs import capacity

INPUT = Path(__file__).resolve().parent / "inputs" / "clinical_trial.yaml"


def test_a_small_trial_is_sized_from_its_stated_counts():
    schema = design_project(INPUT).schema
    rows = {t.name: t.estimated_rows for t in schema.tables}
    assert rows["participants"] == 600  # stated
    assert rows["sites"] < 600 and rows["study_arms"] <= 6000 and rows["database_locks"] <= 5000, rows
    assert max(r for n, r in rows.items() if n != "audit_log") <= 400_000, rows  # the largest stated count
    estimated = {i.subject: i.decision for i in schema.inferences if i.rule == "default.rows"}
    assert "sites" in estimated and "an estimate" in estimated["sites"]
    doc = capacity(schema)
    assert "are estimates" in doc and "`sites`" in doc.split("are estimates")[1]
    provision = next(line for line in doc.splitlines() if line.startswith("- Provision disk for"))
    assert " TB" not in provision and rows["audit_log"] < 10_000_000, (provision, rows["audit_log"])


def test_a_declared_reference_table_stays_small_like_a_lookup():
    """tests/inputs/parking_enforcement.yaml declares ``zones`` as ``type: reference``: it was estimated at a tenth of
    the 2,000,000 citations (200,000 zones, seeded as 200,000 rows at scale 0.01: 20 million at full scale)."""
    schema = design_project(Path(__file__).resolve().parent / "inputs" / "parking_enforcement.yaml").schema
    rows = {t.name: t.estimated_rows for t in schema.tables}
    assert rows["citations"] == 2_000_000  # stated
    assert rows["zones"] == 100 and rows["violation_codes"] == 100, rows
    # and a small table is no basis for its children's count: permits are not "about ten per zone" (1,000), nor
    # vehicles a tenth of those
    assert rows["permits"] >= 10_000 and rows["vehicles"] >= 10_000 and rows["permit_holders"] >= 1_000, rows
    why = next(i.reason for i in schema.inferences if i.rule == "default.rows" and i.subject == "zones")
    assert "reference table stays small" in why
