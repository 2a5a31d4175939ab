"""``schemawright mcp``: the capabilities as Model Context Protocol tools over stdio.

Built with the official ``mcp`` Python SDK (``MCPServer``, the SDK's 2.x name of FastMCP) on
``schemawright.api``: every tool takes typed arguments and returns a typed result (a pydantic model, so the
client receives structured content and its JSON Schema). An AI agent uses it as its database architect:
propose a task input, ``design``, ``verify``, read the findings, fix the input, repeat.

Errors the user can fix (a bad task input, a missing folder, a refused DSN) come back as tool errors carrying
the same message the CLI prints (file, line, field, expected vs got), never a traceback. The SDK diverts the
process's stdout to stderr while it serves, so nothing a feature or a child process (initdb, pg_ctl) prints
can corrupt the protocol stream.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, Field

from schemawright import api
from schemawright.errors import SchemawrightError

INSTRUCTIONS = """schemawright designs PostgreSQL schemas from a task input (YAML/JSON: project, task.requirements,
data_model.entities, relationships, business_rules, performance_targets, security_requirements) and proves
them on a real PostgreSQL. Loop: call `design` with a task input (a path, or the text itself), then `verify`
on the folder it wrote; read failed checks, `requirements.not_understood` and warnings, change the input,
design again. `lint` and `diff` work on any source (task input, design folder, SQL file, migrations folder,
DSN); `import` turns an existing schema into a task input; `seed`/`bench` load data and measure a design;
`advise` suggests indexes for queries on a database; `docs` reads the generated documentation."""


def _fail(exc: Exception) -> ToolError:
    return ToolError(str(exc))


def _call(fn, *args, **kwargs):
    """Run an API function; errors the user can act on become tool errors with the CLI's message."""
    try:
        return fn(*args, **kwargs)
    except SchemawrightError as exc:
        raise _fail(exc) from None
    except (OSError, ValueError) as exc:
        raise _fail(exc) from None


# ---- typed results ---------------------------------------------------------------------------------------

class Decision(BaseModel):
    rule: str
    subject: str
    decision: str
    reason: str


class RequirementMatch(BaseModel):
    requirement: str = Field(description="the requirement as written in task.requirements")
    pattern: str = Field(description="the domain pattern it matched")
    added: list[str] = Field(default_factory=list, description="tables, columns and rules the pattern added")


class Requirements(BaseModel):
    matched: list[RequirementMatch] = Field(default_factory=list)
    not_understood: list[str] = Field(default_factory=list,
                                      description="requirements no pattern matched: model them by hand")


class DesignOutput(BaseModel):
    out_dir: str | None = Field(description="the project folder written (None when no out_dir was given)")
    counts: dict[str, int] = Field(description="tables, columns, indexes, ... in the design")
    tables: list[str]
    requirements: Requirements
    warnings: list[Decision] = Field(description="inferences that lower confidence: invented tables, "
                                                 "unknown types, rules not understood")
    inferences: int = Field(description="number of decisions logged in docs/inferences.md")
    schema_sql: str | None = Field(default=None, description="the physical model (DDL), when asked for")


class Check(BaseModel):
    name: str
    group: str
    ok: bool
    detail: str = ""
    problems: list[str] = Field(default_factory=list)


class VerifyOutput(BaseModel):
    passed: bool
    checks: int
    failed: int
    by_group: dict[str, dict[str, int]]
    failures: list[Check] = Field(description="every failed check with its problems")
    report_path: str | None = Field(description="verification.json written into the folder")


class LintFinding(BaseModel):
    rule: str
    name: str
    severity: str
    message: str
    object: str | None = None
    fix: str | None = None


class LintOutput(BaseModel):
    target: str
    objects: int
    findings: list[LintFinding]
    skipped_rules: list[str] = Field(default_factory=list, description="rules that need a live database")


class DiffOutput(BaseModel):
    changes: list[str] = Field(description="one line per change, in order")
    forward_sql: str
    undo_sql: str


class ImportOutput(BaseModel):
    source_kind: str
    tables: list[str]
    task_input_yaml: str = Field(description="the task input (every convention off) that designs back to it")
    skipped: list[str] = Field(description="what the source holds that the model does not carry, and why")


class SeedOutput(BaseModel):
    rows: int
    tables: dict[str, int]
    created_schema: bool
    copy_seconds: float


class AdviceOutput(BaseModel):
    mode: str
    indexes: list[dict[str, Any]] = Field(description="indexes to add, with the statement and the gain measured")
    rejected: list[dict[str, Any]]
    redundant: list[dict[str, Any]]
    unused: list[dict[str, Any]]


class DocsOutput(BaseModel):
    files: list[str] = Field(description="the documentation files of the project folder")
    name: str | None = None
    text: str | None = Field(default=None, description="the content of the file asked for")


# ---- the tools -------------------------------------------------------------------------------------------

def _input_path(task_input: str | None, task_input_text: str | None, keep: list) -> str:
    """The task input as a path: given, or the text written to a temporary file (JSON is YAML)."""
    if (task_input is None) == (task_input_text is None):
        raise ToolError("give exactly one of task_input (a path) and task_input_text (YAML or JSON text)")
    if task_input is not None:
        return task_input
    tmp = tempfile.TemporaryDirectory(prefix="schemawright-mcp-")
    keep.append(tmp)
    path = Path(tmp.name) / "task_input.yaml"
    path.write_text(task_input_text, encoding="utf-8")
    return str(path)


def requirements_of(schema) -> Requirements:
    """Matched and not-understood requirements, read from the design's inferences."""
    from schemawright.render.agent_output import requirements_section

    section = requirements_section(schema)
    return Requirements(matched=[RequirementMatch(requirement=m["requirement"], pattern=m["pattern"],
                                                  added=m["added"]) for m in section["matched"]],
                        not_understood=[n["requirement"] for n in section["not_understood"]])


def design(task_input: str | None = None, task_input_text: str | None = None, out_dir: str | None = None,
           force: bool = False, include_sql: bool = False, patterns: bool = True) -> DesignOutput:
    """Design a PostgreSQL schema from a task input and (with out_dir) write the project folder: migrations,
    docs, security, ORM models, agent_output.json. Give task_input (a path to a YAML/JSON file) or
    task_input_text (the input itself). Returns what was designed, which requirements matched a domain
    pattern, which were not understood, and the warnings. patterns=false: do not read task.requirements."""
    from schemawright.analysis.confidence import WARNING_RULES

    keep: list = []
    try:
        path = _input_path(task_input, task_input_text, keep)
        result = _call(api.design_project, path, out_dir, force=force, patterns=patterns)
    finally:
        for tmp in keep:
            tmp.cleanup()
    schema = result.schema
    sql = next((a.content for a in result.artifacts if a.path == "models/physical/physical_model.sql"), None)
    warnings = [Decision(**i.to_dict()) for i in schema.inferences if i.rule in WARNING_RULES
                or i.rule.startswith("warning.") or i.rule.endswith(".not_understood")]
    return DesignOutput(out_dir=str(result.out_dir) if result.out_dir else None, counts=result.counts,
                        tables=[t.name for t in schema.tables], requirements=requirements_of(schema),
                        warnings=warnings, inferences=len(schema.inferences),
                        schema_sql=sql if include_sql else None)


def verify(folder: str, dsn: str | None = None) -> VerifyOutput:
    """Prove a project folder written by design on a real PostgreSQL (a private throw-away server unless dsn
    is given): migrations forward, catalog equals the design, undo leaves nothing, every constraint refuses
    what it must, security checks. Returns the counts and every failed check."""
    report = _call(api.verify_project, folder, dsn=dsn)
    data = report.to_dict()
    failures = [Check(name=s.name, group=s.group, ok=s.ok, detail=s.detail, problems=list(s.problems))
                for s in report.steps if not s.ok]
    return VerifyOutput(passed=report.passed, checks=data["summary"]["checks"], failed=data["summary"]["failed"],
                        by_group=data["summary"]["by_group"], failures=failures, report_path=report.path)


def lint(source: str, dsn: str | None = None) -> LintOutput:
    """Lint a schema (task input, design folder, model JSON, SQL file, migrations folder or a PostgreSQL URL)
    for naming, structure, type, index and security problems (rules SW1xx-SW7xx)."""
    result = _call(api.lint_schema, source, dsn)
    findings = [LintFinding(rule=f.rule, name=f.name, severity=str(f.severity), message=f.message,
                            object=f.location.object, fix=f.fix) for f in result.findings]
    return LintOutput(target=result.target, objects=result.objects, findings=findings,
                      skipped_rules=list(result.skipped))


def diff(source_from: str, source_to: str, dsn: str | None = None, allow_destructive: bool = False,
         cleanup: str | None = None) -> DiffOutput:
    """The migration from one schema to another (any two sources lint reads): online-safe forward SQL and its
    undo. Changes that lose data are refused unless allow_destructive. cleanup: the path of a cleanup file
    (YAML/JSON: fill NULLs, delete duplicates, fix or delete rows violating a CHECK, map removed values)
    whose data changes run before the tightenings the rows would refuse."""
    migration = _call(api.diff, source_from, source_to, dsn=dsn, allow_destructive=allow_destructive,
                      cleanup=cleanup)
    return DiffOutput(changes=[str(c) for c in migration.changes], forward_sql=migration.forward_sql(),
                      undo_sql=migration.undo_sql())


def import_schema(source: str, dsn: str | None = None, kind: str | None = None) -> ImportOutput:
    """Reverse-engineer an existing schema (PostgreSQL/MySQL/SQLite DDL file, DBML file, or a PostgreSQL
    URL) into a task input that designs back to the same schema."""
    from schemawright.importers.to_spec import to_yaml

    result = _call(api.import_source, source, dsn, kind=kind)
    label = source if "://" not in source else "database"
    return ImportOutput(source_kind=result.source_kind, tables=[t.name for t in result.schema.tables],
                        task_input_yaml=_call(to_yaml, result, label), skipped=result.skipped_lines)


def seed(path: str, dsn: str | None = None, scale: float = 0.01, seed: int = 42) -> SeedOutput:
    """Create the design (folder or task input) on the database if absent and load constraint-satisfying
    synthetic rows with COPY (default: the embedded PostgreSQL)."""
    result = _call(api.seed, path, dsn, scale=scale, seed=seed)
    return SeedOutput(rows=result.load.rows, tables={t.table: t.rows for t in result.load.tables},
                      created_schema=result.created_schema, copy_seconds=round(result.load.copy_seconds, 3))


def bench(path: str, dsn: str | None = None, scale: float = 0.01, duration: float = 5.0,
          clients: int = 2) -> dict[str, Any]:
    """Seed a scratch database with the design and run its workload: latency and throughput against the
    performance targets, beside a primary-key-only baseline. Returns the bench.json document."""
    return _call(api.bench, path, dsn, scale=scale, duration=duration, clients=clients)


def advise(queries: list[str], dsn: str | None = None, measure: bool = True) -> AdviceOutput:
    """Indexes that measurably help the given SQL queries on the database at dsn; redundant and unused
    indexes."""
    if not queries:
        raise ToolError("give at least one query")
    advice = _call(api.advise, dsn, [(q, 1.0) for q in queries], measure=measure)
    data = json.loads(json.dumps(advice.to_dict(), default=str))
    return AdviceOutput(mode=data["mode"], indexes=data["indexes"], rejected=data["rejected"],
                        redundant=data["redundant"], unused=data["unused"])


def docs(folder: str, name: str | None = None) -> DocsOutput:
    """List the documentation of a project folder written by design (docs/*.md, README.md); with name, read
    one of them (e.g. docs/inferences.md, docs/data_dictionary.md)."""
    root = Path(folder)
    if not root.is_dir():
        raise ToolError(f"{folder}: no such project folder")
    files = sorted(str(p.relative_to(root)) for p in [*root.glob("*.md"), *root.glob("docs/**/*")] if p.is_file())
    if name is None:
        return DocsOutput(files=files)
    if name not in files:
        raise ToolError(f"{name} is not a documentation file of {folder}; one of: {', '.join(files)}")
    return DocsOutput(files=files, name=name, text=(root / name).read_text(encoding="utf-8"))


TOOLS = {"design": design, "verify": verify, "lint": lint, "diff": diff, "import": import_schema, "seed": seed,
         "bench": bench, "advise": advise, "docs": docs}


def build_server() -> MCPServer:
    server = MCPServer("schemawright", instructions=INSTRUCTIONS)
    for name, fn in TOOLS.items():
        server.add_tool(fn, name=name, description=fn.__doc__, structured_output=True)
    return server


def serve() -> None:
    """Serve over stdio until the client closes the stream."""
    build_server().run("stdio")
