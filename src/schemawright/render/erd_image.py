"""The ER diagram as images (seed 004: ``docs/erd.png``): Graphviz DOT source, SVG and PNG.

Up to ``FULL_LIMIT`` tables, one diagram shows every table with its columns. Above that a single picture
is unreadable, so ``docs/erd.svg``/``.png`` is an overview (table names only, grouped by domain; above
``OVERVIEW_LIMIT`` tables, one box per domain) and each domain gets its own diagram with columns (``docs/erd/<domain>.svg``), with the tables it references in
other domains drawn as dashed stubs. Domains are the database schemas when the tables use several;
otherwise the connected groups of the foreign-key graph once the hubs (tables referenced from many
places, such as users) are set aside, cut into pieces of at most ``DOMAIN_LIMIT`` tables.

Graphviz's ``dot`` (Debian package ``graphviz``, installed by scripts/system-deps.sh) draws the images.
Without it, the DOT source is still written, docs/erd.md says how to draw it, and ``graphviz_missing()``
gives the message the commands print.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

from schemawright.dialects import type_sql
from schemawright.escape import dot_html, dot_string
from schemawright.model.names import slug
from schemawright.model.schema import Schema, Table
from schemawright.render import Artifact, RenderContext, Renderer

FULL_LIMIT = 30  # tables drawn with their columns in one diagram
DOMAIN_LIMIT = 25  # tables in one domain diagram
OVERVIEW_LIMIT = 150  # above this, the overview shows the domains, not the tables
OVERVIEW_LINKS = 2  # links drawn per domain in that overview (the strongest)
PNG_DIAGRAMS = 12  # above this many diagrams, only the overview is also drawn as PNG (each PNG costs ~1 s)
DOT_TIMEOUT = 120  # seconds for one drawing


PROBLEMS = "docs/erd_problems.md"


def graphviz_missing() -> str | None:
    """Why the images cannot be drawn here (None: ``dot`` is on PATH)."""
    if shutil.which("dot"):
        return None
    return ("Graphviz's 'dot' is not installed, so docs/erd.svg and docs/erd.png were not drawn (docs/erd.dot "
            "was written): install it (Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz) "
            "and run the command again, or draw it with: dot -Tpng docs/erd.dot -o docs/erd.png")


def draw(source: str, formats: tuple[str, ...] = ("svg", "png")) -> dict[str, bytes]:
    """``source`` laid out once by ``dot`` and written in each of ``formats``; {} when dot is missing or
    fails (the callers say so)."""
    dot = shutil.which("dot")
    if not dot:
        return {}
    with tempfile.TemporaryDirectory(prefix="sw-erd-") as tmp:
        args = [dot]
        for fmt in formats:
            args += [f"-T{fmt}", "-o", os.path.join(tmp, f"erd.{fmt}")]
        try:
            done = subprocess.run(args, input=source.encode("utf-8"), capture_output=True, timeout=DOT_TIMEOUT,
                                  check=False)
        except (OSError, subprocess.TimeoutExpired):
            return {}
        if done.returncode != 0:
            return {"error": done.stderr or b"dot failed"}
        out = {}
        for fmt in formats:
            path = os.path.join(tmp, f"erd.{fmt}")
            if os.path.getsize(path):
                with open(path, "rb") as fh:
                    out[fmt] = fh.read()
        return out


def qualified(schema: str | None, name: str) -> str:
    return name if schema in (None, "", "public") else f"{schema}.{name}"


def _key(t: Table) -> str:
    return qualified(t.schema, t.name)


def _ref_key(t: Table, fk) -> str:
    return qualified(fk.ref_schema or t.schema, fk.ref_table)


def domains(schema: Schema) -> list[tuple[str, list[str]]]:
    """``[(domain name, [table keys])]`` covering every table once (see the module doc)."""
    tables = {_key(t): t for t in schema.tables}
    schemas = {t.schema or "public" for t in schema.tables}
    if len(schemas) > 1:
        groups = defaultdict(list)
        for key, t in tables.items():
            groups[t.schema or "public"].append(key)
        out = []
        for name, keys in sorted(groups.items()):
            out += _cut(name, keys, schema)
        return out
    referenced = defaultdict(set)
    for t in schema.tables:
        for fk in t.foreign_keys:
            if _ref_key(t, fk) != _key(t):
                referenced[_ref_key(t, fk)].add(_key(t))
    hub_limit = max(6, len(tables) // 10)
    hubs = {k for k, refs in referenced.items() if len(refs) > hub_limit}
    neighbours = defaultdict(set)
    for t in schema.tables:
        for fk in t.foreign_keys:
            a, b = _key(t), _ref_key(t, fk)
            if a != b and b in tables and a not in hubs and b not in hubs:
                neighbours[a].add(b)
                neighbours[b].add(a)
    seen: set[str] = set()
    components: list[list[str]] = []
    for key in tables:  # in the schema's order: deterministic
        if key in seen or key in hubs:
            continue
        stack, part = [key], []
        seen.add(key)
        while stack:
            k = stack.pop()
            part.append(k)
            for n in sorted(neighbours[k]):
                if n not in seen:
                    seen.add(n)
                    stack.append(n)
        components.append(part)
    out: list[tuple[str, list[str]]] = []
    if hubs:
        out.append(("shared", [k for k in tables if k in hubs]))
    loose = [k for part in components if len(part) < 3 for k in part]
    for part in components:
        if len(part) >= 3:
            out += _cut(_name_of(part, referenced), part, schema)
    if loose:
        out += _cut("other", loose, schema)
    names: dict[str, int] = {}
    unique = []
    for name, keys in out:  # one file per domain: names made unique
        names[name] = names.get(name, 0) + 1
        unique.append((name if names[name] == 1 else f"{name}_{names[name]}", keys))
    return unique


def _name_of(keys: list[str], referenced) -> str:
    """A domain is named after its most referenced table."""
    return max(keys, key=lambda k: (len(referenced.get(k, ())), -keys.index(k)))


def _cut(name: str, keys: list[str], schema: Schema) -> list[tuple[str, list[str]]]:
    """``keys`` in pieces of at most DOMAIN_LIMIT tables, in order (tables next to each other in the schema
    usually belong together)."""
    if len(keys) <= DOMAIN_LIMIT:
        return [(name, keys)]
    pieces = [keys[i:i + DOMAIN_LIMIT] for i in range(0, len(keys), DOMAIN_LIMIT)]
    return [(f"{name}_{n}", piece) for n, piece in enumerate(pieces, 1)]


def _table_node(t: Table, *, columns: bool, stub: bool = False) -> str:
    header = f'<TR><TD BGCOLOR="{"#eeeeee" if stub else "#dbe8f7"}" COLSPAN="3"><B>{dot_html(_key(t))}</B></TD></TR>'
    rows = [header]
    if columns and not stub:
        keys = set(t.primary_key.columns if t.primary_key else ())
        fks = {c for fk in t.foreign_keys for c in fk.columns}
        for c in t.columns:
            mark = "PK" if c.name in keys else ""
            mark += ("," if mark else "") + "FK" if c.name in fks else ""
            name = f"<B>{dot_html(c.name)}</B>" if not c.nullable else dot_html(c.name)
            rows.append(f'<TR><TD ALIGN="LEFT">{name}</TD>'
                        f'<TD ALIGN="LEFT">{dot_html(type_sql(c.type))}</TD><TD>{mark}</TD></TR>')
    style = ' STYLE="dashed"' if stub else ""
    label = f'<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3"{style}>{"".join(rows)}</TABLE>>'
    return f"  {dot_string(_key(t))} [label={label}];"


def dot_source(schema: Schema, keys: list[str] | None = None, *, columns: bool = True,
               groups: list[tuple[str, list[str]]] | None = None, title: str = "") -> str:
    """DOT for the tables ``keys`` (default: all) and the foreign keys among them; tables they reference
    outside ``keys`` are drawn as dashed stubs. ``groups`` draws each domain as a cluster."""
    tables = {_key(t): t for t in schema.tables}
    wanted = list(tables) if keys is None else [k for k in keys if k in tables]
    inside = set(wanted)
    lines = ["digraph erd {", '  graph [rankdir=LR, fontname="Helvetica", fontsize=12, nodesep=0.4, ranksep=0.9'
             + (f", label={dot_string(title)}, labelloc=t" if title else "") + "];",
             '  node [shape=plain, fontname="Helvetica", fontsize=10];',
             '  edge [fontname="Helvetica", fontsize=8, color="#555555", dir=both, arrowtail=crow];']
    if groups:
        for n, (name, group) in enumerate(groups):
            lines.append(f"  subgraph cluster_{n} {{")
            lines.append(f'    label={dot_string(name)}; style="rounded"; color="#99aabb";')
            lines += ["  " + _table_node(tables[k], columns=columns) for k in group if k in inside]
            lines.append("  }")
    else:
        lines += [_table_node(tables[k], columns=columns) for k in wanted]
    stubs: set[str] = set()
    edges = []
    for k in wanted:
        t = tables[k]
        for fk in t.foreign_keys:
            ref = _ref_key(t, fk)
            if ref not in inside:
                if ref in tables and ref not in stubs:
                    stubs.add(ref)
                    lines.append(_table_node(tables[ref], columns=False, stub=True))
                elif ref not in tables:
                    continue  # a reference out of the schema (another database's table): nothing to draw
            optional = any((t.column(c) is None or t.column(c).nullable) for c in fk.columns)
            # crow's foot: many at the referencing table, one (or zero-or-one when optional) at the parent
            attrs = [f"label={dot_string(', '.join(fk.columns))}", "arrowhead=" + ("teeodot" if optional else "teetee")]
            if optional:
                attrs.append('style="dashed"')
            edges.append(f"  {dot_string(k)} -> {dot_string(ref)} [{', '.join(attrs)}];")
    return "\n".join(lines + edges + ["}"]) + "\n"


def domain_overview(schema: Schema, groups: list[tuple[str, list[str]]]) -> str:
    """DOT of the domains themselves (one box per domain with its table count, one edge per pair of
    domains with the number of foreign keys between them): the overview of a schema too large to show
    every table in one picture."""
    where = {k: n for n, (_, keys) in enumerate(groups) for k in keys}
    links: dict[tuple[int, int], int] = defaultdict(int)
    for t in schema.tables:
        for fk in t.foreign_keys:
            a, b = where.get(_key(t)), where.get(_ref_key(t, fk))
            if a is not None and b is not None and a != b:
                links[(a, b)] += 1
    lines = ["digraph domains {", '  graph [rankdir=LR, fontname="Helvetica", overlap=false];',
             '  node [shape=box, style="rounded,filled", fillcolor="#dbe8f7", fontname="Helvetica", fontsize=11];',
             '  edge [fontname="Helvetica", fontsize=9, color="#555555"];']
    strongest = sorted(links.items(), key=lambda x: (-x[1], x[0]))[:OVERVIEW_LINKS * len(groups)]
    if len(strongest) < len(links):  # said on the picture: nothing is dropped silently
        lines.append(f"  graph [labelloc=t, label={dot_string(f'the {len(strongest)} strongest of {len(links)} links between domains; every foreign key is in the domain diagrams')}];")
    for n, (name, keys) in enumerate(groups):
        lines.append(f"  d{n} [label={dot_string(f'{name} ({len(keys)} tables)')}];")
    for (a, b), count in sorted(strongest):
        lines.append(f"  d{a} -> d{b} [label={dot_string(f'{count} FK')}, penwidth={min(1 + count / 4, 5):.1f}];")
    return "\n".join(lines + ["}"]) + "\n"


def erd_artifacts(schema: Schema) -> list[Artifact]:
    """docs/erd.dot/.svg/.png, and per-domain diagrams for large schemas (see the module doc)."""
    out: list[Artifact] = []
    large = len(schema.tables) > FULL_LIMIT
    groups = domains(schema) if large else []
    if len(schema.tables) > OVERVIEW_LIMIT:
        main = domain_overview(schema, groups)
        what = "ER diagram overview: the domains and the foreign keys between them"
    else:
        main = dot_source(schema, columns=not large, groups=groups or None)
        what = "ER diagram" + (" overview: tables by domain" if large else "")
    out.append(Artifact("docs/erd.dot", main, "doc", "ER diagram source (Graphviz DOT)"))
    drawings = [("docs/erd", main, what)]
    for name, keys in groups:
        source = dot_source(schema, keys, title=f"domain {name}: {len(keys)} tables")
        path = f"docs/erd/{slug(name) or 'domain'}"
        out.append(Artifact(path + ".dot", source, "doc", f"ER diagram of domain {name} (Graphviz DOT)"))
        drawings.append((path, source, f"ER diagram of domain {name}"))
    if not shutil.which("dot"):
        return out
    with ThreadPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1))) as pool:  # dot runs in its own process
        images = list(pool.map(lambda d: draw(d[1], ("svg", "png") if d[0] == "docs/erd" or len(drawings) <= PNG_DIAGRAMS
                                                 else ("svg",)), drawings))
    failed = [(path, image["error"].decode("utf-8", "replace").strip()) for (path, _, _), image in zip(drawings, images)
              if "error" in image]
    if failed:  # said in a file of its own and by the commands (problems()), never dropped silently
        out.append(Artifact(PROBLEMS, "# ER diagram images Graphviz could not draw\n\n" + "\n".join(
            f"- {p}.svg/.png: {why[:500]} (the source is {p}.dot)" for p, why in failed) + "\n", "doc",
            "ER diagram images that could not be drawn, and why"))
    for (path, _, what), image in zip(drawings, images):
        if "svg" in image:
            out.append(Artifact(path + ".svg", image["svg"].decode("utf-8"), "doc", what + " (SVG)"))
        if "png" in image:
            out.append(Artifact(path + ".png", image["png"], "doc", what + " (PNG)"))
    return out


class ErdImage(Renderer):
    name = "erd_image"

    def render(self, ctx: RenderContext) -> list[Artifact]:
        return erd_artifacts(ctx.schema)
