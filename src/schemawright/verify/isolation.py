"""verify --dsn: the design's roles under per-run names, so a verification never meets anything else
on a shared server.

Roles are cluster-wide: on a user's server (``--dsn``) the design's role names may belong to a migrated
and seeded copy of the same design in another database, or to a verification running at the same time.
``RoleMap`` gives every role of the design a name of its own for this run (the design's name with a run
suffix, cut to PostgreSQL's 63 bytes) and rewrites everything verify applies or checks: the migration
files (copied into a temporary folder), the model the catalog is compared with (so grants, policies,
owners, comments and function bodies follow) and, through the model, the security probes. Role names
are whole words (``[a-z0-9_]``), so a longer identifier that starts with one (a policy
``<role>_all``) is left alone. Reports are mapped back, so findings name the design's roles.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from schemawright.model.schema import Schema
from schemawright.model.serialize import schema_from_json, schema_to_json

MAX_IDENT = 63


class RoleMap:
    def __init__(self, roles: list[str], run_id: str | None = None):
        self.run_id = run_id or secrets.token_hex(3)
        suffix = f"_v{self.run_id}"
        self.forward = {r: r[: MAX_IDENT - len(suffix)] + suffix for r in roles}
        self.back = {v: k for k, v in self.forward.items()}
        self._fwd_re = _word_re(self.forward)
        self._back_re = _word_re(self.back)

    def __bool__(self) -> bool:
        return bool(self.forward)

    def text(self, text: str) -> str:
        """``text`` with every design role name replaced by its name for this run."""
        return self._fwd_re.sub(lambda m: self.forward[m.group(0)], text) if self.forward else text

    def undo_text(self, text: str) -> str:
        """``text`` (an error, a finding) with this run's role names shown as the design's."""
        return self._back_re.sub(lambda m: self.back[m.group(0)], text) if self.back else text

    def model(self, schema: Schema) -> Schema:
        """A copy of ``schema`` whose every string (role names, grants, policies, owner, comments,
        function bodies, facts) uses this run's role names."""
        return schema_from_json(_walk(schema_to_json(schema), self.text))

    def files(self, files: list[Path], into: Path) -> list[Path]:
        """Copies of the migration ``files`` in ``into`` (same file names), with this run's role names."""
        into.mkdir(parents=True, exist_ok=True)
        out = []
        for f in files:
            target = into / f.name
            target.write_text(self.text(f.read_text(encoding="utf-8")), encoding="utf-8")
            out.append(target)
        return out


def _word_re(names: dict[str, str]) -> re.Pattern:
    if not names:
        return re.compile(r"(?!)")
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z0-9_$])(?:{alternatives})(?![A-Za-z0-9_$])")


def _walk(value, fn):
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, list):
        return [_walk(v, fn) for v in value]
    if isinstance(value, dict):
        return {(fn(k) if isinstance(k, str) else k): _walk(v, fn) for k, v in value.items()}
    return value
