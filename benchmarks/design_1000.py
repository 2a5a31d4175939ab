"""Benchmark: design + render of a generated 1,000-entity task input.

Reports wall time and peak memory (tracemalloc) for loading, designing and rendering, and the ratio of
design+render to the floor measured in the same run: loading and validating the same input, work any
tool must do before designing anything; and the CPU time of design+render (``process_time``: single
threaded, it equals the wall time on an idle machine and stays meaningful on a busy shared one).
Aim (issue 2): design + render under 2 s on a 2-core machine. A report, not an assertion.

    .venv/bin/python benchmarks/design_1000.py [--entities N] [--repeat R] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
import tracemalloc
from pathlib import Path

from schemawright.design import design
from schemawright.render import render_all
from schemawright.spec.load import load_task_input

ATTRIBUTES = ["name", "description", "status", "price", "quantity", "is_active", "email", "metadata",
              "starts_at", "rating", "url", "phone", "notes", "code", "country"]


def generate(entities: int, seed: int = 7) -> dict:
    """A deterministic input: entities with typical attributes, each referencing a few earlier ones."""
    rng = random.Random(seed)
    names = [f"entity_{i:04d}" for i in range(entities)]
    out = []
    for i, name in enumerate(names):
        attrs = ["id"] + rng.sample(ATTRIBUTES, 6)
        parents = rng.sample(names[:i], min(i, rng.randint(0, 3)))
        attrs += [f"{p}_id" for p in parents]
        out.append({"name": name, "type": "core" if i % 3 else "transactional", "attributes": attrs,
                    "estimated_rows": rng.randint(1_000, 10_000_000)})
    rels = [{"from": names[i], "to": names[i + 1], "type": "many_to_many"} for i in range(0, entities - 1, 50)]
    return {"project": {"name": "bench", "scale": "large"},
            "data_model": {"entities": out, "relationships": rels}}


def measure(path: Path) -> dict[str, float]:
    t0 = time.perf_counter()
    spec, smap = load_task_input(path)
    t1, c1 = time.perf_counter(), time.process_time()
    schema = design(spec, smap)
    t2 = time.perf_counter()
    artifacts = render_all(schema)
    t3, c3 = time.perf_counter(), time.process_time()
    return {"load": t1 - t0, "design": t2 - t1, "render": t3 - t2, "cpu": c3 - c1, "tables": len(schema.tables),
            "files": len(artifacts), "bytes": sum(len(a.content) for a in artifacts)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "input.json"
        path.write_text(json.dumps(generate(args.entities)))
        measure(path)  # warm-up: imports, caches
        runs = [measure(path) for _ in range(args.repeat)]
        tracemalloc.start()
        measure(path)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    med = {k: statistics.median(r[k] for r in runs) for k in ("load", "design", "render", "cpu")}
    result = {
        "entities": args.entities, "tables": runs[0]["tables"], "files": runs[0]["files"],
        "output_mb": round(runs[0]["bytes"] / 1e6, 2), "repeat": args.repeat,
        "floor_load_s": round(med["load"], 3), "design_s": round(med["design"], 3),
        "render_s": round(med["render"], 3), "design_render_s": round(med["design"] + med["render"], 3),
        "ratio_to_floor": round((med["design"] + med["render"]) / med["load"], 2),
        "design_render_cpu_s": round(med["cpu"], 3),
        "peak_memory_mb": round(peak / 1e6, 1), "aim_s": 2.0,
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    for key, value in result.items():
        print(f"{key:>18}: {value}")
    verdict = "within" if result["design_render_s"] <= result["aim_s"] else "OVER"
    print(f"design + render {result['design_render_s']} s ({result['design_render_cpu_s']} s of CPU): {verdict} "
          f"the {result['aim_s']} s aim")


if __name__ == "__main__":
    main()
