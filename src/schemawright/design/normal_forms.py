"""``data_model.functional_dependencies``: the normal form of each table they concern (1NF-BCNF) with the
violating dependency, and, below 3NF/BCNF, the split that would fix it (Bernstein's 3NF synthesis and a BCNF
decomposition), logged as inferences (docs/inferences.md). The designer reports; it does not split a
declared entity on its own (declared entities win): the user decides, with the split spelled out."""

from __future__ import annotations

from schemawright.analysis.normalization import FD, bcnf_decompose, normal_form, synthesize_3nf
from schemawright.design.context import column_name_for, table_name_for


def _fmt(attrs) -> str:
    return "(" + ", ".join(sorted(attrs)) + ")"


def apply(ctx) -> None:
    by_table: dict[str, list[FD]] = {}
    for i, dep in enumerate(ctx.spec.data_model.functional_dependencies):
        path = ("data_model", "functional_dependencies", i)
        table = ctx.table(table_name_for(dep.entity))
        if table is None:
            ctx.problem(path + ("entity",), f"unknown entity {dep.entity!r}")
            continue
        cols = []
        for field in ("determinant", "dependent"):
            names = []
            for name in getattr(dep, field):
                col = column_name_for(name)
                col = col if table.has_column(col) else f"{col}_id" if table.has_column(f"{col}_id") else None
                if col is None:
                    ctx.problem(path + (field,), f"{name!r} is not a column of {table.name}",
                                expected=", ".join(c.name for c in table.columns))
                names.append(col)
            cols.append(names)
        if None in cols[0] + cols[1]:
            continue
        by_table.setdefault(table.name, []).append(FD.of(cols[0], cols[1]))
    for name, fds in by_table.items():
        table = ctx.table(name)
        relation = frozenset(c.name for c in table.columns)
        if table.primary_key:
            fds = [FD.of(table.primary_key.columns, relation), *fds]
        nf = normal_form(relation, fds)
        keys = "; ".join(_fmt(k) for k in nf.keys)
        ctx.infer("normalization.normal_form", name, f"{nf.form}" + (f", not {_next(nf.form)}" if nf.violation else ""),
                  f"candidate keys {keys}" + (f"; {nf.violation}: {nf.why}" if nf.violation else f"; {nf.why}"))
        if nf.form in ("1NF", "2NF"):
            parts = synthesize_3nf(relation, fds)
            ctx.infer("normalization.synthesis", name, "3NF synthesis (Bernstein): " + ", ".join(_fmt(p) for p in parts),
                      "one table per dependency group of a canonical cover, plus a key; lossless and dependency "
                      "preserving. Split the entity as shown, or keep it and accept the update anomalies")
        if nf.form != "BCNF":
            parts = bcnf_decompose(relation, fds)
            ctx.infer("normalization.bcnf", name, "BCNF decomposition: " + ", ".join(
                _fmt(p) + (f" on {why}" if why else "") for p, why in parts),
                "lossless; a dependency whose attributes end up in different tables is no longer enforced by a key")


def _next(form: str) -> str:
    return {"1NF": "2NF", "2NF": "3NF", "3NF": "BCNF"}[form]
