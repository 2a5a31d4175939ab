"""bench.json, the terminal tables, a latency chart (hand-written SVG) and the merge into agent_output.json."""

from __future__ import annotations

import json
import math
from pathlib import Path

from schemawright.analysis.storage import compare, human
from schemawright.analysis import confidence
from schemawright.escape import html_text as escape


def _ms(x) -> str:
    return "-" if x is None else (f"{x * 1000:.0f} µs" if x < 1 else f"{x:.2f} ms" if x < 100 else f"{x:,.0f} ms")


def baseline_ratio(result: dict) -> dict:
    """How much the design's indexes and constraints are worth against primary keys only."""
    base = (result.get("baseline") or {}).get("results", {})
    reads = [(n, r["p50_ms"], base[n]["p50_ms"]) for n, r in result["results"].items()
             if n in base and r.get("p50_ms") and base[n].get("p50_ms")]
    if not reads:
        return {"summary": "not measured"}
    def geomean(items) -> float | None:
        return math.exp(sum(math.log(b / d) for _, d, b in items) / len(items)) if items else None

    geo = geomean(reads)
    # Primary-key lookups and writes run on the primary key in both schemas (writes pay for the indexes):
    # the design's indexes are judged on the other reads, and on the patterns the input declared.
    kinds = {p["name"]: (p["category"], p.get("source")) for p in result.get("patterns", ())}
    served = [r for r in reads if kinds.get(r[0], ("", ""))[0] not in ("pk", "write")]
    declared = [r for r in reads if kinds.get(r[0], ("", ""))[1] == "input"
                and kinds[r[0]][0] != "write"]
    calls = sum(r["calls"] for r in result["results"].values())
    base_calls = sum(r["calls"] for r in base.values()) or 1
    out = {"geomean_p50_speedup": round(geo, 2), "throughput_ratio": round(calls / base_calls, 2),
           "best": sorted(({"pattern": n, "speedup": round(b / d, 1)} for n, d, b in reads),
                          key=lambda x: -x["speedup"])[:5]}
    extra = ""
    if served:
        out["reads_beyond_primary_key"] = {"patterns": len(served), "geomean_p50_speedup": round(geomean(served), 2)}
        extra += f"; reads beyond the primary key {geomean(served):.1f}x ({len(served)} patterns)"
    if declared:
        out["declared_reads"] = {"patterns": len(declared), "geomean_p50_speedup": round(geomean(declared), 2)}
        extra += f"; declared reads {geomean(declared):.1f}x ({len(declared)} patterns)"
    out["summary"] = (f"p50 latency {geo:.1f}x better (geometric mean over {len(reads)} patterns){extra}, "
                      f"{calls / base_calls:.1f}x the calls in the same time, against primary keys only")
    return out


def latency_svg(result: dict) -> str:
    """Horizontal bars of p50/p95/p99 per pattern on a log scale, with each target marked."""
    rows = [(n, r) for n, r in result["results"].items() if r.get("p50_ms")]
    targets = {p["name"]: p["target_ms"] for p in result["patterns"]}
    left, width, bar, top = 330, 560, 18, 40
    height = top + len(rows) * (bar + 8) + 40
    lo = min([r["p50_ms"] for _, r in rows] + [0.01])
    hi = max([r["p99_ms"] or r["p50_ms"] for _, r in rows] + [t for t in targets.values() if t] + [1])
    lmin, lmax = math.floor(math.log10(lo)), math.ceil(math.log10(hi))

    def x(v: float) -> float:
        return left + (math.log10(max(v, 10 ** lmin)) - lmin) / max(lmax - lmin, 1) * width

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 30}" height="{height}" '
           'font-family="sans-serif" font-size="11">',
           f'<text x="10" y="20" font-size="14">{escape(result["project"])}: latency per pattern '
           f'(ms, log scale; bars p50 / p95 / p99, red tick = target)</text>']
    for k in range(lmin, lmax + 1):
        out.append(f'<line x1="{x(10 ** k):.1f}" y1="{top - 5}" x2="{x(10 ** k):.1f}" y2="{height - 30}" stroke="#ddd"/>'
                   f'<text x="{x(10 ** k):.1f}" y="{height - 15}" text-anchor="middle">{10.0 ** k:g}</text>')
    for i, (name, r) in enumerate(rows):
        y = top + i * (bar + 8)
        out.append(f'<text x="{left - 6}" y="{y + 13}" text-anchor="end">{escape(name[:48])}</text>')
        for key, colour in (("p99_ms", "#c6dbef"), ("p95_ms", "#6baed6"), ("p50_ms", "#2171b5")):
            if r.get(key):
                out.append(f'<rect x="{left}" y="{y}" width="{x(r[key]) - left:.1f}" height="{bar}" fill="{colour}"/>')
        if targets.get(name):
            tx = x(targets[name])
            out.append(f'<line x1="{tx:.1f}" y1="{y - 2}" x2="{tx:.1f}" y2="{y + bar + 2}" stroke="red" '
                       'stroke-width="2"/>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def write_outputs(result: dict, out_dir: Path) -> list[Path]:
    """bench.json and bench_latency.svg in ``out_dir``; merge measured figures into agent_output.json."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [out_dir / "bench.json", out_dir / "bench_latency.svg"]
    confidence.write_atomically(written[0], json.dumps(result, indent=2, default=str) + "\n")
    confidence.write_atomically(written[1], latency_svg(result))
    agent = out_dir / "agent_output.json"
    if agent.exists():
        merge_agent_output(agent, result)
        written.append(agent)
    return written


def merge_agent_output(path: Path, result: dict) -> None:
    """performance_analysis: measured query projections and estimated vs measured storage."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    perf = doc.setdefault("performance_analysis", {})
    targets = {p["name"]: p for p in result["patterns"]}
    projections = []
    for name, r in result["results"].items():
        ex = r.get("explain", {})
        projections.append({
            "query_type": name, "estimated_time": _ms(r["p95_ms"]) + " p95 (measured)",
            "index_dependencies": sorted({ln.split(" using ")[1].split()[0] for ln in ex.get("plan", [])
                                          if " using " in ln}),
            "optimization_notes": [f"target {_ms(targets[name]['target_ms'])}: "
                                   + ("met" if r["p95_ms"] is not None and targets[name]["target_ms"] is not None
                                      and r["p95_ms"] <= targets[name]["target_ms"] else "missed")]
            + [f"sequential scan on {t}" for t in ex.get("seq_scans_on_large_tables", [])],
            "measured": {k: r[k] for k in ("p50_ms", "p95_ms", "p99_ms", "per_second", "errors")}})
    perf["query_performance_projections"] = projections
    storage = result.get("storage", {})
    if storage:
        perf["storage_check"] = {"scale": result["scale"], "tables": compare(storage["estimated"], storage["measured"])}
    perf["measured"] = {"targets": result["targets"], "ratios": result.get("ratios"), "floor": result.get("floor"),
                        "throughput": result.get("throughput"), "baseline_ratio": result.get("baseline_ratio"),
                        "source": "bench.json"}
    # status and confidence_score: a pattern that errored or was not measured, or a missed target, is a
    # failed check (render/confidence.py).
    targets_list = result.get("targets") or []
    unmeasured = [n for n, r in result["results"].items() if r.get("errors") or not r.get("calls")]
    missed = [t["name"] for t in targets_list if t.get("met") is False]
    doc.setdefault("execution_summary", {})
    summary = doc["execution_summary"]
    inputs = dict(summary.get("confidence_inputs") or {})
    inputs["bench"] = {"checks": len(result["results"]) + len(targets_list),
                       "failed": len(unmeasured) + len(missed), "patterns_not_measured": unmeasured,
                       "targets_missed": missed, "report": "bench.json"}
    confidence.apply(summary, inputs)
    confidence.write_atomically(path, json.dumps(doc, indent=2, ensure_ascii=False, default=str) + "\n")


def storage_lines(result: dict) -> list[str]:
    storage = result.get("storage")
    if not storage:
        return []
    rows = compare(storage["estimated"], storage["measured"])
    return [f"{r['table']}: estimated {human(r['estimated_bytes'])}, measured {human(r['measured_bytes'] or 0)}"
            + (f" ({r['error']:+.0%})" if r["error"] is not None else "") for r in rows]
