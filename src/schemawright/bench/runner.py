"""Run a pattern mix with N concurrent client processes; measure the machine's floor; read pg_stat.

Each client is its own process with its own connection (no GIL shared between clients), picks
patterns by frequency, runs each with prepared statements, and records latencies after the warm-up.
"""

from __future__ import annotations

import multiprocessing as mp
import random
import re
import shutil
import statistics
import subprocess
import time
from array import array
from dataclasses import dataclass, field

import psycopg

from schemawright.bench.patterns import Pattern, as_sql
from schemawright.db import connect

_PATTERNS: list[Pattern] = []  # inherited by forked clients


@dataclass
class PatternStats:
    name: str
    calls: int = 0
    errors: int = 0
    error_sample: str | None = None
    latencies_ms: list[float] = field(default_factory=list, repr=False)

    def percentile(self, p: float) -> float | None:
        if not self.latencies_ms:
            return None
        data = sorted(self.latencies_ms)
        return data[min(len(data) - 1, int(round(p / 100 * (len(data) - 1))))]

    def summary(self, seconds: float) -> dict:
        lat = self.latencies_ms
        return {"calls": self.calls, "errors": self.errors, "error_sample": self.error_sample,
                "per_second": round(self.calls / seconds, 1) if seconds else 0,
                "p50_ms": _r(self.percentile(50)), "p95_ms": _r(self.percentile(95)),
                "p99_ms": _r(self.percentile(99)), "mean_ms": _r(statistics.fmean(lat) if lat else None)}


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


def _placeholders(statement: str) -> int:
    return statement.count("%s")


def _call(conn: psycopg.Connection, p: Pattern, params: tuple) -> None:
    if len(p.statements) == 1:
        cur = conn.execute(as_sql(p.statements[0]), params, prepare=True)
        if cur.description is not None:
            cur.fetchall()
        return
    with conn.transaction():
        at = 0
        for s in p.statements:
            n = _placeholders(s)
            conn.execute(as_sql(s), params[at:at + n], prepare=True)
            at += n


def _client(args) -> dict:
    dsn, client, seed, warmup_s, duration_s, clients = args
    rng = random.Random(seed * 1000 + client)
    patterns = [p for p in _PATTERNS if p.params]
    # Every pattern is called at least once in the measured time (this client takes its share, in turn,
    # before the weighted mix): a rare pattern in a short or slow run is measured, not starved.
    todo = [p for i, p in enumerate(patterns) if i % clients == client][::-1]
    weights = [p.frequency for p in patterns]
    lat = {p.name: array("f") for p in patterns}
    calls = dict.fromkeys(lat, 0)
    errors: dict[str, list] = {}
    fresh = (seed * 64 + client + 1) * 10_000_000  # fresh-row indices of this client: unique keys across clients
    with connect(dsn, autocommit=True) as conn:
        start = time.perf_counter()
        record_from, stop = start + warmup_s, start + warmup_s + duration_s
        now = start
        while now < stop or todo:
            p = todo.pop() if todo and now >= record_from else rng.choices(patterns, weights)[0]
            if p.fresh is not None:
                fresh += 1
                params = p.fresh(fresh)
            else:
                params = p.params[rng.randrange(len(p.params))]
            t0 = time.perf_counter()
            try:
                _call(conn, p, params)
                ok = True
            except psycopg.Error as exc:
                ok = False
                if t0 >= record_from:
                    e = errors.setdefault(p.name, [0, None])
                    e[0] += 1
                    e[1] = e[1] or f"{type(exc).__name__}: {(str(exc).strip().splitlines() or ['(no message)'])[0]}"
            now = time.perf_counter()
            if t0 >= record_from and ok:
                lat[p.name].append((now - t0) * 1000)
                calls[p.name] += 1
    return {"lat": {k: v.tobytes() for k, v in lat.items()}, "calls": calls, "errors": errors}


def run_mix(dsn: str, patterns: list[Pattern], *, clients: int, duration: float, warmup: float,
            seed: int = 1) -> tuple[dict[str, PatternStats], float]:
    """Run the mix; per-pattern statistics over the measured ``duration`` seconds."""
    global _PATTERNS
    _PATTERNS = patterns
    ctx = mp.get_context("fork")
    with ctx.Pool(clients) as pool:
        results = pool.map(_client, [(dsn, i, seed, warmup, duration, clients) for i in range(clients)])
    _PATTERNS = []
    stats = {p.name: PatternStats(p.name) for p in patterns}
    for r in results:
        for name, raw in r["lat"].items():
            values = array("f")
            values.frombytes(raw)
            stats[name].latencies_ms.extend(values)
            stats[name].calls += r["calls"][name]
        for name, (count, sample) in r["errors"].items():
            stats[name].errors += count
            stats[name].error_sample = stats[name].error_sample or sample
    return stats, duration


# --- server statistics -----------------------------------------------------------------------------
def reset_stats(conn: psycopg.Connection) -> None:
    conn.execute("SELECT pg_stat_reset()")


def hit_ratios(conn: psycopg.Connection) -> dict:
    conn.execute("SELECT pg_stat_clear_snapshot()")
    cache = conn.execute("SELECT sum(blks_hit)::float8 / nullif(sum(blks_hit + blks_read), 0) FROM pg_stat_database "
                         "WHERE datname = current_database()").fetchone()[0]
    index_cache = conn.execute("SELECT sum(idx_blks_hit)::float8 / nullif(sum(idx_blks_hit + idx_blks_read), 0) "
                               "FROM pg_statio_user_indexes").fetchone()[0]
    usage = conn.execute("SELECT sum(idx_scan)::float8 / nullif(sum(coalesce(idx_scan, 0) + seq_scan), 0) "
                         "FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid WHERE c.reltuples > 1000"
                         ).fetchone()[0]
    return {"buffer_cache_hit_ratio": _r4(cache), "index_cache_hit_ratio": _r4(index_cache),
            "index_usage_ratio": _r4(usage)}


def _r4(x):
    return None if x is None else round(x, 4)


_SEQ_RE = re.compile(r"Seq Scan on (\S+)")
_EXEC_RE = re.compile(r"Execution Time: ([\d.]+) ms")
_BUF_RE = re.compile(r"Buffers: shared(?: hit=(\d+))?(?: read=(\d+))?")


def explain(conn: psycopg.Connection, p: Pattern, large_tables: dict[str, int]) -> dict:
    """EXPLAIN (ANALYZE, BUFFERS) of one call (writes rolled back); sequential scans of large tables flagged."""
    if not p.params:
        return {}
    params, lines = p.params[0], []
    try:
        with conn.transaction(force_rollback=True):
            at = 0
            for s in p.statements:
                n = _placeholders(s)
                rows = conn.execute(as_sql("EXPLAIN (ANALYZE, BUFFERS) " + s), params[at:at + n]).fetchall()
                lines += [r[0] for r in rows]
                at += n
    except psycopg.Error as exc:
        return {"error": str(exc).strip()}
    text = "\n".join(lines)
    seq = sorted({m.split(".")[-1].strip('"') for m in _SEQ_RE.findall(text)})
    buf = _BUF_RE.search(text)
    return {"plan": lines, "execution_ms": sum(float(x) for x in _EXEC_RE.findall(text)),
            "shared_hit": int(buf.group(1) or 0) if buf else None, "shared_read": int(buf.group(2) or 0) if buf else None,
            "seq_scans": seq, "seq_scans_on_large_tables": [t for t in seq if large_tables.get(t, 0) >= 10_000]}


# --- the machine's floor ---------------------------------------------------------------------------
def select1_floor(dsn: str, calls: int = 3000) -> dict:
    with connect(dsn, autocommit=True) as conn:
        for _ in range(300):
            conn.execute("SELECT 1", prepare=True)
        lat = []
        for _ in range(calls):
            t0 = time.perf_counter()
            conn.execute("SELECT 1", prepare=True).fetchone()
            lat.append((time.perf_counter() - t0) * 1000)
    lat.sort()
    return {"select1_p50_ms": round(lat[len(lat) // 2], 4), "select1_p99_ms": round(lat[int(len(lat) * .99)], 4)}


def pgbench_path() -> str | None:
    try:
        from schemawright.db.embedded import bin_dir

        path = bin_dir() / "pgbench"
        if path.exists():
            return str(path)
    except Exception:  # noqa: BLE001 - the wheel is optional when another server is used
        pass
    return shutil.which("pgbench")


def pgbench_floor(dsn: str, clients: int, seconds: float) -> dict:
    """pgbench's built-in select-only and TPC-B-like TPS on a scratch database (scale 5)."""
    from schemawright.db import scratch_database

    exe = pgbench_path()
    if exe is None:
        return {"pgbench": "not found"}
    out = {}
    with scratch_database(dsn, prefix="sw_pgbench") as db:
        init = subprocess.run([exe, "-i", "-s", "5", "-q", db], capture_output=True, text=True, timeout=300)
        if init.returncode:
            return {"pgbench": f"init failed: {init.stderr.strip()[-300:]}"}
        for key, extra in (("pgbench_select_only_tps", ["-S"]), ("pgbench_tpcb_like_tps", [])):
            run = subprocess.run([exe, *extra, "-c", str(clients), "-j", str(clients), "-T", str(max(int(seconds), 1)),
                                  "-n", db], capture_output=True, text=True, timeout=seconds + 120)
            m = re.search(r"tps = ([\d.]+)", run.stdout)
            out[key] = round(float(m.group(1))) if m else None
    return out
