"""Load a task input from JSON or YAML into ``TaskInput``, with errors that point at the input.

Positions come from PyYAML's node tree (JSON is parsed by the same composer, which also catches
duplicate keys), so every problem is reported as file:line:column plus the field path, what was
expected and what was found, and a "did you mean" for misspelt keys.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from schemawright.errors import SpecError, SpecProblem
from schemawright.spec.models import TaskInput

PathKey = tuple[str | int, ...]


def format_path(path: PathKey) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class SourceMap:
    """Input path -> (line, column), both 1-based."""

    def __init__(self, file: str, positions: dict[PathKey, tuple[int, int]]):
        self.file = file
        self.positions = positions

    def locate(self, path: PathKey) -> tuple[int | None, int | None]:
        """Position of ``path`` or of its nearest ancestor that exists in the file."""
        for n in range(len(path), -1, -1):
            if path[:n] in self.positions:
                return self.positions[path[:n]]
        return None, None

    def problem(self, path: PathKey, message: str, **kw: Any) -> SpecProblem:
        line, col = self.locate(path)
        return SpecProblem(message=message, file=self.file, line=line, column=col,
                           path=format_path(path) or None, **kw)


def _walk_nodes(node: yaml.Node, path: PathKey, positions: dict, problems: list[str]) -> None:
    positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                problems.append((path + (key,), key_node.start_mark.line + 1, key_node.start_mark.column + 1,
                                 f"duplicate key {key!r} (first at line {seen[key]})"))
            seen[key] = key_node.start_mark.line + 1
            positions[path + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            _walk_nodes(value_node, path + (key,), positions, problems)
            positions[path + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk_nodes(item, path + (i,), positions, problems)


def _parse(text: str, file: str, is_json: bool) -> tuple[Any, SourceMap]:
    if is_json:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SpecError(SpecProblem(message=f"invalid JSON: {exc.msg}", file=file, line=exc.lineno,
                                        column=exc.colno)) from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        if is_json:  # valid JSON that PyYAML's composer cannot place (rare): no positions
            return data, SourceMap(file, {})
        mark = getattr(exc, "problem_mark", None)
        raise SpecError(SpecProblem(
            message=f"invalid YAML: {getattr(exc, 'problem', None) or exc}", file=file,
            line=mark.line + 1 if mark else None, column=mark.column + 1 if mark else None)) from None
    positions: dict[PathKey, tuple[int, int]] = {}
    dupes: list = []
    if root is not None:
        _walk_nodes(root, (), positions, dupes)
    if dupes:
        raise SpecError([SpecProblem(message=m, file=file, line=ln, column=col, path=format_path(p))
                         for p, ln, col, m in dupes])
    if not is_json:
        data = yaml.safe_load(text)
    return data, SourceMap(file, positions)


def _expand_shorthand(data: Any) -> None:
    """Plain-string attributes become ``{"name": ...}`` so one model validates both forms."""
    try:
        entities = data["data_model"]["entities"]
    except (KeyError, TypeError):
        return
    if not isinstance(entities, list):
        return
    for entity in entities:
        attrs = entity.get("attributes") if isinstance(entity, dict) else None
        if isinstance(attrs, list):
            entity["attributes"] = [{"name": a} if isinstance(a, str) else a for a in attrs]


def _model_at(path: PathKey) -> type[BaseModel] | None:
    """The pydantic model that owns the mapping at ``path`` (for "did you mean" suggestions)."""
    model: Any = TaskInput
    for part in path:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part) or next(
            (f for f in model.model_fields.values() if f.alias == part), None)
        if field is None:
            return None
        model = _model_class(field.annotation)
        if model is None:
            return None
    return model


def _model_class(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_class(arg)
        if found:
            return found
    return None


def _describe(value: Any) -> str:
    text = json.dumps(value, default=str) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _problems_from(exc: ValidationError, smap: SourceMap) -> list[SpecProblem]:
    problems = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p in ("function-after[_check_identifier(), str]",)))
        path: PathKey = tuple(loc)
        kind = err["type"]
        if kind == "extra_forbidden":
            key = str(path[-1])
            model = _model_at(path[:-1])
            names = [f.alias or n for n, f in model.model_fields.items()] if model else []
            close = difflib.get_close_matches(key, names, n=1)
            problems.append(smap.problem(path, f"unknown key {key!r}",
                                         hint=f"did you mean {close[0]!r}?" if close else
                                         (f"allowed keys: {', '.join(sorted(names))}" if names else None)))
        elif kind == "missing":
            problems.append(smap.problem(path, "required field is missing"))
        elif kind == "literal_error":
            problems.append(smap.problem(path, "value not allowed", expected=err["ctx"]["expected"],
                                         got=_describe(err.get("input"))))
        elif kind == "value_error":
            problems.append(smap.problem(path, str(err["ctx"]["error"])))
        else:
            problems.append(smap.problem(path, err["msg"], got=_describe(err.get("input"))))
    return problems


def load_task_input(path: str | Path) -> tuple[TaskInput, SourceMap]:
    """Read and validate a task input file. Raises SpecError with every problem found."""
    path = Path(path)
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(SpecProblem(message="file not found", file=file)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(SpecProblem(message=f"cannot read file: {exc}", file=file)) from None
    is_json = path.suffix.lower() == ".json" or text.lstrip().startswith("{")
    data, smap = _parse(text, file, is_json)
    if not isinstance(data, dict):
        raise SpecError(SpecProblem(message="the task input must be a mapping (JSON object)",
                                    file=file, line=1, column=1, expected="object",
                                    got=type(data).__name__))
    _expand_shorthand(data)
    try:
        spec = TaskInput.model_validate(data)
    except ValidationError as exc:
        raise SpecError(_problems_from(exc, smap)) from None
    return spec, smap
