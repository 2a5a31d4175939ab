"""Values and rows made from the model, shared by several features (below all of them).

    rows     the value/row generator: values that satisfy a column's type, CHECKs and patterns
             (verify's constraint probes, the security fixture)
    plan     the seed plan: rows per table, foreign keys, skew and growth (seed, bench, seed-data rendering)
    columns  one generator per column; pools: value pools and COPY escaping; rules: cross-column rules

It depends on the model and the dialects only; see docs/DESIGN.md, "Layers".
"""
