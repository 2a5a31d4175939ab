"""PostgreSQL DDL -> the canonical model, by interpreting pglast's parse tree statement by statement.

What PostgreSQL would make of the script is reproduced without a server: unquoted names folded to lower
case, serial columns expanded (integer + sequence + nextval default), primary keys made NOT NULL, and
unnamed constraints and indexes named as PostgreSQL names them (``<table>_pkey``, ``<table>_<cols>_key``,
``<table>_<col>_check``, ``<table>_<cols>_fkey``, ``<table>_<cols>_idx``, numbered on a clash). OWNER TO,
SET and set_config() are noise; rows (INSERT, COPY...) and anything the model cannot hold are listed as
skipped with their line, never dropped silently.
"""

from __future__ import annotations

from pglast import ast, parse_sql
from pglast.enums import ConstrType, SortByDir, SortByNulls

from schemawright.importers import postgres_objects as objects
from schemawright.importers.common import (
    ImportResult, Skipped, choose_name, imported, index_column_names, name_addition,
)
from schemawright.importers.normalize import Domain, domain_name
from schemawright.importers.script import Statement, is_data, merge_repeated, split_script
from schemawright.model.schema import (
    CheckConstraint, Column, ExclusionConstraint, ExclusionElement, Expression, FkAction, ForeignKey, Index, IndexElement,
    IndexMethod, Origin, Partitioning, PrimaryKey, Schema, Sequence, Table, UniqueConstraint,
)
from schemawright.model.types import DataType, Kind, UnknownTypeError, parse_type
from schemawright.spec.expressions import SafeLiteralStream

FK_ACTIONS = {"a": FkAction.NO_ACTION, "r": FkAction.RESTRICT, "c": FkAction.CASCADE, "n": FkAction.SET_NULL,
              "d": FkAction.SET_DEFAULT}
SERIALS = {"serial": Kind.INTEGER, "serial4": Kind.INTEGER, "bigserial": Kind.BIGINT, "serial8": Kind.BIGINT,
           "smallserial": Kind.SMALLINT, "serial2": Kind.SMALLINT}
_PARTITION = {"r": "range", "l": "list", "h": "hash"}
PARTITION_REASON = "partitions of {parent} are not part of the model (the parent keeps its partitioning)"
# pg_catalog type names the grammar produces -> the spelling parse_type knows
_BUILTIN = {"int2": "smallint", "int4": "integer", "int8": "bigint", "float4": "real", "float8": "double precision",
            "bool": "boolean", "bpchar": "char", "varchar": "varchar", "numeric": "numeric", "timestamp": "timestamp",
            "timestamptz": "timestamptz", "time": "time", "timetz": "timetz", "interval": "interval"}


def origin() -> Origin:
    return imported("postgresql")


def deparse(node) -> str:
    return SafeLiteralStream()(node)


def names_of(nodes) -> list[str]:
    return [n.sval for n in nodes or ()]


def import_postgres_sql(text: str, name: str = "<sql>") -> ImportResult:
    """Interpret a PostgreSQL DDL script (see the module doc)."""
    statements, skipped = split_script(text, name)
    interpreter = Interpreter()
    interpreter.skipped += skipped
    for statement in statements:
        interpreter.run(statement)
    return interpreter.finish()


_SEQUENCE_TYPE_OF = {Kind.SMALLINT: "smallint", Kind.INTEGER: "integer", Kind.BIGINT: "bigint"}
_SEQUENCE_RANGES = {"smallint": (-32768, 32767), "integer": (-2147483648, 2147483647),
                    "bigint": (-9223372036854775808, 9223372036854775807)}


# Statements of objects the model does not hold, by the kind inspect.unmodelled reports them as.
_UNMODELLED_KIND = {"RuleStmt": "rule", "CreateEventTrigStmt": "event trigger", "CreateForeignTableStmt": "foreign table",
                    "CreateStatsStmt": "statistics object", "CreateForeignServerStmt": "foreign server",
                    "CreatePublicationStmt": "publication", "CreateSubscriptionStmt": "subscription"}
class Interpreter:
    """The schema being built, with the catalog facts PostgreSQL would consult while running the script."""

    def __init__(self) -> None:
        self.schema = Schema()
        self.skipped: list[Skipped] = []
        self.search_schema = "public"
        self.tables: dict[tuple[str, str], Table] = {}
        self.relations: dict[str, set[str]] = {}  # schema -> names of tables, indexes, sequences, views
        self.constraints: dict[str, set[str]] = {}  # schema -> constraint names
        self.sequences: dict[tuple[str, str], tuple[str, str, str] | None] = {}  # -> owning (schema, table, column)
        self.sequence_options: dict[tuple[str, str], dict] = {}  # CREATE/ALTER SEQUENCE options as written
        self.sequence_comments: dict[tuple[str, str], str | None] = {}  # COMMENT ON SEQUENCE
        self.domains: dict[str, Domain] = {}
        self.partitions: set[tuple[str, str]] = set()
        self.attached_indexes: set[tuple[str, str]] = set()  # ALTER INDEX ... ATTACH PARTITION (the partitions')
        self.schemas: list[str] = []
        self.pending_fks: list[tuple[Table, ForeignKey, tuple[str, str]]] = []  # FKs to a primary key not yet seen
        self.line = 0

    # --- bookkeeping ----------------------------------------------------------------------------
    def skip(self, kind: str, reason: str, name: str | None = None) -> None:
        self.skipped.append(Skipped(kind, self.line, reason, name=name))

    def qualify(self, rangevar) -> tuple[str, str]:
        return (rangevar.schemaname or self.search_schema, rangevar.relname)

    def qualify_names(self, parts: list[str]) -> tuple[str, str]:
        return (parts[-2], parts[-1]) if len(parts) > 1 else (self.search_schema, parts[-1])

    def table(self, key: tuple[str, str], kind: str) -> Table | None:
        table = self.tables.get(key)
        if table is None and key not in self.partitions:
            self.skip(kind, f"table {'.'.join(key)} is not defined earlier in the script")
        return table

    def taken(self, schema: str) -> set[str]:
        return self.relations.setdefault(schema, set())

    def constraint_names(self, schema: str) -> set[str]:
        return self.constraints.setdefault(schema, set())

    # --- the statements -------------------------------------------------------------------------
    def run(self, statement: Statement) -> None:
        self.line = statement.line
        if is_data(statement):
            self.skip(statement.kind, "data, not schema")
            return
        try:
            nodes = parse_sql(statement.text)
        except Exception as exc:  # pglast's ParseError, with PostgreSQL's message
            self.skip(statement.kind, f"cannot be parsed: {str(exc).splitlines()[0]}")
            return
        for raw in nodes:
            self.statement(raw.stmt, statement.kind)

    def statement(self, node, kind: str) -> None:
        handler = HANDLERS.get(type(node).__name__) or objects.HANDLERS.get(type(node).__name__)
        if handler is None:
            from schemawright.inspect.unmodelled import why_not_modelled

            unmodelled = _UNMODELLED_KIND.get(type(node).__name__)
            self.skip(unmodelled or kind, why_not_modelled(unmodelled or "", "not part of the schema model"),
                      objects.object_name(node))
            return
        try:
            handler(self, node, kind)
        except UnknownTypeError as exc:
            self.skip(kind, f"unknown type {exc}")

    def finish(self) -> ImportResult:
        for table in self.schema.tables:  # what a partition gets from its parent is not its own
            parent = self.tables.get((table.schema, table.partition_of)) if table.partition_of else None
            if parent is None:
                continue
            if parent.primary_key is not None:
                table.primary_key = None
            attached = {name for schema, name in self.attached_indexes if schema == table.schema}
            table.indexes = [ix for ix in table.indexes if ix.name not in attached]
            table.uniques = [u for u in table.uniques if u.name not in attached]
        for table, fk, target in self.pending_fks:
            parent = self.tables.get(target)
            if parent is None or parent.primary_key is None:
                self.skipped.append(Skipped("FOREIGN KEY", None, f"{fk.name} on {table.name}: {'.'.join(target)} "
                                            "has no primary key to reference"))
                table.foreign_keys.remove(fk)
            else:
                fk.ref_columns = parent.primary_key.columns
        self.schema.domains = [d.model() for d in self.domains.values()]
        self.schema.sequences = [self._sequence(key, owner) for key, owner in self.sequences.items()]
        self.schema.schemas = sorted({t.schema for t in self.schema.tables} | set(self.schemas),
                                     key=lambda s: (s != "public", s))
        return ImportResult(self.schema, merge_repeated(self.skipped), "postgresql")

    def _sequence(self, key: tuple[str, str], owner: tuple[str, str, str] | None) -> Sequence:
        """The sequence as PostgreSQL would hold it: options not written take their defaults (by type and
        direction); a serial's is of its column's type."""
        options = dict(self.sequence_options.get(key, {}))
        owning = self.tables.get(owner[:2]) if owner else None
        column = owning.column(owner[2]) if owning is not None else None
        if "data_type" not in options and key not in self.sequence_options and column is not None:
            options["data_type"] = _SEQUENCE_TYPE_OF.get(column.type.kind, "bigint")  # a serial
        data_type = options.get("data_type") or "bigint"
        low, high = _SEQUENCE_RANGES[data_type]
        increment = options.get("increment") or 1
        min_value = options.get("minvalue")
        max_value = options.get("maxvalue")
        min_value = min_value if min_value is not None else (1 if increment > 0 else low)
        max_value = max_value if max_value is not None else (high if increment > 0 else -1)
        start = options.get("start")
        start = start if start is not None else (min_value if increment > 0 else max_value)
        owned_by = f"{owner[1]}.{owner[2]}" if owner and owner[0] == key[0] else None
        return Sequence(name=key[1], schema=key[0], data_type=data_type, start=start, increment=increment,
                        min_value=min_value, max_value=max_value, cache=options.get("cache") or 1,
                        cycle=bool(options.get("cycle")), owned_by=owned_by,
                        comment=self.sequence_comments.get(key), origin=origin())

    # --- types and columns ----------------------------------------------------------------------
    def data_type(self, type_name: ast.TypeName, table_schema: str) -> DataType:
        """A column type as the catalog would report it (enums by name, domains by format_type name)."""
        parts = names_of(type_name.names)
        if type_name.pct_type or type_name.setof:
            raise UnknownTypeError(deparse(type_name))
        dims = len(type_name.arrayBounds or ())
        base = parts[-1]
        schema = parts[-2] if len(parts) > 1 else None
        mods = [m.val.ival for m in type_name.typmods or () if isinstance(m, ast.A_Const)
                and isinstance(m.val, ast.Integer)]
        owner = schema or self.search_schema
        if schema != "pg_catalog":
            if any(e.name == base and e.schema == owner for e in self.schema.enums):
                if owner == table_schema:
                    return DataType(Kind.ENUM, name=base, array_dims=dims)
                return DataType(Kind.OTHER, name=domain_name(owner, base) + "[]" * dims)
            if domain_name(owner, base) in self.domains and not dims:
                return DataType(Kind.OTHER, name=domain_name(owner, base))
        if schema in (None, "pg_catalog") and len(mods) == len(type_name.typmods or ()) \
                and not (base == "interval" and mods):  # interval typmods are a field mask, not a precision
            text = _BUILTIN.get(base, base) if mods or base != "bpchar" else "bpchar"
            try:
                return parse_type(text + (f"({','.join(map(str, mods))})" if mods else "") + "[]" * dims)
            except UnknownTypeError:
                pass
        return self._other(type_name)

    @staticmethod
    def _other(type_name: ast.TypeName) -> DataType:
        parts = names_of(type_name.names)
        if parts[0] in ("public", "pg_catalog") and len(parts) > 1:
            type_name.names = type_name.names[1:]
        return DataType(Kind.OTHER, name=deparse(type_name))

    def column(self, table: Table, node: ast.ColumnDef, deferred: list) -> Column:
        """A column and what its constraints say; named constraints are queued in ``deferred``."""
        parts = names_of(node.typeName.names)
        serial = SERIALS.get(parts[0]) if len(parts) == 1 and not node.typeName.arrayBounds else None
        if serial:
            column = Column(name=node.colname, type=DataType(serial), nullable=False, origin=origin())
            seq = choose_name(table.name, node.colname, "seq", self.taken(table.schema))
            self.taken(table.schema).add(seq)
            self.sequences[(table.schema, seq)] = (table.schema, table.name, node.colname)
            qualified = seq if table.schema == "public" else f"{table.schema}.{seq}"
            column.default = Expression(f"nextval('{qualified}'::regclass)")
        else:
            column = Column(name=node.colname, type=self.data_type(node.typeName, table.schema), origin=origin())
        previous = None
        for con in node.constraints or ():
            kind = con.contype
            if kind == ConstrType.CONSTR_NOTNULL:
                column.nullable = False
            elif kind == ConstrType.CONSTR_NULL:
                column.nullable = True
            elif kind == ConstrType.CONSTR_DEFAULT:
                column.default = self.default(con.raw_expr, table.schema)
            elif kind == ConstrType.CONSTR_IDENTITY:
                column.identity = "always" if con.generated_when == "a" else "by default"
                column.nullable = False
                column.identity_sequence = _identity_sequence(self, table, column, con.options)
                column.identity_options = _identity_options(column, con.options)
            elif kind == ConstrType.CONSTR_GENERATED:
                column.generated = Expression(deparse(con.raw_expr))
                column.virtual = getattr(con, "generated_kind", "s") == "v"
            elif kind in (ConstrType.CONSTR_ATTR_DEFERRABLE, ConstrType.CONSTR_ATTR_DEFERRED):
                if previous is not None:
                    previous.deferrable = True
                    previous.initdeferred = previous.initdeferred or kind == ConstrType.CONSTR_ATTR_DEFERRED
            elif kind in (ConstrType.CONSTR_ATTR_NOT_DEFERRABLE, ConstrType.CONSTR_ATTR_IMMEDIATE):
                pass
            else:
                if kind in (ConstrType.CONSTR_PRIMARY, ConstrType.CONSTR_UNIQUE):
                    con.keys = (ast.String(sval=node.colname),)
                elif kind == ConstrType.CONSTR_FOREIGN:
                    con.fk_attrs = (ast.String(sval=node.colname),)
                deferred.append(con)
                previous = con
        if node.collClause is not None:
            collation = [n.sval for n in node.collClause.collname]
            if len(collation) > 1 and collation[0] != "pg_catalog":
                self.skip("COLLATE", f"the collation of {table.name}.{column.name} is in schema {collation[0]}: "
                          "only built-in collations are part of the model")
            elif collation[-1] != "default":
                column.collation = collation[-1]
        return column

    def default(self, expr, table_schema: str) -> Expression:
        """A column default; a ``nextval('public.seq')`` is written as the catalog shows it."""
        text = deparse(expr)
        if "nextval" in text:
            text = text.replace("'public.", "'")
        return Expression(text)

    # --- constraints and indexes ----------------------------------------------------------------
    def constraint(self, table: Table, con: ast.Constraint, others: set[str]) -> None:
        kind = con.contype
        schema_names = self.constraint_names(table.schema)
        if kind == ConstrType.CONSTR_CHECK:
            expr = Expression(deparse(con.raw_expr))
            columns = objects.column_refs(con.raw_expr)
            name = con.conname or choose_name(table.name, columns[0] if len(columns) == 1 else None, "check",
                                              schema_names | others)
            table.checks.append(CheckConstraint(name=name, expression=expr, columns=tuple(columns), origin=origin(),
                                                no_inherit=bool(con.is_no_inherit)))
        elif kind in (ConstrType.CONSTR_PRIMARY, ConstrType.CONSTR_UNIQUE):
            if con.indexname:
                self._constraint_from_index(table, con)
                return
            columns = tuple(names_of(con.keys))
            include = names_of(con.including)
            primary = kind == ConstrType.CONSTR_PRIMARY
            taken = self.taken(table.schema) | schema_names | others
            name = con.conname or (choose_name(table.name, None, "pkey", taken) if primary
                                   else choose_name(table.name, name_addition([*columns, *include]), "key", taken))
            self.taken(table.schema).add(name)
            if include:
                self.skip("constraint option", f"{name}: INCLUDE on a key is not part of the model")
            deferral = {"deferrable": bool(con.deferrable), "initially_deferred": bool(con.initdeferred)}
            if primary:
                table.primary_key = PrimaryKey(name=name, columns=columns, origin=origin(), **deferral)
                for col in columns:
                    if (c := table.column(col)) is not None:
                        c.nullable = False
            else:
                table.uniques.append(UniqueConstraint(name=name, columns=columns, origin=origin(),
                                                      nulls_not_distinct=con.nulls_not_distinct, **deferral))
        elif kind == ConstrType.CONSTR_FOREIGN:
            self._foreign_key(table, con, schema_names | others)
        elif kind == ConstrType.CONSTR_NOTNULL:
            for col in names_of(con.keys):
                if (c := table.column(col)) is not None:
                    c.nullable = False
            return
        elif kind == ConstrType.CONSTR_EXCLUSION and not con.including and not con.options and not any(
                e.opclass or e.ordering != SortByDir.SORTBY_DEFAULT
                or e.nulls_ordering != SortByNulls.SORTBY_NULLS_DEFAULT for e, _ in con.exclusions):
            elements = tuple(ExclusionElement(operator=".".join(names_of(ops)), column=e.name,
                                              expression=Expression(deparse(e.expr)) if e.expr is not None else None)
                             for e, ops in con.exclusions)
            name = con.conname or choose_name(table.name, name_addition(
                [e.name or figure_name(e.expr) or "expr" for e, _ in con.exclusions]), "excl",
                self.taken(table.schema) | schema_names | others)
            self.taken(table.schema).add(name)
            table.exclusions.append(ExclusionConstraint(
                name=name, elements=elements, method=con.access_method or "gist",
                where=Expression(deparse(con.where_clause)) if con.where_clause is not None else None,
                deferrable=bool(con.deferrable), initially_deferred=bool(con.initdeferred), origin=origin()))
        else:
            self.skip(f"{str(kind.name).removeprefix('CONSTR_')} constraint",
                      f"{con.conname or 'unnamed'} on {table.name}: not part of the model")
            return
        added = (table.checks[-1].name if kind == ConstrType.CONSTR_CHECK else
                 table.foreign_keys[-1].name if kind == ConstrType.CONSTR_FOREIGN else
                 table.exclusions[-1].name if kind == ConstrType.CONSTR_EXCLUSION else
                 table.primary_key.name if kind == ConstrType.CONSTR_PRIMARY else table.uniques[-1].name)
        schema_names.add(added)
        others.add(added)

    def _foreign_key(self, table: Table, con: ast.Constraint, taken: set[str]) -> None:
        columns = tuple(names_of(con.fk_attrs))
        target = self.qualify(con.pktable)
        name = con.conname or choose_name(table.name, name_addition(columns), "fkey", taken)
        if con.fk_del_set_cols:
            self.skip("FOREIGN KEY", f"{name}: ON DELETE SET NULL (columns) is not part of the model")
        fk = ForeignKey(name=name, columns=columns, ref_table=target[1], ref_columns=tuple(names_of(con.pk_attrs)),
                        ref_schema=target[0] if target[0] != table.schema else None,
                        on_delete=FK_ACTIONS.get(con.fk_del_action, FkAction.NO_ACTION),
                        on_update=FK_ACTIONS.get(con.fk_upd_action, FkAction.NO_ACTION),
                        deferrable=bool(con.deferrable), initially_deferred=bool(con.initdeferred),
                        match_full=con.fk_matchtype == "f", origin=origin())
        table.foreign_keys.append(fk)
        if not fk.ref_columns:
            self.pending_fks.append((table, fk, target))

    def _constraint_from_index(self, table: Table, con: ast.Constraint) -> None:
        """ADD CONSTRAINT ... PRIMARY KEY / UNIQUE USING INDEX: the index becomes the constraint."""
        index = next((ix for ix in table.indexes if ix.name == con.indexname), None)
        if index is None:
            self.skip("ALTER TABLE", f"USING INDEX {con.indexname}: no such index on {table.name}")
            return
        table.indexes.remove(index)
        name = con.conname or index.name
        if con.contype == ConstrType.CONSTR_PRIMARY:  # the index, renamed as the key, keeps its comment
            table.primary_key = PrimaryKey(name=name, columns=index.columns, origin=origin(),
                                           index_comment=index.comment)
        else:
            table.uniques.append(UniqueConstraint(name=name, columns=index.columns, origin=origin(),
                                                  nulls_not_distinct=index.nulls_not_distinct,
                                                  index_comment=index.comment))
        self.constraint_names(table.schema).add(name)

    def index(self, node: ast.IndexStmt, kind: str) -> None:
        key = self.qualify(node.relation)
        if key in self.partitions:
            return  # indexes of partitions are the partitions' business
        table = self.tables.get(key) or next(  # a table, or a materialized view (View.indexes)
            (v for v in self.schema.views if (v.schema, v.name) == key and v.materialized), None)
        if table is None:
            self.skip(kind, f"{'.'.join(key)} is not a table or materialized view defined earlier")
            return
        try:
            method = IndexMethod(node.accessMethod or "btree")
        except ValueError:
            self.skip(kind, f"{node.idxname or 'index'} on {table.name}: access method {node.accessMethod} is not "
                      "part of the model")
            return
        elements = tuple(self.index_element(e, f"{node.idxname or 'an index'} on {table.name}", table)
                         for e in node.indexParams)
        include = tuple(e.name for e in node.indexIncludingParams or ())
        if node.idxname:
            name = node.idxname
            if node.if_not_exists and name in self.taken(table.schema):
                return
        else:
            columns = index_column_names([e.indexcolname or e.name or figure_name(e.expr) for e in node.indexParams]
                                         + list(include))
            name = choose_name(table.name, name_addition(columns), "idx", self.taken(table.schema))
        self.taken(table.schema).add(name)
        table.indexes.append(Index(name=name, elements=elements, unique=node.unique, method=method,
                                   where=Expression(deparse(node.whereClause)) if node.whereClause else None,
                                   include=include, nulls_not_distinct=node.nulls_not_distinct, origin=origin(),
                                   storage=tuple(_storage_parameter(o) for o in node.options or ())))

    def index_element(self, e: ast.IndexElem, index: str, table) -> IndexElement:
        opclass = names_of(e.opclass)
        nulls = e.nulls_ordering
        expr, collation = e.expr, names_of(e.collation)
        if isinstance(expr, ast.CollateClause) and not collation:  # (x COLLATE y) is x COLLATE y, as PostgreSQL has it
            expr, collation = expr.arg, names_of(expr.collname)
        if len(collation) > 1 and collation[0] != "pg_catalog":
            self.skip("COLLATE", f"the collation of a key of {index} is in schema {collation[0]}: only built-in "
                      "collations are part of the model")
            collation = []
        column = e.name
        if isinstance(expr, ast.ColumnRef) and len(expr.fields) == 1 and isinstance(expr.fields[0], ast.String):
            column, expr = expr.fields[0].sval, None  # a parenthesized column is the column
        own = None  # a column key's own collation: naming it again is no COLLATE of the key (as the catalog has it)
        if column is not None and expr is None:
            col = next((c for c in getattr(table, "columns", ()) if c.name == column), None)
            own = (getattr(col, "collation", None) or "default") if col is not None else "default"
        return IndexElement(
            column=column, expression=Expression(deparse(expr)) if expr is not None else None,
            descending=e.ordering == SortByDir.SORTBY_DESC,
            nulls_first=None if nulls == SortByNulls.SORTBY_NULLS_DEFAULT else nulls == SortByNulls.SORTBY_NULLS_FIRST,
            opclass=opclass[-1] if opclass else None,
            collation=collation[-1] if collation and collation[-1] != own else None)


def figure_name(node) -> str | None:
    """PostgreSQL's FigureIndexColname: the name an expression key lends to a generated index name."""
    return _figure(node)[0]


def _figure(node) -> tuple[str | None, int]:
    """(name, strength) as in FigureColnameInternal: 2 for a real name, 1 for a fallback, 0 for none."""
    if isinstance(node, ast.ColumnRef) and isinstance(node.fields[-1], ast.String):
        return node.fields[-1].sval, 2
    if isinstance(node, ast.FuncCall):
        return node.funcname[-1].sval, 2
    if isinstance(node, ast.TypeCast):
        name, strength = _figure(node.arg)
        return (name, strength) if strength > 1 else (node.typeName.names[-1].sval, 1)
    if isinstance(node, ast.A_Expr) and node.kind.name == "AEXPR_NULLIF":
        return "nullif", 2
    simple = {ast.CaseExpr: ("case", 1), ast.A_ArrayExpr: ("array", 2), ast.CoalesceExpr: ("coalesce", 2)}
    if type(node) in simple:
        return simple[type(node)]
    if isinstance(node, ast.MinMaxExpr):
        return ("greatest" if node.op.name == "IS_GREATEST" else "least"), 2
    return None, 0


# --- CREATE TABLE / ALTER TABLE ---------------------------------------------------------------------

def create_table(it: Interpreter, node: ast.CreateStmt, kind: str) -> None:
    key = it.qualify(node.relation)
    if node.relation.relpersistence == "t":
        it.skip(kind, f"temporary table {key[1]}: not part of a schema")
        return
    if key in it.tables:
        if not node.if_not_exists:
            it.skip(kind, f"table {'.'.join(key)} is defined twice (the first definition is kept)")
        return
    if node.partbound is not None:
        parent = it.tables.get(it.qualify(node.inhRelations[0]))
        if parent is None or parent.schema != key[0] or node.tableElts or node.partspec is not None:
            it.partitions.add(key)
            it.taken(key[0]).add(key[1])
            it.skip("partition", PARTITION_REASON.format(parent=node.inhRelations[0].relname) +
                    ": only a partition of a table of its own schema, without constraints or partitions of its "
                    "own, is", name=".".join(key))
            return
        from pglast.stream import RawStream

        table = Table(name=key[1], schema=key[0], origin=origin(), unlogged=node.relation.relpersistence == "u",
                      partition_of=parent.name, partition_bound=RawStream()(node.partbound),
                      columns=[Column(name=c.name, type=c.type, nullable=c.nullable, default=c.default,
                                      generated=c.generated, virtual=c.virtual, origin=origin())
                               for c in parent.columns])
        it.tables[key] = table
        it.taken(key[0]).add(key[1])
        it.schema.tables.append(table)
        return
    table = Table(name=key[1], schema=key[0], origin=origin(), unlogged=node.relation.relpersistence == "u")
    for parent_var in node.inhRelations or ():
        _inherit(it, table, parent_var)
    if node.ofTypename is not None:
        it.skip(kind, f"{table.name}: typed tables (OF type) are not part of the model")
    deferred: list[ast.Constraint] = []
    for element in node.tableElts or ():
        if isinstance(element, ast.ColumnDef):
            table.columns.append(it.column(table, element, deferred))
        elif isinstance(element, ast.Constraint):
            deferred.append(element)
        elif isinstance(element, ast.TableLikeClause):
            _like(it, table, element)
    if node.partspec is not None:
        params = node.partspec.partParams
        table.partitioning = Partitioning(
            strategy=_PARTITION[str(node.partspec.strategy.value)],
            columns=tuple(p.name if p.name is not None else deparse(p.expr) for p in params), origin=origin())
    it.tables[key] = table
    it.taken(key[0]).add(key[1])
    it.schema.tables.append(table)
    _add_constraints(it, table, deferred)


def _add_constraints(it: Interpreter, table: Table, constraints: list[ast.Constraint]) -> None:
    """Checks first, then keys, then foreign keys: the order in which PostgreSQL names them. Keys over the
    same columns in one statement make one index, as in PostgreSQL (the primary key wins)."""
    others = {c.conname for c in constraints if c.conname}
    order = {ConstrType.CONSTR_CHECK: 0, ConstrType.CONSTR_PRIMARY: 1, ConstrType.CONSTR_UNIQUE: 1}
    keys: list[ast.Constraint] = []
    for con in sorted(constraints, key=lambda c: order.get(c.contype, 2)):
        if con.contype in (ConstrType.CONSTR_PRIMARY, ConstrType.CONSTR_UNIQUE) and not con.indexname:
            same = next((k for k in keys if names_of(k.keys) == names_of(con.keys)
                         and names_of(k.including) == names_of(con.including)
                         and bool(k.nulls_not_distinct) == bool(con.nulls_not_distinct)), None)
            if same is not None:
                if con.contype == ConstrType.CONSTR_PRIMARY:  # the unique seen first becomes the primary key
                    table.uniques = [u for u in table.uniques if u.columns != tuple(names_of(con.keys))]
                    it.constraint(table, con, others)
                continue
            keys.append(con)
        it.constraint(table, con, others)


def _inherit(it: Interpreter, table: Table, parent_var) -> None:
    """INHERITS: the parent's columns (with NOT NULL and defaults) and inheritable checks come first."""
    parent = it.tables.get(it.qualify(parent_var))
    if parent is None:
        it.skip("INHERITS", f"{table.name}: parent {parent_var.relname} is not a table defined earlier")
        return
    if parent.schema != table.schema:
        it.skip("INHERITS", f"{table.name}: inheritance from {parent.schema}.{parent.name}, of another schema, is not "
                "part of the model (its columns and checks are copied)")
    else:
        table.inherits += (parent.name,)
    for c in parent.columns:
        if table.column(c.name) is None:
            table.columns.append(Column(name=c.name, type=c.type, nullable=c.nullable, default=c.default,
                                        origin=origin()))
    table.checks += [CheckConstraint(name=c.name, expression=c.expression, columns=c.columns, origin=origin())
                     for c in parent.checks if not c.no_inherit]


def _like(it: Interpreter, table: Table, clause: ast.TableLikeClause) -> None:
    source = it.tables.get(it.qualify(clause.relation))
    if source is None:
        it.skip("LIKE", f"{table.name}: LIKE {clause.relation.relname}: not a table defined earlier")
        return
    with_defaults = bool(clause.options & 2)  # CREATE_TABLE_LIKE_DEFAULTS (all: 0x7FFFFFFF)
    for c in source.columns:
        table.columns.append(Column(name=c.name, type=c.type, nullable=c.nullable, origin=origin(),
                                    default=c.default if with_defaults else None))
    if clause.options & ~2:
        it.skip("LIKE", f"{table.name}: only the columns (and defaults) of {source.name} are copied")


def alter_table(it: Interpreter, node: ast.AlterTableStmt, kind: str) -> None:
    if getattr(node.objtype, "name", "") == "OBJECT_INDEX" and all(
            c.subtype.name == "AT_AttachPartition" for c in node.cmds):
        for cmd in node.cmds:  # a partition's index under its parent's: PostgreSQL makes it for the partition
            it.attached_indexes.add(it.qualify(cmd.def_.name))
        return
    key = it.qualify(node.relation)
    if key in it.partitions:
        return
    table = it.tables.get(key)
    for cmd in node.cmds:
        sub = cmd.subtype.name.removeprefix("AT_")
        if sub in _NOISE:
            continue
        if table is None:
            if key in it.sequences or sub == "ChangeOwner":
                continue
            it.skip(kind, f"{'.'.join(key)} is not a table defined earlier")
            return
        handler = _ALTER.get(sub)
        if handler is None:
            it.skip(kind, f"ALTER TABLE {table.name} {sub}: not part of the model")
        else:
            handler(it, table, cmd)


def _column_of(it: Interpreter, table: Table, cmd) -> Column | None:
    column = table.column(cmd.name)
    if column is None:
        it.skip("ALTER TABLE", f"{table.name} has no column {cmd.name}")
    return column


def _set_default(it: Interpreter, table: Table, cmd) -> None:
    if (column := _column_of(it, table, cmd)) is not None:
        column.default = it.default(cmd.def_, table.schema) if cmd.def_ is not None else None


def _set_not_null(it: Interpreter, table: Table, cmd) -> None:
    if (column := _column_of(it, table, cmd)) is not None:
        column.nullable = cmd.subtype.name == "AT_DropNotNull"


def _add_column(it: Interpreter, table: Table, cmd) -> None:
    if table.column(cmd.def_.colname) is not None:
        if not cmd.missing_ok:
            it.skip("ALTER TABLE", f"{table.name}.{cmd.def_.colname} already exists")
        return
    deferred: list[ast.Constraint] = []
    table.columns.append(it.column(table, cmd.def_, deferred))
    _add_constraints(it, table, deferred)


def _drop_column(it: Interpreter, table: Table, cmd) -> None:
    table.columns = [c for c in table.columns if c.name != cmd.name]
    table.checks = [c for c in table.checks if cmd.name not in c.columns]
    table.uniques = [u for u in table.uniques if cmd.name not in u.columns]
    table.foreign_keys = [f for f in table.foreign_keys if cmd.name not in f.columns]
    table.indexes = [i for i in table.indexes if cmd.name not in i.columns and cmd.name not in i.include]


def _alter_type(it: Interpreter, table: Table, cmd) -> None:
    if (column := _column_of(it, table, cmd)) is not None:
        column.type = it.data_type(cmd.def_.typeName, table.schema)


def _add_identity(it: Interpreter, table: Table, cmd) -> None:
    if (column := _column_of(it, table, cmd)) is not None:
        column.identity = "always" if cmd.def_.generated_when == "a" else "by default"
        column.nullable, column.default = False, None
        column.identity_sequence = _identity_sequence(it, table, column, cmd.def_.options)
        column.identity_options = _identity_options(column, cmd.def_.options)


def _identity_sequence(it: Interpreter, table: Table, column: Column, options) -> str | None:
    """SEQUENCE NAME of an identity column, when it is not the name PostgreSQL would choose."""
    for option in options or ():
        if option.defname == "sequence_name":
            schema, name = it.qualify_names(names_of(option.arg))
            if (schema, name) != (table.schema, f"{table.name}_{column.name}_seq"):
                return f"{schema}.{name}"
    return None


_IDENTITY_MAX = {Kind.SMALLINT: 32767, Kind.INTEGER: 2147483647}


def _identity_options(column: Column, options) -> str | None:
    """An identity's sequence options (START WITH, INCREMENT BY...) as the catalog reader spells them: all of
    them when one differs from PostgreSQL's default for the column's type, else None."""
    given = {}
    for option in options or ():
        if option.defname in ("start", "increment", "minvalue", "maxvalue", "cache"):
            given[option.defname] = None if option.arg is None else int(getattr(option.arg, "ival", None)
                                                                         or option.arg.fval)
        elif option.defname == "cycle":
            given["cycle"] = bool(option.arg.boolval) if option.arg is not None else True
    top = _IDENTITY_MAX.get(column.type.kind, 9223372036854775807)
    increment = given.get("increment") or 1
    low = given.get("minvalue") if given.get("minvalue") is not None else (1 if increment > 0 else -top - 1)
    high = given.get("maxvalue") if given.get("maxvalue") is not None else (top if increment > 0 else -1)
    start = given.get("start") if given.get("start") is not None else (low if increment > 0 else high)
    cache, cycle = given.get("cache") or 1, bool(given.get("cycle"))
    if start == (low if increment > 0 else high) and increment == 1 and cache == 1 and not cycle and low == 1 \
            and high == top:
        return None
    return (f"START WITH {start} INCREMENT BY {increment} MINVALUE {low} MAXVALUE {high} CACHE {cache} "
            f"{'CYCLE' if cycle else 'NO CYCLE'}")


def _drop_constraint(it: Interpreter, table: Table, cmd) -> None:
    name = cmd.name
    if table.primary_key is not None and table.primary_key.name == name:
        table.primary_key = None
    table.uniques = [u for u in table.uniques if u.name != name]
    table.checks = [c for c in table.checks if c.name != name]
    table.foreign_keys = [f for f in table.foreign_keys if f.name != name]
    table.exclusions = [x for x in table.exclusions if x.name != name]
    it.constraint_names(table.schema).discard(name)


def _attach_partition(it: Interpreter, table: Table, cmd) -> None:
    """ATTACH PARTITION (pg_dump's way): the child becomes a partition; the key and indexes PostgreSQL gives it
    from the parent are dropped from the model at the end (``finish``)."""
    from pglast.stream import RawStream

    key = it.qualify(cmd.def_.name)
    child = it.tables.get(key)
    if child is None or child.schema != table.schema or table.partitioning is None:
        if child is not None:
            it.tables.pop(key)
            it.schema.tables.remove(child)
        it.partitions.add(key)
        it.skip("partition", PARTITION_REASON.format(parent=table.name) + ": only a partition of a table of its own "
                "schema is", name=".".join(key))
        return
    child.partition_of, child.partition_bound = table.name, RawStream()(cmd.def_.bound)


def _rls(it: Interpreter, table: Table, cmd) -> None:
    if cmd.subtype.name == "AT_EnableRowSecurity":
        table.rls_enabled = True
    elif cmd.subtype.name == "AT_DisableRowSecurity":
        table.rls_enabled = False
    else:
        table.rls_forced = cmd.subtype.name == "AT_ForceRowSecurity"


_NOISE = frozenset({"ChangeOwner", "SetStatistics", "SetStorage", "SetCompression",
                    "ReplicaIdentity", "ValidateConstraint", "SetRelOptions", "ResetRelOptions", "SetIdentity",
                    "SetOptions", "ResetOptions", "SetTableSpace", "SetLogged", "SetUnLogged", "SetAccessMethod"})
_ALTER = {
    "AddConstraint": lambda it, t, cmd: _add_constraints(it, t, [cmd.def_]),
    "ColumnDefault": _set_default, "DropNotNull": _set_not_null, "SetNotNull": _set_not_null,
    "AddColumn": _add_column, "DropColumn": _drop_column, "AlterColumnType": _alter_type,
    "AddIdentity": _add_identity, "DropConstraint": _drop_constraint, "AttachPartition": _attach_partition,
    "EnableRowSecurity": _rls, "DisableRowSecurity": _rls, "ForceRowSecurity": _rls, "NoForceRowSecurity": _rls,
    "DropIdentity": lambda it, t, cmd: setattr(t.column(cmd.name), "identity", None) if t.column(cmd.name) else None,
    "ClusterOn": lambda it, t, cmd: setattr(t, "cluster_on", cmd.name),
    "DropCluster": lambda it, t, cmd: setattr(t, "cluster_on", None),
}


def _storage_parameter(option: ast.DefElem) -> str:
    """``WITH (fillfactor = 70)`` -> ``fillfactor=70``, as pg_class.reloptions keeps it."""
    arg = option.arg
    value = getattr(arg, "sval", None)
    if value is None:
        value = getattr(arg, "ival", None)
    if value is None:
        value = getattr(arg, "fval", None)
    if value is None and hasattr(arg, "boolval"):
        value = "true" if arg.boolval else "false"
    return f"{option.defname}={value}"


def create_index(it: Interpreter, node: ast.IndexStmt, kind: str) -> None:
    it.index(node, kind)


def ignore(it: Interpreter, node, kind: str) -> None:
    """Statements that change nothing in the model (SET, BEGIN/COMMIT, OWNER TO...)."""


HANDLERS = {
    "CreateStmt": create_table, "AlterTableStmt": alter_table, "IndexStmt": create_index,
    "VariableSetStmt": lambda it, node, kind: objects.set_search_path(it, node),
    "TransactionStmt": ignore, "AlterOwnerStmt": ignore, "CheckPointStmt": ignore,
}

