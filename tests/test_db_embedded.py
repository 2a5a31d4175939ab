"""The embedded server and scratch databases, on a real PostgreSQL (no mocks)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from schemawright.db import connect, data_dir, resolve_dsn, scratch_database, start, status, stop, url, with_dbname
from schemawright.cli.db import db_app
from schemawright.errors import DatabaseError


def _postmasters(data: Path) -> list[int]:
    """Pids of the postmasters serving this test's own cluster (``-D data``): servers of other users of
    the machine, on other data directories, and the backends of any server are not counted."""
    own = data.resolve()
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            argv = (proc / "cmdline").read_bytes().decode().split("\0")
        except (OSError, ValueError):
            continue
        if not argv[0].endswith("/postgres"):
            continue
        dirs = [argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "-D"]
        dirs += [a[2:] for a in argv if a.startswith("-D") and len(a) > 2]
        if any(Path(d).resolve() == own for d in dirs if d):
            pids.append(int(proc.name))
    return pids


def _select_1(dsn: str) -> int:
    with connect(dsn) as conn:
        return conn.execute("select 1").fetchone()[0]


def _use_home(path: Path, monkeypatch) -> Iterator[Path]:
    monkeypatch.setenv("SCHEMAWRIGHT_HOME", str(path))
    yield path
    stop()
    assert _postmasters(data_dir()) == []


def _new_home(name: str) -> Path:
    """A SCHEMAWRIGHT_HOME outside pytest's basetemp: every pytest session that starts on the machine (another
    run, an xdist worker) resets /tmp/pytest-of-<user> to mode 0700, after which the server's service user
    (when running as root) can no longer reach a cluster below it: initdb then fails half-way with
    "could not open file .../global/pg_control: Permission denied" and the tests after it meet that
    half-made cluster."""
    return Path(tempfile.mkdtemp(prefix=f"sw-test-{name}-", dir="/tmp")) / "home"


@pytest.fixture(scope="module")
def module_home():
    path = _new_home("embedded")
    yield path
    shutil.rmtree(path.parent)  # clusters are 40 MB; deleting one takes ~1 s here, hence one per module


@pytest.fixture
def home(module_home, monkeypatch):
    """SCHEMAWRIGHT_HOME shared by this module's tests; its server is stopped after each test."""
    yield from _use_home(module_home, monkeypatch)


@pytest.fixture
def fresh_home(monkeypatch):
    """A new, uninitialised SCHEMAWRIGHT_HOME; its server is stopped and its cluster deleted after the test."""
    path = _new_home("fresh")
    yield from _use_home(path, monkeypatch)
    shutil.rmtree(path.parent)


def test_start_is_idempotent(home):
    first = start()
    pid = status()["pid"]
    assert start() == first
    assert status()["pid"] == pid
    assert _postmasters(data_dir()) == [pid]
    assert first.startswith("postgresql://postgres@127.0.0.1:")


def test_answers_over_tcp_and_unix_socket(home):
    start()
    info = status()
    assert _select_1(info["url"]) == 1
    assert len(os.fsencode(info["socket_dir"])) + len("/.s.PGSQL.65535") <= 107
    with connect(f"host={info['socket_dir']} port={info['port']} user=postgres dbname=postgres") as conn:
        assert conn.execute("select inet_server_addr()").fetchone()[0] is None  # i.e. a Unix socket
        assert conn.execute("show max_parallel_workers_per_gather").fetchone()[0] == "0"
        assert conn.execute("show fsync").fetchone()[0] == "on"


def test_long_home_falls_back_to_a_short_socket_dir(monkeypatch):
    deep = _new_home("long").parent / ("x" * 60) / ("y" * 60)
    monkeypatch.setenv("SCHEMAWRIGHT_HOME", str(deep))
    start()
    info = status()
    try:
        assert not info["socket_dir"].startswith(str(deep))
        with connect(f"host={info['socket_dir']} port={info['port']} user=postgres dbname=postgres") as conn:
            assert conn.execute("select 1").fetchone()[0] == 1
    finally:
        stop()
        Path(info["socket_dir"]).rmdir()
        shutil.rmtree(deep.parent.parent)


def test_server_survives_the_process_that_started_it(home):
    proc = subprocess.run([sys.executable, "-c", "from schemawright.db import start; print(start())"],
                          capture_output=True, text=True, timeout=120, env=os.environ.copy())
    assert proc.returncode == 0, proc.stderr
    started = proc.stdout.strip()
    assert _select_1(started) == 1
    assert url() == started == start()


def test_status_and_stop(home):
    before = status()
    assert before["running"] is False and before["pid"] is None and before["url"] is None
    assert before["version"].startswith("18.")
    assert url() is None
    assert stop() is False

    started = start()
    running = status()
    assert running["running"] is True
    assert running["url"] == url() == started
    assert started.endswith(f":{running['port']}/postgres")
    assert running["data_dir"] == str(home / "pg" / "data")
    assert _postmasters(data_dir()) == [running["pid"]]

    assert stop() is True
    assert _postmasters(data_dir()) == []
    assert status()["running"] is False and url() is None
    assert stop() is False
    with pytest.raises(DatabaseError):
        _select_1(started)


def test_restart_picks_another_port_when_the_old_one_is_taken(home):
    first = start()
    port = status()["port"]
    stop()
    with socket.socket() as squatter:
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        second = start()
    assert second != first
    assert _select_1(second) == 1


def test_concurrent_starts_from_two_processes_give_one_server(fresh_home):
    go = time.time() + 2  # both processes call start() at this moment, on a not yet initialised home
    script = ("import sys, time; from schemawright.db import start, status; "
              "time.sleep(max(0, float(sys.argv[1]) - time.time())); print(start(), status()['pid'])")
    procs = [subprocess.Popen([sys.executable, "-c", script, str(go)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=os.environ.copy()) for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], "\n".join(err for _, err in outs)
    assert outs[0][0] == outs[1][0]
    dsn, pid = outs[0][0].split()
    assert _postmasters(data_dir()) == [int(pid)]
    assert _select_1(dsn) == 1


def test_resolve_dsn(home):
    assert resolve_dsn("postgresql://someone@db.example/x") == "postgresql://someone@db.example/x"
    assert resolve_dsn(None) == start() == url()


def test_cli(home):
    runner = CliRunner()
    assert runner.invoke(db_app, ["url"]).exit_code == 1
    started = runner.invoke(db_app, ["start"])
    assert started.exit_code == 0 and started.output.strip() == url()
    assert runner.invoke(db_app, ["url"]).output.strip() == url()
    assert "running" in runner.invoke(db_app, ["status"]).output
    assert runner.invoke(db_app, ["stop"]).output.strip() == "stopped"


def _databases(dsn: str) -> set[str]:
    with connect(dsn) as conn:
        return {name for (name,) in conn.execute("select datname from pg_database")}


def test_scratch_database_is_created_and_dropped(pg_dsn):
    with scratch_database(pg_dsn, prefix="sw_test") as dsn:
        with connect(dsn) as conn:
            name = conn.execute("select current_database()").fetchone()[0]
            conn.execute("create table t (id int primary key)")
        assert name.startswith("sw_test_") and name in _databases(pg_dsn)
    assert name not in _databases(pg_dsn)


def test_scratch_database_is_dropped_when_the_body_raises(pg_dsn):
    with pytest.raises(RuntimeError, match="boom"):
        with scratch_database(pg_dsn) as dsn:
            held = connect(dsn)  # an open session must not prevent the drop
            name = held.info.dbname
            raise RuntimeError("boom")
    held.close()
    assert name not in _databases(pg_dsn)


def test_scratch_dsn_fixture_gives_an_empty_database(scratch_dsn):
    with connect(scratch_dsn) as conn:
        tables = conn.execute("select count(*) from pg_tables where schemaname = 'public'").fetchone()[0]
    assert tables == 0


def test_connection_failure_is_a_database_error():
    with pytest.raises(DatabaseError, match="could not connect") as err:
        connect("postgresql://postgres:sekrit@127.0.0.1:1/postgres", connect_timeout=2)
    assert "sekrit" not in str(err.value)


def test_with_dbname():
    assert with_dbname("postgresql://u@h:5/a?dbname=b&sslmode=disable", "c") == "postgresql://u@h:5/c?sslmode=disable"
    assert "dbname=c" in with_dbname("host=/tmp port=5 dbname=a", "c").split()
