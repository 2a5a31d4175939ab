"""The rule engine shared by the migration lint and the schema lint.

A rule is one class (one file): metadata on the class, user documentation in the docstring, and a
``check(target, ctx)`` that yields findings for the node types listed in ``targets``. The engine
dispatches each target to the rules that want its type (sqlfluff's crawl behaviour), applies the
configuration (disabled rules, severity overrides) and inline suppressions.

    class DropColumn(MigrationRule):
        '''Dropping a column breaks code that still reads it.

        ...the docs page, in Markdown...
        '''
        code = "SW519"
        name = "drop-column"
        severity = Severity.ERROR
        fix = "Stop reading the column in a release first; drop it in a later migration."
        targets = (ast.AlterTableStmt,)

        def check(self, stmt, ctx):
            ...
                yield self.report(ctx, "Dropping column ...", at=cmd)
"""

from __future__ import annotations

import difflib
import inspect
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Protocol

import yaml

from schemawright.errors import SpecError, SpecProblem
from schemawright.findings import Finding, Location, RuleInfo, Severity

CODE_PATTERN = re.compile(r"^SW\d{3}$")
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
IGNORE_MARKER = re.compile(r"schemawright:\s*ignore(?P<file>-file)?(?![\w-])(?P<rest>[^\n]*)", re.IGNORECASE)
ALL_RULES = frozenset({"*"})  # what a bare ``schemawright:ignore`` suppresses


class RuleContext(Protocol):
    """What a rule needs from the context it runs in: turning a node into a location."""

    def locate(self, at: Any = None) -> Location: ...


class Rule:
    """Base class of all lint rules; subclasses set the metadata below and implement ``check``."""

    code: ClassVar[str]
    name: ClassVar[str]
    severity: Severity  # the default; an instance carries the configured one
    fix: ClassVar[str]
    targets: ClassVar[tuple[type, ...]]
    groups: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "code" in cls.__dict__:
            _validate_rule_class(cls)

    def __init__(self, severity: Severity | None = None) -> None:
        self.severity = severity or type(self).severity

    @classmethod
    def summary(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "").split("\n", 1)[0].strip()

    @classmethod
    def description(cls) -> str:
        parts = inspect.cleandoc(cls.__doc__ or "").split("\n", 1)
        return parts[1].strip() if len(parts) > 1 else ""

    @classmethod
    def info(cls) -> RuleInfo:
        return RuleInfo(cls.code, cls.name, cls.severity, cls.summary(), cls.description(), cls.fix, cls.groups)

    def check(self, target: Any, ctx: Any) -> Iterable[Finding]:
        raise NotImplementedError

    def report(self, ctx: RuleContext, message: str, *, at: Any = None, fix: str | None = None) -> Finding:
        """A finding of this rule at ``at`` (a node with a location, or None for the whole target)."""
        return Finding(self.code, self.name, self.severity, message, ctx.locate(at), fix or self.fix)


def _validate_rule_class(cls: type[Rule]) -> None:
    where = f"{cls.__module__}.{cls.__qualname__}"
    problems = []
    if not CODE_PATTERN.match(cls.code):
        problems.append(f"code {cls.code!r} is not SWnnn")
    if not NAME_PATTERN.match(getattr(cls, "name", "")):
        problems.append(f"name {getattr(cls, 'name', None)!r} is not kebab-case")
    if not isinstance(getattr(cls, "severity", None), Severity):
        problems.append("severity is not a Severity")
    if not getattr(cls, "fix", "").strip():
        problems.append("fix is empty")
    if not getattr(cls, "targets", ()):
        problems.append("targets is empty")
    if not cls.summary():
        problems.append("the docstring (the rule's documentation) is missing")
    if problems:
        raise TypeError(f"rule {where}: " + "; ".join(problems))


class UnknownRule(KeyError):
    def __init__(self, ident: str, suggestion: str | None):
        self.ident, self.suggestion = ident, suggestion
        super().__init__(ident)

    def __str__(self) -> str:
        return f"unknown rule {self.ident!r}" + (f"; did you mean {self.suggestion}?" if self.suggestion else "")


class RuleSet:
    """An ordered registry of rule classes, looked up by code (``SW501``) or name (``drop-column``)."""

    def __init__(self, rules: Iterable[type[Rule]]):
        self.rules: tuple[type[Rule], ...] = tuple(sorted(rules, key=lambda r: r.code))
        self._by_key: dict[str, type[Rule]] = {}
        for rule in self.rules:
            for key in (rule.code.lower(), rule.name):
                if key in self._by_key:
                    raise TypeError(f"duplicate rule id or name {key!r}")
                self._by_key[key] = rule

    def __iter__(self) -> Iterator[type[Rule]]:
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def resolve(self, ident: str) -> type[Rule]:
        """The rule with this code or name (case-insensitive); ``UnknownRule`` with a suggestion otherwise."""
        key = ident.strip().lower()
        if key in self._by_key:
            return self._by_key[key]
        names = [] if CODE_PATTERN.match(ident.strip().upper()) else [r.name for r in self.rules]
        close = difflib.get_close_matches(key, names, n=1)
        raise UnknownRule(ident, self._by_key[close[0]].code + f" ({close[0]})" if close else None)

    def configure(self, config: LintConfig | None = None) -> ActiveRules:
        config = config or LintConfig()
        chosen = [rule(config.severity.get(rule.code)) for rule in self.rules if rule.code not in config.disable]
        return ActiveRules(chosen)

    def parse_ignore(self, comment: str) -> tuple[bool, frozenset[str]] | None:
        """Read a suppression comment: ``(whole_file, codes)``; codes are ``ALL_RULES`` when none are named.

        ``schemawright:ignore ID...`` covers one statement, ``schemawright:ignore-file ID...`` the file.
        IDs (codes or names, separated by spaces or commas) are read up to the first word that is not
        one, so a reason may follow: ``-- schemawright:ignore SW519 column unused since v2``.
        """
        match = IGNORE_MARKER.search(comment)
        if not match:
            return None
        codes = []
        for word in re.split(r"[\s,]+", match.group("rest").strip()):
            try:
                codes.append(self.resolve(word).code)
            except UnknownRule:
                break
        return bool(match.group("file")), frozenset(codes) if codes else ALL_RULES


class ActiveRules:
    """Configured rule instances, dispatched by target type (including subclasses)."""

    def __init__(self, rules: Sequence[Rule]):
        self.rules = list(rules)
        self._by_type: dict[type, list[Rule]] = {}

    def for_target(self, target: Any) -> list[Rule]:
        kind = type(target)
        if kind not in self._by_type:
            self._by_type[kind] = [r for r in self.rules if issubclass(kind, r.targets)]
        return self._by_type[kind]

    def check(self, target: Any, ctx: Any) -> list[Finding]:
        return [finding for rule in self.for_target(target) for finding in rule.check(target, ctx)]

    def infos(self) -> list[RuleInfo]:
        return [type(r).info() for r in self.rules]


def is_suppressed(finding: Finding, suppressed: frozenset[str]) -> bool:
    return finding.rule in suppressed or not ALL_RULES.isdisjoint(suppressed)


@dataclass(frozen=True)
class LintConfig:
    """What the user configured: disabled rules, severity overrides (by code) and analyzer options."""

    disable: frozenset[str] = frozenset()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    options: Mapping[str, Any] = field(default_factory=dict)


def load_config(path: str | Path, ruleset: RuleSet, options: Mapping[str, type]) -> LintConfig:
    """Read a YAML config file; every problem is reported with its line (``SpecError``).

    ``options`` lists the analyzer's own keys and their types, e.g. ``{"pg_version": int}``::

        disable: [SW532, json-column]
        severity: {SW536: warning, timestamp-without-time-zone: error}
        pg_version: 13
    """
    file = str(path)
    try:
        root = yaml.compose(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise SpecError(SpecProblem(f"cannot read the config file: {exc.strerror}", file=file)) from None
    except yaml.YAMLError as exc:
        raise SpecError(SpecProblem.from_yaml_error(exc, file)) from None
    reader = _ConfigReader(file, ruleset, options)
    config = reader.read(root)
    if reader.problems:
        raise SpecError(reader.problems)
    return config


class _ConfigReader:
    def __init__(self, file: str, ruleset: RuleSet, options: Mapping[str, type]):
        self.file, self.ruleset, self.options = file, ruleset, options
        self.problems: list[SpecProblem] = []

    def problem(self, node: yaml.Node, path: str, message: str, **kw: Any) -> None:
        self.problems.append(SpecProblem(message, file=self.file, line=node.start_mark.line + 1,
                                         column=node.start_mark.column + 1, path=path, **kw))

    def read(self, root: yaml.Node | None) -> LintConfig:
        if root is None:
            return LintConfig()
        if not isinstance(root, yaml.MappingNode):
            self.problem(root, "", "the config must be a mapping", expected="disable/severity/options")
            return LintConfig()
        disable: set[str] = set()
        severity: dict[str, Severity] = {}
        options: dict[str, Any] = {}
        known = ["disable", "severity", *self.options]
        for key_node, value in root.value:
            key = key_node.value
            if key == "disable":
                disable.update(self.rule_list(value))
            elif key == "severity":
                severity.update(self.severities(value))
            elif key in self.options:
                options[key] = self.option(key, value)
            else:
                close = difflib.get_close_matches(str(key), known, n=1)
                self.problem(key_node, str(key), "unknown key", expected=", ".join(known),
                             hint=f"did you mean {close[0]!r}?" if close else None)
        return LintConfig(frozenset(disable), severity, options)

    def rule_code(self, node: yaml.Node, path: str) -> str | None:
        try:
            return self.ruleset.resolve(str(node.value)).code
        except UnknownRule as exc:
            self.problem(node, path, str(exc))
            return None

    def rule_list(self, node: yaml.Node) -> list[str]:
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, "disable", "expected a list of rule ids or names")
            return []
        codes = [self.rule_code(item, f"disable[{i}]") for i, item in enumerate(node.value)]
        return [c for c in codes if c]

    def severities(self, node: yaml.Node) -> dict[str, Severity]:
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, "severity", "expected a mapping of rule id or name to a severity")
            return {}
        result = {}
        for key_node, value in node.value:
            code = self.rule_code(key_node, f"severity.{key_node.value}")
            try:
                level = Severity(str(value.value).lower())
            except (ValueError, AttributeError):
                self.problem(value, f"severity.{key_node.value}", "not a severity",
                             expected="info, warning or error", got=repr(getattr(value, "value", None)))
                continue
            if code:
                result[code] = level
        return result

    def option(self, key: str, node: yaml.Node) -> Any:
        kind = self.options[key]
        value = yaml.safe_load(yaml.serialize(node))
        if kind is int and isinstance(value, int) and not isinstance(value, bool):
            return value
        if kind is not int and isinstance(value, kind):
            return value
        self.problem(node, key, "wrong type", expected=kind.__name__, got=repr(value))
        return None
