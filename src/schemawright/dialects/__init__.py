"""SQL dialects. Add one: a module defining a ``Dialect`` subclass, plus its module name below."""

from __future__ import annotations

import importlib

from schemawright.dialects.base import REGISTRY, Dialect

DIALECTS = ("postgres",)


def get_dialect(name: str = "postgresql") -> Dialect:
    for module in DIALECTS:
        importlib.import_module(f"schemawright.dialects.{module}")
    try:
        return REGISTRY[name]()
    except KeyError:
        raise ValueError(f"unknown dialect {name!r} (known: {', '.join(sorted(REGISTRY))})") from None


__all__ = ["DIALECTS", "Dialect", "get_dialect"]
