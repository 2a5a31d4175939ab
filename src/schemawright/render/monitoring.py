"""Monitoring for the generated database: Prometheus alert rules with seed 003's thresholds, the
postgres_exporter custom queries they read, promtool unit tests of the rules, and a Grafana dashboard.

Seed 003's alerts: critical "< 5% disk space, connection pool exhausted"; warning "Query time > 1s, index
hit ratio < 95%"; and "Monitor replication lag". The rules read postgres_exporter's own metrics
(``pg_up``, ``pg_settings_max_connections``, ``pg_settings_superuser_reserved_connections``), node_exporter's
filesystem metrics for the disk, and the custom queries below (``schemawright_*``), so they work with the
stock exporters: ``postgres_exporter --extend.query-path=monitoring/postgres_exporter/queries.yml``.
Replication lag has no number in the seeds: it warns above 60 s and is critical above 15 minutes, a
quarter of seed 004's one-hour recovery point objective, so a lagging replica is fixed well before a
failover to it would lose more than the RPO allows.
"""

from __future__ import annotations

import json

from schemawright.escape import yaml_document
from schemawright.model.names import slug
from schemawright.render import Artifact, RenderContext, Renderer

DISK_FREE = 0.05  # critical below 5% free
POOL_USED = 1.0  # every connection a client may take is taken: the pool is exhausted
QUERY_SECONDS = 1.0  # warning: a query running longer than 1 s
INDEX_HIT = 0.95  # warning: index hit ratio below 95%
LAG_WARNING, LAG_CRITICAL = 60, 900  # seconds

# name -> (SQL, [(column, usage, description)]); postgres_exporter names each metric <name>_<column>.
QUERIES = {
    "schemawright_connections": (
        "SELECT count(*)::float8 AS used, "
        "(current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int)::float8 "
        "AS available FROM pg_stat_activity WHERE backend_type = 'client backend'",
        [("used", "GAUGE", "client connections open"),
         ("available", "GAUGE", "connections clients may open (max_connections less the superuser reserve)")]),
    "schemawright_longest_query": (
        "SELECT coalesce(max(extract(epoch FROM now() - query_start)), 0)::float8 AS seconds "
        "FROM pg_stat_activity WHERE state = 'active' AND backend_type = 'client backend' AND pid <> pg_backend_pid()",
        [("seconds", "GAUGE", "running time of the longest active query")]),
    "schemawright_index_hit": (
        "SELECT coalesce(sum(idx_blks_hit)::float8 / nullif(sum(idx_blks_hit) + sum(idx_blks_read), 0), 1) AS ratio, "
        "(sum(idx_blks_hit) + sum(idx_blks_read))::float8 AS reads FROM pg_statio_user_indexes",
        [("ratio", "GAUGE", "share of index block reads served from shared buffers"),
         ("reads", "COUNTER", "index block reads (hits and misses)")]),
    "schemawright_cache_hit": (
        "SELECT coalesce(sum(heap_blks_hit)::float8 / nullif(sum(heap_blks_hit) + sum(heap_blks_read), 0), 1) AS ratio "
        "FROM pg_statio_user_tables",
        [("ratio", "GAUGE", "share of table block reads served from shared buffers")]),
    "schemawright_replication": (
        "SELECT CASE WHEN pg_is_in_recovery() THEN coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0) "
        "ELSE 0 END::float8 AS lag_seconds, pg_is_in_recovery()::int::float8 AS is_replica",
        [("lag_seconds", "GAUGE", "seconds since the last replayed transaction (0 on a primary)"),
         ("is_replica", "GAUGE", "1 on a standby")]),
    "schemawright_dead_tuples": (
        "SELECT relname AS table_name, n_dead_tup::float8 AS dead, n_live_tup::float8 AS live FROM pg_stat_user_tables",
        [("table_name", "LABEL", "table"), ("dead", "GAUGE", "dead rows waiting for VACUUM"),
         ("live", "GAUGE", "live rows")]),
}


def _rules(project: str) -> list[dict]:
    labels = lambda severity: {"severity": severity, "project": project}  # noqa: E731
    return [
        {"alert": "PostgresDown", "expr": "pg_up == 0", "for": "1m", "labels": labels("critical"),
         "annotations": {"summary": "PostgreSQL is not reachable by the exporter",
                         "description": "pg_up is 0 on {{ $labels.instance }}."}},
        {"alert": "PostgresDiskSpaceLow",
         "expr": 'node_filesystem_avail_bytes{fstype!~"tmpfs|overlay|squashfs"} / '
                 f'node_filesystem_size_bytes{{fstype!~"tmpfs|overlay|squashfs"}} < {DISK_FREE}',
         "for": "5m", "labels": labels("critical"),
         "annotations": {"summary": "Less than 5% disk space free (seed 003: critical)",
                         "description": "{{ $labels.mountpoint }} on {{ $labels.instance }} has {{ $value | humanizePercentage }} free."}},
        {"alert": "PostgresConnectionPoolExhausted",
         "expr": f"schemawright_connections_used / schemawright_connections_available >= {POOL_USED}",
         "for": "1m", "labels": labels("critical"),
         "annotations": {"summary": "Every client connection is taken (seed 003: connection pool exhausted)",
                         "description": "{{ $labels.instance }}: new clients are refused until connections are freed."}},
        {"alert": "PostgresSlowQuery", "expr": f"schemawright_longest_query_seconds > {QUERY_SECONDS:g}",
         "for": "1m", "labels": labels("warning"),
         "annotations": {"summary": "A query has run longer than 1 s (seed 003: warning)",
                         "description": "The longest active query on {{ $labels.instance }} has run {{ $value }} s."}},
        {"alert": "PostgresIndexHitRatioLow",
         "expr": f"schemawright_index_hit_ratio < {INDEX_HIT} and schemawright_index_hit_reads > 10000",
         "for": "15m", "labels": labels("warning"),
         "annotations": {"summary": "Index hit ratio below 95% (seed 003: warning)",
                         "description": "{{ $labels.instance }}: {{ $value | humanizePercentage }} of index reads hit "
                                        "shared buffers; raise shared_buffers or look for index bloat."}},
        {"alert": "PostgresReplicationLag",
         "expr": f"schemawright_replication_lag_seconds > {LAG_WARNING} and schemawright_replication_is_replica == 1",
         "for": "5m", "labels": labels("warning"),
         "annotations": {"summary": "Replica more than 60 s behind its primary",
                         "description": "{{ $labels.instance }} is {{ $value }} s behind."}},
        {"alert": "PostgresReplicationLagCritical",
         "expr": f"schemawright_replication_lag_seconds > {LAG_CRITICAL} and schemawright_replication_is_replica == 1",
         "for": "5m", "labels": labels("critical"),
         "annotations": {"summary": "Replica more than 15 minutes behind (a quarter of the 1-hour RPO)",
                         "description": "{{ $labels.instance }} is {{ $value }} s behind."}},
    ]


def alert_rules(project: str) -> str:
    return ("# Prometheus alert rules (thresholds: seed 003). Check: promtool check rules alerts.yml; "
            "test: promtool test rules alerts_test.yml\n"
            + yaml_document({"groups": [{"name": f"{project}-postgresql", "rules": _rules(project)}]}))


def _series(name: str, values: str, **labels) -> dict:
    body = ",".join(f'{k}="{v}"' for k, v in {"instance": "db:9187", **labels}.items())
    return {"series": f"{name}{{{body}}}", "values": values}


def _expected(project: str, alert: str, value: float, severity: str, **more) -> dict:
    """An expected firing alert: its labels and its annotations with the templates filled as Prometheus
    fills them (``$labels.x``, ``$value``, ``humanizePercentage``)."""
    labels = {"severity": severity, "project": project, "instance": "db:9187", **more}
    rule = next(r for r in _rules(project) if r["alert"] == alert)

    def fill(text: str) -> str:
        text = text.replace("{{ $value | humanizePercentage }}", f"{value * 100:g}%").replace("{{ $value }}", f"{value:g}")
        for k, v in labels.items():
            text = text.replace("{{ $labels.%s }}" % k, v)
        return text

    return {"exp_labels": labels, "exp_annotations": {k: fill(v) for k, v in rule["annotations"].items()}}


def rule_tests(project: str) -> str:
    """promtool unit tests: each alert fires just past its threshold and stays silent just inside it."""
    expected = lambda alert, value, severity, **more: _expected(project, alert, value, severity, **more)  # noqa: E731
    disk = {"mountpoint": "/var/lib/postgresql", "fstype": "ext4", "device": "/dev/sdb1"}
    tests = [
        {"interval": "1m", "input_series": [
            _series("node_filesystem_avail_bytes", "4x10", **disk), _series("node_filesystem_size_bytes", "100x10", **disk),
            _series("node_filesystem_avail_bytes", "6x10", mountpoint="/", fstype="ext4", device="/dev/sda1"),
            _series("node_filesystem_size_bytes", "100x10", mountpoint="/", fstype="ext4", device="/dev/sda1")],
         "alert_rule_test": [{"eval_time": "10m", "alertname": "PostgresDiskSpaceLow", "exp_alerts": [
             expected("PostgresDiskSpaceLow", 0.04, "critical", **disk)]}]},
        {"interval": "1m", "input_series": [_series("schemawright_connections_used", "97x5 96x5"),
                                            _series("schemawright_connections_available", "97x10")],
         "alert_rule_test": [
             {"eval_time": "4m", "alertname": "PostgresConnectionPoolExhausted",
              "exp_alerts": [expected("PostgresConnectionPoolExhausted", 1, "critical")]},
             {"eval_time": "10m", "alertname": "PostgresConnectionPoolExhausted", "exp_alerts": []}]},
        {"interval": "1m", "input_series": [_series("schemawright_longest_query_seconds", "1.5x5 0.9x5")],
         "alert_rule_test": [
             {"eval_time": "3m", "alertname": "PostgresSlowQuery", "exp_alerts": [expected("PostgresSlowQuery", 1.5, "warning")]},
             {"eval_time": "10m", "alertname": "PostgresSlowQuery", "exp_alerts": []}]},
        {"interval": "1m", "input_series": [_series("schemawright_index_hit_ratio", "0.94x20 0.96x20"),
                                            _series("schemawright_index_hit_reads", "50000x40")],
         "alert_rule_test": [
             {"eval_time": "18m", "alertname": "PostgresIndexHitRatioLow",
              "exp_alerts": [expected("PostgresIndexHitRatioLow", 0.94, "warning")]},
             {"eval_time": "40m", "alertname": "PostgresIndexHitRatioLow", "exp_alerts": []}]},
        {"interval": "1m", "input_series": [_series("schemawright_replication_lag_seconds", "120x10 1000x10"),
                                            _series("schemawright_replication_is_replica", "1x20")],
         "alert_rule_test": [
             {"eval_time": "8m", "alertname": "PostgresReplicationLag",
              "exp_alerts": [expected("PostgresReplicationLag", 120, "warning")]},
             {"eval_time": "8m", "alertname": "PostgresReplicationLagCritical", "exp_alerts": []},
             {"eval_time": "18m", "alertname": "PostgresReplicationLagCritical",
              "exp_alerts": [expected("PostgresReplicationLagCritical", 1000, "critical")]}]},
        {"interval": "1m", "input_series": [_series("pg_up", "1x3 0x5")],
         "alert_rule_test": [{"eval_time": "2m", "alertname": "PostgresDown", "exp_alerts": []},
                             {"eval_time": "7m", "alertname": "PostgresDown",
                              "exp_alerts": [expected("PostgresDown", 0, "critical")]}]},
    ]
    return yaml_document({"rule_files": ["alerts.yml"], "evaluation_interval": "1m", "tests": tests})


def exporter_queries() -> str:
    doc = {name: {"query": sql, "master": True,
                  "metrics": [{col: {"usage": usage, "description": what}} for col, usage, what in metrics]}
           for name, (sql, metrics) in QUERIES.items()}
    return ("# postgres_exporter custom queries: postgres_exporter --extend.query-path=queries.yml\n"
            "# Each metric is <query name>_<column>; monitoring/prometheus/alerts.yml reads them.\n" + yaml_document(doc))


# (title, unit, [(PromQL, legend)], threshold or None)
PANELS = [
    ("Disk space free", "percentunit", [('node_filesystem_avail_bytes{fstype!~"tmpfs|overlay|squashfs"} / '
                                         'node_filesystem_size_bytes{fstype!~"tmpfs|overlay|squashfs"}', "{{mountpoint}}")], DISK_FREE),
    ("Client connections used / available", "percentunit",
     [("schemawright_connections_used / schemawright_connections_available", "{{instance}}")], POOL_USED),
    ("Longest running query", "s", [("schemawright_longest_query_seconds", "{{instance}}")], QUERY_SECONDS),
    ("Index hit ratio", "percentunit", [("schemawright_index_hit_ratio", "index"), ("schemawright_cache_hit_ratio", "table")],
     INDEX_HIT),
    ("Replication lag", "s", [("schemawright_replication_lag_seconds", "{{instance}}")], LAG_WARNING),
    ("Dead rows by table", "short", [("topk(10, schemawright_dead_tuples_dead)", "{{table_name}}")], None),
    ("Exporter up", "short", [("pg_up", "{{instance}}")], None),
]


def dashboard(project: str) -> str:
    panels = []
    for n, (title, unit, queries, threshold) in enumerate(PANELS):
        steps = [{"color": "green", "value": None}]
        if threshold is not None:
            steps.append({"color": "red", "value": threshold})
        panels.append({
            "id": n + 1, "type": "timeseries", "title": title,
            "gridPos": {"h": 8, "w": 12, "x": (n % 2) * 12, "y": (n // 2) * 8},
            "datasource": {"type": "prometheus", "uid": "${datasource}"},
            "fieldConfig": {"defaults": {"unit": unit, "thresholds": {"mode": "absolute", "steps": steps},
                                         "custom": {"thresholdsStyle": {"mode": "line"}}}, "overrides": []},
            "options": {"legend": {"displayMode": "list", "placement": "bottom"}, "tooltip": {"mode": "multi"}},
            "targets": [{"refId": chr(ord("A") + i), "expr": expr, "legendFormat": legend,
                         "datasource": {"type": "prometheus", "uid": "${datasource}"}}
                        for i, (expr, legend) in enumerate(queries)],
        })
    doc = {
        "title": f"{project}: PostgreSQL", "uid": (slug(project) or "db")[:30] + "-pg", "schemaVersion": 39,
        "version": 1, "editable": True, "tags": ["postgresql", "schemawright"], "timezone": "browser",
        "time": {"from": "now-6h", "to": "now"}, "refresh": "1m",
        "templating": {"list": [{"name": "datasource", "type": "datasource", "query": "prometheus", "label": "Prometheus"}]},
        "annotations": {"list": []}, "panels": panels,
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


class Monitoring(Renderer):
    name = "monitoring"

    def render(self, ctx: RenderContext) -> list[Artifact]:
        project = slug(ctx.schema.facts.project.name) or "database"
        return [
            Artifact("monitoring/prometheus/alerts.yml", alert_rules(project), "doc",
                     "Prometheus alert rules with seed 003's thresholds"),
            Artifact("monitoring/prometheus/alerts_test.yml", rule_tests(project), "doc",
                     "promtool unit tests of the alert rules (promtool test rules)"),
            Artifact("monitoring/postgres_exporter/queries.yml", exporter_queries(), "doc",
                     "postgres_exporter custom queries the alerts read"),
            Artifact("monitoring/grafana/dashboard.json", dashboard(project), "doc", "Grafana dashboard"),
        ]
