"""Connections and throw-away databases."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from schemawright.db.dsn import check_dsn
from schemawright.errors import DatabaseError


def _describe(dsn: str) -> str:
    """The DSN's host, port, user and database, never its password."""
    try:
        params = conninfo_to_dict(dsn)
    except psycopg.Error:
        return "invalid DSN"
    shown = [f"{k}={params[k]}" for k in ("host", "port", "user", "dbname") if params.get(k)]
    return " ".join(shown) or "the libpq defaults"


def connect(dsn: str, **kw) -> psycopg.Connection:
    """``psycopg.connect`` with a 10 s default connect timeout; failures raise DatabaseError, a DSN that
    leaves its host or database to libpq's defaults DsnError."""
    check_dsn(dsn)
    kw.setdefault("connect_timeout", 10)
    try:
        return psycopg.connect(dsn, **kw)
    except psycopg.Error as exc:
        raise DatabaseError(f"could not connect ({_describe(dsn)}): {str(exc).strip()}") from exc


def with_dbname(dsn: str, dbname: str) -> str:
    """``dsn`` pointing at database ``dbname``; a URL stays a URL."""
    if not dsn.startswith(("postgresql://", "postgres://")):
        return make_conninfo(dsn, dbname=dbname)
    parts = urlsplit(dsn)
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k != "dbname"])
    return urlunsplit(parts._replace(path="/" + quote(dbname, safe=""), query=query))


def _execute(dsn: str, statement: sql.Composable, what: str) -> None:
    with connect(dsn, autocommit=True) as conn:
        try:
            conn.execute(statement)
        except psycopg.Error as exc:
            raise DatabaseError(f"could not {what} ({_describe(dsn)}): {str(exc).strip()}") from exc


@contextlib.contextmanager
def scratch_database(dsn: str, prefix: str = "sw_scratch") -> Iterator[str]:
    """Create a database with a random name on ``dsn``'s server, yield its DSN, drop it afterwards."""
    name = f"{prefix}_{secrets.token_hex(6)}"
    if len(name.encode()) > 63:
        raise ValueError(f"prefix {prefix!r} is too long for a database name")
    ident = sql.Identifier(name)
    _execute(dsn, sql.SQL("CREATE DATABASE {}").format(ident), f"create scratch database {name}")
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident)
    try:
        yield with_dbname(dsn, name)
    except BaseException as exc:
        try:
            _execute(dsn, drop, f"drop scratch database {name}")
        except DatabaseError as drop_exc:
            exc.add_note(f"also: {drop_exc}")
        raise
    _execute(dsn, drop, f"drop scratch database {name}")
