"""Renderers: canonical schema -> the files of the generated project.

Each renderer is a ``Renderer`` subclass in its own module, registered by defining ``name``;
``RENDERERS`` lists the modules in the order they run. Adding an output is one module plus one
entry here. A renderer returns ``Artifact``s (path relative to the output folder, text content);
it never writes files itself, so output is written all at once or not at all.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from schemawright.gc_pause import collector_paused
from schemawright.model.schema import Schema

# What ``schemawright docs`` writes for any source (a subset of RENDERERS, same order); only their
# docs/ and models/ files are kept.
DOC_RENDERERS = ("dictionary", "erd_image", "design_docs", "disaster_recovery", "html_report")
RENDERERS = ("sql_files", "model_json", "seed_data", "dictionary", "security_docs", "security_pgtap", "config", "operations", "orm_sqlalchemy", "erd_image", "design_docs", "monitoring", "disaster_recovery", "html_report", "docs", "agent_output")  # agent_output last: it lists the other artifacts
REGISTRY: dict[str, type[Renderer]] = {}


@dataclass(slots=True)
class Artifact:
    path: str  # relative, forward slashes
    content: str | bytes  # bytes: an image (docs/erd.png)
    kind: str  # schema | migration | script | doc | report
    description: str = ""


@dataclass(slots=True)
class RenderContext:
    """What a renderer reads: the designed model and its facts (``schema.facts``), never the raw input."""

    schema: Schema
    artifacts: list[Artifact] = field(default_factory=list)  # produced so far, in renderer order
    timings: dict[str, float] = field(default_factory=dict)
    # results of earlier runs found beside a design (verification.json, bench.json) for the HTML report
    results: dict[str, dict] = field(default_factory=dict)


class Renderer:
    name: str = ""

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        if cls.name:
            REGISTRY[cls.name] = cls

    def render(self, ctx: RenderContext) -> list[Artifact]:
        raise NotImplementedError


def render_all(schema: Schema, spec: object = None, timings: dict[str, float] | None = None) -> list[Artifact]:
    """Every renderer's artifacts for ``schema``. ``spec`` is accepted for older callers and not read:
    everything a renderer needs is in the model and its facts."""
    ctx = RenderContext(schema=schema, timings=timings or {})
    with collector_paused():
        for module in RENDERERS:
            importlib.import_module(f"schemawright.render.{module}")
            ctx.artifacts += REGISTRY[module]().render(ctx)
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
