"""Seed 003's "when information is missing" defaults, each recorded as an inference."""

from __future__ import annotations

from schemawright.design.columns import PII_HINT_NAMES
from dataclasses import replace

from schemawright.design.context import DesignContext
from schemawright.model.facts import (ApplicationRule, DataVolume, Integration, LatencyTargets, PerformanceTargets,
                                     ProjectFacts, QueryPattern, Scale)
from schemawright.model.names import to_snake

ROWS_BY_SCALE = {"small": 10_000, "medium": 1_000_000, "large": 100_000_000, "enterprise": 1_000_000_000}
DEFAULT_LATENCY = {"simple_queries": "< 10ms", "complex_queries": "< 100ms", "reports": "< 5s"}
USER_TABLES = frozenset({"user", "users", "customer", "customers", "patient", "patients", "member", "members",
                         "account", "accounts", "person", "people", "employee", "employees", "student", "students"})


def resolve_defaults(ctx: DesignContext) -> None:
    spec = ctx.spec
    project = ProjectFacts(name=spec.project.name, type=spec.project.type, description=spec.task.description)
    if spec.project.domain:
        ctx.infer("input.project_type", "project", f"type = {spec.project.type}",
                  f"{spec.project.domain!r} is a domain of its own, close to none of the known project types; "
                  "the type only tunes defaults (workload kind, sharding hints), and 'other' assumes nothing")
    if spec.security_requirements is not None and (spec.security_requirements.notes or "").strip():
        ctx.infer("warning.security_notes", "security_requirements.notes", "not compiled",
                  "free text about access is kept for the documents but enforces nothing; state each access rule "
                  "as a business rule ('only role finance may read invoices', 'customers only see their own "
                  "bookings' in task.requirements) to have it enforced")
    scale = spec.project.scale
    if scale is None:
        scale = "medium"
        ctx.infer("default.scale", "project", "scale = medium", "not given; the middle of seed 003's scale range")

    perf = spec.performance_targets
    given_latency = perf.query_performance.model_dump() if perf and perf.query_performance else {}
    latency = {}
    for key, default in DEFAULT_LATENCY.items():
        latency[key] = given_latency.get(key) or default
        if not given_latency.get(key):
            ctx.infer("default.latency", key.replace("_", " "), f"target {default}",
                      "not given; seed 003's industry-standard default")

    security = spec.security_requirements
    classification = security.data_classification if security else None
    if classification is None:
        has_user_data = any(to_snake(e.name) in USER_TABLES or any(
            (a.pii or to_snake(a.name) in PII_HINT_NAMES) for a in e.attributes) for e in spec.data_model.entities)
        classification = "confidential" if has_user_data else "internal"
        ctx.infer("default.classification", "security", f"data classification {classification}",
                  "not given; seed 003: confidential for user data" if has_user_data
                  else "not given; seed 003: internal when no user data is stored")
    ctx.schema.facts = replace(
        ctx.schema.facts, project=project, scale=Scale(scale, ROWS_BY_SCALE[scale]),
        latency_targets=LatencyTargets(**latency), data_classification=classification,
        performance_targets=_performance_targets(spec.performance_targets),
        query_patterns=tuple(QueryPattern(**p.model_dump()) for p in spec.query_patterns),
        integration=Integration(**{**spec.integration.model_dump(exclude={"orm"}),
                                   "analytics_tools": tuple(spec.integration.analytics_tools)})
        if spec.integration else None,
        application_rules=tuple(ApplicationRule(r.name, r.description)
                                for r in spec.data_model.business_rules if r.check is None),
        business_rules=len(spec.data_model.business_rules))


def _performance_targets(perf) -> PerformanceTargets | None:
    """The task input's performance targets as given (None: none given)."""
    if perf is None:
        return None
    volume, latency = perf.data_volume, perf.query_performance
    return PerformanceTargets(
        concurrent_users=perf.concurrent_users, read_operations_per_second=perf.read_operations_per_second,
        write_operations_per_second=perf.write_operations_per_second,
        data_volume=DataVolume(**volume.model_dump()) if volume else None,
        query_performance=LatencyTargets(**latency.model_dump()) if latency else None)
