"""Writing commands on a full disk: a clear error, and nothing half-written left behind (a 0-byte
V<n> migration would be listed as pending; a verification.json.tmp is litter). A small tmpfs is
filled up for each (needs root to mount; skipped, saying so, otherwise)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
from pathlib import Path

import pytest

from schemawright.api import design_project
from schemawright.errors import SchemawrightError, VerifyError
from schemawright.migrate.files import new_migration
from schemawright.verify import verify_project

INPUTS = Path(__file__).resolve().parent / "inputs"


@contextlib.contextmanager
def _tmpfs(size: str = "2m"):
    where = Path(tempfile.mkdtemp(prefix="sw-full-", dir="/tmp"))
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                          capture_output=True, text=True)
    if proc.returncode:
        where.rmdir()
        pytest.skip(f"cannot mount a tmpfs to fill (needs root): {proc.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], check=False)
        where.rmdir()


def _fill(where: Path) -> None:
    with open(where / "filler", "wb") as fh:
        with contextlib.suppress(OSError):
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
                os.fsync(fh.fileno())


def _files(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_size for p in folder.rglob("*") if p.is_file()}


def test_migrate_new_on_a_full_disk_leaves_no_empty_migration():
    with _tmpfs() as where:
        folder = where / "migrations"
        new_migration(folder, "first")
        before = _files(folder)
        _fill(where)
        with pytest.raises(SchemawrightError, match="No space left"):
            new_migration(folder, "second")
        assert _files(folder) == before  # no 0-byte V002/U002


def test_verify_on_a_full_disk_is_a_clear_error_and_leaves_no_tmp(pg_dsn):
    with _tmpfs("8m") as where:
        out = where / "out"
        design_project(INPUTS / "tricky_types.yaml", out)
        agent = (out / "agent_output.json").read_bytes()
        _fill(where)
        with pytest.raises(VerifyError, match="cannot write .*verification.json: No space left"):
            verify_project(out, dsn=pg_dsn)
        assert not list(out.glob("*.tmp")) and not (out / "verification.json").exists()
        assert (out / "agent_output.json").read_bytes() == agent


def test_design_on_a_full_disk_is_a_clear_error_and_leaves_nothing():
    with _tmpfs("1m") as where:
        _fill(where)
        with pytest.raises(SchemawrightError):
            design_project(INPUTS / "tricky_types.yaml", where / "out")
        assert sorted(p.name for p in where.iterdir()) == ["filler"]
