"""Glob patterns of the naming rules: ``{table}`` stands for the table's name."""

from __future__ import annotations

import fnmatch
import re

from schemawright.model.names import shorten
from schemawright.model.schema import Table


def matches(name: str, pattern: str, table: Table | None = None) -> bool:
    glob = pattern.replace("{table}", _escape(table.name)) if table is not None else pattern
    return fnmatch.fnmatchcase(name, glob)


def expected_name(pattern: str, table: Table, columns) -> str:
    """A name that fits ``pattern``: ``{table}`` filled in and the ``*`` replaced by the columns."""
    words = "_".join(re.sub(r"\W+", "_", str(c)).strip("_") for c in columns) or "x"
    head, star, tail = pattern.replace("{table}", table.name).partition("*")
    if star and head and not head.endswith("_"):
        words = "_" + words
    return shorten(head + (words if star else "") + tail.replace("*", ""))


def _escape(text: str) -> str:
    return re.sub(r"([\[\]*?])", r"[\1]", text)
