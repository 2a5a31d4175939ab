"""Erasure and masking come from the pii flags, not from table names: every table with personal data is
anonymized by the erasure function of the data subject it references (directly or through one table), a
table with personal data that describes no person is reported, an append-only table is kept (and said so);
the functions run on PostgreSQL and change only the erased subject's rows."""

from __future__ import annotations

import textwrap

import psycopg
import pytest

from schemawright.api import design_schema
from schemawright.db import scratch_database
from schemawright.dialects import get_dialect

INPUT = textwrap.dedent("""
    project: {name: erasure-probe}
    data_model:
      entities:
        - name: divers
          attributes: [{name: nickname, pii: true}, {name: certification_level, type: integer}]
        - name: dives
          attributes: [diver_id, site_name, dived_on, {name: buddy_phone, pii: true}]
        - name: dive_photos
          attributes: [dive_id, {name: caption, pii: true}]
        - name: dive_shops
          attributes: [name, phone, city]
        - name: waivers
          attributes: [diver_id, {name: signature_text, pii: true}, signed_at]
      business_rules:
        - {name: waivers_final, entity: waivers, description: Waivers can never be updated or deleted}
        - {name: waivers_kept, entity: waivers, description: Waivers are kept for 7 years}
    security_requirements: {compliance_standards: [GDPR]}
""")


@pytest.fixture(scope="module")
def schema(tmp_path_factory):
    path = tmp_path_factory.mktemp("erasure") / "divers.yaml"
    path.write_text(INPUT)
    return design_schema(path)[1]


def test_subjects_and_coverage_come_from_the_flags(schema):
    erasure = schema.facts.security.erasure
    assert [(e["function"], e["table"]) for e in erasure] == [("fn_erase_diver", "divers")]
    assert erasure[0]["tables"] == ["divers", "dives", "dive_photos"]  # two hops: photo -> dive -> diver
    said = {i.subject: i.decision for i in schema.inferences if i.rule == "security.erasure"}
    assert said["waivers.signature_text"] == "kept by fn_erase_diver"  # append-only: refused to the admin
    assert said["dive_shops.phone, city"] == "no erasure function"  # a shop's phone is no person's data
    # every table with personal data is masked for the read-only role
    assert set(schema.facts.security.masked_views) == set(schema.facts.security.pii)


def test_the_function_anonymizes_one_subject_only(schema, pg_dsn):
    with scratch_database(pg_dsn) as dsn, psycopg.connect(dsn, autocommit=True) as conn:
        for st in get_dialect("postgresql").create_statements(schema):
            conn.execute(st.sql.encode())
        ids = []
        for who in ("ann", "bob"):
            diver = conn.execute("INSERT INTO divers (nickname, certification_level) VALUES (%s, 1) RETURNING id",
                                 [who]).fetchone()[0]
            dive = conn.execute("INSERT INTO dives (diver_id, site_name, dived_on, buddy_phone) VALUES "
                                "(%s, 'reef', '2025-01-01', '+15550100') RETURNING id", [diver]).fetchone()[0]
            conn.execute("INSERT INTO dive_photos (dive_id, caption) VALUES (%s, %s)", [dive, who + " at the reef"])
            ids.append(diver)
        changed = conn.execute("SELECT fn_erase_diver(%s)", [ids[0]]).fetchone()[0]
        assert changed == 3
        rows = conn.execute("SELECT d.nickname, v.buddy_phone, p.caption FROM divers d JOIN dives v ON v.diver_id = d.id "
                            "JOIN dive_photos p ON p.dive_id = v.id ORDER BY d.id = %s DESC", [ids[0]]).fetchall()
        assert rows[0] == (None, None, None)
        assert rows[1] == ("bob", "+15550100", "bob at the reef")
