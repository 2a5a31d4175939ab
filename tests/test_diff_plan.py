"""The change vocabulary, the model diff and the planner, without a database."""

from __future__ import annotations

import copy
import dataclasses

import pytest

from schemawright.diff import DestructiveChangeError, diff, plan
from schemawright.diff.compare import rename_in_expression
from schemawright.model import changes as ch
from schemawright.model.changes import narrowing
from schemawright.model.keys import argument_types
from schemawright.project.sources import runs_outside_transaction
from schemawright.model.schema import (
    CheckConstraint, Column, EnumType, Expression, ForeignKey, Function, Index, IndexElement, PrimaryKey, Schema,
    Table, Trigger, UniqueConstraint, View,
)
from schemawright.model.types import DataType, Kind, parse_type

INT, TEXT = DataType(Kind.INTEGER), DataType(Kind.TEXT)


def _table(name="items", **kw) -> Table:
    kw.setdefault("columns", [Column(name="id", type=INT, nullable=False), Column(name="label", type=TEXT)])
    return Table(name=name, primary_key=PrimaryKey(name=f"{name}_pkey", columns=("id",)), **kw)


def _schema(*tables, **kw) -> Schema:
    return Schema(tables=list(tables), **kw)


def _kinds(changes) -> list[str]:
    return [type(c).__name__ for c in changes]


# --- vocabulary --------------------------------------------------------------------------------------

EXAMPLES = [
    ch.CreateSchema("s"), ch.AddExtension("citext"), ch.AddEnum(EnumType(name="e", values=("a",))),
    ch.AlterEnum(EnumType(name="e", values=("a",)), EnumType(name="e", values=("a", "b"))),
    ch.AddTable(_table()), ch.RenameTable("public", "a", "b"), ch.AddColumn("public", "t", Column(name="c", type=INT)),
    ch.RenameColumn("public", "t", "a", "b"),
    ch.AlterColumn("public", "t", Column(name="c", type=INT), Column(name="c", type=TEXT), ("type",)),
    ch.AddConstraint("public", "t", UniqueConstraint(name="u", columns=("c",))),
    ch.RenameConstraint("public", "t", "a", "b"),
    ch.AddForeignKey("public", "t", ForeignKey(name="f", columns=("c",), ref_table="r", ref_columns=("id",))),
    ch.AddIndex("public", "t", Index(name="i", elements=(IndexElement(column="c"),))),
    ch.RenameIndex("public", "a", "b"), ch.AddTrigger("public", "t", Trigger(name="tr", function="f", timing="BEFORE",
                                                                           events=("UPDATE",))),
    ch.RenameTrigger("public", "t", "a", "b"), ch.AddView(View(name="v", query="SELECT 1")),
    ch.AddFunction(Function(name="f", returns="void", body="")),
    ch.ReplaceFunction(Function(name="f", returns="void", body="a"), Function(name="f", returns="void", body="b")),
    ch.SetComment("table", "public", "t", None, "hello"),
]


@pytest.mark.parametrize("change", EXAMPLES, ids=lambda c: type(c).__name__)
def test_reverse_is_an_involution(change):
    assert change.reverse() != change
    assert change.reverse().reverse() == change


def test_data_loss_notes():
    assert ch.DropTable(_table()).data_loss == "drops table public.items and all its rows"
    assert "drops column public.t.c" in ch.DropColumn("public", "t", Column(name="c", type=INT)).data_loss
    generated = Column(name="g", type=INT, generated=Expression("id * 2"))
    assert ch.DropColumn("public", "t", generated).data_loss is None  # derived data is not lost
    narrowed = ch.AlterColumn("public", "t", Column(name="c", type=TEXT), Column(name="c", type=INT), ("type",))
    assert "narrows column public.t.c from text to integer" in narrowed.data_loss
    assert narrowed.reverse().data_loss is None
    shrink = ch.AlterEnum(EnumType(name="e", values=("a", "b")), EnumType(name="e", values=("a",)))
    assert "loses label(s) b" in shrink.data_loss and not shrink.adds_only
    assert shrink.reverse().adds_only and shrink.reverse().data_loss is None


@pytest.mark.parametrize(("old", "new", "narrows"), [
    ("varchar(10)", "varchar(20)", False), ("varchar(20)", "varchar(10)", True), ("varchar(10)", "text", False),
    ("text", "varchar(10)", True), ("integer", "bigint", False), ("bigint", "integer", True),
    ("numeric(10,2)", "numeric(12,2)", False), ("numeric(10,2)", "numeric(10,1)", True),
    ("numeric(10,2)", "numeric", False), ("integer", "numeric(12,0)", False), ("integer", "numeric(5,0)", True),
    ("timestamp", "timestamptz", False), ("timestamp(6)", "timestamp(3)", True), ("text", "integer", True),
    ("integer", "text", False), ("json", "jsonb", False), ("integer[]", "bigint", True), ("real", "double", False),
])
def test_narrowing(old, new, narrows):
    assert narrowing(parse_type(old), parse_type(new)) is narrows


# --- diff ---------------------------------------------------------------------------------------------

def test_equal_schemas_have_no_changes():
    assert diff(_schema(_table()), _schema(_table())) == []


def test_table_and_column_renames_from_hints():
    old = _schema(_table("clients", indexes=[Index(name="clients_label_idx", elements=(IndexElement(column="label"),))],
                         checks=[CheckConstraint(name="label_set", expression=Expression("length(label) > 0"),
                                                 columns=("label",))]))
    new = copy.deepcopy(old)
    t = new.tables[0]
    t.name, t.renamed_from = "customers", "clients"
    t.columns[1].name, t.columns[1].renamed_from = "name", "label"
    t.indexes[0].elements = (IndexElement(column="name"),)
    t.checks[0].expression, t.checks[0].columns = Expression("length(name) > 0"), ("name",)
    assert _kinds(diff(old, new)) == ["RenameTable", "RenameColumn"]
    t.indexes[0].name = "customers_name_idx"  # same definition, new name: renamed, not rebuilt
    assert _kinds(diff(old, new)) == ["RenameTable", "RenameColumn", "RenameIndex"]


def test_stale_rename_hint_is_ignored():
    new = _schema(_table())
    new.tables[0].renamed_from = "gone"
    assert diff(_schema(_table()), new) == []


def test_column_changes_are_listed():
    old, new = _schema(_table()), _schema(_table())
    label = new.tables[0].columns[1]
    label.type, label.nullable, label.default = DataType(Kind.VARCHAR, length=20), False, Expression("'x'")
    (change,) = diff(old, new)
    assert isinstance(change, ch.AlterColumn) and change.changed == ("type", "nullable", "default")


def test_expressions_compare_normalized():
    old = _schema(_table(checks=[CheckConstraint(name="c", expression=Expression("label IN ('a', 'b')"),
                                                 columns=("label",))]))
    new = copy.deepcopy(old)
    new.tables[0].checks[0].expression = Expression("(label = ANY (ARRAY['a'::text, 'b'::text]))")
    assert diff(old, new) == []


def test_enum_add_value_versus_recreate():
    e = EnumType(name="status", values=("new", "done"))
    table = _table(columns=[Column(name="id", type=INT), Column(name="s", type=DataType(Kind.ENUM, name="status"))])
    old = _schema(table, enums=[e])
    added = _schema(table, enums=[dataclasses.replace(e, values=("new", "doing", "done"))])
    (change,) = diff(old, added)
    assert change.adds_only
    sql = plan([change]).sql()
    assert "ALTER TYPE status ADD VALUE 'doing' AFTER 'new';" in sql
    reordered = _schema(table, enums=[dataclasses.replace(e, values=("done", "new"))])
    (change,) = diff(old, reordered)
    assert not change.adds_only and [u.column for u in change.uses] == ["s"]
    assert "USING s::text::status" in plan([change]).sql()


def test_views_over_retyped_columns_are_rebuilt():
    old = _schema(_table(), views=[View(name="v", query="SELECT label FROM items", depends_on=("items",)),
                                   View(name="w", query="SELECT label FROM v", depends_on=("v",))])
    new = copy.deepcopy(old)
    new.tables[0].columns[1].type = DataType(Kind.VARCHAR)
    assert _kinds(diff(old, new)) == ["AlterColumn", "DropView", "DropView", "AddView", "AddView"]
    sql = plan(diff(old, new)).sql()
    assert sql.index("DROP VIEW w;") < sql.index("DROP VIEW v;") < sql.index("ALTER TABLE items ALTER COLUMN")
    assert sql.index("CREATE VIEW v AS") < sql.index("CREATE VIEW w AS")


def test_foreign_keys_follow_a_rebuilt_key():
    parent = _table("parents")
    child = _table("children", foreign_keys=[ForeignKey(name="fk", columns=("id",), ref_table="parents",
                                                        ref_columns=("id",))])
    old = _schema(parent, child)
    new = copy.deepcopy(old)
    new.tables[0].primary_key = PrimaryKey(name="parents_pk", columns=("id",))
    assert _kinds(diff(old, new)) == ["RenameConstraint"]  # same key, new name: the FK is untouched
    new.tables[0].primary_key = None
    new.tables[0].uniques = [UniqueConstraint(name="parents_id_key", columns=("id",))]
    assert sorted(_kinds(diff(old, new))) == ["AddConstraint", "AddForeignKey", "DropConstraint", "DropForeignKey"]


def test_helpers():
    assert rename_in_expression("length(a) > 0 AND t.a <> b", (("a", "z"),)) == "length(z) > 0 AND t.z <> b"
    assert argument_types("a integer, b text DEFAULT 'x', OUT c int") == "integer, text"
    assert runs_outside_transaction("CREATE INDEX CONCURRENTLY i ON t (c)")
    assert runs_outside_transaction("ALTER TYPE e ADD VALUE 'x'")
    assert not runs_outside_transaction("CREATE INDEX i ON t (c)")


# --- plan ---------------------------------------------------------------------------------------------

def test_safe_patterns_on_existing_tables():
    old, new = _schema(_table()), _schema(_table())
    t = new.tables[0]
    t.columns[1].nullable = False
    t.indexes.append(Index(name="items_label_idx", elements=(IndexElement(column="label"),)))
    t.uniques.append(UniqueConstraint(name="items_label_key", columns=("label",)))
    t.checks.append(CheckConstraint(name="label_len", expression=Expression("length(label) < 9"), columns=("label",)))
    t.foreign_keys.append(ForeignKey(name="self_fk", columns=("id",), ref_table="items", ref_columns=("id",)))
    p = plan(diff(old, new), lock_timeout="2s")
    sql = [s.sql for s in p.forward]
    assert "ALTER TABLE items ADD CONSTRAINT chk_items_label_not_null CHECK (label IS NOT NULL) NOT VALID;" in sql
    assert sql.index("ALTER TABLE items VALIDATE CONSTRAINT chk_items_label_not_null;") \
        < sql.index("ALTER TABLE items ALTER COLUMN label SET NOT NULL;") \
        < sql.index("ALTER TABLE items DROP CONSTRAINT chk_items_label_not_null;")
    outside = {s.sql for s in p.forward if not s.transactional}
    assert outside == {"CREATE INDEX CONCURRENTLY items_label_idx ON items (label);",
                       "CREATE UNIQUE INDEX CONCURRENTLY items_label_key ON items (label);"}
    assert "ALTER TABLE items ADD CONSTRAINT items_label_key UNIQUE USING INDEX items_label_key;" in sql
    assert any(s.endswith("NOT VALID;") and "FOREIGN KEY" in s for s in sql)
    assert "ALTER TABLE items VALIDATE CONSTRAINT self_fk;" in sql
    assert p.settings[0] == "SET lock_timeout = '2s';" and p.sql().count("-- no transaction") == 2
    # the header gives only safe advice: the runner (transactional groups, recorded progress), never psql -f
    header = p.sql().split("\n\n", 1)[0]
    assert "'schemawright migrate up'" in header and "Do not run this file with psql -f" in header
    assert "statement by statement" not in header
    assert "DROP INDEX CONCURRENTLY items_label_idx;" in [s.sql for s in p.reverse]
    offline = plan(diff(old, new), online=False)
    assert all(s.transactional for s in offline.forward) and "NOT VALID" not in offline.sql()


def test_destructive_changes_are_refused_with_what_is_lost():
    old, new = _schema(_table(), _table("logs")), _schema(_table())
    new.tables[0].columns.pop()
    changes = diff(old, new)
    with pytest.raises(DestructiveChangeError) as err:
        plan(changes, row_counts={("public", "logs"): 1234})
    message = str(err.value)
    assert "drops table public.logs and all its rows (1,234 rows)" in message
    assert "drops column public.items.label and its values" in message and "--allow-destructive" in message
    p = plan(changes, allow_destructive=True)
    assert "-- DATA LOSS: drops table public.logs" in p.sql()
    assert not plan([c.reverse() for c in changes]).data_loss  # the undo adds them back: nothing lost


def test_serial_default_creates_its_sequence():
    table = Table(name="t", columns=[Column(name="id", type=INT, nullable=False,
                                            default=Expression("nextval('t_id_seq'::regclass)"))])
    sql = [s.sql for s in plan(diff(Schema(), _schema(table))).forward]
    assert sql[0] == "CREATE SEQUENCE IF NOT EXISTS t_id_seq AS integer;"
    assert sql[2] == "ALTER SEQUENCE t_id_seq OWNED BY t.id;"


def test_a_new_owner_takes_over_the_kept_objects(tmp_path):
    """Diffing designs whose owners differ (another project name) used to crash (ChangeOwner arity): the
    objects kept from the old schema change owner; the ones the new schema adds are created by it."""
    import json
    from pathlib import Path

    from schemawright.api import design_schema

    example = Path(__file__).resolve().parents[1] / "examples" / "ecommerce.json"
    spec = json.loads(example.read_text())
    spec["project"]["name"] = "renamed shop"
    spec["data_model"]["entities"].append({"name": "gift_card", "attributes": ["code", "balance"]})
    renamed = tmp_path / "renamed.json"
    renamed.write_text(json.dumps(spec))
    old, new = design_schema(example)[1], design_schema(renamed)[1]
    assert old.owner != new.owner
    owner_changes = [c for c in diff(old, new) if isinstance(c, ch.ChangeOwner)]
    assert len(owner_changes) == 1
    moved = {o.name for o in owner_changes[0].objects}
    assert "orders" in moved and "gift_cards" not in moved
    sql = plan(diff(old, new), allow_destructive=True).sql()
    assert f'OWNER TO {new.owner}' in sql or f'OWNER TO "{new.owner}"' in sql


def test_review_notes_for_steps_that_depend_on_the_rows():
    """What diff cannot know without the data is said in the file (REVIEW lines) and in Plan.warnings."""
    old, new = _schema(_table()), _schema(_table())
    t = new.tables[0]
    t.columns[1].default = Expression("'none'")  # a new default: existing NULLs stay NULL
    t.columns.append(Column(name="qty", type=INT, nullable=False))  # NOT NULL, no default: a placeholder
    t.checks.append(CheckConstraint(name="qty_small", expression=Expression("qty < 9"), columns=("qty",)))
    p = plan(diff(old, new))
    text = p.sql()
    assert "ALTER TABLE items ADD COLUMN qty integer NOT NULL DEFAULT 0;" in text
    assert "ALTER TABLE items ALTER COLUMN qty DROP DEFAULT;" in text
    assert any("a new default applies to new rows only" in w for w in p.warnings)
    assert any("fails if rows violate qty_small: count them first with SELECT count(*) FROM items WHERE NOT "
               "(qty < 9)" in w for w in p.warnings)
    assert text.count("-- REVIEW:") == 2 * len(p.warnings)  # in the header and above each step
    old_v, new_v = _schema(_table()), _schema(_table())
    new_v.tables[0].columns[1] = Column(name="label", type=DataType(Kind.VARCHAR, length=5))
    narrowing = plan(diff(old_v, new_v), allow_destructive=True)
    [step] = [s for s in narrowing.forward if "TYPE varchar(5)" in s.sql]
    assert step.data_check and step.data_check[1] == "SELECT count(*) FROM items WHERE length(label) > 5"
    assert "USING label::varchar(5)" in step.sql and "rewrites items" in step.warning
