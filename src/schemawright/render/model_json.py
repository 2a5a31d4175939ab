"""models/physical/schema.json: the canonical model itself, for verify, diff and other tools."""

from __future__ import annotations

import json

from schemawright.model.serialize import schema_to_json
from schemawright.render import Artifact, RenderContext, Renderer

MODEL_PATH = "models/physical/schema.json"


class ModelJson(Renderer):
    name = "model_json"

    def render(self, ctx: RenderContext) -> list[Artifact]:
        text = json.dumps(schema_to_json(ctx.schema), ensure_ascii=False, separators=(",", ":")) + "\n"
        return [Artifact(MODEL_PATH, text, "schema", "The canonical schema model (JSON) that verify compares with")]
