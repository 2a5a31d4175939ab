"""Three rule patterns on PostgreSQL (the oracle): "the sum of A equals the sum of B per X" is a deferred
constraint trigger that refuses an unbalanced commit; "only role R may read T" leaves SELECT on T to R alone
(checked with has_table_privilege); a plain "at most one X per Y" is UNIQUE (y_id)."""

from __future__ import annotations

import textwrap

import psycopg
import pytest

from schemawright.api import design_schema
from schemawright.db import scratch_database
from schemawright.dialects import get_dialect
from schemawright.probes.security_checks import effective_privileges

INPUT = textwrap.dedent("""
    project: {name: rule-pattern-probe}
    data_model:
      entities:
        - name: entries
          attributes: [posted_on, memo]
        - name: lines
          attributes: [entry_id, {name: debit, type: "numeric(12,2)"}, {name: credit, type: "numeric(12,2)"}]
        - name: vouchers
          attributes: [{name: code, nullable: false}]
        - name: redemptions
          attributes: [voucher_id, redeemed_at]
        - name: payslips
          attributes: [employee_name, net_amount]
      business_rules:
        - {name: balanced, entity: entries, description: The sum of debit equals the sum of credit per entry}
        - {name: one_redemption, entity: redemptions, description: At most one redemption per voucher}
        - {name: payroll_only, entity: payslips, description: Only role payroll may read payslips}
""")


@pytest.fixture(scope="module")
def design(tmp_path_factory):
    path = tmp_path_factory.mktemp("patterns") / "probe.yaml"
    path.write_text(INPUT)
    return design_schema(path)


def _enforced(schema) -> dict[str, str]:
    return {i.subject: i.rule for i in schema.inferences if i.rule.startswith("rule.") and
            i.decision.startswith("enforced by")}


@pytest.fixture(scope="module")
def database(design, pg_dsn):
    _, schema = design
    with scratch_database(pg_dsn) as dsn, psycopg.connect(dsn, autocommit=True) as conn:
        for st in get_dialect("postgresql").create_statements(schema):
            conn.execute(st.sql.encode())
        yield conn


def test_every_rule_is_compiled_by_its_pattern(design):
    _, schema = design
    assert _enforced(schema) == {"balanced": "rule.balanced", "one_redemption": "rule.at_most_one",
                                 "payroll_only": "rule.access"}
    trigger = next(t for t in schema.table("lines").triggers if t.name == "trg_lines_balanced")
    assert (trigger.constraint, trigger.deferrable, trigger.initially_deferred) == (True, True, True)


def test_an_unbalanced_commit_is_refused(database):
    conn = database
    entry = conn.execute("INSERT INTO entries (posted_on, memo) VALUES ('2025-01-02', 'x') RETURNING id").fetchone()[0]
    with pytest.raises(psycopg.Error) as info:
        with conn.transaction():
            conn.execute("INSERT INTO lines (entry_id, debit, credit) VALUES (%s, 10, 0)", [entry])
    assert info.value.diag.sqlstate == "23514"
    assert info.value.diag.constraint_name == "trg_lines_balanced"
    with conn.transaction():  # lines inserted one by one: balanced at commit
        conn.execute("INSERT INTO lines (entry_id, debit, credit) VALUES (%s, 10, 0)", [entry])
        conn.execute("INSERT INTO lines (entry_id, debit, credit) VALUES (%s, 0, 10)", [entry])
    with pytest.raises(psycopg.Error) as info:  # a DELETE that unbalances it is refused too
        with conn.transaction():
            conn.execute("DELETE FROM lines WHERE entry_id = %s AND debit = 10", [entry])
    assert info.value.diag.sqlstate == "23514"
    assert conn.execute("SELECT count(*) FROM lines WHERE entry_id = %s", [entry]).fetchone()[0] == 2


def test_at_most_one_redemption_per_voucher(design, database):
    _, schema = design
    assert [u.columns for u in schema.table("redemptions").uniques] == [("voucher_id",)]
    conn = database
    voucher = conn.execute("INSERT INTO vouchers (code) VALUES ('V1') RETURNING id").fetchone()[0]
    conn.execute("INSERT INTO redemptions (voucher_id, redeemed_at) VALUES (%s, now())", [voucher])
    with pytest.raises(psycopg.errors.UniqueViolation):
        conn.execute("INSERT INTO redemptions (voucher_id, redeemed_at) VALUES (%s, now())", [voucher])


def test_only_the_named_role_may_read_the_table(design, database):
    _, schema = design
    payroll = "rule_pattern_probe_payroll"
    assert schema.roles and any(r.name == payroll for r in schema.roles)
    readers = {r.name for r in schema.roles if r.purpose != "owner"
               and "SELECT" in effective_privileges(schema, r.name).get(("table", "payslips"), set())}
    application = {schema.role("readwrite").name, schema.role("app").name}
    assert readers == {payroll} | application  # the application serves people through its own checks
    conn = database
    for role in (r.name for r in schema.roles if r.purpose != "owner"):
        can = conn.execute("SELECT has_table_privilege(%s, 'public.payslips', 'SELECT')", [role]).fetchone()[0]
        assert can == (role in {payroll} | application), role
    # reporting and administration do not read it, neither directly nor through a view of it
    for purpose in ("readonly", "admin"):
        role = schema.role(purpose).name
        assert not conn.execute("SELECT has_table_privilege(%s, 'public.payslips', 'SELECT')", [role]).fetchone()[0]
        for view in (v.name for v in schema.views if "payslips" in v.depends_on):
            assert not conn.execute("SELECT has_table_privilege(%s, %s, 'SELECT')",
                                    [role, f"public.{view}"]).fetchone()[0]


def test_an_access_rule_without_the_security_design_is_reported_not_dropped(tmp_path):
    path = tmp_path / "nosec.yaml"
    path.write_text(INPUT.replace("project: {name: rule-pattern-probe}",
                                  "project: {name: rule-pattern-probe}\nconventions: {security: false}"))
    _, schema = design_schema(path)
    said = {i.subject: i for i in schema.inferences if i.rule == "rule.not_understood"}
    assert "security design is off" in said["payroll_only"].reason
    assert _enforced(schema)["balanced"] == "rule.balanced"
