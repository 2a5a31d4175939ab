"""Read a live PostgreSQL schema from pg_catalog into the canonical model.

Every object gets ``Origin(source=Source.CATALOG)``. Partitions of a parent in the same schema are tables
with ``partition_of``/``partition_bound`` and only their own constraints, indexes and triggers (those cloned
from the parent are the parent's); INHERITS children name their parents of the same schema in ``inherits``;
rules on tables are in ``Table.rules``; foreign tables carry their server and options, and the foreign
servers are read too (a parent or server elsewhere stays an unmodelled entry, see ``unmodelled``).
Objects owned by an extension are skipped; indexes that back a primary key,
unique or exclusion constraint are reported as that constraint, not as an index. Works on
PostgreSQL 15 and later (18 stores NOT NULL as constraints too; those are read as ``nullable``).
"""

from __future__ import annotations

import warnings
from collections import defaultdict

import psycopg
from pglast import parse_sql
from pglast.stream import RawStream
from psycopg.rows import dict_row

from schemawright.model.schema import (
    Aggregate, CheckConstraint, Column, CompositeType, DefaultPrivilege, EnumType, ExclusionConstraint, ExclusionElement, Expression,
    FkAction, ForeignKey, ForeignServer, Function, Grant, Index, DomainCheck, DomainType, Sequence,
    IndexElement, IndexMethod, ObjectOwner, Origin, Partitioning, Policy, PrimaryKey, Role, Schema, Source, Table, Trigger,
    UniqueConstraint, View,
)
from schemawright.model.names import uq_name
from schemawright.model.types import DataType, Kind, UnknownTypeError, parse_type

_FK_ACTIONS = {"a": FkAction.NO_ACTION, "r": FkAction.RESTRICT, "c": FkAction.CASCADE,
               "n": FkAction.SET_NULL, "d": FkAction.SET_DEFAULT}
_IDENTITY = {"a": "always", "d": "by default"}
_VOLATILITY = {"i": "IMMUTABLE", "s": "STABLE", "v": "VOLATILE"}
_PARALLEL = {"s": "SAFE", "r": "RESTRICTED", "u": "UNSAFE"}
_PARTITION_STRATEGY = {"r": "range", "l": "list", "h": "hash"}
# pg_trigger.tgtype bits (catalog/pg_trigger.h)
_TG_ROW, _TG_BEFORE, _TG_INSTEAD = 1 << 0, 1 << 1, 1 << 6
_TG_EVENTS = (("INSERT", 1 << 2), ("UPDATE", 1 << 4), ("DELETE", 1 << 3), ("TRUNCATE", 1 << 5))
# pg_index.indoption bits
_INDOPTION_DESC, _INDOPTION_NULLS_FIRST = 1, 2

# An object is skipped when an extension owns it.
_NOT_EXTENSION_MEMBER = """NOT EXISTS (SELECT 1 FROM pg_depend dep
    WHERE dep.classid = %s::regclass AND dep.objid = {oid} AND dep.deptype = 'e')"""

# Partitions only of a parent of the same schema (one of another schema stays an unmodelled entry).
_TABLES_SQL = """
SELECT c.oid, c.relname, obj_description(c.oid, 'pg_class') AS comment, pg_get_partkeydef(c.oid) AS partkey,
       c.relpersistence = 'u' AS unlogged, c.relkind,
       (SELECT ic.relname FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
        WHERE i.indrelid = c.oid AND i.indisclustered) AS cluster_on,
       CASE WHEN c.relispartition THEN (SELECT pc.relname FROM pg_inherits h JOIN pg_class pc ON pc.oid = h.inhparent
                                        WHERE h.inhrelid = c.oid) END AS partition_of,
       CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS partition_bound,
       ARRAY(SELECT pc.relname FROM pg_inherits h JOIN pg_class pc ON pc.oid = h.inhparent
             WHERE h.inhrelid = c.oid AND NOT c.relispartition AND pc.relnamespace = c.relnamespace
             ORDER BY h.inhseqno) AS inherits,
       (SELECT s.srvname FROM pg_foreign_table ft JOIN pg_foreign_server s ON s.oid = ft.ftserver
        WHERE ft.ftrelid = c.oid) AS foreign_server,
       coalesce((SELECT ft.ftoptions FROM pg_foreign_table ft WHERE ft.ftrelid = c.oid), '{}') AS foreign_options,
       ARRAY(SELECT r.rulename FROM pg_rewrite r WHERE r.ev_class = c.oid AND r.rulename <> '_RETURN'
             ORDER BY r.rulename) AS rule_names,
       ARRAY(SELECT pg_get_ruledef(r.oid) FROM pg_rewrite r WHERE r.ev_class = c.oid AND r.rulename <> '_RETURN'
             ORDER BY r.rulename) AS rule_defs
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = %s AND c.relkind IN ('r', 'p', 'f')
  AND (NOT c.relispartition OR c.relkind <> 'f' AND EXISTS (SELECT 1 FROM pg_inherits h JOIN pg_class pc ON pc.oid = h.inhparent
                                       WHERE h.inhrelid = c.oid AND pc.relnamespace = c.relnamespace))
  AND """ + _NOT_EXTENSION_MEMBER.format(oid="c.oid") + """
ORDER BY c.relname"""

_COLUMNS_SQL = """
SELECT a.attrelid, a.attname, format_type(a.atttypid, a.atttypmod) AS type_text, a.attnotnull,
       a.attidentity, a.attgenerated, pg_get_expr(d.adbin, d.adrelid) AS expr,
       col_description(a.attrelid, a.attnum) AS comment,
       t.typtype, tn.nspname AS type_schema, t.typname,
       et.typtype AS elem_typtype, etn.nspname AS elem_schema, et.typname AS elem_typname,
       CASE WHEN a.attcollation <> t.typcollation THEN co.collname END AS collation,
       CASE WHEN a.attstattarget >= 0 THEN a.attstattarget END AS statistics,
       (SELECT format('START WITH %%s INCREMENT BY %%s MINVALUE %%s MAXVALUE %%s CACHE %%s %%s', s.seqstart,
                      s.seqincrement, s.seqmin, s.seqmax, s.seqcache,
                      CASE WHEN s.seqcycle THEN 'CYCLE' ELSE 'NO CYCLE' END)
        FROM pg_depend dep JOIN pg_sequence s ON s.seqrelid = dep.objid
        WHERE a.attidentity <> '' AND dep.classid = 'pg_class'::regclass AND dep.refclassid = 'pg_class'::regclass
          AND dep.refobjid = a.attrelid AND dep.refobjsubid = a.attnum AND dep.deptype = 'i'
          AND (s.seqstart <> CASE WHEN s.seqincrement > 0 THEN s.seqmin ELSE s.seqmax END OR s.seqincrement <> 1
               OR s.seqcache <> 1 OR s.seqcycle OR s.seqmin <> 1
               OR s.seqmax <> CASE format_type(s.seqtypid, NULL) WHEN 'smallint' THEN 32767
                                  WHEN 'integer' THEN 2147483647 ELSE 9223372036854775807 END)
       ) AS identity_options
FROM pg_attribute a
JOIN pg_type t ON t.oid = a.atttypid
JOIN pg_namespace tn ON tn.oid = t.typnamespace
LEFT JOIN pg_type et ON et.oid = t.typelem AND t.typcategory = 'A'
LEFT JOIN pg_namespace etn ON etn.oid = et.typnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
LEFT JOIN pg_collation co ON co.oid = a.attcollation
WHERE a.attrelid = ANY(%s) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum"""

_CONSTRAINTS_SQL = """
SELECT con.conrelid, con.conname, con.contype, pg_get_expr(con.conbin, con.conrelid) AS expr,
       ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
             ORDER BY k.ord) AS columns,
       ARRAY(SELECT a.attname FROM unnest(con.conkey) AS k(attnum)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
             ORDER BY k.attnum) AS columns_by_attnum,
       ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, ord)
             JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum
             ORDER BY k.ord) AS ref_columns,
       rc.relname AS ref_table, rn.nspname AS ref_schema, n.nspname AS schema,
       con.confdeltype, con.confupdtype, con.condeferrable, con.condeferred, con.confmatchtype, con.connoinherit,
       obj_description(con.oid, 'pg_constraint') AS comment,
       CASE WHEN con.contype IN ('p', 'u') THEN obj_description(con.conindid, 'pg_class') END AS index_comment,
       {nulls_not_distinct} AS nulls_not_distinct, con.conislocal, tc.relispartition
FROM pg_constraint con
JOIN pg_class tc ON tc.oid = con.conrelid
JOIN pg_namespace n ON n.oid = con.connamespace
LEFT JOIN pg_class rc ON rc.oid = con.confrelid
LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
LEFT JOIN pg_index ci ON ci.indexrelid = con.conindid
WHERE con.conrelid = ANY(%s) AND con.contype IN ('p', 'u', 'c', 'f') AND con.conparentid = 0
ORDER BY con.conrelid, con.conname"""

_EXCLUSIONS_SQL = """
SELECT con.conrelid, con.conname, am.amname, con.condeferrable, con.condeferred,
       pg_get_expr(i.indpred, i.indrelid) AS predicate, obj_description(con.oid, 'pg_constraint') AS comment,
       obj_description(con.conindid, 'pg_class') AS index_comment,
       ARRAY(SELECT a.attname FROM generate_series(0, i.indnkeyatts - 1) AS k(n)
             LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[k.n] AND i.indkey[k.n] <> 0
             ORDER BY k.n) AS columns,
       ARRAY(SELECT pg_get_indexdef(i.indexrelid, k.n + 1, true) FROM generate_series(0, i.indnkeyatts - 1) AS k(n)
             ORDER BY k.n) AS definitions,
       ARRAY(SELECT o.oprname FROM unnest(con.conexclop) WITH ORDINALITY AS x(op, ord)
             JOIN pg_operator o ON o.oid = x.op ORDER BY x.ord) AS operators
FROM pg_constraint con
JOIN pg_index i ON i.indexrelid = con.conindid
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_am am ON am.oid = ic.relam
WHERE con.conrelid = ANY(%s) AND con.contype = 'x' AND con.conparentid = 0
ORDER BY con.conrelid, con.conname"""

_INDEXES_SQL = """
SELECT i.indrelid, i.indexrelid, ic.relname, am.amname, i.indisunique, i.indnkeyatts,
       coalesce(ic.reloptions, '{{}}') AS reloptions,
       pg_get_expr(i.indpred, i.indrelid) AS predicate,
       obj_description(i.indexrelid, 'pg_class') AS comment,
       {nulls_not_distinct} AS nulls_not_distinct,
       -- a key's COLLATE is printed only in the whole definition (not per key): parsed from it when present
       CASE WHEN pg_get_indexdef(i.indexrelid) LIKE '%% COLLATE %%' THEN pg_get_indexdef(i.indexrelid) END
           AS collated_definition
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_am am ON am.oid = ic.relam
WHERE i.indrelid = ANY(%s)
  AND NOT EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = i.indexrelid)  -- a parent index's partition
  AND NOT EXISTS (SELECT 1 FROM pg_constraint con
                  WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid
                    AND con.contype IN ('p', 'u', 'x'))
ORDER BY i.indrelid, ic.relname"""

_INDEX_KEYS_SQL = """
SELECT i.indexrelid, k.n, i.indkey[k.n] AS attnum, a.attname,
       pg_get_indexdef(i.indexrelid, k.n + 1, true) AS definition,
       i.indoption[k.n] AS option, opc.opcname, opc.opcdefault
FROM pg_index i
CROSS JOIN LATERAL generate_series(0, i.indnatts - 1) AS k(n)
LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[k.n] AND i.indkey[k.n] <> 0
LEFT JOIN pg_opclass opc ON opc.oid = i.indclass[k.n]
WHERE i.indexrelid = ANY(%s)
ORDER BY i.indexrelid, k.n"""

_TRIGGERS_SQL = """
SELECT t.tgrelid, t.tgname, p.proname, pn.nspname AS function_schema, t.tgtype,
       t.tgconstraint <> 0 AS is_constraint, t.tgdeferrable, t.tginitdeferred,
       obj_description(t.oid, 'pg_trigger') AS comment,
       CASE WHEN t.tgqual IS NOT NULL OR t.tgnargs > 0 OR array_length(t.tgattr, 1) > 0
            THEN pg_get_triggerdef(t.oid) END AS definition
FROM pg_trigger t
JOIN pg_proc p ON p.oid = t.tgfoid
JOIN pg_namespace pn ON pn.oid = p.pronamespace
WHERE t.tgrelid = ANY(%s) AND NOT t.tgisinternal AND t.tgparentid = 0  -- not cloned from a parent's
ORDER BY t.tgrelid, t.tgname"""

_FUNCTIONS_SQL = """
SELECT p.proname, pg_get_function_arguments(p.oid) AS arguments, pg_get_function_result(p.oid) AS returns,
       l.lanname, p.prosrc, p.provolatile, p.prosecdef, obj_description(p.oid, 'pg_proc') AS comment,
       p.proisstrict, p.proleakproof, p.proparallel, p.procost, p.prorows, p.proretset,
       coalesce(p.proconfig, '{}') AS proconfig
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
JOIN pg_language l ON l.oid = p.prolang
WHERE n.nspname = %s AND p.prokind = 'f'
  AND """ + _NOT_EXTENSION_MEMBER.format(oid="p.oid") + """
ORDER BY p.proname, arguments"""

# Aggregates with their options spelled as CREATE AGGREGATE takes them (pg_dump's dumpAgg), defaults left out;
# functions qualified with their schema (pg_catalog's without).
_FN = ("(SELECT CASE WHEN fn.nspname = 'pg_catalog' THEN '' ELSE quote_ident(fn.nspname) || '.' END "
       "|| quote_ident(fp.proname) FROM pg_proc fp JOIN pg_namespace fn ON fn.oid = fp.pronamespace "
       "WHERE fp.oid = {})")
_AGGREGATES_SQL = """
SELECT p.proname, pg_get_function_arguments(p.oid) AS arguments, obj_description(p.oid, 'pg_proc') AS comment,
       concat_ws(', ',
         'sfunc = ' || """ + _FN.format("a.aggtransfn") + """,
         'stype = ' || format_type(a.aggtranstype, NULL),
         CASE WHEN a.aggtransspace <> 0 THEN 'sspace = ' || a.aggtransspace END,
         CASE WHEN a.aggfinalfn <> 0 THEN 'finalfunc = ' || """ + _FN.format("a.aggfinalfn") + """ END,
         CASE WHEN a.aggfinalextra THEN 'finalfunc_extra' END,
         CASE WHEN a.aggfinalmodify <> CASE WHEN a.aggkind = 'n' THEN 'r' ELSE 'w' END
              THEN 'finalfunc_modify = ' || CASE a.aggfinalmodify WHEN 'r' THEN 'read_only'
                                                 WHEN 's' THEN 'shareable' ELSE 'read_write' END END,
         CASE WHEN a.aggcombinefn <> 0 THEN 'combinefunc = ' || """ + _FN.format("a.aggcombinefn") + """ END,
         CASE WHEN a.aggserialfn <> 0 THEN 'serialfunc = ' || """ + _FN.format("a.aggserialfn") + """ END,
         CASE WHEN a.aggdeserialfn <> 0 THEN 'deserialfunc = ' || """ + _FN.format("a.aggdeserialfn") + """ END,
         'initcond = ' || quote_literal(a.agginitval),
         CASE WHEN a.aggmtransfn <> 0 THEN 'msfunc = ' || """ + _FN.format("a.aggmtransfn") + """
              || ', minvfunc = ' || """ + _FN.format("a.aggminvtransfn") + """
              || ', mstype = ' || format_type(a.aggmtranstype, NULL) END,
         CASE WHEN a.aggmtransspace <> 0 THEN 'msspace = ' || a.aggmtransspace END,
         CASE WHEN a.aggmfinalfn <> 0 THEN 'mfinalfunc = ' || """ + _FN.format("a.aggmfinalfn") + """ END,
         CASE WHEN a.aggmfinalextra THEN 'mfinalfunc_extra' END,
         CASE WHEN a.aggmtransfn <> 0 AND a.aggmfinalmodify <> CASE WHEN a.aggkind = 'n' THEN 'r' ELSE 'w' END
              THEN 'mfinalfunc_modify = ' || CASE a.aggmfinalmodify WHEN 'r' THEN 'read_only'
                                                  WHEN 's' THEN 'shareable' ELSE 'read_write' END END,
         'minitcond = ' || quote_literal(a.aggminitval),
         CASE WHEN a.aggsortop <> 0 THEN 'sortop = ' || (SELECT 'OPERATOR(' || quote_ident(onsp.nspname) || '.'
                                                          || o.oprname || ')' FROM pg_operator o
                                                          JOIN pg_namespace onsp ON onsp.oid = o.oprnamespace
                                                          WHERE o.oid = a.aggsortop) END,
         CASE WHEN a.aggkind = 'h' THEN 'hypothetical' END,
         CASE p.proparallel WHEN 's' THEN 'parallel = safe' WHEN 'r' THEN 'parallel = restricted' END
       ) AS options
FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = %s
  AND """ + _NOT_EXTENSION_MEMBER.format(oid="p.oid") + """
ORDER BY p.proname, arguments"""

_VIEWS_SQL = """
SELECT c.oid, c.relname, c.relkind, pg_get_viewdef(c.oid, true) AS query,
       CASE WHEN c.relkind = 'v' THEN coalesce(c.reloptions, '{}') ELSE '{}' END AS options,
       obj_description(c.oid, 'pg_class') AS comment,
       ARRAY(SELECT a.attname FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
               AND col_description(c.oid, a.attnum) IS NOT NULL ORDER BY a.attnum) AS commented_columns,
       ARRAY(SELECT col_description(c.oid, a.attnum) FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0
               AND NOT a.attisdropped AND col_description(c.oid, a.attnum) IS NOT NULL ORDER BY a.attnum)
           AS column_comments,
       ARRAY(SELECT DISTINCT dc.relname FROM pg_rewrite r
             JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
                             AND d.refclassid = 'pg_class'::regclass
             JOIN pg_class dc ON dc.oid = d.refobjid
             WHERE r.ev_class = c.oid AND d.refobjid <> c.oid
             ORDER BY dc.relname) AS depends_on,
       ARRAY(SELECT a.attname FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
             JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
             WHERE i.indrelid = c.oid AND i.indisunique AND i.indexprs IS NULL AND i.indpred IS NULL
               AND i.indexrelid = (SELECT min(i2.indexrelid) FROM pg_index i2
                                   WHERE i2.indrelid = c.oid AND i2.indisunique)
             ORDER BY k.n) AS unique_key
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = %s AND c.relkind IN ('v', 'm')
  AND """ + _NOT_EXTENSION_MEMBER.format(oid="c.oid") + """
ORDER BY c.relname"""

_ENUMS_SQL = """
SELECT t.typname,
       ARRAY(SELECT e.enumlabel FROM pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder) AS labels,
       obj_description(t.oid, 'pg_type') AS comment
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE n.nspname = %s AND t.typtype = 'e'
  AND """ + _NOT_EXTENSION_MEMBER.format(oid="t.oid") + """
ORDER BY t.typname"""

_COMPOSITES_SQL = """
SELECT t.typname, obj_description(t.oid, 'pg_type') AS comment,
       ARRAY(SELECT a.attname FROM pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0
             AND NOT a.attisdropped ORDER BY a.attnum) AS names,
       ARRAY(SELECT format_type(a.atttypid, a.atttypmod)
                    || CASE WHEN a.attcollation <> at.typcollation THEN ' COLLATE ' || quote_ident(co.collname) ELSE '' END
             FROM pg_attribute a JOIN pg_type at ON at.oid = a.atttypid
             LEFT JOIN pg_collation co ON co.oid = a.attcollation
             WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum) AS types
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_class c ON c.oid = t.typrelid
WHERE n.nspname = %s AND t.typtype = 'c' AND c.relkind = 'c'
  AND """ + _NOT_EXTENSION_MEMBER.format(oid="t.oid") + """
ORDER BY t.typname"""

_DOMAINS_SQL = """
SELECT t.typname, format_type(t.typbasetype, t.typtypmod) AS base_type, t.typnotnull, t.typdefault,
       CASE WHEN t.typcollation <> bt.typcollation THEN co.collname END AS collation,
       obj_description(t.oid, 'pg_type') AS comment,
       ARRAY(SELECT con.conname FROM pg_constraint con WHERE con.contypid = t.oid AND con.contype = 'c'
             ORDER BY con.conname) AS check_names,
       ARRAY(SELECT pg_get_constraintdef(con.oid) FROM pg_constraint con WHERE con.contypid = t.oid
             AND con.contype = 'c' ORDER BY con.conname) AS check_defs
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
JOIN pg_type bt ON bt.oid = t.typbasetype LEFT JOIN pg_collation co ON co.oid = t.typcollation
WHERE n.nspname = %s AND t.typtype = 'd'
  AND """ + _NOT_EXTENSION_MEMBER.format(oid="t.oid") + """
ORDER BY t.typname"""

# Sequences other than identity columns' own (those are part of their column).
_SEQUENCES_SQL = """
SELECT c.relname, format_type(s.seqtypid, NULL) AS data_type, s.seqstart, s.seqincrement, s.seqmin, s.seqmax,
       s.seqcache, s.seqcycle,
       (SELECT oc.relname || '.' || a.attname FROM pg_depend d JOIN pg_class oc ON oc.oid = d.refobjid
        JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
        WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'a'
          AND d.refclassid = 'pg_class'::regclass AND oc.relnamespace = c.relnamespace) AS owned_by,
       obj_description(c.oid, 'pg_class') AS comment
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_sequence s ON s.seqrelid = c.oid
WHERE n.nspname = %s AND c.relkind = 'S'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                  AND d.deptype = 'i')
  AND """ + _NOT_EXTENSION_MEMBER.format(oid="c.oid") + """
ORDER BY c.relname"""

_FOREIGN_SERVERS_SQL = """
SELECT s.srvname, w.fdwname, coalesce(s.srvoptions, '{}') AS options
FROM pg_foreign_server s JOIN pg_foreign_data_wrapper w ON w.oid = s.srvfdw
WHERE """ + _NOT_EXTENSION_MEMBER.format(oid="s.oid") + """
ORDER BY s.srvname"""

_EXTENSIONS_SQL = "SELECT extname FROM pg_extension WHERE extname <> 'plpgsql' ORDER BY extname"


def _origin() -> Origin:
    return Origin(source=Source.CATALOG)


def _view_indexes(cur, indexes_sql: str, views: dict[int, View]) -> None:
    """Materialized views' indexes into ``View.indexes``; the one the designer makes for ``unique_key``
    (named ``uq_<view>_<columns>``) stays the unique key, any other unique index is an index of its own."""
    if not views:
        return
    cur.execute(indexes_sql, (list(views),))
    index_rows = cur.fetchall()
    cur.execute(_INDEX_KEYS_SQL, ([row["indexrelid"] for row in index_rows],))
    keys: dict[int, list[dict]] = defaultdict(list)
    for row in cur.fetchall():
        keys[row["indexrelid"]].append(row)
    kept: set[int] = set()  # views whose unique key is the designer's uq_ index
    for row in index_rows:
        view = views[row["indrelid"]]
        if (index := _index(row, keys[row["indexrelid"]])) is None:
            continue
        if view.unique_key and index.unique and index.name == uq_name(view.name, view.unique_key) \
                and index.columns == view.unique_key:
            kept.add(row["indrelid"])
            continue
        view.indexes.append(index)
    for oid, view in views.items():
        if oid not in kept:
            view.unique_key = ()  # a unique index of its own name is one of the view's indexes


def inspect_schema(conn: psycopg.Connection, schema: str = "public") -> Schema:
    """Read every table, view, function, enum and extension of ``schema`` into a ``Schema``."""
    has_nnd = conn.info.server_version >= 150000  # pg_index.indnullsnotdistinct is new in 15
    constraints_sql = _CONSTRAINTS_SQL.format(nulls_not_distinct="ci.indnullsnotdistinct" if has_nnd else "false")
    indexes_sql = _INDEXES_SQL.format(nulls_not_distinct="i.indnullsnotdistinct" if has_nnd else "false")
    with conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
        cur.execute(_TABLES_SQL, (schema, "pg_class"))
        tables = {row["oid"]: Table(name=row["relname"], schema=schema, comment=row["comment"],
                                    partitioning=_partitioning(row["partkey"]), unlogged=row["unlogged"],
                                    cluster_on=row["cluster_on"], partition_of=row["partition_of"],
                                    partition_bound=row["partition_bound"], inherits=tuple(row["inherits"]),
                                    rules=dict(zip(row["rule_names"], row["rule_defs"])),
                                    foreign_server=row["foreign_server"],
                                    foreign_options=tuple(row["foreign_options"]) if row["foreign_server"] else (),
                                    origin=_origin())
                  for row in cur.fetchall()}
        oids = list(tables)

        cur.execute(_COLUMNS_SQL, (oids,))
        for row in cur.fetchall():
            tables[row["attrelid"]].columns.append(_column(row, schema))

        cur.execute(constraints_sql, (oids,))
        for row in cur.fetchall():
            if row["relispartition"] and not row["conislocal"]:
                continue  # a check the partition has from its parent
            _add_constraint(tables[row["conrelid"]], row)

        cur.execute(_EXCLUSIONS_SQL, (oids,))
        for row in cur.fetchall():
            tables[row["conrelid"]].exclusions.append(_exclusion(row))

        cur.execute(indexes_sql, (oids,))
        index_rows = cur.fetchall()
        cur.execute(_INDEX_KEYS_SQL, ([row["indexrelid"] for row in index_rows],))
        keys: dict[int, list[dict]] = defaultdict(list)
        for row in cur.fetchall():
            keys[row["indexrelid"]].append(row)
        for row in index_rows:
            if index := _index(row, keys[row["indexrelid"]]):
                tables[row["indrelid"]].indexes.append(index)

        cur.execute(_TRIGGERS_SQL, (oids,))
        for row in cur.fetchall():
            tables[row["tgrelid"]].triggers.append(_trigger(row, schema))

        cur.execute(_FUNCTIONS_SQL, (schema, "pg_proc"))
        functions = [Function(name=r["proname"], arguments=r["arguments"], returns=r["returns"],
                              language=r["lanname"], body=r["prosrc"], schema=schema,
                              volatility=_VOLATILITY[r["provolatile"]], security_definer=r["prosecdef"],
                              strict=r["proisstrict"], leakproof=r["proleakproof"],
                              parallel=_PARALLEL[r["proparallel"]],
                              cost=None if r["procost"] == (1 if r["lanname"] in ("c", "internal") else 100)
                              else float(r["procost"]),
                              rows=float(r["prorows"]) if r["proretset"] and r["prorows"] != 1000 else None,
                              config=tuple(r["proconfig"]), comment=r["comment"], origin=_origin())
                     for r in cur.fetchall()]

        cur.execute(_AGGREGATES_SQL, (schema, "pg_proc"))
        aggregates = [Aggregate(name=r["proname"], schema=schema, arguments=r["arguments"] or "*",
                                options=r["options"], comment=r["comment"], origin=_origin())
                      for r in cur.fetchall()]

        cur.execute(_VIEWS_SQL, (schema, "pg_class"))
        by_oid = {r["oid"]: View(name=r["relname"], query=r["query"], schema=schema, materialized=r["relkind"] == "m",
                                 comment=r["comment"], depends_on=tuple(r["depends_on"]), origin=_origin(),
                                 unique_key=tuple(r["unique_key"]), options=tuple(r["options"]),
                                 column_comments=dict(zip(r["commented_columns"], r["column_comments"])))
                  for r in cur.fetchall()}
        views = list(by_oid.values())
        cur.execute(_TRIGGERS_SQL, (list(by_oid),))
        for row in cur.fetchall():
            by_oid[row["tgrelid"]].triggers.append(_trigger(row, schema))
        _view_indexes(cur, indexes_sql, {oid: v for oid, v in by_oid.items() if v.materialized})

        cur.execute(_ENUMS_SQL, (schema, "pg_type"))
        enums = [EnumType(name=r["typname"], values=tuple(r["labels"]), schema=schema, comment=r["comment"],
                          origin=_origin())
                 for r in cur.fetchall()]

        cur.execute(_COMPOSITES_SQL, (schema, "pg_type"))
        composites = [CompositeType(name=r["typname"], schema=schema, attributes=tuple(zip(r["names"], r["types"])),
                                    comment=r["comment"], origin=_origin()) for r in cur.fetchall()]

        cur.execute(_DOMAINS_SQL, (schema, "pg_type"))
        domains = [DomainType(name=r["typname"], base_type=r["base_type"], schema=schema, not_null=r["typnotnull"],
                              default=Expression(r["typdefault"]) if r["typdefault"] is not None else None,
                              checks=tuple(DomainCheck(name=n, expression=Expression(_check_expression(d)))
                                           for n, d in zip(r["check_names"], r["check_defs"])),
                              collation=r["collation"], comment=r["comment"], origin=_origin())
                   for r in cur.fetchall()]

        cur.execute(_SEQUENCES_SQL, (schema, "pg_class"))
        sequences = [Sequence(name=r["relname"], schema=schema, data_type=r["data_type"], start=r["seqstart"],
                              increment=r["seqincrement"], min_value=r["seqmin"], max_value=r["seqmax"],
                              cache=r["seqcache"], cycle=r["seqcycle"], owned_by=r["owned_by"],
                              comment=r["comment"], origin=_origin())
                     for r in cur.fetchall()]

        cur.execute(_EXTENSIONS_SQL)
        extensions = [r["extname"] for r in cur.fetchall()]
        cur.execute(_FOREIGN_SERVERS_SQL, ("pg_foreign_server",))
        foreign_servers = [ForeignServer(name=r["srvname"], wrapper=r["fdwname"], options=tuple(r["options"]),
                                         origin=_origin()) for r in cur.fetchall()]
        security = _security(cur, schema, tables)

    return Schema(name=schema, extensions=extensions, foreign_servers=foreign_servers, enums=enums, composite_types=composites, domains=domains, sequences=sequences, tables=list(tables.values()),
                  views=views, functions=functions, aggregates=aggregates, **security)


# --- security: owner, roles, privileges, row-level security ----------------------------------------

_RELATION_KINDS = {"r": "table", "p": "table", "v": "view", "m": "view", "S": "sequence"}
_POLICY_COMMANDS = {"*": "ALL", "r": "SELECT", "a": "INSERT", "w": "UPDATE", "d": "DELETE"}
_DEFAULT_ACL_TYPES = {"r": "tables", "S": "sequences", "f": "functions", "T": "types", "n": "schemas"}

# Privileges as granted (ACL entries), the implicit defaults of a NULL ACL included, owners' own left out.
_ACL_SQL = """
SELECT o.object_type, o.object_name, o.owner, a.grantee, a.privilege_type, a.is_grantable,
       0 AS attnum, a.ordinality AS ord
FROM (
    SELECT CASE c.relkind WHEN 'S' THEN 'sequence' WHEN 'v' THEN 'view' WHEN 'm' THEN 'view' ELSE 'table' END,
           c.relname, c.relowner,
           coalesce(c.relacl, acldefault((CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END)::"char", c.relowner))
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = %(schema)s AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
      AND """ + _NOT_EXTENSION_MEMBER.format(oid="c.oid").replace("%s", "'pg_class'") + """
    UNION ALL
    SELECT 'function', p.proname, p.proowner, coalesce(p.proacl, acldefault('f', p.proowner))
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = %(schema)s AND p.prokind = 'f'
      AND """ + _NOT_EXTENSION_MEMBER.format(oid="p.oid").replace("%s", "'pg_proc'") + """
    UNION ALL
    SELECT 'schema', n.nspname, n.nspowner, coalesce(n.nspacl, acldefault('n', n.nspowner))
    FROM pg_namespace n WHERE n.nspname = %(schema)s
) AS o(object_type, object_name, owner, acl)
CROSS JOIN LATERAL aclexplode(o.acl) WITH ORDINALITY AS a
WHERE a.grantee <> o.owner
UNION ALL
-- column-level grants: the privilege with its column, "SELECT(name)" (GRANT SELECT (name) ON ... takes it so)
SELECT CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'view' ELSE 'table' END, c.relname, c.relowner,
       ca.grantee, ca.privilege_type || '(' || quote_ident(att.attname) || ')', ca.is_grantable,
       att.attnum, ca.ordinality
FROM pg_attribute att JOIN pg_class c ON c.oid = att.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN LATERAL aclexplode(att.attacl) WITH ORDINALITY AS ca
WHERE n.nspname = %(schema)s AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND att.attnum > 0 AND NOT att.attisdropped
  AND att.attacl IS NOT NULL AND ca.grantee <> c.relowner
ORDER BY 1, 2, 7, 8"""  # in the ACL's order (pg_dump prints its GRANTs so): the table's, then its columns' in order

_OWNERS_SQL = """
SELECT DISTINCT pg_get_userbyid(owner) AS owner FROM (
    SELECT c.relowner FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = %(schema)s AND c.relkind IN ('r', 'p', 'v', 'm') AND NOT c.relispartition
      AND """ + _NOT_EXTENSION_MEMBER.format(oid="c.oid").replace("%s", "'pg_class'") + """
    UNION ALL
    SELECT p.proowner FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = %(schema)s AND p.prokind = 'f'
      AND """ + _NOT_EXTENSION_MEMBER.format(oid="p.oid").replace("%s", "'pg_proc'") + """
    UNION ALL
    SELECT t.typowner FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE n.nspname = %(schema)s AND t.typtype = 'e'
      AND """ + _NOT_EXTENSION_MEMBER.format(oid="t.oid").replace("%s", "'pg_type'") + """
) AS o(owner) ORDER BY 1"""

_POLICIES_SQL = """
SELECT pol.polrelid, pol.polname, pol.polcmd, pol.polpermissive,
       ARRAY(SELECT CASE WHEN r = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(r) END FROM unnest(pol.polroles) AS r
             ORDER BY 1) AS roles,
       pg_get_expr(pol.polqual, pol.polrelid) AS using_expr,
       pg_get_expr(pol.polwithcheck, pol.polrelid) AS check_expr,
       obj_description(pol.oid, 'pg_policy') AS comment
FROM pg_policy pol WHERE pol.polrelid = ANY(%(oids)s) ORDER BY pol.polrelid, pol.polname"""

_RLS_SQL = "SELECT oid, relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = ANY(%(oids)s)"

_DEFAULT_ACL_SQL = """
SELECT pg_get_userbyid(d.defaclrole) AS owner, n.nspname AS schema, d.defaclobjtype AS objtype,
       a.grantee, a.privilege_type
FROM pg_default_acl d
LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
CROSS JOIN LATERAL aclexplode(d.defaclacl) AS a
WHERE n.nspname = %(schema)s OR d.defaclnamespace = 0
ORDER BY 1, 2, 3, 4, 5"""

# Roles that are neither predefined (pg_*) nor superusers, with their login flag and memberships.
_ROLES_SQL = """
SELECT r.oid, r.rolname, r.rolcanlogin,
       ARRAY(SELECT m.roleid FROM pg_auth_members m WHERE m.member = r.oid) AS member_of,
       ARRAY(SELECT m.member FROM pg_auth_members m WHERE m.roleid = r.oid) AS members
FROM pg_roles r WHERE NOT r.rolsuper AND r.rolname !~ '^pg_'"""


def _role_name(oid: int, names: dict[int, str]) -> str:
    return "PUBLIC" if oid == 0 else names.get(oid) or f"oid {oid}"


def _security(cur, schema: str, tables: dict[int, Table]) -> dict:
    """The owner, the roles that hold privileges here, grants, policies, default privileges; sets each
    table's row-level security flags."""
    args = {"schema": schema, "oids": list(tables)}
    cur.execute(_ROLES_SQL)
    role_rows = {r["oid"]: r for r in cur.fetchall()}
    cur.execute("SELECT oid, rolname FROM pg_roles")
    names = {r["oid"]: r["rolname"] for r in cur.fetchall()}
    cur.execute(_RLS_SQL, args)
    for row in cur.fetchall():
        tables[row["oid"]].rls_enabled = row["relrowsecurity"]
        tables[row["oid"]].rls_forced = row["relforcerowsecurity"]
    cur.execute(_ACL_SQL, args)
    granted: dict[tuple, list[str]] = defaultdict(list)
    involved: set[int] = set()
    for row in cur.fetchall():
        granted[(row["object_type"], row["object_name"], row["grantee"], row["is_grantable"])].append(
            row["privilege_type"])
        involved.add(row["grantee"])
    grants = [Grant(grantee=_role_name(grantee, names), privileges=tuple(privs), object_type=kind, object_name=name,
                    schema=schema, grant_option=grantable, origin=_origin())
              for (kind, name, grantee, grantable), privs in granted.items()]
    cur.execute(_POLICIES_SQL, args)
    policies = []
    for row in cur.fetchall():
        roles = tuple(r for r in row["roles"] if r != "PUBLIC")
        policies.append(Policy(
            name=row["polname"], table=tables[row["polrelid"]].name, command=_POLICY_COMMANDS[row["polcmd"]],
            roles=roles, permissive=row["polpermissive"], schema=schema, comment=row["comment"], origin=_origin(),
            using=Expression(row["using_expr"]) if row["using_expr"] is not None else None,
            with_check=Expression(row["check_expr"]) if row["check_expr"] is not None else None))
        involved |= {oid for oid, name in names.items() if name in roles}
    cur.execute(_DEFAULT_ACL_SQL, args)
    default_acl: dict[tuple, list[tuple[str, str]]] = defaultdict(list)
    for row in cur.fetchall():
        default_acl[(row["owner"], row["schema"], row["objtype"])].append(
            (_role_name(row["grantee"], names), row["privilege_type"]))
        involved |= {oid for oid, name in names.items() if name == row["owner"]} | {row["grantee"]}
    default_privileges = _default_privileges(default_acl)
    cur.execute(_OWNERS_SQL, args)
    owners = [r["owner"] for r in cur.fetchall()]
    involved |= {oid for oid, name in names.items() if name in owners}
    return {"owner": ", ".join(owners) or None, "grants": grants, "policies": policies,
            "default_privileges": default_privileges, "roles": _roles(involved, role_rows, names)}


def _default_privileges(acl: dict[tuple, list[tuple[str, str]]]) -> list[DefaultPrivilege]:
    """pg_default_acl entries as the grants (and, for the global function entry, the revoke) they make."""
    out = []
    for (owner, schema, objtype), entries in acl.items():
        kind = _DEFAULT_ACL_TYPES[objtype]
        by_grantee: dict[str, list[str]] = defaultdict(list)
        for grantee, privilege in entries:
            if grantee != owner:
                by_grantee[grantee].append(privilege)
        for grantee, privileges in by_grantee.items():
            out.append(DefaultPrivilege(owner=owner, object_type=kind, privileges=tuple(privileges), grantee=grantee,
                                        schema=schema, origin=_origin()))
        if schema is None and objtype in ("f", "T") and "PUBLIC" not in by_grantee:
            out.append(DefaultPrivilege(owner=owner, object_type=kind, grantee="PUBLIC", revoke=True, schema=None,
                                        privileges=("EXECUTE",) if objtype == "f" else ("USAGE",), origin=_origin()))
    return out


def _roles(involved: set[int], rows: dict[int, dict], names: dict[int, str]) -> list[Role]:
    """The non-superuser roles involved here, and every role linked to them by membership."""
    found, pending = set(), [oid for oid in involved if oid in rows]
    while pending:
        oid = pending.pop()
        if oid in found:
            continue
        found.add(oid)
        pending += [o for o in rows[oid]["member_of"] + rows[oid]["members"] if o in rows]
    return [Role(name=rows[oid]["rolname"], login=rows[oid]["rolcanlogin"], origin=_origin(),
                 member_of=tuple(sorted(names[o] for o in rows[oid]["member_of"] if o in rows)))
            for oid in sorted(found, key=lambda o: rows[o]["rolname"])]


def _check_expression(definition: str) -> str:
    """``CHECK ((VALUE > 0))`` [NOT VALID] -> ``(VALUE > 0)``."""
    text = definition.strip().removesuffix("NOT VALID").strip()
    return text.removeprefix("CHECK").strip()


def _partitioning(partkey: str | None) -> Partitioning | None:
    """Parse ``pg_get_partkeydef`` output (``RANGE (created_at)``) into a Partitioning."""
    if partkey is None:
        return None
    spec = parse_sql(f"CREATE TABLE t () PARTITION BY {partkey}")[0].stmt.partspec
    columns = tuple(p.name if p.name is not None else RawStream()(p.expr) for p in spec.partParams)
    return Partitioning(strategy=_PARTITION_STRATEGY[spec.strategy.value], columns=columns, origin=_origin())


def _column_type(row: dict, schema: str) -> DataType:
    """The column's DataType: enums of ``schema`` by name, known types via parse_type, else OTHER."""
    if row["typtype"] == "e" and row["type_schema"] == schema:
        return DataType(Kind.ENUM, name=row["typname"])
    if row["elem_typtype"] == "e" and row["elem_schema"] == schema:
        return DataType(Kind.ENUM, name=row["elem_typname"], array_dims=1)
    if row["typtype"] != "d":  # a domain named like a built-in type must not pass for it
        try:
            return parse_type(row["type_text"])
        except UnknownTypeError:
            pass
    return DataType(Kind.OTHER, name=row["type_text"])


def _column(row: dict, schema: str) -> Column:
    generated = row["attgenerated"] != ""
    identity = _IDENTITY.get(row["attidentity"])
    expr = Expression(row["expr"]) if row["expr"] is not None else None
    return Column(name=row["attname"], type=_column_type(row, schema), nullable=not row["attnotnull"],
                  default=None if generated or identity else expr, identity=identity,
                  generated=expr if generated else None, virtual=row["attgenerated"] == "v",
                  comment=row["comment"], collation=row["collation"],
                  statistics=row["statistics"], identity_options=row["identity_options"] if identity else None,
                  origin=_origin())


def _add_constraint(table: Table, row: dict) -> None:
    kind, name = row["contype"], row["conname"]
    if kind == "p":
        table.primary_key = PrimaryKey(name=name, columns=tuple(row["columns"]), deferrable=row["condeferrable"],
                                       initially_deferred=row["condeferred"], comment=row["comment"],
                                       index_comment=row["index_comment"], origin=_origin())
    elif kind == "u":
        table.uniques.append(UniqueConstraint(name=name, columns=tuple(row["columns"]),
                                              nulls_not_distinct=row["nulls_not_distinct"],
                                              deferrable=row["condeferrable"], initially_deferred=row["condeferred"],
                                              comment=row["comment"], index_comment=row["index_comment"],
                                              origin=_origin()))
    elif kind == "c":
        table.checks.append(CheckConstraint(name=name, expression=Expression(row["expr"]),
                                            columns=tuple(row["columns_by_attnum"]), comment=row["comment"],
                                            no_inherit=row["connoinherit"], origin=_origin()))
    else:
        table.foreign_keys.append(ForeignKey(
            name=name, columns=tuple(row["columns"]), ref_table=row["ref_table"],
            ref_columns=tuple(row["ref_columns"]),
            ref_schema=None if row["ref_schema"] == row["schema"] else row["ref_schema"],
            on_delete=_FK_ACTIONS[row["confdeltype"]], on_update=_FK_ACTIONS[row["confupdtype"]],
            deferrable=row["condeferrable"], initially_deferred=row["condeferred"],
            match_full=row["confmatchtype"] == "f", comment=row["comment"], origin=_origin()))


def _index(row: dict, keys: list[dict]) -> Index | None:
    """The Index, or None (with a warning) for an access method the model has no value for."""
    try:
        method = IndexMethod(row["amname"])
    except ValueError:
        warnings.warn(f"index {row['relname']} skipped: access method {row['amname']} "
                      "cannot be represented in the schema model", stacklevel=3)
        return None
    n_key = row["indnkeyatts"]
    collations = _key_collations(row["collated_definition"], n_key)
    elements = tuple(_index_element(k, collation) for k, collation in zip(keys[:n_key], collations))
    return Index(name=row["relname"], elements=elements, unique=row["indisunique"], method=method,
                 where=Expression(row["predicate"]) if row["predicate"] is not None else None,
                 include=tuple(k["attname"] for k in keys[n_key:]),
                 nulls_not_distinct=row["nulls_not_distinct"], comment=row["comment"],
                 storage=tuple(row["reloptions"]), origin=_origin())


def _key_collations(definition: str | None, n_key: int) -> list[str | None]:
    """Each key's COLLATE as ``pg_get_indexdef`` prints it (only when it differs from the column's or the
    expression's own collation), read from the whole definition: the per-key form leaves it out."""
    if definition is None:
        return [None] * n_key
    params = parse_sql(definition)[0].stmt.indexParams
    return [e.collation[-1].sval if e.collation else None for e in params][:n_key]


def _index_element(key: dict, collation: str | None = None) -> IndexElement:
    option = key["option"] or 0
    descending = bool(option & _INDOPTION_DESC)
    nulls_first = bool(option & _INDOPTION_NULLS_FIRST)
    return IndexElement(
        column=key["attname"],
        expression=Expression(key["definition"]) if key["attname"] is None else None,
        descending=descending,
        nulls_first=None if nulls_first == descending else nulls_first,
        opclass=None if key["opcdefault"] in (None, True) else key["opcname"],
        collation=collation,
    )


def _trigger(row: dict, schema: str) -> Trigger:
    tgtype = row["tgtype"]
    timing = "INSTEAD OF" if tgtype & _TG_INSTEAD else "BEFORE" if tgtype & _TG_BEFORE else "AFTER"
    function = row["proname"] if row["function_schema"] == schema else f"{row['function_schema']}.{row['proname']}"
    when, columns, arguments = None, (), ()
    if row["definition"]:
        stmt = parse_sql(row["definition"])[0].stmt
        when = Expression(RawStream()(stmt.whenClause)) if stmt.whenClause is not None else None
        columns = tuple(c.sval for c in stmt.columns or ())
        arguments = tuple(a.sval for a in stmt.args or ())
    return Trigger(name=row["tgname"], function=function, timing=timing,
                   events=tuple(event for event, bit in _TG_EVENTS if tgtype & bit),
                   for_each="ROW" if tgtype & _TG_ROW else "STATEMENT", when=when, columns=columns,
                   arguments=arguments, constraint=row["is_constraint"], deferrable=row["tgdeferrable"],
                   initially_deferred=row["tginitdeferred"], comment=row["comment"], origin=_origin())


def _exclusion(row: dict) -> ExclusionConstraint:
    elements = tuple(ExclusionElement(operator=op, column=col,
                                      expression=Expression(definition) if col is None else None)
                     for col, definition, op in zip(row["columns"], row["definitions"], row["operators"]))
    return ExclusionConstraint(name=row["conname"], elements=elements, method=row["amname"],
                               where=Expression(row["predicate"]) if row["predicate"] is not None else None,
                               deferrable=row["condeferrable"], initially_deferred=row["condeferred"],
                               comment=row["comment"], index_comment=row["index_comment"], origin=_origin())


# --- owners of single objects ----------------------------------------------------------------------

_OBJECT_OWNERS_SQL = """
SELECT CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
                      ELSE 'TABLE' END, n.nspname, c.relname, NULL, pg_get_userbyid(c.relowner)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY(%(schemas)s) AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
  AND """ + _NOT_EXTENSION_MEMBER.format(oid="c.oid").replace("%s", "'pg_class'") + """
  -- a sequence owned by a column (serial, identity) always has its table's owner
  AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                                       AND d.objid = c.oid AND d.deptype IN ('a', 'i')
                                       AND d.refclassid = 'pg_class'::regclass))
UNION ALL
SELECT CASE p.prokind WHEN 'a' THEN 'AGGREGATE' ELSE 'FUNCTION' END, n.nspname, p.proname,
       pg_get_function_identity_arguments(p.oid), pg_get_userbyid(p.proowner)
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = ANY(%(schemas)s) AND p.prokind IN ('f', 'a')
  AND """ + _NOT_EXTENSION_MEMBER.format(oid="p.oid").replace("%s", "'pg_proc'") + """
UNION ALL
SELECT CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, n.nspname, t.typname, NULL,
       pg_get_userbyid(t.typowner)
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE n.nspname = ANY(%(schemas)s)
  AND (t.typtype IN ('e', 'd')
       OR t.typtype = 'c' AND (SELECT tc.relkind FROM pg_class tc WHERE tc.oid = t.typrelid) = 'c')  -- composite
  AND """ + _NOT_EXTENSION_MEMBER.format(oid="t.oid").replace("%s", "'pg_type'") + """
UNION ALL
SELECT 'SCHEMA', n.nspname, n.nspname, NULL, pg_get_userbyid(n.nspowner)
FROM pg_namespace n WHERE n.nspname = ANY(%(schemas)s)
ORDER BY 1, 2, 3, 4"""


def object_owners(conn: psycopg.Connection, schemas: list[str]) -> list[ObjectOwner]:
    """The owner of every table, view, sequence (not one a column owns), function, aggregate, enum, domain
    and schema of ``schemas``."""
    with conn.transaction(), conn.cursor() as cur:
        cur.execute(_OBJECT_OWNERS_SQL, {"schemas": list(schemas)})
        return [ObjectOwner(kind=kind, schema=schema, name=name, arguments=arguments, owner=owner)
                for kind, schema, name, arguments, owner in cur.fetchall()]
