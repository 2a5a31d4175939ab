#!/usr/bin/env python3
"""Per task input: the free-text business rules enforced (and by what), those not understood, and the
columns left as text with a warning. Totals at the end (aim: >= 90% enforced, no silent text).

    .venv/bin/python scripts/rules_report.py [INPUT ...]     # default: tests/inputs/*
"""

from __future__ import annotations

import sys
from pathlib import Path

from schemawright.api import design_schema
from schemawright.errors import SchemawrightError

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted(p for p in (ROOT / "tests" / "inputs").iterdir()
                                              if p.suffix in (".json", ".yaml", ".yml"))
    total_enforced = total_missed = total_text = silent = 0
    for path in paths:
        try:
            spec, schema = design_schema(path)
        except SchemawrightError as exc:
            print(f"== {path.name}: input error (exit 2)\n   {exc}")
            continue
        free = [r for r in spec.data_model.business_rules if r.check is None]
        checked = [r for r in spec.data_model.business_rules if r.check is not None]
        by_rule = {i.subject: i for i in schema.inferences if i.rule.startswith("rule.")
                   and (i.decision.startswith("enforced by") or i.rule == "rule.not_understood")}
        enforced = [r for r in free if r.name in by_rule and by_rule[r.name].rule != "rule.not_understood"]
        missed = [r for r in free if r not in enforced]
        warned = [i.subject for i in schema.inferences if i.rule == "warning.type_unknown"]
        fallback = [f"{t.name}.{c.name}" for t in schema.tables for c in t.columns if c.origin.rule == "type.fallback"]
        silent += len(set(fallback) - set(warned))
        total_enforced, total_missed, total_text = total_enforced + len(enforced), total_missed + len(missed), \
            total_text + len(warned)
        print(f"== {path.name}: {len(enforced)}/{len(free)} free-text rules enforced, {len(checked)} given as "
              f"checks, {len(warned)} columns text with a warning")
        for r in enforced:
            i = by_rule[r.name]
            print(f"   enforced   {r.name:<28} [{i.rule.removeprefix('rule.')}] {i.decision.removeprefix('enforced by ')}")
        for r in missed:
            print(f"   NOT        {r.name:<28} {r.description}")
        for c in warned:
            print(f"   text?      {c}")
    rules = total_enforced + total_missed
    share = total_enforced / rules if rules else 1.0
    print(f"\n{total_enforced}/{rules} free-text rules enforced ({share:.0%}); {total_missed} not understood; "
          f"{total_text} columns text with a warning; {silent} silently text")
    return 0 if share >= 0.9 and silent == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
