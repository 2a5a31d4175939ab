"""TypeORM and Sequelize models (TypeScript) and the Prisma schema, proven by the real tools from npm
(tests/npm_tools.py: installed once into a cache directory, skipped with the reason when unavailable).

- ``tsc --noEmit`` (strict) type-checks the TypeORM entities + DataSource and the Sequelize models +
  connection of every example and every tests/inputs file against the installed typeorm/sequelize typings;
  a control file with a type error must fail, so the check is real.
- Sequelize: the compiled models run in node: ``initModels`` defines every table and every association
  (Sequelize itself rejects a name clash between an attribute and an association).
- ``prisma validate`` accepts the Prisma schema of every input (Prisma's own validator: relations and their
  inverse sides, native types, names, keys); a broken control schema must fail.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from npm_tools import prisma_validate, run, tools_dir, tsc

from schemawright import api
from schemawright.render.ts_common import links

ROOT = Path(__file__).resolve().parents[1]
INPUTS = sorted(p for d in ("examples", "tests/inputs") for p in (ROOT / d).iterdir()
                if p.suffix in (".json", ".yaml", ".yml"))


@pytest.fixture(scope="module")
def tools():
    return tools_dir()


@pytest.fixture(scope="module")
def designs(tmp_path_factory, tools):
    root = tmp_path_factory.mktemp("ts")
    out = {}
    for spec in INPUTS:
        result = api.design_project(spec, root / spec.stem, orms=["typeorm", "sequelize", "prisma"])
        out[spec.stem] = (root / spec.stem, result.schema)
    return root, out


def test_typescript_models_type_check_on_every_input(designs, tools):
    root, out = designs
    files = [str(p) for d, _ in out.values() for o in ("typeorm", "sequelize")
             for p in sorted((d / "models/orm" / o).glob("*.ts"))]
    assert len(files) == 4 * len(INPUTS)
    config = json.loads((next(iter(out.values()))[0] / "models/orm/typeorm/tsconfig.json").read_text())
    config["include"], config["compilerOptions"]["noEmit"] = files, True
    config["compilerOptions"]["typeRoots"] = [str(tools / "node_modules/@types")]
    (root / "tsconfig.json").write_text(json.dumps(config))
    result = tsc(root, tools)
    assert result.returncode == 0, result.stdout[-4000:]
    # a control: a wrong type in one entity file must fail the same check
    entities = next(iter(out.values()))[0] / "models/orm/typeorm/entities.ts"
    text = entities.read_text()
    entities.write_text(re.sub(r"(\n  id)!: string;", r"\1!: number;\n  bad: number = 'text';", text, count=1))
    try:
        failed = tsc(root, tools)
        assert failed.returncode != 0 and "TS2322" in failed.stdout
    finally:
        entities.write_text(text)


@pytest.mark.parametrize("name", ["saas_multitenant", "blog_cms", "social_network", "tricky_types"])
def test_sequelize_models_initialise_in_node(designs, tools, name, tmp_path):
    root, out = designs
    folder, schema = out[name]
    project = folder / "models/orm/sequelize"
    result = tsc(project, tools, "--outDir", str(tmp_path / "js"))
    assert result.returncode == 0, result.stdout[-3000:]
    (tmp_path / "js/node_modules").symlink_to(tools / "node_modules", target_is_directory=True)
    script = ("const s = require('./connection.js').connect();"
              "console.log(JSON.stringify({models: Object.keys(s.models).length, associations: "
              "Object.values(s.models).reduce((n, m) => n + Object.keys(m.associations).length, 0)}));")
    ran = run(["node", "-e", script], tmp_path / "js", {"DATABASE_URL": "postgres://nobody@localhost:1/none"})
    assert ran.returncode == 0, ran.stderr[-3000:]
    counts = json.loads(ran.stdout)
    assert counts == {"models": len(schema.tables), "associations": 2 * len(links(schema))}


def test_prisma_validate_every_input(designs, tools):
    root, out = designs
    failures = {}
    for name, (folder, _) in out.items():
        result = prisma_validate(folder / "models/orm/prisma/schema.prisma", tools)
        if result.returncode != 0 or "is valid" not in result.stdout + result.stderr:
            failures[name] = (result.stdout + result.stderr)[-1500:]
    assert failures == {}
    # a control: a relation without its inverse side must be refused
    schema = next(iter(out.values()))[0] / "models/orm/prisma/schema.prisma"
    broken = schema.with_name("broken.prisma")
    broken.write_text(re.sub(r"\n  \w+ \w+\[\] @relation\([^\n]*", "", schema.read_text(), count=1))
    failed = prisma_validate(broken, tools)
    assert failed.returncode != 0 and "P1012" in failed.stdout + failed.stderr


def test_connection_settings_and_agent_output(tmp_path):
    """Pool size from the targets, TLS from encryption_requirements, timeouts; no password in any file;
    agent_output lists what was written."""
    out = tmp_path / "out"
    result = api.design_project(ROOT / "examples" / "saas_multitenant.yaml", out,
                                orms=["typeorm", "sequelize", "prisma"])
    from schemawright.render import RenderContext
    from schemawright.render.tuning_config import sizing

    pool = sizing(RenderContext(schema=result.schema)).pool
    source = (out / "models/orm/typeorm/data-source.ts").read_text()
    assert f"poolSize: {pool}," in source and "connectTimeoutMS" in source and "password: env.PGPASSWORD" in source
    assert "rejectUnauthorized: true" in source  # in_transit encryption asked for in the example
    connection = (out / "models/orm/sequelize/connection.ts").read_text()
    assert f"max: {pool}," in connection and "statement_timeout" in connection
    assert f"connection_limit={pool}" in (out / "models/orm/prisma/schema.prisma").read_text()
    report = json.loads((out / "agent_output.json").read_text())
    configs = report["integration_support"]["orm_configurations"]
    assert [c["framework"] for c in configs] == ["sqlalchemy", "typeorm", "sequelize", "prisma"]
    assert all((out / f).is_file() for c in configs[1:] for f in c["files"])


def test_framework_asked_by_the_input_is_written(tmp_path):
    """delivery_marketplace says orm_framework: typeorm: the entities are written without --orm."""
    result = api.design_project(ROOT / "tests/inputs/delivery_marketplace.json")
    assert any(a.path == "models/orm/typeorm/entities.ts" for a in result.artifacts)
    report = json.loads(next(a.content for a in result.artifacts if a.path == "agent_output.json"))
    assert "typeorm" in [c["framework"] for c in report["integration_support"]["orm_configurations"]]


TYPEORM_QUERY = """
const { AppDataSource } = require('./data-source.js');
(async () => {
  await AppDataSource.initialize();
  let rows = 0;
  for (const m of AppDataSource.entityMetadatas) {
    const found = await AppDataSource.getRepository(m.target).find({ take: 2, relations: m.relations.map(r => r.propertyName) });
    rows += found.length;
  }
  console.log(JSON.stringify({ entities: AppDataSource.entityMetadatas.length, rows }));
  await AppDataSource.destroy();
})().catch((e) => { console.error(e); process.exit(1); });
"""
SEQUELIZE_QUERY = """
const { connect } = require('./connection.js');
(async () => {
  const s = connect();
  let rows = 0;
  for (const m of Object.values(s.models)) {
    const found = await m.findAll({ limit: 2, include: Object.keys(m.associations).map((a) => ({ association: a })) });
    rows += found.length;
  }
  console.log(JSON.stringify({ models: Object.keys(s.models).length, rows }));
  await s.close();
})().catch((e) => { console.error(e); process.exit(1); });
"""


@pytest.mark.parametrize("name", ["saas_multitenant", "blog_cms", "tricky_types", "hotel_booking"])
def test_typeorm_and_sequelize_query_the_migrated_database(designs, tools, name, tmp_path):
    """The compiled models run against the design's own V001 on a private cluster, with a valid row in every
    table: every entity/model is read with all its relations joined (a wrong table, column or join column
    is an SQL error), and rows come back."""
    import psycopg

    from schemawright.datagen.rows import RowFactory
    from schemawright.db import scratch_database
    from schemawright.db.embedded import private_server

    folder, schema = designs[1][name]
    for orm in ("typeorm", "sequelize"):
        result = tsc(folder / "models/orm" / orm, tools, "--outDir", str(tmp_path / orm))
        assert result.returncode == 0, result.stdout[-3000:]
        (tmp_path / orm / "node_modules").symlink_to(tools / "node_modules", target_is_directory=True)
    migration = (folder / "migrations/V001__initial_schema.sql").read_text()
    with private_server(schema.extensions) as server, scratch_database(server, prefix="sw_ts") as dsn:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(migration.encode())
            factory = RowFactory(conn, schema)
            for t in schema.tables:
                try:
                    with conn.transaction():
                        factory.insert(t, factory.valid_row(t))
                except Exception:  # noqa: BLE001 - a table the factory cannot fill stays empty
                    pass
        env = {"DATABASE_URL": dsn, "PGSSLMODE": "disable"}
        typeorm = run(["node", "-e", TYPEORM_QUERY], tmp_path / "typeorm", env)
        assert typeorm.returncode == 0, typeorm.stderr[-3000:]
        sequelize = run(["node", "-e", SEQUELIZE_QUERY], tmp_path / "sequelize", env)
        assert sequelize.returncode == 0, sequelize.stderr[-3000:]
    t, s = json.loads(typeorm.stdout), json.loads(sequelize.stdout)
    assert t["entities"] == s["models"] == len(schema.tables)
    assert t["rows"] >= len(schema.tables) // 2 and s["rows"] >= len(schema.tables) // 2


def test_hostile_names_stay_data_in_typescript_prisma_and_mongosh(tools, tmp_path):
    """The hostile-names input (tests/test_hostile_names.py) through every TypeScript/Prisma/MongoDB output:
    it type-checks, validates and parses, and running the compiled code never fires the canary."""
    from test_hostile_names import _spec

    canary = tmp_path / "canary"
    spec = tmp_path / "input.json"
    spec.write_text(json.dumps(_spec(canary), ensure_ascii=False), encoding="utf-8")
    out, mongo = tmp_path / "out", tmp_path / "mongo"
    api.design_project(spec, out, orms=["typeorm", "sequelize", "prisma"])
    api.design_project(spec, mongo, dialect="mongodb")
    for project in (out / "models/orm/typeorm", out / "models/orm/sequelize", mongo / "models/orm/mongoose"):
        result = tsc(project, tools, "--outDir", str(project / "dist"))
        assert result.returncode == 0, f"{project.name}: {result.stdout[-3000:]}"
    validated = prisma_validate(out / "models/orm/prisma/schema.prisma", tools)
    assert validated.returncode == 0, (validated.stdout + validated.stderr)[-3000:]
    script = mongo / "models/mongodb/create_collections.js"
    assert run(["node", "--check", str(script)], tmp_path).returncode == 0
    loaded = run(["node", "-e", "require('./models.js'); require('./connection.js')"],
                 out / "models/orm/sequelize/dist", {"DATABASE_URL": "postgres://nobody@localhost:1/none"})
    assert loaded.returncode == 0, loaded.stderr[-2000:]
    loaded = run(["node", "-e", "require('./models.js')"], mongo / "models/orm/mongoose/dist")
    assert loaded.returncode == 0, loaded.stderr[-2000:]
    assert not canary.exists()


def test_types_no_input_uses_yet(tools, tmp_path):
    """interval, tsvector, cidr, macaddr, xml, timetz, bytea and arrays (none of the inputs has them): the
    TypeScript models type-check and Prisma's schema validates, with Unsupported(...) where Prisma has no type."""
    import yaml

    data = yaml.safe_load((ROOT / "tests/inputs/tricky_types.yaml").read_text())
    data["data_model"]["entities"][0]["attributes"] += [
        {"name": n, "type": t} for n, t in [("span", "interval"), ("doc", "tsvector"), ("net", "cidr"),
                                             ("mac", "macaddr"), ("body", "xml"), ("tags", "text[]"),
                                             ("scores", "integer[]"), ("spans", "interval[]"), ("blob", "bytea"),
                                             ("at", "timetz"), ("ip", "inet"), ("big", "bigint")]]
    spec = tmp_path / "odd.yaml"
    spec.write_text(yaml.safe_dump(data))
    out = tmp_path / "out"
    api.design_project(spec, out, orms=["typeorm", "sequelize", "prisma"])
    for orm in ("typeorm", "sequelize"):
        result = tsc(out / "models/orm" / orm, tools, "--noEmit")
        assert result.returncode == 0, result.stdout[-3000:]
    prisma = out / "models/orm/prisma/schema.prisma"
    validated = prisma_validate(prisma, tools)
    assert validated.returncode == 0, (validated.stdout + validated.stderr)[-3000:]
    text = prisma.read_text()
    assert 'span Unsupported("interval")?' in text and 'spans Unsupported("interval[]")?' in text
    assert "tags String[]" in text and "body String? @db.Xml" in text
