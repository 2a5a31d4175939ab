"""Requirements to entities: the free-text ``task.requirements`` (and ``acceptance_criteria``) matched against
a catalog of domain patterns kept as data (``design/patterns/*.yaml``, one file per pattern).

A pattern names the phrases that trigger it, the roles it plays with existing entities (``{user}`` is the
first of users/customers/members/... the input declares), the entities, attributes, business rules, indexes
and reporting views it adds, and why. It is applied to the *task input* before the design, so everything it
adds goes through the same designer as hand-written input (naming, types, keys, security, verification):

- **Declared entities always win.** A pattern only adds entities the input lacks; of a declared entity it
  adds only the link attributes listed under ``extend`` (``products.vendor_id``) when missing. A pattern
  whose concept the input already models (``satisfied_by``: a table or ``table.column``) adds nothing.
- **Provenance.** Every table, column, rule and index it adds names the requirement that caused it: its
  ``Origin`` (rule ``pattern.<name>``, the requirement in the reason, path ``task.requirements[i]``), an
  inference per object and one per requirement (``docs/inferences.md``, ``agent_output.json``
  ``requirements``).
- **Nothing dropped.** A requirement no pattern matches is logged as ``requirement.not_understood`` (a
  warning in the design output and agent_output); a pattern that matched but could not apply (a role it
  needs is missing) says so.

``conventions.patterns: false`` in the input, or ``schemawright design --no-patterns``, turns it off.
"""

from __future__ import annotations

import copy
import fnmatch
import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

from schemawright.model import names
from schemawright.model.schema import Origin, Source, View
from schemawright.spec.models import Attribute, BusinessRule, Entity, IndexRequirement, TaskInput

PLACEHOLDER = re.compile(r"\{(\w+?)(_s)?\}")


@dataclass(frozen=True)
class Pattern:
    name: str
    title: str
    why: str
    triggers: tuple[re.Pattern, ...]
    roles: dict[str, tuple[str, ...]]
    satisfied_by: tuple[str, ...]
    entities: tuple[dict, ...]
    extend: tuple[dict, ...]
    business_rules: tuple[dict, ...]
    indexes: tuple[dict, ...]
    views: tuple[dict, ...]
    settings: dict[str, Any] = field(default_factory=dict)
    order: int = 50

    def matches(self, text: str) -> bool:
        return any(t.search(text) for t in self.triggers)


class PatternFileError(ValueError):
    pass


class _Unresolved(Exception):
    """A placeholder names an optional role the input does not have."""


def _pattern(data: dict, source: str) -> Pattern:
    known = {"name", "title", "why", "triggers", "roles", "satisfied_by", "entities", "extend", "business_rules",
             "indexes", "views", "order", "settings"}
    if not isinstance(data, dict) or not {"name", "triggers", "why"} <= set(data) or set(data) - known:
        raise PatternFileError(f"{source}: a pattern needs name, triggers and why, and only {sorted(known)}")
    return Pattern(
        name=data["name"], title=data.get("title", data["name"]), why=" ".join(str(data["why"]).split()),
        triggers=tuple(re.compile(t, re.IGNORECASE) for t in data["triggers"]),
        roles={k: tuple(v) for k, v in (data.get("roles") or {}).items()},
        satisfied_by=tuple(data.get("satisfied_by") or ()), entities=tuple(data.get("entities") or ()),
        extend=tuple(data.get("extend") or ()), business_rules=tuple(data.get("business_rules") or ()),
        indexes=tuple(data.get("indexes") or ()), views=tuple(data.get("views") or ()),
        settings=dict(data.get("settings") or {}), order=int(data.get("order", 50)))


@cache
def catalog() -> tuple[Pattern, ...]:
    """Every pattern of the package's catalog, in application order."""
    folder = resources.files("schemawright.design") / "patterns"
    out = []
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if item.name.endswith(".yaml"):
            out.append(_pattern(yaml.safe_load(item.read_text(encoding="utf-8")), item.name))
    return tuple(sorted(out, key=lambda p: (p.order, p.name)))


# --- what was applied ------------------------------------------------------------------------------------

@dataclass
class Applied:
    """One pattern applied for one requirement: what it added, where in the input."""

    pattern: Pattern
    requirement: str
    req_path: str  # task.requirements[i]
    added: list[str] = field(default_factory=list)  # "table reviews", "column products.vendor_id", "rule x"
    note: str | None = None  # why nothing was added
    skipped: list[str] = field(default_factory=list)  # what the pattern could not add, and why
    paths: list[str] = field(default_factory=list)  # input paths of what it added (origins to rewrite)
    hollow: bool = False  # matched, but neither added nor points to anything: the requirement is not understood

    def origin(self) -> Origin:
        return Origin(source=Source.INFERRED, rule=f"pattern.{self.pattern.name}",
                      reason=f"requirement {self.requirement!r}: {self.pattern.why}", path=self.req_path)


@dataclass
class Expansion:
    spec: TaskInput
    applied: list[Applied] = field(default_factory=list)
    not_understood: list[tuple[str, str]] = field(default_factory=list)  # (requirement, path)
    views: list[tuple[Applied, dict]] = field(default_factory=list)  # reporting views, built after the design
    hollow: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # not understood although matched


def expand(spec: TaskInput, table_name) -> Expansion:
    """The task input with what the matched patterns add (a copy; ``spec`` is not changed).
    ``table_name``: entity name -> table name under the input's naming convention."""
    texts = [(r, f"task.requirements[{i}]", True) for i, r in enumerate(spec.task.requirements)]
    texts += [(r, f"task.acceptance_criteria[{i}]", False) for i, r in enumerate(spec.task.acceptance_criteria)]
    out = Expansion(spec=spec.model_copy(deep=True))
    dm = out.spec.data_model
    declared = {table_name(e.name): e for e in dm.entities}
    done: set[str] = set()
    matches: list[tuple[Pattern, str, str]] = []
    for text, path, is_requirement in texts:
        found = [p for p in catalog() if p.matches(_matchable(text))]
        if not found and is_requirement:
            out.not_understood.append((text, path))
        matches += [(p, text, path) for p in found]
    matches.sort(key=lambda m: (m[0].order, m[0].name))
    for pattern, text, path in matches:
        applied = Applied(pattern, text, path)
        out.applied.append(applied)
        if pattern.name in done:
            applied.note = "applied for an earlier requirement"
            continue
        done.add(pattern.name)
        _apply(out, pattern, applied, declared, table_name)
    _hollow_matches(out, {p for _, p, is_requirement in texts if is_requirement})
    return out


# "members can only see their own bookings and payments", "the bosun sees all boats": who may see which rows
# of the things named, not a request for them to exist (a noun there that is no entity creates no table)
_VISIBILITY = re.compile(r"\b((?:see|sees|view|views|read|reads|access|accesses|manage|manages|edit|edits)"
                         r"(?: only)?) (?:their own|all(?: the)?|every|any|only their) [\w ,'&-]+", re.IGNORECASE)


def _matchable(text: str) -> str:
    """The text a domain pattern is matched against: the objects of visibility statements left out."""
    return _VISIBILITY.sub(r"\1", text)


def _concrete(out: Expansion, applied: Applied, first: dict[str, Applied]) -> bool:
    """Whether a matched pattern added something, or points to something concrete the input has: a table
    or column it names (``already modelled by payments``), a setting, or what it added for an earlier
    requirement. "Nothing to add" and "not applied: needs a user table" model nothing."""
    if applied.added or any(a is applied for a, _ in out.views):
        return True
    note = applied.note or ""
    if note == "applied for an earlier requirement":
        earlier = first.get(applied.pattern.name)
        return earlier is not None and earlier is not applied and _concrete(out, earlier, first)
    return note.startswith("already modelled by") or "is set in the input" in note or \
        note.startswith("already on by default")


def _hollow_matches(out: Expansion, requirement_paths: set[str]) -> None:
    """A requirement whose every matched pattern modelled nothing ("A farm dashboard with harvest totals"
    -> reporting, whose views need an orders table) is not understood, not "matched": said with the reason."""
    first: dict[str, Applied] = {}
    for applied in out.applied:
        first.setdefault(applied.pattern.name, applied)
    by_requirement: dict[tuple[str, str], list[Applied]] = {}
    for applied in out.applied:
        if applied.req_path in requirement_paths:
            by_requirement.setdefault((applied.requirement, applied.req_path), []).append(applied)
    for key, applied_list in by_requirement.items():
        if any(_concrete(out, a, first) for a in applied_list):
            continue
        for a in applied_list:
            a.hollow = True
        out.not_understood.append(key)
        out.hollow.setdefault(key, []).extend(
            f"pattern {a.pattern.title!r} matched but modelled nothing ({a.note or 'nothing added'})"
            for a in applied_list)


def _exists(tables: dict[str, Entity], spec: str) -> str | None:
    """The declared table (or ``table.column``) a ``satisfied_by``/role entry names, globs allowed."""
    table_glob, _, column = spec.partition(".")
    for name, entity in tables.items():
        if not fnmatch.fnmatchcase(name, table_glob):
            continue
        if not column:
            return name
        for attr in entity.attributes:
            col = names.to_snake(attr.name)
            if fnmatch.fnmatchcase(col, column) or fnmatch.fnmatchcase(col.removesuffix("_id"), column):
                return f"{name}.{col}"
    return None


def _apply(out: Expansion, pattern: Pattern, applied: Applied, declared: dict[str, Entity], table_name) -> None:
    dm = out.spec.data_model
    tables = {table_name(e.name): e for e in dm.entities}
    for spec in pattern.satisfied_by:
        if (hit := _exists({k: v for k, v in tables.items() if k in declared}, spec)) is not None:
            applied.note = f"already modelled by {hit}"
            return
    created = {table_name(PLACEHOLDER.sub(lambda m: m.group(1), e["name"])) for e in pattern.entities}
    roles: dict[str, str] = {}
    for role, candidates in pattern.roles.items():
        optional, role = role.endswith("?"), role.rstrip("?")
        hit = next((h for c in candidates if (h := _exists(tables, c)) is not None), None)
        if hit is None and table_name(candidates[0]) in created:
            hit = table_name(candidates[0])
        if hit is None and optional:  # what needs it (a view) is left out, and says so
            continue
        if hit is None:
            applied.note = (f"not applied: needs a {role} table (one of {', '.join(candidates)}), which the input "
                            "does not declare; declare it, or model this requirement by hand")
            return
        roles[role] = hit

    def fill(value: Any) -> Any:
        if isinstance(value, str):
            def sub(m: re.Match) -> str:
                if m.group(1) not in roles:
                    raise _Unresolved(m.group(1))
                return names.singular(roles[m.group(1)]) if m.group(2) else roles[m.group(1)]
            return PLACEHOLDER.sub(sub, value)
        if isinstance(value, list):
            return [fill(v) for v in value]
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        return value

    for raw in pattern.entities:
        data = fill(copy.deepcopy(raw))
        name = table_name(data["name"])
        if name in tables:  # declared (or added by an earlier pattern): it wins
            continue
        rows = data.pop("rows", None)
        data.pop("why", None)
        entity = Entity.model_validate({**data, "attributes": [a if isinstance(a, dict) else {"name": a}
                                                                for a in data.get("attributes", [])]})
        if rows is not None:
            entity.estimated_rows = _rows(rows, tables)
        dm.entities.append(entity)
        tables[name] = entity
        applied.added.append(f"table {name}")
        applied.paths.append(f"data_model.entities[{len(dm.entities) - 1}]")
    for raw in pattern.extend:
        data = fill(copy.deepcopy(raw))
        name = table_name(data["entity"])
        entity = tables.get(name)
        if entity is None:
            continue
        i = dm.entities.index(entity)
        have = {names.to_snake(a.name) for a in entity.attributes}
        for attr in data.get("attributes", []):
            attr = attr if isinstance(attr, dict) else {"name": attr}
            col = names.to_snake(attr["name"])
            if col in have or col.removesuffix("_id") in have or f"{col}_id" in have:
                continue
            entity.attributes.append(Attribute.model_validate(attr))
            have.add(col)
            applied.added.append(f"column {name}.{col}")
            applied.paths.append(f"data_model.entities[{i}].attributes[{len(entity.attributes) - 1}]")
    existing_rules = {r.name for r in dm.business_rules}
    for raw in pattern.business_rules:
        data = fill(copy.deepcopy(raw))
        if data["name"] in existing_rules or table_name(data.get("entity", "")) not in tables:
            continue
        dm.business_rules.append(BusinessRule.model_validate(data))
        applied.added.append(f"rule {data['name']}")
        applied.paths.append(f"data_model.business_rules[{len(dm.business_rules) - 1}]")
    for raw in pattern.indexes:
        data = fill(copy.deepcopy(raw))
        why = data.pop("why", None)
        if table_name(data["entity"]) not in tables:
            continue
        dm.indexes.append(IndexRequirement.model_validate({**data, "reason": why or pattern.why}))
        applied.added.append(f"index {table_name(data['entity'])}({', '.join(data.get('columns', []))})")
        applied.paths.append(f"data_model.indexes[{len(dm.indexes) - 1}]")
    for raw in pattern.views:
        try:
            out.views.append((applied, fill(copy.deepcopy(raw))))
        except _Unresolved as exc:
            applied.skipped.append(f"view {raw['name']}: needs a {exc.args[0]} table "
                                   f"(one of {', '.join(pattern.roles[exc.args[0] + '?'])})")
    for dotted, value in pattern.settings.items():
        obj, *parts = [out.spec, *dotted.split(".")]
        for part in parts[:-1]:
            if getattr(obj, part) is None:
                setattr(obj, part, type(obj).model_fields[part].annotation.__args__[0]())
            obj = getattr(obj, part)
        if parts[-1] in obj.model_fields_set:  # stated in the input: it wins
            applied.note = f"{dotted} is set in the input ({getattr(obj, parts[-1])!r}); left as is"
            continue
        if getattr(obj, parts[-1]) != value:
            setattr(obj, parts[-1], value)
            applied.added.append(f"setting {dotted} = {json.dumps(value)}")
        else:
            applied.note = f"already on by default ({dotted})"
    if not applied.added and not any(a is applied for a, _ in out.views) and applied.note is None:
        applied.note = "nothing to add: the input already has what the pattern adds"


def _rows(rows: Any, tables: dict[str, Entity]) -> int:
    """``rows``: a number, or ``{per: table, factor: x}`` (x rows per row of that table)."""
    if isinstance(rows, int):
        return rows
    parent = tables.get(rows["per"])
    base = parent.estimated_rows if parent is not None and parent.estimated_rows else 10_000
    return max(1, int(base * float(rows.get("factor", 1))))


# --- after the design: provenance and the reporting views ----------------------------------------------------

def _origins(obj, seen: set[int]):
    """Every Origin in the model tree under ``obj``."""
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, Origin):
        yield obj
        return
    if isinstance(obj, (list, tuple)):
        for item in obj:
            yield from _origins(item, seen)
        return
    if not hasattr(obj, "__dataclass_fields__"):
        return
    for name in obj.__dataclass_fields__:
        value = getattr(obj, name, None)
        if isinstance(value, (Origin, list, tuple)) or hasattr(value, "__dataclass_fields__"):
            yield from _origins(value, seen)


def _under(path: str | None, prefix: str) -> bool:
    return bool(path) and (path == prefix or path.startswith(prefix + ".") or path.startswith(prefix + "["))


def record(ctx, expansion: Expansion) -> None:
    """After the design: the origins of what the patterns added name their requirement; the inferences."""
    schema = ctx.schema
    by_prefix = [(p, a) for a in expansion.applied for p in a.paths]
    if by_prefix:
        for origin in _origins(schema.tables, set()):
            for prefix, applied in by_prefix:
                if _under(origin.path, prefix):
                    detail = origin.reason
                    origin.source, origin.rule, origin.path = Source.INFERRED, f"pattern.{applied.pattern.name}", \
                        applied.req_path
                    origin.reason = f"requirement {applied.requirement!r}" + (f"; {detail}" if detail else "")
                    break
    for applied in expansion.applied:
        rule = f"pattern.{applied.pattern.name}"
        if applied.hollow and (applied.requirement, applied.req_path) in expansion.not_understood:
            continue  # reported below, as not understood
        if applied.added:
            ctx.infer(rule, applied.requirement, "added " + "; ".join(applied.added),
                      f"{applied.req_path} matched pattern {applied.pattern.title!r}: {applied.pattern.why}")
            for thing in applied.added:
                kind, _, subject = thing.partition(" ")
                if kind in ("view", "materialized", "function"):  # logged when they were added
                    continue
                ctx.infer(rule, subject, f"{kind} added for requirement {applied.requirement!r} "
                          f"({applied.req_path})", applied.pattern.why)
        else:
            ctx.infer(rule, applied.requirement, f"nothing added: {applied.note}",
                      f"{applied.req_path} matched pattern {applied.pattern.title!r}")
        for what in applied.skipped:
            ctx.infer(rule, applied.requirement, f"not added: {what}",
                      f"{applied.req_path} matched pattern {applied.pattern.title!r}")
    for text, path in expansion.not_understood:
        if (text, path) in expansion.hollow:
            ctx.infer("requirement.not_understood", text, "nothing was modelled for it",
                      f"{path}: " + "; ".join(expansion.hollow[(text, path)]) + ": model it with entities, "
                      "relationships, views or business_rules, or reword it (docs/requirements.md)")
            continue
        ctx.infer("requirement.not_understood", text, "no domain pattern matched; nothing was modelled for it",
                  f"{path}: model it with entities, relationships or business_rules, or reword it "
                  "(docs/requirements.md lists the patterns and their trigger phrases)")


def add_views(ctx, expansion: Expansion) -> None:
    """The reporting views of the matched patterns, when every table they read exists (parsed with pglast)."""
    import pglast
    from pglast import ast
    from schemawright.spec.expressions import SafeLiteralStream

    from schemawright.pg_ast import walk

    for applied, data in expansion.views:
        try:
            stmt = pglast.parse_sql(" ".join(data["query"].split()))[0].stmt
        except pglast.parser.ParseError as exc:
            raise PatternFileError(f"pattern {applied.pattern.name}: view {data['name']}: {exc}") from None
        reads = sorted({n.relname for n in walk(stmt) if isinstance(n, ast.RangeVar)})
        missing = [t for t in reads if ctx.table(t) is None]
        if missing or any(v.name == data["name"] for v in ctx.schema.views) or ctx.table(data["name"]):
            ctx.infer(f"pattern.{applied.pattern.name}", data["name"], "view not added",
                      f"it reads {', '.join(missing) or 'a name already taken'}, which the design does not have")
            continue
        if not _columns_exist(ctx, stmt):
            ctx.infer(f"pattern.{applied.pattern.name}", data["name"], "view not added",
                      "it reads columns the design's tables do not have")
            continue
        view = View(name=data["name"], query=SafeLiteralStream()(stmt), materialized=bool(data.get("materialized")),
                    comment=data.get("description"), depends_on=tuple(reads), origin=applied.origin(),
                    unique_key=tuple(data.get("unique", ())))
        ctx.schema.views.append(view)
        applied.added.append(f"{'materialized ' if view.materialized else ''}view {view.name}")
        ctx.infer(f"pattern.{applied.pattern.name}", view.name,
                  f"{'materialized ' if view.materialized else ''}view added for requirement {applied.requirement!r}"
                  f" ({applied.req_path})", data.get("why") or applied.pattern.why)
    _refresh_function(ctx, expansion)


REFRESH_FUNCTION = "fn_refresh_materialized_views"


def _refresh_function(ctx, expansion: Expansion) -> None:
    """One function refreshing every pattern's materialized view CONCURRENTLY (each has a unique index)."""
    from schemawright.model.names import quote_ident
    from schemawright.model.schema import Function

    views = [v for v in ctx.schema.views if v.materialized and v.unique_key and v.origin.rule
             and v.origin.rule.startswith("pattern.")]
    if not views or any(f.name == REFRESH_FUNCTION for f in ctx.schema.functions):
        return
    body = "\nBEGIN\n" + "".join(f"    REFRESH MATERIALIZED VIEW CONCURRENTLY {quote_ident(v.schema)}.{quote_ident(v.name)};\n"
                                  for v in views) + "END;\n"
    first = next(a for a, _ in expansion.views if any(v.origin.path == a.req_path for v in views))
    ctx.schema.functions.append(Function(
        name=REFRESH_FUNCTION, returns="void", language="plpgsql", body=body,
        comment="Refreshes the reporting materialized views without blocking their readers (schedule it)",
        origin=first.origin()))
    ctx.infer(f"pattern.{first.pattern.name}", REFRESH_FUNCTION,
              f"function added: REFRESH MATERIALIZED VIEW CONCURRENTLY of {', '.join(v.name for v in views)}",
              "each view has a unique index, which a concurrent refresh needs; readers are never blocked")


def _columns_exist(ctx, stmt) -> bool:
    """Every qualified column reference ``t.c`` of the query names a column of table ``t`` (by alias)."""
    from pglast import ast

    from schemawright.pg_ast import walk

    aliases = {}
    for n in walk(stmt):
        if isinstance(n, ast.RangeVar):
            aliases[n.alias.aliasname if n.alias else n.relname] = n.relname
    for n in walk(stmt):
        if isinstance(n, ast.ColumnRef) and len(n.fields) == 2 and isinstance(n.fields[1], ast.String):
            table = ctx.table(aliases.get(n.fields[0].sval, ""))
            if table is None or table.column(n.fields[1].sval) is None:
                return False
    return True
