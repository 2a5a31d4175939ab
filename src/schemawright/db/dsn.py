"""The one check of every connection string a user gives (``--dsn``, ``$DATABASE_URL``, a DSN source) and
the line saying which server and database a command works on.

libpq fills whatever a connection string leaves out with defaults: ``postgresql://`` alone means the
default socket directory and a database named after the operating-system user. A command that changes a
database must not guess, so a DSN must name its host (a name, an address, or a socket directory) and its
database, in the string or in libpq's own ``PGHOST``/``PGHOSTADDR``/``PGDATABASE`` variables (or through a
``service``). Errors never repeat the password.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable

from schemawright.errors import SchemawrightError

EXAMPLE = "postgresql://USER@HOST:PORT/DATABASE (or 'host=HOST port=PORT dbname=DATABASE user=USER')"
_URL_PASSWORD_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/@:]*:([^/@]*)@")
_KV_PASSWORD_RE = re.compile(r"\bpassword\s*=\s*('(?:[^'\\]|\\.)*'|\S+)")


class DsnError(SchemawrightError):
    """A connection string that is invalid or leaves the host or the database to libpq's defaults."""

    exit_code = 2


def _redact(text: str, dsn: str) -> str:
    for m in (_URL_PASSWORD_RE.match(dsn.strip()), *_KV_PASSWORD_RE.finditer(dsn)):
        if m and m.group(1):
            text = text.replace(m.group(1), "***")
    return text


def redact(dsn: str) -> str:
    """``dsn`` with its password (URL or ``password=``) replaced by ``***``, for messages and files."""
    return _redact(dsn, dsn)


def check_dsn(dsn: str, origin: str = "the connection string") -> dict[str, str]:
    """The parameters of ``dsn`` (``origin`` names where it came from in messages). Raises DsnError when it
    does not parse or names no host or no database."""
    import psycopg  # here: a command that never connects sets the announcer up without the driver
    from psycopg.conninfo import conninfo_to_dict

    text = dsn.strip()
    if not text:
        raise DsnError(f"{origin} is empty: give {EXAMPLE}")
    try:
        params = conninfo_to_dict(text)
    except psycopg.Error as exc:
        reason = _redact(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__, text)
        hint = ""
        if "://" in text and not text.startswith(("postgresql://", "postgres://")):
            hint = "; a URL starts with postgresql:// or postgres://"
        raise DsnError(f"{origin} is not a valid PostgreSQL connection string ({reason}){hint}; expected "
                       f"{EXAMPLE}") from None
    if params.get("service"):
        return params  # pg_service.conf names the host and the database
    missing = []
    if not (params.get("host") or params.get("hostaddr") or os.environ.get("PGHOST") or os.environ.get("PGHOSTADDR")):
        missing.append("no host (libpq would pick its default socket directory; for a socket give its directory: "
                       "postgresql://USER@/DATABASE?host=/var/run/postgresql)")
    if not (params.get("dbname") or os.environ.get("PGDATABASE")):
        missing.append("no database (libpq would use one named after the user)")
    if missing:
        raise DsnError(f"{origin} names {' and '.join(missing)}: nothing was done. Give {EXAMPLE}")
    return params


def describe(dsn: str) -> str:
    """``database DB on HOST:PORT as USER``, from the DSN and libpq's variables; never the password."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    try:
        params = conninfo_to_dict(dsn)
    except psycopg.Error:
        return "an invalid connection string"
    if params.get("service") and not params.get("host"):
        return f"service {params['service']}"
    host = params.get("host") or params.get("hostaddr") or os.environ.get("PGHOST") or \
        os.environ.get("PGHOSTADDR") or "?"
    port = params.get("port") or os.environ.get("PGPORT") or "5432"
    where = f"socket {host}, port {port}" if host.startswith("/") else f"{host}:{port}"
    text = f"database {params.get('dbname') or os.environ.get('PGDATABASE') or '?'} on {where}"
    user = params.get("user") or os.environ.get("PGUSER")
    return text + (f" as {user}" if user else "")


# --- saying where a command works -------------------------------------------------------------------

_announcer: Callable[[str], None] | None = None
_announced: set[tuple[str, bool]] = set()


def set_announcer(announcer: Callable[[str], None] | None) -> None:
    """Where the lines of ``announce`` go (the CLI: stderr); None: nowhere (the Python API)."""
    global _announcer
    _announcer = announcer
    _announced.clear()


def announce(dsn: str, origin: str, *, scratch: bool) -> None:
    """Say once, before anything is changed, which server and database a command works on (``scratch``:
    the server that holds its throw-away databases)."""
    if _announcer is None or (dsn, scratch) in _announced:
        return
    _announced.add((dsn, scratch))
    target = describe(dsn)
    if scratch:
        target = "scratch databases on " + target.split(" on ", 1)[-1].split(" as ", 1)[0]
    _announcer(f"using {target} (from {origin})")
