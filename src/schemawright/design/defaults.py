"""Seed 003's "when information is missing" defaults, each recorded as an inference."""

from __future__ import annotations

from schemawright.design.columns import PII_HINT_NAMES
from schemawright.design.context import DesignContext
from schemawright.model.names import to_snake

ROWS_BY_SCALE = {"small": 10_000, "medium": 1_000_000, "large": 100_000_000, "enterprise": 1_000_000_000}
DEFAULT_LATENCY = {"simple_queries": "< 10ms", "complex_queries": "< 100ms", "reports": "< 5s"}
USER_TABLES = frozenset({"user", "users", "customer", "customers", "patient", "patients", "member", "members",
                         "account", "accounts", "person", "people", "employee", "employees", "student", "students"})


def resolve_defaults(ctx: DesignContext) -> None:
    spec, settings = ctx.spec, ctx.schema.settings
    settings["project"] = spec.project.name
    scale = spec.project.scale
    if scale is None:
        scale = "medium"
        ctx.infer("default.scale", "project", "scale = medium", "not given; the middle of seed 003's scale range")
    settings["scale"] = scale
    settings["default_rows"] = ROWS_BY_SCALE[scale]

    perf = spec.performance_targets
    given_latency = perf.query_performance.model_dump() if perf and perf.query_performance else {}
    latency = {}
    for key, default in DEFAULT_LATENCY.items():
        latency[key] = given_latency.get(key) or default
        if not given_latency.get(key):
            ctx.infer("default.latency", key.replace("_", " "), f"target {default}",
                      "not given; seed 003's industry-standard default")
    settings["latency_targets"] = latency

    security = spec.security_requirements
    classification = security.data_classification if security else None
    if classification is None:
        has_user_data = any(to_snake(e.name) in USER_TABLES or any(
            (a.pii or to_snake(a.name) in PII_HINT_NAMES) for a in e.attributes) for e in spec.data_model.entities)
        classification = "confidential" if has_user_data else "internal"
        ctx.infer("default.classification", "security", f"data classification {classification}",
                  "not given; seed 003: confidential for user data" if has_user_data
                  else "not given; seed 003: internal when no user data is stored")
    settings["data_classification"] = classification
