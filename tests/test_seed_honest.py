"""seed loads what a database would hold: no invented audit rows (history triggers set aside during the
load, enabled again after), reference data at its real size, values that fit narrow and unusual types,
and progress lines when the output is not a terminal."""

from __future__ import annotations

import io
from pathlib import Path

import psycopg
from rich.console import Console

from schemawright.api import design_project
from schemawright.seed.run import seed

ROOT = Path(__file__).resolve().parents[1]
INPUTS = ROOT / "tests" / "inputs"


def _count(dsn: str, table: str) -> int:
    with psycopg.connect(dsn) as conn:
        return conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]


def test_narrow_types_and_reference_data_at_real_size(tmp_path: Path, scratch_dsn: str):
    out = tmp_path / "out"
    design_project(INPUTS / "tricky_types.yaml", out)
    result = seed(out, scratch_dsn, scale=0.01)
    rows = {t.table: t.rows for t in result.load.tables}
    assert rows["currencies"] == 180  # referenced and small: loaded whole, not scaled to 2 rows
    assert rows["items"] == 1000
    with psycopg.connect(scratch_dsn) as conn:
        assert conn.execute("SELECT count(DISTINCT tag), max(length(tag)) FROM items").fetchone() == (1000, 2)
        assert conn.execute("SELECT max(rate) < 10, min(rate) > 0 FROM currencies").fetchone() == (True, True)


def test_no_invented_audit_rows_and_triggers_back_on(tmp_path: Path, scratch_dsn: str):
    out = tmp_path / "out"
    design_project(ROOT / "examples" / "ecommerce.json", out)
    console = Console(file=io.StringIO(), force_terminal=False, width=100)
    result = seed(out, scratch_dsn, scale=0.0005, console=console)
    assert {t.table: t.rows for t in result.load.tables}["audit_log"] == 0
    assert _count(scratch_dsn, "audit_log") == 0
    assert "seed: COPY users" in console.file.getvalue()  # plain progress lines, not a redrawn bar
    with psycopg.connect(scratch_dsn) as conn:
        disabled = conn.execute("SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgenabled = 'D'"
                                ).fetchone()[0]
        assert disabled == 0
        conn.execute("UPDATE users SET updated_at = now() WHERE id = (SELECT min(id::text)::uuid FROM users)")
    assert _count(scratch_dsn, "audit_log") == 1  # the audit trigger records real changes again


def test_self_reference_and_inet_columns(tmp_path: Path, scratch_dsn: str):
    """blog_cms: comments reply to earlier comments (never to themselves: chk_comments_no_self_reply),
    and ip_address (inet) holds addresses, not street names."""
    out = tmp_path / "out"
    design_project(ROOT / "examples" / "blog_cms.json", out)
    seed(out, scratch_dsn, scale=0.002)
    with psycopg.connect(scratch_dsn) as conn:
        assert conn.execute("SELECT count(*) FROM comments WHERE parent_id = id").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM comments WHERE parent_id IS NOT NULL").fetchone()[0] > 0


def test_comments_of_rebuilt_keys_and_indexes_survive_the_load(tmp_path: Path, scratch_dsn: str):
    """seed drops keys and indexes for the COPY and rebuilds them: the COMMENTs V001 puts on them must be
    back afterwards (they were lost, so a diff of a seeded database proposed every index comment again)."""
    import re

    out = tmp_path / "out"
    design_project(ROOT / "examples" / "ecommerce.json", out)
    v001 = next((out / "migrations").glob("V001__*.sql")).read_text()
    indexes = dict(re.findall(r"^COMMENT ON INDEX (\w+) IS '((?:[^']|'')*)';$", v001, re.M))
    constraints = {(m[1], m[0]): m[2] for m in
                   re.findall(r"^COMMENT ON CONSTRAINT (\w+) ON (\w+) IS '((?:[^']|'')*)';$", v001, re.M)}
    assert indexes
    from schemawright.api import apply_migrations

    apply_migrations(out / "migrations", scratch_dsn)
    with psycopg.connect(scratch_dsn, autocommit=True) as conn:  # a DBA's comments on a key and a foreign key
        for table, name in conn.execute("SELECT conrelid::regclass::text, conname FROM pg_constraint "
                                        "WHERE contype IN ('p', 'f') AND conrelid = 'order_items'::regclass").fetchall():
            conn.execute(f'COMMENT ON CONSTRAINT "{name}" ON {table} IS \'kept by {name}\'')
            constraints[(table, name)] = f"kept by {name}"
    assert len(constraints) >= 2
    seed(out, scratch_dsn, scale=0.0005)
    with psycopg.connect(scratch_dsn) as conn:
        got_idx = dict(conn.execute("SELECT c.relname, obj_description(c.oid, 'pg_class') FROM pg_class c "
                                    "WHERE c.relkind IN ('i', 'I') AND c.relnamespace = 'public'::regnamespace"))
        got_con = {(r, n): d for r, n, d in conn.execute(
            "SELECT conrelid::regclass::text, conname, obj_description(oid, 'pg_constraint') FROM pg_constraint "
            "WHERE connamespace = 'public'::regnamespace")}
        rebuilt = conn.execute("SELECT count(*) FROM pg_constraint WHERE contype IN ('p', 'u', 'f') "
                               "AND connamespace = 'public'::regnamespace").fetchone()[0]
    assert rebuilt > 0
    for name, text in indexes.items():
        assert got_idx.get(name) == text.replace("''", "'"), name
    for key, text in constraints.items():
        assert got_con.get(key) == text.replace("''", "'"), key


def test_partitions_made_for_the_load_belong_to_the_tables_owner(tmp_path: Path, scratch_dsn: str):
    """The monthly partitions seed adds for its time window are owned by the partitioned table's owner, not
    by the user who connected: the retention job runs as the owner and drops old partitions (it failed with
    'must be owner' on a superuser's partition), and a diff of the seeded database sees a single owner."""
    from schemawright.api import apply_migrations

    out = tmp_path / "out"
    design_project(INPUTS / "coworking.yaml", out)
    apply_migrations(out / "migrations", scratch_dsn)
    seed(out, scratch_dsn, scale=0.0005)
    with psycopg.connect(scratch_dsn, autocommit=True) as conn:
        owner, = conn.execute("SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'badge_scans'::regclass"
                              ).fetchone()
        parts = dict(conn.execute("SELECT c.relname, pg_get_userbyid(c.relowner) FROM pg_inherits h "
                                  "JOIN pg_class c ON c.oid = h.inhrelid WHERE h.inhparent = 'badge_scans'::regclass"))
        old = [n for n in parts if n.startswith("badge_scans_p") and n < "badge_scans_p" + f"{_months_ago(14):%Y%m}"]
        assert old, sorted(parts)  # the load reaches back further than the 13 months kept
        assert set(parts.values()) == {owner}, parts
        conn.execute(f'SET ROLE "{owner}"')
        conn.execute("SELECT fn_badge_scans_retention()")
        conn.execute("RESET ROLE")
        left = {r[0] for r in conn.execute("SELECT c.relname FROM pg_inherits h JOIN pg_class c ON c.oid = h.inhrelid "
                                           "WHERE h.inhparent = 'badge_scans'::regclass")}
    assert not set(old) & left


def _months_ago(n: int):
    import datetime as dt

    day = dt.date.today().replace(day=1)
    for _ in range(n):
        day = (day - dt.timedelta(days=1)).replace(day=1)
    return day


CHAINED = """\
project: {name: chain-checks, type: api, database_type: postgresql, scale: small, environment: development}
task: {type: schema_design, priority: low, description: chained date checks, requirements: [], acceptance_criteria: []}
data_model:
  entities:
    - name: participants
      estimated_rows: 2000
      attributes: [consent_signed_at, enrolled_on, withdrawn_on]
  business_rules:
    - {name: consent_first, entity: participants, description: enrolled_on is on or after consent_signed_at}
    - {name: withdrawn_later, entity: participants, description: withdrawn_on is after enrolled_on}
"""


def test_a_chain_of_date_checks_over_an_instant_seeds(tmp_path: Path, scratch_dsn: str):
    """Two checks sharing a column over a timestamptz and dates (enrolled_on >= consent_signed_at, withdrawn_on
    > enrolled_on; tests/inputs/clinical_trial.yaml) used to undo each other's repair, and seed stopped naming
    both checks. A date after an instant is now drawn past the instant's day (in any session time zone), so
    the rows hold, checked by the server."""
    spec = tmp_path / "chained.yaml"
    spec.write_text(CHAINED)
    seed(spec, scratch_dsn, scale=1)
    with psycopg.connect(scratch_dsn) as conn:
        conn.execute("SET TimeZone = 'Pacific/Kiritimati'")  # UTC+14: the CHECKs hold in any zone
        n, both, bad = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE enrolled_on IS NOT NULL AND consent_signed_at IS NOT NULL), "
            "count(*) FILTER (WHERE NOT (enrolled_on >= consent_signed_at AND withdrawn_on > enrolled_on)) "
            "FROM participants").fetchone()
    assert n == 2000 and both > 0 and bad == 0


def test_a_check_over_a_foreign_key_and_plain_columns_seeds(tmp_path: Path, scratch_dsn: str):
    """blog_cms's guest comments: CHECK (author_id IS NOT NULL OR (guest_name IS NOT NULL AND guest_email IS
    NOT NULL)). author_id is drawn with the foreign keys, apart from the repair, so a (guest_name, guest_email)
    combination that held only beside one sample row's author failed beside another's and seed gave up after
    six repairs (the evolve test over every example, at 300 rows). The repair now keeps combinations that hold
    beside every sample row's author."""
    out = tmp_path / "out"
    design_project(ROOT / "examples" / "blog_cms.json", out)
    seed(out, scratch_dsn, scale=0.001, max_rows=300, workers=1)
    with psycopg.connect(scratch_dsn) as conn:
        guests, bad = conn.execute(
            "SELECT count(*) FILTER (WHERE author_id IS NULL), count(*) FILTER (WHERE NOT (author_id IS NOT NULL "
            "OR (guest_name IS NOT NULL AND guest_email IS NOT NULL))) FROM comments").fetchone()
    assert guests > 0 and bad == 0


def test_a_value_moved_into_its_parents_window_takes_the_columns_ordered_after_it(tmp_path: Path, pg15_dsn: str):
    """parking_enforcement: an appeal is filed within 21 days of its citation (deferred triggers, set aside for the
    load, the violating filed_at moved onto the window afterwards) and decided_at >= filed_at (a CHECK). Moving
    filed_at alone broke the CHECK and seed failed; decided_at now moves by as much."""
    from schemawright.db import scratch_database

    out = tmp_path / "out"
    design_project(INPUTS / "parking_enforcement.yaml", out)
    with scratch_database(pg15_dsn, prefix="sw_seed_window") as db:
        seed(out, db, scale=0.001, max_rows=300, workers=1)
        with psycopg.connect(db) as conn:
            n, outside, reversed_ = conn.execute(
                "SELECT count(*), count(*) FILTER (WHERE a.filed_at < c.issued_at OR a.filed_at > c.issued_at + "
                "interval '21 days'), count(*) FILTER (WHERE a.decided_at < a.filed_at) "
                "FROM appeals a JOIN citations c ON c.id = a.citation_id").fetchone()
    assert n > 0 and outside == 0 and reversed_ == 0
