"""The PostgreSQL interpreter's handlers for everything around tables: schemas, types, domains,
sequences, extensions, views, functions, triggers, comments, policies, drops and renames."""

from __future__ import annotations

import re

from typing import TYPE_CHECKING

from pglast import ast
from pglast.enums import ConstrType, FunctionParameterMode, ObjectType

from schemawright.importers.common import imported
from schemawright.importers.normalize import Domain, domain_name
from schemawright.model.compare import aggregate_arguments
from schemawright.model.names import quote_ident
from schemawright.model.schema import Aggregate, CompositeType, EnumType, Expression, Function, Policy, Trigger, View
from schemawright.model.types import UnknownTypeError
from schemawright.pg_ast import walk
from schemawright.spec.expressions import SafeLiteralStream

if TYPE_CHECKING:
    from schemawright.importers.postgres_sql import Interpreter

_VOLATILITY = {"immutable": "IMMUTABLE", "stable": "STABLE", "volatile": "VOLATILE"}
_TG_BEFORE, _TG_INSTEAD = 1 << 1, 1 << 6
_TG_EVENTS = (("INSERT", 1 << 2), ("UPDATE", 1 << 4), ("DELETE", 1 << 3), ("TRUNCATE", 1 << 5))
_POLICY_COMMANDS = {"all": "ALL", "select": "SELECT", "insert": "INSERT", "update": "UPDATE", "delete": "DELETE"}


def _names(nodes) -> list[str]:
    return [n.sval for n in nodes or () if isinstance(n, ast.String)]


def column_refs(node) -> list[str]:
    """The distinct plain column names an expression reads, in order of first use."""
    found: list[str] = []
    for ref in walk(node):
        if isinstance(ref, ast.ColumnRef) and ref.fields and isinstance(ref.fields[-1], ast.String):
            name = ref.fields[-1].sval
            if name not in found:
                found.append(name)
    return found


def _unqualify_public(node) -> None:
    """Drop ``public.`` from relation, function and type names (the catalog prints them without it)."""
    for found in walk(node):
        if isinstance(found, ast.RangeVar) and found.schemaname == "public":
            found.schemaname = None
        elif isinstance(found, ast.FuncCall) and len(found.funcname) == 2 and found.funcname[0].sval == "public":
            found.funcname = found.funcname[1:]
        elif isinstance(found, ast.TypeName) and found.names and len(found.names) == 2 \
                and found.names[0].sval in ("public", "pg_catalog") and found.names[1].sval not in _KEEP_QUALIFIED:
            found.names = found.names[1:]


_KEEP_QUALIFIED = frozenset({"int2", "int4", "int8", "float4", "float8", "bool", "bpchar", "varchar", "numeric",
                             "timestamp", "timestamptz", "time", "timetz", "interval", "bit", "varbit"})


def _text(node) -> str:
    _unqualify_public(node)
    return SafeLiteralStream()(node)


# --- search path, schemas, extensions --------------------------------------------------------------

def set_search_path(it: Interpreter, node: ast.VariableSetStmt) -> None:
    if node.name == "search_path":
        values = [a.val.sval for a in node.args or () if isinstance(a, ast.A_Const) and isinstance(a.val, ast.String)]
        _use_search_path(it, ",".join(values))


def _use_search_path(it: Interpreter, value: str) -> None:
    schemas = [s.strip().strip('"') for s in value.split(",") if s.strip() and s.strip() not in ('"$user"', "$user",
                                                                                                     "pg_catalog")]
    it.search_schema = schemas[0] if schemas else "public"


def select(it: Interpreter, node: ast.SelectStmt, kind: str) -> None:
    """``SELECT set_config('search_path', ...)`` and ``setval()`` are pg_dump noise; other SELECTs are queries."""
    target = node.targetList[0].val if node.targetList and len(node.targetList) == 1 else None
    if isinstance(target, ast.FuncCall) and not node.fromClause:
        name = _names(target.funcname)[-1]
        if name == "set_config":
            args = target.args or ()
            if args and isinstance(args[0], ast.A_Const) and getattr(args[0].val, "sval", None) == "search_path":
                _use_search_path(it, getattr(args[1].val, "sval", "") if len(args) > 1 else "")
            return
        if name == "setval":
            return
    it.skip("SELECT", "a query, not schema")


def create_schema(it: Interpreter, node: ast.CreateSchemaStmt, kind: str) -> None:
    name = node.schemaname
    if name and name not in it.schemas:
        it.schemas.append(name)
    saved = it.search_schema
    it.search_schema = name or saved
    try:
        for element in node.schemaElts or ():
            it.statement(element, kind)
    finally:
        it.search_schema = saved


def create_extension(it: Interpreter, node: ast.CreateExtensionStmt, kind: str) -> None:
    if node.extname != "plpgsql" and node.extname not in it.schema.extensions:
        it.schema.extensions.append(node.extname)


# --- types, domains, sequences ---------------------------------------------------------------------

def create_enum(it: Interpreter, node: ast.CreateEnumStmt, kind: str) -> None:
    schema, name = it.qualify_names(_names(node.typeName))
    it.schema.enums.append(EnumType(name=name, schema=schema, values=tuple(_names(node.vals)),
                                    origin=_origin()))


def create_composite_type(it: Interpreter, node: ast.CompositeTypeStmt, kind: str) -> None:
    """CREATE TYPE name AS (attribute type, ...): each type as a column's, an enum named with its schema."""
    schema, name = it.qualify(node.typevar)
    attributes = []
    for col in node.coldeflist or ():
        try:
            text = str(it.data_type(col.typeName, ""))  # no table's schema: an enum comes back schema-qualified
        except UnknownTypeError:
            it.skip(kind, f"composite type {name}: the type of attribute {col.colname} is not part of the model")
            return
        if col.collClause is not None:
            text += " COLLATE " + ".".join(quote_ident(n) for n in _names(col.collClause.collname))
        attributes.append((col.colname, text))
    it.schema.composite_types.append(CompositeType(name=name, schema=schema, attributes=tuple(attributes),
                                                   origin=_origin()))


def alter_enum(it: Interpreter, node: ast.AlterEnumStmt, kind: str) -> None:
    schema, name = it.qualify_names(_names(node.typeName))
    enum = next((e for e in it.schema.enums if e.name == name and e.schema == schema), None)
    if enum is None:
        it.skip(kind, f"enum {name} is not defined earlier")
        return
    values = list(enum.values)
    if node.oldVal:
        values = [node.newVal if v == node.oldVal else v for v in values]
    elif node.newVal not in values:
        at = values.index(node.newValNeighbor) + (1 if node.newValIsAfter else 0) if node.newValNeighbor in values \
            else len(values)
        values.insert(at, node.newVal)
    enum.values = tuple(values)


def create_domain(it: Interpreter, node: ast.CreateDomainStmt, kind: str) -> None:
    schema, name = it.qualify_names(_names(node.domainname))
    key = domain_name(schema, name)
    domain = Domain(name=key, base=it.data_type(node.typeName, schema), schema=schema, bare=name,
                    collation=".".join(_names(node.collClause.collname)) if node.collClause else None)
    for con in node.constraints or ():
        if con.contype == ConstrType.CONSTR_NOTNULL:
            domain.not_null = True
        elif con.contype == ConstrType.CONSTR_DEFAULT:
            domain.default = Expression(SafeLiteralStream()(con.raw_expr))
        elif con.contype == ConstrType.CONSTR_CHECK:
            domain.checks.append((con.conname or f"{name}_check", SafeLiteralStream()(con.raw_expr)))
    it.domains[key] = domain


def alter_domain(it: Interpreter, node: ast.AlterDomainStmt, kind: str) -> None:
    schema, name = it.qualify_names(_names(node.typeName))
    domain = it.domains.get(domain_name(schema, name))
    if domain is None:
        it.skip(kind, f"domain {name} is not defined earlier")
    elif node.subtype == "C" and node.def_.contype == ConstrType.CONSTR_CHECK:
        domain.checks.append((node.def_.conname or f"{name}_check", SafeLiteralStream()(node.def_.raw_expr)))
    elif node.subtype == "T":
        domain.default = Expression(SafeLiteralStream()(node.def_)) if node.def_ is not None else None
    elif node.subtype in ("N", "O"):
        domain.not_null = node.subtype == "O"
    else:
        it.skip(kind, f"ALTER DOMAIN {name}: not part of the model")


def create_sequence(it: Interpreter, node: ast.CreateSeqStmt, kind: str) -> None:
    key = it.qualify(node.sequence)
    it.sequences[key] = None
    it.sequence_options[key] = {}
    it.taken(key[0]).add(key[1])
    _sequence_options(it, key, node.options)


def alter_sequence(it: Interpreter, node: ast.AlterSeqStmt, kind: str) -> None:
    key = it.qualify(node.sequence)
    _sequence_options(it, key, node.options)


_SEQUENCE_TYPES = {"int2": "smallint", "int4": "integer", "int8": "bigint", "smallint": "smallint",
                   "integer": "integer", "bigint": "bigint", "int": "integer"}


def _sequence_options(it: Interpreter, key: tuple[str, str], options) -> None:
    """AS, START, INCREMENT, MINVALUE, MAXVALUE, CACHE, CYCLE and OWNED BY (None: NO MINVALUE/MAXVALUE)."""
    kept = it.sequence_options.setdefault(key, {})
    for option in options or ():
        name = option.defname
        if name == "owned_by":
            owner = _names(option.arg)
            it.sequences[key] = None if owner == ["none"] else (
                tuple(owner) if len(owner) == 3 else (it.search_schema, *owner[-2:]))
        elif name == "as":
            kept["data_type"] = _SEQUENCE_TYPES.get(_names(option.arg.names)[-1], "bigint")
        elif name in ("start", "increment", "minvalue", "maxvalue", "cache"):
            kept[name] = None if option.arg is None else int(getattr(option.arg, "ival", None) or option.arg.fval)
        elif name == "cycle":
            kept["cycle"] = bool(option.arg.boolval) if option.arg is not None else True


# --- views, functions, triggers ----------------------------------------------------------------------

def create_view(it: Interpreter, node: ast.ViewStmt, kind: str) -> None:
    schema, name = it.qualify(node.view)
    if node.aliases:
        it.skip(kind, f"{name}: the column names given after the view name are not kept")
    _add_view(it, schema, name, node.query, materialized=False)
    options = [f"{o.defname}={_option_value(o.arg)}" for o in node.options or ()]
    if node.withCheckOption:  # WITH [LOCAL | CASCADED] CHECK OPTION: stored as the reloption check_option
        options = [o for o in options if not o.startswith("check_option=")]
        options.append(f"check_option={'local' if node.withCheckOption == 1 else 'cascaded'}")
    it.schema.views[-1].options = tuple(options)


def _option_value(arg) -> str:
    """A WITH (name = value) option's value as pg_class.reloptions stores it (no value: true)."""
    if arg is None:
        return "true"
    if isinstance(arg, ast.Boolean):
        return "true" if arg.boolval else "false"
    if isinstance(arg, ast.TypeName):
        return _names(arg.names)[-1]
    if isinstance(arg, ast.A_Const):
        arg = arg.val
    return str(getattr(arg, "sval", None) or getattr(arg, "ival", None) or getattr(arg, "fval", None) or arg)


def create_table_as(it: Interpreter, node: ast.CreateTableAsStmt, kind: str) -> None:
    if node.objtype != ObjectType.OBJECT_MATVIEW:
        it.skip(kind, "a table created from a query: its columns are not known without a database")
        return
    schema, name = it.qualify(node.into.rel)
    _add_view(it, schema, name, node.query, materialized=True)


def _expand_star(it: Interpreter, query) -> None:
    """``SELECT *`` over one known table lists its columns, as PostgreSQL stores the view."""
    if not isinstance(query, ast.SelectStmt) or not query.fromClause or len(query.fromClause) != 1 \
            or not isinstance(query.fromClause[0], ast.RangeVar) or not query.targetList:
        return
    table = it.tables.get(it.qualify(query.fromClause[0]))
    if table is None:
        return
    targets = []
    for target in query.targetList:
        ref = target.val
        if isinstance(ref, ast.ColumnRef) and isinstance(ref.fields[-1], ast.A_Star):
            qualifier = ref.fields[:-1]
            targets += [ast.ResTarget(val=ast.ColumnRef(fields=(*qualifier, ast.String(sval=c.name))))
                        for c in table.columns]
        else:
            targets.append(target)
    query.targetList = tuple(targets)


def _add_view(it: Interpreter, schema: str, name: str, query, materialized: bool) -> None:
    depends = sorted({rv.relname for rv in walk(query) if isinstance(rv, ast.RangeVar)})
    _expand_star(it, query)
    it.schema.views = [v for v in it.schema.views if (v.schema, v.name) != (schema, name)]
    it.schema.views.append(View(name=name, schema=schema, query=_text(query), materialized=materialized,
                                depends_on=tuple(depends), origin=_origin()))
    it.taken(schema).add(name)


def _arguments(parameters) -> tuple[str, list[str]]:
    """pg_get_function_arguments()-style text, and the TABLE (...) output columns."""
    args, table = [], []
    for p in parameters or ():
        text = " ".join(filter(None, [p.name, _text(p.argType)]))
        if p.mode == FunctionParameterMode.FUNC_PARAM_TABLE:
            table.append(text)
            continue
        mode = {FunctionParameterMode.FUNC_PARAM_OUT: "OUT", FunctionParameterMode.FUNC_PARAM_INOUT: "INOUT",
                FunctionParameterMode.FUNC_PARAM_VARIADIC: "VARIADIC"}.get(p.mode)
        text = f"{mode} {text}" if mode else text
        if p.defexpr is not None:
            text += f" DEFAULT {_text(p.defexpr)}"
        args.append(text)
    return ", ".join(args), table


_LIST_SETTINGS = frozenset({"search_path", "temp_tablespaces", "session_preload_libraries",
                            "local_preload_libraries", "shared_preload_libraries"})


def _number(node) -> float | None:
    value = getattr(node, "ival", None)
    if value is None:
        value = getattr(node, "fval", None)
    return None if value is None else float(value)


def _function_attributes(it: Interpreter, kind: str, name: str, options) -> dict:
    """STRICT, LEAKPROOF, PARALLEL, COST, ROWS and SET clauses, as the catalog keeps them."""
    out: dict = {"config": ()}
    config: list[str] = []
    for o in options:
        if o.defname == "strict":
            out["strict"] = bool(o.arg.boolval)
        elif o.defname == "leakproof":
            out["leakproof"] = bool(o.arg.boolval)
        elif o.defname == "parallel":
            out["parallel"] = o.arg.sval.upper()
        elif o.defname in ("cost", "rows"):
            out[o.defname] = _number(o.arg)
        elif o.defname == "set":
            stmt = o.arg
            if stmt.kind != 0 or not stmt.args:  # SET x FROM CURRENT / RESET: depends on the session
                it.skip(kind, f"{name}: SET {stmt.name} FROM CURRENT depends on the session that creates it")
                continue
            values = [getattr(a.val, "sval", None) or str(_number(a.val) or "").removesuffix(".0") for a in stmt.args]
            if stmt.name.lower() in _LIST_SETTINGS:
                values = [quote_ident(v) for v in values]
            config.append(f"{stmt.name}={', '.join(values)}")
    out["config"] = tuple(config)
    if out.get("cost") in (100.0,):
        out["cost"] = None
    if out.get("rows") in (1000.0,):
        out["rows"] = None
    return out


def create_function(it: Interpreter, node: ast.CreateFunctionStmt, kind: str) -> None:
    schema, name = it.qualify_names(_names(node.funcname))
    if node.is_procedure:
        it.skip(kind, f"procedure {name}: procedures are not part of the model")
        return
    options = {o.defname: o.arg for o in node.options or ()}
    arguments, table_columns = _arguments(node.parameters)
    if table_columns:
        returns = f"TABLE({', '.join(table_columns)})"
    else:
        returns = _text(node.returnType) if node.returnType is not None else "void"
    body = options.get("as")
    body_text = body[0].sval if isinstance(body, tuple) and body else ""
    if isinstance(body, tuple) and len(body) > 1:
        it.skip(kind, f"{name}: a C function's object file and symbol are not kept")
    if node.sql_body is not None:
        it.skip(kind, f"{name}: a SQL-standard body (BEGIN ATOMIC / RETURN) is not kept")
    language = options.get("language")
    volatility = options.get("volatility")
    security = options.get("security")
    function = Function(name=name, schema=schema, arguments=arguments, returns=returns, body=body_text,
                        language=language.sval if language is not None else "sql",
                        volatility=_VOLATILITY.get(volatility.sval if volatility is not None else "", "VOLATILE"),
                        security_definer=bool(security is not None and security.boolval), origin=_origin(),
                        **_function_attributes(it, kind, name, node.options or ()))
    it.schema.functions = [f for f in it.schema.functions
                           if (f.schema, f.name, f.arguments) != (schema, name, arguments)]
    it.schema.functions.append(function)


def create_trigger(it: Interpreter, node: ast.CreateTrigStmt, kind: str) -> None:
    key = it.qualify(node.relation)
    table = it.table(key, kind)
    if table is None:
        return
    parts = _names(node.funcname)
    defined = {(f.schema, f.name) for f in it.schema.functions}
    schema = parts[-2] if len(parts) > 1 else (it.search_schema if (it.search_schema, parts[-1]) in defined
                                                else "pg_catalog")
    function = parts[-1] if schema == table.schema else f"{schema}.{parts[-1]}"
    lost = [what for what, present in (("CONSTRAINT", node.isconstraint),
                                       ("transition tables", node.transitionRels)) if present]
    if lost:
        it.skip("trigger", f"{node.trigname} on {table.name}: its {', '.join(lost)} are not part of the model")
    timing = "INSTEAD OF" if node.timing & _TG_INSTEAD else "BEFORE" if node.timing & _TG_BEFORE else "AFTER"
    table.triggers = [t for t in table.triggers if t.name != node.trigname]
    table.triggers.append(Trigger(name=node.trigname, function=function, timing=timing,
                                  events=tuple(e for e, bit in _TG_EVENTS if node.events & bit),
                                  for_each="ROW" if node.row else "STATEMENT",
                                  when=Expression(SafeLiteralStream()(node.whenClause)) if node.whenClause else None,
                                  columns=tuple(c.sval for c in node.columns or ()),
                                  arguments=tuple(getattr(a, "sval", None) or str(getattr(a, "ival", ""))
                                                  for a in node.args or ()), origin=_origin()))


def create_policy(it: Interpreter, node: ast.CreatePolicyStmt, kind: str) -> None:
    schema, table = it.qualify(node.table)
    roles = tuple(r.rolename for r in node.roles or () if r.rolename and r.rolename.lower() != "public")
    it.schema.policies.append(Policy(
        name=node.policy_name, table=table, schema=schema, command=_POLICY_COMMANDS.get(node.cmd_name, "ALL"),
        roles=roles, permissive=node.permissive, origin=_origin(),
        using=Expression(SafeLiteralStream()(node.qual)) if node.qual is not None else None,
        with_check=Expression(SafeLiteralStream()(node.with_check)) if node.with_check is not None else None))


def _options(options) -> tuple[str, ...]:
    return tuple(f"{o.defname}={getattr(o.arg, 'sval', '')}" for o in options or ())


def foreign_server(it: Interpreter, node: ast.CreateForeignServerStmt, kind: str) -> None:
    """CREATE SERVER: a foreign-data server (its wrapper is an extension's, imported with it)."""
    from schemawright.model.schema import ForeignServer

    if any(s.name == node.servername for s in it.schema.foreign_servers):
        return
    it.schema.foreign_servers.append(ForeignServer(name=node.servername, wrapper=node.fdwname,
                                                   options=_options(node.options), origin=imported("postgresql")))


def foreign_table(it: Interpreter, node: ast.CreateForeignTableStmt, kind: str) -> None:
    """CREATE FOREIGN TABLE: a table read through a foreign server (columns only)."""
    from schemawright.importers.postgres_sql import create_table

    if not any(s.name == node.servername for s in it.schema.foreign_servers):
        it.skip("foreign table", f"server {node.servername} is not defined earlier", object_name(node))
        return
    key = it.qualify(node.base.relation)
    create_table(it, node.base, kind)
    table = it.tables.get(key)
    if table is not None:
        table.foreign_server, table.foreign_options = node.servername, _options(node.options)


def rule(it: Interpreter, node: ast.RuleStmt, kind: str) -> None:
    """CREATE RULE: kept as PostgreSQL's parser deparses it, on its table (rules on views are not modelled)."""
    table = it.tables.get(it.qualify(node.relation))
    if table is None:
        from schemawright.inspect.unmodelled import why_not_modelled

        it.skip("rule", why_not_modelled("rule", "rules are not in the schema model") + " (only rules on tables are)",
                object_name(node))
        return
    table.rules[node.rulename] = SafeLiteralStream()(node)


def cluster(it: Interpreter, node: ast.ClusterStmt, kind: str) -> None:
    """CLUSTER t USING i: the mark ALTER TABLE t CLUSTER ON i sets (the rows' order itself is data)."""
    key = it.qualify(node.relation) if node.relation is not None else None
    table = it.tables.get(key) if key else None
    if table is None and key:  # a materialized view (View.cluster_on)
        table = next((v for v in it.schema.views if (v.schema, v.name) == key and v.materialized), None)
    if table is None or not node.indexname:
        it.skip(kind, "CLUSTER without a table defined earlier and an index: physical order is not part of the model")
        return
    table.cluster_on = node.indexname


# --- comments ----------------------------------------------------------------------------------------

def comment(it: Interpreter, node: ast.CommentStmt, kind: str) -> None:
    objtype, obj, text = node.objtype, node.object, node.comment
    if objtype == ObjectType.OBJECT_SCHEMA:
        name = getattr(obj, "sval", None)
        if name is not None and text is not None:
            it.schema.schema_comments[name] = text
        elif name is not None:
            it.schema.schema_comments.pop(name, None)
        return
    if objtype in (ObjectType.OBJECT_EXTENSION, ObjectType.OBJECT_DATABASE):
        return  # not part of a schema's model
    parts = _names(obj.names) if isinstance(obj, ast.TypeName) else _names(obj) if isinstance(obj, tuple) else []
    target = None
    if objtype == ObjectType.OBJECT_TABLE:
        target = it.tables.get(it.qualify_names(parts))
    elif objtype == ObjectType.OBJECT_COLUMN:
        table = it.tables.get(it.qualify_names(parts[:-1]))
        target = table.column(parts[-1]) if table else None
        key = it.qualify_names(parts[:-1])
        view = None if table else next((v for v in it.schema.views if (v.schema, v.name) == key), None)
        if view is not None:  # a view's column (View.column_comments)
            if text is None:
                view.column_comments.pop(parts[-1], None)
            else:
                view.column_comments[parts[-1]] = text
            return
    elif objtype in (ObjectType.OBJECT_VIEW, ObjectType.OBJECT_MATVIEW):
        schema, name = it.qualify_names(parts)
        target = next((v for v in it.schema.views if (v.schema, v.name) == (schema, name)), None)
    elif objtype == ObjectType.OBJECT_INDEX:
        schema, name = it.qualify_names(parts)
        target = next((ix for t in it.schema.tables if t.schema == schema for ix in t.indexes if ix.name == name), None)
        key = target or next((k for t in it.schema.tables if t.schema == schema
                              for k in [*([t.primary_key] if t.primary_key else []), *t.uniques, *t.exclusions]
                              if k.name == name), None)
        if target is None and key is not None:  # a key's own index
            key.index_comment = text
            return
    elif objtype == ObjectType.OBJECT_SEQUENCE:
        key = it.qualify_names(parts)
        if key in it.sequences:
            it.sequence_comments[key] = text
            return
    elif objtype == ObjectType.OBJECT_TYPE:
        schema, name = it.qualify_names(parts)
        target = next((e for e in (*it.schema.enums, *it.schema.composite_types) if (e.schema, e.name) == (schema, name)),
                      None)
    elif objtype == ObjectType.OBJECT_DOMAIN:
        target = it.domains.get(domain_name(*it.qualify_names(parts)))
    elif objtype == ObjectType.OBJECT_TABCONSTRAINT:
        table = it.tables.get(it.qualify_names(parts[:-1]))
        target = next((c for c in [*table.checks, *table.exclusions] if c.name == parts[-1]), None) if table else None
    elif objtype == ObjectType.OBJECT_FUNCTION and isinstance(obj, ast.ObjectWithArgs):
        schema, name = it.qualify_names(_names(obj.objname))
        found = [f for f in it.schema.functions if (f.schema, f.name) == (schema, name)]
        target = found[0] if len(found) == 1 else None
    if target is None:
        it.skip(kind, "the object is not in the model (or not defined earlier)")
        return
    target.comment = text


# --- drops and renames -------------------------------------------------------------------------------

def drop(it: Interpreter, node: ast.DropStmt, kind: str) -> None:
    kind_of = node.removeType
    for obj in node.objects or ():
        parts = _names(obj.names) if isinstance(obj, ast.TypeName) else \
            _names(obj.objname) if isinstance(obj, ast.ObjectWithArgs) else _names(obj) if isinstance(obj, tuple) \
            else [getattr(obj, "sval", "")]
        if kind_of in (ObjectType.OBJECT_TABLE, ObjectType.OBJECT_FOREIGN_TABLE):
            table = it.tables.pop(it.qualify_names(parts), None)
            if table is not None:
                it.schema.tables.remove(table)
        elif kind_of in (ObjectType.OBJECT_VIEW, ObjectType.OBJECT_MATVIEW):
            key = it.qualify_names(parts)
            it.schema.views = [v for v in it.schema.views if (v.schema, v.name) != key]
        elif kind_of == ObjectType.OBJECT_INDEX:
            schema, name = it.qualify_names(parts)
            for table in it.schema.tables:
                if table.schema == schema:
                    table.indexes = [ix for ix in table.indexes if ix.name != name]
        elif kind_of in (ObjectType.OBJECT_TYPE, ObjectType.OBJECT_DOMAIN):
            key = it.qualify_names(parts)
            it.schema.enums = [e for e in it.schema.enums if (e.schema, e.name) != key]
            it.domains.pop(domain_name(*key), None)
        elif kind_of == ObjectType.OBJECT_FUNCTION:
            key = it.qualify_names(parts)
            it.schema.functions = [f for f in it.schema.functions if (f.schema, f.name) != key]
        elif kind_of == ObjectType.OBJECT_TRIGGER:
            table = it.tables.get(it.qualify_names(parts[:-1]))
            if table is not None:
                table.triggers = [t for t in table.triggers if t.name != parts[-1]]
        elif kind_of not in (ObjectType.OBJECT_SEQUENCE, ObjectType.OBJECT_SCHEMA, ObjectType.OBJECT_EXTENSION):
            it.skip(kind, "not part of the model")


def rename(it: Interpreter, node: ast.RenameStmt, kind: str) -> None:
    what = node.renameType
    if what == ObjectType.OBJECT_TABLE:
        key = it.qualify(node.relation)
        table = it.tables.pop(key, None)
        if table is not None:
            table.name = node.newname
            it.tables[(key[0], node.newname)] = table
            for other in it.schema.tables:
                for fk in other.foreign_keys:
                    if fk.ref_table == key[1] and (fk.ref_schema or other.schema) == key[0]:
                        fk.ref_table = node.newname
            return
    elif what == ObjectType.OBJECT_TABCONSTRAINT:
        table = it.tables.get(it.qualify(node.relation))
        if table is not None:
            for con in [table.primary_key, *table.uniques, *table.checks, *table.foreign_keys, *table.exclusions]:
                if con is not None and con.name == node.subname:
                    con.name = node.newname
            return
    elif what == ObjectType.OBJECT_INDEX:
        schema, name = it.qualify(node.relation)
        for table in it.schema.tables:
            for ix in table.indexes:
                if table.schema == schema and ix.name == name:
                    ix.name = node.newname
                    return
    it.skip(kind, "this rename is not applied to the model (columns keep their old names)")


def privileges(it: Interpreter, node, kind: str) -> None:
    """GRANT, REVOKE, roles, default privileges: not imported, each statement listed with what it names."""
    from pglast.stream import RawStream

    try:
        text = " ".join(RawStream()(node).split())
    except Exception:  # noqa: BLE001 - a statement pglast cannot print back: listed by its kind alone
        text = kind
    it.skip(kind.split()[0], f"{text[:300]}: roles and privileges are not imported")


_EXTENSION_IN_DO = re.compile(r'\bCREATE\s+EXTENSION\s+(?:IF\s+NOT\s+EXISTS\s+)?("(?:[^"]|"")+"|[\w$-]+)',
                              re.IGNORECASE)


def do_block(it: Interpreter, node: ast.DoStmt, kind: str) -> None:
    """DO is procedural code and not interpreted, but the extensions it creates (the usual
    ``IF NOT EXISTS (... pg_extension ...) THEN CREATE EXTENSION x``) are imported: objects later in the script
    use them. The block itself is reported as skipped."""
    body = next((d.arg.sval for d in node.args or () if d.defname == "as" and isinstance(d.arg, ast.String)), "")
    found = []
    for match in _EXTENSION_IN_DO.finditer(body):
        name = match.group(1)
        name = name[1:-1].replace('""', '"') if name.startswith('"') else name.lower()
        if name != "plpgsql" and name not in it.schema.extensions:
            it.schema.extensions.append(name)
        found.append(name)
    it.skip(kind, "procedural code (DO) is not interpreted" +
            (f"; the extension(s) it creates ({', '.join(found)}) are imported" if found else ""))


def define(it: Interpreter, node: ast.DefineStmt, kind: str) -> None:
    """CREATE AGGREGATE (old-style ``BASETYPE =`` ones and operators, base types, collations: reported)."""
    if node.kind != ObjectType.OBJECT_AGGREGATE or node.oldstyle or not node.args:
        it.skip(kind, "operators, base types and old-style aggregates are not part of the model", object_name(node))
        return
    from pglast.stream import RawStream

    schema, name = it.qualify_names(_names(node.defnames))
    params, direct = node.args
    arguments = aggregate_arguments(params, direct.ival if direct is not None else -1)
    options = ", ".join(f"{d.defname} = {RawStream()(d.arg)}" if d.arg is not None else d.defname
                        for d in node.definition or ())
    it.schema.aggregates.append(Aggregate(name=name, schema=schema, arguments=arguments, options=options,
                                          origin=_origin()))


def _origin():
    return imported("postgresql")


def _not_modelled(reason: str):
    return lambda it, node, kind: it.skip(kind, reason, object_name(node))


_NAME_FIELDS = ("rulename", "trigname", "servername", "pubname", "subname", "indexname", "idxname", "conname",
                "schemaname", "extname", "fdwname")


def object_name(node) -> str | None:
    """The name a statement the model does not hold gives its object (``r on public.t`` for a rule), if any."""
    name = next((v for f in _NAME_FIELDS if isinstance(v := getattr(node, f, None), str) and v), None)
    relation = getattr(node, "relation", None) or getattr(getattr(node, "base", None), "relation", None)
    if relation is not None and getattr(relation, "relname", None):
        qualified = ".".join(filter(None, (relation.schemaname, relation.relname)))
        return f"{name} on {qualified}" if name and name != getattr(node, "servername", None) else qualified
    if name is None:
        names = getattr(node, "defnames", None) or getattr(node, "funcname", None)
        if names:
            name = ".".join(getattr(n, "sval", "") for n in names)
    return name



HANDLERS = {
    "SelectStmt": select, "CreateSchemaStmt": create_schema, "CreateExtensionStmt": create_extension,
    "CreateEnumStmt": create_enum, "AlterEnumStmt": alter_enum, "CreateDomainStmt": create_domain,
    "AlterDomainStmt": alter_domain, "CreateSeqStmt": create_sequence, "AlterSeqStmt": alter_sequence,
    "ViewStmt": create_view, "CreateTableAsStmt": create_table_as, "CreateFunctionStmt": create_function,
    "CreateTrigStmt": create_trigger, "CreatePolicyStmt": create_policy, "CommentStmt": comment, "DropStmt": drop,
    "RenameStmt": rename, "GrantStmt": privileges, "GrantRoleStmt": privileges, "CreateRoleStmt": privileges,
    "AlterRoleStmt": privileges, "AlterDefaultPrivilegesStmt": privileges,
    "ClusterStmt": cluster,
    "RuleStmt": rule,
    "CreateForeignServerStmt": foreign_server,
    "CreateForeignTableStmt": foreign_table,
    "VacuumStmt": _not_modelled("maintenance, not schema"),
    "CreatedbStmt": _not_modelled("databases are not part of a schema"),
    "DropdbStmt": _not_modelled("databases are not part of a schema"),
    "DefineStmt": define,
    "CompositeTypeStmt": create_composite_type,
    "DoStmt": do_block,
}
