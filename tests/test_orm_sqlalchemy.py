"""The generated SQLAlchemy models build, with ``create_all``, the tables the design describes.

Compared through the catalog inspector: tables, columns (types, nullability, defaults, comments), primary
keys, unique/check/foreign-key constraints and indexes by name. Triggers, grants, policies, views and
functions belong to the migrations, and SQLAlchemy has no constraint or index comments: those are left out.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import sys
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
import sqlalchemy.orm

from schemawright.api import design_project
from schemawright.inspect import inspect_schema
from schemawright.model.compare import differences
from schemawright.model.schema import (
    Column,
    EnumType,
    Expression,
    FkAction,
    ForeignKey,
    Index,
    IndexElement,
    PrimaryKey,
    Schema,
    Table,
    UniqueConstraint,
)
from schemawright.model.types import DataType, Kind, enum_type, parse_type
from schemawright.render.orm_sqlalchemy import PATH, render_models
from schemawright.render.tuning_config import pool_size

EXAMPLES = sorted(p for p in (Path(__file__).resolve().parent.parent / "examples").iterdir()
                  if p.suffix in (".json", ".yaml", ".yml"))


def _import(path: Path):
    name = f"sw_orm_{path.parent.parent.parent.name}_{abs(hash(str(path)))}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    sa.orm.configure_mappers()  # relationships resolve (back_populates, foreign_keys, remote_side)
    return module


def _create_all(module, dsn: str, schemas: set[str]) -> None:
    engine = sa.create_engine(sa.engine.make_url(dsn).set(drivername="postgresql+psycopg"))
    try:
        with engine.begin() as conn:
            for s in sorted(schemas - {"public"}):
                conn.execute(sa.text(f'CREATE SCHEMA "{s}"'))
            for enum in module.ENUM_TYPES:
                enum.create(conn, checkfirst=True)
            module.Base.metadata.create_all(conn)
    finally:
        engine.dispose()


def _tables_only(schema: Schema, schemas: set[str]) -> Schema:
    """The tables of a design, without what the ORM does not carry."""
    tables = copy.deepcopy([t for t in schema.tables if t.schema in schemas])
    for t in tables:
        t.triggers = []
        for c in [*t.checks, *t.exclusions]:
            c.comment = None
        for ix in t.indexes:
            ix.comment = None
    return Schema(tables=tables, enums=copy.deepcopy(schema.enums))


def _assert_same_tables(designed: Schema, dsn: str) -> None:
    schemas = {t.schema for t in designed.tables}
    actual = Schema()
    with psycopg.connect(dsn) as conn:
        for s in sorted(schemas):
            got = inspect_schema(conn, s)
            actual.tables += got.tables
            actual.enums += got.enums
    diffs = differences(_tables_only(designed, schemas), _tables_only(actual, schemas))
    assert not diffs, "\n".join(diffs)


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_generated_models_create_the_designed_tables(example: Path, tmp_path: Path, scratch_dsn: str):
    result = design_project(example, tmp_path / "out")
    module = _import(result.out_dir / PATH)
    assert len(module.Base.metadata.tables) == len(result.schema.tables)
    _create_all(module, scratch_dsn, {t.schema for t in result.schema.tables})
    _assert_same_tables(result.schema, scratch_dsn)


def _awkward_schema() -> Schema:
    """Python keywords as column names, a composite key, an enum, arrays, a self reference, a schema."""
    text, uuid = DataType(Kind.TEXT), DataType(Kind.UUID)
    courses = Table(name="courses", schema="school", comment="A course", columns=[
        Column(name="code", type=parse_type("varchar(12)"), nullable=False),
        Column(name="term", type=DataType(Kind.SMALLINT), nullable=False),
        Column(name="class", type=text, nullable=False, comment="reserved word in Python"),
        Column(name="level", type=enum_type("course_level"), nullable=False, default=Expression("'basic'::school.course_level")),
        Column(name="tags", type=parse_type("text[]"), nullable=False, default=Expression("'{}'::text[]")),
        Column(name="fee", type=parse_type("numeric(8,2)")),
        Column(name="metadata", type=DataType(Kind.JSONB)),
        Column(name="prerequisite_code", type=parse_type("varchar(12)")),
        Column(name="prerequisite_term", type=DataType(Kind.SMALLINT)),
    ], primary_key=PrimaryKey(name="pk_courses", columns=("code", "term")),
        uniques=[UniqueConstraint(name="uq_courses_class", columns=("class", "term"))],
        foreign_keys=[ForeignKey(name="fk_courses_prerequisite", columns=("prerequisite_code", "prerequisite_term"),
                                 ref_table="courses", ref_columns=("code", "term"), on_delete=FkAction.SET_NULL)],
        indexes=[Index(name="idx_courses_from", elements=(IndexElement(column="class", descending=True),)),
                 Index(name="idx_courses_prereq", elements=(IndexElement(column="prerequisite_code"),
                                                            IndexElement(column="prerequisite_term")))])
    enrolments = Table(name="enrolments", schema="school", columns=[
        Column(name="id", type=uuid, nullable=False, default=Expression("gen_random_uuid()")),
        Column(name="from", type=DataType(Kind.DATE), nullable=False),
        Column(name="course_code", type=parse_type("varchar(12)"), nullable=False),
        Column(name="course_term", type=DataType(Kind.SMALLINT), nullable=False),
        Column(name="ip", type=DataType(Kind.INET)),
        Column(name="at", type=DataType(Kind.TIMESTAMPTZ, precision=3)),
    ], primary_key=PrimaryKey(name="pk_enrolments", columns=("id",)),
        foreign_keys=[ForeignKey(name="fk_enrolments_course", columns=("course_code", "course_term"),
                                 ref_table="courses", ref_columns=("code", "term"), on_delete=FkAction.CASCADE)])
    return Schema(tables=[courses, enrolments],
                  enums=[EnumType(name="course_level", schema="school", values=("basic", "advanced"))])


def test_keywords_and_composite_keys_render_to_importable_code(tmp_path: Path, scratch_dsn: str):
    schema = _awkward_schema()
    path = tmp_path / "a" / "b" / "c" / "models.py"
    path.parent.mkdir(parents=True)
    text = render_models(schema, "awkward")
    assert text == render_models(schema, "awkward")  # deterministic
    path.write_text(text)
    module = _import(path)
    assert module.Courses.class_.property.columns[0].name == "class"
    assert module.Enrolments.from_.property.columns[0].name == "from"
    assert module.Courses.metadata_.property.columns[0].name == "metadata"
    assert [c.name for c in module.Courses.__table__.primary_key.columns] == ["code", "term"]
    assert {"enrolments", "prerequisite", "courses"} <= set(module.Courses.__mapper__.relationships.keys())
    _create_all(module, scratch_dsn, {"school"})
    _assert_same_tables(schema, scratch_dsn)


def _integration(name: str) -> tuple:
    result = design_project(Path(__file__).resolve().parent.parent / "examples" / name)
    report = next(a for a in result.artifacts if a.path == "agent_output.json")
    return result, json.loads(report.content)["integration_support"]


def test_integration_support_describes_orm_connections_and_caching():
    result, support = _integration("saas_multitenant.yaml")
    orm = support["orm_configurations"][0]
    assert (orm["filename"], orm["framework"], orm["requested_framework"]) == (PATH, "sqlalchemy", "prisma")
    # the input's Prisma is written now (tests/test_orm_typescript.py proves it), so no "use prisma db pull" note
    assert [c["framework"] for c in support["orm_configurations"]] == ["sqlalchemy", "prisma"]
    assert not any("prisma db pull" in n for n in orm["notes"])
    app = result.schema.role("app").name
    url = support["connection_strings"][0]
    assert url["url"].startswith(f"postgresql+psycopg://{app}:${{APP_DB_PASSWORD}}@")
    perf = result.spec.performance_targets
    assert url["pool_size"] == pool_size(perf.concurrent_users, perf.write_operations_per_second)
    assert 10 <= url["pool_size"] <= 50
    assert any("app.current_tenant_id" in n for n in support["api_integration_notes"])
    cached = {c["table"]: c for c in support["caching_strategies"]}
    assert {"organizations", "plans"} <= set(cached) and cached["plans"]["ttl_seconds"] > cached["users"]["ttl_seconds"]
    assert all("{tenant}" in c["key"] for c in cached.values() if result.schema.table(c["table"]).rls_enabled)


def test_no_caching_strategies_without_a_caching_layer():
    _, support = _integration("clinic_appointments.yaml")
    assert support["caching_strategies"] == []
    assert support["orm_configurations"][0]["requested_framework"] == "sqlalchemy"
    assert len(support["orm_configurations"][0]["notes"]) == 2  # no "generate with another ORM" note
