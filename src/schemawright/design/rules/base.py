"""What every rule pattern shares: the rule being compiled, and reading column mentions in its text.

A pattern (one module of this package) gets a ``RuleText``: the business rule, its table, and its
description normalised (lower case, single spaces). It returns a ``Compiled`` (the database objects it
added, described) or None when the text is not its pattern. Patterns never guess silently: a text they
half-understand (a column they cannot find, a value not in the column's set) is None, and the rule is
reported as not understood.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from schemawright.design.context import DesignContext
from schemawright.model import names
from schemawright.model.names import singular
from schemawright.model.schema import Column, Function, Grant, Origin, Role, Source, Table, Trigger
from schemawright.model.types import Kind
from schemawright.spec.models import BusinessRule

TEMPORAL = (Kind.DATE, Kind.TIMESTAMPTZ, Kind.TIMESTAMP)
NUMERIC = (Kind.SMALLINT, Kind.INTEGER, Kind.BIGINT, Kind.NUMERIC, Kind.REAL, Kind.DOUBLE)
ORDERED = TEMPORAL + NUMERIC + (Kind.TIME,)


@dataclass
class RuleText:
    ctx: DesignContext
    rule: BusinessRule
    table: Table
    path: str  # data_model.business_rules[i]
    text: str  # normalised description

    def origin(self, pattern: str) -> Origin:
        return Origin(source=Source.INPUT, rule=f"rule.{pattern}", path=self.path,
                      reason=f"business rule {self.rule.name}: {self.rule.description}")

    # --- column mentions ------------------------------------------------------------------------
    def phrases(self) -> list[tuple[str, str]]:
        """(phrase, column) pairs, longest phrase first: the column's name, its words, and for a
        reference ``room_type_id`` the noun ``room type`` (and its last word when unambiguous)."""
        out: list[tuple[str, str]] = []
        tails: dict[str, list[str]] = {}
        for c in self.table.columns:
            out.append((c.name, c.name))
            words = c.name.replace("_", " ")
            if words != c.name:
                out.append((words, c.name))
            if c.name.endswith("_id") and fk_for(self.table, c.name) is not None:
                noun = c.name[:-3].replace("_", " ")
                out.append((noun, c.name))
                ref = fk_for(self.table, c.name).ref_table
                out.append((singular(ref).replace("_", " "), c.name))
                tails.setdefault(noun.split()[-1], []).append(c.name)
        out += [(tail, cols[0]) for tail, cols in tails.items() if len(cols) == 1]
        seen: set[str] = set()
        uniq = []
        for phrase, col in sorted(out, key=lambda pc: -len(pc[0])):
            if phrase not in seen:
                seen.add(phrase)
                uniq.append((phrase, col))
        return uniq

    def column_in(self, fragment: str) -> str | None:
        """The one column a fragment of the text names (``a hotel`` -> hotel_id), else None."""
        frag = re.sub(r"^(?:the|a|an|one|each|every|same|its|their|his|her|this|that)\s+", "", fragment.strip())
        frag = re.sub(r"^(?:the|a|an|one|each|every|same)\s+", "", frag)
        frag = re.sub(r"'s$", "", frag).strip()
        for phrase, col in self.phrases():
            if frag == phrase or frag == phrase + "s":
                return col
        # "recipe names" on recipes: the table's own noun before a column's words (recipe's name, recipe name)
        noun = singular(self.table.name).replace("_", " ")
        m = re.match(rf"{re.escape(noun)}(?:'s)? (.+)", frag)
        if m and not self.table.has_column(frag.replace(" ", "_")):
            return self.column_in(m.group(1))
        return None

    def mentions(self, fragment: str) -> list[str]:
        """Columns named in a fragment, in order of appearance (longest phrases win)."""
        found: list[tuple[int, str]] = []
        taken = [False] * len(fragment)
        for phrase, col in self.phrases():
            for m in re.finditer(rf"(?<![\w]){re.escape(phrase)}s?(?![\w])", fragment):
                if any(taken[m.start():m.end()]):
                    continue
                for k in range(m.start(), m.end()):
                    taken[k] = True
                found.append((m.start(), col))
        out: list[str] = []
        for _, col in sorted(found):
            if col not in out:
                out.append(col)
        return out

    def attribute(self, column: str):
        """(input path, Attribute) of the attribute behind a column, or None."""
        path = self.ctx.entity_paths.get(self.table.name)
        if path is None:
            return None
        entity = self.ctx.spec.data_model.entities[path[2]]
        for j, attr in enumerate(entity.attributes):
            if attr.name == column or attr.name.lower() == column:
                return path + ("attributes", j), attr
        return None

    def col(self, name: str) -> Column:
        return self.table.column(name)

    def values_of(self, column: str) -> tuple[str, ...]:
        """The allowed values of a column (its IN (...) check or enum labels)."""
        c = self.col(column)
        if c is not None and c.type.kind == Kind.ENUM:
            enum = self.ctx.schema.enum(c.type.name)
            return enum.values if enum else ()
        for chk in self.table.checks:
            if chk.columns == (column,) and " IN (" in chk.expression.sql:
                return tuple(v.replace("''", "'") for v in re.findall(r"'((?:[^']|'')*)'", chk.expression.sql))
        return ()


@dataclass
class Compiled:
    pattern: str
    objects: list[str] = field(default_factory=list)  # "CHECK chk_x", "UNIQUE uq_x", "TRIGGER trg_x"...
    summary: str = ""


def add_function(rt: RuleText, pattern: str, name: str, body: str, returns: str = "trigger",
                 comment: str | None = None) -> str:
    """A plpgsql function of the rule's table's schema (its body is dollar-quoted with a tag it lacks)."""
    rt.ctx.schema.functions.append(Function(
        name=name, returns=returns, body=body, schema=rt.table.schema,
        comment=comment or f"Enforces business rule {rt.rule.name}: {rt.rule.description}",
        origin=rt.origin(pattern)))
    return f"FUNCTION {name}"


def add_trigger(rt: RuleText, pattern: str, name: str, function: str, body: str, timing: str,
                events: tuple[str, ...], **options) -> list[str]:
    """The trigger function and its row trigger on the rule's table (``options``: constraint, deferrable,
    initially_deferred); the objects, named, for the rule's ``Compiled``."""
    made = add_function(rt, pattern, function, body)
    rt.table.triggers.append(Trigger(name=name, function=function, timing=timing, events=events,
                                     origin=rt.origin(pattern), **options))
    return [f"TRIGGER {name}", made]


# "only (the) (role) payroll (role|users|staff|team) may|can|is allowed to ": the subject of a role rule
ONLY_ROLE = (r"only (?:the )?(?:roles? )?([a-z][\w-]*)(?: role| users?| staff| team)? "
             r"(?:may|can|is allowed to|are allowed to|is permitted to|are permitted to) ")


def parse_only_role(pattern: re.Pattern, text: str) -> tuple[str, str] | None:
    """(role word, the rest) of a role rule matched by ``pattern`` (ONLY_ROLE + a verb and its object),
    read without parenthesised asides."""
    m = pattern.fullmatch(re.sub(r"\s*\(.*?\)\s*", " ", text).strip())
    return (m.group(1), m.group(2)) if m else None


def rule_role(rt: RuleText, word: str, pattern: str, purpose: str, comment: str) -> tuple[Role, list[str]] | None:
    """The project's role a rule names (``<project>_<word>``, or the project's own role of that purpose: admin,
    readonly...), else a new NOLOGIN group role with USAGE on the schema (roles are cluster-wide, hence the
    prefix); with the objects made, for the rule's ``Compiled``. None without a security design or a name."""
    schema, slug = rt.ctx.schema, names.slug(word)
    if schema.owner is None or not slug:
        return None
    prefix = schema.owner.removesuffix("_owner")
    role = next((r for r in schema.roles if r.name in (slug, f"{prefix}_{slug}")), None) or \
        next((r for r in schema.roles if r.purpose == slug and r.name.startswith(prefix + "_")), None)
    if role is not None:
        return role, []
    role = Role(name=names.shorten(f"{prefix}_{slug}"), purpose=purpose, comment=comment, origin=rt.origin(pattern))
    schema.roles.append(role)
    schema.grants.append(Grant(grantee=role.name, privileges=("USAGE",), object_type="schema",
                               object_name=schema.name, origin=rt.origin(pattern)))
    return role, [f"ROLE {role.name}"]


def extend_policies(rt: RuleText, table: str, role: str, commands: tuple[str, ...]) -> None:
    """Row-level security policies that name roles also name ``role``: it sees the rows the rule lets it use."""
    for p in rt.ctx.schema.policies:
        if p.table == table and p.roles and p.command in commands and role not in p.roles:
            p.roles = (*p.roles, role)


def is_own_table(rt: RuleText, subject: str) -> bool:
    """``subject`` names the rule's table: its name or singular in words, or a part of it at either end ("a dose
    is administered" on dose_administrations, "a sample" on soil_samples)."""
    own = singular(rt.table.name).replace("_", " ")
    return subject in (rt.table.name.replace("_", " "), own) or own.endswith(" " + subject) \
        or own.startswith(subject + " ")


def fk_for(table: Table, column: str):
    return next((fk for fk in table.foreign_keys if fk.columns == (column,)), None)


def normalise(text: str) -> str:
    text = text.strip().lower().replace("\u2019", "'")
    text = re.sub(r"\s+", " ", text)
    return text.rstrip(" .")
