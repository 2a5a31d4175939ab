"""Split a migration into statements (pglast) and find those that cannot run in a transaction.

The parser does the split (it knows dollar quotes, comments and ``BEGIN ATOMIC`` bodies). A file the
parser rejects is split on top-level semicolons by the scanner instead and sent as is: the server
then reports the error with its own SQLSTATE and position, which is the authoritative answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from pglast import ast, parse_sql
from pglast.enums import AlterTableType, ObjectType, ReindexObjectType
from pglast.parser import ParseError, scan

from schemawright.migrate.errors import MigrationError

JOIN_LIMIT = 50  # statements a BEGIN ATOMIC body may hold in a file the parser rejects
ADD_VALUE_IN_TRANSACTION = 120000  # ALTER TYPE ... ADD VALUE may run in a transaction since PostgreSQL 12


@dataclass(frozen=True)
class Statement:
    number: int  # 1-based, in file order
    text: str
    start: int  # character offset in the file
    line: int  # line of the statement's first token
    node: ast.Node | None  # parse tree; None when pglast could not parse the file
    non_transactional: str | None  # why it must run outside a transaction ("CREATE INDEX CONCURRENTLY")

    def line_at(self, position: int | None) -> int:
        """The file line of 1-based character ``position`` inside the statement (the server's error position)."""
        if not position or position < 1:
            return self.line
        return self.line + self.text.count("\n", 0, position - 1)


def split_statements(text: str, filename: str, server_version: int) -> list[Statement]:
    """The statements of ``text`` in order; MigrationError for transaction control or unscannable text."""
    try:
        pieces = [(raw.stmt_location, raw.stmt_len or len(text) - raw.stmt_location, raw.stmt)
                  for raw in parse_sql(text)]
    except ParseError:
        pieces = _reparse(text, _scan_split(text, filename))
    out = []
    for number, (start, length, node) in enumerate(pieces, 1):
        body = text[start:start + length].rstrip()
        line = text.count("\n", 0, start) + 1
        if isinstance(node, ast.TransactionStmt):
            raise MigrationError(f"{filename}: statement {number} (line {line}) is transaction control "
                                 f"({body.split()[0].upper()}): each migration runs in its own transaction; "
                                 "remove it")
        out.append(Statement(number, body, start, line, node, non_transactional(node, server_version)))
    return out


def _parse_one(text: str) -> ast.Node | None:
    try:
        stmts = parse_sql(text)
    except ParseError:
        return None
    return stmts[0].stmt if len(stmts) == 1 else None


def _reparse(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int, ast.Node | None]]:
    """Parse each scanner piece; a piece that does not parse alone is joined with the next ones while
    that makes one statement (a ``BEGIN ATOMIC`` body holds semicolons), else kept alone, unparsed."""
    out, i = [], 0
    while i < len(spans):
        node, j = None, i
        for k in range(i, min(len(spans), i + JOIN_LIMIT)):
            node = _parse_one(text[spans[i][0]:spans[k][1]])
            if node is not None:
                j = k
                break
        out.append((spans[i][0], spans[j][1] - spans[i][0], node))
        i = j + 1
    return out


def _scan_split(text: str, filename: str) -> list[tuple[int, int]]:
    """(start, end) of each statement between top-level semicolons, comments outside excluded."""
    try:
        tokens = scan(text)
    except ParseError as exc:
        location = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], int) else 0
        line = text.count("\n", 0, location) + 1
        raise MigrationError(f"{filename}: line {line}: cannot split into statements: {exc.args[0]}") from None
    spans, start, end = [], None, None
    for tok in tokens:
        if tok.name == "ASCII_59":
            if start is not None:
                spans.append((start, end))
            start = None
        elif tok.name not in ("SQL_COMMENT", "C_COMMENT"):
            start = tok.start if start is None else start
            end = tok.end + 1
    if start is not None:
        spans.append((start, end))
    return spans


def non_transactional(node: ast.Node | None, server_version: int) -> str | None:
    """Why the statement cannot run inside a transaction block, or None if it can."""
    match node:
        case ast.IndexStmt(concurrent=True):
            return "CREATE INDEX CONCURRENTLY"
        case ast.DropStmt(concurrent=True):
            return "DROP INDEX CONCURRENTLY"
        case ast.ReindexStmt() if _has_option(node.params, "concurrently"):
            return "REINDEX CONCURRENTLY"
        case ast.ReindexStmt(kind=ReindexObjectType.REINDEX_OBJECT_SYSTEM | ReindexObjectType.REINDEX_OBJECT_DATABASE):
            return "REINDEX SYSTEM/DATABASE"
        case ast.VacuumStmt(is_vacuumcmd=True):
            return "VACUUM"
        case ast.ClusterStmt(relation=None):
            return "CLUSTER without a table"
        case ast.AlterEnumStmt(oldVal=None) if server_version < ADD_VALUE_IN_TRANSACTION:
            return "ALTER TYPE ... ADD VALUE (before PostgreSQL 12)"
        case ast.AlterTableStmt() if any(_detach_concurrently(c) for c in node.cmds or ()):
            return "DETACH PARTITION CONCURRENTLY"
        case ast.AlterDatabaseStmt() if _has_option(node.options, "tablespace"):
            return "ALTER DATABASE ... SET TABLESPACE"
    names = {ast.CreatedbStmt: "CREATE DATABASE", ast.DropdbStmt: "DROP DATABASE",
             ast.CreateTableSpaceStmt: "CREATE TABLESPACE", ast.DropTableSpaceStmt: "DROP TABLESPACE",
             ast.AlterSystemStmt: "ALTER SYSTEM", ast.CreateSubscriptionStmt: "CREATE SUBSCRIPTION",
             ast.AlterSubscriptionStmt: "ALTER SUBSCRIPTION", ast.DropSubscriptionStmt: "DROP SUBSCRIPTION"}
    return names.get(type(node))


def _has_option(options, name: str) -> bool:
    return any(isinstance(o, ast.DefElem) and o.defname == name for o in options or ())


def _detach_concurrently(cmd) -> bool:
    return (isinstance(cmd, ast.AlterTableCmd) and cmd.subtype == AlterTableType.AT_DetachPartition
            and isinstance(cmd.def_, ast.PartitionCmd) and bool(cmd.def_.concurrent))


def dropped_index(node: ast.Node) -> list[str] | None:
    """The qualified name parts of the index a DROP INDEX CONCURRENTLY removes."""
    if isinstance(node, ast.DropStmt) and node.removeType == ObjectType.OBJECT_INDEX and len(node.objects) == 1:
        return [s.sval for s in node.objects[0]]
    return None
