"""Database access: the embedded PostgreSQL server, connections and scratch databases.

The names below load their module (and psycopg) when first used, so that ``db.dsn`` (the DSN check and
the line saying where a command works, set up by the CLI for every command) costs no driver import for
a command that never connects (``lint-migrations``)."""

from __future__ import annotations

import importlib

_HOME = {"data_dir": "embedded", "resolve_dsn": "embedded", "start": "embedded", "status": "embedded",
         "stop": "embedded", "url": "embedded", "connect": "scratch", "scratch_database": "scratch",
         "with_dbname": "scratch"}

__all__ = ["connect", "data_dir", "resolve_dsn", "scratch_database", "start", "status", "stop", "url", "with_dbname"]


def __getattr__(name: str):
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
