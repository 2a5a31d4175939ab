"""Where schema objects are written down, so findings on them point at a file line (SARIF needs one).

``SqlAnchors`` maps object paths (``public.orders``, ``public.orders.user_id``) to the statement (and
the column or constraint inside it) that created them in SQL files; ``-- schemawright:ignore`` comments
on that statement suppress findings anchored there. ``InputAnchors`` points at the task-input entry an
object was designed from. Objects not found fall back to their parent, then to the first file's line 1.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from pglast import ast
from pglast.enums import AlterTableType as AT

from schemawright.findings import Location
from schemawright.lint.source import SqlFile, Statement
from schemawright.model.schema import Schema
from schemawright.spec.load import SourceMap, format_path


@dataclass(frozen=True)
class Anchor:
    location: Location
    suppressed: frozenset[str] = frozenset()  # rule codes (or ALL_RULES) suppressed by comments there


class Anchors:
    """Object path -> Anchor; ``find`` tries the path, then the path without its schema, then parents."""

    def __init__(self, default_file: str | None):
        self.default_file = default_file
        self._exact: dict[str, Anchor] = {}
        self._unqualified: dict[str, Anchor] = {}

    def add(self, path: str, anchor: Anchor) -> None:
        self._exact.setdefault(path, anchor)
        self._unqualified.setdefault(path.partition(".")[2], anchor)

    def find(self, path: str | None) -> Anchor | None:
        path = path.split("(", 1)[0] if path else path  # an overloaded function's arguments
        while path:
            found = self._exact.get(path) or self._unqualified.get(path.partition(".")[2])
            if found is not None:
                return found
            path = path.rpartition(".")[0] if path.count(".") > 1 else None
        return Anchor(Location(self.default_file, 1, 1)) if self.default_file else None


def sql_anchors(files: Iterable[SqlFile], parse_ignore: Callable[[str], object]) -> Anchors:
    """Anchors of every object created by the statements of ``files`` (first definition wins)."""
    files = list(files)
    anchors = Anchors(files[0].path if files else None)
    for file in files:
        whole, per_statement = file.suppressions(parse_ignore)
        for statement in file.statements:
            suppressed = whole | per_statement.get(statement.index, frozenset())
            for path, node in _defined_objects(statement.node):
                start = node.location if isinstance(getattr(node, "location", None), int) and \
                    statement.start <= node.location < statement.end else statement.start
                anchors.add(path, Anchor(file.location(start, statement.end if start == statement.start
                                                       else _end_of(file, statement, start)), suppressed))
    return anchors


def _end_of(file: SqlFile, statement: Statement, start: int) -> int:
    """The end of a column or constraint definition: the next comma or the statement's end (approximate)."""
    depth = 0
    for i in range(start, statement.end):
        ch = file.text[i]
        depth += ch == "("
        depth -= ch == ")"
        if depth < 0 or (depth == 0 and ch == ","):
            return i
    return statement.end


def _rel(rv: ast.RangeVar) -> str:
    return f"{rv.schemaname or 'public'}.{rv.relname}"


def _qualified(names) -> str:
    parts = [n.sval for n in names]
    return ".".join(parts) if len(parts) > 1 else f"public.{parts[0]}"


def _defined_objects(node) -> Iterable[tuple[str, object]]:
    """``(object path, node to point at)`` for what a statement creates."""
    if isinstance(node, ast.CreateStmt):
        table = _rel(node.relation)
        yield table, node
        for elt in node.tableElts or ():
            if isinstance(elt, ast.ColumnDef):
                yield f"{table}.{elt.colname}", elt
                for con in elt.constraints or ():
                    if con.conname:
                        yield f"{table}.{con.conname}", con
            elif isinstance(elt, ast.Constraint) and elt.conname:
                yield f"{table}.{elt.conname}", elt
    elif isinstance(node, ast.AlterTableStmt):
        table = _rel(node.relation)
        for cmd in node.cmds or ():
            if cmd.subtype == AT.AT_AddColumn and isinstance(cmd.def_, ast.ColumnDef):
                yield f"{table}.{cmd.def_.colname}", cmd.def_
            elif cmd.subtype == AT.AT_AddConstraint and isinstance(cmd.def_, ast.Constraint) and cmd.def_.conname:
                yield f"{table}.{cmd.def_.conname}", cmd.def_
    elif isinstance(node, ast.IndexStmt) and node.idxname:
        yield f"{_rel(node.relation)}.{node.idxname}", node
    elif isinstance(node, ast.CreateFunctionStmt):
        yield _qualified(node.funcname), node
    elif isinstance(node, ast.ViewStmt):
        yield _rel(node.view), node
    elif isinstance(node, ast.CreateTableAsStmt) and node.into is not None:
        yield _rel(node.into.rel), node
    elif isinstance(node, ast.CreateEnumStmt):
        yield _qualified(node.typeName), node
    elif isinstance(node, ast.CreateExtensionStmt):
        schema = next((o.arg.sval for o in node.options or () if o.defname == "schema"), "public")
        yield f"{schema}.{node.extname}", node
    elif isinstance(node, ast.CreatePolicyStmt):
        yield f"{_rel(node.table)}.{node.policy_name}", node
    elif isinstance(node, ast.CreateTrigStmt):
        yield f"{_rel(node.relation)}.{node.trigname}", node
    elif isinstance(node, ast.CreateSeqStmt):
        yield _rel(node.sequence), node


def input_anchors(schema: Schema, smap: SourceMap) -> Anchors:
    """Anchors at the task-input entries the designed objects came from (their ``origin.path``)."""
    positions = {format_path(k): v for k, v in smap.positions.items()}
    anchors = Anchors(smap.file)

    def add(path: str, origin) -> None:
        if origin.path and origin.path in positions:
            line, column = positions[origin.path]
            anchors.add(path, Anchor(Location(smap.file, line, column)))

    for table in schema.tables:
        base = f"{table.schema}.{table.name}"
        add(base, table.origin)
        for member in (*table.columns, *table.indexes, *table.checks, *table.uniques, *table.foreign_keys):
            add(f"{base}.{member.name}", member.origin)
    return anchors
