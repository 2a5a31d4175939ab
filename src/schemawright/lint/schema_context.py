"""What a schema rule sees: the model, the catalog facts and activity (when there is a database), the
settings, and helpers for paths, SQL names, grants and index coverage."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from schemawright.findings import Location
from schemawright.lint.live import Activity, Catalog, FunctionFacts, RelationFacts
from schemawright.lint.schema_settings import SchemaSettings
from schemawright.lint.schema_sources import Anchors
from schemawright.model.names import quote_ident
from schemawright.model.schema import Function, IndexMethod, Policy, Schema, Table


@dataclass(frozen=True)
class IndexKeys:
    """A btree-usable key list on a table: an index, or the index behind a PK/unique constraint."""

    name: str
    columns: tuple[str, ...]  # expression keys appear as their text
    kind: str  # "primary key", "unique", "index"
    method: str = "btree"
    partial: bool = False
    unique: bool = False


@dataclass
class SchemaContext:
    schema: Schema
    settings: SchemaSettings = field(default_factory=SchemaSettings)
    catalog: Catalog | None = None
    activity: Activity | None = None  # live targets only
    anchors: Anchors | None = None

    @property
    def live(self) -> bool:
        return self.activity is not None

    # --- paths and SQL names ---------------------------------------------------------------------

    def locate(self, at: str | None = None) -> Location:
        anchor = self.anchors.find(at) if self.anchors else None
        if anchor is None:
            return Location(object=at)
        loc = anchor.location
        return Location(loc.file, loc.line, loc.column, loc.end_line, loc.end_column, object=at)

    @staticmethod
    def path(schema: str, *names: str) -> str:
        return ".".join((schema, *names))

    @staticmethod
    def table_path(table: Table, *member: str) -> str:
        return ".".join((table.schema, table.name, *member))

    @staticmethod
    def sql_name(schema: str, name: str) -> str:
        """``schema.name`` quoted for SQL."""
        return f"{quote_ident(schema)}.{quote_ident(name)}"

    def table_sql(self, table: Table) -> str:
        return self.sql_name(table.schema, table.name)

    def function_path(self, function: Function) -> str:
        base = self.path(function.schema, function.name)
        return f"{base}({function.arguments})" if self._overloaded[(function.schema, function.name)] > 1 else base

    @cached_property
    def _overloaded(self) -> dict[tuple[str, str], int]:
        counts: dict[tuple[str, str], int] = defaultdict(int)
        for f in self.schema.functions:
            counts[(f.schema, f.name)] += 1
        return counts

    # --- lookups ---------------------------------------------------------------------------------

    @cached_property
    def _tables(self) -> dict[tuple[str, str], Table]:
        return {(t.schema, t.name): t for t in self.schema.tables}

    def table(self, schema: str, name: str) -> Table | None:
        return self._tables.get((schema, name))

    @cached_property
    def _policies(self) -> dict[tuple[str, str], list[Policy]]:
        found: dict[tuple[str, str], list[Policy]] = defaultdict(list)
        for p in self.schema.policies:
            found[(p.schema, p.table)].append(p)
        return found

    def policies_of(self, table: Table) -> list[Policy]:
        return self._policies.get((table.schema, table.name), [])

    def function_facts(self, function: Function) -> FunctionFacts | None:
        if self.catalog is None:
            return None
        return self.catalog.functions.get((function.schema, function.name, function.arguments))

    def relation_facts(self, schema: str, name: str) -> RelationFacts | None:
        return self.catalog.relations.get((schema, name)) if self.catalog else None

    @cached_property
    def exposed_roles(self) -> tuple[str, ...]:
        """PUBLIC and the configured API roles (those that exist, when there is a catalog)."""
        roles = self.settings.exposed_roles
        if self.catalog is not None:
            roles = tuple(r for r in roles if r in self.catalog.roles)
        return ("PUBLIC", *roles)

    @cached_property
    def _grants(self) -> dict[tuple[str, str, str], set[tuple[str, str]]]:
        """(schema, object type, name) -> {(grantee, privilege)} from the model."""
        found: dict[tuple[str, str, str], set[tuple[str, str]]] = defaultdict(set)
        for g in self.schema.grants:
            kind = "table" if g.object_type in ("table", "view") else g.object_type
            for privilege in g.privileges:
                found[(g.schema, kind, g.object_name)].add((g.grantee, privilege.upper()))
        return found

    def readers(self, schema: str, name: str) -> tuple[str, ...]:
        """The exposed roles (PUBLIC included) that may SELECT from a table or view."""
        facts = self.relation_facts(schema, name)
        if facts is not None:
            return (("PUBLIC",) if facts.public_select else ()) + tuple(
                r for r in facts.readable_by if r in self.exposed_roles)
        granted = self._grants.get((schema, "table", name), set())
        return tuple(r for r in self.exposed_roles if (r, "SELECT") in granted)

    def executors(self, function: Function) -> tuple[str, ...]:
        """The exposed roles (PUBLIC included) that may execute a function."""
        facts = self.function_facts(function)
        if facts is not None:
            return (("PUBLIC",) if facts.public_execute else ()) + facts.executable_by
        granted = self._grants.get((function.schema, "function", function.name), set())
        return tuple(r for r in self.exposed_roles if (r, "EXECUTE") in granted)

    # --- indexes ---------------------------------------------------------------------------------

    def index_keys(self, table: Table) -> list[IndexKeys]:
        """Every index of the table, constraint-backed ones included, as key lists."""
        keys = []
        if table.primary_key:
            keys.append(IndexKeys(table.primary_key.name, table.primary_key.columns, "primary key", unique=True))
        keys += [IndexKeys(u.name, u.columns, "unique", unique=True) for u in table.uniques]
        keys += [IndexKeys(i.name, i.columns, "index", str(i.method), i.where is not None, i.unique)
                 for i in table.indexes]
        return keys

    def covering_index(self, table: Table, columns: tuple[str, ...]) -> str | None:
        """A non-partial btree index whose leading keys are ``columns`` in any order (a FK lookup)."""
        n, wanted = len(columns), set(columns)
        for keys in self.index_keys(table):
            if keys.method == IndexMethod.BTREE and not keys.partial and set(keys.columns[:n]) == wanted:
                return keys.name
        return None
