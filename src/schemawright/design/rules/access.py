""""Only role payroll may read salaries" -> a role that alone (besides the owner) may SELECT the table.

Compiled after the security design (its roles and grants exist then). The role is a NOLOGIN group
role named after the project (roles are cluster-wide: ``<project>_payroll``), or the project's own
role when the rule names one (``admin``, ``readonly``...); grant it to the people's login roles. Every
other role of the project that people use directly (read-only reporting, admin, other rule roles)
loses SELECT on the table, and on the views that read it (a view reads as its owner, so it would be a
way around). The application's read-write role keeps its privileges: it must find the rows it updates
(``UPDATE ... WHERE id = $1`` needs SELECT) and it serves people through its own access checks, which
the rule's text is for. Row-level security policies on the table that name roles are extended to the
new role, so it sees the rows the application sees. verify proves it: the privilege matrix expects
SELECT allowed for that role, the owner and the application only.
"""

from __future__ import annotations

import re

from schemawright.design.context import table_name_for
from schemawright.design.rules.base import ONLY_ROLE, Compiled, RuleText, extend_policies, parse_only_role, rule_role
from schemawright.model.schema import Grant

PATTERN = re.compile(ONLY_ROLE + r"(?:read|see|view|select from|query|access|look at) (?:the )?(?:table )?([\w ]+?)")


def parse(text: str) -> tuple[str, str] | None:
    return parse_only_role(PATTERN, text)


def claims(text: str) -> bool:
    """An access rule, compiled after the security design."""
    return parse(text) is not None


def compile(rt: RuleText) -> Compiled | None:
    parsed = parse(rt.text)
    schema = rt.ctx.schema
    if parsed is None or schema.owner is None:  # no security design: no roles to restrict
        return None
    word, target = parsed
    table = schema.table(table_name_for(target.replace(" ", "_"))) or schema.table(target.replace(" ", "_"))
    if table is None or table.name != rt.table.name:
        return None
    made = rule_role(rt, word, "access", "reader", f"Business rule {rt.rule.name}: the only role (besides the owner) "
                     f"that reads {table.name}; grant it to the login roles that need it")
    if made is None:
        return None
    role = made[0]
    readers = {table.name} | {v.name for v in schema.views if table.name in v.depends_on}
    application = schema.role("readwrite").name if schema.role("readwrite") else None
    revoked: list[str] = []
    kept: list[Grant] = []
    for g in schema.grants:
        if g.object_name in readers and g.object_type in ("table", "view") and "SELECT" in g.privileges \
                and g.grantee not in (role.name, schema.owner, application):
            revoked.append(f"{g.grantee} on {g.object_name}")
            rest = tuple(p for p in g.privileges if p != "SELECT")
            if not rest:
                continue
            g.privileges = rest
        kept.append(g)
    schema.grants = kept
    if not any(g.grantee == role.name and g.object_name == table.name and g.object_type == "table"
               and "SELECT" in g.privileges for g in schema.grants):
        schema.grants.append(Grant(grantee=role.name, privileges=("SELECT",), object_type="table",
                                   object_name=table.name, origin=rt.origin("access")))
    extend_policies(rt, table.name, role.name, ("ALL", "SELECT"))
    rt.ctx.infer("rule.access", table.name, f"SELECT only for {role.name}",
                 "revoked: " + (", ".join(revoked) or "none held it"))
    return Compiled("access", [f"ROLE {role.name}", f"GRANT SELECT ON {table.name} TO {role.name}"]
                    + [f"REVOKE SELECT ({r})" for r in revoked],
                    f"only {role.name} reads {table.name} directly (besides the owner and the application's role "
                    f"{application}, which serves people through its own checks)")
