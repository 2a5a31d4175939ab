"""Print findings as text (for people), JSON (for scripts) or SARIF 2.1.0 (for GitHub code scanning).

Every analyzer's CLI calls ``format_findings(findings, fmt, rules=...)``; the rules are the
``RuleInfo`` of every rule that ran, so SARIF's ``tool.driver.rules`` lists them with their help.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path, PurePath
from urllib.parse import quote

from schemawright import __version__
from schemawright.findings import Finding, RuleInfo, Severity

FORMATS = ("text", "json", "sarif")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_GITHUB_SEVERITY = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "recommendation"}


def format_findings(findings: Sequence[Finding], fmt: str, *, rules: Sequence[RuleInfo] = (),
                    files_checked: int | None = None, unmodelled: Sequence[dict] | None = None) -> str:
    """Render ``findings`` in ``fmt`` (one of ``FORMATS``); the result ends with a newline. ``unmodelled``: the
    objects the schema model does not hold (kind, schema, name, why, definition), listed in JSON."""
    ordered = sorted(findings, key=Finding.sort_key)
    if fmt == "text":
        return format_text(ordered, files_checked=files_checked)
    if fmt == "json":
        return format_json(ordered, files_checked=files_checked, unmodelled=unmodelled)
    if fmt == "sarif":
        return format_sarif(ordered, rules)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def summary_line(findings: Sequence[Finding], files_checked: int | None = None) -> str:
    """E.g. ``3 findings (1 error, 2 warnings) in 2 files``."""
    counts = Counter(f.severity for f in findings)
    parts = [_plural(counts[s], str(s)) for s in (Severity.ERROR, Severity.WARNING, Severity.INFO) if counts[s]]
    text = _plural(len(findings), "finding") + (f" ({', '.join(parts)})" if parts else "")
    if files_checked is not None:
        text += f" in {_plural(files_checked, 'file')}"
    return text


def format_text(findings: Sequence[Finding], *, files_checked: int | None = None) -> str:
    lines = []
    for f in findings:
        lines.append(f"{f.location}: {f.severity} {f.rule} {f.name}: {f.message}")
        if f.fix:
            lines.append("    fix: " + f.fix.replace("\n", "\n         "))
    lines.append(summary_line(findings, files_checked))
    return "\n".join(lines) + "\n"


def format_json(findings: Sequence[Finding], *, files_checked: int | None = None,
                unmodelled: Sequence[dict] | None = None) -> str:
    counts = Counter(str(f.severity) for f in findings)
    summary: dict = {"total": len(findings), "by_severity": {str(s): counts[str(s)] for s in Severity}}
    if files_checked is not None:
        summary["files"] = files_checked
    data = {"tool": "schemawright", "version": __version__, "findings": [f.to_dict() for f in findings],
            "summary": summary}
    if unmodelled is not None:
        data["unmodelled"] = list(unmodelled)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def format_sarif(findings: Sequence[Finding], rules: Sequence[RuleInfo]) -> str:
    """A SARIF 2.1.0 log with one run; rules that produced findings but were not passed are added."""
    infos = {r.code: r for r in rules}
    for f in findings:
        infos.setdefault(f.rule, RuleInfo(f.rule, f.name, f.severity, f.name, "", f.fix or ""))
    index = {code: i for i, code in enumerate(infos)}
    run = {
        "tool": {"driver": {"name": "schemawright", "version": __version__, "semanticVersion": __version__,
                            "rules": [_sarif_rule(r) for r in infos.values()]}},
        "columnKind": "unicodeCodePoints",
        "results": [_sarif_result(f, index[f.rule]) for f in findings],
    }
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _sarif_rule(rule: RuleInfo) -> dict:
    help_md = f"{rule.summary}\n\n{rule.description}".strip()
    if rule.fix:
        help_md += f"\n\n**Fix:** {rule.fix}"
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.summary},
        "help": {"text": help_md, "markdown": help_md},
        "defaultConfiguration": {"level": _SARIF_LEVEL[rule.severity]},
        "properties": {"tags": list(rule.groups), "precision": "high",
                       "problem.severity": _GITHUB_SEVERITY[rule.severity]},
    }


def _sarif_result(f: Finding, rule_index: int) -> dict:
    text = f.message + (f" Fix: {f.fix}" if f.fix else "")
    result: dict = {"ruleId": f.rule, "ruleIndex": rule_index, "level": _SARIF_LEVEL[f.severity],
                    "message": {"text": text}}
    loc = f.location
    if loc.file:
        region = {"startLine": loc.line or 1, "startColumn": loc.column or 1}
        if loc.end_line is not None and loc.end_column is not None:
            region.update(endLine=loc.end_line, endColumn=loc.end_column)
        physical = {"artifactLocation": {"uri": _uri(loc.file)}, "region": region}
        result["locations"] = [{"physicalLocation": physical}]
        if loc.object:  # several objects can share a line (a CREATE TABLE): tell their alerts apart
            result["locations"][0]["logicalLocations"] = [{"fullyQualifiedName": loc.object}]
            digest = hashlib.sha256(f"{f.rule}:{loc.object}".encode()).hexdigest()[:32]
            result["partialFingerprints"] = {"schemawrightObject/v1": digest}
    elif loc.object:
        result["locations"] = [{"logicalLocations": [{"fullyQualifiedName": loc.object}]}]
    return result


def _uri(file: str) -> str:
    """A relative URI (to the working directory, i.e. the repository root in CI) when possible."""
    path = Path(file)
    if path.is_absolute():
        try:
            path = path.resolve().relative_to(Path.cwd().resolve())
        except ValueError:
            return path.resolve().as_uri()
    return quote(PurePath(path).as_posix())


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")
