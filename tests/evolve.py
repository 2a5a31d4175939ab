"""Change a task input the way a team evolves its schema (issue 13's "done when"): an added NOT NULL column
without a default, an added entity, a column renamed with ``renamed_from``, a widened varchar. Works on any
example or tests/inputs file; says what it changed."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import yaml

from schemawright.api import design_schema
from schemawright.model.names import plural
from schemawright.model.types import Kind


def load(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    return json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)


def _name(attr) -> str:
    return attr if isinstance(attr, str) else attr["name"]


def evolve(path: Path) -> tuple[dict, list[str]]:
    """The changed input and the list of what changed."""
    spec = load(path)
    _, schema = design_schema(path)
    new = copy.deepcopy(spec)
    entities = new["data_model"]["entities"]
    text = json.dumps(spec)
    done = []
    tables = {t.name: t for t in schema.tables}

    def table_of(entity: dict):
        name = entity["name"].lower().replace(" ", "_")
        return tables.get(name) or tables.get(plural(name))

    # the first entity with a table of the same name holds the column changes
    target = next((e for e in entities if e.get("attributes") and table_of(e) is not None), entities[0])
    table = table_of(target)
    attrs = target.setdefault("attributes", [])
    attrs.append({"name": "h13_note", "type": "text", "nullable": False, "description": "added NOT NULL, no default"})
    done.append(f"{target['name']}.h13_note text NOT NULL (no default)")

    # rename: an attribute named once in the whole input (no rule, index or pattern mentions it), typed explicitly
    # so that the new name does not change its inferred type
    for i, attr in enumerate(attrs[:-1]):
        name = _name(attr)
        col = table.column(name) if table is not None else None
        if col is None or len(re.findall(rf"\b{re.escape(name)}\b", text)) != 1 or col.type.kind == Kind.ENUM:
            continue
        if col.pii or col.encrypt or col.default is not None or not col.nullable:
            continue
        renamed = dict(attr) if isinstance(attr, dict) else {"name": name}
        from schemawright.dialects.postgres import type_sql  # test helper: the type as the input writes it
        renamed.update(name=f"{name}_v2", renamed_from=name, type=type_sql(col.type))
        attrs[i] = renamed
        done.append(f"{target['name']}.{name} renamed to {name}_v2")
        break

    # widen: a varchar(n) attribute typed explicitly in the input
    for entity in entities:
        for i, attr in enumerate(entity.get("attributes") or ()):
            if isinstance(attr, dict) and isinstance(attr.get("type"), str) and attr["name"] != "h13_note":
                m = re.fullmatch(r"\s*varchar\s*\(\s*(\d+)\s*\)\s*", attr["type"], re.IGNORECASE)
                if m and not attr.get("renamed_from"):
                    entity["attributes"][i] = {**attr, "type": f"varchar({int(m.group(1)) * 2})"}
                    done.append(f"{entity['name']}.{attr['name']} varchar({m.group(1)}) -> varchar({int(m.group(1)) * 2})")
                    break
        else:
            continue
        break

    if not any("->" in d for d in done):  # else: a designed varchar(n) or numeric(p, s) column, typed explicitly wider
        for entity in entities:
            t = table_of(entity)
            for i, attr in enumerate(entity.get("attributes") or ()):
                col = t.column(_name(attr)) if t is not None else None
                if col is None or col.type.array_dims or (isinstance(attr, dict) and attr.get("renamed_from")) \
                        or _name(attr) == "h13_note":
                    continue
                if col.type.kind == Kind.VARCHAR and col.type.length:
                    wider = f"varchar({col.type.length * 2})"
                elif col.type.kind == Kind.NUMERIC and col.type.precision:
                    wider = f"numeric({col.type.precision + 4},{col.type.scale or 0})"
                else:
                    continue
                kept = {k: v for k, v in attr.items() if k != "max_length"} if isinstance(attr, dict) else {"name": attr}
                entity["attributes"][i] = {**kept, "type": wider}  # max_length is the old type: it would contradict
                done.append(f"{entity['name']}.{_name(attr)} {col.type.kind}({col.type.length or col.type.precision}) "
                            f"-> {wider}")
                break
            else:
                continue
            break

    entities.append({"name": "h13_extra", "description": "added entity",
                     "attributes": [{"name": "label", "type": "text", "nullable": False}, "noted_at"]})
    done.append("entity h13_extra added")
    return new, done


def write(spec: dict, path: Path) -> Path:
    path.write_text(json.dumps(spec, indent=1), encoding="utf-8")
    return path
