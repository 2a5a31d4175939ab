"""Benchmark: schema diff (+ plan) of two 1,000-table designs.

FROM is the generated 1,000-entity input of design_1000.py designed; TO is the same input with one
entity in ten changed (an added, a dropped, a renamed (``renamed_from``) and a retyped attribute, a new
index) and a few new entities. Reports the time of ``diff`` and of ``plan`` (forward + undo SQL), CPU
time of this process (``time.process_time``: steady on a busy machine) and wall time, peak memory
(tracemalloc), and the ratio to floors measured in the same run: a deep copy of both models, and
``to_dict`` of both (walking every object once). A report, not an assertion.

    .venv/bin/python benchmarks/diff_1000.py [--entities N] [--repeat R] [--json]
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from design_1000 import generate  # noqa: E402  (the sibling benchmark's input generator)

from schemawright.api import design_schema  # noqa: E402
from schemawright.diff import diff, plan  # noqa: E402
from schemawright.model import keys  # noqa: E402
from schemawright.model.serialize import to_dict  # noqa: E402


def changed(data: dict) -> dict:
    """One entity in ten changed; a new entity per hundred."""
    data = copy.deepcopy(data)
    entities = data["data_model"]["entities"]
    indexes = data["data_model"].setdefault("indexes", [])
    for i, entity in enumerate(entities):
        if i % 10:
            continue
        attrs = entity["attributes"]
        attrs.append({"name": "extra_note", "type": "text"})
        plain = [a for a in attrs if isinstance(a, str) and a != "id" and not a.endswith("_id")]
        if plain:
            attrs.remove(plain[0])
        if len(plain) > 1:
            attrs[attrs.index(plain[1])] = {"name": f"{plain[1]}_v2", "renamed_from": plain[1]}
        attrs.append({"name": "score", "type": "numeric(12,2)"})
        indexes.append({"entity": entity["name"], "columns": ["extra_note"]})
    entities += [{"name": f"added_{i:03d}", "attributes": ["name", "status", f"{entities[i]['name']}_id"]}
                 for i in range(0, len(entities), 100)]
    return data


def timed(fn, *args, **kw) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one call."""
    cpu, wall = time.process_time(), time.perf_counter()
    fn(*args, **kw)
    return time.process_time() - cpu, time.perf_counter() - wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    base = generate(args.entities)
    with tempfile.TemporaryDirectory() as tmp:
        paths = [Path(tmp) / "a.json", Path(tmp) / "b.json"]
        paths[0].write_text(json.dumps(base))
        paths[1].write_text(json.dumps(changed(base)))
        old, new = (design_schema(p)[1] for p in paths)
    changes = diff(old, new)  # warm-up: imports; the expression cache is cleared before each run
    runs: dict[str, list[tuple[float, float]]] = {"diff": [], "plan": [], "deepcopy": [], "to_dict": []}
    for _ in range(args.repeat):
        keys.normalized_sql.cache_clear()
        runs["diff"].append(timed(diff, old, new))
        runs["plan"].append(timed(plan, changes, allow_destructive=True))
        runs["deepcopy"].append(timed(copy.deepcopy, (old, new)))
        runs["to_dict"].append(timed(lambda: (to_dict(old), to_dict(new))))
    tracemalloc.start()
    result_plan = plan(diff(old, new), allow_destructive=True)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    cpu = {name: statistics.median(c for c, _ in r) for name, r in runs.items()}
    wall = {name: statistics.median(w for _, w in r) for name, r in runs.items()}
    work = cpu["diff"] + cpu["plan"]
    result = {
        "tables_from": len(old.tables), "tables_to": len(new.tables), "changes": len(changes),
        "forward_steps": len(result_plan.forward), "undo_steps": len(result_plan.reverse), "repeat": args.repeat,
        "diff_cpu_s": round(cpu["diff"], 3), "plan_cpu_s": round(cpu["plan"], 3),
        "floor_deepcopy_cpu_s": round(cpu["deepcopy"], 3), "floor_to_dict_cpu_s": round(cpu["to_dict"], 3),
        "diff_plan_to_deepcopy": round(work / cpu["deepcopy"], 2),
        "diff_plan_to_to_dict": round(work / cpu["to_dict"], 2),
        "diff_plan_wall_s": round(wall["diff"] + wall["plan"], 3), "peak_memory_mb": round(peak / 1e6, 1),
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    for key, value in result.items():
        print(f"{key:>22}: {value}")


if __name__ == "__main__":
    main()
