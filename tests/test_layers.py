"""The layers of the package (pyproject.toml [tool.importlinter], docs/DESIGN.md "Layers") hold: an import
that runs the wrong way fails the suite."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(src: Path, config: Path) -> subprocess.CompletedProcess:
    if not LINT_IMPORTS.exists():
        pytest.fail(f"{LINT_IMPORTS} is missing: install the test extras (pip install -e '.[test]')")
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--config", str(config)], cwd=src.parent, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def test_the_layers_contracts_are_kept():
    result = _lint_imports(ROOT / "src", ROOT / "pyproject.toml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
    for contract in ("Layers:", "No terminal UI", "Features reach a dialect", "The CLI is a thin layer"):
        assert contract in result.stdout


@pytest.mark.parametrize(("module", "bad_import", "broken"), [
    ("render/security_docs.py", "import schemawright.verify.runner", "schemawright.render.security_docs -> schemawright.verify.runner"),
    ("model/names.py", "import schemawright.design", "schemawright.model.names -> schemawright.design"),
    ("project/layout.py", "import rich", "schemawright.project.layout -> rich"),
    ("diff/compare.py", "import schemawright.dialects.postgres", "schemawright.diff.compare -> schemawright.dialects.postgres"),
    ("cli/seed.py", "import schemawright.seed.run", "schemawright.cli.seed -> schemawright.seed.run"),
])
def test_an_import_the_wrong_way_breaks_a_contract(tmp_path, module, bad_import, broken):
    """A copy of the package with one import added against the layers: lint-imports fails and names it."""
    src = tmp_path / "src"
    shutil.copytree(ROOT / "src" / "schemawright", src / "schemawright",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    target = src / "schemawright" / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{bad_import}  # the wrong way\n", encoding="utf-8")
    result = _lint_imports(src, ROOT / "pyproject.toml")
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    assert broken in result.stdout.replace("\n", " ") or broken in result.stdout, result.stdout


_DDL = re.compile(r"\b(CREATE|ALTER|DROP|GRANT|REVOKE|COMMENT ON|TRUNCATE|VALIDATE CONSTRAINT|SET ROLE|RESET ROLE|"
                  r"SET (lock|statement)_timeout =)")


def _strings(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value


def test_the_diff_writes_no_sql():
    """diff computes changes; the dialect renders them: no DDL text in src/schemawright/diff (docstrings aside)."""
    found = []
    for path in sorted((ROOT / "src" / "schemawright" / "diff").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                      if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef)) and n.body
                      and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings \
                    and _DDL.search(node.value):
                found.append(f"{path.name}:{node.lineno}: {node.value[:60]!r}")
    assert found == []


def test_the_sql_check_sees_ddl(tmp_path):
    """The check above would catch an f-string of DDL."""
    tree = ast.parse('def f(t):\n    return f"ALTER TABLE {t} ADD COLUMN x int"\n')
    assert any(_DDL.search(value) for _, value in _strings(tree))
