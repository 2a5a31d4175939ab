"""docs/report.html: one self-contained page (no script, no network: inline CSS and SVG) with the ER
diagram, the data dictionary, the inferences, the business rules and how each is enforced, and the
verification and benchmark results with charts when verification.json / bench.json are known
(``RenderContext.results``: ``schemawright docs`` on a verified design folder).

Every text reaches the page through ``escape.html_text``; the diagram is Graphviz's SVG, whose text
Graphviz escapes itself (names went into DOT as escaped HTML-like labels).
"""

from __future__ import annotations

import math
import re

from schemawright.dialects import type_sql
from schemawright.escape import html_text as h
from schemawright.model.schema import Schema, Table
from schemawright.render import Artifact, RenderContext, Renderer
from schemawright.render.erd_image import graphviz_missing, qualified

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:0;color:#1d2630;background:#fafbfc}
header{background:#1f3a5f;color:#fff;padding:18px 28px}header h1{margin:0;font-size:24px}
nav{background:#e8eef5;padding:8px 28px;position:sticky;top:0}nav a{margin-right:16px;color:#1f3a5f}
main{padding:8px 28px 40px}section{margin-top:28px}
table{border-collapse:collapse;margin:8px 0 16px;font-size:13px;background:#fff}
th,td{border:1px solid #ccd5df;padding:4px 8px;text-align:left;vertical-align:top}th{background:#eef2f7}
.ok{color:#17692f;font-weight:600}.bad{color:#b3261e;font-weight:600}.muted{color:#6a7785}
.diagram{overflow:auto;border:1px solid #ccd5df;background:#fff;max-height:900px}
.cards{display:flex;gap:12px;flex-wrap:wrap}.card{background:#fff;border:1px solid #ccd5df;padding:10px 16px;min-width:120px}
.card b{display:block;font-size:22px}details{margin:6px 0}code{background:#eef2f7;padding:0 3px}
"""


def _svg_body(svg: str) -> str:
    """Graphviz's SVG without its XML prolog and DOCTYPE (not allowed inside HTML)."""
    svg = re.sub(r"<\?xml[^>]*\?>", "", svg)
    svg = re.sub(r"<!DOCTYPE[^>]*>", "", svg, flags=re.S)
    return re.sub(r"<!--.*?-->", "", svg, flags=re.S).strip()


def _table(headers: list[str], rows: list[list[str]], cls: str = "") -> str:
    """An HTML table; cells are already-escaped HTML."""
    head = "".join(f"<th>{h(x)}</th>" for x in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def bar_chart(title: str, bars: list[tuple[str, list[tuple[float, str, str]]]], unit: str = "",
              marks: dict[str, float] | None = None, log: bool = False) -> str:
    """A horizontal bar chart as inline SVG: ``bars`` = [(label, [(value, colour, legend)])] stacked side by
    side; ``marks``: a red tick per label (a target)."""
    marks = marks or {}
    values = [v for _, vs in bars for v, _, _ in vs if v and v > 0] + [m for m in marks.values() if m]
    hi = max(values or [1])
    lo = min(values or [1])
    left, width, row, top = 230, 520, 22, 34
    height = top + max(len(bars), 1) * row * max(1, max((len(vs) for _, vs in bars), default=1)) // 1 + 40

    def x(v: float) -> float:
        if not v or v <= 0:
            return left
        if log:
            a, b = math.floor(math.log10(lo)), math.ceil(math.log10(hi)) or 1
            b = max(b, a + 1)
            return left + (math.log10(v) - a) / (b - a) * width
        return left + v / hi * width

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" width="{left + width + 120}" '
           f'height="{height}" font-family="sans-serif" font-size="11"><title>{h(title)}</title>',
           f'<text x="8" y="18" font-size="13">{h(title)}{h(" (" + unit + (", log scale" if log else "") + ")") if unit else ""}</text>']
    y = top
    for label, vs in bars:
        n = max(len(vs), 1)
        out.append(f'<text x="{left - 6}" y="{y + 12}" text-anchor="end">{h(label[:40])}</text>')
        for i, (v, colour, legend) in enumerate(vs):
            by = y + i * row
            out.append(f'<rect x="{left}" y="{by}" width="{max(x(v) - left, 1):.1f}" height="{row - 6}" fill="{colour}">'
                       f'<title>{h(legend)}: {v:g}</title></rect>'
                       f'<text x="{x(v) + 4:.1f}" y="{by + 12}">{h(legend)} {v:g}</text>')
        if marks.get(label):
            tx = x(marks[label])
            out.append(f'<line x1="{tx:.1f}" y1="{y - 2}" x2="{tx:.1f}" y2="{y + n * row - 4}" stroke="#d00" '
                       f'stroke-width="2"><title>target {marks[label]:g}</title></line>')
        y += n * row
    out.append("</svg>")
    return "".join(out)


def _dictionary(t: Table) -> str:
    keys = set(t.primary_key.columns if t.primary_key else ())
    fks = {c for fk in t.foreign_keys for c in fk.columns}
    rows = [[f"<code>{h(c.name)}</code>", h(type_sql(c.type)), "NO" if not c.nullable else "YES",
             h(str(c.default)) if c.default is not None else "-",
             " ".join(x for x, on in (("PK", c.name in keys), ("FK", c.name in fks), ("PII", c.pii),
                                      ("encrypted", c.encrypt)) if on),
             h(c.comment) if c.comment else '<span class="muted">not described in the source</span>'] for c in t.columns]
    parts = [f'<details id="t-{h(qualified(t.schema, t.name))}"><summary><b>{h(qualified(t.schema, t.name))}</b> '
             f'<span class="muted">({h(t.kind)}, {len(t.columns)} columns) {h(t.comment or "")}</span></summary>',
             _table(["column", "type", "nullable", "default", "keys", "description"], rows)]
    idx = []
    if t.primary_key:
        idx.append([h(t.primary_key.name), h(", ".join(t.primary_key.columns)), "PRIMARY", "row identity"])
    idx += [[h(u.name), h(", ".join(u.columns)), "UNIQUE", h(u.origin.reason or "")] for u in t.uniques]
    idx += [[h(ix.name), h(", ".join(ix.columns) + (f" WHERE {ix.where}" if ix.where else "")),
             ("UNIQUE " if ix.unique else "") + h(str(ix.method).upper()), h(ix.comment or ix.origin.reason or "")]
            for ix in t.indexes]
    if idx:
        parts.append(_table(["index", "columns", "kind", "why"], idx))
    if t.foreign_keys:
        parts.append(_table(["foreign key", "columns", "references", "on delete"], [
            [h(fk.name), h(", ".join(fk.columns)),
             h(f"{qualified(fk.ref_schema or t.schema, fk.ref_table)}({', '.join(fk.ref_columns)})"),
             h(str(fk.on_delete))] for fk in t.foreign_keys]))
    if t.checks:
        parts.append(_table(["check", "condition", "meaning"], [
            [h(c.name), f"<code>{h(str(c.expression))}</code>", h(c.comment or "")] for c in t.checks]))
    return "".join(parts) + "</details>"


def _rules(schema: Schema) -> str:
    rows = []
    for i in schema.inferences:
        if i.rule == "rule.not_understood":
            rows.append([h(i.subject), '<span class="bad">NOT enforced</span>', h(i.reason)])
        elif i.rule.startswith("rule.") and i.decision.startswith("enforced by"):
            rows.append([h(i.subject), '<span class="ok">' + h(i.decision) + "</span>", h(i.reason)])
    for r in schema.facts.application_rules:
        if r.name not in {i.subject for i in schema.inferences}:
            rows.append([h(r.name), '<span class="bad">application</span>', h(r.description)])
    checks = [[h(f"{qualified(t.schema, t.name)}.{c.name}"), '<span class="ok">CHECK constraint</span>',
               f"<code>{h(str(c.expression))}</code> " + h(c.comment or "")] for t in schema.tables for c in t.checks]
    out = ""
    if rows:
        out += _table(["business rule", "enforced", "how"], rows)
    else:
        out += '<p class="muted">The source declares no free-text business rules.</p>'
    out += f"<details><summary>All {len(checks)} CHECK constraints</summary>{_table(['constraint', 'kind', 'condition'], checks)}</details>"
    return out


def _verification(result: dict | None) -> str:
    if not result:
        return ('<p class="muted">Not verified yet: run <code>schemawright verify FOLDER</code>, then '
                '<code>schemawright docs FOLDER -o FOLDER</code> to include the results here.</p>')
    summary = result.get("summary", {})
    ok = result.get("passed")
    groups = summary.get("by_group", {})
    chart = bar_chart("checks per group", [(g, [(c.get("passed", 0), "#2e8b57", "passed")]
                                           + ([(c["failed"], "#c0392b", "failed")] if c.get("failed") else []))
                                          for g, c in groups.items()], unit="checks")
    failed = [s for s in result.get("steps", []) if not s.get("ok")]
    out = (f'<p id="verify-status" class="{"ok" if ok else "bad"}">{summary.get("passed", 0)} of '
           f'{summary.get("checks", 0)} checks passed on {h(result.get("server", "?"))}</p>' + chart)
    if failed:
        out += _table(["failed check", "detail"], [[h(s.get("name", "")), h(s.get("detail", ""))] for s in failed])
    return out


def _bench(result: dict | None) -> str:
    if not result:
        return ('<p class="muted">No benchmark yet: run <code>schemawright bench FOLDER --out FOLDER</code>, then '
                '<code>schemawright docs FOLDER -o FOLDER</code>.</p>')
    results = result.get("results", {}) or {}
    targets = {p.get("name"): p.get("target_ms") for p in result.get("patterns", []) or []}
    bars = [(name, [(r.get("p50_ms") or 0, "#2171b5", "p50"), (r.get("p95_ms") or 0, "#6baed6", "p95")])
            for name, r in results.items() if r.get("p50_ms")]
    out = bar_chart("latency per query pattern", bars, unit="ms", log=True,
                    marks={k: v for k, v in targets.items() if v}) if bars else ""
    rows = [[h(name), f'{r.get("per_second") or 0:,.0f}', h(r.get("p50_ms")), h(r.get("p95_ms")), h(targets.get(name)),
             '<span class="ok">met</span>' if r.get("p95_ms") is not None and targets.get(name) is not None
             and r["p95_ms"] <= targets[name] else '<span class="bad">missed</span>' if targets.get(name) else "-"]
            for name, r in results.items()]
    if rows:
        out += _table(["pattern", "calls/s", "p50 ms", "p95 ms", "target ms", "target"], rows)
    checks = result.get("checks") or []
    if checks:
        out += _table(["check", "target", "measured", "met"], [
            [h(c.get("name")), h(c.get("target")), h(f"{c.get('measured')} {c.get('unit') or ''}"),
             '<span class="ok">yes</span>' if c.get("met") else '<span class="bad">no</span>' if c.get("met") is False
             else "-"] for c in checks])
    return out


def _backup(result: dict | None) -> str:
    if not result:
        return ('<p class="muted">Not measured yet: run <code>schemawright verify FOLDER --backup</code>, then '
                '<code>schemawright docs FOLDER -o FOLDER</code>.</p>')
    p = result.get("projection", {})
    bad = [t for t in result.get("tables", []) if not t.get("equal")]
    out = (f'<p id="backup-status" class="{"ok" if result.get("passed") else "bad"}">'
           f'{len(result.get("tables", [])) - len(bad)} of {len(result.get("tables", []))} tables equal after backup and '
           f'restore (row count and content checksum), {result.get("rows_loaded", 0):,} rows</p>')
    out += bar_chart("backup and restore", [
        ("measured", [(result.get("backup_seconds") or 0, "#2171b5", "backup s"),
                      (result.get("restore_seconds") or 0, "#6baed6", "restore s")]),
        ("projected to target volume", [(p.get("backup_seconds") or 0, "#2171b5", "backup s"),
                                        (p.get("restore_seconds") or 0, "#6baed6", "restore s")])],
        unit="seconds", marks={"projected to target volume": p.get("restore_target_seconds") or 0})
    out += _table(["table", "rows", "restored", "equal"], [
        [h(t.get("table")), h(t.get("rows")), h(t.get("restored_rows")),
         '<span class="ok">yes</span>' if t.get("equal") else '<span class="bad">no</span>'] for t in result.get("tables", [])])
    return out


def report_html(ctx: RenderContext) -> str:
    s = ctx.schema
    project = s.facts.project
    svgs = {a.path: a.content for a in ctx.artifacts if a.path.endswith(".svg") and isinstance(a.content, str)}
    missing = graphviz_missing()
    if "docs/erd.svg" in svgs:
        diagram = f'<div class="diagram" id="erd">{_svg_body(svgs["docs/erd.svg"])}</div>'
        diagram += "".join(f'<details><summary>{h(p.removeprefix("docs/erd/").removesuffix(".svg"))}</summary>'
                           f'<div class="diagram">{_svg_body(svg)}</div></details>'
                           for p, svg in sorted(svgs.items()) if p.startswith("docs/erd/"))
    else:
        diagram = f'<p class="bad" id="erd">No diagram: {h(missing or "Graphviz could not draw it")}</p>'
    counts = {"tables": len(s.tables), "columns": sum(len(t.columns) for t in s.tables),
              "foreign keys": sum(len(t.foreign_keys) for t in s.tables),
              "indexes": sum(len(t.indexes) for t in s.tables), "checks": sum(len(t.checks) for t in s.tables),
              "views": len(s.views), "inferences": len(s.inferences)}
    cards = "".join(f'<div class="card"><b>{v:,}</b>{h(k)}</div>' for k, v in counts.items())
    inferences = (_table(["rule", "subject", "decision", "reason"], [
        [f"<code>{h(i.rule)}</code>", f"<code>{h(i.subject)}</code>", h(i.decision), h(i.reason)] for i in s.inferences])
        if s.inferences else '<p class="muted">None: the schema comes from SQL or a live database, nothing was inferred.</p>')
    sections = [
        ("diagram", "ER diagram", diagram),
        ("dictionary", "Data dictionary", "".join(_dictionary(t) for t in s.tables) + (_table(
            ["view", "kind", "description"], [[h(qualified(v.schema, v.name)), "materialized" if v.materialized else "view",
                                               h(v.comment or "")] for v in s.views]) if s.views else "")),
        ("rules", "Business rules and how each is enforced", _rules(s)),
        ("inferences", "Inferences (decisions the input left open)", inferences),
        ("verification", "Verification", _verification(ctx.results.get("verification.json"))),
        ("benchmark", "Benchmark", _bench(ctx.results.get("bench.json"))),
        ("backup", "Backup and restore", _backup(ctx.results.get("backup.json"))),
    ]
    nav = "".join(f'<a href="#{k}">{h(title.split(" (")[0])}</a>' for k, title, _ in sections)
    body = "".join(f'<section id="{k}"><h2>{h(title)}</h2>{content}</section>' for k, title, content in sections)
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
            "img-src data:\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{h(project.name)}: schema "
            f"report</title><style>{CSS}</style></head><body><header><h1>{h(project.name)}: schema report</h1>"
            f"<div>{h(project.description or '')}</div></header><nav>{nav}</nav><main>"
            f'<div class="cards" id="counts">{cards}</div>{body}</main></body></html>\n')


class HtmlReport(Renderer):
    name = "html_report"

    def render(self, ctx: RenderContext) -> list[Artifact]:
        return [Artifact("docs/report.html", report_html(ctx), "doc",
                         "Self-contained HTML report: diagram, dictionary, rules, inferences, verification, benchmark")]
