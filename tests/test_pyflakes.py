"""pyflakes finds nothing in src/: no unused import or variable, no f-string without a placeholder, no
undefined name. A finding fails the suite with pyflakes' own file:line message."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _pyflakes(target: Path) -> subprocess.CompletedProcess:
    try:
        import pyflakes  # noqa: F401
    except ImportError:
        pytest.fail("pyflakes is missing: install the test extras (pip install -e '.[test]')")
    return subprocess.run([sys.executable, "-m", "pyflakes", str(target)], capture_output=True, text=True,
                          timeout=300, check=False)


def test_pyflakes_finds_nothing_in_src():
    result = _pyflakes(ROOT / "src")
    assert result.returncode == 0, result.stdout + result.stderr


def test_pyflakes_would_report_a_finding(tmp_path):
    """The check above can fail: pyflakes reports an unused import in a file like ours."""
    bad = tmp_path / "bad.py"
    bad.write_text("import os\nx = f'no placeholder'\n")
    result = _pyflakes(bad)
    assert result.returncode != 0
    assert "'os' imported but unused" in result.stdout and "f-string is missing placeholders" in result.stdout
