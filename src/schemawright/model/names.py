"""Identifier rules and the naming conventions of seed 004.

Conventions: tables plural snake_case; ``pk_<table>_<cols>``, ``fk_<table>_<cols>``,
``uq_<table>_<cols>``, ``chk_<table>_<what>``, ``idx_<table>_<cols>``, ``trg_<table>_<what>``,
``fn_<name>``, ``vw_<name>``. Generated names longer than PostgreSQL's 63-byte limit are shortened
with a stable hash suffix, so two long names never collide and reruns give the same name.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import cache

import inflection
from pglast.keywords import (
    COL_NAME_KEYWORDS,
    RESERVED_KEYWORDS,
    TYPE_FUNC_NAME_KEYWORDS,
)

MAX_IDENTIFIER = 63
# ``\Z``, not ``$``: ``$`` also matches before a trailing newline, which would let "users\n" through.
IDENTIFIER_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\Z")
SNAKE_RE = re.compile(r"^[a-z_][a-z0-9_]*\Z")

# Words that must be quoted where they are used as a column or table name.
NEEDS_QUOTES = frozenset(RESERVED_KEYWORDS) | frozenset(TYPE_FUNC_NAME_KEYWORDS)
# Column-name keywords are legal as names but awkward (e.g. "position", "time"); we quote them too.
AWKWARD = frozenset(COL_NAME_KEYWORDS)


def is_valid_identifier(name: str) -> bool:
    return isinstance(name, str) and bool(IDENTIFIER_RE.match(name)) and len(name.encode()) <= MAX_IDENTIFIER


def is_reserved(name: str) -> bool:
    """A keyword that ``quote_ident`` always quotes (reserved words such as ``order``, ``user``,
    ``group``, ``select``, and column-name keywords such as ``position``)."""
    return name.lower() in NEEDS_QUOTES or name.lower() in AWKWARD


def quote_ident(name: str) -> str:
    """Quote an identifier for PostgreSQL when (and only when) it needs it."""
    if SNAKE_RE.match(name) and name not in NEEDS_QUOTES and name not in AWKWARD:
        return name
    return '"' + name.replace('"', '""') + '"'


_ESCAPES = {"\\": "\\\\", "'": "''", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_CONTROL_ESCAPES = tuple((c, e) for c, e in _ESCAPES.items() if c not in "\\'")
_OTHER_CONTROL_RE = re.compile(r"[\x00-\x07\x0b\x0e-\x1f\x7f]")  # controls without a letter escape: \xNN
_NEEDS_E_RE = re.compile(r"[\\\x00-\x1f\x7f]")


def quote_literal(value: str) -> str:
    """A SQL string literal that means ``value`` whatever the session settings and the file's fate.

    Quotes are doubled. A value holding a backslash or a control character (newline, carriage
    return, tab, escape...) is written as an escape string, ``E'...'``, with the backslash doubled
    and each control character as an escape (``\\n``, ``\\r``, ``\\x1b``):

    * a plain ``'a\\b'`` means something else, and can end the literal early, on a session with
      ``standard_conforming_strings = off``; ``E''`` means the same under both settings;
    * a raw line break inside a literal would be changed by anything that converts line endings
      (reading the file in text mode, git's autocrlf, an editor), silently changing the data.

    Everything else is plain text inside a literal: ``--``, ``/*``, ``$$`` and any Unicode.
    """
    if not isinstance(value, str):
        raise TypeError(f"quote_literal needs a str, got {type(value).__name__}")
    if not _NEEDS_E_RE.search(value):  # no backslash, no control character (nor NUL): a plain literal
        return "'" + value.replace("'", "''") + "'"
    if "\x00" in value:
        raise ValueError("NUL characters cannot be stored in PostgreSQL text")
    text = value.replace("\\", "\\\\").replace("'", "''")  # backslashes first: the escapes below add some
    for char, escape in _CONTROL_ESCAPES:
        if char in text:
            text = text.replace(char, escape)
    if _OTHER_CONTROL_RE.search(text):
        text = _OTHER_CONTROL_RE.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    return "E'" + text + "'"


def dollar_quote(body: str, tag: str = "function") -> str:
    """``body`` between dollar quotes whose tag the body does not contain, so no text in it (a name
    such as ``my $function$ table`` in an audit trigger, a hostile fixture value) can end the quote
    early. The plain ``$tag$`` is kept when it is free, so ordinary output does not change; otherwise
    the tag gets a suffix derived from the body (stable across runs), lengthened until it is free."""
    if not re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)?", tag):
        raise ValueError(f"{tag!r} cannot be a dollar-quote tag")
    chosen, n = f"${tag}$", 0
    while chosen in body or body.endswith(chosen[:-1]):  # "...$tag" + "$tag$" would also close early
        n += 1
        chosen = f"${tag or 'q'}_{hashlib.sha1(f'{n}:{body}'.encode()).hexdigest()[:8]}$"
    return f"{chosen}{body}{chosen}"


def slug(text: str) -> str:
    """A safe identifier derived from free text (a project name): lower-case ASCII letters, digits
    and single underscores, starting with a letter, at most 50 bytes (room for a suffix such as
    ``_readwrite``). Accents are dropped (``Café`` -> ``cafe``); anything else becomes ``_``. An
    empty result means the text has no ASCII letter or digit; callers refuse it."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    s = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")
    if s and not s[0].isalpha():
        s = "p_" + s
    return s[:50].rstrip("_")


def to_snake(name: str) -> str:
    """CamelCase or mixedCase to snake_case (``OrderItem`` -> ``order_item``)."""
    if name == name.lower():  # nothing upper case: nothing to split (the common case, checked first)
        return name
    s = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name)
    s = re.sub(r"(?<=[A-Z])([A-Z][a-z])", r"_\1", s)
    return s.lower()


def _clip(name: str, size: int) -> str:
    """The longest prefix of ``name`` within ``size`` UTF-8 bytes (never splitting a character)."""
    return name.encode()[:size].decode(errors="ignore")


def make_object_name(name1: str, name2: str | None, label: str | None) -> str:
    """PostgreSQL's makeObjectName: ``name1_name2_label``, the longer of name1/name2 chopped to fit."""
    overhead = (1 if name2 else 0) + (len(label) + 1 if label else 0)
    available = MAX_IDENTIFIER - overhead
    n1, n2 = len(name1.encode()), len(name2.encode()) if name2 else 0
    while n1 + n2 > available:
        if n1 > n2:
            n1 -= 1
        else:
            n2 -= 1
    out = _clip(name1, n1)
    if name2:
        out += "_" + _clip(name2, n2)
    return out + ("_" + label if label else "")


def shorten(name: str) -> str:
    """Fit a generated name into 63 bytes with a stable 8-character hash suffix."""
    if len(name.encode()) <= MAX_IDENTIFIER:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    return name[: MAX_IDENTIFIER - 9].rstrip("_") + "_" + digest


def constraint_name(prefix: str, table: str, parts: tuple[str, ...] | list[str]) -> str:
    return shorten("_".join([prefix, table, *parts]))


def pk_name(table: str, columns) -> str:
    return constraint_name("pk", table, list(columns))


def fk_name(table: str, columns) -> str:
    return constraint_name("fk", table, list(columns))


def uq_name(table: str, columns) -> str:
    return constraint_name("uq", table, list(columns))


def chk_name(table: str, what: str) -> str:
    return constraint_name("chk", table, [what])


def idx_name(table: str, columns) -> str:
    return constraint_name("idx", table, list(columns))


def trg_name(table: str, what: str) -> str:
    return constraint_name("trg", table, [what])


# Plural and singular of snake_case names: the designer names tables with them, lint rules check names.
_UNCOUNTABLE = frozenset({"data", "metadata", "media", "news", "settings", "series", "species", "status",
                          "equipment", "information", "feedback", "inventory", "analytics", "staff"})


@cache
def plural(word: str) -> str:
    """Plural of a snake_case name, inflecting its last part (order_item -> order_items)."""
    head, _, last = word.rpartition("_")
    if last in _UNCOUNTABLE or is_plural(last):
        return word
    return (head + "_" if head else "") + inflection.pluralize(last)


@cache
def singular(word: str) -> str:
    """Singular of a snake_case name (order_items -> order_item, categories -> category)."""
    head, _, last = word.rpartition("_")
    if last in _UNCOUNTABLE:
        return word
    return (head + "_" if head else "") + inflection.singularize(last)


@cache
def is_plural(word: str) -> bool:
    last = word.rpartition("_")[2]
    if last in _UNCOUNTABLE or last.endswith("ss"):
        return False
    single = inflection.singularize(last)
    return single != last and inflection.pluralize(single) == last
