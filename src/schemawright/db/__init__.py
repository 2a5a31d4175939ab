"""Database access: the embedded PostgreSQL server, connections and scratch databases."""

from schemawright.db.embedded import data_dir, resolve_dsn, start, status, stop, url
from schemawright.db.scratch import connect, scratch_database, with_dbname

__all__ = ["connect", "data_dir", "resolve_dsn", "scratch_database", "start", "status", "stop", "url", "with_dbname"]
