"""The security part of a diff: roles, ownership, privileges, default privileges, row-level security
and policies (compare). How those changes become SQL is the dialect's: ``SecuritySteps`` in
dialects/postgres_security_changes.py.

Ownership: when the owner changes, every object that exists when the migration starts is handed to the
new owner first; when the new owner is a role the model manages, the migration then runs as that role
(SET ROLE), so what it creates is the owner's and picks up its default privileges, like the initial
migration of a design. Between two catalogs (both sides read from databases) owners are compared object by
object instead (``Schema.object_owners``), and the migration runs as the connecting user.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace

from schemawright.model import changes as ch
from schemawright.model.keys import argument_types, normalized
from schemawright.model.schema import DefaultPrivilege, Grant, ObjectOwner, Policy, Schema

def security(old: Schema, new: Schema, touched: set[str], changes: list[ch.Change]) -> list[ch.Change]:
    """Security changes; policies on ``touched`` tables (retyped or dropped columns) are rebuilt. The
    privileges of objects that ``changes`` create or drop travel with those changes (``with_access``)."""
    return [*_roles(old, new), *_owner(old, new, changes), *_default_privileges(old, new),
            *_grants(old, new, _rebuilt(changes)), *_policies(old, new, touched), *_row_security(old, new)]


def _rebuilt(changes: list[ch.Change]) -> set[tuple[str, str, str]]:
    """(object type, schema, name) of the tables, views and functions the changes create or drop."""
    out = set()
    for c in changes:
        if isinstance(c, (ch.AddTable, ch.DropTable)):
            out.add(("table", c.table.schema, c.table.name))
        elif isinstance(c, (ch.AddView, ch.DropView)):
            out.add(("view", c.view.schema, c.view.name))
        elif isinstance(c, (ch.AddFunction, ch.DropFunction)):
            out.add(("function", c.function.schema, c.function.name))
        elif isinstance(c, ch.ReplaceFunction) and not c.in_place:
            out.add(("function", c.new.schema, c.new.name))
    return out


class _Privileges:
    """A model's grants by object, and who its default privileges give something to, by class."""

    CLASSES = {"table": "tables", "view": "tables", "function": "functions"}

    def __init__(self, schema: Schema):
        self.grants: dict[tuple[str, str, str], list[Grant]] = defaultdict(list)
        for g in schema.grants:
            self.grants[(g.object_type, g.schema, g.object_name)].append(g)
        self.defaults: dict[str, set[str]] = defaultdict(set)
        for d in schema.default_privileges:
            if not d.revoke:
                self.defaults[d.object_type].add(d.grantee)

    def access(self, kind: str, schema: str, name: str) -> ch.Access:
        """What an object created now must be granted (the model's grants on it), and who default
        privileges may have handed something to (taken back first)."""
        revoke_from = set(self.defaults[self.CLASSES[kind]])
        if kind == "function":
            revoke_from.add("PUBLIC")  # EXECUTE is PUBLIC's unless a default privilege takes it away
        return ch.Access(tuple(self.grants.get((kind, schema, name), ())), tuple(sorted(revoke_from)))


def with_access(changes: list[ch.Change], old: Schema, new: Schema) -> list[ch.Change]:
    """The changes, those that create an object with its privileges (and, for their reverse, with the
    privileges of the object they drop)."""
    before, after = _Privileges(old), _Privileges(new)
    out = []
    for c in changes:
        if isinstance(c, ch.AddTable):
            c = replace(c, access=after.access("table", c.table.schema, c.table.name))
        elif isinstance(c, ch.DropTable):
            c = replace(c, access=before.access("table", c.table.schema, c.table.name))
        elif isinstance(c, ch.AddView):
            c = replace(c, access=after.access("view", c.view.schema, c.view.name))
        elif isinstance(c, ch.DropView):
            c = replace(c, access=before.access("view", c.view.schema, c.view.name))
        elif isinstance(c, ch.AddFunction):
            c = replace(c, access=after.access("function", c.function.schema, c.function.name))
        elif isinstance(c, ch.DropFunction):
            c = replace(c, access=before.access("function", c.function.schema, c.function.name))
        elif isinstance(c, ch.ReplaceFunction) and not c.in_place:
            c = replace(c, access=after.access("function", c.new.schema, c.new.name),
                        reverse_access=before.access("function", c.old.schema, c.old.name))
        elif isinstance(c, ch.AlterEnum):
            both = []
            for v in c.views:
                old_access, new_access = before.access("view", v.schema, v.name), after.access("view", v.schema, v.name)
                both.append(ch.Access(tuple(g for g in new_access.grants if g in old_access.grants),
                                      new_access.revoke_from))
            c = replace(c, view_access=tuple(both))
        out.append(c)
    return out


def managed_owner(schema: Schema) -> str | None:
    """The owner when it is a role of the model (a design's owner role), else None."""
    return schema.owner if schema.owner in {r.name for r in schema.roles} else None


def _roles(old: Schema, new: Schema) -> list[ch.Change]:
    before, after = {r.name: r for r in old.roles}, {r.name: r for r in new.roles}
    out: list[ch.Change] = [ch.AddRole(r) for name, r in after.items() if name not in before]
    out += [ch.DropRole(r) for name, r in before.items() if name not in after]
    out += [ch.AlterRole(before[name], r) for name, r in after.items() if name in before
            and (before[name].login, set(before[name].member_of)) != (r.login, set(r.member_of))]
    return out


def _owned(schema: Schema) -> tuple[ch.OwnedObject, ...]:
    objects = [ch.OwnedObject("TABLE", t.schema, t.name) for t in schema.tables]
    objects += [ch.OwnedObject("MATERIALIZED VIEW" if v.materialized else "VIEW", v.schema, v.name)
                for v in schema.views]
    objects += [ch.OwnedObject("FUNCTION", f.schema, f.name, argument_types(f.arguments)) for f in schema.functions]
    objects += [ch.OwnedObject("TYPE", e.schema, e.name) for e in schema.enums]
    return tuple(objects)


def _owner(old: Schema, new: Schema, changes: list[ch.Change]) -> list[ch.Change]:
    out: list[ch.Change] = []
    single = old.owner and new.owner and ", " not in old.owner + new.owner
    if old.object_owners is not None and new.object_owners is not None:
        # two catalogs: object by object, and the migration runs as the connecting user (a catalog's owner
        # may lack the privileges its objects need to be created: USAGE or CREATE on a schema)
        return _object_owners(old, new, changes)
    if single and old.owner != new.owner:
        after = set(_owned(new))  # the objects kept from the old schema change owner; new ones are created by it
        out.append(ch.ChangeOwner(old.owner, new.owner, tuple(o for o in _owned(old) if o in after)))
    before, after = managed_owner(old), managed_owner(new)
    if before or after:
        out.append(ch.SessionRole(before, after))
    return out


def _owner_key(o: ObjectOwner | ch.OwnedObject) -> tuple:
    arguments = o.arguments
    if arguments is not None:
        arguments = argument_types(arguments).lower() or ("*" if o.kind == "AGGREGATE" else "")
    return (o.kind, o.schema, o.name, arguments)


def _created(changes: list[ch.Change]) -> dict[tuple, ch.OwnedObject]:
    """The objects the changes create (or drop and create again), by owner key."""
    objects = []
    for c in changes:
        if isinstance(c, ch.AddTable):
            objects.append(ch.OwnedObject("TABLE", c.table.schema, c.table.name))
        elif isinstance(c, ch.AddView):
            objects.append(ch.OwnedObject("MATERIALIZED VIEW" if c.view.materialized else "VIEW", c.view.schema,
                                          c.view.name))
        elif isinstance(c, ch.AddFunction) or (isinstance(c, ch.ReplaceFunction) and not c.in_place):
            f = c.function if isinstance(c, ch.AddFunction) else c.new
            objects.append(ch.OwnedObject("FUNCTION", f.schema, f.name, argument_types(f.arguments)))
        elif isinstance(c, ch.AddAggregate):
            a = c.aggregate
            objects.append(ch.OwnedObject("AGGREGATE", a.schema, a.name, a.arguments))
        elif isinstance(c, ch.AddEnum) or (isinstance(c, ch.AlterEnum) and not c.adds_only):
            e = c.enum if isinstance(c, ch.AddEnum) else c.new
            objects.append(ch.OwnedObject("TYPE", e.schema, e.name))
        elif isinstance(c, ch.AddDomain):
            objects.append(ch.OwnedObject("DOMAIN", c.domain.schema, c.domain.name))
        elif isinstance(c, ch.AddCompositeType):
            objects.append(ch.OwnedObject("TYPE", c.type.schema, c.type.name))
        elif isinstance(c, ch.AddSequence) and not c.sequence.owned_by:
            objects.append(ch.OwnedObject("SEQUENCE", c.sequence.schema, c.sequence.name))
        elif isinstance(c, ch.CreateSchema):
            objects.append(ch.OwnedObject("SCHEMA", c.name, c.name))
    return {_owner_key(o): o for o in objects}


def _object_owners(old: Schema, new: Schema, changes: list[ch.Change]) -> list[ch.Change]:
    """Between two catalogs: objects kept whose owner changes (ALTER ... OWNER TO, before anything else),
    and the objects the migration creates, given to their owner once they exist (the role running the
    migration owns them until then) when that owner is not a superuser (one of the catalog's roles) or the
    new side's objects have several owners."""
    before = {_owner_key(o): o.owner for o in old.object_owners or ()}
    after = {_owner_key(o): o for o in new.object_owners or ()}
    created = _created(changes)
    several = len({o.owner for o in after.values() if o.kind != "SCHEMA"}) > 1
    roles = {r.name for r in new.roles}
    kept: dict[tuple[str, str], list[ch.OwnedObject]] = defaultdict(list)
    made: dict[str, list[ch.OwnedObject]] = defaultdict(list)
    for key, o in after.items():
        obj = ch.OwnedObject(o.kind, o.schema, o.name, o.arguments)
        if key in created:
            if several or o.owner in roles:
                made[o.owner].append(obj)
        elif key in before and before[key] != o.owner:
            kept[(before[key], o.owner)].append(obj)
    return ([ch.ChangeOwner(a, b, tuple(objects)) for (a, b), objects in kept.items()]
            + [ch.OwnCreated(owner, tuple(objects)) for owner, objects in made.items()])


def _grouped(items: set[tuple], make: Callable[[tuple, tuple[str, ...]], object]) -> list:
    """Items (key..., privilege) grouped by key, privileges sorted."""
    groups: dict[tuple, list[str]] = defaultdict(list)
    for *key, privilege in sorted(items):
        groups[tuple(key)].append(privilege)
    return [make(key, tuple(privileges)) for key, privileges in groups.items()]


def _default_items(schema: Schema) -> set[tuple]:
    return {(d.owner, d.schema or "", d.object_type, d.grantee, d.revoke, p.upper())
            for d in schema.default_privileges for p in d.privileges}


def _default_privileges(old: Schema, new: Schema) -> list[ch.Change]:
    def make(key, privileges):
        owner, schema, kind, grantee, revoke = key
        return DefaultPrivilege(owner=owner, schema=schema or None, object_type=kind, grantee=grantee,
                                revoke=revoke, privileges=privileges)
    before, after = _default_items(old), _default_items(new)
    return ([ch.DropDefaultPrivilege(d) for d in _grouped(before - after, make)]
            + [ch.AddDefaultPrivilege(d) for d in _grouped(after - before, make)])


def _grant_items(schema: Schema) -> set[tuple]:
    return {(g.object_type, g.schema, g.object_name, g.grantee, g.grant_option, _privilege(p)) for g in schema.grants
            for p in g.privileges}


def _privilege(p: str) -> str:
    """``select`` -> ``SELECT``; a column privilege keeps its column as written: ``SELECT("Name")``."""
    word, paren, rest = p.partition("(")
    return word.strip().upper() + paren + rest


def _grants(old: Schema, new: Schema, rebuilt: set[tuple[str, str, str]]) -> list[ch.Change]:
    def make(key, privileges):
        kind, schema, name, grantee, grant_option = key
        return Grant(grantee=grantee, privileges=privileges, object_type=kind, object_name=name, schema=schema,
                     grant_option=grant_option)

    def arguments(schema: Schema, g: Grant) -> str | None:
        if g.object_type != "function":
            return None
        f = next((f for f in schema.functions if (f.schema, f.name) == (g.schema, g.object_name)), None)
        return argument_types(f.arguments) if f is not None else ""
    before = {item for item in _grant_items(old) if item[:3] not in rebuilt}
    after = {item for item in _grant_items(new) if item[:3] not in rebuilt}
    # granted in the new side's order (a catalog's ACL order, which pg_dump prints)
    order = {(g.object_type, g.schema, g.object_name, g.grantee): i for i, g in reversed(list(enumerate(new.grants)))}
    granted = sorted(_grouped(after - before, make),
                     key=lambda g: order.get((g.object_type, g.schema, g.object_name, g.grantee), len(order)))
    return ([ch.RevokePrivileges(g, arguments(old, g)) for g in _grouped(before - after, make)]
            + [ch.GrantPrivileges(g, arguments(new, g)) for g in granted])


def _policy_key(p: Policy) -> tuple:
    return (p.command.upper(), frozenset(p.roles), p.permissive, normalized(p.using), normalized(p.with_check))


def _policies(old: Schema, new: Schema, touched: set[str]) -> list[ch.Change]:
    def key(p: Policy) -> tuple[str, str, str]:
        return (p.schema, p.table, p.name)
    before, after = {key(p): p for p in old.policies}, {key(p): p for p in new.policies}
    out: list[ch.Change] = []
    for k, p in before.items():
        n = after.get(k)
        if n is None or _policy_key(p) != _policy_key(n) or p.table in touched:
            out.append(ch.DropPolicy(p))
            if n is not None:
                out.append(ch.AddPolicy(n))
        elif p.comment != n.comment:
            out.append(ch.SetComment("policy", n.schema, n.name, p.comment, n.comment, parent=n.table))
    return out + [ch.AddPolicy(p) for k, p in after.items() if k not in before]


def _row_security(old: Schema, new: Schema) -> list[ch.Change]:
    before = {(t.schema, t.name): t for t in old.tables}
    out: list[ch.Change] = []
    for t in new.tables:
        o = before.get((t.schema, t.name))
        if o is not None and (o.rls_enabled, o.rls_forced) != (t.rls_enabled, t.rls_forced):
            out.append(ch.SetRowSecurity(t.schema, t.name, (o.rls_enabled, o.rls_forced),
                                         (t.rls_enabled, t.rls_forced)))
    return out
