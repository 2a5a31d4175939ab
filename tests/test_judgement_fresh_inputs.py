"""Three inputs a new user wrote (csa_box_scheme, museum_loans, clinical_trial; review in
docs/fresh-inputs-2026-12.md): the types the lexicon gives their untyped columns and the business rules
compiled from their wording hold on PostgreSQL: a violating row is refused with the expected SQLSTATE,
a valid one is accepted."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from schemawright.api import design_project
from schemawright.datagen.rows import RowFactory
from schemawright.db import scratch_database

INPUTS = Path(__file__).resolve().parent / "inputs"


@pytest.fixture(scope="module")
def _designs(tmp_path_factory):
    made = {}

    def design(name):
        if name not in made:
            out = tmp_path_factory.mktemp(name.split(".")[0])
            result = design_project(INPUTS / name, out)
            made[name] = (result, (out / "migrations" / "V001__initial_schema.sql").read_text())
        return made[name]
    return design


def _db(pg15_dsn, design):
    result, migration = design
    ctx = scratch_database(pg15_dsn, "fresh3_rules")
    dsn = ctx.__enter__()
    conn = psycopg.connect(dsn)
    conn.execute(migration.encode())
    conn.commit()
    return ctx, conn, result.schema, RowFactory(conn, result.schema)


@pytest.fixture
def clinical(pg15_dsn, _designs):
    ctx, conn, schema, f = _db(pg15_dsn, _designs("clinical_trial.yaml"))
    yield schema, conn, f
    conn.close()
    ctx.__exit__(None, None, None)


@pytest.fixture
def museum(pg15_dsn, _designs):
    ctx, conn, schema, f = _db(pg15_dsn, _designs("museum_loans.json"))
    yield schema, conn, f
    conn.close()
    ctx.__exit__(None, None, None)


@pytest.fixture
def csa(pg15_dsn, _designs):
    ctx, conn, schema, f = _db(pg15_dsn, _designs("csa_box_scheme.yaml"))
    yield schema, conn, f
    conn.close()
    ctx.__exit__(None, None, None)


def _refused(conn, sqlstate: str, statement, params=()) -> str | None:
    with pytest.raises(psycopg.Error) as info:
        with conn.transaction():
            conn.execute(statement, params)
    assert info.value.diag.sqlstate == sqlstate, info.value
    return info.value.diag.constraint_name


def _row(schema, f: RowFactory, table: str, **values) -> dict:
    t = schema.table(table)
    return f.insert(t, f.valid_row(t) | values)


def test_measurements_compare_as_numbers_not_strings(clinical):
    """systolic_bp > diastolic_bp and reference_high > reference_low: typed numeric by the lexicon (_bp,
    reference_*), so 120/80 is accepted and 80/120 refused (as text, '120' < '80')."""
    schema, conn, f = clinical
    for col in ("systolic_bp", "diastolic_bp"):
        assert schema.table("visits").column(col).type.kind.value == "numeric"
    visit = _row(schema, f, "visits", systolic_bp=120, diastolic_bp=80)
    assert _refused(conn, "23514", "UPDATE visits SET systolic_bp = 80, diastolic_bp = 120 WHERE id = %s",
                    (visit["id"],)) == "chk_visits_bp_order"
    lab = _row(schema, f, "lab_results", reference_low=9, reference_high=10, value_numeric=9.5)
    assert _refused(conn, "23514", "UPDATE lab_results SET reference_high = 8 WHERE id = %s",
                    (lab["id"],)) == "chk_lab_results_reference_range"


def test_units_years_and_yes_no_columns_store_what_they_name(museum, csa):
    schema, conn, f = museum
    obj = _row(schema, f, "objects", year_from=-500, year_to=-450)  # a dating BC is negative
    assert _refused(conn, "23514", "UPDATE objects SET year_to = -600 WHERE id = %s",
                    (obj["id"],)) == "chk_objects_years_ordered"
    loan = conn.execute("SELECT courier_required FROM loans LIMIT 0")
    assert loan.description[0].type_code == 16  # boolean
    reading = _row(schema, f, "environment_readings", temperature_c=19.5, lux=50.25)
    assert reading["temperature_c"] is not None
    assert _refused(conn, "22P02", "UPDATE object_images SET width_px = 'wide'") is None
    schema, conn, f = csa
    log = _row(schema, f, "harvest_logs", quantity_kg=2.5)  # quantity_kg is a measure, not a count
    assert float(conn.execute("SELECT quantity_kg FROM harvest_logs WHERE id = %s", (log["id"],)).fetchone()[0]) == 2.5
