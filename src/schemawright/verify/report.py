"""Verification results: one StepResult per check, gathered in a VerifyReport."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from schemawright.errors import VerifyError


@dataclass(slots=True)
class StepResult:
    name: str
    ok: bool
    detail: str = ""
    seconds: float = 0.0
    group: str = "schema"  # schema | migrations | constraints
    problems: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        out = {"name": self.name, "group": self.group, "ok": self.ok, "detail": self.detail,
               "seconds": round(self.seconds, 4)}
        if self.problems:
            out["problems"] = self.problems
        return out


@dataclass(slots=True)
class VerifyReport:
    folder: str
    server: str
    steps: list[StepResult] = field(default_factory=list)
    path: str | None = None
    roles: dict | None = None  # --dsn: the design's role names and this run's

    @property
    def passed(self) -> bool:
        return bool(self.steps) and all(s.ok for s in self.steps)

    def to_dict(self) -> dict:
        groups: dict[str, dict[str, int]] = {}
        for s in self.steps:
            g = groups.setdefault(s.group, {"passed": 0, "failed": 0})
            g["passed" if s.ok else "failed"] += 1
        return {"passed": self.passed, "folder": self.folder, "server": self.server,
                "summary": {"checks": len(self.steps), "passed": sum(s.ok for s in self.steps),
                            "failed": sum(not s.ok for s in self.steps), "by_group": groups},
                **({"roles": self.roles} if self.roles else {}),
                "steps": [s.to_dict() for s in self.steps]}

    def write(self, folder: Path) -> None:
        """Write verification.json next to the project (atomically: temp file + rename)."""
        from schemawright.analysis.confidence import write_atomically

        target = folder / "verification.json"
        try:
            write_atomically(target, json.dumps(self.to_dict(), indent=2) + "\n")
        except OSError as exc:
            raise VerifyError(f"cannot write {target}: {exc.strerror or exc}") from None
        self.path = str(target)
