"""Read replicas and pooling (render/replicas.py, the PgBouncer routes in render/tuning_config.py).

The settings are checked against PostgreSQL itself: every name in postgresql.conf.example must be a setting
pg_settings knows, written once, with a value of its type (an enum's value among enumvals, a bool a bool, a
number or size within min/max once converted by the server's own unit). The routing is checked against its
rules on real inputs: every read pattern routed, key lookups on the primary, reports on a replica, a pattern
that must be current on the primary.
"""

from __future__ import annotations

import configparser
import json
import re
from pathlib import Path

import psycopg
import pytest

from schemawright.api import design_project

INPUTS = Path(__file__).parent / "inputs"
CASES = ["hotel_booking.yaml", "saas_billing.yaml", "blood_bank.yaml", "streaming.yaml"]
BOOLS = {"on", "off", "true", "false", "yes", "no", "1", "0"}


@pytest.fixture(scope="module", params=CASES)
def files(request):
    return {a.path: a.content for a in design_project(INPUTS / request.param).artifacts}


def _settings(conf: str) -> list[tuple[str, str]]:
    out = []
    for line in conf.splitlines():
        m = re.match(r"^([a-z_]+)\s*=\s*('(?:[^']|'')*'|\S+)", line)
        if m:
            out.append((m.group(1), m.group(2).strip("'")))
    return out


def test_postgresql_conf_settings_are_known_to_postgresql(files, pg15_dsn):
    pairs = _settings(files["config/postgresql.conf.example"])
    names = [n for n, _ in pairs]
    assert [n for n in set(names) if names.count(n) > 1] == [], "a setting written twice: the last one wins silently"
    with psycopg.connect(pg15_dsn) as conn:
        known = {r[0]: r[1:] for r in conn.execute("SELECT name, vartype, enumvals FROM pg_settings").fetchall()}
    problems = []
    for name, value in pairs:
        if name not in known:
            problems.append(f"{name}: not a PostgreSQL 15 setting")
            continue
        vartype, enumvals = known[name]
        if vartype == "enum" and value not in enumvals:
            problems.append(f"{name} = {value}: not one of {enumvals}")
        if vartype == "bool" and value.lower() not in BOOLS:
            problems.append(f"{name} = {value}: not a boolean")
    assert problems == []
    for needed in ("hot_standby", "hot_standby_feedback", "max_replication_slots", "max_standby_streaming_delay"):
        assert needed in names


def test_pgbouncer_routes_and_pool_sizes(files):
    ini = configparser.ConfigParser(inline_comment_prefixes=("#",), interpolation=None)
    ini.read_string(files["config/pgbouncer.ini.example"])
    dbs = dict(ini["databases"])
    primary = next(k for k in dbs if not k.endswith(("_ro", "_listen")))
    assert f"{primary}_ro" in dbs and "<replica-host>" in dbs[f"{primary}_ro"]
    assert "pool_mode=session" in dbs[f"{primary}_listen"]
    assert ini["pgbouncer"]["pool_mode"] == "transaction"
    conf = dict(_settings(files["config/postgresql.conf.example"]))
    assert int(ini["pgbouncer"]["max_db_connections"]) < int(conf["max_connections"])


def test_every_read_pattern_is_routed_by_its_staleness_tolerance(files):
    routing = json.loads(files["config/read_routing.json"])
    routes = routing["routes"]
    assert routes and routing["replicas"] >= 1
    for r in routes:
        assert r["target"] == ("replica" if r["tolerance_seconds"] > routing["lag_budget_seconds"] else "primary")
        if r["category"] == "pk":
            assert r["target"] == "primary"
        if r["category"] == "report":
            assert r["target"] == "replica"
    doc = files["docs/replicas.md"]
    assert all(r["pattern"].split(":")[0] in doc for r in routes)


def test_a_pattern_that_must_be_current_reads_the_primary(tmp_path):
    spec = (INPUTS / "blood_bank.yaml").read_text()
    assert "open_requests_by_type" in spec
    spec = spec.replace("name: open_requests_by_type", "name: available_requests_by_type")
    path = tmp_path / "blood_bank.yaml"
    path.write_text(spec)
    files = {a.path: a.content for a in design_project(path).artifacts}
    routes = {r["pattern"]: r for r in json.loads(files["config/read_routing.json"])["routes"]}
    assert routes["available_requests_by_type"]["target"] == "primary"
    assert "must be current" in routes["available_requests_by_type"]["why"]


def test_the_replica_count_states_its_capacity_assumption_and_source(files):
    """The replica count rests on reads per core x cores: both are written as assumptions, with where they
    come from (the measurement behind the per-core figure, the project scale's machine behind the cores)."""
    routing = json.loads(files["config/read_routing.json"])
    assumption = routing["capacity_assumption"]
    assert routing["node_capacity"] == assumption["reads_per_core"] * assumption["cores"]
    assert "benchmarks/cache_peak.py" in assumption["source"] and "assumption" in assumption["source"]
    doc = files["docs/replicas.md"]
    assert f"**Capacity assumption: {assumption['reads_per_core']:,} simple reads/s per core" in doc
    assert "benchmarks/cache_peak.py" in doc and "postgresql.conf.example" in doc
