"""Monitoring files of a design: the alert rules pass ``promtool check rules`` and their unit tests
(``promtool test rules``: each alert fires past seed 003's threshold and not inside it), the
postgres_exporter queries run on a real PostgreSQL and return the columns they declare, and every
expression of the Grafana dashboard is valid PromQL (checked by promtool as recording rules)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import psycopg
import pytest
import yaml

from schemawright.api import design_project

ROOT = Path(__file__).resolve().parents[1]
needs_promtool = pytest.mark.skipif(shutil.which("promtool") is None,
                                    reason="promtool is not installed (Debian package prometheus; scripts/system-deps.sh)")


@pytest.fixture(scope="module")
def monitoring(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("mon") / "db"
    design_project(ROOT / "examples/ecommerce.json", out)
    return out / "monitoring"


def _promtool(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["promtool", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


@needs_promtool
def test_alert_rules_pass_promtool_and_fire_at_seed_003_thresholds(monitoring):
    rules = monitoring / "prometheus"
    check = _promtool("check", "rules", "alerts.yml", cwd=rules)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "SUCCESS" in check.stdout
    tested = _promtool("test", "rules", "alerts_test.yml", cwd=rules)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    doc = yaml.safe_load((rules / "alerts.yml").read_text())
    by_name = {r["alert"]: r for g in doc["groups"] for r in g["rules"]}
    # seed 003: critical "< 5% disk space, connection pool exhausted"; warning "query time > 1s, index hit ratio < 95%"
    assert "< 0.05" in by_name["PostgresDiskSpaceLow"]["expr"]
    assert by_name["PostgresDiskSpaceLow"]["labels"]["severity"] == "critical"
    assert by_name["PostgresConnectionPoolExhausted"]["labels"]["severity"] == "critical"
    assert "> 1" in by_name["PostgresSlowQuery"]["expr"]
    assert "< 0.95" in by_name["PostgresIndexHitRatioLow"]["expr"]
    assert {"PostgresReplicationLag", "PostgresReplicationLagCritical"} <= set(by_name)


@needs_promtool
def test_a_wrong_threshold_fails_the_rule_tests(monitoring, tmp_path):
    """The unit tests can fail: with the index threshold at 90% the 94% series no longer alerts."""
    for name in ("alerts.yml", "alerts_test.yml"):
        shutil.copy(monitoring / "prometheus" / name, tmp_path / name)
    rules = tmp_path / "alerts.yml"
    rules.write_text(rules.read_text().replace("schemawright_index_hit_ratio < 0.95", "schemawright_index_hit_ratio < 0.9"))
    tested = _promtool("test", "rules", "alerts_test.yml", cwd=tmp_path)
    assert tested.returncode != 0 and "PostgresIndexHitRatioLow" in tested.stdout + tested.stderr


def test_exporter_queries_run_on_postgresql_and_return_their_metrics(monitoring, scratch_dsn):
    doc = yaml.safe_load((monitoring / "postgres_exporter/queries.yml").read_text())
    rules = (monitoring / "prometheus/alerts.yml").read_text()
    assert len(doc) >= 5
    with psycopg.connect(scratch_dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t SELECT generate_series(1, 100); "
                     "SELECT count(*) FROM t WHERE id = 5")
        for name, query in doc.items():
            cur = conn.execute(query["query"])
            columns = [d.name for d in cur.description]
            rows = cur.fetchall()
            declared = [next(iter(m)) for m in query["metrics"]]
            assert columns == declared, name
            assert rows, name
            for m in query["metrics"]:
                (column, spec), = m.items()
                assert spec["usage"] in ("GAUGE", "COUNTER", "LABEL"), (name, column)
                if spec["usage"] != "LABEL":
                    assert all(isinstance(r[columns.index(column)], float) for r in rows), (name, column)
        ratio = conn.execute(doc["schemawright_index_hit"]["query"]).fetchone()[0]
        assert 0 <= ratio <= 1
    for metric in ("schemawright_connections_used", "schemawright_longest_query_seconds", "schemawright_index_hit_ratio",
                   "schemawright_replication_lag_seconds"):
        assert metric in rules  # the alerts read what the exporter exports
        name = next(n for n in doc if metric.startswith(n + "_"))
        assert metric.removeprefix(name + "_") in [next(iter(m)) for m in doc[name]["metrics"]]


@needs_promtool
def test_grafana_dashboard_is_well_formed_and_its_queries_are_valid_promql(monitoring, tmp_path):
    dash = json.loads((monitoring / "grafana/dashboard.json").read_text())
    assert dash["title"] and dash["uid"] and isinstance(dash["schemaVersion"], int)
    ids = [p["id"] for p in dash["panels"]]
    assert len(ids) == len(set(ids)) >= 5
    exprs = []
    for p in dash["panels"]:
        assert p["type"] in ("timeseries", "stat", "gauge", "table") and set(p["gridPos"]) == {"h", "w", "x", "y"}
        assert p["targets"] and all(t["refId"] and t["expr"] for t in p["targets"])
        exprs += [t["expr"] for t in p["targets"]]
    rules = {"groups": [{"name": "dashboard", "rules": [{"record": f"dashboard:expr{n}", "expr": e}
                                                         for n, e in enumerate(exprs)]}]}
    (tmp_path / "dashboard_rules.yml").write_text(yaml.safe_dump(rules))
    check = _promtool("check", "rules", "dashboard_rules.yml", cwd=tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr
    bad = {"groups": [{"name": "x", "rules": [{"record": "x:y", "expr": "sum(("}]}]}
    (tmp_path / "bad.yml").write_text(yaml.safe_dump(bad))
    assert _promtool("check", "rules", "bad.yml", cwd=tmp_path).returncode != 0  # the check can fail


def _round_trip_json(value):
    if hasattr(value, "to_json"):
        return _round_trip_json(value.to_json())
    if isinstance(value, dict):
        return {k: _round_trip_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_round_trip_json(v) for v in value]
    return getattr(value, "value", value)  # enums as their JSON value


def _dropped(ours, theirs, path="") -> list[str]:
    if isinstance(ours, dict) and isinstance(theirs, dict):
        return [p for k, v in ours.items()
                for p in ([f"{path}/{k}"] if k not in theirs else _dropped(v, theirs[k], f"{path}/{k}"))]
    if isinstance(ours, list) and isinstance(theirs, list):
        return [p for i, (a, b) in enumerate(zip(ours, theirs)) for p in _dropped(a, b, f"{path}[{i}]")]
    return []


def test_grafana_dashboard_follows_grafanas_own_schema(monitoring):
    """Grafana's dashboard schema, as its Foundation SDK generates it into typed models: read into them and written
    back, our dashboard keeps every key (a key the schema does not know, a typo like ``titel``, is dropped, which
    the control below shows); the values are of the schema's types."""
    models = pytest.importorskip("grafana_foundation_sdk.models.dashboard",
                                 reason="grafana-foundation-sdk is in the test extras (pip install -e '.[test]')")
    dash = json.loads((monitoring / "grafana/dashboard.json").read_text())
    dash = dash.get("dashboard", dash)
    back = _round_trip_json(models.Dashboard.from_json(dash))
    assert not _dropped(dash, back), _dropped(dash, back)
    assert back["panels"] and all(p.get("targets") for p in back["panels"] if p.get("type") != "row")
    bad = json.loads(json.dumps(dash))
    bad["panels"][0]["titel"] = "typo"
    assert _dropped(bad, _round_trip_json(models.Dashboard.from_json(bad))) == ["/panels[0]/titel"]
