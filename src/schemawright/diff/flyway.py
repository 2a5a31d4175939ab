"""A migration cut into Flyway-ready versioned files (``diff --flyway``).

Flyway runs each SQL migration in one transaction and refuses a file that mixes statements that cannot run
in one (``CREATE INDEX CONCURRENTLY``, ``ALTER TYPE ... ADD VALUE``) with ordinary ones unless told
``mixed=true``, which then runs the *whole* file without a transaction. So each such statement gets a
versioned file of its own, with Flyway's script config beside it (``V002_1__x.sql.conf`` holding
``executeInTransaction=false``), and each run of ordinary statements between them is one transactional
file: ``V002__x.sql``, ``V002_1__...``, ``V002_2__...`` (Flyway reads ``002_1`` as version 2.1, as does
``schemawright migrate``). A failure then leaves the database at the end of the last completed file.

Every file starts with the session role the statements expect (``SET ROLE <owner>``, when the migration
switches role) and ends with ``RESET ROLE``. Each part's undo file undoes the changes that part starts: a
change whose statements spill into a later part (a comment, a grant or the VALIDATE after an index built
CONCURRENTLY in between) is undone whole by the undo of its first part, which runs after the later parts'
undo. Going all the way down is exact; going down part by part and up again re-runs those trailing
statements, which is harmless for comments, grants and VALIDATE but fails for one: a UNIQUE or PRIMARY KEY
built online (its index CONCURRENTLY in one part, ``ADD CONSTRAINT ... USING INDEX`` in the next) stays
attached when only the later part is undone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from schemawright.dialects import get_dialect
from schemawright.dialects.base import Step

CONF_TEXT = ("# Flyway script config (schemawright diff --flyway): this file is one statement that cannot run in a "
             "transaction\nexecuteInTransaction=false\n")
MIXED_CONF_TEXT = ("# Flyway script config (schemawright diff): this file has steps that cannot run in a transaction\n"
                   "executeInTransaction=false\n")


@dataclass
class Part:
    """One versioned file of a split migration: its forward steps and the steps of its undo file."""

    forward: list[Step]
    undo: list[Step]
    label: str  # the file name's description suffix ("" for the first part)

    @property
    def transactional(self) -> bool:
        return all(s.transactional for s in self.forward)

    @property
    def undo_transactional(self) -> bool:
        return all(s.transactional for s in self.undo)


def split(forward: list[Step], reverse: list[Step], changes: int, dialect: str = "postgresql") -> list[Part]:
    """Cut the forward steps into parts (each run of transactional steps, each non-transactional step
    alone) and give each part the undo steps of the changes it starts. ``changes``: how many changes the
    steps render (the undo steps render the reversed list). Role switches are the dialect's: each part
    gets those its steps run under."""
    sql = get_dialect(dialect)
    groups: list[list[int]] = []
    current: list[int] = []
    for i, step in enumerate(forward):
        if sql.is_role_switch(step):
            continue
        if step.transactional:
            current.append(i)
            continue
        if current:
            groups.append(current)
            current = []
        groups.append([i])
    if current:
        groups.append(current)
    if not groups:
        return [Part(sql.under_roles(forward, []), sql.under_roles(reverse, range(len(reverse))), "")]
    owner: dict[int, int] = {}  # change index -> the part that starts it
    for part, indices in enumerate(groups):
        for i in indices:
            if forward[i].change is not None:
                owner.setdefault(forward[i].change, part)
    undo: list[list[int]] = [[] for _ in groups]
    for i, step in enumerate(reverse):
        if sql.is_role_switch(step):
            continue
        original = changes - 1 - step.change if step.change is not None else None
        undo[owner.get(original, 0)].append(i)  # what no part starts is undone last, with the first part
    return [Part(sql.under_roles(forward, indices), sql.under_roles(reverse, undo[k]),
                 "" if k == 0 else _label(forward, indices)) for k, indices in enumerate(groups)]


def _label(steps: list[Step], indices: list[int]) -> str:
    """The file-name description of a later part: its statement (up to ON / the column list) when it is one
    that cannot run in a transaction, else ``continued``."""
    step = steps[indices[0]]
    if step.transactional:
        return "continued"
    text = " ".join(line for line in step.sql.splitlines() if not line.lstrip().startswith("--"))
    head = re.split(r"\s(?:ON|AFTER|BEFORE)\s|\(", text, maxsplit=1, flags=re.IGNORECASE)[0]
    return re.sub(r"[^a-z0-9]+", "_", head.lower()).strip("_")[:60] or "step"
