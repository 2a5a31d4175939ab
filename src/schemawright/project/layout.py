"""The layout of a folder written by ``schemawright design``, written down once.

Migration files are Flyway-named: ``V<version>__<description>.sql`` (forward) and ``U...`` (undo);
a version is one or more numbers separated by ``.`` or ``_`` (``V1``, ``V001``, ``V1.2``, ``V1_2``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from schemawright.errors import VerifyError
from schemawright.model.schema import Schema
from schemawright.model.serialize import schema_from_json, schema_to_json

MODEL_PATH = "models/physical/schema.json"  # the canonical model, relative to the project folder
DIALECT_PATH = "models/physical/dialect.json"  # only for targets other than PostgreSQL: name + degradations
MIGRATIONS_DIR = "migrations"
HISTORY_TABLE = "schemawright_history"  # the migration runner's record of applied files (migrate/history.py)

MIGRATION_NAME = r"([VU])(\d+(?:[._]\d+)*)__(.+)\.sql"  # groups: kind (V/U), version, description
FILE_RE = re.compile(rf"^{MIGRATION_NAME}$")
FILE_RE_ANY_CASE = re.compile(rf"^{MIGRATION_NAME}$", re.IGNORECASE)  # for folders the user points at


def version_tuple(text: str) -> tuple[int, ...]:
    """``"001"`` -> ``(1,)``, ``"1.2"`` / ``"1_2"`` -> ``(1, 2)`` (``text`` already matched the pattern)."""
    return tuple(int(p) for p in re.split(r"[._]", text))


def forward_files(folder: Path) -> list[Path]:
    """The ``V<version>__<description>.sql`` files of ``folder`` (any letter case), in version order."""
    if not folder.is_dir():
        return []
    found = [(version_tuple(m.group(2)), f) for f in folder.iterdir()
             if f.is_file() and (m := FILE_RE_ANY_CASE.match(f.name)) and m.group(1).upper() == "V"]
    return [f for _, f in sorted(found)]


def model_text(schema: Schema) -> str:
    """The model JSON file's content."""
    return json.dumps(schema_to_json(schema), ensure_ascii=False, separators=(",", ":")) + "\n"


def read_model(path: Path) -> Schema:
    """The model in a model JSON file; OSError, ValueError, KeyError or TypeError when it is not one
    (each caller words the error for its command)."""
    return schema_from_json(json.loads(path.read_text(encoding="utf-8")))


def read_migrations(folder: Path) -> tuple[list[Path], list[Path]]:
    """A project folder's forward (V) files in version order and undo (U) files in reverse version order."""
    mdir = folder / MIGRATIONS_DIR
    if not mdir.is_dir() and (folder / "models/mongodb/create_collections.js").is_file():
        raise VerifyError(f"{folder} is a MongoDB design: there are no migrations to run and no MongoDB server "
                          "is verified against; docs/mongodb.md says what was proven structurally")
    if not mdir.is_dir():
        raise VerifyError(f"{folder} has no migrations/ folder: is it a folder written by 'schemawright design'?")
    forward, undo = [], []
    for f in mdir.iterdir():
        m = FILE_RE.match(f.name)
        if m:
            (forward if m.group(1) == "V" else undo).append((version_tuple(m.group(2)), f))
    if not forward:
        raise VerifyError(f"{mdir} holds no V<n>__<description>.sql migration")
    versions = {v for v, _ in forward}
    orphans = [f.name for v, f in undo if v not in versions]
    if orphans:
        raise VerifyError(f"undo files without a forward migration: {', '.join(orphans)}")
    return [f for _, f in sorted(forward)], [f for _, f in sorted(undo, reverse=True)]


def load_model(folder: Path) -> Schema:
    """A project folder's canonical model (``MODEL_PATH``)."""
    path = folder / MODEL_PATH
    try:
        return read_model(path)
    except FileNotFoundError:
        raise VerifyError(f"{path} is missing: verify compares the database with the designed model") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise VerifyError(f"{path} is not a schemawright model: {exc}") from None


def read_dialect(folder: Path) -> dict:
    """The target of a design folder: ``{"dialect": name, "degradations": [...], "skipped": [...]}``;
    PostgreSQL when the folder has no ``DIALECT_PATH``."""
    path = folder / DIALECT_PATH
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"dialect": "postgresql", "degradations": [], "skipped": []}
    except (OSError, ValueError) as exc:
        raise VerifyError(f"{path} is unreadable: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("dialect"), str):
        raise VerifyError(f"{path} does not name a dialect")
    return data
