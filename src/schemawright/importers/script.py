"""A SQL script as statements with their line numbers: psql meta-commands and COPY data blocks are taken
out (and listed), statements are split by PostgreSQL's own scanner, so one bad statement never hides the
others."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pglast

from schemawright.importers.common import ImportSourceError, Skipped

_META_RE = re.compile(r"^\s*\\([A-Za-z!?]+)")
_COPY_STDIN_RE = re.compile(r"^\s*COPY\b.*\bFROM\s+stdin\b.*;\s*$", re.IGNORECASE)
_LEADING_RE = re.compile(r"(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/)*", re.DOTALL)
_WORD_RE = re.compile(r"[A-Za-z_]+")
DATA_KINDS = frozenset({"INSERT", "COPY", "UPDATE", "DELETE", "TRUNCATE", "VALUES", "MERGE", "WITH"})
_MODIFIERS = frozenset({"OR", "REPLACE", "UNIQUE", "TEMP", "TEMPORARY", "UNLOGGED", "GLOBAL", "LOCAL", "IF", "NOT",
                        "EXISTS", "ONLY", "MATERIALIZED", "RECURSIVE", "DEFAULT", "TRUSTED", "PROCEDURAL",
                        "CONSTRAINT"})


@dataclass(slots=True)
class Statement:
    line: int
    text: str

    @property
    def kind(self) -> str:
        """The statement's kind as written: ``CREATE TABLE``, ``ALTER TABLE``, ``INSERT``..."""
        return statement_kind(self.text)


def statement_kind(text: str) -> str:
    words = [w.upper() for w in _WORD_RE.findall(text[:200])]
    if not words:
        return "statement"
    if words[0] == "COMMENT":
        return "COMMENT ON " + (words[2] if len(words) > 2 else "?")
    if words[0] in ("CREATE", "ALTER", "DROP"):
        rest = [w for w in words[1:6] if w not in _MODIFIERS] or ["?"]
        return f"{words[0]} {'MATERIALIZED ' if 'MATERIALIZED' in words[1:4] else ''}{rest[0]}"
    return words[0]


def split_script(text: str, name: str = "<sql>") -> tuple[list[Statement], list[Skipped]]:
    """The statements of a script (line numbers 1-based) and what was taken out before splitting."""
    skipped: list[Skipped] = []
    kept: list[str] = []
    in_copy = False
    lexer = _Lexer()
    for number, line in enumerate(text.splitlines(keepends=True), 1):
        blank = "\n" if line.endswith(("\n", "\r")) else ""
        if in_copy:
            in_copy = line.strip() != "\\."
            kept.append(blank)
            continue
        inside = lexer.inside  # a line that starts inside a literal or a comment is never a meta-command
        lexer.feed(line)
        meta = None if inside else _META_RE.match(line)
        if meta:
            lexer.reset()
            command = meta.group(1)
            skipped.append(Skipped(f"psql \\{command}", number, "data loaded from a file, not schema"
                                   if command.lower() == "copy" else "a psql meta-command, not SQL"))
            kept.append(blank)
            continue
        in_copy = not inside and bool(_COPY_STDIN_RE.match(line))
        kept.append(line)
    clean = "".join(kept)
    try:
        slices = pglast.split(clean, with_parser=False, only_slices=True)
    except Exception as exc:  # the scanner stops at an unterminated quote or comment
        raise ImportSourceError(f"{name}: cannot be split into SQL statements: {exc}") from exc
    statements = []
    end = 0
    for piece in [*slices, slice(None, len(clean))]:
        start = piece.start if piece.start is not None else end  # the remainder the scanner left (an open "(")
        start = _LEADING_RE.match(clean, start, piece.stop).end()
        body = clean[start:piece.stop].strip().lstrip(";").strip()
        if body:
            statements.append(Statement(clean.count("\n", 0, start) + 1, body))
        end = piece.stop + 1
    return statements, skipped


_DOLLAR_RE = re.compile(r"\$([A-Za-z_\x80-\uffff][A-Za-z_0-9\x80-\uffff]*)?\$")


class _Lexer:
    """Where a script stands at each line start: in plain SQL, or inside a quoted literal, a quoted identifier,
    a dollar-quoted body or a comment (PostgreSQL's lexical rules; E'' strings take backslash escapes)."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.state: str | None = None  # None | "'" | "E'" | '"' | "$tag$" | "/*"
        self.depth = 0  # nested block comments
        self.keep = False  # the open comment is a MySQL /*! version comment

    @property
    def inside(self) -> bool:
        return self.state is not None

    def feed(self, line: str) -> str:
        """Advance over ``line``; return it with what is inside literals and comments blanked (MySQL's
        ``/*!...*/`` version comments kept: they are statements for MySQL)."""
        out = list(line)
        i, n = 0, len(line)
        while i < n:
            st, ch, start = self.state, line[i], i
            if st is None:
                if line.startswith("--", i):
                    i = n
                    _blank(out, start, i)
                    break
                if line.startswith("/*", i):
                    self.state, self.depth, i = "/*", 1, i + 2
                    self.keep = line.startswith("/*!", start)
                elif ch == "'":
                    escaped = i > 0 and line[i - 1] in "eE" and (i < 2 or not (line[i - 2].isalnum() or line[i - 2] == "_"))
                    self.state, i = ("E'" if escaped else "'"), i + 1
                elif ch == '"':
                    self.state, i = '"', i + 1
                elif ch == "$" and (m := _DOLLAR_RE.match(line, i)) and not (i and (line[i - 1].isalnum()
                                                                                     or line[i - 1] == "_")):
                    self.state, i = m.group(0), m.end()
                else:
                    i += 1
                continue
            if st == "/*":
                if line.startswith("*/", i):
                    self.depth -= 1
                    i += 2
                    if not self.depth:
                        self.state = None
                elif line.startswith("/*", i):
                    self.depth, i = self.depth + 1, i + 2
                else:
                    i += 1
                if not self.keep:
                    _blank(out, start, i)
            elif st in ("'", "E'", '"'):
                quote = st[-1]
                if st == "E'" and ch == "\\":
                    i += 2
                elif ch == quote:
                    if line.startswith(quote * 2, i):
                        i += 2
                    else:
                        self.state, i = None, i + 1
                        continue
                else:
                    i += 1
                _blank(out, start, i)
            else:  # a dollar-quoted body
                end = line.find(st, i)
                if end < 0:
                    _blank(out, i, n)
                    break
                _blank(out, i, end)
                self.state, i = None, end + len(st)
        return "".join(out)


def _blank(chars: list[str], start: int, end: int) -> None:
    for k in range(start, min(end, len(chars))):
        if chars[k] not in "\r\n":
            chars[k] = " "


def code_only(text: str) -> str:
    """``text`` with string literals, quoted identifiers, dollar-quoted bodies and comments blanked (same
    length and lines): what dialect detection may look at, so a character inside a literal decides nothing."""
    lexer = _Lexer()
    return "".join(lexer.feed(line) for line in text.splitlines(keepends=True))


def is_data(statement: Statement) -> bool:
    """INSERT, COPY, UPDATE...: rows, not schema (recognized without parsing, for speed)."""
    return statement.kind in DATA_KINDS


def merge_repeated(skipped: list[Skipped]) -> list[Skipped]:
    """One entry per kind and reason (data statements, partitions, CLUSTER...), with the first line and the
    number of statements; entries whose reason names an object stay one per object."""
    out: list[Skipped] = []
    merged: dict[tuple[str, str], Skipped] = {}
    for item in skipped:
        key = (item.kind, item.reason, item.name)
        if key in merged:
            merged[key].count += item.count
            continue
        merged[key] = item
        out.append(item)
    return sorted(out, key=lambda s: (s.line is None, s.line or 0))
