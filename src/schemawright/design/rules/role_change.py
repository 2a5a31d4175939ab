""""Only the bosun role may change a boat's status" -> a trigger that refuses a change of that column
(SQLSTATE 42501, insufficient_privilege) unless the current role is a member of the named role.

"Only the head_brewer role may set a batch to dumped" is the value-conditioned form: the trigger refuses
a row that takes that value (an INSERT with it, or an UPDATE to it) by anyone else; the column is the one
whose allowed values hold it. The role is the project's role of that name (``<project>_bosun``, roles are
cluster-wide), or the project's own role when the rule names one (``admin``, ``readwrite``...); a new one
is a NOLOGIN group role with USAGE on the schema and SELECT, UPDATE on the table (INSERT too for the
value form), to grant to the people's login roles. The application's role is not made a member: the rule
is that it alone cannot make the change. The table's owner (migrations, erasure and retention jobs) keeps
the right to correct, like an append-only rule's owner. Compiled after the security design (its roles
exist then).
"""

from __future__ import annotations

import re

from schemawright.design.rules.base import (ONLY_ROLE, Compiled, RuleText, add_trigger, extend_policies, parse_only_role,
                                           rule_role)
from schemawright.model import names
from schemawright.model.names import singular
from schemawright.model.schema import Grant

PATTERN = re.compile(ONLY_ROLE + r"(?:change|update|modify|edit|set|alter|move|mark) (.+)")


def parse(text: str) -> tuple[str, str] | None:
    return parse_only_role(PATTERN, text)


def claims(text: str) -> bool:
    """A role rule, compiled after the security design."""
    return parse(text) is not None


def _names_table(rt: RuleText, noun: str) -> bool:
    noun = re.sub(r"^(?:the|a|an|any|each|every|its)\s+", "", noun.strip())
    own = singular(rt.table.name)
    return noun in (own, rt.table.name, own.replace("_", " "), rt.table.name.replace("_", " "),
                    own.rsplit("_", 1)[-1])


def _target(rt: RuleText, target: str) -> tuple[str, str | None] | None:
    """(column, value or None) of "a boat's status", "the status of a boat", "status", "a batch to dumped",
    "a batch's status to dumped", "a batch as dumped"."""
    value = None
    m = re.fullmatch(r"(.+?) (?:to|as|into) '?([\w-]+)'?", target)
    if m:
        target, value = m.group(1), m.group(2)
    m = re.fullmatch(r"(.+?)'s? (.+)", target) or re.fullmatch(r"(?:the )?(.+?) (?:of|on) (.+)", target)
    if m and "'" in target:
        noun, phrase = m.group(1), m.group(2)
    elif m:
        phrase, noun = m.group(1), m.group(2)
    else:
        noun, phrase = None, target
    if noun is not None and not _names_table(rt, noun):
        return None
    column = rt.column_in(phrase) if phrase is not None else None
    if column is None and value is not None and _names_table(rt, phrase):
        holders = [c.name for c in rt.table.columns if value in rt.values_of(c.name)]
        column = holders[0] if len(holders) == 1 else None
    if column is None or (value is not None and rt.values_of(column) and value not in rt.values_of(column)):
        return None
    return column, value


def compile(rt: RuleText) -> Compiled | None:
    parsed = parse(rt.text)
    schema = rt.ctx.schema
    if parsed is None or schema.owner is None:  # no security design: no roles to name
        return None
    word, target = parsed
    found = _target(rt, target)
    if found is None:
        return None
    column, value = found
    made = rule_role(rt, word, "role_change", "rule", f"Business rule {rt.rule.name}: the role that may change "
                     f"{rt.table.name}.{column}{' to ' + repr(value) if value else ''}; grant it to the login roles "
                     "that need it")
    if made is None:
        return None
    role, objects = made
    privileges = ("SELECT", "INSERT", "UPDATE") if value else ("SELECT", "UPDATE")
    held = {p for g in schema.grants if g.grantee == role.name and g.object_type == "table"
            and g.object_name == rt.table.name for p in g.privileges}
    if set(privileges) - held:
        schema.grants.append(Grant(grantee=role.name, privileges=tuple(p for p in privileges if p not in held),
                                   object_type="table", object_name=rt.table.name, schema=rt.table.schema,
                                   origin=rt.origin("role_change")))
        objects.append(f"GRANT {', '.join(p for p in privileges if p not in held)} ON {rt.table.name} TO {role.name}")
    extend_policies(rt, rt.table.name, role.name, ("ALL", "SELECT", "UPDATE"))  # it sees the rows it may change
    q, lit = names.quote_ident, names.quote_literal
    fn = names.shorten(f"fn_{rt.table.name}_{column}_role")
    trigger = names.trg_name(rt.table.name, f"{column}_role")
    if any(t.name == trigger for t in rt.table.triggers):
        return None
    if value is None:
        unchanged = f"NEW.{q(column)} IS NOT DISTINCT FROM OLD.{q(column)}"
        what = f"change {column}"
    else:
        unchanged = (f"NEW.{q(column)}::text IS DISTINCT FROM {lit(value)} OR (TG_OP = 'UPDATE' AND "
                     f"OLD.{q(column)} IS NOT DISTINCT FROM NEW.{q(column)})")
        what = f"set {column} to {value}"
    body = f"""
BEGIN
    IF {unchanged} THEN
        RETURN NEW;
    END IF;
    -- the named role's members, and the table's owner (migrations, erasure and retention jobs)
    IF pg_has_role(current_user, {lit(role.name)}, 'MEMBER')
            OR pg_has_role(current_user, (SELECT c.relowner FROM pg_catalog.pg_class AS c WHERE c.oid = TG_RELID), 'USAGE') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
        MESSAGE = format('%s: only role %s may {what} (business rule %s)', TG_TABLE_NAME, {lit(role.name)},
                         {lit(rt.rule.name)});
END;
"""
    events = ("INSERT", "UPDATE") if value else ("UPDATE",)
    objects = add_trigger(rt, "role_change", trigger, fn, body, "BEFORE", events, columns=(column,)) + objects
    return Compiled("role_change", objects, f"only members of {role.name} may {what} (SQLSTATE 42501 for anyone "
                    "else; the table's owner excepted)")
