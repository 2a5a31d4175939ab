"""What the schema lint can be told: naming conventions, thresholds, exposed roles, object ignores.

The config file is the migration lint's YAML (``disable``, ``severity``) plus these keys::

    naming:                        # seed 004's conventions by default; preset: postgres for PG's own names
      preset: seed004
      tables: plural               # plural | singular | any
      index: "idx_{table}_*"       # glob patterns; {table} is the table's name
    thresholds: {god_table_columns: 30, max_indexes: 8}
    exposed_roles: [anon, authenticated]
    schemas: [public]              # lint only these schemas (default: every user schema)
    ignore:                        # findings to drop, by rule and object path glob
      - {rule: SW208, objects: ["public.tmp_*"]}
      - objects: ["legacy.*"]      # every rule
"""

from __future__ import annotations

import difflib
import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import yaml

from schemawright.errors import SpecError, SpecProblem
from schemawright.lint.engine import LintConfig, RuleSet, UnknownRule, load_config

OPTIONS: Mapping[str, type] = {"naming": dict, "thresholds": dict, "exposed_roles": list, "schemas": list,
                               "ignore": list}


@dataclass(frozen=True)
class Naming:
    """Name patterns (``fnmatch`` globs, ``{table}`` replaced by the table's name) and the table number."""

    tables: str = "plural"  # plural | singular | any
    primary_key: str = "pk_{table}*"
    foreign_key: str = "fk_{table}_*"
    unique: str = "uq_{table}_*"
    check: str = "chk_{table}_*"
    index: str = "idx_{table}_*"
    view: str = "vw_*"
    function: str = "fn_*"
    trigger: str = "trg_{table}_*"
    boolean_prefixes: tuple[str, ...] = ("is_", "has_", "can_", "should_", "allow_", "allows_", "uses_")
    foreign_key_columns: tuple[str, ...] = ("*_id", "*_by")


PRESETS: dict[str, Naming] = {
    "seed004": Naming(),
    "postgres": Naming(primary_key="{table}_pkey", foreign_key="{table}_*_fkey", unique="{table}_*_key",
                       check="{table}_*_check", index="{table}_*_idx", trigger="*"),
}


@dataclass(frozen=True)
class Thresholds:
    god_table_columns: int = 30  # more columns than this: a god table
    max_indexes: int = 8  # more indexes than this on one table (write-heavy when live)
    min_tables_for_foreign_keys: int = 3  # a schema this large with no foreign key at all is suspicious
    low_cardinality_distinct: int = 5  # at most this many distinct values (pg_stats): low cardinality
    low_cardinality_min_rows: int = 10_000  # ... on a table at least this large
    sequence_used_ratio: float = 0.75  # a key sequence past this share of its type's range
    unused_index_min_scans: int = 0  # an index with at most this many scans since the stats reset is unused
    vacuum_min_rows: int = 1_000  # never vacuumed/analyzed matters from this many rows
    bloat_ratio: float = 0.5  # estimated wasted share of a table's pages
    bloat_min_bytes: int = 8 * 1024 * 1024  # ... and at least this much wasted space
    seq_scan_min_rows: int = 10_000  # sequential scans matter on tables from this many rows
    seq_scan_ratio: float = 0.5  # share of a table's scans that are sequential
    varchar_habit_lengths: tuple[int, ...] = (255,)


@dataclass(frozen=True)
class IgnoreEntry:
    rules: frozenset[str]  # codes; empty: every rule
    objects: tuple[str, ...]  # fnmatch globs over object paths

    def matches(self, rule: str, path: str | None) -> bool:
        if self.rules and rule not in self.rules:
            return False
        return path is not None and any(fnmatch.fnmatchcase(path, glob) for glob in self.objects)


@dataclass(frozen=True)
class SchemaSettings:
    naming: Naming = field(default_factory=Naming)
    thresholds: Thresholds = field(default_factory=Thresholds)
    exposed_roles: tuple[str, ...] = ("anon", "authenticated")
    schemas: tuple[str, ...] = ()  # empty: every user schema
    ignore: tuple[IgnoreEntry, ...] = ()
    audit_columns: tuple[str, ...] = ("created_at", "updated_at")

    @classmethod
    def from_options(cls, options: Mapping[str, Any], ruleset: RuleSet | None = None) -> SchemaSettings:
        """Settings from ``LintConfig.options`` (already validated by ``load_schema_config``, or built in code)."""
        naming_opts = dict(options.get("naming") or {})
        naming = PRESETS[naming_opts.pop("preset", "seed004")]
        naming = replace(naming, **{k: tuple(v) if isinstance(v, list) else v for k, v in naming_opts.items()})
        raw_thresholds = dict(options.get("thresholds") or {})
        thresholds = replace(Thresholds(), **{k: tuple(v) if isinstance(v, list) else v
                                              for k, v in raw_thresholds.items()})
        ignore = tuple(_ignore_entry(item, ruleset) for item in options.get("ignore") or ())
        extra = {k: tuple(options[k]) for k in ("exposed_roles", "schemas") if options.get(k) is not None}
        return cls(naming=naming, thresholds=thresholds, ignore=ignore, **extra)


def _ignore_entry(item: Mapping[str, Any], ruleset: RuleSet | None) -> IgnoreEntry:
    raw = item.get("rule", item.get("rules", ()))
    idents = [raw] if isinstance(raw, str) else list(raw)
    codes = frozenset(ruleset.resolve(i).code if ruleset else i.upper() for i in idents)
    objects = item.get("objects", item.get("object", ()))
    return IgnoreEntry(codes, (objects,) if isinstance(objects, str) else tuple(objects))


def load_schema_settings_config(path: str | Path, ruleset: RuleSet) -> LintConfig:
    """Read a schema-lint config: ``load_config`` checks the top level, then the nested keys are checked
    here, each problem located by line and column."""
    problems: list[SpecProblem] = []
    try:
        config = load_config(path, ruleset, OPTIONS)
    except SpecError as exc:
        problems, config = list(exc.problems), None
    try:
        root = yaml.compose(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        root = None  # already reported by load_config
    checker = _NestedChecker(str(path), ruleset)
    for key_node, value in root.value if isinstance(root, yaml.MappingNode) else ():
        check = getattr(checker, f"check_{key_node.value}", None)
        if check is not None:
            check(value)
    problems += checker.problems
    if problems or config is None:
        raise SpecError(problems)
    return config


_NAMING_KEYS = {f.name: f.type for f in fields(Naming)}
_THRESHOLD_DEFAULTS = {f.name: f.default for f in fields(Thresholds)}


class _NestedChecker:
    def __init__(self, file: str, ruleset: RuleSet):
        self.file, self.ruleset = file, ruleset
        self.problems: list[SpecProblem] = []

    def problem(self, node: yaml.Node, path: str, message: str, **kw: Any) -> None:
        self.problems.append(SpecProblem(message, file=self.file, line=node.start_mark.line + 1,
                                         column=node.start_mark.column + 1, path=path, **kw))

    def unknown(self, node: yaml.Node, path: str, known: list[str]) -> None:
        close = difflib.get_close_matches(str(node.value), known, n=1)
        self.problem(node, path, "unknown key", expected=", ".join(known),
                     hint=f"did you mean {close[0]!r}?" if close else None)

    def check_naming(self, node: yaml.Node) -> None:
        for key_node, value in node.value if isinstance(node, yaml.MappingNode) else ():
            key, path = key_node.value, f"naming.{key_node.value}"
            if key == "preset":
                if value.value not in PRESETS:
                    self.problem(value, path, "unknown preset", expected=", ".join(PRESETS), got=repr(value.value))
            elif key == "tables":
                if value.value not in ("plural", "singular", "any"):
                    self.problem(value, path, "not a table-name number", expected="plural, singular or any",
                                 got=repr(value.value))
            elif key in ("boolean_prefixes", "foreign_key_columns"):
                self.string_list(value, path)
            elif key in _NAMING_KEYS:
                if not isinstance(value, yaml.ScalarNode) or not isinstance(yaml.safe_load(yaml.serialize(value)), str):
                    self.problem(value, path, "expected a glob pattern (a string)")
            else:
                self.unknown(key_node, path, ["preset", *_NAMING_KEYS])

    def check_thresholds(self, node: yaml.Node) -> None:
        for key_node, value in node.value if isinstance(node, yaml.MappingNode) else ():
            key, path = key_node.value, f"thresholds.{key_node.value}"
            if key not in _THRESHOLD_DEFAULTS:
                self.unknown(key_node, path, sorted(_THRESHOLD_DEFAULTS))
                continue
            default = _THRESHOLD_DEFAULTS[key]
            got = yaml.safe_load(yaml.serialize(value))
            if isinstance(default, tuple):
                ok = isinstance(got, list) and all(isinstance(v, int) and not isinstance(v, bool) for v in got)
                expected = "a list of integers"
            else:
                ok = isinstance(got, (int, float)) and not isinstance(got, bool) and got >= 0 and (
                    isinstance(default, float) or isinstance(got, int))
                expected = "a number >= 0" if isinstance(default, float) else "an integer >= 0"
            if not ok:
                self.problem(value, path, "wrong value", expected=expected, got=repr(got))

    def check_exposed_roles(self, node: yaml.Node) -> None:
        if isinstance(node, yaml.SequenceNode):  # another type was reported by load_config
            self.string_list(node, "exposed_roles")

    def check_schemas(self, node: yaml.Node) -> None:
        if isinstance(node, yaml.SequenceNode):
            self.string_list(node, "schemas")

    def check_ignore(self, node: yaml.Node) -> None:
        for i, item in enumerate(node.value if isinstance(node, yaml.SequenceNode) else ()):
            path = f"ignore[{i}]"
            if not isinstance(item, yaml.MappingNode):
                self.problem(item, path, "expected a mapping with objects: (and optionally rule:)")
                continue
            keys = {k.value: (k, v) for k, v in item.value}
            for key, (key_node, value) in keys.items():
                if key in ("rule", "rules"):
                    for rule_node in value.value if isinstance(value, yaml.SequenceNode) else [value]:
                        try:
                            self.ruleset.resolve(str(rule_node.value))
                        except UnknownRule as exc:
                            self.problem(rule_node, f"{path}.{key}", str(exc))
                elif key in ("objects", "object"):
                    self.string_list(value, f"{path}.{key}", allow_scalar=True)
                else:
                    self.unknown(key_node, f"{path}.{key}", ["rule", "objects"])
            if "objects" not in keys and "object" not in keys:
                self.problem(item, path, "missing objects: (object path globs such as public.orders*)")

    def string_list(self, node: yaml.Node, path: str, allow_scalar: bool = False) -> None:
        value = yaml.safe_load(yaml.serialize(node))
        if allow_scalar and isinstance(value, str):
            return
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(node, path, "expected a list of strings", got=repr(value))
