"""The JSON Schema of the task input (docs/schemas/task_input.schema.json), for editor completion and
validation: generated from the pydantic models, plus the shorthands the loader expands before them
(an attribute may be a plain string, its name; ``conventions: false`` turns every switch off)."""

from __future__ import annotations

import copy
import json

from schemawright.spec.models import TaskInput

SCHEMA_ID = "https://schemawright.dev/schemas/task_input.schema.json"


def task_input_schema() -> dict:
    schema = copy.deepcopy(TaskInput.model_json_schema(by_alias=True))
    defs = schema.get("$defs", {})
    entity = defs.get("Entity", {}).get("properties", {})
    attrs = entity.get("attributes")
    if attrs and "items" in attrs:
        attrs["items"] = {"anyOf": [{"type": "string", "description": "an attribute given by its name alone"},
                                    attrs["items"]]}
    project_type = defs.get("Project", {}).get("properties", {}).get("type")
    if project_type is not None and "enum" in project_type:  # a word of one's own domain is read as 'other'
        known = {k: project_type.pop(k) for k in ("enum", "type") if k in project_type}
        project_type["anyOf"] = [known, {"type": "string", "pattern": r"^[A-Za-z][A-Za-z0-9_ -]{1,59}$",
                                         "description": "a domain of one's own (transport, logistics...): read as "
                                         "'other'"}]
    perf = defs.get("PerformanceTargets", {}).get("properties")
    if perf is not None and "QueryPattern" in defs:  # the loader moves them to the top-level query_patterns
        perf["query_patterns"] = {"type": "array", "items": {"$ref": "#/$defs/QueryPattern"},
                                  "description": "the same as the top-level query_patterns"}
    conventions = schema.get("properties", {}).get("conventions")
    if conventions is not None:
        schema["properties"]["conventions"] = {"anyOf": [{"type": "boolean"}, conventions],
                                               "description": "false turns every convention off"}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID,
            "title": "schemawright task input", **schema}


def main() -> None:  # python -m schemawright.spec.json_schema > docs/schemas/task_input.schema.json
    print(json.dumps(task_input_schema(), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
