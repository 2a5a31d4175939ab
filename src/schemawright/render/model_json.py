"""models/physical/schema.json: the canonical model itself, for verify, diff and other tools."""

from __future__ import annotations

from schemawright.project.layout import MODEL_PATH, model_text
from schemawright.render import Artifact, RenderContext, Renderer

__all__ = ["MODEL_PATH", "ModelJson"]


class ModelJson(Renderer):
    name = "model_json"
    dialects = ("postgresql", "mysql", "sqlite", "mongodb")

    def render(self, ctx: RenderContext) -> list[Artifact]:
        return [Artifact(MODEL_PATH, model_text(ctx.schema), "schema",
                         "The canonical schema model (JSON) that verify compares with",
                         text_elsewhere="JSON data: read the file (the report summarises the model)")]
