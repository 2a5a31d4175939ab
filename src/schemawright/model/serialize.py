"""Schema <-> plain JSON-able dicts, driven by the dataclass fields (no per-class code)."""

from __future__ import annotations

import dataclasses
import enum
import operator
import sys
import types
import typing
from functools import cache

from schemawright.model import schema as m
from schemawright.model import types as model_types

FORMAT_VERSION = 1


@cache
def _defaults(cls) -> tuple[tuple[str, object], ...]:
    return tuple((f.name, f.default if f.default is not dataclasses.MISSING else (
        f.default_factory() if f.default_factory is not dataclasses.MISSING else dataclasses.MISSING))
        for f in dataclasses.fields(cls))


_SCALARS = frozenset({str, int, float, bool, type(None)})


@cache
def _plan(cls) -> tuple | None:
    """(fetch every field at once, field names, their defaults) for a dataclass type, None for any other
    type (asked once per type)."""
    if not dataclasses.is_dataclass(cls):
        return None
    names = tuple(name for name, _ in _defaults(cls))
    fetch = operator.attrgetter(*names) if len(names) > 1 else (lambda obj: tuple(getattr(obj, n) for n in names))
    return fetch, names, tuple(default for _, default in _defaults(cls))


def to_dict(obj):
    """A dataclass tree as dicts/lists/scalars; fields equal to their default are left out."""
    cls = type(obj)
    if cls in _SCALARS:
        return obj
    plan = _plan(cls)
    if plan is not None:
        fetch, names, defaults = plan
        return {name: value if type(value) in _SCALARS else to_dict(value)
                for name, value, default in zip(names, fetch(obj), defaults) if value != default}
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, (list, tuple)):
        return [v if type(v) in _SCALARS else to_dict(v) for v in obj]
    if isinstance(obj, dict):
        return {k: to_dict(v) for k, v in obj.items() if not str(k).startswith("_")}
    return obj


@cache
def _hints(cls) -> dict:
    return typing.get_type_hints(cls, vars(m) | vars(model_types) | vars(sys.modules[cls.__module__]))


def _build(hint, value):
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return _build(options[0], value) if len(options) == 1 else value
    if origin in (list, tuple):
        args = typing.get_args(hint)
        items = [_build(args[0], v) for v in value]
        return tuple(items) if origin is tuple else items
    if origin is dict:
        return dict(value)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint(value)
    if dataclasses.is_dataclass(hint):
        return from_dict(hint, value)
    return value


def from_dict(cls, data: dict):
    """Rebuild a dataclass (and everything inside it) from ``to_dict`` output."""
    hints = _hints(cls)
    kwargs = {f.name: _build(hints[f.name], data[f.name]) for f in dataclasses.fields(cls) if f.name in data}
    return cls(**kwargs)


def schema_to_json(schema: m.Schema) -> dict:
    return {"format": "schemawright.schema", "version": FORMAT_VERSION, "schema": to_dict(schema)}


def schema_from_json(data: dict) -> m.Schema:
    if data.get("format") != "schemawright.schema":
        raise ValueError("not a schemawright schema file")
    body = data["schema"]
    if "settings" in body:  # written before the typed facts: the same facts as an untyped dict
        body = {k: v for k, v in body.items() if k != "settings"} | _legacy_facts(body["settings"])
    return from_dict(m.Schema, body)


def _legacy_facts(legacy: dict) -> dict:
    """``{"facts": ..., "schemas": ...}`` from the ``settings`` dict of a model JSON written before
    ``Schema.facts`` existed."""
    keys = ("latency_targets", "data_classification", "performance_targets", "query_patterns")
    facts: dict = {k: legacy[k] for k in keys if legacy.get(k) is not None}
    if legacy.get("project"):
        facts["project"] = {"name": legacy["project"]}
    if legacy.get("scale"):
        facts["scale"] = {"name": legacy["scale"], "default_rows": legacy.get("default_rows", 1_000_000)}
    if isinstance(legacy.get("tenancy"), dict):
        facts["tenancy"] = legacy["tenancy"]
    if isinstance(legacy.get("security"), dict):
        security = dict(legacy["security"])
        security["session_settings"] = security.pop("settings", None) or {}
        facts["security"] = security
    out: dict = {"facts": facts}
    if legacy.get("schemas"):
        out["schemas"] = list(legacy["schemas"])
    return out
