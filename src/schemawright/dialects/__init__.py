"""SQL dialects. Add one: a module defining a ``Dialect`` subclass, plus its module name below."""

from __future__ import annotations

import importlib
from functools import cache

from schemawright.dialects.base import REGISTRY, Dialect
from schemawright.model.types import DataType

DIALECTS = ("postgres", "mysql", "sqlite", "citus")


# The task input's project.database_type -> the dialect that writes it (None: no relational output).
DATABASE_TYPES = {"postgresql": "postgresql", "citus": "citus", "mysql": "mysql", "mariadb": "mysql",
                  "sqlite": "sqlite", "mongodb": "mongodb"}
CHOICES = ("postgresql", "mysql", "sqlite", "citus", "mongodb")  # what --dialect accepts (mariadb: alias of mysql)


def get_dialect(name: str = "postgresql") -> Dialect:
    for module in DIALECTS:
        importlib.import_module(f"schemawright.dialects.{module}")
    try:
        return REGISTRY[name]()
    except KeyError:
        raise ValueError(f"unknown dialect {name!r} (known: {', '.join(sorted(REGISTRY))})") from None


@cache
def _shared(name: str) -> Dialect:
    return get_dialect(name)


def type_sql(t: DataType, dialect: str = "postgresql") -> str:
    """A model type as ``dialect`` writes it (``varchar(200)``, ``integer[]``...)."""
    return _shared(dialect).type_sql(t)


__all__ = ["CHOICES", "DATABASE_TYPES", "DIALECTS", "Dialect", "get_dialect", "type_sql"]
