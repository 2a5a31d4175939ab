"""The one result type of every analyzer: a ``Finding`` with a ``Severity`` and a ``Location``.

The migration lint, the schema lint and the advisors all report findings; the formatters in
``schemawright.report_formats`` print any list of them as text, JSON or SARIF. ``RuleInfo`` describes
the rule behind a finding (for SARIF's rule table and the generated docs) without importing the engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """How bad a finding is; ordered ``INFO < WARNING < ERROR``."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def at_least(self, other: Severity) -> bool:
        return self.rank >= other.rank


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


@dataclass(frozen=True)
class Location:
    """Where a finding points: a file position (SQL lint) and/or a model object path (schema lint).

    Lines and columns are 1-based; columns count characters (Unicode code points), not bytes.
    """

    file: str | None = None
    line: int | None = None
    column: int | None = None
    end_line: int | None = None
    end_column: int | None = None
    object: str | None = None  # e.g. "public.orders.user_id"

    def __str__(self) -> str:
        text = self.file or self.object or "<input>"
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        if self.file and self.object:
            text += f" ({self.object})"
        return text


@dataclass(frozen=True)
class Finding:
    """One problem found by a rule, with the rule's id and name, a message and the suggested fix."""

    rule: str  # "SW501"
    name: str  # "not-null-column-without-default"
    severity: Severity
    message: str
    location: Location = field(default_factory=Location)
    fix: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"rule": self.rule, "name": self.name, "severity": str(self.severity),
                                "message": self.message}
        data.update({k: v for k, v in self.location.__dict__.items() if v is not None})
        if self.fix:
            data["fix"] = self.fix
        return data

    def sort_key(self) -> tuple:
        loc = self.location
        return (loc.file or "", loc.object or "", loc.line or 0, loc.column or 0, self.rule)


@dataclass(frozen=True)
class RuleInfo:
    """What a report needs to know about a rule: id, name, default severity and its documentation."""

    code: str
    name: str
    severity: Severity
    summary: str  # one line
    description: str  # the rest of the rule's docstring (Markdown)
    fix: str  # the safe rewrite, one or two sentences
    groups: tuple[str, ...] = ()
