"""Three inputs a new user wrote (csa_box_scheme, museum_loans, clinical_trial; review in
docs/fresh-inputs-2026-12.md): the types the lexicon gives their untyped columns and the business rules
compiled from their wording hold on PostgreSQL: a violating row is refused with the expected SQLSTATE,
a valid one is accepted."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from schemawright.datagen.rows import RowFactory
from schemawright.db import scratch_database

INPUTS = Path(__file__).resolve().parent / "inputs"


@pytest.fixture
def _designs(designed_input):
    """``_designs(name)``: ``(design_project(input), its V001 as written)``, designed once per session
    (tests/conftest.py: designed_input)."""
    def design(name):
        result = designed_input(INPUTS / name)
        return result, next(a.content for a in result.artifacts if a.path == "migrations/V001__initial_schema.sql")
    return design


def _db(pg15_dsn, design):
    result, migration = design
    ctx = scratch_database(pg15_dsn, "fresh3_rules")
    dsn = ctx.__enter__()
    conn = psycopg.connect(dsn)
    conn.execute(migration.encode())
    conn.commit()
    return ctx, conn, result.schema, RowFactory(conn, result.schema)


def _applied(pg15_dsn, designs, name: str):
    ctx, conn, schema, f = _db(pg15_dsn, designs(name))
    yield schema, conn, f
    conn.close()
    ctx.__exit__(None, None, None)


@pytest.fixture
def clinical(pg15_dsn, _designs):
    yield from _applied(pg15_dsn, _designs, "clinical_trial.yaml")


@pytest.fixture
def museum(pg15_dsn, _designs):
    yield from _applied(pg15_dsn, _designs, "museum_loans.json")


@pytest.fixture
def csa(pg15_dsn, _designs):
    yield from _applied(pg15_dsn, _designs, "csa_box_scheme.yaml")


def _refused(conn, sqlstate: str, statement, params=()) -> str | None:
    with pytest.raises(psycopg.Error) as info:
        with conn.transaction():
            conn.execute(statement, params)
    assert info.value.diag.sqlstate == sqlstate, info.value
    return info.value.diag.constraint_name


def _row(schema, f: RowFactory, table: str, **values) -> dict:
    t = schema.table(table)
    return f.insert(t, f.valid_row(t, values))


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


def test_loans_overlap_only_when_not_cancelled(museum):
    """'Loans of an object never overlap, except cancelled ones': EXCLUDE ... WHERE status is not
    cancelled; the exception is never dropped."""
    schema, conn, f = museum
    first = _row(schema, f, "loans", loan_start="2026-03-01", loan_end="2026-06-01", status="requested")
    clash = f.valid_row(schema.table("loans")) | {"object_id": first["object_id"], "loan_start": "2026-04-01",
                                                  "loan_end": "2026-05-01", "status": "requested"}
    with pytest.raises(psycopg.Error) as info:
        with conn.transaction():
            f.insert(schema.table("loans"), clash)
    assert info.value.diag.sqlstate == "23P01"
    conn.execute("UPDATE loans SET status = 'cancelled' WHERE id = %s", (first["id"],))
    f.insert(schema.table("loans"), clash)  # the cancelled loan no longer blocks the period


def test_at_most_one_active_subscription_per_member_and_season(csa):
    """The qualifier 'active' becomes the WHERE of a partial unique index: a cancelled subscription does
    not block a new active one in the same season; a second active one is refused (23505)."""
    schema, conn, f = csa
    first = _row(schema, f, "subscriptions", status="active")
    same = f.valid_row(schema.table("subscriptions")) | {"member_id": first["member_id"],
                                                         "season_id": first["season_id"], "status": "active"}
    with pytest.raises(psycopg.errors.UniqueViolation) as info:
        with conn.transaction():
            f.insert(schema.table("subscriptions"), same)
    assert info.value.diag.constraint_name == "uq_subscriptions_member_id_season_id_active"
    conn.execute("UPDATE subscriptions SET status = 'cancelled' WHERE id = %s", (first["id"],))
    f.insert(schema.table("subscriptions"), same)


def test_one_box_per_delivery_week_and_one_primary_contact(csa, museum):
    schema, conn, f = csa
    # a box's weight is its items' sum (another rule, checked by triggers); only the week is tested here
    conn.execute("ALTER TABLE boxes DISABLE TRIGGER USER")
    conn.commit()
    box = _row(schema, f, "boxes", delivery_week="2026-05-04", total_weight_kg=1)
    twin = f.valid_row(schema.table("boxes"), {"subscription_id": box["subscription_id"],
                                               "delivery_week": "2026-05-04", "total_weight_kg": 1})
    with pytest.raises(psycopg.errors.UniqueViolation):
        with conn.transaction():
            f.insert(schema.table("boxes"), twin)
    f.insert(schema.table("boxes"), twin | {"delivery_week": "2026-05-11"})
    schema, conn, f = museum
    contact = _row(schema, f, "contacts", is_primary=True)
    other = f.valid_row(schema.table("contacts")) | {"institution_id": contact["institution_id"]}
    f.insert(schema.table("contacts"), other | {"is_primary": False})
    with pytest.raises(psycopg.errors.UniqueViolation) as info:
        with conn.transaction():
            f.insert(schema.table("contacts"), f.valid_row(schema.table("contacts")) | {
                "institution_id": contact["institution_id"], "is_primary": True})
    assert info.value.diag.constraint_name == "uq_contacts_institution_id_primary"


def test_event_verbs_bounds_percent_and_sums_become_checks(csa, museum, clinical):
    """'A season ends after it starts', 'An exhibition closes on or after it opens', 'A box is collected
    after it is packed' (the verbs name the columns), 'The discount may not exceed 50 percent', 'A member
    may skip at most 4 weeks per season', 'lux is not negative', 'dose_mg must be greater than 0 and at
    most 400', 'quantity_dispensed plus quantity_destroyed is at most quantity_received'."""
    schema, conn, f = csa
    season = _row(schema, f, "seasons", starts_on="2026-04-01", ends_on="2026-10-31")
    assert _refused(conn, "23514", "UPDATE seasons SET ends_on = '2026-03-01' WHERE id = %s",
                    (season["id"],)) == "chk_seasons_season_dates"
    sub = _row(schema, f, "subscriptions", discount_percent=50, skipped_weeks=4)
    assert _refused(conn, "23514", "UPDATE subscriptions SET discount_percent = 50.5 WHERE id = %s",
                    (sub["id"],)) == "chk_subscriptions_discount_cap"
    assert _refused(conn, "23514", "UPDATE subscriptions SET skipped_weeks = 5 WHERE id = %s",
                    (sub["id"],)) == "chk_subscriptions_skip_limit"
    conn.execute("ALTER TABLE boxes DISABLE TRIGGER USER")  # the items' weight sum is another rule's
    conn.commit()
    box = _row(schema, f, "boxes", total_weight_kg=1, packed_at="2026-05-04 08:00+00",
               collected_at="2026-05-04 17:00+00")
    assert _refused(conn, "23514", "UPDATE boxes SET collected_at = '2026-05-04 07:00+00' WHERE id = %s",
                    (box["id"],)) == "chk_boxes_collected_after_packed"
    schema, conn, f = museum
    ex = _row(schema, f, "exhibitions", opens_on="2026-05-01", closes_on="2026-05-01")  # same day: allowed
    assert _refused(conn, "23514", "UPDATE exhibitions SET closes_on = '2026-04-30' WHERE id = %s",
                    (ex["id"],)) == "chk_exhibitions_exhibition_dates"
    reading = _row(schema, f, "environment_readings", lux=0)
    assert _refused(conn, "23514", "UPDATE environment_readings SET lux = -1 WHERE id = %s",
                    (reading["id"],)) == "chk_environment_readings_lux_positive"
    schema, conn, f = clinical
    dose = _row(schema, f, "dose_administrations", dose_mg=400)
    for bad in (0, 400.5):
        assert _refused(conn, "23514", "UPDATE dose_administrations SET dose_mg = %s WHERE id = %s",
                        (bad, dose["id"])) == "chk_dose_administrations_max_dose"
    batch = _row(schema, f, "drug_batches", quantity_received=100, quantity_dispensed=60, quantity_destroyed=40)
    assert _refused(conn, "23514", "UPDATE drug_batches SET quantity_destroyed = 41 WHERE id = %s",
                    (batch["id"],)) == "chk_drug_batches_accountability"


def test_conditional_checks_of_adverse_events(clinical):
    """'An adverse event of grade 4 or 5 is always serious' and 'A serious adverse event must have
    reported_to_sponsor_at filled in': CHECK (NOT condition OR consequence)."""
    schema, conn, f = clinical
    ae = _row(schema, f, "adverse_events", severity_grade=3, is_serious=False, reported_to_sponsor_at=None)
    assert _refused(conn, "23514", "UPDATE adverse_events SET severity_grade = 4 WHERE id = %s",
                    (ae["id"],)) == "chk_adverse_events_serious_if_grade_4"
    assert _refused(conn, "23514", "UPDATE adverse_events SET is_serious = true WHERE id = %s",
                    (ae["id"],)) == "chk_adverse_events_sae_reported"
    conn.execute("UPDATE adverse_events SET severity_grade = 5, is_serious = true, reported_to_sponsor_at = now() "
                 "WHERE id = %s", (ae["id"],))
    conn.commit()


def test_a_status_cycle_and_can_become(csa):
    """'Subscription status goes pending -> active -> paused -> active; active -> finished; pending, active
    or paused can become cancelled': paused -> active is allowed (a cycle), finished -> active is not."""
    schema, conn, f = csa
    sub = _row(schema, f, "subscriptions", status="pending")
    for step in ("active", "paused", "active", "cancelled"):
        conn.execute("UPDATE subscriptions SET status = %s WHERE id = %s", (step, sub["id"]))
    conn.commit()
    assert _refused(conn, "23514", "UPDATE subscriptions SET status = 'active' WHERE id = %s",
                    (sub["id"],)) == "chk_subscriptions_status_transition"
    other = _row(schema, f, "subscriptions", status="pending")
    assert _refused(conn, "23514", "UPDATE subscriptions SET status = 'finished' WHERE id = %s",
                    (other["id"],)) == "chk_subscriptions_status_transition"


def test_counted_children_per_parent(csa):
    """'A box has at most two swapped items' (box_items with is_swap, per box) and 'A volunteer shift never
    has more signups than max_volunteers' (and max_volunteers cannot be lowered below the signups)."""
    schema, conn, f = csa
    conn.execute("ALTER TABLE boxes DISABLE TRIGGER USER")  # the weight sum is another rule's
    conn.execute("ALTER TABLE box_items DISABLE TRIGGER trg_box_items_box_weight_sum")
    conn.commit()
    box = _row(schema, f, "boxes", total_weight_kg=1)
    items = schema.table("box_items")
    for _ in range(2):
        f.insert(items, f.valid_row(items, {"box_id": box["id"], "is_swap": True}))
    f.insert(items, f.valid_row(items, {"box_id": box["id"], "is_swap": False}))  # not a swap: not counted
    conn.commit()
    with pytest.raises(psycopg.Error) as info:
        with conn.transaction():
            f.insert(items, f.valid_row(items, {"box_id": box["id"], "is_swap": True}))
    assert (info.value.diag.sqlstate, info.value.diag.constraint_name) == ("23514", "trg_box_items_swap_limit_items")
    assert _refused(conn, "23514", "UPDATE box_items SET is_swap = true WHERE box_id = %s AND NOT is_swap",
                    (box["id"],)) == "trg_box_items_swap_limit_items"
    shift = _row(schema, f, "volunteer_shifts", max_volunteers=1)
    signups = schema.table("volunteer_signups")
    f.insert(signups, f.valid_row(signups, {"volunteer_shift_id": shift["id"]}))
    conn.commit()
    with pytest.raises(psycopg.Error) as info:
        with conn.transaction():
            f.insert(signups, f.valid_row(signups, {"volunteer_shift_id": shift["id"]}))
    assert (info.value.diag.sqlstate, info.value.diag.constraint_name) == (
        "23514", "trg_volunteer_signups_shift_capacity")
    assert _refused(conn, "23514", "UPDATE volunteer_shifts SET max_volunteers = 0 WHERE id = %s",
                    (shift["id"],)) == "trg_volunteer_shifts_shift_capacity"
    conn.execute("UPDATE volunteer_shifts SET max_volunteers = 2 WHERE id = %s", (shift["id"],))
    f.insert(signups, f.valid_row(signups, {"volunteer_shift_id": shift["id"]}))
    conn.commit()


def test_a_dose_is_administered_before_its_batch_expires(clinical):
    """'A dose is administered before the batch expires': administered_at (own) against the referenced
    batch's expires_on, by deferred constraint triggers on both tables (23514 at commit)."""
    schema, conn, f = clinical
    batch = _row(schema, f, "drug_batches", expires_on="2026-06-30")
    # both doses within their visit's window ('A dose is administered within the window of its visit')
    visit = _row(schema, f, "visits", window_start="2026-06-01 00:00+00", window_end="2026-07-31 00:00+00")
    conn.commit()
    doses = schema.table("dose_administrations")
    f.insert(doses, f.valid_row(doses, {"drug_batch_id": batch["id"], "visit_id": visit["id"],
                                        "administered_at": "2026-06-29 10:00+00"}))
    conn.commit()
    with pytest.raises(psycopg.Error) as info:
        with conn.transaction():
            f.insert(doses, f.valid_row(doses, {"drug_batch_id": batch["id"], "visit_id": visit["id"],
                                                "administered_at": "2026-07-02 10:00+00"}))
    assert (info.value.diag.sqlstate, info.value.diag.constraint_name) == (
        "23514", "trg_dose_administrations_batch_not_expired")
    assert _refused(conn, "23514", "UPDATE drug_batches SET expires_on = '2026-06-01' WHERE id = %s",
                    (batch["id"],)) == "trg_drug_batches_batch_not_expired"


@pytest.mark.parametrize("name, kind", [
    ("temperature_c", "numeric"), ("systolic_bp", "numeric"), ("lux", "numeric"), ("reference_high", "numeric"),
    ("quantity_kg", "numeric"), ("width_px", "integer"), ("skipped_weeks", "integer"), ("heart_rate", "integer"),
    ("year_from", "integer"), ("delivery_week", "date"), ("courier_required", "boolean"),
    ("picked_by", "varchar"), ("variety", "varchar"), ("analyte", "varchar"), ("consent_version", "varchar"),
    ("role_title", "varchar"), ("credit_line", "text"),
    # what the new name rules must not catch
    ("day_of_week", "integer"), ("needed_by", "date"), ("steps_taken", "integer"), ("job_title", "varchar"),
    ("sort_by", "text"), ("source_db", "text")])
def test_lexicon_names_from_the_fresh_inputs(name, kind):
    from schemawright.design.columns import guess_column

    assert guess_column(name).type.kind.value == kind
    assert (guess_column(name).rule == "type.fallback") == (name in ("sort_by", "source_db"))


@pytest.mark.parametrize("name", ["base_fine", "late_fine", "fine"])
def test_a_fine_is_money(name):
    """tests/inputs/parking_enforcement.yaml: violation_codes.base_fine was text with a type_unknown warning, while
    `fine` and `*_fee`/`*_toll` were money."""
    from schemawright.design.columns import guess_column

    guessed = guess_column(name)
    assert (guessed.type.kind.value, guessed.type.precision, guessed.type.scale) == ("numeric", 12, 2)


def test_a_reference_the_entity_does_not_mark_required_is_optional():
    """tests/inputs/parking_enforcement.yaml marks the references it requires (appeals.citation_id: required:
    true) and not others: a visiting car has no permit holder, a pending appeal no hearing officer. Those were
    NOT NULL by default; an entity that marks what it requires leaves the rest optional, said as an inference."""
    from schemawright.api import design_schema

    _, schema = design_schema(INPUTS / "parking_enforcement.yaml")
    appeals, vehicles = schema.table("appeals"), schema.table("vehicles")
    assert not appeals.column("citation_id").nullable
    assert appeals.column("hearing_officer_id").nullable and vehicles.column("owner_id").nullable
    assert {i.subject for i in schema.inferences if i.rule == "fk.optional_unmarked"} >= {
        "appeals.hearing_officer_id", "vehicles.owner_id"}
