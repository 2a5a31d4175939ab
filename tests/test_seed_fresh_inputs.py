"""seed on two of the December 2026 inputs it refused (docs/fresh-inputs-2026-12.md finding 10), checked on
the rows PostgreSQL accepted:

- csa_box_scheme: ``boxes.total_weight_kg BETWEEN 0.5 AND 25`` and ``box_weight_sum`` (the box weighs the sum
  of its items' weight_kg, deferred constraint triggers). The items are drawn independently, so their sum was
  far outside the range; seed now scales each box's items into it, and a box without items stays NULL.
- clinical_trial: ``enrolled_on >= consent_signed_at`` (a date after an instant) and ``withdrawn_on >
  enrolled_on``: the date was the instant's own day, i.e. its midnight, before the instant.
"""

from __future__ import annotations

from pathlib import Path

import psycopg

from schemawright.api import design_project
from schemawright.db import scratch_database
from schemawright.seed.run import seed

INPUTS = Path(__file__).resolve().parent / "inputs"


def _seeded(tmp_path: Path, server_for, name: str, queries: list[str]) -> list[tuple]:
    out = tmp_path / "out"
    result = design_project(INPUTS / name, out)
    with scratch_database(server_for(result.schema.extensions)) as dsn:
        seed(out, dsn, scale=0.01, max_rows=60_000)
        with psycopg.connect(dsn) as conn:
            return [conn.execute(q).fetchone() for q in queries]


def test_boxes_weigh_their_items_within_the_range(tmp_path: Path, server_for):
    (boxes, weighed, outside), (wrong_sum,), (items,) = _seeded(tmp_path, server_for, "csa_box_scheme.yaml", [
        "SELECT count(*), count(total_weight_kg), count(*) FILTER (WHERE total_weight_kg NOT BETWEEN 0.5 AND 25) "
        "FROM boxes",
        "SELECT count(*) FROM boxes b WHERE b.total_weight_kg IS DISTINCT FROM (SELECT sum(i.weight_kg) FROM "
        "box_items i WHERE i.box_id = b.id)",
        "SELECT count(*) FROM box_items",
    ])
    assert boxes > 0 and items > 0 and weighed > boxes // 2, (boxes, weighed, items)
    assert outside == 0 and wrong_sum == 0


def test_enrolment_follows_consent_and_withdrawal_follows_enrolment(tmp_path: Path, server_for):
    (n, enrolled, withdrawn), (bad,) = _seeded(tmp_path, server_for, "clinical_trial.yaml", [
        "SELECT count(*), count(enrolled_on), count(withdrawn_on) FROM participants",
        "SELECT count(*) FROM participants WHERE enrolled_on < consent_signed_at OR withdrawn_on <= enrolled_on",
    ])
    assert n > 0 and enrolled > 0 and withdrawn > 0 and bad == 0
