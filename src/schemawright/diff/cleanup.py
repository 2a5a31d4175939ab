"""``diff --cleanup FILE``: the data changes a user asks for, so that a tightening applies to rows that
would refuse it (issue 13). Read from a YAML or JSON file, matched to the tightenings of the plan
(``Step.tightens``) and placed just before each, rendered by the dialect.

    cleanup:
      - not_null: items.note            # [schema.]table.column made NOT NULL
        fill: "'(none)'"                # an SQL expression over the row's columns (pgroll's "up")
      - unique: users(email)            # [schema.]table(columns), or [schema.]table.constraint
        keep: latest                    # first (default) or latest
        order_by: created_at            # one expression or a list; default: the primary key
      - check: orders.chk_orders_total  # [schema.]table.constraint
        delete: true                    # delete the violating rows, or:
        # set: {total: "abs(total)"}    # set columns of the violating rows
      - values: tickets.state           # [schema.]table.column whose allowed values shrink
        map: {pending: closed}          # old value -> a value the new list keeps
      - type: users.nickname            # [schema.]table.column changed to a narrower type
        fit: "left(nickname, 30)"       # what the values that do not fit become, or:
        # delete: true                  # delete the rows holding them

Every entry must match a tightening of the migration; one that matches none is an error (exit 2), so a
typo is never ignored. Expressions are parsed with PostgreSQL's parser and used as their deparse.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import yaml

from schemawright.dialects import get_dialect
from schemawright.dialects.base import Step
from schemawright.errors import SpecError, SpecProblem
from schemawright.model.cleanup import CleanupRule
from schemawright.model.schema import Schema
from schemawright.spec.expressions import ExpressionError, SafeLiteralStream, single_expression

KINDS = ("not_null", "unique", "check", "values", "type")
_KEYS = {"not_null": {"fill"}, "unique": {"keep", "order_by"}, "check": {"delete", "set"}, "values": {"map"},
         "type": {"fit", "delete"}}
_NAME = r'(?:[A-Za-z_][A-Za-z0-9_$]*|"(?:[^"]|"")+")'
_DOTTED_RE = re.compile(rf"^\s*({_NAME})(?:\s*\.\s*({_NAME}))?(?:\s*\.\s*({_NAME}))?\s*$")
_UNIQUE_RE = re.compile(rf"^\s*({_NAME})(?:\s*\.\s*({_NAME}))?\s*\(([^()]*)\)\s*$")


def _ident(text: str | None) -> str | None:
    if text is None:
        return None
    return text[1:-1].replace('""', '"') if text.startswith('"') else text.lower()


def load_cleanup(path: str | Path) -> list[CleanupRule]:
    """The rules of a cleanup file; SpecError (exit 2) naming the file and entry for anything wrong."""
    path = Path(path)
    file = str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SpecError(SpecProblem(f"cannot read the cleanup file: {exc.strerror or exc}", file=file)) from None
    except yaml.YAMLError as exc:
        raise SpecError(SpecProblem.from_yaml_error(exc, file, "not valid YAML/JSON")) from None
    entries = data.get("cleanup") if isinstance(data, dict) and set(data) == {"cleanup"} else data
    if not isinstance(entries, list) or not entries:
        raise SpecError(SpecProblem("expected a list of cleanup entries (or a mapping 'cleanup:' holding one)",
                                    file=file, path="cleanup"))
    problems: list[SpecProblem] = []
    rules = []
    for i, entry in enumerate(entries):
        where = f"cleanup[{i}]"
        try:
            rules.append(_rule(entry, i))
        except ValueError as exc:
            problems.append(SpecProblem(str(exc), file=file, path=where))
    if problems:
        raise SpecError(problems)
    return rules


def _expression(text, what: str) -> str:
    if not isinstance(text, (str, int, float)) or isinstance(text, bool):
        raise ValueError(f"{what}: expected an SQL expression as a string (got {text!r})")
    try:
        return SafeLiteralStream()(single_expression(str(text)))
    except ExpressionError as exc:
        raise ValueError(f"{what}: {exc}") from None


def _rule(entry, index: int) -> CleanupRule:
    if not isinstance(entry, dict):
        raise ValueError(f"expected a mapping with one of {', '.join(KINDS)} (got {entry!r})")
    kinds = [k for k in KINDS if k in entry]
    if len(kinds) != 1:
        raise ValueError(f"expected exactly one of {', '.join(KINDS)} (got {', '.join(map(str, entry)) or 'none'})")
    kind = kinds[0]
    unknown = set(entry) - {kind} - _KEYS[kind]
    if unknown:
        raise ValueError(f"unknown key(s) for a {kind} entry: {', '.join(sorted(map(str, unknown)))} "
                         f"(allowed: {', '.join(sorted(_KEYS[kind]))})")
    target = entry[kind]
    if not isinstance(target, str):
        raise ValueError(f"{kind}: expected a name like table.column (got {target!r})")
    where = f"entry {index + 1} ({kind}: {target})"
    if kind == "unique" and (m := _UNIQUE_RE.match(target)):
        schema, table = (m.group(1), m.group(2)) if m.group(2) else (None, m.group(1))
        names = [c.strip() for c in m.group(3).split(",")]
        if not all(re.fullmatch(_NAME, c) for c in names):
            raise ValueError(f"unique: expected table(column, ...) (got {target!r})")
        columns = tuple(_ident(c) for c in names)
        rule = CleanupRule(kind, where, _ident(table), _ident(schema), columns=columns)
    else:
        m = _DOTTED_RE.match(target)
        parts = [_ident(p) for p in m.groups() if p is not None] if m else []
        if len(parts) < 2:
            shape = "table(column, ...) or table.constraint" if kind == "unique" else (
                "table.constraint" if kind == "check" else "table.column")
            raise ValueError(f"{kind}: expected [schema.]{shape} (got {target!r})")
        schema, table, last = ([None] + parts)[-3:]
        rule = CleanupRule(kind, where, table, schema)
        if kind in ("check", "unique"):
            rule.constraint = last
        else:
            rule.column = last
    if kind == "not_null":
        if "fill" not in entry:
            raise ValueError("not_null: 'fill' (the value for the NULLs, an SQL expression) is required")
        rule.fill = _expression(entry["fill"], "fill")
    elif kind == "unique":
        keep = entry.get("keep", "first")
        if keep not in ("first", "latest", "last"):
            raise ValueError(f"keep: expected first or latest (got {keep!r})")
        rule.keep = "latest" if keep in ("latest", "last") else "first"
        order = entry.get("order_by", [])
        order = [order] if isinstance(order, str) else order
        if not isinstance(order, list):
            raise ValueError(f"order_by: expected an expression or a list of them (got {order!r})")
        rule.order_by = tuple(_expression(e, "order_by") for e in order)
    elif kind == "check":
        delete, sets = entry.get("delete", False), entry.get("set")
        if (delete is True) == (sets is not None) or delete not in (True, False):
            raise ValueError("check: give either 'delete: true' or 'set: {column: expression}'")
        rule.delete = delete is True
        if sets is not None:
            if not isinstance(sets, dict) or not sets:
                raise ValueError(f"set: expected a mapping column -> expression (got {sets!r})")
            for column, expr in sets.items():
                if not isinstance(column, str) or not re.fullmatch(_NAME, column):
                    raise ValueError(f"set: {column!r} is not a column name")
                rule.set[_ident(column)] = _expression(expr, f"set.{column}")
    elif kind == "type":
        delete, fit = entry.get("delete", False), entry.get("fit")
        if (delete is True) == (fit is not None) or delete not in (True, False):
            raise ValueError("type: give either 'fit: <expression the values that do not fit become>' or "
                             "'delete: true'")
        rule.delete = delete is True
        rule.fill = _expression(fit, "fit") if fit is not None else None
    else:
        mapping = entry.get("map")
        if not isinstance(mapping, dict) or not mapping or not all(
                isinstance(v, (str, int, float)) and not isinstance(v, bool) for kv in mapping.items() for v in kv):
            raise ValueError("values: 'map' (a mapping old value -> kept value) is required")
        rule.map = {str(a): str(b) for a, b in mapping.items()}
    return rule


def _same_table(rule: CleanupRule, schema: str, table: str) -> bool:
    return rule.table == table and (rule.schema is None or rule.schema == schema)


def matches(rule: CleanupRule, tightens: tuple) -> bool:
    kind = tightens[0]
    if kind in ("not_null", "new_not_null"):
        return rule.kind == "not_null" and _same_table(rule, *tightens[1:3]) and rule.column == tightens[3]
    if kind == "check":
        _, schema, table, name, columns, _ = tightens
        if not _same_table(rule, schema, table):
            return False
        return (rule.kind == "check" and rule.constraint == name) or (
            rule.kind == "values" and tuple(columns) == (rule.column,))
    if kind == "unique":
        _, schema, table, name, columns, _ = tightens
        return rule.kind == "unique" and _same_table(rule, schema, table) and (
            rule.constraint == name or (bool(rule.columns) and set(rule.columns) == set(columns)))
    if kind == "type":
        return rule.kind == "type" and _same_table(rule, *tightens[1:3]) and rule.column == tightens[3]
    if kind == "enum":
        return rule.kind == "values" and any(_same_table(rule, s, t) and c == rule.column for s, t, c, _ in tightens[3])
    return False


def describe_tightening(tightens: tuple) -> str:
    kind = tightens[0]
    if kind in ("not_null", "new_not_null"):
        return f"not_null: {tightens[1]}.{tightens[2]}.{tightens[3]}"
    if kind == "check":
        return f"check: {tightens[1]}.{tightens[2]}.{tightens[3]}"
    if kind == "unique":
        return f"unique: {tightens[1]}.{tightens[2]}({', '.join(tightens[4])})"
    if kind == "type":
        return f"type: {tightens[1]}.{tightens[2]}.{tightens[3]} (to {tightens[5]})"
    return "values: " + ", ".join(f"{s}.{t}.{c}" for s, t, c, _ in tightens[3])


def _complete(rule: CleanupRule, tightens: tuple, old: Schema) -> CleanupRule:
    """The rule with what it leaves to the schema: the primary key as the default order of a unique
    cleanup; checks that a value map suits the column (not an array, an enum's target labels exist)."""
    kind = tightens[0]
    if kind == "type" and tightens[4] is None:
        raise SpecError(SpecProblem(f"{rule.where}: a type cleanup knows which values do not fit a shorter text, a "
                                    f"smaller integer or a numeric with fewer digits; not {tightens[5]}: convert "
                                    "those values in a migration before this one"))
    if kind == "unique" and not rule.order_by:
        table = next((t for t in old.tables if t.name == tightens[2] and t.schema == tightens[1]), None)
        if table is None or table.primary_key is None:
            raise SpecError(SpecProblem(f"{rule.where}: {tightens[2]} has no primary key to tell the first row from "
                                        "the latest: give order_by"))
        from schemawright.model.names import quote_ident

        return replace(rule, order_by=tuple(quote_ident(c) for c in table.primary_key.columns))
    if kind == "enum":
        enum = next((e for e in old.enums if e.name == tightens[2] and e.schema == tightens[1]), None)
        arrays = [c for s, t, c, dims in tightens[3] if dims and _same_table(rule, s, t) and c == rule.column]
        if arrays:
            raise SpecError(SpecProblem(f"{rule.where}: values of an array column are not rewritten by a cleanup; "
                                        "move them in a migration before this one"))
        missing = [b for b in rule.map.values() if enum is not None and b not in enum.values]
        if missing:
            raise SpecError(SpecProblem(f"{rule.where}: {', '.join(map(repr, missing))} is not a label of "
                                        f"{tightens[2]} yet; map to a label the type already has (add a new "
                                        "label in a migration before this one)"))
    return rule


def apply_cleanup(forward: list[Step], rules: list[CleanupRule], old: Schema,
                  dialect: str = "postgresql") -> tuple[list[Step], dict[int, list[CleanupRule]]]:
    """The forward steps with each rule's cleanup steps before the tightening it matches (before the first
    step of the change that tightens: in the same transaction as that step, or committed just before a
    step that cannot run in one), and, by id of the tightening step, the rules that clean its rows.
    SpecError when a rule matches no tightening."""
    sql = get_dialect(dialect)
    inserts: dict[int, list[Step]] = {}
    covered: dict[int, list[CleanupRule]] = {}
    used: set[int] = set()
    replaced: set[int] = set()  # a new NOT NULL column's ADD (and its placeholder's DROP DEFAULT)
    for i, step in enumerate(forward):
        if step.tightens is None or step.tightens[0] == "placeholder":
            continue
        for r, rule in enumerate(rules):
            if not matches(rule, step.tightens):
                continue
            used.add(r)
            rule = _complete(rule, step.tightens, old)
            if step.tightens[0] == "new_not_null":
                replaced.add(i)
                replaced.update(j for j, other in enumerate(forward) if other.tightens is not None and other.tightens[:4] == (
                    "placeholder", *step.tightens[1:4]))
                inserts.setdefault(i, []).extend(replace(s, change=step.change)
                                                 for s in sql.cleanup_steps(rule, step.tightens))
                covered.setdefault(id(step), []).append(rule)
                continue
            # before the change's first step: a CHECK added NOT VALID is enforced on the rows a later
            # cleanup rewrites, so each cleanup runs before its own change's constraint exists
            at = next((j for j in range(i + 1) if step.change is not None and forward[j].change == step.change), i)
            inserts.setdefault(at, []).extend(replace(s, change=step.change)
                                               for s in sql.cleanup_steps(rule, step.tightens))
            covered.setdefault(id(step), []).append(rule)
    unused = [rules[r] for r in range(len(rules)) if r not in used]
    if unused:
        found = sorted({describe_tightening(s.tightens) for s in forward
                        if s.tightens is not None and s.tightens[0] != "placeholder"})
        raise SpecError([SpecProblem(f"{rule.where} matches no tightening of this migration"
                                     + (f" (its tightenings: {'; '.join(found)})" if found else
                                        " (it has none that rows could refuse)")) for rule in unused])
    out: list[Step] = []
    for i, step in enumerate(forward):
        out += inserts.get(i, [])
        if i not in replaced:
            out.append(step)
    return out, covered
