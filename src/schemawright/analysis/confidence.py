"""``execution_summary.status`` and ``confidence_score`` of agent_output.json: one documented formula.

    confidence_score = 0.5 * V + 0.3 * R + 0.2 * T        (rounded to 2 decimals, 0..1)

- **V, verification**: passed checks / all checks of the last ``schemawright verify`` of the folder;
  0.5 while the design has not been verified (neither proven nor refuted).
- **R, rules**: business rules enforced in the database (a ``check``, or a pattern of the rule compiler,
  design/rules) / business rules declared (1 when none are declared); a rule no pattern understood
  (inference ``rule.not_understood``) counts as not enforced.
- **T, typing and guesses**: 1 - (columns typed by the text fallback / columns)
  - 0.02 x inference warnings, floored at 0. Warnings are inferences whose rule is in
  ``WARNING_RULES``: guesses the input did not ground (a table invented for an undeclared parent,
  a row count assumed from the project scale).

``status`` is ``success`` when no check of verify (and of bench, when it ran: every pattern measured
without errors and every target met) failed, every declared rule is enforced and, for a target other than
PostgreSQL, nothing of the design was degraded (``degradations``), ``partial_success`` otherwise. ``design`` writes the inputs of the formula under ``execution_summary.confidence_inputs``;
``verify`` and ``bench`` record their results there (``record``) and both fields are recomputed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from schemawright.model.schema import Schema

WEIGHTS = {"verification": 0.5, "rules": 0.3, "typing": 0.2}
UNVERIFIED = 0.5
WARNING_PENALTY = 0.02
WARNING_RULES = frozenset({"entity.missing_parent", "default.rows"})


def design_inputs(schema: Schema) -> dict:
    """The design-time inputs of the formula (no verification yet). Rules: those declared in the input
    (``facts.business_rules``) less those the designer reported as not understood."""
    declared = schema.facts.business_rules
    not_understood = sum(1 for i in schema.inferences if i.rule == "rule.not_understood")
    columns = [c for t in schema.tables for c in t.columns]
    return {
        "verification": None,
        "rules_declared": declared,
        "rules_enforced": max(0, declared - not_understood),
        "columns": len(columns),
        "fallback_typed_columns": sum(1 for c in columns if c.origin.rule == "type.fallback"),
        "inference_warnings": sum(1 for i in schema.inferences if i.rule in WARNING_RULES),
    }


def score(inputs: dict) -> tuple[float, dict]:
    """(confidence_score, its three terms) from ``inputs`` (see the module docstring)."""
    v = inputs.get("verification")
    verification = UNVERIFIED if not v or not v.get("checks") else v["passed"] / v["checks"]
    declared = inputs.get("rules_declared", 0)
    rules = inputs.get("rules_enforced", 0) / declared if declared else 1.0
    columns = inputs.get("columns", 0)
    typing = 1.0 - (inputs.get("fallback_typed_columns", 0) / columns if columns else 0.0)
    typing = max(0.0, typing - WARNING_PENALTY * inputs.get("inference_warnings", 0))
    terms = {"verification": round(verification, 3), "rules": round(rules, 3), "typing": round(typing, 3)}
    total = sum(WEIGHTS[k] * terms[k] for k in WEIGHTS)
    return round(min(1.0, max(0.0, total)), 2), terms


def status(inputs: dict) -> str:
    failed = any(bool(inputs.get(k) and inputs[k].get("failed")) for k in ("verification", "bench"))
    unenforced = inputs.get("rules_enforced", 0) < inputs.get("rules_declared", 0)
    degraded = bool(inputs.get("degradations"))  # another database could not keep all of the design
    return "partial_success" if failed or unenforced or degraded else "success"


def apply(summary: dict, inputs: dict) -> dict:
    """Set status, confidence_score, confidence_terms and confidence_inputs of ``summary``."""
    value, terms = score(inputs)
    summary["status"] = status(inputs)
    summary["confidence_score"] = value
    summary["confidence_terms"] = terms
    summary["confidence_inputs"] = inputs
    return summary


def record(path: Path, key: str, result: dict) -> bool:
    """Store ``result`` as ``confidence_inputs[key]`` of the agent_output.json at ``path`` and recompute
    status and confidence_score; False when there is no agent_output.json. Written atomically (a
    temporary file renamed over it, removed if the write fails)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return False
    summary = doc.setdefault("execution_summary", {})
    inputs = dict(summary.get("confidence_inputs") or {})
    inputs[key] = result
    apply(summary, inputs)
    write_atomically(path, json.dumps(doc, indent=2, ensure_ascii=False, default=str) + "\n")
    return True


def write_atomically(path: Path, text: str) -> None:
    """``text`` into ``path`` through a temporary file beside it; nothing is left behind on failure."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
