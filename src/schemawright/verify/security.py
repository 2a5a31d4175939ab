"""verify, security group: every promise of the security design is attempted on the live database.

- ``scratch_roles``: before the scratch database is made, refuse a server where the roles to create exist
  and are in use (with --dsn they are per-run names, see ``verify/isolation.py``, so this is a last
  guard) or that lacks an extension the design needs; afterwards drop those roles, even when the run failed.
- ``run_checks``: loads the probes and the fixture rows (hostile text included) and runs each check of
  ``security_checks`` in a savepoint, as the role it is about; then proves the undo migration removes
  the roles, privileges and policies, and that no generated file holds a password or a key.
"""

from __future__ import annotations

import contextlib
import re
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import psycopg
from psycopg import sql

from schemawright.db import connect
from schemawright.errors import VerifyError
from schemawright.model.schema import Schema
from schemawright.verify.report import StepResult
from schemawright.probes.security_checks import Check, security_checks

GROUP = "security"
EXTENSION_PURPOSE = {"pgcrypto": "column encryption (pgp_sym_encrypt)"}


@contextlib.contextmanager
def scratch_roles(server: str, model: Schema) -> Iterator[None]:
    """Check the server can host the design's roles and extensions; drop the design's roles afterwards."""
    names = [r.name for r in model.roles]
    with connect(server, autocommit=True) as conn:
        if model.extensions:
            available = {r[0] for r in conn.execute("SELECT name FROM pg_available_extensions")}
            missing = [e for e in model.extensions if e not in available]
            if missing:
                why = "; ".join(f"{e}: {EXTENSION_PURPOSE.get(e, 'used by the design')}" for e in missing)
                raise VerifyError(
                    f"the design needs the PostgreSQL extension {', '.join(missing)} ({why}), which this server "
                    "does not provide. Verify without --dsn (a private server from binaries that have it) or on "
                    "a server that has it: schemawright verify <folder> --dsn postgresql://user@host/db")
        if names:
            in_use = _roles_in_use(conn, names)
            if in_use:
                raise VerifyError(
                    f"the roles {', '.join(in_use)} already exist on this server and are in use (privileges in a "
                    "database, a password, or members of their own). Roles are shared by every database of a "
                    "server and verify creates and drops them, so it will not run where they may belong to a "
                    "deployment or to a verify still running: verify without --dsn (a private server of its own) or on another "
                    "server. If they are left over from an interrupted verify, drop them: "
                    + " ".join(f"DROP ROLE {r};" for r in in_use))
    try:
        yield
    finally:
        if names:
            with connect(server, autocommit=True) as conn:
                for name in reversed(names):
                    try:
                        conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))
                    except psycopg.Error as exc:  # still used somewhere: the next verify will say so
                        warnings.warn(f"role {name} was not dropped: {exc.diag.message_primary}", stacklevel=3)


_ROLES_IN_USE_SQL = """
SELECT r.rolname FROM pg_roles r
WHERE r.rolname = ANY(%(names)s) AND (
    EXISTS (SELECT FROM pg_shdepend d WHERE d.refclassid = 'pg_authid'::regclass AND d.refobjid = r.oid)
    OR EXISTS (SELECT FROM pg_auth_members m JOIN pg_roles o ON o.oid IN (m.roleid, m.member) AND o.oid <> r.oid
               WHERE r.oid IN (m.roleid, m.member) AND NOT o.rolname = ANY(%(names)s)))
ORDER BY 1"""


def _roles_in_use(conn: psycopg.Connection, names: list[str]) -> list[str]:
    """The design's roles that exist and are used: privileges or objects in any database, a password, or
    memberships beyond the design's own roles. Existing roles that nothing uses are leftovers (of a
    database dropped without its undo migration): verify takes them over and drops them at the end."""
    used = [r[0] for r in conn.execute(_ROLES_IN_USE_SQL, {"names": names})]
    try:
        with conn.transaction():
            used += [r[0] for r in conn.execute(
                "SELECT rolname FROM pg_authid WHERE rolname = ANY(%s) AND rolpassword IS NOT NULL", [names])]
    except psycopg.errors.InsufficientPrivilege:  # not a superuser: existing roles cannot be judged
        used += [r[0] for r in conn.execute("SELECT rolname FROM pg_roles WHERE rolname = ANY(%s)", [names])]
    return sorted(set(used))


def count_steps(model: Schema) -> int:
    if not model.roles:
        return 0
    return 3 + len({c.step for c in security_checks(model).checks})


def run_checks(conn: psycopg.Connection, model: Schema, undo: list[Path], run, folder: Path | None = None) -> None:
    """Run every security check (``run.add`` records each step); nothing is left in the database."""
    if not model.roles:
        return
    if run.progress is not None:
        task = next(t for t in run.progress.tasks if t.id == run.task)
        run.progress.update(run.task, total=(task.total or 0) + count_steps(model))
    suite = security_checks(model)
    with conn.transaction(force_rollback=True):
        start = time.perf_counter()
        try:
            with conn.transaction():
                conn.execute(suite.support)
                conn.execute(suite.fixture)
            rows = conn.execute("SELECT count(*), count(*) FILTER (WHERE sent::text LIKE %s) FROM sw_fixture",
                                ["%DROP TABLE%"]).fetchone()
            loaded = StepResult(name="security: fixture rows load (hostile text included)", ok=True, group=GROUP,
                                detail=f"{rows[0]} rows, {rows[1]} with hostile text",
                                seconds=time.perf_counter() - start)
        except psycopg.Error as exc:
            loaded = StepResult(name="security: fixture rows load (hostile text included)", ok=False, group=GROUP,
                                detail=f"{exc.diag.sqlstate}: {exc.diag.message_primary}",
                                seconds=time.perf_counter() - start)
        run.add(loaded)
        steps: dict[str, list[Check]] = {}
        for check in suite.checks:
            steps.setdefault(check.step, []).append(check)
        for step, checks in steps.items():
            run.add(_run_step(conn, step, checks) if loaded.ok else
                    StepResult(name=step, ok=False, group=GROUP, detail="not run: the fixture rows did not load"))
    run.add(_timed("security: undo removes roles, privileges and policies", lambda: _undo_leftovers(conn, model, undo)))
    folder = folder or (undo[0].parent.parent if undo else None)
    run.add(_timed("security: no password or key in any generated file",
                   lambda: scan_secrets(folder) if folder else ["no migrations folder"]))


def _run_step(conn: psycopg.Connection, step: str, checks: list[Check]) -> StepResult:
    start = time.perf_counter()
    problems, passed = [], []
    for check in checks:
        try:
            with conn.transaction():
                got = conn.execute(f"SELECT {check.sql}").fetchone()[0]
        except psycopg.Error as exc:
            got = f"error {exc.diag.sqlstate}: {exc.diag.message_primary}"
        if got == check.expected:
            passed.append(check.name)
        else:
            problems.append(f"{check.name}: got {got!r}")
    detail = f"{len(passed)}/{len(checks)} as designed" if not problems else problems[0]
    return StepResult(name=step, ok=not problems, group=GROUP, detail=detail, problems=problems,
                      seconds=time.perf_counter() - start)


def _timed(name: str, fn) -> StepResult:
    start = time.perf_counter()
    try:
        problems = fn()
    except psycopg.Error as exc:
        problems = [f"{exc.diag.sqlstate}: {exc.diag.message_primary}"]
    return StepResult(name=name, ok=not problems, group=GROUP, problems=problems, seconds=time.perf_counter() - start,
                      detail="ok" if not problems else f"{len(problems)} problem(s): {problems[0]}")


def _in_one_transaction(path: Path) -> list[str]:
    """The statements of a migration, those that cannot run in a transaction block made able to (a diff's
    ``DROP INDEX CONCURRENTLY`` becomes ``DROP INDEX``: the same catalog change, here rolled back anyway);
    maintenance statements that change no catalog (VACUUM...) are left out."""
    from pglast.stream import RawStream

    from schemawright.project.statements import split_statements

    out = []
    for stmt in split_statements(path.read_text(encoding="utf-8"), path.name):
        if not stmt.non_transactional:
            out.append(stmt.text)
        elif stmt.non_transactional in ("CREATE INDEX CONCURRENTLY", "DROP INDEX CONCURRENTLY"):
            stmt.node.concurrent = False
            out.append(RawStream()(stmt.node))
        elif stmt.non_transactional == "ALTER TYPE ... ADD VALUE":
            out.append(stmt.text)  # allowed in a transaction since PostgreSQL 12
    return out


def _undo_leftovers(conn: psycopg.Connection, model: Schema, undo: list[Path]) -> list[str]:
    """Apply the undo migrations in a transaction that is rolled back, and list what they left."""
    with conn.transaction(force_rollback=True):
        # an undo that encrypts or decrypts columns needs a key in the session: a throwaway one, rolled back
        conn.execute("SELECT set_config('app.encryption_key', gen_random_uuid()::text, true)")
        for f in undo:
            for statement in _in_one_transaction(f):
                conn.execute(statement, prepare=False)
        names = [r.name for r in model.roles]
        left = [f"role {r[0]}" for r in conn.execute(
            "SELECT rolname FROM pg_roles WHERE rolname = ANY(%s) ORDER BY 1", [names])]
        left += [f"policy {r[0]}" for r in conn.execute(
            "SELECT polname FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s", [model.name])]
        left += [f"default privileges of {r[0]}" for r in conn.execute(
            "SELECT DISTINCT pg_get_userbyid(defaclrole) FROM pg_default_acl")]
        public = conn.execute("SELECT has_schema_privilege('public', %s, 'USAGE')", [model.name]).fetchone()[0]
        if not public:
            left.append(f"PUBLIC still has no USAGE on schema {model.name} (the PostgreSQL default is restored)")
    return [f"still present after undo: {x}" for x in left]


# --- secrets in files ----------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"^(|\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|<[^>]*>|\*+|:'?[a-z_]+'?|CHANGE_?ME|changeme|x{3,}"
                          r"|\.\.\.)$")
_SECRET_PATTERNS = (
    (re.compile(r"(?i)\bPASSWORD\s+'((?:[^']|'')*)'"), "a password literal in SQL"),
    (re.compile(r"(?i)\b(?:ENCRYPTED\s+)?PASSWORD\s+E'((?:[^']|'')*)'"), "a password literal in SQL"),
    (re.compile(r"(?i)set_config\(\s*'app\.encryption_key'\s*,\s*'((?:[^']|'')*)'"), "an encryption key literal"),
    (re.compile(r"(?i)\bSET\s+(?:LOCAL\s+)?app\.encryption_key\s*(?:=|TO)\s*'((?:[^']|'')*)'"),
     "an encryption key literal"),
    (re.compile(r"postgres(?:ql)?://[^:/@\s]+:([^@\s]+)@"), "a password in a connection URL"),
    (re.compile(r"(?im)^\s*[A-Z0-9_]*(?:PASSWORD|SECRET|API_KEY|TOKEN|ENCRYPTION_KEY)\s*=\s*(\S*)\s*$"),
     "a secret in an environment file"),
    (re.compile(r"(?i)\b(?:pgp_sym_(?:en|de)crypt)\([^,()]+,\s*'((?:[^']|'')*)'"), "an encryption key literal"),
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----()"), "a private key"),
)


def scan_secrets(folder: Path) -> list[str]:
    """Every password, key or private key found in the files under ``folder`` (placeholders pass)."""
    problems = []
    for path in sorted(p for p in Path(folder).rglob("*") if p.is_file() and p.name != "verification.json"):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for pattern, what in _SECRET_PATTERNS:
            for m in pattern.finditer(text):
                value = m.group(1)
                if what != "a private key" and _PLACEHOLDER.match(value):
                    continue
                line = text.count("\n", 0, m.start()) + 1
                problems.append(f"{path.relative_to(folder)}:{line}: {what}")
    return problems
