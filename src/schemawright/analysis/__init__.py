"""Analyses of a design shared by several features (below all of them).

    queries  query analysis: which tables, filters, joins and orders a query uses, and index candidates
             (the designer's pattern indexes and the index advisor)
    storage  storage estimates from the model, and measured sizes (bench and the agent output)

See docs/DESIGN.md, "Layers".
"""
