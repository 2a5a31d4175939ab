"""Renderers: canonical schema -> the files of the generated project.

Each renderer is a ``Renderer`` subclass in its own module, registered by defining ``name``;
``RENDERERS`` lists the modules in the order they run. Adding an output is one module plus one
entry here. A renderer returns ``Artifact``s (path relative to the output folder, text content);
it never writes files itself, so output is written all at once or not at all.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field

from schemawright.gc_pause import collector_paused
from schemawright.model.schema import Schema

# What ``schemawright docs`` writes for any source (a subset of RENDERERS, same order); only their
# docs/ and models/ files are kept.
DOC_RENDERERS = ("dictionary", "erd_image", "design_docs", "disaster_recovery", "html_report")
RENDERERS = ("sql_files", "model_json", "seed_data", "dictionary", "security_docs", "security_pgtap", "config", "operations", "retention_jobs", "cache_layer", "sharding", "replicas", "orm_sqlalchemy", "orm_alembic", "orm_django", "orm_typeorm", "orm_sequelize", "orm_prisma", "mongodb", "orm_mongoose", "erd_image", "design_docs", "monitoring", "disaster_recovery", "html_report", "docs", "dialect_report", "agent_output")  # agent_output last: it lists the other artifacts
REGISTRY: dict[str, type[Renderer]] = {}


@dataclass(slots=True)
class Artifact:
    path: str  # relative, forward slashes
    content: str | bytes  # bytes: an image (docs/erd.png)
    kind: str  # schema | migration | script | doc | report
    description: str = ""
    # Why agent_output.json lists this file without its text (the same text is in another file the report
    # carries, or it is data better read from the file); empty: the report carries the text.
    text_elsewhere: str = ""


@dataclass(slots=True)
class RenderContext:
    """What a renderer reads: the designed model and its facts (``schema.facts``), never the raw input."""

    schema: Schema
    artifacts: list[Artifact] = field(default_factory=list)  # produced so far, in renderer order
    timings: dict[str, float] = field(default_factory=dict)
    dialect: str = "postgresql"  # the target database (dialects.DIALECTS)
    degradations: list = field(default_factory=list)  # dialects.base.Degradation: what the target lost
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (renderer, why) not written for the target
    # design --dialect citus: the distribution plan (dialects.citus.Decision per table); the SQL is PostgreSQL's
    distribution: list = field(default_factory=list)
    orms: tuple[str, ...] = ()  # ORM outputs asked for (integration.orm_framework, design --orm), lower case
    # results of earlier runs found beside a design (verification.json, bench.json) for the HTML report
    results: dict[str, dict] = field(default_factory=dict)


class Renderer:
    name: str = ""
    dialects: tuple[str, ...] = ("postgresql",)  # the targets this output makes sense for
    skip_reason: str = "PostgreSQL-specific output"  # said when the target is another database

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        if cls.name:
            REGISTRY[cls.name] = cls

    def applies(self, ctx: RenderContext) -> bool:
        """Whether this output is wanted at all (an ORM nobody asked for is not a skipped output)."""
        return True

    def render(self, ctx: RenderContext) -> list[Artifact]:
        raise NotImplementedError


class OrmRenderer(Renderer):
    """An ORM output: wanted only when ``integration.orm_framework`` (or ``design --orm``) names one of
    ``requests``."""

    requests: tuple[str, ...] = ()

    def applies(self, ctx: RenderContext) -> bool:
        return any(o in self.requests for o in ctx.orms)


INITIAL_MIGRATION = ("migrations/V001__initial_schema.sql", "migrations/U001__initial_schema.sql")


def initial_migration(ctx: RenderContext) -> tuple[str, str] | None:
    """The text of the design's V001 and of its undo U001 among the artifacts rendered so far (the ORM
    migrations that run them), or None when either is missing."""
    files = {a.path: a.content for a in ctx.artifacts}
    forward, backward = (files.get(path) for path in INITIAL_MIGRATION)
    if forward is None or backward is None:
        return None
    return forward, backward


def render_all(schema: Schema, spec: object = None, timings: dict[str, float] | None = None, *,
               dialect: str = "postgresql", degradations: list | None = None,
               orms: tuple[str, ...] | None = None, distribution: list | None = None) -> list[Artifact]:
    """Every renderer's artifacts for ``schema``. ``spec`` is accepted for older callers and not read:
    everything a renderer needs is in the model and its facts. For another ``dialect`` (``schema`` already
    adapted to it, ``degradations`` what that cost), renderers that do not list it are skipped and the
    skip is reported (docs/dialect.md, agent_output.json)."""
    if orms is None:  # integration.orm_framework, e.g. "django" or "sqlalchemy, alembic"
        integration = schema.facts.integration
        text = (integration.orm_framework or "") if integration else ""
        orms = tuple(o.strip().lower() for o in re.split(r"[,+/ ]+", text) if o.strip())
    ctx = RenderContext(schema=schema, timings=timings or {}, dialect=dialect, degradations=list(degradations or ()),
                        orms=tuple(orms), distribution=list(distribution or ()))
    with collector_paused():
        for module in RENDERERS:
            importlib.import_module(f"schemawright.render.{module}")
            renderer = REGISTRY[module]()
            if dialect not in renderer.dialects:
                if dialect != "postgresql" and renderer.applies(ctx):
                    ctx.skipped.append((module, renderer.skip_reason))
                continue
            ctx.artifacts += renderer.render(ctx)
    return ctx.artifacts


def render_docs(schema: Schema, results: dict[str, dict] | None = None) -> list[Artifact]:
    """The documentation of ``schema`` (DOC_RENDERERS): docs/ and models/ files only. ``results``:
    verification.json / bench.json contents to show in the HTML report."""
    ctx = RenderContext(schema=schema, results=results or {})
    with collector_paused():
        for module in DOC_RENDERERS:
            importlib.import_module(f"schemawright.render.{module}")
            ctx.artifacts += REGISTRY[module]().render(ctx)
    return [a for a in ctx.artifacts if a.path.startswith(("docs/", "models/"))]
