"""Input problems from different design steps are reported together, and no malformed input crashes."""

from __future__ import annotations

import json
import random
from pathlib import Path

import yaml

from schemawright.api import design_schema
from schemawright.errors import SpecError

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.*"))
GARBAGE = ["intgr", "", "x > ", "nope", "users; DROP TABLE x", "ghost", "1e999", None, 5, "price >= 0", "id"]


def _write(tmp_path, spec) -> Path:
    path = tmp_path / "input.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    return path


def test_problems_of_several_steps_come_in_one_report(tmp_path):
    spec = {"data_model": {
        "entities": [{"name": "users", "attributes": ["id", {"name": "age", "type": "intgr"}]},
                     {"name": "orders", "attributes": ["id", "user_id", {"name": "qty", "type": "integer",
                                                                          "check": "nope > 1"}]}],
        "relationships": [{"from": "orders", "to": "ghosts"}],
        "business_rules": [{"name": "positive", "entity": "orders", "check": "total >= 0"}]}}
    try:
        design_schema(_write(tmp_path, spec))
    except SpecError as exc:
        text = str(exc)
    else:
        raise AssertionError("the input is invalid")
    for expected in ("unsupported type 'intgr'", "unknown entity 'ghosts'", "unknown column 'nope'",
                     "unknown column 'total'"):
        assert expected in text, text


def _mutate(rng: random.Random, data: dict) -> None:
    entities = data["data_model"]["entities"]
    for _ in range(rng.randint(1, 4)):
        entity = rng.choice(entities)
        attrs = entity.setdefault("attributes", [])
        kind = rng.randint(0, 4)
        if kind == 0 and attrs:
            i = rng.randrange(len(attrs))
            attr = attrs[i] if isinstance(attrs[i], dict) else {"name": attrs[i]}
            attr[rng.choice(["type", "check", "default", "references", "values"])] = rng.choice(GARBAGE)
            attrs[i] = attr
        elif kind == 1 and data["data_model"].get("relationships"):
            rel = rng.choice(data["data_model"]["relationships"])
            rel[rng.choice(["to", "from", "foreign_key", "through"])] = rng.choice(GARBAGE)
        elif kind == 2:
            entity["primary_key"] = [rng.choice(["id", "nope", "email"])]
        elif kind == 3:
            entities.append(json.loads(json.dumps(rng.choice(entities))))
        else:
            entity["tenant_column"] = rng.choice(["organization_id", "nope", "id"])


def test_mutated_examples_give_a_design_or_a_spec_error(tmp_path):
    rng = random.Random(7)
    for _ in range(60):
        example = rng.choice(EXAMPLES)
        text = example.read_text(encoding="utf-8")
        data = json.loads(text) if example.suffix == ".json" else yaml.safe_load(text)
        _mutate(rng, data)
        try:
            design_schema(_write(tmp_path, data))
        except SpecError:
            pass  # anything else (an internal error) fails the test
