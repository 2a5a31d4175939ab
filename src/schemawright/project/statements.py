"""Split a migration into statements (pglast) and find those that cannot run in a transaction.

The parser does the split (it knows dollar quotes, comments and ``BEGIN ATOMIC`` bodies) and gives
each statement's parse tree; the tree decides whether the statement can run in a transaction. Trees
are read as libpg_query's JSON (several times faster than pglast's Python nodes); the few statements
that run alone also get their pglast node, which ``recovery`` inspects.

A file the parser rejects is split on top-level semicolons by the scanner instead and sent as is: the
server then reports the error with its own SQLSTATE and position, the authoritative answer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from pglast import ast, parse_sql, split
from pglast.parser import ParseError, parse_sql_json, scan

from schemawright.project.errors import MigrationError

JOIN_LIMIT = 50  # statements a BEGIN ATOMIC body may hold in a file the parser rejects

_ALWAYS_ALONE = {"CreatedbStmt": "CREATE DATABASE", "DropdbStmt": "DROP DATABASE",
                 "CreateTableSpaceStmt": "CREATE TABLESPACE", "DropTableSpaceStmt": "DROP TABLESPACE",
                 "AlterSystemStmt": "ALTER SYSTEM", "CreateSubscriptionStmt": "CREATE SUBSCRIPTION",
                 "AlterSubscriptionStmt": "ALTER SUBSCRIPTION", "DropSubscriptionStmt": "DROP SUBSCRIPTION"}


@dataclass(frozen=True)
class Statement:
    number: int  # 1-based, in file order
    text: str
    start: int  # character offset in the file
    line: int  # line of the statement's first token
    kind: str | None  # parse-tree node type ("IndexStmt"); None when the statement does not parse
    non_transactional: str | None  # why it must run outside a transaction ("CREATE INDEX CONCURRENTLY")
    node: ast.Node | None = None  # pglast parse tree, kept for the statements that run alone

    def line_at(self, position: int | None) -> int:
        """The file line of 1-based character ``position`` inside the statement (the server's error position)."""
        if not position or position < 1:
            return self.line
        return self.line + self.text.count("\n", 0, position - 1)


def split_statements(text: str, filename: str) -> list[Statement]:
    """The statements of ``text`` in order; MigrationError for transaction control or unscannable text."""
    try:
        slices = split(text, with_parser=True, only_slices=True)
        trees = [s["stmt"] for s in json.loads(parse_sql_json(text)).get("stmts", [])]
        pieces = [(s.start, s.stop, tree) for s, tree in zip(slices, trees, strict=True)]
    except ParseError:
        pieces = _reparse(text, _scan_split(text, filename))
    out = []
    for number, (start, stop, tree) in enumerate(pieces, 1):
        body = text[start:stop].rstrip()
        line = text.count("\n", 0, start) + 1
        kind = next(iter(tree)) if tree else None
        if kind == "TransactionStmt":
            raise MigrationError(f"{filename}: statement {number} (line {line}) is transaction control "
                                 f"({body.split()[0].upper()}): each migration runs in its own transaction; "
                                 "remove it")
        alone = non_transactional(tree)
        node = parse_sql(body)[0].stmt if alone else None
        out.append(Statement(number, body, start, line, kind, alone, node))
    return out


def _parse_one(text: str) -> dict | None:
    """The JSON parse tree of ``text`` if it is exactly one statement, else None."""
    try:
        stmts = json.loads(parse_sql_json(text)).get("stmts", [])
    except ParseError:
        return None
    return stmts[0]["stmt"] if len(stmts) == 1 else None


def _reparse(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int, dict | None]]:
    """Parse each scanner piece; a piece that does not parse alone is joined with the next ones while
    that makes one statement (a ``BEGIN ATOMIC`` body holds semicolons), else kept alone, unparsed."""
    out, i = [], 0
    while i < len(spans):
        tree, j = None, i
        for k in range(i, min(len(spans), i + JOIN_LIMIT)):
            tree = _parse_one(text[spans[i][0]:spans[k][1]])
            if tree is not None:
                j = k
                break
        out.append((spans[i][0], spans[j][1], tree))
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


def non_transactional(tree: dict | None) -> str | None:
    """Why the statement (its JSON parse tree) cannot run inside a transaction block, or None if it can."""
    if not tree:
        return None
    (kind, node), = tree.items()
    match kind:
        case "IndexStmt" if node.get("concurrent"):
            return "CREATE INDEX CONCURRENTLY"
        case "DropStmt" if node.get("concurrent"):
            return "DROP INDEX CONCURRENTLY"
        case "ReindexStmt" if _has_option(node.get("params"), "concurrently"):
            return "REINDEX CONCURRENTLY"
        case "ReindexStmt" if node.get("kind") in ("REINDEX_OBJECT_SYSTEM", "REINDEX_OBJECT_DATABASE"):
            return "REINDEX SYSTEM/DATABASE"
        case "VacuumStmt" if node.get("is_vacuumcmd"):
            return "VACUUM"
        case "ClusterStmt" if "relation" not in node:
            return "CLUSTER without a table"
        case "AlterEnumStmt" if "oldVal" not in node:
            # Allowed in a transaction since PostgreSQL 12, but the new label is unusable until committed,
            # so a later statement of the same migration could not use it: commit it on its own.
            return "ALTER TYPE ... ADD VALUE"
        case "AlterTableStmt" if any(_detach_concurrently(c) for c in node.get("cmds", ())):
            return "DETACH PARTITION CONCURRENTLY"
        case "AlterDatabaseStmt" if _has_option(node.get("options"), "tablespace"):
            return "ALTER DATABASE ... SET TABLESPACE"
    return _ALWAYS_ALONE.get(kind)


def _has_option(options: list | None, name: str) -> bool:
    return any(o.get("DefElem", {}).get("defname") == name for o in options or ())


def _detach_concurrently(cmd: dict) -> bool:
    body = cmd.get("AlterTableCmd", {})
    return body.get("subtype") == "AT_DetachPartition" and body.get("def", {}).get("PartitionCmd", {}).get("concurrent")


def dropped_index(node: ast.Node) -> list[str] | None:
    """The qualified name parts of the index a DROP INDEX CONCURRENTLY removes."""
    if isinstance(node, ast.DropStmt) and len(node.objects) == 1:
        return [s.sval for s in node.objects[0]]
    return None
