"""verify holds on designs it was not tuned on: values fit each column's full type, every probe runs
in a savepoint of its own, and a table without a buildable valid row is one finding, not one per probe."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from schemawright.api import design_project
from schemawright.model.types import DataType, Kind
from schemawright.verify import verify_project
from schemawright.verify.rows import base_candidates, fits_number
from schemawright.model.schema import Column

INPUTS = Path(__file__).resolve().parent / "inputs"


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


def test_unbuildable_row_is_one_finding_and_does_not_cascade(tmp_path: Path, pg_dsn: str):
    out = tmp_path / "out"
    design_project(INPUTS / "tricky_types.yaml", out)
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
