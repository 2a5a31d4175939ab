"""The Python API: what the CLI (and any other front end) calls. No printing here."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from schemawright.design import design, preflight
from schemawright.model.schema import Schema
from schemawright.render import Artifact, render_all
from schemawright.render.docs import schema_counts
from schemawright.render.writer import write_folder
from schemawright.spec.load import load_task_input
from schemawright.spec.models import TaskInput


@dataclass
class DesignResult:
    spec: TaskInput
    schema: Schema
    artifacts: list[Artifact]
    counts: dict[str, int]
    out_dir: Path | None = None


def design_schema(spec_path: str | Path) -> tuple[TaskInput, Schema]:
    """Load and validate a task input and design its schema (no files written)."""
    spec, smap = load_task_input(spec_path)
    return spec, design(spec, smap)


def design_project(spec_path: str | Path, out_dir: str | Path | None = None, *, force: bool = False) -> DesignResult:
    """Design from a task input and, with ``out_dir``, write the project folder atomically."""
    timings: dict[str, float] = {}
    start = time.perf_counter()
    spec, smap = load_task_input(spec_path)
    schema = design(spec, smap)
    timings["design"] = time.perf_counter() - start
    start = time.perf_counter()
    artifacts = render_all(schema, spec, timings)
    timings["render"] = time.perf_counter() - start
    start = time.perf_counter()
    preflight.check(schema, artifacts, smap)  # nothing the server rejects is written
    timings["preflight"] = time.perf_counter() - start
    result = DesignResult(spec=spec, schema=schema, artifacts=artifacts, counts=schema_counts(schema))
    if out_dir is not None:
        result.out_dir = write_folder(artifacts, out_dir, force=force)
    return result

