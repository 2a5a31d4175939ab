"""Write a set of artifacts as one folder, atomically: all files appear together or none do."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from schemawright.errors import SchemawrightError
from schemawright.model.schema import Schema
from schemawright.render import Artifact

MARKER = "agent_output.json"  # a folder holding this was written by schemawright and may be replaced


class OutputError(SchemawrightError):
    exit_code = 2


def write_folder(artifacts: list[Artifact], out_dir: str | Path, *, force: bool = False) -> Path:
    """Write ``artifacts`` under ``out_dir``.

    The files are written to a temporary sibling folder first and moved into place with renames, so
    an interrupted run never leaves a half-written folder. An existing folder is replaced only if an
    earlier schemawright run wrote it (or ``force``); anything else there is left untouched.
    """
    out = Path(out_dir).resolve()
    if out.exists():
        if not out.is_dir():
            raise OutputError(f"{out} exists and is not a folder")
        if any(out.iterdir()) and not (out / MARKER).exists() and not force:
            raise OutputError(f"{out} is not empty and was not written by schemawright; "
                              "choose another folder or pass --force to replace it")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    except OSError as exc:
        raise OutputError(f"cannot write {out}: {exc.strerror or exc}") from None
    try:
        for a in artifacts:
            target = _write(staging, a)
            if a.path.endswith(".sh"):
                target.chmod(0o755)
        if out.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
            os.rename(out, retired / out.name)
            os.rename(staging, out)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.rename(staging, out)
    except OSError as exc:  # a full disk or an unwritable folder: say so, leave nothing behind
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(f"cannot write {out}: {exc.strerror or exc}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out


def _write(folder: Path, a: Artifact) -> Path:
    """Write one artifact below ``folder`` (text as UTF-8, an image as its bytes); its path."""
    target = folder / a.path
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(a.content, bytes):
        target.write_bytes(a.content)
    else:
        target.write_text(a.content, encoding="utf-8")
    return target


@dataclass
class DocsResult:
    schema: Schema
    artifacts: list[Artifact]
    out_dir: Path
    warnings: list[str]


def write_docs(source: str, out_dir: str | Path, *, dsn: str | None = None, schema: Schema | None = None,
               warnings: list[str] | None = None) -> DocsResult:
    """``schemawright docs``: load any source through the one loader, render the documentation
    (``render_docs``) and write its files into ``out_dir``, leaving anything else there alone. A design
    folder's verification.json, bench.json and backup.json go into the HTML report and the runbook.
    ``schema``: already read (by an importer: MySQL/SQLite DDL, DBML); ``warnings``: what reading it skipped."""
    from schemawright.project.sources import load_schema
    from schemawright.render import render_docs
    from schemawright.render.erd_image import PROBLEMS, graphviz_missing

    if schema is None:
        schema = load_schema(str(source), dsn=dsn)
    results: dict[str, dict] = {}
    folder = Path(source)
    if folder.is_dir():
        for name in ("verification.json", "bench.json", "backup.json", "agent_output.json"):
            try:
                results[name] = json.loads((folder / name).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
    artifacts = render_docs(schema, results)
    out = Path(out_dir)
    try:
        for a in artifacts:
            _write(out, a)
    except OSError as exc:
        raise OutputError(f"cannot write {out}: {exc.strerror or exc}") from None
    warnings = list(warnings or []) + [w for w in (graphviz_missing(),) if w]
    warnings += [f"some ER diagram images could not be drawn: see {a.path}" for a in artifacts if a.path == PROBLEMS]
    return DocsResult(schema=schema, artifacts=artifacts, out_dir=out.resolve(), warnings=warnings)
