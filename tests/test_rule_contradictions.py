"""Rules that cannot both hold are said (a warning design prints, in docs and agent_output), not silently
resolved: an append-only table whose status has transitions could never change status."""

from __future__ import annotations

import textwrap

import pytest

from schemawright.api import design_schema

SPEC = """\
project: {name: contradict, type: api, database_type: postgresql, scale: small, environment: development}
task: {type: schema_design, priority: low, description: payments, requirements: [], acceptance_criteria: []}
data_model:
  entities:
    - name: payments
      attributes: [{name: amount, type: "numeric(12,2)"}, {name: status, values: [pending, succeeded, failed]}]
  business_rules:
    - {name: payments_frozen, entity: payments, description: payments are never updated or deleted}
%s
"""
FLOW = "    - {name: payment_flow, entity: payments, description: status goes pending -> succeeded or pending -> failed}"


@pytest.fixture(autouse=True)
def _no_preflight(monkeypatch):
    monkeypatch.setenv("SCHEMAWRIGHT_CHECK_DSN", "off")


def _warnings(tmp_path, rules: str):
    spec = tmp_path / "spec.yaml"
    spec.write_text(textwrap.dedent(SPEC % rules))
    _, schema = design_schema(spec)
    return [i for i in schema.inferences if i.rule == "warning.contradiction"]


def test_append_only_with_a_status_flow_is_warned(tmp_path):
    [w] = _warnings(tmp_path, FLOW)
    assert w.subject == "payments" and "append-only" in w.reason and "transitions" in w.reason


def test_append_only_alone_is_not_warned(tmp_path):
    assert _warnings(tmp_path, "") == []
