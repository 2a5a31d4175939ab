"""The index advisor: candidates -> planner costs (HypoPG, or real trial builds on a scratch copy) ->
the indexes that measurably help, plus existing indexes that are redundant or unused.

Where candidates are evaluated: with HypoPG, on the user's database (hypothetical indexes take no
lock and write nothing). Without it, a real build would hold a SHARE lock on the user's table even
if rolled back, so steps 1-3 run on a scratch copy instead (``advise.scratch``: the schema by
pg_dump, up to ``sample_rows`` rows a table, on the same server); only when no scratch database
can be created (no CREATEDB) are the trial builds made in place, each in a transaction rolled back.
Redundant and unused indexes are always read from the user's database (its idx_scan counters).

1. every workload query's cost is read with EXPLAIN (GENERIC_PLAN for ``$n`` queries on 16+);
2. for each query, its candidates are tried one at a time (hypothetically with HypoPG, else built
   for real inside a transaction that is rolled back); the best is
   kept when it cuts the query's cost by ``min_savings`` -- a wider index only when it saves half of
   what the narrower one still costs (so ``a = 1 AND b < 10`` gets the selective column alone);
3. the chosen indexes are built (rolled back afterwards) and every query is timed with EXPLAIN
   ANALYZE before and after: an index that speeds up no query by >= 10% is dropped from the advice.
"""

from __future__ import annotations

import contextlib
import json
import re
import statistics
from dataclasses import dataclass, field

import psycopg
from psycopg import sql

from schemawright.advise.scratch import scratch_copy
from schemawright.analysis.queries import Candidate, analyse, candidates
from schemawright.errors import DatabaseError

SYSTEM_SCHEMAS = {"pg_catalog", "information_schema"}


@dataclass
class QueryResult:
    query: str
    weight: float = 1.0
    cost_before: float | None = None
    cost_after: float | None = None
    ms_before: float | None = None
    ms_after: float | None = None
    index: str | None = None  # the candidate chosen for it
    note: str | None = None

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items()}


@dataclass
class Advice:
    mode: str  # hypopg | trial
    where: str = "in place"  # where candidates were evaluated: in place | on a scratch copy (...)
    skipped: list[str] = field(default_factory=list)  # what the scratch copy could not copy
    queries: list[QueryResult] = field(default_factory=list)
    indexes: list[dict] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)
    redundant: list[dict] = field(default_factory=list)
    unused: list[dict] = field(default_factory=list)
    used: set[str] = field(default_factory=set)  # existing indexes some workload plan uses

    @property
    def total_ms_before(self) -> float:
        return sum((q.ms_before or 0) * q.weight for q in self.queries)

    @property
    def total_ms_after(self) -> float:
        return sum((q.ms_after if q.ms_after is not None else q.ms_before or 0) * q.weight for q in self.queries)

    def to_dict(self) -> dict:
        return {"mode": self.mode, "where": self.where, "skipped": self.skipped, "indexes": self.indexes,
                "rejected": self.rejected, "redundant": self.redundant,
                "unused": self.unused, "total_ms_before": round(self.total_ms_before, 3),
                "total_ms_after": round(self.total_ms_after, 3), "queries": [q.to_dict() for q in self.queries]}


def create_sql(c: Candidate, concurrently: bool = False, name: str | None = None) -> str:
    cols = ", ".join(sql.Identifier(col).as_string(None) + (" DESC" if d else "")
                     for col, d in zip(c.columns, c.descending or (False,) * len(c.columns)))
    table = sql.Identifier(c.schema, c.table).as_string(None)
    ident = sql.Identifier(name).as_string(None) + " " if name else ""
    return f"CREATE INDEX {'CONCURRENTLY ' if concurrently else ''}{ident}ON {table} ({cols})"


def index_name(c: Candidate) -> str:
    from schemawright.model.names import idx_name

    return idx_name(c.table, list(c.columns))


class Advisor:
    def __init__(self, conn: psycopg.Connection, *, use_hypopg: bool | None = None, min_savings: float = 0.5):
        self.conn = conn
        self.min_savings = min_savings
        available = conn.execute("SELECT count(*) FROM pg_extension WHERE extname = 'hypopg'").fetchone()[0] > 0
        if use_hypopg is None or use_hypopg:
            if not available:
                try:
                    with conn.transaction():
                        conn.execute("CREATE EXTENSION hypopg")
                    available = True
                except psycopg.Error:
                    available = False
        self.hypopg = available if use_hypopg is not False else False
        self.generic = conn.info.server_version >= 160000
        self._columns: dict[tuple[str, str], set[str]] = {}
        self._kind: dict[tuple[str, str], str | None] = {}

    # --- catalog ---------------------------------------------------------------------------------
    def columns_of(self, schema: str, table: str) -> set[str]:
        key = (schema, table)
        if key not in self._columns:
            rows = self.conn.execute("SELECT a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
                                     "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND "
                                     "c.relname = %s AND a.attnum > 0 AND NOT a.attisdropped", key).fetchall()
            self._columns[key] = {r[0] for r in rows}
        return self._columns[key]

    def relkind(self, schema: str, table: str) -> str | None:
        key = (schema, table)
        if key not in self._kind:
            row = self.conn.execute("SELECT c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                                    "WHERE n.nspname = %s AND c.relname = %s", key).fetchone()
            self._kind[key] = row[0] if row else None
        return self._kind[key]

    def existing_indexes(self, schema: str, table: str) -> list[dict]:
        rows = self.conn.execute("""
            SELECT ic.relname, i.indisunique, i.indisprimary, am.amname, i.indpred IS NOT NULL,
                   0 = ANY(i.indkey::int2[]) AS has_expr,
                   ARRAY(SELECT a.attname FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, n)
                         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY k.n),
                   EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid),
                   coalesce(s.idx_scan, 0)
            FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
            JOIN pg_namespace n ON n.oid = t.relnamespace JOIN pg_am am ON am.oid = ic.relam
            LEFT JOIN pg_stat_user_indexes s ON s.indexrelid = i.indexrelid
            WHERE n.nspname = %s AND t.relname = %s""", (schema, table)).fetchall()
        return [{"name": r[0], "unique": r[1], "primary": r[2], "method": r[3], "partial": r[4], "expression": r[5],
                 "columns": list(r[6]), "constraint": r[7], "scans": r[8]} for r in rows]

    def covered(self, c: Candidate) -> bool:
        """An existing plain btree index already leads with the candidate's columns."""
        for ix in self.existing_indexes(c.schema, c.table):
            if ix["method"] == "btree" and not ix["partial"] and not c.descending \
                    and tuple(ix["columns"][:len(c.columns)]) == c.columns:
                return True
        return False

    # --- planner ---------------------------------------------------------------------------------
    def _explain(self, query: str, analyze: bool = False):
        opts = "ANALYZE, BUFFERS, FORMAT JSON" if analyze else "FORMAT JSON"
        if not analyze and self.generic and re.search(r"\$\d", query):
            opts += ", GENERIC_PLAN"
        row = self.conn.execute(sql.SQL("EXPLAIN ({}) {}").format(sql.SQL(opts), sql.SQL(query))).fetchone()
        doc = row[0] if not isinstance(row[0], str) else json.loads(row[0])
        return doc[0]

    def cost(self, query: str) -> float | None:
        try:
            with self.conn.transaction(force_rollback=True):
                return float(self._explain(query)["Plan"]["Total Cost"])
        except psycopg.Error:
            return None

    def cost_with(self, c: Candidate, queries: list[str]) -> list[float | None]:
        """Costs of ``queries`` with the candidate index present (hypothetical or built and rolled back)."""
        out: list[float | None] = []
        with self.conn.transaction(force_rollback=True):
            try:
                with self.conn.transaction():
                    if self.hypopg:
                        self.conn.execute("SELECT * FROM hypopg_create_index(%s)", [create_sql(c)])
                    else:
                        self.conn.execute(sql.SQL(create_sql(c)))
            except psycopg.Error:  # e.g. HypoPG on a partitioned table
                return [None] * len(queries)
            for q in queries:
                try:
                    with self.conn.transaction(force_rollback=True):
                        out.append(float(self._explain(q)["Plan"]["Total Cost"]))
                except psycopg.Error:
                    out.append(None)
            if self.hypopg:
                self.conn.execute("SELECT hypopg_reset()")
        return out

    def timed(self, query: str, runs: int = 3) -> tuple[float | None, set[str]]:
        """Median EXPLAIN ANALYZE execution time (ms) and the indexes the plan uses (writes rolled back)."""
        if re.search(r"\$\d", query):
            return None, set()
        times, used = [], set()
        for _ in range(runs):
            try:
                with self.conn.transaction(force_rollback=True):
                    doc = self._explain(query, analyze=True)
            except psycopg.Error:
                return None, set()
            times.append(float(doc["Execution Time"]))
            used |= set(re.findall(r'"Index Name": "([^"]+)"', json.dumps(doc)))
        return statistics.median(times), used


def advise(conn: psycopg.Connection, workload: list[tuple[str, float]], *, use_hypopg: bool | None = None,
           min_savings: float = 0.5, measure: bool = True, sample_rows: int = 100_000) -> Advice:
    """Advice for ``workload`` (query, weight) on ``conn`` (autocommit). Nothing is left behind."""
    adv = Advisor(conn, use_hypopg=use_hypopg, min_savings=min_savings)
    if adv.hypopg:
        advice = _evaluate(adv, Advice(mode="hypopg"), workload, measure)
    else:
        advice = Advice(mode="trial", where=f"on a scratch copy (up to {sample_rows:,} rows a table)")
        with contextlib.ExitStack() as stack:
            try:
                copy = stack.enter_context(scratch_copy(conn, sample_rows, advice.skipped))
                trial = Advisor(copy, use_hypopg=False, min_savings=min_savings)
            except DatabaseError as exc:  # e.g. no CREATEDB: trial builds in place, each rolled back
                where = f"in place, rolled back (no scratch copy: {exc})"
                trial, advice = adv, Advice(mode="trial", where=where)
            advice = _evaluate(trial, advice, workload, measure)
    _redundant_and_unused(adv, advice, workload)
    return advice


def _evaluate(adv: Advisor, advice: Advice, workload: list[tuple[str, float]], measure: bool) -> Advice:
    """Steps 1-3 on ``adv``'s connection."""
    chosen: dict[Candidate, list[int]] = {}
    for qi, (query, weight) in enumerate(workload):
        result = QueryResult(query=query, weight=weight)
        advice.queries.append(result)
        uses = [u for u in analyse(query, adv.columns_of)
                if u.schema not in SYSTEM_SCHEMAS and adv.relkind(u.schema, u.table) in ("r", "p", "m")]
        result.cost_before = adv.cost(query)
        if result.cost_before is None:
            result.note = "not explainable (syntax error, unknown object or parameters on PostgreSQL < 16)"
            continue
        best = _best_candidate(adv, query, result.cost_before,
                               [c for u in uses for c in candidates(u) if not adv.covered(c)])
        if best is not None:
            cand, cost = best
            result.index, result.cost_after = cand.key, cost
            chosen.setdefault(cand, []).append(qi)
    chosen = _merge_prefixes(chosen)
    if measure:
        _measure(adv, advice, chosen)
    else:
        for c, qs in chosen.items():
            advice.indexes.append(_entry(c, [advice.queries[i] for i in qs]))
    return advice


def _best_candidate(adv: Advisor, query: str, base: float, cands: list[Candidate]):
    """The cheapest candidate by cost; a wider one only if it halves what the narrower still costs."""
    scored = []
    for c in cands:
        cost = adv.cost_with(c, [query])[0]
        if cost is not None and cost <= base * (1 - adv.min_savings):
            scored.append((c, cost))
    if not scored:
        return None
    scored.sort(key=lambda x: (len(x[0].columns), x[1]))
    best = scored[0]
    for c, cost in scored[1:]:
        if len(c.columns) > len(best[0].columns) and cost <= best[1] * 0.4:
            best = (c, cost)
        elif len(c.columns) == len(best[0].columns) and cost < best[1]:
            best = (c, cost)
    return best


def _merge_prefixes(chosen: dict[Candidate, list[int]]) -> dict[Candidate, list[int]]:
    """Fold an index into a wider chosen one that starts with the same columns."""
    out = dict(chosen)
    for c in list(out):
        wider = next((w for w in out if w is not c and w.schema == c.schema and w.table == c.table
                      and len(w.columns) > len(c.columns) and w.columns[:len(c.columns)] == c.columns
                      and not w.descending and not c.descending), None)
        if wider is not None:
            out[wider] = sorted(set(out[wider]) | set(out.pop(c)))
    return out


def _entry(c: Candidate, queries: list[QueryResult]) -> dict:
    return {"table": f"{c.schema}.{c.table}", "columns": c.labels, "name": index_name(c),
            "statement": create_sql(c, concurrently=True, name=index_name(c)) + ";",
            "queries": [{"query": q.query, "cost_before": q.cost_before, "cost_after": q.cost_after,
                         "ms_before": q.ms_before, "ms_after": q.ms_after} for q in queries]}


def _measure(adv: Advisor, advice: Advice, chosen: dict[Candidate, list[int]]) -> None:
    """Real before/after: time every query, build the chosen indexes (rolled back), time again."""
    conn = adv.conn
    used_before: dict[int, set[str]] = {}
    for i, q in enumerate(advice.queries):
        if q.cost_before is not None:
            q.ms_before, used_before[i] = adv.timed(q.query)
    advice.used = set().union(*used_before.values()) if used_before else set()
    if not chosen:
        for q in advice.queries:
            q.ms_after = q.ms_before
        return
    with conn.transaction(force_rollback=True):
        for c in chosen:
            conn.execute(sql.SQL(create_sql(c, name=index_name(c))))
        conn.execute(sql.SQL("ANALYZE {}").format(sql.SQL(", ".join(
            sql.Identifier(s, t).as_string(conn) for s, t in {(c.schema, c.table) for c in chosen}))))
        used_after: dict[int, set[str]] = {}
        for i, q in enumerate(advice.queries):
            if q.cost_before is not None:
                q.ms_after, used_after[i] = adv.timed(q.query)
    for c, qs in chosen.items():
        name = index_name(c)
        partitioned = adv.relkind(c.schema, c.table) == "p"  # plans name the partitions' indexes
        helped = [i for i in qs if (partitioned or name in used_after.get(i, set()))
                  and advice.queries[i].ms_before is not None
                  and advice.queries[i].ms_after is not None
                  and advice.queries[i].ms_after <= 0.9 * advice.queries[i].ms_before]
        entry = _entry(c, [advice.queries[i] for i in qs])
        if helped or all(advice.queries[i].ms_before is None for i in qs):
            advice.indexes.append(entry)
        else:
            advice.rejected.append({**entry, "reason": "no query measurably faster (>= 10%) with it"})
            for i in qs:
                advice.queries[i].index = None
                advice.queries[i].ms_after = advice.queries[i].ms_before


def _redundant_and_unused(adv: Advisor, advice: Advice, workload) -> None:
    tables = {(u.schema, u.table) for q, _ in workload for u in analyse(q, adv.columns_of)
              if adv.relkind(u.schema, u.table) in ("r", "p", "m")}
    for schema, table in sorted(tables):
        existing = adv.existing_indexes(schema, table)
        fks = [list(r[0]) for r in adv.conn.execute(
            "SELECT ARRAY(SELECT attname FROM unnest(c.conkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON "
            "a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.o) FROM pg_constraint c WHERE c.contype = 'f' "
            "AND c.conrelid = %s::regclass", [sql.Identifier(schema, table).as_string(None)])]
        for ix in existing:
            if ix["constraint"] or ix["unique"] or ix["method"] != "btree" or ix["partial"] or ix["expression"]:
                continue
            if any(ix["columns"][:len(fk)] == fk for fk in fks):
                continue  # it serves a foreign key's ON DELETE/UPDATE checks and joins
            wider = next((o for o in existing if o is not ix and o["method"] == "btree" and not o["partial"]
                          and len(o["columns"]) > len(ix["columns"])
                          and o["columns"][:len(ix["columns"])] == ix["columns"]), None)
            drop = f"DROP INDEX CONCURRENTLY {sql.Identifier(schema, ix['name']).as_string(None)};"
            if wider:
                advice.redundant.append({"index": ix["name"], "table": f"{schema}.{table}", "statement": drop,
                                         "reason": f"its columns lead {wider['name']}"})
            elif ix["scans"] == 0 and ix["name"] not in advice.used:
                advice.unused.append({"index": ix["name"], "table": f"{schema}.{table}", "statement": drop,
                                      "reason": "idx_scan = 0 since the statistics were reset; check every "
                                                "workload before dropping"})
