"""Migration files: Flyway names (``V<version>__<description>.sql`` and ``U...`` undo files),
content checksums and ``migrate new``.

A version is one or more numbers separated by ``.`` or ``_`` (``V1``, ``V001``, ``V1.2``, ``V1_2``);
``V001`` and ``V1`` are the same version. The checksum is the SHA-256 of the text with a leading BOM
removed and CRLF line ends turned into LF, so a checkout with other line ends is not "edited".
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from schemawright.project.errors import MigrationError
from schemawright.project.layout import FILE_RE, version_tuple

DEFAULT_WIDTH = 3  # V001, as `schemawright design` writes


def parse_version(text: str) -> tuple[int, ...]:
    """``"001"`` -> ``(1,)``, ``"1.2"`` / ``"1_2"`` -> ``(1, 2)``; MigrationError if it is not a version."""
    text = text.strip()
    if text[:1] in ("V", "v"):
        text = text[1:]
    if not re.fullmatch(r"\d+(?:[._]\d+)*", text):
        raise MigrationError(f"{text!r} is not a migration version (expected numbers like 3, 003 or 1.2)")
    return version_tuple(text)


def version_text(version: tuple[int, ...]) -> str:
    """How a version is written in the history table and in messages: ``(1, 2)`` -> ``"1.2"``."""
    return ".".join(str(p) for p in version)


def read_sql(path: Path) -> str:
    """The file's text, BOM removed and line ends normalized; MigrationError if unreadable."""
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise MigrationError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise MigrationError(f"{path} is not UTF-8 text (byte {exc.start})") from None
    return text.removeprefix("\ufeff").replace("\r\n", "\n")


def checksum(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Migration:
    """One version: its forward file and, when present, its undo file."""

    version: tuple[int, ...]
    description: str
    path: Path
    undo_path: Path | None

    @property
    def label(self) -> str:
        return f"V{version_text(self.version)}"

    def sql(self) -> str:
        return read_sql(self.path)

    def undo_sql(self) -> str:
        if self.undo_path is None:
            raise MigrationError(f"{self.path.name} has no undo file: expected U{self.path.name[1:]} beside it")
        return read_sql(self.undo_path)


def load_migrations(directory: str | Path) -> list[Migration]:
    """Every migration in ``directory``, in version order. Other ``.sql`` names, two files for one
    version, and undo files without a forward file are errors (all reported at once)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise MigrationError(f"{directory} is not a folder of migrations")
    forward: dict[tuple[int, ...], list[Path]] = {}
    undo: dict[tuple[int, ...], list[Path]] = {}
    problems = []
    for path in sorted(directory.iterdir()):
        if path.suffix.lower() != ".sql" or not path.is_file():
            continue
        m = FILE_RE.match(path.name)
        if not m:
            what = ("repeatable migrations (R__) are not supported" if path.name.startswith("R__")
                    else "not a migration name")
            problems.append(f"{path.name}: {what} (expected V<version>__<description>.sql "
                            f"or U<version>__<description>.sql, e.g. V002__add_orders.sql)")
            continue
        (forward if m.group(1) == "V" else undo).setdefault(parse_version(m.group(2)), []).append(path)
    for files in (forward, undo):
        for version, paths in files.items():
            if len(paths) > 1:
                problems.append(f"version {version_text(version)} has several files: "
                                + ", ".join(p.name for p in paths))
    problems += [f"{paths[0].name}: undo file without a forward migration V{version_text(v)}"
                 for v, paths in undo.items() if v not in forward]
    if problems:
        raise MigrationError(f"{directory}: " + "; ".join(problems))
    return [Migration(version=v, description=_description(paths[0]), path=paths[0],
                      undo_path=undo.get(v, [None])[0])
            for v, paths in sorted(forward.items())]


def _description(path: Path) -> str:
    return FILE_RE.match(path.name).group(3).replace("_", " ")


def new_migration(directory: str | Path, description: str) -> tuple[Path, Path]:
    """Create the next ``V<n>__<slug>.sql`` and ``U<n>__<slug>.sql`` (comment headers only), numbered
    after the folder's highest version and zero-padded like its files; return both paths."""
    directory = Path(directory)
    slug = re.sub(r"[^0-9a-z]+", "_", description.lower()).strip("_")
    if not slug:
        raise MigrationError(f"{description!r}: a description needs at least one letter or digit")
    if directory.exists() and not directory.is_dir():
        raise MigrationError(f"{directory} is not a folder")
    existing = load_migrations(directory) if directory.is_dir() else []
    number = max((m.version[0] for m in existing), default=0) + 1
    name = f"{number:0{_width(directory, existing)}d}__{slug}.sql"
    forward, undo = directory / f"V{name}", directory / f"U{name}"
    today = date.today().isoformat()
    directory.mkdir(parents=True, exist_ok=True)
    _create(forward, f"-- V{number}: {description.strip()}\n-- Created by schemawright migrate new on {today}.\n"
                     "-- Runs in one transaction; statements that cannot (CREATE INDEX CONCURRENTLY, VACUUM, ...)\n"
                     "-- run on their own between transactions.\n\n")
    try:
        _create(undo, f"-- U{number}: undo of V{number} ({description.strip()})\n"
                      f"-- Created by schemawright migrate new on {today}. Reverse every change of V{number}, "
                      "last first.\n\n")
    except BaseException:
        forward.unlink(missing_ok=True)
        raise
    return forward, undo


def _width(directory: Path, existing: list[Migration]) -> int:
    if not existing:
        return DEFAULT_WIDTH
    digits = [FILE_RE.match(m.path.name).group(2).split(".")[0].split("_")[0] for m in existing]
    padded = [d for d in digits if len(d) > 1 and d.startswith("0")]
    return max(len(d) for d in padded) if padded else 1


def _create(path: Path, text: str) -> None:
    """Create ``path`` holding ``text``, or nothing: a file the disk could not fill is removed (a 0-byte
    V<n> would be listed as a pending migration)."""
    try:
        fh = open(path, "x", encoding="utf-8")
    except FileExistsError:
        raise MigrationError(f"{path} already exists") from None
    except OSError as exc:
        raise MigrationError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        path.unlink(missing_ok=True)
        raise MigrationError(f"cannot write {path}: {exc.strerror or exc}") from None
    except BaseException:
        path.unlink(missing_ok=True)
        raise
