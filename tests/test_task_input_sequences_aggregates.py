"""data_model.sequences and data_model.aggregates: designed into DDL PostgreSQL runs (and reads back as
declared), and wrong ones are located errors, never tracebacks."""

from __future__ import annotations

import json

import psycopg
import pytest

from schemawright.api import design_schema
from schemawright.dialects import get_dialect
from schemawright.errors import SpecError

SPEC = {
    "project": {"name": "seqagg", "database_type": "postgresql"},
    "conventions": False,
    "data_model": {
        "entities": [{"name": "ticket", "schema": "desk", "primary_key": ["id"], "attributes": [
            {"name": "id", "type": "integer", "nullable": False,
             "default_expression": "nextval('desk.ticket_id_seq'::regclass)"},
            {"name": "title", "type": "text"}]}],
        "sequences": [{"name": "ticket_id_seq", "schema": "desk", "data_type": "integer", "start": 100,
                       "increment": 5, "cache": 10, "owned_by": "ticket.id"},
                      {"name": "countdown", "increment": -1}],
        "functions": [{"name": "_cat", "arguments": "a text, b text", "returns": "text", "language": "sql",
                       "volatility": "immutable", "body": "SELECT coalesce(a || ', ', '') || b"}],
        "aggregates": [{"name": "cat", "arguments": "text", "options": "sfunc = _cat, stype = text"}],
    },
}


def _design(tmp_path, spec):
    path = tmp_path / "input.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    return design_schema(path)[1]


def test_sequences_and_aggregates_build_as_declared(tmp_path, scratch_dsn):
    schema = _design(tmp_path, SPEC)
    with psycopg.connect(scratch_dsn, autocommit=True) as conn:
        for statement in get_dialect().create_statements(schema):
            conn.execute(statement.sql)
        rows = conn.execute(
            "SELECT s.seqrelid::regclass::text, format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, "
            "s.seqmin, s.seqmax, s.seqcache, pg_get_serial_sequence('desk.ticket', 'id') "
            "FROM pg_sequence s ORDER BY 1").fetchall()
        assert rows == [("countdown", "bigint", -1, -1, -9223372036854775808, -1, 1, "desk.ticket_id_seq"),
                        ("desk.ticket_id_seq", "integer", 100, 5, 1, 2147483647, 10, "desk.ticket_id_seq")]
        conn.execute("INSERT INTO desk.ticket (title) VALUES ('a'), ('b')")
        assert conn.execute("SELECT array_agg(id ORDER BY id), cat(title ORDER BY id) FROM desk.ticket").fetchone() \
            == ([100, 105], "a, b")


@pytest.mark.parametrize("change,expected", [
    (lambda dm: dm["sequences"][0].update(owned_by="ticket.nope"), "data_model.sequences[0].owned_by"),
    (lambda dm: dm["sequences"][0].update(start=0), "data_model.sequences[0].start"),
    (lambda dm: dm["sequences"][1].update(increment=0), "data_model.sequences[1].increment"),
    (lambda dm: dm["sequences"][1].update(data_type="text"), "data_model.sequences[1].data_type"),
    (lambda dm: dm["aggregates"][0].update(options="sfunc = = _cat"), "data_model.aggregates[0].options"),
])
def test_wrong_declarations_are_located_errors(tmp_path, change, expected):
    spec = json.loads(json.dumps(SPEC))
    change(spec["data_model"])
    with pytest.raises(SpecError) as info:
        _design(tmp_path, spec)
    assert "input.json:1:" in str(info.value) and f"{expected}: " in str(info.value), str(info.value)
