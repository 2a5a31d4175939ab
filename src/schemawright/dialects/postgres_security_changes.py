"""How the security changes (roles, ownership, privileges, default privileges, row-level security,
policies) become PostgreSQL SQL: ``SecuritySteps``, mixed into the change renderer
(dialects/postgres_changes.py). diff/security.py computes these changes."""

from __future__ import annotations

from dataclasses import replace

from schemawright.model import changes as ch
from schemawright.model.names import quote_ident as q
from schemawright.model.names import quote_literal
from schemawright.model.schema import Grant

# Phases (see postgres_changes.py for the others).
ROLE, OWNER, SCHEMA_PRIVILEGE, SET_ROLE = 8, 9, 10, 11
REVOKE, DROP_POLICY = 19, 19
ADD_POLICY, ROW_SECURITY, OWN_CREATED, GRANT, RESET_ROLE, DROP_ROLE = 75, 76, 84, 85, 89, 96


def _grantee(role: str) -> str:
    return "PUBLIC" if role.upper() == "PUBLIC" else q(role)


def _owned_target(steps, o: ch.OwnedObject) -> str:
    if o.kind == "SCHEMA":
        return q(o.name)
    return steps.qualified(o.schema, o.name) + (f"({o.arguments})" if o.arguments is not None else "")


class SecuritySteps:
    """Renderers of the security changes (a mixin of the planner's renderer)."""

    def _add_role(self, c: ch.AddRole) -> None:
        for statement in self.pg().role_sql(c.role):
            self.add(ROLE, statement.sql)

    def _drop_role(self, c: ch.DropRole) -> None:
        name = quote_literal(c.role.name)
        self.add(DROP_ROLE, (
            "DO $$\nBEGIN\n    IF EXISTS (SELECT FROM pg_catalog.pg_shdepend d JOIN pg_catalog.pg_roles r ON r.oid = "
            f"d.refobjid\n               WHERE d.refclassid = 'pg_catalog.pg_authid'::regclass AND r.rolname = {name})"
            f" THEN\n        RAISE NOTICE 'role % is kept: objects still depend on it', {name};\n    ELSE\n"
            f"        DROP ROLE IF EXISTS {q(c.role.name)};\n    END IF;\nEND\n$$;"))

    def _alter_role(self, c: ch.AlterRole) -> None:
        role = q(c.new.name)
        if c.old.login != c.new.login:
            self.add(ROLE, f"ALTER ROLE {role} {'LOGIN' if c.new.login else 'NOLOGIN'};", rank=1)
        for member in sorted(set(c.new.member_of) - set(c.old.member_of)):
            self.add(ROLE, f"GRANT {q(member)} TO {role};", rank=1)
        for member in sorted(set(c.old.member_of) - set(c.new.member_of)):
            self.add(ROLE, f"REVOKE {q(member)} FROM {role};", rank=1)

    def _change_owner(self, c: ch.ChangeOwner) -> None:
        for o in c.objects:
            self.add(OWNER, f"ALTER {o.kind} {_owned_target(self, o)} OWNER TO {q(c.new)};")

    def _own_created(self, c: ch.OwnCreated) -> None:
        for o in c.objects:  # once they exist (views, triggers and comments too)
            self.add(OWN_CREATED, f"ALTER {o.kind} {_owned_target(self, o)} OWNER TO {q(c.owner)};")

    def _session_role(self, c: ch.SessionRole) -> None:
        if c.new is not None:
            self.add(SET_ROLE, f"SET ROLE {q(c.new)};")
            self.add(RESET_ROLE, "RESET ROLE;")

    def _privilege_target(self, g: Grant, arguments: str | None) -> str:
        if g.object_type == "schema":
            return f"SCHEMA {q(g.object_name)}"
        if g.object_type == "function":
            return f"FUNCTION {self.qualified(g.schema, g.object_name)}({arguments or ''})"
        kind = "SEQUENCE" if g.object_type == "sequence" else "TABLE"
        name = g.object_name if g.object_type == "sequence" else self.late_name(g.schema, g.object_name)
        return f"{kind} {self.qualified(g.schema, name)}"

    def _grant_privileges(self, c: ch.GrantPrivileges) -> None:
        g = c.grant
        phase = SCHEMA_PRIVILEGE if g.object_type == "schema" else GRANT
        self.add(phase, f"GRANT {', '.join(g.privileges)} ON {self._privilege_target(g, c.arguments)} TO "
                 f"{_grantee(g.grantee)}{' WITH GRANT OPTION' * g.grant_option};")

    def _revoke_privileges(self, c: ch.RevokePrivileges) -> None:
        g = c.grant
        phase = SCHEMA_PRIVILEGE if g.object_type == "schema" else REVOKE
        self.add(phase, f"REVOKE {', '.join(g.privileges)} ON {self._privilege_target(g, c.arguments)} FROM "
                 f"{_grantee(g.grantee)};")

    def access(self, target: str, access: ch.Access) -> None:
        """Privileges of an object just created: what default privileges gave taken back, the model's made."""
        if access.revoke_from:
            self.add(GRANT, f"REVOKE ALL ON {target} FROM {', '.join(map(_grantee, access.revoke_from))};", rank=-2)
        for g in access.grants:
            self.add(GRANT, f"GRANT {', '.join(g.privileges)} ON {target} TO {_grantee(g.grantee)}"
                     f"{' WITH GRANT OPTION' * g.grant_option};", rank=-1)

    def _add_default_privilege(self, c: ch.AddDefaultPrivilege) -> None:
        self.add(SCHEMA_PRIVILEGE, self.pg().default_privilege_sql(c.privilege))

    def _drop_default_privilege(self, c: ch.DropDefaultPrivilege) -> None:
        self.add(SCHEMA_PRIVILEGE, self.pg().default_privilege_sql(c.privilege, undo=True))

    def _add_policy(self, c: ch.AddPolicy) -> None:
        p = c.policy
        table = self.late_name(p.schema, p.table)
        self.add(ADD_POLICY, self.pg().policy_sql(replace(p, table=table)))
        if p.comment:
            self.comment("policy", f"{q(p.name)} ON {self.qualified(p.schema, table)}", p.comment)

    def _drop_policy(self, c: ch.DropPolicy) -> None:
        p = c.policy
        self.add(DROP_POLICY, f"DROP POLICY {q(p.name)} ON {self.qualified(p.schema, p.table)};")

    def _set_row_security(self, c: ch.SetRowSecurity) -> None:
        self.row_security(c.schema, c.table, c.old, c.new)

    def row_security(self, schema: str, table: str, old: tuple[bool, bool], new: tuple[bool, bool]) -> None:
        name = self.late(schema, table)
        if old[0] != new[0]:
            self.add(ROW_SECURITY, f"ALTER TABLE {name} {'ENABLE' if new[0] else 'DISABLE'} ROW LEVEL SECURITY;")
        if old[1] != new[1]:
            self.add(ROW_SECURITY, f"ALTER TABLE {name} {'FORCE' if new[1] else 'NO FORCE'} ROW LEVEL SECURITY;")
