"""Helpers over pglast parse trees shared by every layer (spec, design, importers, lint)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pglast import ast


def walk(node: Any) -> Iterator[ast.Node]:
    """Every pglast node under ``node`` (itself included), depth first."""
    if isinstance(node, (list, tuple)):
        for item in node:
            yield from walk(item)
    elif isinstance(node, ast.Node):
        yield node
        for attr in node:
            yield from walk(getattr(node, attr))
