"""Load a task input from JSON or YAML into ``TaskInput``, with errors that point at the input.

Both formats are read into plain data plus a map of positions: for every field path, where its key
(or list item) starts, and where its value starts when the value is a scalar. JSON is read by a small
reader of our own (after ``json.loads`` has accepted the syntax), YAML from PyYAML's node tree; both
refuse duplicate keys. Every problem is then reported as file:line:column plus the field path, what
was expected and what was found, and a "did you mean" for misspelt keys and values.

Whatever the file holds, loading either returns a validated ``TaskInput`` or raises ``SpecError``:
syntax errors, duplicate keys, non-string keys, recursive or exploding YAML aliases, absurd nesting
and unreadable files are all reported as problems, never as tracebacks.
"""

from __future__ import annotations

import bisect
import difflib
import json
import json.decoder
import json.scanner
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from schemawright.errors import SpecError, SpecProblem
from schemawright.spec.models import TaskInput

PathKey = tuple[str | int, ...]

MAX_DEPTH = 64  # nesting levels; a task input needs about 6
MAX_NODES = 200_000  # YAML nodes visited, counting every alias expansion (stops "billion laughs")


def format_path(path: PathKey) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class SourceMap:
    """Input path -> (line, column), both 1-based.

    ``positions`` holds where each mapping key (or list item) starts; ``value_positions`` where the
    value starts, for scalar values only (a nested mapping or list is best pointed at by its key).
    """

    def __init__(self, file: str, positions: dict[PathKey, tuple[int, int]],
                 value_positions: dict[PathKey, tuple[int, int]] | None = None):
        self.file = file
        self.positions = positions
        self.value_positions = value_positions or {}

    def locate(self, path: PathKey, at_key: bool = False) -> tuple[int | None, int | None]:
        """Position of ``path`` (its scalar value unless ``at_key``), else of its nearest ancestor."""
        path = tuple(path)
        if not at_key and path in self.value_positions:
            return self.value_positions[path]
        for n in range(len(path), -1, -1):
            if path[:n] in self.positions:
                return self.positions[path[:n]]
        return None, None

    def problem(self, path: PathKey, message: str, *, at_key: bool = False, **kw: Any) -> SpecProblem:
        line, col = self.locate(path, at_key)
        return SpecProblem(message=message, file=self.file, line=line, column=col,
                           path=format_path(tuple(path)) or None, **kw)


# --- JSON --------------------------------------------------------------------------------------------

class _JsonReader:
    """Re-reads a document ``json.loads`` accepted, recording positions and duplicate keys."""

    _WS = re.compile(r"[ \t\n\r]*")

    def __init__(self, text: str, file: str):
        self.text = text
        self.file = file
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.positions: dict[PathKey, tuple[int, int]] = {}
        self.value_positions: dict[PathKey, tuple[int, int]] = {}
        self.problems: list[SpecProblem] = []

    def where(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.line_starts, offset) - 1
        return line + 1, offset - self.line_starts[line] + 1

    def skip(self, pos: int) -> int:
        return self._WS.match(self.text, pos).end()

    def value(self, pos: int, path: PathKey, depth: int) -> tuple[Any, int]:
        if depth > MAX_DEPTH:
            line, col = self.where(pos)
            raise SpecError(SpecProblem(message=f"the input is nested more than {MAX_DEPTH} levels deep",
                                        file=self.file, line=line, column=col, path=format_path(path) or None))
        ch = self.text[pos]
        if ch == "{":
            return self.obj(pos, path, depth)
        if ch == "[":
            return self.array(pos, path, depth)
        self.value_positions[path] = self.where(pos)
        if ch == '"':
            return json.decoder.scanstring(self.text, pos + 1, True)
        for word, val in (("true", True), ("false", False), ("null", None)):
            if self.text.startswith(word, pos):
                return val, pos + len(word)
        for word in ("NaN", "Infinity", "-Infinity"):
            if self.text.startswith(word, pos):
                line, col = self.where(pos)
                raise SpecError(SpecProblem(message=f"invalid JSON: {word} is not a JSON number", file=self.file,
                                            line=line, column=col, path=format_path(path) or None))
        m = json.scanner.NUMBER_RE.match(self.text, pos)
        integer, frac, exp = m.groups()
        if frac or exp:
            return float(integer + (frac or "") + (exp or "")), m.end()
        return int(integer), m.end()

    def obj(self, pos: int, path: PathKey, depth: int) -> tuple[dict, int]:
        out: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        pos = self.skip(pos + 1)
        if self.text[pos] == "}":
            return out, pos + 1
        while True:
            key_at = self.where(pos)
            key, pos = json.decoder.scanstring(self.text, pos + 1, True)
            if key in first_line:
                self.problems.append(SpecProblem(
                    message=f"duplicate key {key!r} (first at line {first_line[key]})", file=self.file,
                    line=key_at[0], column=key_at[1], path=format_path(path + (key,))))
            else:
                first_line[key] = key_at[0]
            pos = self.skip(self.skip(pos) + 1)  # the ':'
            out[key], pos = self.value(pos, path + (key,), depth + 1)
            self.positions[path + (key,)] = key_at
            pos = self.skip(pos)
            if self.text[pos] == "}":
                return out, pos + 1
            pos = self.skip(pos + 1)  # the ','

    def array(self, pos: int, path: PathKey, depth: int) -> tuple[list, int]:
        out: list[Any] = []
        pos = self.skip(pos + 1)
        if self.text[pos] == "]":
            return out, pos + 1
        while True:
            item_path = path + (len(out),)
            self.positions[item_path] = self.where(pos)
            item, pos = self.value(pos, item_path, depth + 1)
            out.append(item)
            pos = self.skip(pos)
            if self.text[pos] == "]":
                return out, pos + 1
            pos = self.skip(pos + 1)


def _parse_json(text: str, file: str) -> tuple[Any, SourceMap]:
    try:
        json.loads(text)  # the syntax check, with json's own messages; NaN/Infinity are refused below
    except json.JSONDecodeError as exc:
        message = exc.msg.removesuffix(" at")  # "Invalid control character at"
        raise SpecError(SpecProblem(message=f"invalid JSON: {message}", file=file, line=exc.lineno,
                                    column=exc.colno)) from None
    except RecursionError:
        raise SpecError(SpecProblem(message=f"the input is nested more than {MAX_DEPTH} levels deep",
                                    file=file)) from None
    reader = _JsonReader(text, file)
    start = reader.skip(0)
    reader.positions[()] = reader.where(start)
    data, _ = reader.value(start, (), 0)
    if reader.problems:
        raise SpecError(reader.problems)
    return data, SourceMap(file, reader.positions, reader.value_positions)


# --- YAML --------------------------------------------------------------------------------------------

class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps dates and times as the text written (no field of the input is a date)."""


_Loader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)

_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _YamlWalker:
    """Records positions, finds duplicate and non-string keys, and stops recursive or exploding aliases.

    Scalar keys are re-tagged as strings, so ``1:``, ``yes:`` or ``null:`` reach validation as the
    text written (and are reported as unknown keys) instead of as numbers, booleans or None.
    """

    def __init__(self, file: str):
        self.file = file
        self.positions: dict[PathKey, tuple[int, int]] = {}
        self.value_positions: dict[PathKey, tuple[int, int]] = {}
        self.problems: list[SpecProblem] = []
        self.visited = 0
        self.stack: set[int] = set()

    def fail(self, node: yaml.Node, path: PathKey, message: str) -> SpecError:
        line, col = _mark(node)
        return SpecError(SpecProblem(message=message, file=self.file, line=line, column=col,
                                     path=format_path(path) or None))

    def walk(self, node: yaml.Node, path: PathKey, depth: int = 0) -> None:
        self.visited += 1
        if self.visited > MAX_NODES:
            raise self.fail(node, path, f"the input expands to more than {MAX_NODES:,} values "
                            "(YAML aliases repeated too often)")
        if depth > MAX_DEPTH:
            raise self.fail(node, path, f"the input is nested more than {MAX_DEPTH} levels deep")
        if id(node) in self.stack:
            raise self.fail(node, path, "a YAML alias refers to a value that contains it (recursive alias)")
        if isinstance(node, yaml.ScalarNode):
            if node.value or node.style:  # an empty plain value ("key:") is best shown at its key
                self.value_positions.setdefault(path, _mark(node))
            return
        self.stack.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first_line: dict[str, int] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    line, col = _mark(key_node)
                    self.problems.append(SpecProblem(
                        message="a key must be plain text, not a list or mapping", file=self.file, line=line,
                        column=col, path=format_path(path) or None))
                    continue
                if key_node.tag == _MERGE_TAG:  # "<<: *base" merges another mapping's keys
                    self.walk(value_node, path, depth + 1)
                    continue
                key_node.tag = _STR_TAG
                key = key_node.value
                if key in first_line:
                    line, col = _mark(key_node)
                    self.problems.append(SpecProblem(
                        message=f"duplicate key {key!r} (first at line {first_line[key]})", file=self.file,
                        line=line, column=col, path=format_path(path + (key,))))
                    continue
                first_line[key] = _mark(key_node)[0]
                self.walk(value_node, path + (key,), depth + 1)
                self.positions[path + (key,)] = _mark(key_node)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                self.positions.setdefault(path + (i,), _mark(item))
                self.walk(item, path + (i,), depth + 1)
        self.stack.discard(id(node))


def _yaml_problem(exc: yaml.YAMLError, file: str) -> SpecProblem:
    return SpecProblem.from_yaml_error(exc, file)


def _parse_yaml(text: str, file: str) -> tuple[Any, SourceMap]:
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow anywhere (NUL, most controls)
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise SpecError(SpecProblem(message=f"invalid YAML: the character {chr(exc.character)!r} is not allowed "
                                    "in a YAML file", file=file, line=line, column=column)) from None
    try:
        try:
            root = loader.get_single_node()
        except yaml.YAMLError as exc:
            raise SpecError(_yaml_problem(exc, file)) from None
        except RecursionError:
            raise SpecError(SpecProblem(message=f"the input is nested more than {MAX_DEPTH} levels deep",
                                        file=file)) from None
        walker = _YamlWalker(file)
        if root is None:
            return None, SourceMap(file, {})
        walker.positions[()] = _mark(root)
        walker.walk(root, ())
        if walker.problems:
            raise SpecError(walker.problems)
        try:
            data = loader.construct_document(root)
        except yaml.YAMLError as exc:  # e.g. an unknown tag such as !!python/object
            raise SpecError(_yaml_problem(exc, file)) from None
    finally:
        loader.dispose()
    return data, SourceMap(file, walker.positions, walker.value_positions)


def _parse(text: str, file: str, is_json: bool) -> tuple[Any, SourceMap]:
    return _parse_json(text, file) if is_json else _parse_yaml(text, file)


# --- validation --------------------------------------------------------------------------------------

def _expand_shorthand(data: Any) -> set[PathKey]:
    """Plain-string attributes become ``{"name": ...}`` so one model validates both forms.

    Returns the paths of the expanded attributes, so errors about their ``name`` point at the string.
    """
    expanded: set[PathKey] = set()
    try:
        entities = data["data_model"]["entities"]
    except (KeyError, TypeError, IndexError):
        return expanded
    if not isinstance(entities, list):
        return expanded
    for i, entity in enumerate(entities):
        attrs = entity.get("attributes") if isinstance(entity, dict) else None
        if isinstance(attrs, list):
            for j, attr in enumerate(attrs):
                if isinstance(attr, str):
                    attrs[j] = {"name": attr}
                    expanded.add(("data_model", "entities", i, "attributes", j))
    return expanded


def _hoist_query_patterns(data: dict, smap: SourceMap) -> None:
    """``performance_targets.query_patterns`` (where a user naturally puts the queries a target is about)
    is the top-level ``query_patterns``: its items are appended there, and their positions move with
    them, so a problem in one is still located at the line it was written on."""
    perf = data.get("performance_targets")
    if not isinstance(perf, dict) or not isinstance(perf.get("query_patterns"), list):
        return
    top = data.get("query_patterns")
    if top is None:
        top = data["query_patterns"] = []
    if not isinstance(top, list):
        return  # the top-level one is not a list: its own error
    moved = perf.pop("query_patterns")
    old = ("performance_targets", "query_patterns")
    offset = len(top)
    top.extend(moved)
    for table in (smap.positions, smap.value_positions):
        for key in [k for k in table if k[:2] == old]:
            pos = table.pop(key)
            rest = key[2:]
            new = ("query_patterns",) + ((rest[0] + offset,) + rest[1:] if rest and isinstance(rest[0], int) else rest)
            table.setdefault(new, pos)


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
    if isinstance(value, str):
        text = repr(value)
    else:
        try:
            text = json.dumps(value, default=str)
        except (TypeError, ValueError, RecursionError):
            text = type(value).__name__
    return text if len(text) <= 60 else text[:57] + "..."


def _input_path(loc: tuple, data: Any, kind: str) -> PathKey:
    """The part of a pydantic ``loc`` that names places in the input.

    Union members and validators add tags such as ``str``, ``int`` or ``function-after[...]`` to a
    ``loc``; they are dropped by following the location through the data itself. A missing or
    unknown key is kept as the last part.
    """
    path: list[str | int] = []
    current = data
    for n, part in enumerate(loc):
        last = n == len(loc) - 1
        if isinstance(current, dict) and part in current or isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            path.append(part)
            current = current[part]
        elif last and kind in ("missing", "extra_forbidden"):
            path.append(part)
    return tuple(path)


_EXPECTED = {
    "model_type": "an object (key: value pairs)", "model_attributes_type": "an object (key: value pairs)",
    "dict_type": "an object (key: value pairs)", "list_type": "a list", "tuple_type": "a list",
    "set_type": "a list", "string_type": "a string", "string_unicode": "a string",
    "int_type": "a whole number", "int_parsing": "a whole number", "int_from_float": "a whole number",
    "float_type": "a number", "float_parsing": "a number", "finite_number": "a finite number",
    "bool_type": "true or false", "bool_parsing": "true or false", "none_required": "nothing (null)",
}


def _expected_of(err: dict) -> str | None:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind in _EXPECTED:
        return _EXPECTED[kind]
    if kind == "greater_than_equal":
        return f"a number >= {ctx.get('ge')}"
    if kind == "greater_than":
        return f"a number > {ctx.get('gt')}"
    if kind == "too_short":
        return f"at least {ctx.get('min_length')} item(s)"
    if kind == "literal_error":
        return ctx.get("expected")
    return None


def _problems_from(exc: ValidationError, data: Any, smap: SourceMap, expanded: set[PathKey]) -> list[SpecProblem]:
    grouped: dict[PathKey, list[dict]] = {}
    for err in exc.errors():
        path = _input_path(err["loc"], data, err["type"])
        if err["type"] != "extra_forbidden" and path[-1:] == ("name",) and path[:-1] in expanded:
            path = path[:-1]  # a plain-string attribute: the string itself is the name
        grouped.setdefault(path, []).append(err)
    problems = []
    for path, errors in grouped.items():
        problems += [_one_problem(path, err, smap, data) for err in errors if err["type"] in _ON_THEIR_OWN]
        # The rest are type errors; a union (default: str | int | ...) gives one per member: merge them.
        typed = [e for e in errors if e["type"] not in _ON_THEIR_OWN]
        if typed:
            expected = []
            if len(path) == 5 and path[:2] == ("data_model", "entities") and path[3] == "attributes":
                expected.append("an attribute name (a string)")
            for e in typed:
                what = _expected_of(e)
                if what and what not in expected:
                    expected.append(what)
            value = typed[0].get("input")
            got = _describe(value)
            if expected:
                message = "wrong type" if all(e["type"] in _EXPECTED for e in typed) else "value not allowed"
                hint = None
                if any(e["type"] == "string_type" for e in typed) and isinstance(value, (bool, int, float)):
                    hint = "put it in quotes to use it as text"  # YAML reads yes/no/on/off, 12, 1.5 as non-text
                problems.append(smap.problem(path, message, expected=" or ".join(expected), got=got, hint=hint))
            else:
                problems.append(smap.problem(path, typed[0]["msg"], got=got))
    return problems  # SpecError puts them in reading order


_ON_THEIR_OWN = frozenset({"missing", "extra_forbidden", "value_error", "assertion_error", "too_short",
                           "literal_error"})


def _split_by_a_comma(path: PathKey, data: Any) -> str | None:
    """The quoting hint for an unknown key that is the tail of a value split at a comma.

    In a YAML flow mapping ``{type: numeric(8,2)}`` the comma ends the value: YAML reads ``type: numeric(8``
    and a key ``2)``. Found when a sibling's text opens a bracket the unknown key closes.
    """
    parent = data
    for part in path[:-1]:
        try:
            parent = parent[part]
        except (KeyError, IndexError, TypeError):
            return None
    key = str(path[-1])
    if not isinstance(parent, dict) or parent.get(path[-1], "") is not None:
        return None
    for name, value in parent.items():
        if (isinstance(value, str) and value.count("(") > value.count(")")
                and key.count(")") > key.count("(")):
            return (f"a comma inside a {{...}} mapping ends the value: put the whole value in quotes, "
                    f"{name}: \"{value},{key}\"")
    return None


def _one_problem(path: PathKey, err: dict, smap: SourceMap, data: Any = None) -> SpecProblem:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        key = str(path[-1])
        model = _model_at(path[:-1])
        names = [f.alias or n for n, f in model.model_fields.items()] if model else []
        close = difflib.get_close_matches(key, names, n=1, cutoff=0.6)
        hint = _split_by_a_comma(path, data) or (
            f"did you mean {close[0]!r}?" if close else
            (f"allowed keys: {', '.join(sorted(names))}" if names else None))
        return smap.problem(path, f"unknown key {key!r}", at_key=True, hint=hint)
    if kind == "missing":
        return smap.problem(path, "required field is missing", at_key=True)
    if kind == "too_short":
        what = "at least one entity is required" if path == ("data_model", "entities") else "the list is empty"
        return smap.problem(path, what, expected=_expected_of(err), got=_describe(err.get("input")))
    if kind == "literal_error":
        allowed = re.findall(r"'((?:[^'\\]|\\.)*)'", str(ctx.get("expected", "")))
        value = err.get("input")
        close = difflib.get_close_matches(value, allowed, n=1, cutoff=0.5) if isinstance(value, str) else []
        return smap.problem(path, "value not allowed", expected=ctx.get("expected"), got=_describe(value),
                            hint=f"did you mean {close[0]!r}?" if close else None)
    error = ctx.get("error")  # our validators' messages already quote the value they refuse
    return smap.problem(path, str(error) if error is not None else err["msg"])


def _sniff_json(path: Path, text: str) -> bool:
    suffix = path.suffix.lower()
    if suffix == ".json":
        return True
    if suffix in (".yaml", ".yml"):
        return False
    return text.lstrip().startswith(("{", "["))


def load_task_input(path: str | Path) -> tuple[TaskInput, SourceMap]:
    """Read and validate a task input file. Raises SpecError with every problem found."""
    path = Path(path)
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SpecError(SpecProblem(message="file not found", file=file)) from None
    except IsADirectoryError:
        raise SpecError(SpecProblem(message="is a folder, not a task input file", file=file)) from None
    except UnicodeDecodeError as exc:
        raise SpecError(SpecProblem(message=f"the file is not UTF-8 text (byte {exc.start}: {exc.reason})",
                                    file=file)) from None
    except OSError as exc:
        raise SpecError(SpecProblem(message=f"cannot read file: {exc.strerror or exc}", file=file)) from None
    if not text.strip():
        raise SpecError(SpecProblem(message="the file is empty", file=file, expected="a task input object"))
    data, smap = _parse(text, file, _sniff_json(path, text))
    if not isinstance(data, dict):
        line, col = smap.locate(())
        raise SpecError(SpecProblem(message="the task input must be a mapping (JSON object)",
                                    file=file, line=line or 1, column=col or 1, expected="an object",
                                    got=_describe(data)))
    expanded = _expand_shorthand(data)
    _hoist_query_patterns(data, smap)
    try:
        spec = TaskInput.model_validate(data)
    except ValidationError as exc:
        raise SpecError(_problems_from(exc, data, smap, expanded)) from None
    return spec, smap
