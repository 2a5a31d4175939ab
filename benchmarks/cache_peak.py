"""The generated Redis cache at the declared peak: latency with and without the cache under concurrent load.

    python benchmarks/cache_peak.py --dsn postgresql://postgres@/postgres?host=/var/run/postgresql \
        [--input tests/inputs/hotel_booking.yaml] [--scale 0.05] [--seconds 24] [--rate R] [--no-near] [--json]

Designs the input, seeds it at ``--scale`` into a scratch database, applies cache/invalidation.sql and runs
the generated cache/schemawright_cache.py's invalidation listener. Then ``clients`` threads (twice the
generated PgBouncer ``default_pool_size``: more clients than server connections, as at peak) read through a
psycopg_pool ConnectionPool of ``default_pool_size`` connections, either at the input's declared
read_operations_per_second (the default; ``--rate R`` another rate: reads arrive at random, open loop, a
read's latency counted from its arrival) or back to back (``--rate 0``: closed loop, the most the machine
serves): the read patterns of
the generated module (the bench's shapes: key lookups, lists, joins, 30-day reports, and the declared
query patterns), weighted by their frequency, parameters drawn from the seeded rows with a skew (a hot set,
as at peak). A writer commits updates at the input's write:read ratio meanwhile (every write fires the
invalidation triggers). The database path (``Cache.query``) and the cached path (``Cache.get``) run in
alternating rounds of the same length, so a busy machine slows both alike; the latency of each read is
measured from the moment its client issues it (the wait for a pool connection included). Also reported: the
hits the generated module's near cache served from the client process (``near_hits``), CPU per read of the
clients, their PostgreSQL backends and Redis, and the share of each path's time Redis's main thread spent
runnable but waiting for a core (``redis_runqueue_wait_share``, from /proc schedstat).

During the cached rounds a checker commits a write to a row it primed in the cache and polls that row
through the cache: the time until the cache returns the committed value is the invalidation delay, and a
read past STALENESS_BOUND_SECONDS that still returns the old value is counted as stale.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import re
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INPUT = ROOT / "tests" / "inputs" / "hotel_booking.yaml"
APPLICATION = "sw_cache_peak"  # application_name of the load's server connections (their CPU is counted)
_TICK = None


def _cpu_seconds(pids) -> float | None:
    """utime + stime of local processes (/proc); None when one cannot be read (a remote server)."""
    import os

    global _TICK
    _TICK = _TICK or os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return None
        total += int(fields[11]) + int(fields[12])
    return total / _TICK


def _runqueue_wait(pid: int) -> float | None:
    """Seconds the process's main thread has spent runnable, waiting for a core (/proc schedstat)."""
    try:
        return int(Path(f"/proc/{pid}/task/{pid}/schedstat").read_text().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return None


def load_module(folder: Path):
    """The generated cache module of a design folder, imported under a fresh name."""
    spec = importlib.util.spec_from_file_location(f"swcache_{uuid.uuid4().hex}", folder / "cache" / "schemawright_cache.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def pool_size(folder: Path) -> int:
    """The generated PgBouncer default_pool_size (server connections per pool)."""
    text = (folder / "config" / "pgbouncer.ini.example").read_text()
    return int(re.search(r"^default_pool_size\s*=\s*(\d+)", text, re.M).group(1))


def targets(folder: Path) -> tuple[int | None, int | None, int | None]:
    """(concurrent_users, read_operations_per_second, write_operations_per_second) of the design's input."""
    from schemawright.project.sources import load_schema

    perf = load_schema(str(folder)).facts.performance_targets
    if perf is None:
        return None, None, None
    return perf.concurrent_users, perf.read_operations_per_second, perf.write_operations_per_second


def samples(conn, mod, name: str, n: int) -> list[tuple]:
    """Up to ``n`` parameter tuples of a pattern, from the loaded rows (its params name columns of its tables)."""
    import psycopg

    p = mod.PATTERNS[name]
    if not p["params"]:
        return [()]
    cols = ", ".join(f'"{c}"' for c in p["params"])
    where = " AND ".join(f'"{c}" IS NOT NULL' for c in p["params"])
    for t in reversed(p["tables"]):
        try:
            with conn.transaction():
                rows = conn.execute(f'SELECT DISTINCT {cols} FROM "{t}" WHERE {where} LIMIT {int(n)}').fetchall()
        except psycopg.errors.UndefinedColumn:
            continue
        if rows:
            return [tuple(r) for r in rows]
    return []


def workload(conn, mod, n: int, *, per_pattern: int = 500, seed: int = 7) -> list[tuple[str, tuple]]:
    """``n`` reads: patterns by their frequency, parameters skewed (Pareto: a hot set read far more often)."""
    rng = random.Random(seed)
    bound = {name: v for name in mod.PATTERNS if (v := samples(conn, mod, name, per_pattern))}
    names = sorted(bound)
    weights = [float(mod.PATTERNS[name].get("frequency") or 1.0) for name in names]
    out = []
    for name in rng.choices(names, weights, k=n):
        values = bound[name]
        out.append((name, values[min(int(rng.paretovariate(1.2)) - 1, len(values) - 1)]))
    return out


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _updatable(conn, mod) -> list[tuple[str, str]]:
    """(primary-key pattern, table) of the tables a write may touch: a pattern reading one row by ``id``,
    and an ``updated_at`` column (the writes set it, firing the invalidation triggers)."""
    out = []
    for name, p in mod.PATTERNS.items():
        t = p.get("row_table")
        if not t or p["params"] != ["id"]:
            continue
        if conn.execute("SELECT count(*) FROM information_schema.columns WHERE table_name = %s AND "
                        "column_name = 'updated_at'", (t,)).fetchone()[0]:
            out.append((name, t))
    return out


def _writable(conn, mod) -> list[tuple[str, object]]:
    """(table, id) of rows the writer may update."""
    out = []
    for _, t in _updatable(conn, mod):
        out += [(t, r[0]) for r in conn.execute(f'SELECT id FROM "{t}" LIMIT 200').fetchall()]
    return out


class _Writer(threading.Thread):
    """Commits updates (updated_at := now() through the design's trigger) at ``ratio`` writes per read done."""

    def __init__(self, dsn: str, rows: list, reads, ratio: float, stop: threading.Event):
        super().__init__(daemon=True)
        self.dsn, self.rows, self.reads, self.ratio, self.stop = dsn, rows, reads, ratio, stop
        self.writes = 0

    def run(self) -> None:
        import psycopg

        if not self.rows or not self.ratio:
            return
        rng = random.Random(11)
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            while not self.stop.is_set():
                if self.writes < self.reads() * self.ratio:
                    table, key = rng.choice(self.rows)
                    conn.execute(f'UPDATE "{table}" SET updated_at = updated_at WHERE id = %s', (key,))
                    self.writes += 1
                else:
                    time.sleep(0.005)


class _Checker(threading.Thread):
    """Write-then-read-through-the-cache probes: the invalidation delay of each, and the stale reads past the bound."""

    def __init__(self, cache, mod, dsn: str, rows: list, stop: threading.Event):
        super().__init__(daemon=True)  # ``cache`` is used by this thread only
        self.cache, self.mod, self.dsn, self.rows, self.stop = cache, mod, dsn, rows, stop
        self.delays: list[float] = []
        self.stale = 0
        self.active = threading.Event()

    def _plain(self, rows):
        return json.loads(json.dumps(rows, default=self.mod._plain))

    def run(self) -> None:
        import psycopg

        if not self.rows:
            return
        bound = self.mod.STALENESS_BOUND_SECONDS
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            for name, table, key in self.rows:
                if self.stop.is_set():
                    return
                self.active.wait()
                self.cache.get(name, (key,))  # primed
                self.cache.get(name, (key,))
                conn.execute(f'UPDATE "{table}" SET updated_at = updated_at WHERE id = %s', (key,))
                committed = time.perf_counter()
                fresh = self._plain(self.cache.query(name, (key,)))
                while True:
                    now = time.perf_counter()
                    if self.cache.get(name, (key,)) == fresh:
                        self.delays.append(now - committed)
                        break
                    if now - committed > bound:
                        self.stale += 1
                        break
                    time.sleep(0.005)
                self.stop.wait(0.3)


def _worker(module_path: str, dsn: str, redis_kwargs: dict, calls: list, threads: int, pool: int, prefix: str,
            seed: int, commands, results, options: dict | None = None) -> None:
    """One application process: ``threads`` clients over its own pool of ``pool`` connections and its own
    Cache; runs the rounds the parent sends ("database" or "cache", seconds) and returns their latencies."""
    import queue

    import redis
    from psycopg_pool import ConnectionPool

    spec = importlib.util.spec_from_file_location(f"swcache_{uuid.uuid4().hex}", module_path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    db = ConnectionPool(dsn, min_size=pool, max_size=pool, open=True, timeout=60,
                        kwargs={"autocommit": True, "application_name": APPLICATION})
    db.wait(60)
    cache = mod.Cache(redis.Redis(**redis_kwargs), db, prefix=prefix, **(options or {}))
    rng = random.Random(seed)
    for _ in range(max(20, len(calls) // 10)):  # warm both paths (plans, the pool, the hot set in Redis)
        name, params = calls[rng.randrange(len(calls))]
        cache.get(name, params)
        cache.query(name, params)
    results.put("ready")
    r = 0
    while True:
        command = commands.get()
        if command is None:
            break
        mode, seconds, rate = command
        read = cache.query if mode == "database" else cache.get
        base = (cache.hits, cache.misses, cache.bypassed, getattr(cache, "near_hits", 0))
        lat: list[float] = []
        end = time.perf_counter() + seconds
        r += 1

        def client(k: int) -> None:
            rng = random.Random(seed * 7919 + k * 1000 + r)
            mine = []
            if not rate:  # closed loop: back to back
                while time.perf_counter() < end:
                    name, params = calls[rng.randrange(len(calls))]
                    t0 = time.perf_counter()
                    read(name, params)
                    mine.append((time.perf_counter() - t0) * 1000)
                lat.extend(mine)
                return
            # open loop: reads arrive at ``rate`` per second (Poisson) into one queue that every client of the
            # process serves, as requests reach an application's workers; a read's latency counts from its
            # arrival, so the time it waited for a free client counts
            while True:
                got = arrivals.get()
                if got is None:
                    break
                due, name, params = got
                wait = due - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
                read(name, params)
                mine.append((time.perf_counter() - due) * 1000)
            lat.extend(mine)

        def arrive() -> None:
            rng = random.Random(seed * 7919 + r)
            due = time.perf_counter() + rng.expovariate(rate)
            while due < end:
                ahead = due - time.perf_counter() - 0.002  # queued a little ahead; a client sleeps until due
                if ahead > 0:
                    time.sleep(ahead)
                name, params = calls[rng.randrange(len(calls))]
                arrivals.put((due, name, params))
                due += rng.expovariate(rate)
            for _ in range(threads):
                arrivals.put(None)

        arrivals: queue.SimpleQueue = queue.SimpleQueue()
        workers = [threading.Thread(target=client, args=(k,)) for k in range(threads)]
        if rate:
            workers.append(threading.Thread(target=arrive))
        for t in workers:
            t.start()
        for t in workers:
            t.join()
        results.put((mode, lat, cache.hits - base[0], cache.misses - base[1], cache.bypassed - base[2],
                     getattr(cache, "near_hits", 0) - base[3]))
    cache.close()
    db.close()


def peak(mod, redis_client, dsn: str, calls: list[tuple[str, tuple]], *, clients: int, pool: int, seconds: float,
         rounds: int = 6, processes: int = 2, write_ratio: float = 0.0, writable=(), probes=(),
         prefix: str | None = None, rate: float | None = None, options: dict | None = None) -> dict:
    """Load: ``clients`` threads in ``processes`` application processes (each with its share of the ``pool``
    connections: the pool caps the server connections, as PgBouncer does) reading ``calls``, alternating
    database and cache rounds; latencies in ms per path, the cache's hit ratio, writes, invalidation delays.
    ``rate``: reads per second in all, arriving at random (open loop: latency from each read's arrival);
    None: each client reads back to back (closed loop: the most the machine serves)."""
    import multiprocessing

    prefix = prefix or f"swpeak:{uuid.uuid4().hex}"
    stop, ready = threading.Event(), threading.Event()
    listener = threading.Thread(target=mod.listen, args=(redis_client, dsn, stop), kwargs={"prefix": prefix, "ready": ready},
                                daemon=True)
    listener.start()
    if not ready.wait(15):
        raise RuntimeError("the invalidation listener did not connect")
    kw = redis_client.connection_pool.connection_kwargs
    redis_kwargs = {k: kw[k] for k in ("host", "port", "db", "path") if k in kw}
    ctx = multiprocessing.get_context("spawn")
    results = ctx.Queue()
    procs, queues = [], []
    for i in range(processes):
        q = ctx.Queue()
        share = clients // processes + (1 if i < clients % processes else 0)
        conns = pool // processes + (1 if i < pool % processes else 0)
        proc = ctx.Process(target=_worker, args=(mod.__file__, dsn, redis_kwargs, calls, share, max(1, conns), prefix,
                                                  i + 1, q, results, options), daemon=True)
        proc.start()
        procs.append(proc)
        queues.append(q)
    lat = {"database": [], "cache": []}
    busy = {"database": 0.0, "cache": 0.0}
    counts = {"hits": 0, "misses": 0, "bypassed": 0}
    near_hits = 0
    waited = {"database": 0.0, "cache": 0.0}  # Redis's main thread runnable but not running (schedstat)
    done = {"reads": 0}
    writes_stop = threading.Event()
    writer = _Writer(dsn, list(writable), lambda: done["reads"], write_ratio, writes_stop)
    checker = _Checker(mod.Cache(redis_client, _connect(dsn), prefix=prefix, **(options or {})), mod, dsn, list(probes),
                       writes_stop)
    try:
        for _ in procs:
            got = _result(results, procs, 300)
            assert got == "ready", got
        writer.start()
        checker.start()
        per_round = seconds / (rounds * 2)
        with _connect(dsn) as conn:
            backends = [r[0] for r in conn.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s "
                                                   "AND datname = current_database()", (APPLICATION,))]
        try:
            redis_pid = int(redis_client.info("server")["process_id"])
        except Exception:  # noqa: BLE001 - a server that does not say
            redis_pid = None
        watched = {"clients": [p.pid for p in procs], "postgres": backends, "redis": [redis_pid] if redis_pid else []}
        cpu = {m: {k: 0.0 for k in watched} for m in ("database", "cache")}
        for r in range(rounds * 2):
            mode = "database" if r % 2 == 0 else "cache"
            (checker.active.set if mode == "cache" else checker.active.clear)()
            start = time.perf_counter()
            before = {k: _cpu_seconds(v) for k, v in watched.items()}
            queued = _runqueue_wait(redis_pid) if redis_pid is not None else None
            for i, q in enumerate(queues):
                share = clients // processes + (1 if i < clients % processes else 0)
                q.put((mode, per_round, rate * share / clients if rate else None))
            for _ in procs:
                got_mode, got, hits, misses, bypassed, near = _result(results, procs, per_round + 120)
                near_hits += near if got_mode == "cache" else 0
                lat[got_mode].extend(got)
                done["reads"] += len(got)
                if got_mode == "cache":
                    counts["hits"] += hits
                    counts["misses"] += misses
                    counts["bypassed"] += bypassed
            busy[mode] += time.perf_counter() - start
            if redis_pid is not None and waited[mode] is not None:
                after = _runqueue_wait(redis_pid)
                waited[mode] = None if after is None or queued is None else waited[mode] + after - queued
            for k, v in watched.items():
                after = _cpu_seconds(v)
                cpu[mode][k] = None if after is None or before[k] is None or cpu[mode][k] is None \
                    else cpu[mode][k] + after - before[k]
    finally:
        for q in queues:
            q.put(None)
        for proc in procs:
            proc.join(30)
            if proc.is_alive():
                proc.terminate()
        checker.active.set()
        writes_stop.set()
        if writer.is_alive():
            writer.join(10)
        if checker.is_alive():
            checker.join(10)
        checker.cache.db.close()
        stop.set()
        listener.join(10)
        for key in redis_client.scan_iter(f"{prefix}:*"):
            redis_client.delete(key)
    out = {"clients": clients, "processes": processes, "pool": pool, "seconds": seconds, "rounds": rounds,
           "rate": rate, "options": options or {}, "writes": writer.writes}
    for mode in ("database", "cache"):
        out[mode] = {"reads": len(lat[mode]), "reads_per_second": round(len(lat[mode]) / busy[mode], 1) if busy[mode] else 0,
                     "p50_ms": round(_percentile(lat[mode], 0.50), 2), "p95_ms": round(_percentile(lat[mode], 0.95), 2),
                     "mean_ms": round(statistics.fmean(lat[mode]), 2) if lat[mode] else None,
                     # CPU per read (client processes, their PostgreSQL backends, Redis): what the path costs
                     # the machine, whatever else runs on it
                     "cpu_us_per_read": {k: round(v / len(lat[mode]) * 1e6) if v is not None and lat[mode] else None
                                         for k, v in cpu[mode].items()}}
    calls_cached = sum(counts.values())
    out["hit_ratio"] = round(counts["hits"] / calls_cached, 4) if calls_cached else 0.0
    out["bypassed"] = counts["bypassed"]
    out["near_hits"] = near_hits  # hits served from the client process's memory (no Redis round trip)
    # the share of each path's time Redis's main thread spent runnable but waiting for a core: what a
    # Redis round trip waits on a machine whose cores are busy
    out["redis_runqueue_wait_share"] = {m: round(waited[m] / busy[m], 3) if waited[m] is not None and busy[m] else None
                                        for m in waited}
    out["invalidation_delay_ms"] = {"probes": len(checker.delays) + checker.stale,
                                    "max": round(max(checker.delays) * 1000, 1) if checker.delays else None,
                                    "p95": round(_percentile(checker.delays, 0.95) * 1000, 1) if checker.delays else None}
    out["stale_reads_past_bound"] = checker.stale
    out["staleness_bound_s"] = mod.STALENESS_BOUND_SECONDS
    for q in ("p50_ms", "p95_ms"):
        d, c = out["database"][q], out["cache"][q]
        out[f"{q[:3]}_faster"] = round(1 - c / d, 3) if d else None
    return out


def _result(results, procs, timeout: float):
    """The next result of a worker process; an error as soon as one died."""
    import queue

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            return results.get(timeout=1)
        except queue.Empty:
            dead = [p.exitcode for p in procs if not p.is_alive()]
            if dead:
                raise RuntimeError(f"a load process died (exit code {dead[0]})") from None
    raise RuntimeError(f"no result from the load processes in {timeout:.0f} s")


def _connect(dsn: str):
    import psycopg

    return psycopg.connect(dsn, autocommit=True)


def probe_rows(conn, mod, n: int, avoid=()) -> list[tuple[str, str, object]]:
    """(primary-key pattern, table, id) of ``n`` rows the checker writes and reads, none the workload reads."""
    avoid = {k for _, k in avoid}
    out = []
    for name, t in _updatable(conn, mod):
        ids = [r[0] for r in conn.execute(f'SELECT id FROM "{t}" ORDER BY id DESC LIMIT %s', (n,)).fetchall()]
        out += [(name, t, i) for i in ids if i not in avoid]
    random.Random(3).shuffle(out)
    return out[:n]


def run(input_path: Path, dsn: str, *, scale: float, seconds: float, rounds: int, clients: int | None,
        rate: float | None = None, near: bool = True) -> dict:
    """``rate``: reads per second (None: the input's read_operations_per_second; 0: closed loop)."""
    import psycopg
    import redis
    from redis.utils import HIREDIS_AVAILABLE

    from schemawright.api import design_project, seed
    from schemawright.db.scratch import scratch_database

    with tempfile.TemporaryDirectory() as tmp, scratch_database(dsn, prefix="sw_cache_peak") as scratch:
        folder = Path(tmp) / "design"
        design_project(input_path, folder)
        t0 = time.perf_counter()
        result = seed(folder, scratch, scale=scale)
        rows = {t.table: t.rows for t in result.load.tables}
        seeded = time.perf_counter() - t0
        mod = load_module(folder)
        with psycopg.connect(scratch, autocommit=True) as conn:
            conn.execute((folder / "cache" / "invalidation.sql").read_text())
            calls = workload(conn, mod, 20000)
            writable = _writable(conn, mod)
            probes = probe_rows(conn, mod, 40, writable)
        users, reads, writes = targets(folder)
        pool = pool_size(folder)
        r = redis.Redis()
        rate = reads if rate is None else (rate or None)
        figures = peak(mod, r, scratch, calls, clients=clients or 2 * pool, pool=pool, seconds=seconds, rounds=rounds,
                       write_ratio=(writes / reads) if reads and writes else 0.0, writable=writable, probes=probes,
                       rate=rate, options=None if near else {"near_seconds": 0})
    figures.update({"input": input_path.name, "scale": scale, "rows": rows, "seed_seconds": round(seeded, 1),
                    "declared": {"concurrent_users": users, "read_operations_per_second": reads,
                                 "write_operations_per_second": writes},
                    "patterns": len({n for n, _ in calls}), "hiredis": HIREDIS_AVAILABLE})
    return figures


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dsn", required=True, help="a PostgreSQL server (a scratch database is created and dropped)")
    ap.add_argument("--input", type=Path, default=DEFAULT_INPUT)
    ap.add_argument("--scale", type=float, default=0.05)
    ap.add_argument("--seconds", type=float, default=24.0, help="measured time, both paths together")
    ap.add_argument("--rounds", type=int, default=6, help="rounds per path (alternating)")
    ap.add_argument("--clients", type=int, default=None, help="default: twice the generated pool size")
    ap.add_argument("--rate", type=float, default=None,
                    help="reads per second, arriving at random (default: the input's read_operations_per_second); "
                         "0: closed loop, every client back to back")
    ap.add_argument("--no-near", action="store_true",
                    help="the application's Cache without its near cache: every hit a Redis round trip")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    figures = run(args.input, args.dsn, scale=args.scale, seconds=args.seconds, rounds=args.rounds, clients=args.clients,
                  rate=args.rate, near=not args.no_near)
    if args.json:
        print(json.dumps(figures))
    else:
        print(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
