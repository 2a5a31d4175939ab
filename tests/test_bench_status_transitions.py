"""bench's "change status" write follows a transitions rule, as the application does: every call of it on the seeded
database is accepted by the rule's trigger. It set any allowed value, and the trigger refused a share of the calls
(tests/inputs/parking_enforcement.yaml: "citations: change status" had 13 errors, 'issued' -> 'upheld')."""

from __future__ import annotations

import textwrap
from pathlib import Path

import psycopg

from schemawright.api import design_project, seed
from schemawright.bench.patterns import generated_patterns
from schemawright.db import connect, scratch_database

INPUT = """
    project: {name: status-flow-probe}
    data_model:
      entities:
        - name: officers
          attributes: [badge_number]
        - name: citations
          estimated_rows: 2000
          attributes: [{name: officer_id, required: true}, issued_at,
                       {name: status, values: [issued, paid, appealed, dismissed, upheld], default: issued}]
      business_rules:
        - {name: citation_flow, entity: citations,
           description: "status transitions: issued -> paid, issued -> appealed, appealed -> dismissed, appealed -> upheld, upheld -> paid"}
"""


def test_change_status_follows_the_transitions(tmp_path: Path, pg_dsn: str):
    path = tmp_path / "flow.yaml"
    path.write_text(textwrap.dedent(INPUT))
    out = tmp_path / "out"
    design_project(path, out)
    with scratch_database(pg_dsn, prefix="sw_flow") as dsn:
        seeded = seed(out, dsn, scale=1, max_rows=2000)
        with connect(dsn, autocommit=True) as conn:
            pattern = next(p for p in generated_patterns(conn, seeded.source.schema, seeded.plan)
                           if p.name == "citations: change status")
            assert len(pattern.params) > 5
            refused = []
            for params in pattern.params:
                for statement in pattern.statements:
                    try:
                        conn.execute(statement, params)
                    except psycopg.Error as exc:
                        refused.append(exc.diag.message_primary)
            assert refused == []
            assert conn.execute("SELECT count(*) FROM citations WHERE status <> 'issued'").fetchone()[0] > 0
