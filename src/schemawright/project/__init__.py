"""The project layer: what every feature shares about a generated folder and about reading and applying SQL.

    layout      the folder's layout: the model JSON path, migration file names and their parsing
    statements  SQL split into statements, and which of them must run outside a transaction
    applier     the one SQL applier (transactional groups, statements that must run alone)
    sources     the one loader "any source -> canonical model" (task input, model JSON, design folder,
                SQL file, migrations folder, PostgreSQL URL)

It sits above model/spec/dialects/db/design/inspect and below every feature (verify, diff, lint, seed,
bench, advise, migrate, importers, render); see docs/DESIGN.md, "Layers".
"""
