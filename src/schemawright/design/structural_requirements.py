"""Requirements about the shape of the design rather than a domain: checked against the designed tables.

No domain pattern adds tables for "Track every hive's inspections over time", "Harvest yields and jar
batches traceable to the hive" or "Members only see their own apiaries": they ask something of the
tables the input already declares. Each is recognised here and then either found satisfied (naming the
object that satisfies it) or completed (naming what was added); what cannot be satisfied stays a
warning (``requirement.not_understood``, with the reason). Recorded as ``pattern.<kind>`` inferences, like
the domain patterns, so ``design``, ``agent_output.json`` and ``docs/requirements-report.md`` list them.

- **history** -- "track X's Y over time", "history of Y per X", "Y of an X over time": the child table Y
  read by its parent X ordered by its business time column (the input's own timestamp/date column, not
  the audit ``created_at``): an index (x_id, time DESC), existing or added.
- **traceability** -- "A and B traceable to X": a chain of NOT NULL foreign keys from each named table to
  X. A nullable link the input did not declare nullable is made NOT NULL; one it declared nullable, or no
  chain at all, is a warning.
- **erasure** -- "pub contacts are personal data (GDPR), must be erasable on request": the columns named after
  the table (contacts -> contact_*) become personal data before the security design, which derives the erasure
  function from the pii flags; the requirement names that function, or stays a warning saying why there is none.
- **ownership** -- "members only see their own apiaries": row-level security binding the owned table to
  its owner (the foreign key to the members table) and its child tables through their parents; the
  security design reads ``ownership_claims`` (see ``security._bindings``).
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass

from schemawright.design.context import DesignContext, table_name_for
from schemawright.model.names import singular
from schemawright.model import names
from schemawright.model.schema import FkAction, ForeignKey, Index, IndexElement, Source, Table, inferred
from schemawright.model.types import Kind

HISTORY = re.compile(r"\b(?:track|keep|record|log|store|see)\b(?: (?:every|each|all|the|a|an))? (?P<a>.+?) over time\b"
                     r"|\bhistory of (?P<b>.+)", re.I)
TRACEABLE = re.compile(r"^(?P<what>.+?) (?:(?:are|is|must be|should be|must stay|stay|stays|remain|remains) )?"
                       r"(?:fully |always )?(?:traceable|traced|tracked) (?:back )?to (?:the |their |its |a |an )?"
                       r"(?P<to>[\w ,]+?)(?: (?:it|they|that|which) (?:came|come|comes|belongs?|was|were) (?:from|to|in))?$",
                       re.I)
SEARCHABLE = re.compile(r"^(?P<what>[\w ]+?) (?:(?:are|is|must be|should be|can be) )?(?:searchable|searched|looked up|"
                        r"found|findable) by (?:their |its |the )?(?P<by>[\w ]+?)$", re.I)
OWNERSHIP = re.compile(r"^(?:the )?(?P<who>[\w ]+?) (?:can |may |should |must )?(?:only )?"
                       r"(?:see|sees|view|views|read|reads|access|accesses|manage|manages|edit|edits)"
                       r" (?:only )?their own (?P<what>[\w ]+?)$", re.I)
ERASABLE = re.compile(r"^(?P<what>[\w ]+?)(?: (?:are|is|hold|holds|contain|contains) (?:personal data|pii|personal "
                      r"information)(?: \([^)]*\))?)?,? (?:and |so |which |that )?(?:must|should|can|have to|has to|"
                      r"need to|needs to|shall) be (?:erasable|erased|anonymi[sz]ed|anonymi[sz]able|deleted|forgotten)"
                      r"(?: (?:on|upon) (?:request|demand)| when (?:asked|requested))?$"
                      r"|^right to (?:be forgotten|erasure) (?:for|of) (?P<of>[\w ]+)$", re.I)
TIME_KINDS = (Kind.TIMESTAMPTZ, Kind.TIMESTAMP, Kind.DATE)


@dataclass
class OwnershipClaim:
    table: str  # the owned table (apiaries)
    owner: str  # the table of the people who own rows (members)
    fk: ForeignKey
    requirement: str
    path: str


def _tables_named(ctx: DesignContext, fragment: str) -> list[Table]:
    """Declared tables a fragment names ("harvest yields and jar batches" -> harvests, jar_batches), in order."""
    text = fragment.lower().replace("'s", "")
    found: list[tuple[int, int, Table]] = []
    for t in ctx.schema.tables:
        if t.origin.path is None:
            continue  # tables the designer added (audit log, lookups) are not what a requirement is about
        for form in sorted({t.name, singular(t.name), t.name.replace("_", " "), singular(t.name).replace("_", " ")},
                           key=len, reverse=True):
            m = re.search(rf"(?<!\w){re.escape(form)}(?!\w)", text)
            if m:
                found.append((m.start(), -len(form), t))
                break
    if not found:  # "a lot": the last word of one table's name (seed_lots), of no other
        tails: dict[str, list[Table]] = {}
        for t in ctx.schema.tables:
            if t.origin.path is not None and "_" in t.name:
                tails.setdefault(singular(t.name).rsplit("_", 1)[1], []).append(t)
        for tail, ts in tails.items():
            m = re.search(rf"(?<!\w){re.escape(tail)}s?(?!\w)", text)
            if m and len(ts) == 1 and ctx.schema.table(tail) is None and ctx.schema.table(tail + "s") is None:
                found.append((m.start(), -len(tail), ts[0]))
    found.sort(key=lambda f: (f[0], f[1]))
    out: list[Table] = []
    taken_until = -1
    for start, neg_len, t in found:
        if start < taken_until:
            continue  # "jar batches" also contains "batches": the longer table name won
        out.append(t)
        taken_until = start - neg_len
    return out


def _path(ctx: DesignContext, start: Table, goal: Table) -> list[tuple[Table, ForeignKey]] | None:
    """The shortest chain of foreign keys from ``start`` to ``goal`` (breadth first)."""
    queue = deque([(start, [])])
    seen = {start.name}
    while queue:
        table, chain = queue.popleft()
        if table is goal:
            return chain
        for fk in table.foreign_keys:
            nxt = ctx.schema.table(fk.ref_table)
            if nxt is None or nxt.name in seen:
                continue
            seen.add(nxt.name)
            queue.append((nxt, chain + [(table, fk)]))
    return None


def _requirements(ctx: DesignContext, expansion) -> list[tuple[str, str]]:
    if expansion is None:
        return []
    return list(expansion.not_understood)


def _done(expansion, text: str) -> None:
    expansion.not_understood = [(t, p) for t, p in expansion.not_understood if t != text]


# --- history ---------------------------------------------------------------------------------------------

def _time_column(table: Table) -> str | None:
    """The business time column: a timestamp or date the input declares (inspected_at), else created_at."""
    declared = [c for c in table.columns if c.type.kind in TIME_KINDS and c.origin.source != Source.CONVENTION
                and c.name not in ("created_at", "updated_at", "deleted_at")]
    required = [c for c in declared if not c.nullable]
    pick = (required or declared)
    if pick:
        return pick[0].name
    return "created_at" if table.has_column("created_at") else None


def apply_history(ctx: DesignContext, expansion) -> None:
    """Before the index step: each "track Y of X over time" gets its (x_id, time DESC) index, or finds it."""
    for text, path in _requirements(ctx, expansion):
        m = HISTORY.search(text)
        if not m:
            continue
        tables = _tables_named(ctx, m.group("a") or m.group("b"))
        child = parent = fk = None
        for c in tables:  # the child: a named table with a foreign key to another named table
            for p in tables:
                link = next((f for f in c.foreign_keys if f.ref_table == p.name and p is not c), None)
                if link is not None:
                    child, parent, fk = c, p, link
                    break
            if child:
                break
        if child is None and len(tables) == 1:  # "track inspections over time": by their (one) parent
            links = [f for f in tables[0].foreign_keys if not any(tables[0].column(x).nullable for x in f.columns)]
            if len(links) == 1:
                child, fk = tables[0], links[0]
                parent = ctx.schema.table(fk.ref_table)
        if child is None or parent is None or (time := _time_column(child)) is None:
            continue
        keys = (*fk.columns, time)
        existing = next((ix for ix in child.indexes if ix.method.value == "btree" and ix.where is None
                         and ix.columns[:len(keys)] == keys), None)
        rule = "pattern.history"
        if existing is None:
            name = names.idx_name(child.name, keys)
            why = (f"requirement {text!r}: the {child.name} of one {singular(parent.name)} read in time order "
                   f"(newest first) without a sort")
            child.indexes.append(Index(
                name=name, elements=(*(IndexElement(column=c) for c in fk.columns),
                                     IndexElement(column=time, descending=True)),
                comment=f"History of one {singular(parent.name)}, newest first", origin=inferred(rule, why, path)))
            ctx.infer(rule, text, f"added index {child.name}({', '.join(fk.columns)}, {time} DESC)",
                      f"{path}: history of {child.name} per {singular(parent.name)} ordered by {time}")
        else:
            ctx.infer(rule, text, f"nothing added: already satisfied by index {existing.name} "
                      f"({', '.join(existing.columns)})",
                      f"{path}: history of {child.name} per {singular(parent.name)} ordered by {time}")
        _done(expansion, text)


# --- traceability ----------------------------------------------------------------------------------------

def apply_traceability(ctx: DesignContext, expansion) -> None:
    """After the relationships: each table named traceable to X reaches X through NOT NULL foreign keys."""
    for text, path in _requirements(ctx, expansion):
        m = TRACEABLE.match(text.strip().rstrip("."))
        if not m:
            continue
        goals = _tables_named(ctx, m.group("to"))
        sources = [t for t in _tables_named(ctx, m.group("what")) if t not in goals]
        if not goals or not sources:
            continue
        chains, tightened, broken = [], [], []
        for table, goal in ((t, g) for t in sources for g in goals):
            chain = _path(ctx, table, goal)
            if chain is None:
                broken.append(f"{table.name} has no chain of foreign keys to {goal.name}")
                continue
            for t, fk in chain:
                for col in fk.columns:
                    column = t.column(col)
                    if not column.nullable:
                        continue
                    declared = _declared_nullable(ctx, t, col, fk.ref_table)
                    if fk.on_delete == FkAction.SET_NULL:
                        broken.append(f"{t.name}.{col} is set to NULL when its {fk.ref_table} row is deleted "
                                      "(ON DELETE SET NULL), which breaks the trace")
                    elif declared:
                        broken.append(f"{t.name}.{col} is declared nullable (the input says so), so a "
                                      f"{singular(t.name)} may have no {fk.ref_table} row")
                    else:
                        column.nullable = False
                        tightened.append(f"{t.name}.{col} NOT NULL")
            chains.append(" -> ".join([table.name] + [f"{fk.name} -> {fk.ref_table}" for _t, fk in chain]))
        rule = "pattern.traceability"
        if broken:
            ctx.infer("requirement.not_understood", text, "not satisfied: " + "; ".join(broken),
                      f"{path}: traceability needs NOT NULL foreign keys from each table to "
                      f"{', '.join(g.name for g in goals)}")
            _done(expansion, text)
            continue
        if tightened:
            ctx.infer(rule, text, "added " + "; ".join(tightened),
                      f"{path}: every row reaches {', '.join(g.name for g in goals)} through NOT NULL foreign keys: "
                      + "; ".join(chains))
        else:
            ctx.infer(rule, text, "nothing added: already satisfied by the NOT NULL foreign keys " + "; ".join(chains),
                      f"{path}: every row reaches {', '.join(g.name for g in goals)} through NOT NULL foreign keys")
        _done(expansion, text)


def _declared_nullable(ctx: DesignContext, table: Table, column: str, ref_table: str) -> bool:
    """Whether the input states the column (or its relationship) nullable."""
    from schemawright.design.context import table_name_for

    dm = ctx.spec.data_model
    for entity in dm.entities:
        if table_name_for(entity.name) != table.name:
            continue
        for attr in entity.attributes:
            if names.to_snake(attr.name) in (column, column.removesuffix("_id")) and attr.nullable is True:
                return True
    for rel in dm.relationships:
        if table_name_for(rel.from_) == table.name and table_name_for(rel.to) == ref_table and rel.required is False:
            return True
    return False


# --- ownership -------------------------------------------------------------------------------------------

def _clauses(text: str) -> list[str]:
    """"Members can only see their own bookings; the bosun sees all boats": each clause on its own."""
    return [c.strip().rstrip(".") for c in re.split(r"\s*(?:;|\. |, (?:while|whereas|but) )\s*", text.strip().rstrip("."))
            if c.strip().rstrip(".")]


def ownership_claims(ctx: DesignContext) -> list[OwnershipClaim]:
    """"members only see their own apiaries": (apiaries, members, the foreign key apiaries -> members)."""
    out = []
    for i, text in enumerate(ctx.spec.task.requirements):
        for clause in _clauses(text):
            m = OWNERSHIP.match(clause)
            if m:
                out += _owned(ctx, m, text, i)
    return out


def _unmodelled_parts(ctx: DesignContext, text: str, claims: list[OwnershipClaim]) -> list[str]:
    """What an ownership requirement says beyond the ownership it got: its other clauses ("the bosun sees all
    boats and damage"), and owned things that name no table with a key to the owner ("their own ... payments")."""
    parts = []
    owned = {c.table for c in claims}
    for clause in _clauses(text):
        m = OWNERSHIP.match(clause)
        if m is None:
            parts.append(repr(clause))
            continue
        for noun in re.split(r"\s*(?:,|\band\b|\bor\b)\s*", m.group("what")):
            if noun.strip() and not {t.name for t in _tables_named(ctx, noun)} & owned:
                parts.append(f"their own {noun.strip()!r} (no table of that name with a required key to the owner)")
    return parts


def _owned(ctx: DesignContext, m: re.Match, text: str, i: int) -> list[OwnershipClaim]:
    out = []
    if m:
        who, what = _tables_named(ctx, m.group("who")), _tables_named(ctx, m.group("what"))
        for table in what if len(who) == 1 else ():
            fk = next((f for f in table.foreign_keys if f.ref_table == who[0].name and len(f.columns) == 1
                       and not table.column(f.columns[0]).nullable), None)
            if fk is not None:
                out.append(OwnershipClaim(table.name, who[0].name, fk, text, f"task.requirements[{i}]"))
    return out


def record_ownership(ctx: DesignContext, expansion) -> None:
    """After the security design: the ownership requirements name the policies that enforce them."""
    texts = {text: path for text, path in _requirements(ctx, expansion)}
    claims = [c for c in ownership_claims(ctx) if c.requirement in texts]
    for text in {c.requirement for c in claims}:
        mine = [c for c in claims if c.requirement == text]
        policies = [p.name for c in mine for p in ctx.schema.policies if p.table == c.table and p.roles == ()]
        if policies:
            ctx.infer("pattern.ownership", text, "added row-level security: policy " + ", ".join(policies),
                      f"{texts[text]}: each row of {', '.join(c.table for c in mine)} belongs to the "
                      f"{singular(mine[0].owner)} in {', '.join(c.fk.columns[0] for c in mine)} "
                      "(app.current_user_id); their child tables follow through their parents")
            rest = _unmodelled_parts(ctx, text, mine)
            if rest:  # never silently half-done: the rest is a warning, and the run is partial
                ctx.infer("requirement.not_understood", text, "partly not satisfied: " + "; ".join(rest),
                          f"{texts[text]}: the ownership part is enforced by row-level security, nothing was "
                          "modelled for " + "; ".join(rest))
        else:
            ctx.infer("requirement.not_understood", text, "not satisfied: no row-level security was designed",
                      f"{texts[text]}: the security design is off, or the owned table has no NOT NULL key "
                      "to its owner")
        _done(expansion, text)


# --- lookup by a column ----------------------------------------------------------------------------------

def apply_searchable(ctx: DesignContext, expansion) -> None:
    """Before the index step: "varieties searchable by common name" -> an index leading with that column
    (found or added); a text column also gets the lower() expression index case-insensitive lookups use."""
    for text, path in _requirements(ctx, expansion):
        m = SEARCHABLE.match(text.strip().rstrip("."))
        if not m:
            continue
        tables = _tables_named(ctx, m.group("what"))
        if len(tables) != 1:
            continue
        table = tables[0]
        wanted = m.group("by").strip().lower()
        column = next((c for c in table.columns if wanted in (c.name, c.name.replace("_", " "))
                       or wanted.removesuffix("s") in (c.name, c.name.replace("_", " "))), None)
        if column is None:
            continue
        rule = "pattern.lookup"
        existing = next((ix for ix in table.indexes if ix.method.value == "btree" and ix.where is None
                         and ix.columns[:1] == (column.name,)), None)
        existing = existing.name if existing else table.index_leading((column.name,))
        if existing is not None:
            ctx.infer(rule, text, f"nothing added: already satisfied by index {existing}",
                      f"{path}: {table.name} looked up by {column.name}")
        else:
            name = names.idx_name(table.name, (column.name,))
            table.indexes.append(Index(name=name, elements=(IndexElement(column=column.name),),
                                       comment=f"{table.name} looked up by {column.name}",
                                       origin=inferred(rule, f"requirement {text!r}", path)))
            ctx.infer(rule, text, f"added index {table.name}({column.name})",
                      f"{path}: {table.name} looked up by {column.name}")
        _done(expansion, text)


# --- acceptance criteria that are a read with a latency ----------------------------------------------------

LATEST = re.compile(r"^(?:the )?(?:last|latest|newest|most recent) (?:(?P<n>\d+) )?(?P<what>[\w ]+?) of (?:a|an|one|the|"
                    r"a given|one given) (?P<parent>[\w ]+?) (?:in|within) (?:under |below |less than |< ?)?"
                    r"(?P<value>\d+(?:\.\d+)?) ?(?P<unit>ms|milliseconds?|s|seconds?)$", re.I)


_LEAD = r"^(?:(?:show|list|find|get|load|display|see|fetch) )?(?:the )?"
_OWNER = (r"(?:(?:a|an|one|the|a given|one given) (?P<owner>[\w ]+?)'s (?P<owned>[\w ]+?)"
          r"|(?P<what>[\w ]+?) of (?:a|an|one|the|a given|one given) (?P<parent>[\w ]+?))")
_WITHIN = (r" (?:(?:loads?|shows?|returns?|comes? back|appears?|is shown|are shown) )?(?:in|within) "
           r"(?:under |below |less than |< ?)?(?P<value>\d+(?:\.\d+)?) ?(?P<unit>ms|milliseconds?|s|seconds?)$")
WINDOW = re.compile(_LEAD + _OWNER + r" (?:for|in|over|during|within|from) the (?P<dir>next|coming|upcoming|last|past|"
                    r"previous) (?:(?P<n>\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve) )?"
                    r"(?P<span>hours?|days?|weeks?|months?|years?)" + _WITHIN, re.I)
HISTORY_OF = re.compile(_LEAD + r"(?:(?:a|an|one|the|a given|one given) (?P<owner>[\w ]+?)'s (?P<owned>[\w ]+?) history"
                        r"|(?P<what>[\w ]+?) history of (?:a|an|one|the|a given|one given) (?P<parent>[\w ]+?))"
                        + _WITHIN, re.I)
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
            "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
HISTORY_ROWS = 50  # one page of a history


def _criterion_query(ctx: DesignContext, text: str) -> tuple[str, str, str] | None:
    """(sql, latency, what it reads) for an acceptance criterion that is one parent's rows with a latency:
    "Last 10 inspections of a hive in under 20 ms" (newest first, LIMIT n), "a boat's bookings for the next
    two weeks in under 30 ms" (a time window: equality on the parent, range on the business time column),
    "a member's booking history in under 50 ms" (newest first, one page)."""
    text = text.strip().rstrip(".")
    m = LATEST.match(text) or WINDOW.match(text) or HISTORY_OF.match(text)
    if not m:
        return None
    groups = m.groupdict()
    what, parent_text = groups.get("what") or groups.get("owned"), groups.get("parent") or groups.get("owner")
    children, parents = _tables_named(ctx, what or ""), _tables_named(ctx, parent_text or "")
    if len(children) != 1 or len(parents) != 1:
        return None
    child, parent = children[0], parents[0]
    fk = next((f for f in child.foreign_keys if f.ref_table == parent.name and len(f.columns) == 1), None)
    time = _time_column(child)
    if fk is None or time is None:
        return None
    q = names.quote_ident
    col = fk.columns[0]
    head = f"SELECT * FROM {q(child.name)} WHERE {q(col)} = :{child.name}.{col}"
    unit = "s" if m.group("unit").lower().startswith("s") else "ms"
    latency = f"< {m.group('value')}{unit}"
    if m.re is WINDOW:
        n = groups.get("n") or "1"
        count = int(n) if n.isdigit() else _NUMBERS[n.lower()]
        span = f"interval '{count} {m.group('span').lower().rstrip('s')}s'"
        future = m.group("dir").lower() in ("next", "coming", "upcoming")
        window = f"now() AND now() + {span}" if future else f"now() - {span} AND now()"
        sql = f"{head} AND {q(time)} BETWEEN {window} ORDER BY {q(time)}{'' if future else ' DESC'}"
        return sql, latency, (f"the {child.name} of one {singular(parent.name)} in a time window: equality on {col}, "
                              f"range on {time}")
    rows = int(groups.get("n") or 1) if m.re is LATEST else HISTORY_ROWS
    sql = f"{head} ORDER BY {q(time)} DESC LIMIT {rows}"
    return sql, latency, f"the newest {child.name} of one {singular(parent.name)} by {time}"


def apply_latency_criteria(ctx: DesignContext) -> None:
    """Before the index step: an acceptance criterion that reads one parent's rows with a latency
    (``_criterion_query``) becomes a query pattern with that target latency, so the designer indexes it
    (equality on the foreign key first, then the business time column) and ``bench`` measures it against
    the target. "of every vehicle" (the latest row of each parent at once) is another query and is left
    alone."""
    from dataclasses import replace

    from schemawright.model.facts import QueryPattern as FactPattern
    from schemawright.spec.models import QueryPattern

    added = []
    for i, text in enumerate(ctx.spec.task.acceptance_criteria):
        found = _criterion_query(ctx, text)
        if found is None or any(p.name == text for p in ctx.spec.query_patterns):
            continue
        sql, latency, reads = found
        ctx.spec.query_patterns.append(QueryPattern(name=text, sql=sql, target_latency=latency,
                                                    description=f"task.acceptance_criteria[{i}]"))
        added.append(FactPattern(name=text, sql=sql, target_latency=latency,
                                 description=f"task.acceptance_criteria[{i}]"))
        ctx.infer("criterion.query_pattern", text, f"measured by bench: {sql} (target {latency})",
                  f"task.acceptance_criteria[{i}]: {reads}; indexed like a declared query pattern")
    if added:
        ctx.schema.facts = replace(ctx.schema.facts, query_patterns=(*ctx.schema.facts.query_patterns, *added))


# --- erasure on request --------------------------------------------------------------------------------

def _erasure_claims(ctx: DesignContext, expansion) -> list[tuple[str, str, list[tuple[Table, str]]]]:
    """(requirement, path, [(table, the words after its name)]): "Pub contacts are personal data (GDPR), must be
    erasable on request" -> [(pubs, "contacts")]."""
    out = []
    for text, path in _requirements(ctx, expansion):
        m = ERASABLE.match(text.strip().rstrip("."))
        if not m:
            continue
        what = (m.group("what") or m.group("of")).lower()
        found = []
        for t in _tables_named(ctx, what):
            rest = what
            for form in sorted({singular(t.name).replace("_", " "), t.name.replace("_", " ")}, key=len, reverse=True):
                rest = re.sub(rf"^.*?(?<!\w){re.escape(form)}(?:'s)?(?!\w)", "", rest, count=1).strip() if form in rest \
                    else rest
            found.append((t, rest))
        if found:
            out.append((text, path, found))
    return out


def apply_personal_data(ctx: DesignContext, expansion) -> None:
    """Before the security design: the columns an erasure requirement names ("pub contacts" -> contact_name,
    contact_email, contact_phone of pubs) are personal data unless the input says otherwise."""
    for text, path, found in _erasure_claims(ctx, expansion):
        for table, rest in found:
            word = singular(rest.split()[-1]) if rest else ""
            if not word:
                continue
            entity = next((e for e in ctx.spec.data_model.entities if table_name_for(e.name) == table.name), None)
            stated = {names.to_snake(a.name) for a in (entity.attributes if entity else []) if a.pii is not None}
            for c in table.columns:
                if (c.name == word or c.name.startswith(word + "_")) and not c.pii and c.name not in stated \
                        and c.type.kind in (Kind.TEXT, Kind.VARCHAR):
                    c.pii = True
                    ctx.infer("security.pii", f"{table.name}.{c.name}", "marked as personal data (PII)",
                              f"{path}: {text!r} names it")


def record_erasure(ctx: DesignContext, expansion) -> None:
    """After the security design: an erasure requirement names the erasure function that covers its tables (derived
    from the pii flags), or stays a warning saying why there is none."""
    security = ctx.schema.facts.security
    functions = list(security.erasure) if security is not None else []
    for text, path, found in _erasure_claims(ctx, expansion):
        covering = {t.name: [e["function"] for e in functions if t.name in e["tables"]] for t, _ in found}
        if all(covering.values()):
            fns = sorted({f for fs in covering.values() for f in fs})
            ctx.infer("pattern.erasure", text, "added erasure function " + ", ".join(fns),
                      f"{path}: {', '.join(covering)} anonymized on request by {', '.join(fns)}(id), derived from "
                      "the personal-data columns")
        else:
            missing = [n for n, fs in covering.items() if not fs]
            ctx.infer("requirement.not_understood", text, "not satisfied: no erasure function",
                      f"{path}: {', '.join(missing)} has no erasure function (the security design is off, no "
                      "compliance standard with a right to erasure is given, or its personal data is not a person's)")
        _done(expansion, text)
