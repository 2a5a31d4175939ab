"""The task inputs several test modules design, verify and bench one by one (examples/ and tests/inputs/),
and how their tests are grouped so that each input's work is done once (tests/conftest.py: ``designed_input``,
``verified_input``).

A test that uses the session's cache of one input's design or verification is parametrized with
``per_input``: an xdist group of its own per input (``--dist loadgroup``), so every test of that input runs on the
worker that holds the cache, and the inputs themselves spread over the workers."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SUFFIXES = (".json", ".yaml", ".yml")
EXAMPLES = sorted(p for p in (ROOT / "examples").iterdir() if p.suffix in SUFFIXES)
TASK_INPUTS = sorted(p for p in (ROOT / "tests" / "inputs").iterdir() if p.suffix in SUFFIXES)


def input_group(path: Path) -> str:
    """The xdist group of the tests that share ``path``'s cached design and verification."""
    return f"input-{path.parent.name}-{path.name}"


def per_input(paths: Iterable[Path], ids: Callable[[Path], str] = lambda p: p.name) -> list:
    """``paths`` as parameters, each in its input's xdist group."""
    return [pytest.param(p, id=ids(p), marks=pytest.mark.xdist_group(input_group(p))) for p in paths]
