"""Free text -> task input through an OpenAI-compatible chat-completions endpoint (optional model assist).

The endpoint is named by the environment: ``SCHEMAWRIGHT_LLM_BASE_URL`` (e.g. ``https://api.openai.com/v1``,
``http://localhost:11434/v1`` for Ollama), ``SCHEMAWRIGHT_LLM_MODEL`` and, when it needs one,
``SCHEMAWRIGHT_LLM_API_KEY`` (never written anywhere; ``OPENAI_BASE_URL``/``OPENAI_API_KEY`` are read as
fallbacks). The model's proposal is treated exactly like a hand-written input: it must pass the loader's
validation and the designer; when it does not, the errors (file:line, field, expected vs got) are sent
back once for a corrected proposal, and a second failure is reported, nothing written. The deterministic
path (task input -> design) never needs a model.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from schemawright.errors import SchemawrightError, SpecError

SYSTEM_PROMPT = """You are a database architect. Turn the user's description into a schemawright task input
(YAML): project {name, type, scale}, task {description, requirements: [...], acceptance_criteria: [...]},
data_model {entities: [{name, type, description, attributes: [names or {name, type, nullable, unique, values,
references, check}], estimated_rows}], relationships: [{from, to, type, foreign_key}], business_rules:
[{name, description, entity, check}]}, performance_targets, security_requirements. Use snake_case plural
entity names. Put each business need in task.requirements, one per line. Answer with the YAML only."""


class DraftError(SchemawrightError):
    """The endpoint could not be reached, or its proposals did not pass validation."""


@dataclass
class Endpoint:
    base_url: str
    model: str
    api_key: str | None = None
    timeout: float = 120.0


@dataclass
class DraftResult:
    text: str  # the accepted task input (YAML or JSON text)
    attempts: int
    tables: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # of the rejected proposals


def endpoint_from_env(env=os.environ) -> Endpoint:
    base = env.get("SCHEMAWRIGHT_LLM_BASE_URL") or env.get("OPENAI_BASE_URL")
    model = env.get("SCHEMAWRIGHT_LLM_MODEL") or env.get("OPENAI_MODEL")
    if not base or not model:
        raise DraftError("draft needs an OpenAI-compatible endpoint: set SCHEMAWRIGHT_LLM_BASE_URL (e.g. "
                         "http://localhost:11434/v1) and SCHEMAWRIGHT_LLM_MODEL, and SCHEMAWRIGHT_LLM_API_KEY if it "
                         "needs a key")
    if not base.startswith(("http://", "https://")):
        raise DraftError(f"SCHEMAWRIGHT_LLM_BASE_URL must be an http(s) URL, got {base[:60]!r}")
    return Endpoint(base.rstrip("/"), model, env.get("SCHEMAWRIGHT_LLM_API_KEY") or env.get("OPENAI_API_KEY"))


def _chat(endpoint: Endpoint, messages: list[dict]) -> str:
    body = json.dumps({"model": endpoint.model, "messages": messages, "temperature": 0}).encode()
    headers = {"Content-Type": "application/json"}
    if endpoint.api_key:
        headers["Authorization"] = f"Bearer {endpoint.api_key}"
    request = urllib.request.Request(f"{endpoint.base_url}/chat/completions", data=body, headers=headers,
                                     method="POST")
    try:
        with urllib.request.urlopen(request, timeout=endpoint.timeout) as response:  # noqa: S310 (http(s) checked)
            data = json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        raise DraftError(f"the endpoint {endpoint.base_url} answered HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise DraftError(f"cannot reach {endpoint.base_url}: {getattr(exc, 'reason', exc)}") from None
    except ValueError:
        raise DraftError(f"the endpoint {endpoint.base_url} did not answer JSON") from None
    try:
        return data["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise DraftError(f"the endpoint {endpoint.base_url} answered no choices[0].message.content") from None


_FENCE = re.compile(r"```(?:ya?ml|json)?\s*\n(.*?)```", re.DOTALL)


def _extract(reply: str) -> str:
    """The task input in a reply: the first fenced block, or the whole reply."""
    found = _FENCE.search(reply)
    return (found.group(1) if found else reply).strip() + "\n"


def _check(text: str) -> list[str]:
    """Problems of a proposed task input: validation and design, as the CLI would report them."""
    from schemawright.design import design
    from schemawright.spec.load import load_task_input

    with tempfile.TemporaryDirectory(prefix="schemawright-draft-") as tmp:
        path = Path(tmp) / "proposal.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            spec, smap = load_task_input(path)
            design(spec, smap)
        except SpecError as exc:
            return [str(p).replace(str(path), "proposal") for p in exc.problems]
    return []


def draft_task_input(description: str, endpoint: Endpoint | None = None, *, attempts: int = 2) -> DraftResult:
    """Ask the endpoint for a task input describing ``description``; return the first proposal that passes
    validation and design (the errors of a rejected one are sent back for a correction)."""
    if not description.strip():
        raise DraftError("draft needs a description of the data (free text)")
    endpoint = endpoint or endpoint_from_env()
    messages = [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": description}]
    rejected: list[str] = []
    for attempt in range(1, attempts + 1):
        reply = _chat(endpoint, messages)
        text = _extract(reply)
        problems = _check(text)
        if not problems:
            from schemawright.design import design
            from schemawright.spec.load import load_task_input

            with tempfile.TemporaryDirectory(prefix="schemawright-draft-") as tmp:
                path = Path(tmp) / "proposal.yaml"
                path.write_text(text, encoding="utf-8")
                spec, smap = load_task_input(path)
                tables = [t.name for t in design(spec, smap).tables]
            return DraftResult(text=text, attempts=attempt, tables=tables, problems=rejected)
        rejected += problems
        messages += [{"role": "assistant", "content": reply},
                     {"role": "user", "content": "That task input is invalid:\n" + "\n".join(problems)
                      + "\nAnswer with the corrected YAML only."}]
    raise DraftError(f"the model's proposals did not pass validation after {attempts} attempts:\n  "
                     + "\n  ".join(rejected))
