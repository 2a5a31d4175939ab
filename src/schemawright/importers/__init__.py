"""Reverse engineering: a live database, a SQL DDL script (PostgreSQL, MySQL, SQLite) or a DBML file in,
the canonical model out (``import_source``), and from it a task input that designs back to the same
schema (``to_spec``)."""

from __future__ import annotations

from schemawright.importers.common import ImportResult, ImportSourceError, Skipped
from schemawright.importers.sources import detect_kind, import_source

__all__ = ["ImportResult", "ImportSourceError", "Skipped", "detect_kind", "import_source"]
