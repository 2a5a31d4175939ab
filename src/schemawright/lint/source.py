"""A SQL file split into statements by PostgreSQL's own parser (pglast), with positions and comments.

pglast reports offsets in characters; ``stmt_location`` points at a statement's first token (leading
comments excluded). Lines and columns here are 1-based and count characters.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pglast import parse_sql
from pglast.parser import ParseError, scan

from schemawright.errors import SpecError, SpecProblem
from schemawright.findings import Location

_COMMENT_TOKENS = ("SQL_COMMENT", "C_COMMENT")
_SEMICOLON = "ASCII_59"


@dataclass(frozen=True)
class Statement:
    """One top-level statement: its pglast node and where it lies in the file."""

    node: Any
    index: int
    start: int  # offset of the first token
    end: int  # offset just past the last token (the semicolon excluded)
    first_line: int
    last_line: int  # the line of the terminating semicolon (or of the last token)


class SqlFile:
    """The statements, comments and line map of one SQL text."""

    def __init__(self, path: str, text: str):
        self.path, self.text = path, text
        self._line_starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
        raw = parse_sql(text)  # raises ParseError; see parse_problem()
        tokens = scan(text) if raw else []
        self.comments = [(t.start, text[t.start:t.end + 1]) for t in tokens if t.name in _COMMENT_TOKENS]
        self._code = [t for t in tokens if t.name not in _COMMENT_TOKENS]
        self._code_starts = [t.start for t in self._code]
        self.statements = [self._statement(i, rs) for i, rs in enumerate(raw)]

    def _statement(self, index: int, raw: Any) -> Statement:
        start = raw.stmt_location
        stop = start + raw.stmt_len if raw.stmt_len else len(self.text)
        first, after = bisect_left(self._code_starts, start), bisect_left(self._code_starts, stop)
        inside = [t for t in self._code[first:after] if t.name != _SEMICOLON]
        end = inside[-1].end + 1 if inside else start
        closing = self._code[after] if after < len(self._code) and self._code[after].name == _SEMICOLON else None
        last = closing.start if closing else max(end - 1, start)
        return Statement(raw.stmt, index, start, end, self.line(start), self.line(last))

    def identifiers(self, stmt: Statement) -> list[tuple[int, str]]:
        """``(offset, name)`` of each identifier token in the statement, as written (before PostgreSQL
        folds case or truncates it to 63 bytes); quoted names are unquoted."""
        first, after = bisect_left(self._code_starts, stmt.start), bisect_left(self._code_starts, stmt.end)
        names = []
        for token in self._code[first:after]:
            if token.name == "IDENT":
                raw = self.text[token.start:token.end + 1]
                quoted = raw.startswith('"') and raw.endswith('"') and len(raw) > 1
                names.append((token.start, raw[1:-1].replace('""', '"') if quoted else raw.lower()))
        return names

    def line(self, offset: int) -> int:
        return bisect_right(self._line_starts, offset)

    def position(self, offset: int) -> tuple[int, int]:
        line = self.line(offset)
        return line, offset - self._line_starts[line - 1] + 1

    def location(self, start: int, end: int) -> Location:
        line, column = self.position(start)
        end_line, end_column = self.position(max(end, start))
        return Location(self.path, line, column, end_line, end_column)

    def suppressions(self, parse_ignore: Any) -> tuple[frozenset[str], dict[int, frozenset[str]]]:
        """``(file-wide codes, {statement index: codes})`` from ``schemawright:ignore`` comments.

        A comment applies to the statement whose lines it is on (a trailing comment after the
        semicolon included), else to the next statement below it.
        """
        whole: set[str] = set()
        per_statement: dict[int, set[str]] = {}
        for offset, comment in self.comments:
            parsed = parse_ignore(comment)
            if parsed is None:
                continue
            file_wide, codes = parsed
            if file_wide:
                whole |= codes
                continue
            for index in self._statements_for(self.line(offset)):
                per_statement.setdefault(index, set()).update(codes)
        return frozenset(whole), {i: frozenset(c) for i, c in per_statement.items()}

    def _statements_for(self, line: int) -> list[int]:
        on_line = [s.index for s in self.statements if s.first_line <= line <= s.last_line]
        if on_line:
            return on_line
        below = [s.index for s in self.statements if s.first_line > line]
        return below[:1]


def parse_problem(path: str, text: str, exc: ParseError) -> SpecProblem:
    """A located problem for a statement PostgreSQL's parser rejects."""
    offset = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], int) else None
    line = column = None
    if offset is not None:
        before = text[:offset]
        line = before.count("\n") + 1
        column = offset - (before.rfind("\n") + 1) + 1
    return SpecProblem(f"PostgreSQL cannot parse this: {exc.args[0]}", file=path, line=line, column=column)


def parse_files(paths: Iterable[Path]) -> list[SqlFile]:
    """Read and parse SQL files; every unreadable or unparsable one is reported in one SpecError."""
    parsed, problems = [], []
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(SpecProblem(f"cannot read: {exc}", file=str(path)))
            continue
        try:
            parsed.append(SqlFile(str(path), text))
        except ParseError as exc:
            problems.append(parse_problem(str(path), text, exc))
    if problems:
        raise SpecError(problems)
    return parsed
