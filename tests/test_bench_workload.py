"""Workload benchmark: patterns run without errors, every figure is judged against its target."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from schemawright.api import design_project
from schemawright.bench.patterns import parse_latency
from schemawright.bench.report import baseline_ratio, latency_svg, write_outputs
from schemawright.bench.run import bench
from schemawright.bench.runner import select1_floor

ROOT = Path(__file__).resolve().parents[1]


def test_parse_latency():
    assert parse_latency("< 10ms") == 10 and parse_latency("< 2s") == 2000 and parse_latency("500 us") == 0.5
    assert parse_latency(None) is None


def test_bench_on_a_design_folder(tmp_path, pg_dsn):
    folder = tmp_path / "db"
    design_project(ROOT / "examples" / "ecommerce.json", folder)
    result = bench(folder, pg_dsn, scale=0.0005, duration=1.0, clients=2, warmup=0.2, floor=False, max_rows=20_000)
    names = {p["name"] for p in result["patterns"]}
    assert {"orders: by primary key", "orders: by user_id", "users: by email", "orders: insert + touch users",
            "orders: change status", "orders: 30-day report"} <= names
    for name, r in result["results"].items():
        assert r["errors"] == 0, (name, r["error_sample"])
        assert r["explain"].get("plan"), name
    assert result["results"]["orders: by primary key"]["calls"] > 0
    assert result["write_only"]["per_second"] > 0 and result["write_only"]["errors"] == 0
    assert all(c["met"] in (True, False, None) and c["detail"] for c in result["targets"])
    assert result["baseline"]["dropped"] > 0
    result["baseline_ratio"] = baseline_ratio(result)
    written = write_outputs(result, folder)
    doc = json.loads((folder / "agent_output.json").read_text())
    projections = doc["performance_analysis"]["query_performance_projections"]
    assert len(projections) == len(result["results"]) and "measured" in projections[0]
    assert doc["performance_analysis"]["storage_check"]["tables"][0]["measured_bytes"] > 0
    ET.fromstring(latency_svg(result))  # well-formed SVG
    assert json.loads(written[0].read_text())["project"] == "ecommerce-platform"


def test_select1_floor(pg_dsn):
    floor = select1_floor(pg_dsn, calls=200)
    assert 0 < floor["select1_p50_ms"] <= floor["select1_p99_ms"]
