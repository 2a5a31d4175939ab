"""Strings that match a simple regular expression, for CHECK constraints such as ``col ~ '^[A-Z]{3}$'``.

Used by the seed generator, the development seed data and the security fixtures. Only the plain
subset that format checks use is understood: literals and escapes, ``.``, bracket classes (ranges,
negation, ``\\d \\w \\s``, PostgreSQL's POSIX classes such as ``[:digit:]``), groups (``(...)``,
``(?:...)``), alternation, the quantifiers ``? * + {m} {m,} {m,n}`` (lazy or possessive too) and the
anchors ``^ $ \\A \\Z \\b \\B``. Anything else (look-arounds, back-references, flags) gives ``None``:
the caller then leaves the value to other candidates. Every sample is checked with ``re.search``
before it is returned, so a sample is never wrong, only sometimes missing.

The parser is this module's own (a few dozen lines) rather than Python's private ``re._parser``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

# POSIX bracket classes that PostgreSQL's regular expressions know and Python's do not.
POSIX_CLASSES = {"[:space:]": r"\s", "[:digit:]": "0-9", "[:alpha:]": "a-zA-Z", "[:alnum:]": "a-zA-Z0-9",
                 "[:upper:]": "A-Z", "[:lower:]": "a-z", "[:xdigit:]": "0-9a-fA-F", "[:word:]": r"\w"}
# The characters samples are made of (a class takes those it allows, in this order).
ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-_.@#+() /:"
ANY = "abcdefghijklmnopqrstuvwxyz0123456789"  # what ``.`` stands for
UNBOUNDED = 12  # extra repetitions a sample may use beyond a quantifier's minimum

_CLASS_ESCAPES: dict[str, Callable[[str], bool]] = {
    "d": str.isdigit, "D": lambda c: not c.isdigit(), "s": str.isspace, "S": lambda c: not c.isspace(),
    "w": lambda c: c.isalnum() or c == "_", "W": lambda c: not (c.isalnum() or c == "_"),
}
_CONTROL_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v", "a": "\a", "0": "\0"}


@lru_cache(maxsize=1024)
def to_python(pattern: str) -> str:
    """A PostgreSQL regular expression in Python's syntax (POSIX bracket classes replaced)."""
    for posix, python in POSIX_CLASSES.items():
        pattern = pattern.replace(posix, python)
    return pattern


class Unsupported(ValueError):
    """The pattern uses syntax this sampler does not build strings for."""


@dataclass(frozen=True, slots=True)
class Chars:
    """One character out of ``choices`` (a literal has one choice)."""

    choices: str
    literal: bool = False


@dataclass(frozen=True, slots=True)
class Repeat:
    lo: int
    hi: int | None  # None: unbounded
    item: Item


@dataclass(frozen=True, slots=True)
class Group:
    alternatives: tuple[tuple[Item, ...], ...]


Item = Chars | Repeat | Group


class _Parser:
    def __init__(self, pattern: str):
        self.text, self.pos = pattern, 0

    def peek(self) -> str | None:
        return self.text[self.pos] if self.pos < len(self.text) else None

    def take(self) -> str:
        if self.pos >= len(self.text):
            raise Unsupported("unexpected end of pattern")
        ch = self.text[self.pos]
        self.pos += 1
        return ch

    def alternatives(self) -> tuple[tuple[Item, ...], ...]:
        branches = [self.sequence()]
        while self.peek() == "|":
            self.pos += 1
            branches.append(self.sequence())
        return tuple(branches)

    def sequence(self) -> tuple[Item, ...]:
        items: list[Item] = []
        while (ch := self.peek()) is not None and ch not in "|)":
            atom = self.atom()
            if atom is not None:
                items.append(self.quantified(atom))
        return tuple(items)

    def atom(self) -> Item | None:
        ch = self.take()
        if ch in "^$":
            return None
        if ch == ".":
            return Chars(ANY)
        if ch == "[":
            return self.bracket()
        if ch == "(":
            if self.peek() == "?":
                if self.text[self.pos:self.pos + 2] != "?:":
                    raise Unsupported("look-around, flag or named group")
                self.pos += 2
            group = _group(self.alternatives())
            if self.take() != ")":
                raise Unsupported("unbalanced parenthesis")
            return group
        if ch == "\\":
            esc = self.take()
            if esc in "AZbB":
                return None
            if esc in _CLASS_ESCAPES:
                return Chars("".join(c for c in ALPHABET if _CLASS_ESCAPES[esc](c)))
            if esc in _CONTROL_ESCAPES:
                return Chars(_CONTROL_ESCAPES[esc], literal=True)
            if esc.isalnum():
                raise Unsupported(f"escape \\{esc}")
            return Chars(esc, literal=True)
        if ch in "*+?{)":
            raise Unsupported(f"misplaced {ch!r}")
        return Chars(ch, literal=True)

    def bracket(self) -> Chars:
        negate = self.peek() == "^"
        if negate:
            self.pos += 1
        tests: list[Callable[[str], bool]] = []
        first = True
        while True:
            ch = self.take()
            if ch == "]" and not first:
                break
            first = False
            if ch == "\\":
                esc = self.take()
                if esc in _CLASS_ESCAPES:
                    tests.append(_CLASS_ESCAPES[esc])
                    continue
                ch = _CONTROL_ESCAPES.get(esc, esc)
                if esc.isalnum() and esc not in _CONTROL_ESCAPES:
                    raise Unsupported(f"escape \\{esc} in a class")
            if self.peek() == "-" and self.text[self.pos + 1:self.pos + 2] not in ("]", ""):
                self.pos += 1
                end = self.take()
                if end == "\\":
                    end = self.take()
                if ord(end) < ord(ch):
                    raise Unsupported("bad range")
                tests.append(lambda c, lo=ch, hi=end: lo <= c <= hi)
            else:
                tests.append(lambda c, one=ch: c == one)
        chars = "".join(c for c in ALPHABET if any(t(c) for t in tests) != negate)
        if not chars:
            raise Unsupported("empty character class")
        return Chars(chars)

    def quantified(self, atom: Item) -> Item:
        ch = self.peek()
        if ch is None or ch not in "?*+{":
            return atom
        if ch == "{":
            match = re.match(r"\{(\d*)(,?)(\d*)\}", self.text[self.pos:])
            if not match or not (match.group(1) or match.group(3)):
                return atom  # Python reads a stray brace as a literal; the next atom takes it
            self.pos += match.end()
            lo = int(match.group(1) or 0)
            hi = lo if not match.group(2) else (int(match.group(3)) if match.group(3) else None)
        else:
            self.pos += 1
            lo, hi = {"?": (0, 1), "*": (0, None), "+": (1, None)}[ch]
        if self.peek() in ("?", "+"):  # lazy or possessive: the same strings
            self.pos += 1
        if self.peek() is not None and self.peek() in "?*+":
            raise Unsupported("multiple repeat")
        return Repeat(lo, hi, atom)


def _group(alternatives: tuple[tuple[Item, ...], ...]) -> Item:
    """A group; alternatives that are all single literal characters (``a|b``) are one class, as
    Python's own compiler reads them."""
    if len(alternatives) > 1 and all(len(a) == 1 and isinstance(a[0], Chars) and a[0].literal
                                     for a in alternatives):
        allowed = {a[0].choices for a in alternatives}
        chars = "".join(c for c in ALPHABET if c in allowed)
        if not chars:
            raise Unsupported("no sample character in the alternation")
        return Chars(chars)
    return Group(alternatives)


@lru_cache(maxsize=512)
def parse(pattern: str) -> tuple[Item, ...]:
    """The pattern (Python syntax) as a sequence of items; raises ``Unsupported``."""
    parser = _Parser(pattern)
    alternatives = parser.alternatives()
    if parser.pos != len(pattern):
        raise Unsupported("unbalanced parenthesis")
    return alternatives[0] if len(alternatives) == 1 else (_group(alternatives),)


@lru_cache(maxsize=512)
def _compiled(pattern: str, ignore_case: bool) -> re.Pattern | None:
    try:
        return re.compile(pattern, re.IGNORECASE if ignore_case else 0)
    except (re.error, RecursionError, OverflowError):
        return None


def _spell(choices: str, lo: int, hi: int, seed: int) -> str:
    """``seed`` written in the digits ``choices`` (between ``lo`` and ``hi`` characters long)."""
    digits, n = [], seed
    while len(choices) > 1:
        digits.append(choices[n % len(choices)])
        n //= len(choices)
        if n == 0:
            break
    digits = digits[:hi] or list(choices[:min(hi, 1)])
    return "".join(digits + [choices[0]] * (lo - len(digits)))


def _emit(items: tuple[Item, ...], seed: int, out: list[str]) -> None:
    for item in items:
        if isinstance(item, Chars):
            out.append(item.choices[0] if item.literal else item.choices[seed % len(item.choices)])
        elif isinstance(item, Repeat):
            hi = item.lo + UNBOUNDED if item.hi is None else min(item.hi, item.lo + UNBOUNDED)
            if isinstance(item.item, Chars):
                out.append(_spell(item.item.choices, max(item.lo, 1) if hi >= 1 else 0, hi, seed))
            else:
                for _ in range(item.lo):
                    _emit((item.item,), seed, out)
        else:  # a group: its first alternative
            _emit(item.alternatives[0], seed, out)


def regex_sample(pattern: str, seed: int, ignore_case: bool = False) -> str | None:
    """A string matching a (simple) regular expression, varied by ``seed``; None when unsure.

    Each repeated character class spells ``seed`` in the characters it allows, so samples for
    different seeds differ (unique columns with a format check get distinct values)."""
    pattern = to_python(pattern)
    compiled = _compiled(pattern, ignore_case)
    if compiled is None:
        return None
    try:
        tree = parse(pattern)
    except (Unsupported, IndexError):
        return None
    out: list[str] = []
    _emit(tree, seed, out)
    sample = "".join(out)
    return sample if compiled.search(sample) else None


def matches_all(patterns: list[tuple[str, bool]] | tuple[tuple[str, bool], ...], value: str) -> bool:
    """Does ``value`` match every (PostgreSQL pattern, case-insensitive) pair? A pattern Python cannot
    compile counts as matched: the server judges it."""
    for pattern, icase in patterns:
        compiled = _compiled(to_python(pattern), icase)
        if compiled is None:
            return True
        if not compiled.search(value):
            return False
    return True
