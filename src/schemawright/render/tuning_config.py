"""The performance design's sections of config/: PGTune-style memory, WAL, planner and parallelism
settings in postgresql.conf.example, and pgbouncer.ini.example sized from concurrent_users.

The task input states no hardware, so the target machine is assumed from the project scale (each
assumption is written in the file) and the workload kind from the project type. Seed 003's rule sets
the connection pool: 10 to 50 server connections by load.
"""

from __future__ import annotations

from dataclasses import dataclass

from schemawright.render import RenderContext
from schemawright.render.config import ConfigSection, config_section
from schemawright.escape import safe_name

GB = 1024  # settings below are in MB
HARDWARE = {"small": (2, 4), "medium": (4, 16), "large": (16, 64), "enterprise": (32, 256)}  # cores, GB of RAM
POOL_MIN, POOL_MAX = 10, 50


@dataclass(frozen=True)
class Sizing:
    cores: int
    ram_mb: int
    workload: str  # oltp | web | dw
    pool: int  # server connections per application pool
    clients: int  # concurrent client connections to accept (PgBouncer)
    max_connections: int


def pool_size(concurrent_users: int | None, writes_per_second: int | None) -> int:
    """Seed 003: 10-50 connections by load. Active queries, not users, need connections: about one
    per 200 concurrent users or per 100 writes/s, within 10..50 (more only adds contention)."""
    load = max((concurrent_users or 0) / 200, (writes_per_second or 0) / 100)
    return int(min(POOL_MAX, max(POOL_MIN, round(load))))


def sizing(ctx: RenderContext) -> Sizing:
    scale = ctx.schema.facts.scale.name if ctx.schema.facts.scale else "medium"
    cores, ram_gb = HARDWARE.get(scale, HARDWARE["medium"])
    perf = ctx.schema.facts.performance_targets
    users = perf.concurrent_users if perf else None
    writes = perf.write_operations_per_second if perf else None
    workload = "dw" if ctx.schema.facts.project.type == "analytics" else "oltp" if (writes or 0) >= 1000 else "web"
    pool = pool_size(users, writes)
    return Sizing(cores, ram_gb * GB, workload, pool, max(users or 100, pool * 4), pool * 2 + 20)


def _mb(v: float) -> str:
    v = int(v)
    return f"{v // GB}GB" if v >= GB and v % GB == 0 else f"{v}MB"


def tuning_lines(z: Sizing) -> list[str]:
    shared = z.ram_mb // 4
    parallel_gather = min(4, max(1, z.cores // 2))
    work_mem = max(4, (z.ram_mb - shared) // (z.max_connections * 3) // parallel_gather)
    if z.workload == "dw":
        work_mem = max(work_mem, 64)
    wal = {"web": ("1GB", "4GB"), "oltp": ("2GB", "8GB"), "dw": ("4GB", "16GB")}[z.workload]
    rows = [
        ("max_connections", str(z.max_connections), f"two pools of {z.pool} (seed 003: 10-50 by load) + 20 for "
         "admin, replication and migrations; clients queue in PgBouncer, not here"),
        ("shared_buffers", _mb(shared), "25% of RAM: PostgreSQL's own cache; the OS page cache holds the rest"),
        ("effective_cache_size", _mb(z.ram_mb * 3 // 4), "75% of RAM: tells the planner how much is cached "
         "(no memory is allocated)"),
        ("maintenance_work_mem", _mb(min(2 * GB, z.ram_mb // 16)), "RAM/16, at most 2GB: faster index builds "
         "and VACUUM"),
        ("work_mem", _mb(work_mem), "per sort/hash node: (RAM - shared_buffers) / (max_connections x 3) / "
         "parallel workers, so a busy server cannot run out of memory"),
        ("wal_buffers", "16MB", "3% of shared_buffers, capped at 16MB"),
        ("min_wal_size", wal[0], f"{z.workload} workload: fewer checkpoints under write bursts"),
        ("max_wal_size", wal[1], f"{z.workload} workload"),
        ("checkpoint_completion_target", "0.9", "spread checkpoint writes over the interval"),
        ("random_page_cost", "1.1", "SSD storage assumed: random reads cost about as much as sequential ones"),
        ("effective_io_concurrency", "200", "SSD storage assumed: many concurrent prefetch requests"),
        ("default_statistics_target", "500" if z.workload == "dw" else "100", "planner statistics detail"),
        ("max_worker_processes", str(z.cores), f"{z.cores} cores"),
        ("max_parallel_workers", str(z.cores), f"{z.cores} cores"),
        ("max_parallel_workers_per_gather", str(parallel_gather), "half the cores, at most 4 (measured here: on 2 "
         "cores a parallel scan was slower than a serial one, so small machines get 1)"),
        ("max_parallel_maintenance_workers", str(parallel_gather), "parallel index builds"),
        ("jit", "off" if z.workload != "dw" else "on", "JIT compilation pays off only for long analytic queries"),
        ("huge_pages", "try" if z.ram_mb >= 32 * GB else "off", "large shared_buffers map faster with huge pages"),
        ("shared_preload_libraries", "'pg_stat_statements'", "per-query statistics for 'schemawright advise "
         "--workload pg_stat_statements' (costs 10-25% of throughput only at >40k trivial queries/s)"),
        ("track_io_timing", "on", "I/O time in EXPLAIN (ANALYZE, BUFFERS) and pg_stat_statements"),
        ("autovacuum_vacuum_scale_factor", "0.05", "vacuum large tables after 5% of rows change, not 20%"),
        ("autovacuum_analyze_scale_factor", "0.02", "fresh statistics for skewed, fast-growing tables"),
        ("log_min_duration_statement", "'250ms'", "log slow statements (complex-query budget)"),
    ]
    width = max(len(f"{k} = {v}") for k, v, _ in rows) + 2
    return [f"# Target: {z.cores} cores, {_mb(z.ram_mb)} RAM, SSD, {z.workload} workload (assumed from the project "
            "scale and type;", "# edit these lines for the real machine). synchronous_commit stays on: "
            "committed transactions survive a crash."] + \
        [f"{f'{k} = {v}':<{width}}# {why}" for k, v, why in rows]


def pgbouncer_lines(ctx: RenderContext, z: Sizing) -> list[str]:
    db = safe_name(ctx.schema.facts.project.name)  # [a-z0-9_]: nothing for the ini syntax to misread
    return [
        "[databases]",
        f"{db} = host=<db-host> port=5432 dbname={db}",
        "# read-only patterns (config/read_routing.json, docs/replicas.md) go to a streaming replica:",
        f"{db}_ro = host=<replica-host> port=5432 dbname={db}",
        "# LISTEN/NOTIFY clients (the cache invalidation listener) need a session: LISTEN does not survive",
        "# transaction pooling",
        f"{db}_listen = host=<db-host> port=5432 dbname={db} pool_mode=session pool_size=2",
        "",
        "[pgbouncer]",
        "listen_addr = 0.0.0.0",
        "listen_port = 6432",
        "auth_type = scram-sha-256",
        "auth_file = /etc/pgbouncer/userlist.txt",
        "pool_mode = transaction            # a server connection per transaction: many clients, few backends",
        f"max_client_conn = {z.clients:<18} # concurrent_users from the task input",
        f"default_pool_size = {z.pool:<16} # seed 003: 10-50 server connections by load",
        f"min_pool_size = {max(2, z.pool // 4):<20} # warm connections for sudden load",
        f"reserve_pool_size = {max(2, z.pool // 5):<16} # extra connections when clients wait > reserve_pool_timeout",
        "reserve_pool_timeout = 3",
        f"max_db_connections = {z.pool * 2:<15} # stays below max_connections in postgresql.conf",
        "server_idle_timeout = 600",
        "query_wait_timeout = 30            # fail fast instead of queueing forever when the pool is exhausted",
        "# transaction mode: no session state across transactions (SET, advisory locks, LISTEN);",
        "# prepared statements need PgBouncer >= 1.21 (max_prepared_statements).",
        "max_prepared_statements = 200",
    ]


@config_section
def tuning_sections(ctx: RenderContext) -> list[ConfigSection]:
    z = sizing(ctx)
    return [ConfigSection("postgresql.conf.example", "Performance tuning (PGTune-style)", tuning_lines(z), order=200),
            ConfigSection("pgbouncer.ini.example", "Connection pool", pgbouncer_lines(ctx, z), order=100)]
