"""Normalization theory on one relation: attribute closure, candidate keys, a minimal (canonical) cover, the
highest normal form (1NF-BCNF) with the dependency that violates the next one, Bernstein's 3NF synthesis and
a BCNF decomposition. Pure functions over attribute names, as in the textbooks (Silberschatz, Korth and
Sudarshan, *Database System Concepts*, ch. 7; Ullman and Widom).

A relation here is already in 1NF (the designer turns multi-valued attributes into child tables), so the
normal forms checked are 2NF (no non-prime attribute depends on part of a candidate key), 3NF (for every
X -> A, X is a superkey or A is prime) and BCNF (for every non-trivial X -> Y, X is a superkey).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Iterable


@dataclass(frozen=True)
class FD:
    lhs: frozenset[str]
    rhs: frozenset[str]

    @staticmethod
    def of(lhs: Iterable[str] | str, rhs: Iterable[str] | str) -> FD:
        as_set = (lambda v: frozenset(v.split()) if isinstance(v, str) else frozenset(v))
        return FD(as_set(lhs), as_set(rhs))

    def __str__(self) -> str:
        return f"{', '.join(sorted(self.lhs))} -> {', '.join(sorted(self.rhs))}"


def closure(attrs: Iterable[str], fds: Iterable[FD]) -> frozenset[str]:
    """Every attribute ``attrs`` determine under ``fds``."""
    result, fds = set(attrs), list(fds)
    changed = True
    while changed:
        changed = False
        for fd in fds:
            if fd.lhs <= result and not fd.rhs <= result:
                result |= fd.rhs
                changed = True
    return frozenset(result)


def is_superkey(attrs: Iterable[str], relation: frozenset[str], fds: Iterable[FD]) -> bool:
    return relation <= closure(attrs, fds)


def candidate_keys(relation: Iterable[str], fds: Iterable[FD]) -> list[frozenset[str]]:
    """Every minimal superkey, smallest first. Attributes on no right-hand side are in every key; the others
    are added by increasing size, skipping supersets of keys already found."""
    relation, fds = frozenset(relation), list(fds)
    on_right = frozenset().union(*(fd.rhs - fd.lhs for fd in fds)) if fds else frozenset()
    core = relation - on_right
    if is_superkey(core, relation, fds):
        return [core]
    rest = sorted(relation - core)
    keys: list[frozenset[str]] = []
    for size in range(1, len(rest) + 1):
        for extra in combinations(rest, size):
            candidate = core | frozenset(extra)
            if any(k <= candidate for k in keys):
                continue
            if is_superkey(candidate, relation, fds):
                keys.append(candidate)
    return sorted(keys, key=lambda k: (len(k), sorted(k)))


def minimal_cover(fds: Iterable[FD]) -> list[FD]:
    """A canonical cover: single attributes on the right, no extraneous left attribute, no redundant
    dependency; then dependencies with the same left side united (Bernstein's grouping)."""
    work = [FD(fd.lhs, frozenset({a})) for fd in fds for a in sorted(fd.rhs - fd.lhs)]
    # extraneous attributes on the left
    reduced = []
    for fd in work:
        lhs = set(fd.lhs)
        for a in sorted(fd.lhs):
            if len(lhs) > 1 and fd.rhs <= closure(lhs - {a}, work):
                lhs.discard(a)
        reduced.append(FD(frozenset(lhs), fd.rhs))
    # redundant dependencies (order kept, duplicates dropped)
    unique = list(dict.fromkeys(reduced))
    cover = list(unique)
    for fd in unique:
        others = [g for g in cover if g != fd]
        if fd.rhs <= closure(fd.lhs, others):
            cover = others
    grouped: dict[frozenset[str], set[str]] = {}
    for fd in cover:
        grouped.setdefault(fd.lhs, set()).update(fd.rhs)
    return [FD(lhs, frozenset(rhs)) for lhs, rhs in grouped.items()]


@dataclass
class NormalForm:
    form: str  # "1NF" | "2NF" | "3NF" | "BCNF"
    keys: list[frozenset[str]]
    violation: FD | None = None  # the dependency that keeps it from the next form
    why: str = ""


def normal_form(relation: Iterable[str], fds: Iterable[FD]) -> NormalForm:
    """The highest normal form of ``relation`` under ``fds``, with the violating dependency of the next."""
    relation, fds = frozenset(relation), [fd for fd in fds if fd.rhs - fd.lhs]
    keys = candidate_keys(relation, fds)
    prime = frozenset().union(*keys)
    nonprime = relation - prime
    for key in keys:  # 2NF: no non-prime attribute determined by a proper part of a key
        for size in range(1, len(key)):
            for part in combinations(sorted(key), size):
                partial = (closure(part, fds) & nonprime) - set(part)
                if partial:
                    fd = FD(frozenset(part), frozenset(partial))
                    return NormalForm("1NF", keys, fd, f"{', '.join(sorted(partial))} depend(s) on "
                                      f"{', '.join(part)}, a part of the key ({', '.join(sorted(key))}): "
                                      "a partial dependency")
    for fd in fds:  # 3NF: X -> A with X a superkey or A prime
        if is_superkey(fd.lhs, relation, fds):
            continue
        bad = (fd.rhs - fd.lhs) - prime
        if bad:
            return NormalForm("2NF", keys, FD(fd.lhs, frozenset(bad)),
                              f"{', '.join(sorted(bad))} depend(s) on {', '.join(sorted(fd.lhs))}, which is not a "
                              "key: a transitive dependency")
    for fd in fds:  # BCNF: every determinant a superkey
        if not is_superkey(fd.lhs, relation, fds):
            return NormalForm("3NF", keys, fd, f"{', '.join(sorted(fd.lhs))} determines "
                              f"{', '.join(sorted(fd.rhs - fd.lhs))} but is not a key (the dependent attributes "
                              "are part of a key, so 3NF holds)")
    return NormalForm("BCNF", keys, None, "every determinant is a key")


def synthesize_3nf(relation: Iterable[str], fds: Iterable[FD]) -> list[frozenset[str]]:
    """Bernstein's synthesis: one relation per dependency group of a canonical cover, a candidate key's
    relation if none holds a key, and relations contained in another removed. Lossless and dependency
    preserving."""
    relation, fds = frozenset(relation), list(fds)
    schemas: list[frozenset[str]] = [fd.lhs | fd.rhs for fd in minimal_cover(fds)]
    if not any(is_superkey(s, relation, fds) for s in schemas):
        schemas.append(candidate_keys(relation, fds)[0])
    covered = frozenset().union(*schemas) if schemas else frozenset()
    if relation - covered:  # attributes in no dependency: they go with a key
        schemas.append(candidate_keys(relation, fds)[0] | (relation - covered))
    out: list[frozenset[str]] = []
    for s in schemas:
        if any(s < t for t in schemas) or s in out:
            continue
        out.append(s)
    return out


def project(fds: Iterable[FD], attrs: frozenset[str]) -> list[FD]:
    """The dependencies that hold on ``attrs`` (closures of its subsets, restricted to it)."""
    fds, out = list(fds), []
    for size in range(1, len(attrs)):
        for lhs in combinations(sorted(attrs), size):
            rhs = (closure(lhs, fds) & attrs) - set(lhs)
            if rhs:
                out.append(FD(frozenset(lhs), frozenset(rhs)))
    return out


def bcnf_decompose(relation: Iterable[str], fds: Iterable[FD]) -> list[tuple[frozenset[str], FD | None]]:
    """A lossless BCNF decomposition: split on a violating X -> Y into (X+ ∩ R) and R - (X+ - X), repeatedly.
    Each part comes with the dependency it was split on (None for what remains). Dependencies may be lost."""
    todo, done = [(frozenset(relation), None)], []
    fds = list(fds)
    while todo:
        rel, why = todo.pop(0)
        local = project(fds, rel) if len(rel) <= 12 else [fd for fd in fds if fd.lhs | fd.rhs <= rel]
        bad = next((fd for fd in local if not is_superkey(fd.lhs, rel, local)), None)
        if bad is None:
            done.append((rel, why))
            continue
        left = closure(bad.lhs, local) & rel
        todo += [(left, bad), (rel - (left - bad.lhs), None)]
    return done
