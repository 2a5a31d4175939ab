"""advise --workload pg_stat_statements: the recorded workload drives the advice."""

from __future__ import annotations

import psycopg
import pytest

from schemawright.advise.advisor import advise
from schemawright.advise.workload import from_pg_stat_statements


def test_recorded_statements_become_a_workload_and_get_an_index(scratch_dsn):
    with psycopg.connect(scratch_dsn, autocommit=True) as conn:
        try:
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            conn.execute("SELECT pg_stat_statements_reset()")
        except psycopg.Error as exc:
            pytest.skip(f"pg_stat_statements is not preloaded on this server: {exc.diag.message_primary}")
        conn.execute("CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, total numeric)")
        conn.execute("INSERT INTO orders SELECT g, g % 2000, g FROM generate_series(1, 20000) g")
        conn.execute("ANALYZE orders")
        for user in range(12):
            conn.execute("SELECT * FROM orders WHERE user_id = %s", [user])
        workload = from_pg_stat_statements(conn)
        assert ("SELECT * FROM orders WHERE user_id = $1", 12.0) in workload
        assert not any("pg_stat_statements" in q for q, _ in workload)
        advice = advise(conn, workload, sample_rows=5000)
    assert [(i["table"], i["columns"]) for i in advice.to_dict()["indexes"]] == [("public.orders", ["user_id"])]
