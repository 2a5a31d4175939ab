"""verify on a target other than PostgreSQL: MySQL/MariaDB (PyMySQL) or SQLite (stdlib sqlite3).

The same proof as on PostgreSQL, with the target itself as the oracle:

1. the migrations forward on a scratch database (MariaDB/MySQL: a uniquely named database dropped after;
   SQLite: a temporary file), the catalog read back (information_schema / PRAGMA) and compared with the
   adapted model (``models/physical/schema.json``): tables, columns with their types and nullability, keys,
   uniques, foreign keys, CHECK names, indexes, views, updated_at triggers (ON UPDATE on MySQL);
2. the undo, and nothing left; forward again, and the catalog equal to the first;
3. a constraint attack per NOT NULL, CHECK, UNIQUE (and primary key) and FOREIGN KEY: a row the target
   accepts is built by trial (values by type, the literals of the CHECKs, samples of their regular
   expressions; each attempt rolled back), then broken in one place, and the refusal must name the
   constraint (or the column, or the foreign key where the target names nothing more).

What the target could not keep is in ``models/physical/dialect.json``; those constructs are not attacked here.
"""

from __future__ import annotations

import contextlib
import datetime
import getpass
import os
import re
import secrets
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import sqlglot
from sqlglot import exp

from schemawright.dialects import get_dialect
from schemawright.dialects.foreign import UPDATED_AT_FUNCTION
from schemawright.errors import VerifyError
from schemawright.model.schema import Column, Schema, Table
from schemawright.model.types import Kind
from schemawright.regex_sample import regex_sample
from schemawright.verify.report import StepResult, VerifyReport

MARIADB_SOCKETS = ("/run/mysqld/mysqld.sock", "/var/run/mysqld/mysqld.sock", "/tmp/mysql.sock")
SEARCH_ATTEMPTS = 60  # rows tried before a table counts as one no valid row could be built for
CHECK_ATTEMPTS = 400  # one- and two-column changes tried to break a CHECK


# --- connections -----------------------------------------------------------------------------------------
class Target:
    """One scratch database of the target: ``run`` executes a statement (parameters as ``?``), ``trial``
    runs statements in a transaction that is rolled back and returns the error text or None."""

    dialect = ""
    placeholder = "?"

    def __init__(self, conn):
        self.conn = conn

    def run(self, sql: str, params: tuple = ()) -> list[tuple]:
        cur = self.conn.cursor()
        cur.execute(sql, params) if params else cur.execute(sql)
        rows = cur.fetchall() if cur.description else []
        cur.close()
        return list(rows)

    def begin(self) -> None:
        self.run("BEGIN")

    def rollback(self) -> None:
        self.run("ROLLBACK")

    def trial(self, sql: str, params: tuple) -> str | None:
        self.begin()
        try:
            self.run(sql, params)
            return None
        except self.errors as exc:
            return self.error_text(exc)
        finally:
            self.rollback()

    def error_text(self, exc: Exception) -> str:
        return str(exc)

    def quote(self, name: str) -> str:
        raise NotImplementedError


class SQLiteTarget(Target):
    dialect = "sqlite"
    errors = (sqlite3.Error,)

    def quote(self, name: str) -> str:
        return '"' + name.replace('"', '""') + '"'


class MySQLTarget(Target):
    dialect = "mysql"
    placeholder = "%s"

    def __init__(self, conn):
        super().__init__(conn)
        import pymysql

        self.errors = (pymysql.err.MySQLError,)

    def quote(self, name: str) -> str:
        return "`" + name.replace("`", "``") + "`"

    def run(self, sql: str, params: tuple = ()) -> list[tuple]:
        if params:  # statements are written with ? placeholders; PyMySQL formats with %s
            sql = sql.replace("%", "%%").replace("?", "%s")
        return super().run(sql, params)

    def error_text(self, exc: Exception) -> str:
        args = getattr(exc, "args", ())
        return f"({args[0]}) {args[1]}" if len(args) >= 2 else str(exc)


def _mysql_params(dsn: str | None) -> dict:
    """PyMySQL connection arguments from ``mysql://user:password@host:port/db?unix_socket=...`` or, without
    one, ``$SCHEMAWRIGHT_MYSQL_DSN``, else the local server's socket as the current OS user."""
    dsn = dsn or os.environ.get("SCHEMAWRIGHT_MYSQL_DSN")
    if dsn is None:
        socket = next((s for s in MARIADB_SOCKETS if os.path.exists(s)), None)
        if socket is None:
            raise VerifyError("no MySQL/MariaDB server: pass --dsn mysql://user:password@host:3306/db "
                              "(or set SCHEMAWRIGHT_MYSQL_DSN); no local socket in " + ", ".join(MARIADB_SOCKETS))
        return {"unix_socket": socket, "user": getpass.getuser()}
    parts = urlsplit(dsn)
    if parts.scheme not in ("mysql", "mariadb", "mysql+pymysql"):
        raise VerifyError(f"--dsn for a MySQL design must be a mysql:// URL (got a {parts.scheme or 'bare'} one)")
    out: dict = {"user": unquote(parts.username or getpass.getuser())}
    if parts.password:
        out["password"] = unquote(parts.password)
    query = parse_qs(parts.query)
    if "unix_socket" in query:
        out["unix_socket"] = query["unix_socket"][0]
    else:
        out["host"] = parts.hostname or "localhost"
        out["port"] = parts.port or 3306
    return out


def _redacted(params: dict) -> str:
    where = params.get("unix_socket") or f"{params.get('host')}:{params.get('port')}"
    return f"mysql://{params.get('user')}@{where}"


@contextlib.contextmanager
def _scratch(dialect: str, dsn: str | None) -> Iterator[tuple[Target, str]]:
    if dialect == "sqlite":
        with tempfile.TemporaryDirectory(prefix="sw_verify_") as tmp:
            path = Path(tmp) / "verify.db"
            conn = sqlite3.connect(path, isolation_level=None)
            try:
                conn.execute("PRAGMA foreign_keys = ON")
                yield SQLiteTarget(conn), f"SQLite {sqlite3.sqlite_version} (temporary file, deleted after the run)"
            finally:
                conn.close()
        return
    import pymysql

    params = _mysql_params(dsn)
    name = f"sw_verify_{secrets.token_hex(6)}"
    try:
        admin = pymysql.connect(autocommit=True, **params)
    except pymysql.err.MySQLError as exc:
        raise VerifyError(f"cannot connect to {_redacted(params)}: {exc.args[-1] if exc.args else exc}") from None
    try:
        with admin.cursor() as cur:
            cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
            cur.execute("SELECT VERSION()")
            version = cur.fetchone()[0]
        conn = pymysql.connect(autocommit=True, database=name, **params)
        try:
            with conn.cursor() as cur:
                cur.execute("SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,"
                            "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'")
                cur.execute("SET SESSION time_zone = '+00:00'")
            yield MySQLTarget(conn), f"{version} at {_redacted(params)}, scratch database {name} (dropped after)"
        finally:
            conn.close()
    finally:
        with contextlib.suppress(pymysql.err.MySQLError), admin.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        admin.close()


# --- migrations ------------------------------------------------------------------------------------------
def statements(text: str) -> list[str]:
    """A generated migration split into statements (comments kept; a trigger's body stays whole)."""
    out, buf = [], []
    for line in text.splitlines():
        if not buf and (not line.strip() or line.lstrip().startswith("--")):
            continue
        buf.append(line)
        joined = "\n".join(buf)
        if line.rstrip().endswith(";") and sqlite3.complete_statement(joined):
            out.append(joined.strip())
            buf = []
    if buf and "".join(buf).strip():
        out.append("\n".join(buf).strip())
    return out


def apply(target: Target, files: list[Path]) -> list[str]:
    for f in files:
        for sql in statements(f.read_text(encoding="utf-8")):
            try:
                target.run(sql)
            except target.errors as exc:
                return [f"{f.name}: {target.error_text(exc)} in: {sql[:200]}"]
    return []


# --- catalog ---------------------------------------------------------------------------------------------
def _norm_type(text: str) -> str:
    t = " ".join(text.lower().split())
    if t != "tinyint(1)":
        t = re.sub(r"^(tinyint|smallint|mediumint|int|bigint)\(\d+\)", r"\1", t)
    return "json" if t == "longtext json" else t


def catalog(target: Target) -> dict:
    return _mysql_catalog(target) if target.dialect == "mysql" else _sqlite_catalog(target)


def _mysql_catalog(target: Target) -> dict:
    tables: dict[str, dict] = {}
    views = set()
    for name, kind in target.run("SELECT table_name, table_type FROM information_schema.tables "
                                 "WHERE table_schema = DATABASE()"):
        if kind == "VIEW":
            views.add(name)
        else:
            tables[name] = {"columns": {}, "pk": (), "uniques": {}, "fks": {}, "checks": set(), "indexes": {},
                            "triggers": set()}
    json_cols = set()
    for t, c, ctype, nullable, extra, dtype, check in target.run(
            "SELECT c.table_name, c.column_name, c.column_type, c.is_nullable, c.extra, c.data_type, "
            "(SELECT cc.check_clause FROM information_schema.check_constraints cc WHERE cc.constraint_schema = "
            "c.table_schema AND cc.table_name = c.table_name AND cc.constraint_name = c.column_name LIMIT 1) "
            "FROM information_schema.columns c WHERE c.table_schema = DATABASE() ORDER BY c.table_name, "
            "c.ordinal_position") if _mariadb(target) else target.run(
            "SELECT table_name, column_name, column_type, is_nullable, extra, data_type, NULL "
            "FROM information_schema.columns WHERE table_schema = DATABASE() ORDER BY table_name, ordinal_position"):
        if t not in tables:
            continue
        ctype = ctype.lower()
        if check and "json_valid" in check.lower():  # MariaDB's json is longtext + a json_valid CHECK
            ctype = "json"
            json_cols.add((t, c))
        on_update = "on update" in (extra or "").lower()
        tables[t]["columns"][c] = (_norm_type(ctype), nullable == "YES", on_update)
        if on_update:
            tables[t]["triggers"].add("updated_at")
    keys: dict[tuple[str, str], dict] = {}
    for t, name, ctype in target.run("SELECT table_name, constraint_name, constraint_type FROM "
                                     "information_schema.table_constraints WHERE table_schema = DATABASE()"):
        if t in tables:
            keys[(t, name)] = {"type": ctype, "cols": [], "ref": None, "refcols": []}
    for t, name, col, ref, refcol in target.run(
            "SELECT table_name, constraint_name, column_name, referenced_table_name, referenced_column_name "
            "FROM information_schema.key_column_usage WHERE table_schema = DATABASE() "
            "ORDER BY table_name, constraint_name, ordinal_position"):
        k = keys.get((t, name))
        if k is not None:
            k["cols"].append(col)
            k["ref"] = ref or k["ref"]
            if refcol:
                k["refcols"].append(refcol)
    for (t, name), k in keys.items():
        entry = tables[t]
        if k["type"] == "PRIMARY KEY":
            entry["pk"] = tuple(k["cols"])
        elif k["type"] == "UNIQUE":
            entry["uniques"][name] = tuple(k["cols"])
        elif k["type"] == "FOREIGN KEY":
            entry["fks"][name] = (tuple(k["cols"]), k["ref"], tuple(k["refcols"]))
        elif k["type"] == "CHECK" and (t, name) not in json_cols:
            entry["checks"].add(name)
    index_cols: dict[tuple[str, str], list] = {}
    unique: dict[tuple[str, str], bool] = {}
    for t, name, col, non_unique in target.run(
            "SELECT table_name, index_name, column_name, non_unique FROM information_schema.statistics "
            "WHERE table_schema = DATABASE() ORDER BY table_name, index_name, seq_in_index"):
        if t in tables:
            index_cols.setdefault((t, name), []).append(col)
            unique[(t, name)] = not int(non_unique)
    for (t, name), cols in index_cols.items():
        entry = tables[t]
        if name == "PRIMARY" or name in entry["uniques"] or name in entry["fks"]:
            continue  # the key's own index; InnoDB's index for a foreign key is named after it
        entry["indexes"][name] = (tuple(cols), unique[(t, name)])
    return {"tables": tables, "views": views}


def _mariadb(target: Target) -> bool:
    return "mariadb" in target.run("SELECT VERSION()")[0][0].lower()


CHECK_NAME = re.compile(r'CONSTRAINT\s+"((?:[^"]|"")+)"\s+CHECK', re.IGNORECASE)
CONSTRAINT_NAME = re.compile(r'CONSTRAINT\s+"((?:[^"]|"")+)"\s+(PRIMARY|UNIQUE|FOREIGN)', re.IGNORECASE)


def _sqlite_catalog(target: Target) -> dict:
    tables: dict[str, dict] = {}
    views = set()
    rows = target.run("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")
    for kind, name, _tbl, sql in rows:
        if kind == "view":
            views.add(name)
        elif kind == "table":
            tables[name] = {"columns": {}, "pk": (), "uniques": {}, "fks": {}, "checks": set(), "indexes": {},
                            "triggers": set(), "names": set()}
            tables[name]["checks"] = {m.replace('""', '"') for m in CHECK_NAME.findall(sql or "")}
            tables[name]["names"] = {m[0].replace('""', '"') for m in CONSTRAINT_NAME.findall(sql or "")}
    for kind, name, tbl, sql in rows:
        if kind == "trigger" and tbl in tables:
            tables[tbl]["triggers"].add(name)
    for t, entry in tables.items():
        pk = []
        for _cid, c, ctype, notnull, _default, pkpos in target.run(f"PRAGMA table_info({target.quote(t)})"):
            entry["columns"][c] = (ctype.upper(), not notnull and not pkpos, False)
            if pkpos:
                pk.append((pkpos, c))
        entry["pk"] = tuple(c for _, c in sorted(pk))
        for _seq, iname, is_unique, origin, _partial in target.run(f"PRAGMA index_list({target.quote(t)})"):
            cols = tuple(r[2] if r[2] is not None else "<expression>"
                         for r in target.run(f"PRAGMA index_info({target.quote(iname)})"))
            if origin == "u":
                entry["uniques"][cols] = cols
            elif origin == "c":
                entry["indexes"][iname] = (cols, bool(is_unique))
        fks: dict[int, list] = {}
        for fid, _seq, ref, frm, to, *_ in target.run(f"PRAGMA foreign_key_list({target.quote(t)})"):
            fks.setdefault(fid, []).append((ref, frm, to))
        for parts in fks.values():
            cols = tuple(p[1] for p in parts)
            entry["fks"][cols] = (cols, parts[0][0], tuple(p[2] for p in parts))
    return {"tables": tables, "views": views}


def expected(model: Schema, dialect: str) -> dict:
    """The catalog the adapted model should produce, in ``catalog``'s shape."""
    d = get_dialect(dialect)
    tables = {}
    for t in model.tables:
        updated = any(tr.function == UPDATED_AT_FUNCTION for tr in t.triggers)
        cols = {}
        for c in t.columns:
            ctype = d.type_sql(c.type)
            if dialect == "mysql":
                cols[c.name] = (_norm_type(ctype), c.nullable, updated and c.name == "updated_at")
            else:
                cols[c.name] = (ctype.upper(), c.nullable and not (t.primary_key and c.name in t.primary_key.columns),
                                False)
        if dialect == "mysql":
            uniques = {u.name: tuple(u.columns) for u in t.uniques}
            fks = {fk.name: (tuple(fk.columns), fk.ref_table, tuple(fk.ref_columns)) for fk in t.foreign_keys}
            triggers = {"updated_at"} if updated and t.has_column("updated_at") else set()
        else:
            uniques = {tuple(u.columns): tuple(u.columns) for u in t.uniques}
            fks = {tuple(fk.columns): (tuple(fk.columns), fk.ref_table, tuple(fk.ref_columns)) for fk in t.foreign_keys}
            triggers = {tr.name for tr in t.triggers if tr.function == UPDATED_AT_FUNCTION}
        entry = {"columns": cols, "pk": tuple(t.primary_key.columns) if t.primary_key else (), "uniques": uniques,
                 "fks": fks, "checks": {c.name for c in t.checks}, "triggers": triggers,
                 "indexes": {ix.name: (tuple(e.column if e.column is not None else "<expression>"
                                             for e in ix.elements), ix.unique) for ix in t.indexes}}
        if dialect == "sqlite":
            identity = any(c.identity for c in t.columns)
            names = {u.name for u in t.uniques} | {fk.name for fk in t.foreign_keys}
            if t.primary_key and not identity:
                names.add(t.primary_key.name)
            entry["names"] = names
        tables[t.name] = entry
    return {"tables": tables, "views": {v.name for v in model.views}}


def compare(want: dict, got: dict) -> list[str]:
    problems = []
    for name in sorted(set(want["tables"]) - set(got["tables"])):
        problems.append(f"table {name} is missing")
    for name in sorted(set(got["tables"]) - set(want["tables"])):
        problems.append(f"table {name} is not in the design")
    for name in sorted(want["views"] ^ got["views"]):
        problems.append(f"view {name} is {'missing' if name in want['views'] else 'not in the design'}")
    for name, w in want["tables"].items():
        g = got["tables"].get(name)
        if g is None:
            continue
        for key in ("columns", "uniques", "fks", "indexes"):
            for item in sorted(set(w[key]) | set(g[key]), key=str):
                if w[key].get(item) != g[key].get(item):
                    problems.append(f"{name}: {key[:-1] if key != 'fks' else 'foreign key'} {item}: design "
                                    f"{w[key].get(item)} vs catalog {g[key].get(item)}")
        if w["pk"] != g["pk"]:
            problems.append(f"{name}: primary key {w['pk']} vs catalog {g['pk']}")
        for key in ("checks", "triggers", "names"):
            if key in w and w[key] != g.get(key, set()):
                problems.append(f"{name}: {key} differ: design only {sorted(w[key] - g[key])}, catalog only "
                                f"{sorted(g[key] - w[key])}")
    return problems


# --- rows and constraint attacks -------------------------------------------------------------------------
def _literals(expression: str, dialect: str) -> list[str]:
    try:
        tree = sqlglot.parse_one(expression, read=dialect)
    except sqlglot.errors.ParseError:
        return []
    return [lit.this for lit in tree.find_all(exp.Literal)]


def _patterns(expression: str) -> list[tuple[str, bool]]:
    """(pattern, case-insensitive) of the REGEXP tests of a MySQL CHECK (written by dialects/mysql.py)."""
    out = []
    for flag, body in re.findall(r"REGEXP '\(\?(-?)i\)((?:[^'\\]|''|\\.)*)'", expression):
        out.append((body.replace("''", "'").replace("\\\\", "\\"), flag != "-"))
    return out


def _type_values(c: Column, serial: int) -> list:
    k = c.type.kind
    n = serial
    if c.type.array_dims:
        return ["[]"]
    if k in (Kind.SMALLINT, Kind.INTEGER, Kind.BIGINT):
        return [n % 30000 + 1, 1, 0, 5, 100]
    if k in (Kind.NUMERIC, Kind.REAL, Kind.DOUBLE, Kind.MONEY):
        return [n % 9000 + 1, 1, 0, 0.5, 100]
    if k == Kind.BOOLEAN:
        return [1, 0]
    if k == Kind.UUID:
        return [str(uuid.UUID(int=n + (1 << 100)))]
    if k == Kind.DATE:
        return [(datetime.date(2024, 1, 1) + datetime.timedelta(days=n % 300)).isoformat(), "2024-12-31",
                "2023-01-01"]
    if k in (Kind.TIMESTAMP, Kind.TIMESTAMPTZ):
        base = datetime.datetime(2024, 1, 1, 8) + datetime.timedelta(hours=n % 5000)
        return [base.strftime("%Y-%m-%d %H:%M:%S"), "2024-12-31 18:00:00", "2023-01-01 08:00:00"]
    if k in (Kind.TIME, Kind.TIMETZ):
        return ["10:00:00", "18:00:00"]
    if k in (Kind.JSON, Kind.JSONB):
        return ["{}", "[]"]
    if k == Kind.BYTEA:
        return [b"\x01\x02"]
    if k == Kind.INTERVAL:
        return ["PT1H"]
    if k in (Kind.INET, Kind.CIDR):
        return [f"10.0.{n % 250}.{n % 200 + 1}"]
    if k == Kind.MACADDR:
        return ["08:00:2b:01:02:03"]
    width = c.type.length or 60
    values = [f"v{n}", f"user{n}@example.com", f"https://example.com/{n}", f"x{n}", f"{n:08d}", f"A{n}"]
    return [v[:width] if len(v) > width else v for v in values]


class Rows:
    """Rows the target accepts, built by trial; one kept row per table serves as the parent of others."""

    def __init__(self, target: Target, model: Schema, dialect: str):
        self.target, self.model, self.dialect = target, model, dialect
        self.kept: dict[str, dict] = {}
        self.serial = 1
        self.fresh: set[tuple[str, str]] = set()  # (table, column): take a new parent row, not the kept one

    def candidates(self, t: Table, c: Column, serial: int) -> list:
        out: list = []
        for ck in t.checks:
            if c.name not in ck.columns:
                continue
            for pattern, icase in _patterns(str(ck.expression)):
                sample = regex_sample(pattern, serial, icase)
                if sample is not None:
                    out.append(sample)
        literals: list = []
        for ck in t.checks:
            if c.name not in ck.columns:
                continue
            for lit in _literals(str(ck.expression), self.dialect):
                if c.type.is_textual or c.type.kind in (Kind.DATE, Kind.TIMESTAMP, Kind.TIMESTAMPTZ, Kind.TIME):
                    literals.append(lit)
                else:
                    with contextlib.suppress(ValueError):
                        number = float(lit)
                        literals += [int(number) + 1 if number == int(number) else number + 1, lit]
        out += _type_values(c, serial) + literals  # values that vary with serial first (unique columns)
        if c.type.kind == Kind.NUMERIC and c.type.precision:  # numeric(p, s): only values that fit
            bound = 10 ** (c.type.precision - (c.type.scale or 0))
            out = [v for v in out if not isinstance(v, (int, float)) or abs(v) < bound] or [0]
        seen, unique = set(), []
        for v in out:
            key = repr(v)
            if key not in seen:
                seen.add(key)
                unique.append(v)
        return unique

    def insert_sql(self, t: Table, row: dict) -> tuple[str, tuple]:
        cols = list(row)
        q = self.target.quote
        return (f"INSERT INTO {q(t.name)} ({', '.join(q(c) for c in cols)}) VALUES "
                f"({', '.join('?' for _ in cols)})", tuple(row[c] for c in cols))

    def attempt(self, t: Table, row: dict) -> str | None:
        if not row:  # every column defaulted
            sql = (f"INSERT INTO {self.target.quote(t.name)} () VALUES ()" if self.dialect == "mysql"
                   else f"INSERT INTO {self.target.quote(t.name)} DEFAULT VALUES")
            return self.target.trial(sql, ())
        return self.target.trial(*self.insert_sql(t, row))

    def parent_values(self, t: Table, row: dict, filled: set[str], depth: int) -> None:
        """The foreign key columns in ``filled`` set from a kept parent row (inserted first when needed)."""
        for fk in t.foreign_keys:
            if not set(fk.columns) & filled:
                continue
            if fk.ref_table == t.name:
                parent = self.kept.get(t.name)
                if parent is None:
                    continue
            elif any((t.name, c) in self.fresh for c in fk.columns):
                parent = self.add(self.model.table(fk.ref_table), depth + 1)
            else:
                parent = self.keep(self.model.table(fk.ref_table), depth + 1)
            for c, rc in zip(fk.columns, fk.ref_columns):
                row[c] = parent[rc]

    def build(self, t: Table, depth: int = 0, wanted: tuple[str, ...] = ()) -> dict:
        """A row of ``t`` the target accepts (not inserted), with parents kept as needed."""
        if depth > 12:
            raise RuntimeError("foreign keys nest too deep")
        self.serial += 1
        serial = self.serial
        fk_cols = {c for fk in t.foreign_keys for c in fk.columns}
        filled = {c.name for c in t.columns if not c.nullable and c.default is None and not c.identity
                  and c.generated is None} | set(wanted)
        choice: dict[str, int] = {}
        zeroed: set[tuple[str, ...]] = set()
        last = ""
        for _ in range(SEARCH_ATTEMPTS):
            row: dict = {}
            for c in t.columns:
                if c.name in filled and c.name not in fk_cols:
                    values = self.candidates(t, c, serial)
                    row[c.name] = values[choice.get(c.name, 0) % len(values)]
            self.parent_values(t, row, filled, depth)
            err = self.attempt(t, row)
            if err is None:
                return row
            last = err
            hit = self._blame(t, err)
            if hit is None:
                break
            kind, names = hit
            if kind == "duplicate":
                self.serial += 97
                serial = self.serial
                self.fresh.update((t.name, c) for c in names if c in fk_cols)
                continue
            new = [n for n in names if n not in filled]
            if new:
                filled.update(new)
                continue
            movable = [n for n in names if n not in fk_cols] or list(names)
            if kind == "check" and all(n in fk_cols for n in names) and len(names) > 1 \
                    and not all((t.name, n) in self.fresh for n in names[1:]):
                self.fresh.update((t.name, n) for n in names[1:])  # two references that must differ
                continue
            if kind == "check" and names not in zeroed:  # first: every number of the check 0 (sums, ranges)
                zeroed.add(names)
                for n in movable:
                    col = t.column(n)
                    if col is not None and col.type.is_numeric:
                        choice[n] = self.candidates(t, col, serial).index(0) if 0 in self.candidates(t, col, serial) \
                            else 0
                continue
            # advance the choices of the blamed columns like an odometer
            for n in movable:
                col = t.column(n)
                size = len(self.candidates(t, col, serial)) if col else 1
                choice[n] = choice.get(n, 0) + 1
                if choice[n] < size:
                    break
                choice[n] = 0
        raise RuntimeError(f"no row of {t.name} was accepted: {last}")

    def _blame(self, t: Table, err: str) -> tuple[str, tuple[str, ...]] | None:
        """(kind, columns) the error points at."""
        low = err.lower()
        for ck in t.checks:
            if _names_constraint(err, ck.name):
                return "check", ck.columns
        if "cannot be null" in low or "not null constraint" in low or "doesn't have a default" in low:
            m = re.search(r"column '([^']+)'|field '([^']+)'|not null constraint failed: [^.]+\.(\S+)", err, re.I)
            if m:
                return "not_null", (next(g for g in m.groups() if g),)
        m = re.search(r"out of range value for column '([^']+)'|data too long for column '([^']+)'", low)
        if m:
            return "range", (next(g for g in m.groups() if g),)
        if "unique constraint failed" in low:
            return "duplicate", tuple(c.split(".")[-1] for c in err.split(":", 1)[1].strip().split(", "))
        if "duplicate" in low:
            keys = [(u.name, u.columns) for u in t.uniques] + [(ix.name, ix.columns) for ix in t.indexes]
            if t.primary_key:
                keys.append(("PRIMARY", t.primary_key.columns))
            return "duplicate", next((tuple(cols) for name, cols in keys if _names_constraint(err, name)), ())
        if "check constraint" in low and "failed" in low:
            return "check", tuple(c for ck in t.checks for c in ck.columns)
        return None

    def keep(self, t: Table, depth: int = 0) -> dict:
        if t.name not in self.kept:
            self.kept[t.name] = self.add(t, depth)
        return self.kept[t.name]

    def add(self, t: Table, depth: int = 0, wanted: tuple[str, ...] = ()) -> dict:
        """Insert a new accepted row of ``t`` (``wanted`` columns not NULL) and return it as stored."""
        row = self.build(t, depth, wanted)
        if row:
            sql, params = self.insert_sql(t, row)
        else:
            sql = (f"INSERT INTO {self.target.quote(t.name)} () VALUES ()" if self.dialect == "mysql"
                   else f"INSERT INTO {self.target.quote(t.name)} DEFAULT VALUES")
            params = ()
        self.target.run(sql, params)
        return self._read_back(t, row)

    def _read_back(self, t: Table, row: dict) -> dict:
        """The kept row as stored (defaults filled), found by its given values or as the only row."""
        q = self.target.quote
        cols = [c.name for c in t.columns]
        where = [c for c, v in row.items() if v is not None and not isinstance(v, (bytes, float))]
        sql = f"SELECT {', '.join(q(c) for c in cols)} FROM {q(t.name)}"
        if where:
            sql += " WHERE " + " AND ".join(f"{q(c)} = ?" for c in where)
        params = tuple(row[c] for c in where)
        found = self.target.run(sql, params)
        return dict(zip(cols, found[-1])) if found else dict(row)


def _names_constraint(err: str, name: str) -> bool:
    return bool(re.search(rf"[`'\s.:]{re.escape(name)}[`'\s]|[`'\s.:]{re.escape(name)}$", err))


def _breaking_values(t: Table, c: Column, rows: Rows) -> list:
    k = c.type.kind
    out: list = []
    if c.type.is_textual:
        out += ["", " ", "zz not valid!", "INVALID", "a", "x" * min(c.type.length or 300, 300)]
    elif k in (Kind.SMALLINT, Kind.INTEGER, Kind.BIGINT, Kind.NUMERIC, Kind.REAL, Kind.DOUBLE, Kind.MONEY):
        out += [-1, 0, -1000, 1000000, 13, 99]
    elif k == Kind.DATE:
        out += ["1900-01-01", "2999-12-31"]
    elif k in (Kind.TIMESTAMP, Kind.TIMESTAMPTZ):
        out += ["1900-01-01 00:00:00", "2999-12-31 00:00:00"]
    elif k == Kind.BOOLEAN:
        out += [0, 1]
    for ck in t.checks:
        if c.name in ck.columns:
            for lit in _literals(str(ck.expression), rows.dialect):
                out.append(lit)
                if "%" in lit or "_" in lit:  # a LIKE pattern: a value it matches
                    out.append(lit.replace("%", "x").replace("_", "x"))
                with contextlib.suppress(ValueError):
                    number = float(lit)
                    out += [number - 1, number + 1]
    return out + [None]


def attacks(target: Target, model: Schema, dialect: str, add: Callable[[StepResult], StepResult]) -> None:
    rows = Rows(target, model, dialect)

    def step(name: str, fn: Callable[[], str | None]) -> None:
        start = time.perf_counter()
        try:
            problem = fn()
        except (RuntimeError, *target.errors) as exc:
            problem = str(exc)
        add(StepResult(name=name, ok=problem is None, group="constraints", seconds=time.perf_counter() - start,
                       detail="ok" if problem is None else problem[:300],
                       problems=[] if problem is None else [problem]))

    for t in model.tables:
        base: dict = {}

        def valid(t=t, base=base) -> str | None:
            base.update(rows.build(t))
            rows.keep(t)
            return None

        step(f"{t.name}: a valid row is accepted", valid)
        if t.name not in rows.kept:
            continue
        for c in t.columns:
            if c.nullable or c.identity or c.generated is not None:
                continue

            def not_null(t=t, c=c) -> str | None:
                row = {**rows.build(t), c.name: None}
                err = rows.attempt(t, row)
                if err is None:
                    return f"a NULL {c.name} was accepted"
                low = err.lower()
                return None if c.name.lower() in low and ("null" in low) else f"refused for another reason: {err}"

            step(f"{t.name}.{c.name}: NOT NULL refuses NULL", not_null)
        for ck in t.checks:
            def check(t=t, ck=ck) -> str | None:
                row = rows.build(t, wanted=tuple(ck.columns))
                cols = [c for c in ck.columns if t.column(c) is not None]
                values = {c: _breaking_values(t, t.column(c), rows) + [row[o] for o in cols if o != c and o in row]
                          for c in cols}
                changes = [{c: v} for c in cols for v in values[c]]
                changes += [{a: va, b: vb} for a in cols for va in values[a] for b in cols if b != a
                            for vb in values[b]]
                # a CHECK with the same body (the designer may state one rule twice) may refuse the row first
                same = [o.name for o in t.checks if str(o.expression) == str(ck.expression)]
                for change in changes[:CHECK_ATTEMPTS]:
                    err = rows.attempt(t, {**row, **change})
                    if err is not None and any(_names_constraint(err, name) for name in same):
                        return None
                return f"no row breaking it was refused by it ({min(len(changes), CHECK_ATTEMPTS)} tried)"

            step(f"{t.name}.{ck.name}: CHECK refuses a violating row", check)
        keys = [(u.name, tuple(u.columns)) for u in t.uniques]
        if t.primary_key:
            keys.insert(0, ("PRIMARY" if dialect == "mysql" else t.primary_key.name, tuple(t.primary_key.columns)))
        keys += [(ix.name, ix.columns) for ix in t.indexes if ix.unique and ix.where is None
                 and all(e.column for e in ix.elements)]
        for name, cols in keys:
            def unique(t=t, name=name, cols=cols) -> str | None:
                kept = rows.add(t, wanted=tuple(cols))
                row = {**rows.build(t), **{c: kept[c] for c in cols}}
                err = rows.attempt(t, row)
                if err is None:
                    return f"a duplicate of ({', '.join(cols)}) was accepted"
                low = err.lower()
                # refused by this key, or by a key nested with it on the same duplicated values: a duplicate
                # of (tenant, id) is one of id, and the target reports whichever index it checks first
                nested = [n for n, c in keys if set(c) <= set(cols) or set(c) >= set(cols)]
                if dialect == "mysql" and "duplicate" in low and any(_names_constraint(err, n) for n in nested):
                    return None
                if dialect == "sqlite" and "unique constraint failed" in low:
                    named = {c.strip().split(".")[-1] for c in err.split(":", 1)[1].split(",")}
                    if named <= set(cols) or named >= set(cols):
                        return None
                return f"refused for another reason: {err}"

            step(f"{t.name}.{name}: UNIQUE refuses a duplicate", unique)
        shared = {}
        for fk in t.foreign_keys:
            for c in fk.columns:
                shared[c] = shared.get(c, 0) + 1
        for fk in t.foreign_keys:
            def foreign(t=t, fk=fk) -> str | None:
                row = rows.build(t, wanted=tuple(fk.columns))
                own = [c for c in fk.columns if shared[c] == 1] or list(fk.columns)
                for c in own:
                    col = t.column(c)
                    if col is not None and col.type.kind == Kind.UUID:
                        row[c] = str(uuid.uuid4())
                    elif col is not None and col.type.is_textual:
                        row[c] = "no-such-parent"
                    else:
                        row[c] = 987654321
                err = rows.attempt(t, row)
                if err is None:
                    return "a row referencing no parent was accepted"
                low = err.lower()
                if dialect == "mysql" and "foreign key" in low and _names_constraint(err, fk.name):
                    return None
                if dialect == "sqlite" and "foreign key constraint failed" in low:
                    return None
                return f"refused for another reason: {err}"

            step(f"{t.name}.{fk.name}: FOREIGN KEY refuses a missing parent", foreign)


# --- the run ---------------------------------------------------------------------------------------------
def verify_foreign(folder: Path, model: Schema, forward: list[Path], undo: list[Path], dialect: str,
                   dsn: str | None) -> VerifyReport:
    if dialect == "sqlite" and dsn is not None:
        raise VerifyError("a SQLite design verifies on a temporary file: --dsn is for PostgreSQL and MySQL")
    with _scratch(dialect, dsn) as (target, server):
        report = VerifyReport(folder=str(folder), server=server)

        def timed(name: str, group: str, fn: Callable[[], list[str]]) -> StepResult:
            start = time.perf_counter()
            try:
                problems = fn()
            except target.errors as exc:
                problems = [target.error_text(exc)]
            step = StepResult(name=name, ok=not problems, group=group, seconds=time.perf_counter() - start,
                              detail="ok" if not problems else f"{len(problems)} problem(s): {problems[0]}",
                              problems=problems)
            report.steps.append(step)
            return step

        want = expected(model, dialect)
        if not timed("migrations: forward", "migrations", lambda: apply(target, forward)).ok:
            return report
        first: list[dict] = []
        timed("catalog: read back", "schema", lambda: first.append(catalog(target)) or [])
        timed("catalog matches the design", "schema", lambda: compare(want, first[0]))
        if timed("migrations: undo", "migrations", lambda: apply(target, undo)).ok:
            def leftovers() -> list[str]:
                after = catalog(target)
                return [f"still present after undo: {k} {n}" for k in ("tables", "views") for n in sorted(after[k])]

            timed("undo leaves nothing behind", "migrations", leftovers)
        if not timed("migrations: forward again", "migrations", lambda: apply(target, forward)).ok:
            return report
        timed("catalog after redo equals the first", "migrations", lambda: compare(first[0], catalog(target)))
        attacks(target, model, dialect, lambda s: report.steps.append(s) or s)
    return report
