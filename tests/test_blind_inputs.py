"""Inputs a new user wrote blind (tests/inputs/unsolved/, see its README): the originals end in a located input
error (exit 2, never a traceback), and the retries are held to the judgement aims of tests/test_judgement_inputs.py.
The aim is not met yet: a strict xfail, so the day it holds this test fails (XPASS) and the inputs move to
tests/inputs/."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemawright.api import design_schema
from schemawright.errors import SpecError

UNSOLVED = Path(__file__).resolve().parent / "inputs" / "unsolved"
ORIGINALS = ["sailing_club.yaml", "brewery.yaml"]
RETRIES = ["sailing_club_retry.yaml", "brewery_retry.yaml"]


@pytest.fixture(autouse=True)
def _no_preflight(monkeypatch):
    monkeypatch.setenv("SCHEMAWRIGHT_CHECK_DSN", "off")


@pytest.mark.parametrize("name", ORIGINALS)
def test_the_originals_are_refused_with_located_errors(name):
    with pytest.raises(SpecError) as info:
        design_schema(UNSOLVED / name)
    text = str(info.value)
    assert name in text and ":" in text


def _judgement(name: str) -> tuple[int, int, int]:
    """(free-text rules enforced, free-text rules, columns text with a warning), read as scripts/rules_report.py does."""
    spec, schema = design_schema(UNSOLVED / name)
    free = [r for r in spec.data_model.business_rules if r.check is None]
    by_rule = {i.subject: i for i in schema.inferences if i.rule.startswith("rule.")
               and (i.decision.startswith("enforced by") or i.rule == "rule.not_understood")}
    enforced = [r for r in free if r.name in by_rule and by_rule[r.name].rule != "rule.not_understood"]
    warned = [i.subject for i in schema.inferences if i.rule == "warning.type_unknown"]
    return len(enforced), len(free), len(warned)


@pytest.mark.xfail(strict=True, reason="blind trial 2: sailing_club 5/10 rules enforced, brewery 5/11 and 6 text "
                                       "columns with a warning (aims: 90% of rules, at most 3 text columns)")
@pytest.mark.parametrize("name", RETRIES)
def test_the_retries_meet_the_judgement_aims(name):
    enforced, total, text_columns = _judgement(name)
    assert enforced >= 0.9 * total and text_columns <= 3, (enforced, total, text_columns)
