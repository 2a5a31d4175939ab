"""The real JavaScript tools the TypeScript/Prisma/Mongoose outputs are proven with, from the npm registry.

Installed once into a cache directory (``$XDG_CACHE_HOME/schemawright/npm-tools-<hash>``, the hash of the
pinned versions) with ``npm install --ignore-scripts``: no postinstall step runs, so nothing but npm
packages is downloaded (Prisma's engines are not: ``prisma validate`` runs Prisma's own schema validator,
compiled to WebAssembly inside the ``prisma`` package, and is told so by an engine path that is never
loaded). Tests skip, saying why, when node/npm or the registry are unavailable.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

PACKAGES = {"typescript": "~5.9.3", "typeorm": "^0.3.20", "sequelize": "^6.37.0", "reflect-metadata": "^0.2.2",
            "pg": "^8.11.0", "pg-hstore": "^2.3.4", "prisma": "~6.7.0", "mongoose": "^8.9.0",
            "@types/node": "^20.0.0"}


def tools_dir() -> Path:
    """node_modules' parent with every package installed, or skip the test with the reason."""
    if not shutil.which("node") or not shutil.which("npm"):
        pytest.skip("node/npm are not installed")
    key = hashlib.sha256(json.dumps(PACKAGES, sort_keys=True).encode()).hexdigest()[:12]
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "schemawright" / f"npm-tools-{key}"
    cache.mkdir(parents=True, exist_ok=True)
    done = cache / ".installed"
    with open(cache / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            (cache / "package.json").write_text(json.dumps(
                {"name": "schemawright-tools", "private": True, "version": "0.0.0", "dependencies": PACKAGES}))
            result = subprocess.run(["npm", "install", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=cache,
                                    capture_output=True, text=True, timeout=600)
            if result.returncode != 0:
                pytest.skip(f"npm install failed (registry unavailable?): {result.stderr[-500:]}")
            done.write_text("ok\n")
    return cache


def link_modules(project: Path, tools: Path) -> None:
    """Make ``project`` resolve its imports from the cached node_modules."""
    link = project / "node_modules"
    if not link.exists():
        link.symlink_to(tools / "node_modules", target_is_directory=True)


def run(args: list[str], cwd: Path, env: dict | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env=dict(os.environ, **(env or {})))


def tsc(project: Path, tools: Path, *extra: str) -> subprocess.CompletedProcess:
    link_modules(project, tools)
    return run(["node", str(tools / "node_modules/typescript/bin/tsc"), "-p", str(project), *extra], project)


def prisma_validate(schema: Path, tools: Path) -> subprocess.CompletedProcess:
    never_loaded = tools / "no-engine-needed"  # validate uses the WebAssembly validator, not the engines
    never_loaded.touch()
    env = {"DATABASE_URL": "postgresql://user@localhost:5432/db", "CHECKPOINT_DISABLE": "1",
           "PRISMA_HIDE_UPDATE_MESSAGE": "1", "PRISMA_QUERY_ENGINE_LIBRARY": str(never_loaded),
           "PRISMA_SCHEMA_ENGINE_BINARY": str(never_loaded)}
    return run(["node", str(tools / "node_modules/prisma/build/index.js"), "validate", "--schema", str(schema)],
               schema.parent, env)
