"""Every measured figure next to its target: met, or missed by how much.

Targets: the task input's performance_targets (reads/writes per second, latency by query kind, each
pattern's own target_latency) and the seeds' thresholds (primary-key lookup < 1 ms, bulk load
> 10,000 rows/s, write throughput > 1,000/s, index hit ratio > 95%). Latency targets are judged on
the 95th percentile.
"""

from __future__ import annotations

from schemawright.bench.patterns import Pattern
from schemawright.model.facts import PerformanceTargets
from schemawright.model.schema import Schema

SEED_THRESHOLDS = {"bulk_rows_per_second": 10_000, "writes_per_second": 1_000, "index_hit_ratio": 0.95}


def _check(name: str, target: float, measured: float | None, higher_is_better: bool, unit: str) -> dict:
    if measured is None:
        return {"name": name, "target": target, "measured": None, "unit": unit, "met": None, "detail": "not measured"}
    met = measured >= target if higher_is_better else measured <= target
    if met:
        detail = "met"
    elif higher_is_better:
        detail = f"missed: {measured / target:.2f}x of target ({target - measured:,.3g} {unit} short)"
    else:
        detail = f"missed by {measured - target:,.3g} {unit} ({measured / target:.1f}x the target)"
    return {"name": name, "target": target, "measured": round(measured, 4), "unit": unit, "met": met,
            "detail": detail}


def evaluate(schema: Schema, patterns: list[Pattern], result: dict) -> list[dict]:
    res = result.get("results", {})
    seconds = result.get("duration_s") or 1
    out = []
    for p in patterns:
        r = res.get(p.name, {})
        if p.target_ms is not None:
            out.append(_check(f"{p.name} p95", p.target_ms, r.get("p95_ms"), False, "ms"))
    reads = sum(res[p.name]["calls"] for p in patterns if not p.writes and p.name in res) / seconds
    writes = sum(res[p.name]["calls"] for p in patterns if p.writes and p.name in res) / seconds
    result["throughput"] = {"reads_per_second": round(reads, 1), "writes_per_second": round(writes, 1)}
    perf = schema.facts.performance_targets or PerformanceTargets()
    if perf.read_operations_per_second:
        out.append(_check("reads per second", perf.read_operations_per_second, reads, True, "ops/s"))
    write_target = perf.write_operations_per_second or SEED_THRESHOLDS["writes_per_second"]
    out.append(_check("writes per second (in the mix)", write_target, writes, True, "ops/s"))
    if "write_only" in result:
        out.append(_check("write throughput (writes only)", write_target, result["write_only"]["per_second"], True,
                          "transactions/s"))
    seed = result.get("seed", {})
    out.append(_check("bulk load rows per second", SEED_THRESHOLDS["bulk_rows_per_second"],
                      seed.get("copy_rows_per_second"), True, "rows/s"))
    ratios = result.get("ratios", {})
    out.append(_check("index cache hit ratio", SEED_THRESHOLDS["index_hit_ratio"], ratios.get("index_cache_hit_ratio"),
                      True, "ratio"))
    out.append(_check("index usage ratio (large tables)", SEED_THRESHOLDS["index_hit_ratio"],
                      ratios.get("index_usage_ratio"), True, "ratio"))
    return out
