"""What the catalog holds that the schema model does not: each object or attribute with its kind,
qualified name, why it is not modelled, and its definition as PostgreSQL prints it.

``inspect_database`` attaches the list to the Schema (``Schema.unmodelled``) so that nothing is dropped
silently: ``diff`` compares the two sides' lists and reports every entry that differs (it cannot create,
change or drop it), ``import`` and ``lint`` list them. An entry equal on both sides needs no migration.

Objects owned by an extension are left out, as everywhere in ``inspect``.
"""

from __future__ import annotations

import psycopg

from schemawright.model import schema as model
from schemawright.model.schema import Unmodelled

_NOT_EXT = """NOT EXISTS (SELECT 1 FROM pg_depend dep WHERE dep.classid = '{catalog}'::regclass
    AND dep.objid = {oid} AND dep.deptype = 'e')"""


def _ne(catalog: str, oid: str) -> str:
    return _NOT_EXT.format(catalog=catalog, oid=oid)


# A serial column's sequence with every option at its default is what the diff creates for a serial column.
_TYPE_MAX = ("CASE format_type(s.seqtypid, NULL) WHEN 'smallint' THEN 32767 WHEN 'integer' THEN 2147483647 "
             "ELSE 9223372036854775807 END")
# Column options (n_distinct...), without the pg_attver some servers' extensions record there.
_OPTIONS = "(SELECT array_agg(o ORDER BY o) FROM unnest(a.attoptions) o WHERE o NOT LIKE 'pg\\_attver=%%')"
_REL = "c.relkind IN ('r', 'p') AND NOT c.relispartition"
_USER_NS = "n.nspname = ANY(%(schemas)s)"

# Each query returns (kind, schema, name, definition); the why is in _WHY.
_QUERIES: list[tuple[str, str]] = [
    ("composite type", f"""
SELECT n.nspname, t.typname,
       (SELECT string_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)
        FROM pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped)
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_class c ON c.oid = t.typrelid
WHERE {_USER_NS} AND t.typtype = 'c' AND c.relkind = 'c' AND {_ne('pg_type', 't.oid')}"""),
    ("range type", f"""
SELECT n.nspname, t.typname, format_type(r.rngsubtype, NULL)
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_range r ON r.rngtypid = t.oid
WHERE {_USER_NS} AND t.typtype = 'r' AND {_ne('pg_type', 't.oid')}"""),
    ("constraint option", f"""
SELECT n.nspname, c.relname || '.' || con.conname, pg_get_constraintdef(con.oid)
FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE {_USER_NS} AND {_REL} AND con.conparentid = 0 AND con.contype IN ('c', 'f') AND NOT con.convalidated"""),
    ("exclusion constraint", f"""
SELECT n.nspname, c.relname || '.' || con.conname, pg_get_constraintdef(con.oid)
FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE {_USER_NS} AND {_REL} AND con.contype = 'x' AND con.conparentid = 0"""),
    ("trigger option", f"""
SELECT n.nspname, c.relname || '.' || t.tgname, pg_get_triggerdef(t.oid)
FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE {_USER_NS} AND NOT t.tgisinternal AND (
      c.relkind NOT IN ('r', 'p', 'v', 'm') OR t.tgconstraint <> 0
   OR t.tgoldtable IS NOT NULL OR t.tgnewtable IS NOT NULL OR t.tgenabled <> 'O')"""),
    ("routine", f"""
SELECT n.nspname, p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
       CASE p.prokind WHEN 'p' THEN 'PROCEDURE ' || md5(p.prosrc) ELSE 'WINDOW ' || md5(p.prosrc) END
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE {_USER_NS} AND p.prokind IN ('p', 'w') AND {_ne('pg_proc', 'p.oid')}"""),
    ("partition", f"""
SELECT n.nspname, c.relname,
       'PARTITION OF ' || (SELECT quote_ident(pn.nspname) || '.' || quote_ident(pc.relname) FROM pg_inherits i
                           JOIN pg_class pc ON pc.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = pc.relnamespace
                           WHERE i.inhrelid = c.oid) || ' ' || pg_get_expr(c.relpartbound, c.oid)
       || coalesce(' ' || pg_get_partkeydef(c.oid), '')
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE {_USER_NS} AND c.relispartition AND c.relkind IN ('r', 'p', 'f') AND {_ne('pg_class', 'c.oid')}
  -- a partition of a parent of its own schema is a table of the model (Table.partition_of)
  AND (c.relkind = 'f' OR NOT EXISTS (SELECT 1 FROM pg_inherits i JOIN pg_class pc ON pc.oid = i.inhparent
                                      WHERE i.inhrelid = c.oid AND pc.relnamespace = c.relnamespace))"""),
    ("inheritance", f"""
SELECT n.nspname, c.relname,
       'INHERITS ' || string_agg(quote_ident(pn.nspname) || '.' || quote_ident(pc.relname), ', ' ORDER BY i.inhseqno)
FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_class pc ON pc.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = pc.relnamespace
WHERE {_USER_NS} AND NOT c.relispartition AND c.relkind IN ('r', 'p') AND pc.relkind = 'r'
GROUP BY n.nspname, c.relname
-- parents of its own schema are the model's (Table.inherits): only a parent of another schema is reported
HAVING bool_or(pc.relnamespace <> c.relnamespace)"""),
    ("column option", f"""
SELECT n.nspname, c.relname || '.' || a.attname,
       concat_ws(' ',
         CASE WHEN a.attstorage <> t.typstorage THEN 'STORAGE ' || a.attstorage::text END,
         CASE WHEN a.attcompression <> '' THEN 'COMPRESSION ' || a.attcompression::text END,
         CASE WHEN {_OPTIONS} IS NOT NULL THEN 'OPTIONS ' || {_OPTIONS}::text END)
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid LEFT JOIN pg_collation co ON co.oid = a.attcollation
WHERE {_USER_NS} AND c.relkind IN ('r', 'p', 'v', 'm') AND NOT c.relispartition AND a.attnum > 0
  AND NOT a.attisdropped AND {_ne('pg_class', 'c.oid')} AND (
      a.attstorage <> t.typstorage
   OR a.attcompression <> '' OR {_OPTIONS} IS NOT NULL)"""),  # column grants are the model's (Grant)
    ("relation option", f"""
SELECT n.nspname, c.relname,
       concat_ws(' ', CASE WHEN c.reloptions IS NOT NULL THEN 'WITH ' || array_to_string(c.reloptions, ',') END,
                 CASE WHEN c.relkind IN ('r', 'p') AND c.relreplident <> 'd' THEN 'REPLICA IDENTITY ' || c.relreplident::text END,
                 CASE WHEN c.reltablespace <> 0 THEN 'TABLESPACE' END)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
-- a plain view's WITH (...) is the model's (View.options)
WHERE {_USER_NS} AND c.relkind IN ('r', 'p', 'm') AND NOT c.relispartition AND {_ne('pg_class', 'c.oid')}
  AND (c.reloptions IS NOT NULL OR c.reltablespace <> 0
       OR (c.relkind IN ('r', 'p') AND c.relreplident <> 'd'))"""),
    ("index option", f"""
SELECT n.nspname, ic.relname,
       concat_ws(' ', CASE WHEN ic.reloptions IS NOT NULL AND con.oid IS NOT NULL
                           THEN 'WITH ' || array_to_string(ic.reloptions, ',') END,
                 CASE WHEN i.indisreplident THEN 'REPLICA IDENTITY' END,
                 CASE WHEN pg_get_indexdef(i.indexrelid) LIKE '%% COLLATE %%' AND con.oid IS NOT NULL
                      THEN pg_get_indexdef(i.indexrelid) END,
                 CASE WHEN am.amname NOT IN ('btree', 'hash', 'gist', 'gin', 'spgist', 'brin', 'hnsw', 'ivfflat')
                      THEN pg_get_indexdef(i.indexrelid) END,
                 CASE WHEN ic.reltablespace <> 0 THEN 'TABLESPACE' END)
FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_am am ON am.oid = ic.relam
LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid
WHERE {_USER_NS} AND NOT c.relispartition AND c.relkind IN ('r', 'p', 'm') AND (
      (ic.reloptions IS NOT NULL AND con.oid IS NOT NULL)
   -- an index's key collations are the model's (IndexElement.collation), a key's index's are not
   OR (pg_get_indexdef(i.indexrelid) LIKE '%% COLLATE %%' AND con.oid IS NOT NULL)
   OR i.indisreplident OR ic.reltablespace <> 0
   OR am.amname NOT IN ('btree', 'hash', 'gist', 'gin', 'spgist', 'brin', 'hnsw', 'ivfflat'))"""),
    ("rule", f"""
SELECT n.nspname, c.relname || '.' || r.rulename, pg_get_ruledef(r.oid)
FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE {_USER_NS} AND r.rulename <> '_RETURN' AND {_ne('pg_rewrite', 'r.oid')}
  AND c.relkind NOT IN ('r', 'p', 'f')  -- a table's rules are the model's (Table.rules)"""),
    ("foreign table", f"""
SELECT n.nspname, c.relname, 'FOREIGN TABLE'
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE {_USER_NS} AND c.relkind = 'f' AND NOT c.relispartition AND {_ne('pg_class', 'c.oid')}"""),
    ("statistics object", f"""
SELECT n.nspname, s.stxname, pg_get_statisticsobjdef(s.oid)
FROM pg_statistic_ext s JOIN pg_namespace n ON n.oid = s.stxnamespace WHERE {_USER_NS}"""),
    ("collation", f"""
SELECT n.nspname, co.collname, co.collprovider::text || ' ' || coalesce(co.collcollate, '') || ' '
       || coalesce(co.collctype, '')
FROM pg_collation co JOIN pg_namespace n ON n.oid = co.collnamespace
WHERE {_USER_NS} AND {_ne('pg_collation', 'co.oid')}"""),
    ("operator", f"""
SELECT n.nspname, o.oprname || '(' || format_type(o.oprleft, NULL) || ',' || format_type(o.oprright, NULL) || ')',
       o.oprcode::text
FROM pg_operator o JOIN pg_namespace n ON n.oid = o.oprnamespace
WHERE {_USER_NS} AND {_ne('pg_operator', 'o.oid')}"""),
    ("text search configuration", f"""
SELECT n.nspname, c.cfgname, 'TEXT SEARCH CONFIGURATION'
FROM pg_ts_config c JOIN pg_namespace n ON n.oid = c.cfgnamespace
WHERE {_USER_NS} AND {_ne('pg_ts_config', 'c.oid')}"""),
    ("event trigger", f"""
SELECT NULL, e.evtname, e.evtevent || ' ' || e.evtfoid::regproc::text
FROM pg_event_trigger e WHERE {_ne('pg_event_trigger', 'e.oid')}"""),
    ("comment", f"""
SELECT n.nspname, 'index ' || ic.relname, obj_description(ic.oid, 'pg_class')
FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_namespace n ON n.oid = ic.relnamespace
WHERE {_USER_NS} AND obj_description(ic.oid, 'pg_class') IS NOT NULL
  -- a partition's key that comes from its parent's is not one of the model's keys
  AND EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid
              AND con.contype IN ('p', 'u', 'x') AND con.conparentid <> 0)
UNION ALL
SELECT n.nspname, 'sequence ' || c.relname, obj_description(c.oid, 'pg_class')
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE {_USER_NS} AND c.relkind = 'S' AND obj_description(c.oid, 'pg_class') IS NOT NULL AND {_ne('pg_class', 'c.oid')}
  -- other sequences' comments are the model's (Sequence.comment), as are keys' indexes' and views' columns'
  AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
              AND d.deptype = 'i')"""),
    ("schema comment", f"""
SELECT n.nspname, n.nspname, obj_description(n.oid, 'pg_namespace')
FROM pg_namespace n WHERE {_USER_NS} AND obj_description(n.oid, 'pg_namespace') IS NOT NULL
  AND NOT (n.nspname = 'public' AND obj_description(n.oid, 'pg_namespace') = 'standard public schema')"""),
]

_WHY = {
    "composite type": "composite types are not in the schema model",
    "range type": "range types are not in the schema model",
    "constraint option": "a constraint left NOT VALID is not in the schema model",
    "exclusion constraint": "EXCLUDE constraints are not in the schema model",
    "trigger option": "triggers on foreign tables, constraint triggers, transition tables and disabled triggers "
                      "are not in the schema model",
    "routine": "procedures and window functions are not in the schema model",
    "partition": "partitions of a table of another schema, and foreign tables as partitions, are not in the "
                 "schema model",
    "inheritance": "inheritance from a table of another schema is not in the schema model",
    "column option": "STORAGE, COMPRESSION and per-column options are not in the schema model",
    "relation option": "storage parameters (WITH ...: fillfactor, security_barrier, check_option), "
                       "REPLICA IDENTITY and tablespaces are not in the schema model",
    "index option": "storage parameters and key collations of a key's index, and other access "
                    "methods are not in the schema model",
    "rule": "rules are not in the schema model",
    "foreign table": "foreign tables are not in the schema model",
    "statistics object": "extended statistics (CREATE STATISTICS) are not in the schema model",
    "collation": "collations are not in the schema model",
    "operator": "operators are not in the schema model",
    "text search configuration": "text search configurations are not in the schema model",
    "event trigger": "event triggers are not in the schema model",
    "comment": "comments on identity columns' sequences and on the indexes of partitions' keys that come "
               "from their parent are not in the schema model",
    "schema comment": "comments on schemas are not in the schema model",
}


def schema_comments(conn: psycopg.Connection, schemas: list[str]) -> dict[str, str]:
    """COMMENT ON SCHEMA of ``schemas`` (public's own default comment left out, as pg_dump leaves it)."""
    query = dict(_QUERIES)["schema comment"]
    with conn.transaction(), conn.cursor() as cur:
        cur.execute(query, {"schemas": list(schemas)})
        return {name: text for name, _, text in cur.fetchall()}


def why_not_modelled(kind: str, default: str) -> str:
    """The reason reported for an unmodelled ``kind`` (the same words for a catalog and for a SQL import)."""
    return _WHY.get(kind, default)


def modelled_kinds() -> set[str]:
    """Kinds the model has since come to hold (another branch may add them): they are not reported."""
    kinds = {"schema comment",  # Schema.schema_comments (read by inspect_database)
             "foreign table",  # Table.foreign_server / foreign_options (read by inspect_schema)
             "composite type"}  # Schema.composite_types
    if hasattr(model, "ExclusionConstraint"):
        kinds.add("exclusion constraint")
    return kinds


def unmodelled_objects(conn: psycopg.Connection, schemas: list[str]) -> list[Unmodelled]:
    """Every object or attribute of ``schemas`` (and database-wide event triggers) that the model leaves out."""
    out: list[Unmodelled] = []
    skip = modelled_kinds()
    with conn.transaction(), conn.cursor() as cur:
        for kind, query in _QUERIES:
            if kind in skip:
                continue
            cur.execute(query, {"schemas": list(schemas)})
            for schema_name, name, definition in cur.fetchall():
                out.append(Unmodelled(kind=kind, schema=schema_name, name=name, why=_WHY[kind],
                                      definition=" ".join(str(definition or "").split())))
    return out
