"""Normal forms the diff compares by: expressions (as ``model.compare.differences`` does), function
argument types (what identifies a function to DROP / ALTER / COMMENT ON) and a trigger's function. Shared
by the diff (which computes changes) and the dialects (which render them)."""

from __future__ import annotations

from functools import lru_cache

from pglast import parse_sql
from pglast.stream import RawStream

from schemawright.model.compare import normalized_sql
from schemawright.model.schema import Expression, Trigger


def normalized(e: Expression | None) -> str | None:
    """An expression's canonical text (None for no expression or NULL)."""
    return None if e is None else normalized_sql(e.sql)


def same_expression(a: Expression | None, b: Expression | None) -> bool:
    """Equal expressions: the same text, or the same normal form."""
    if a is None or b is None or a.sql != b.sql:
        return normalized(a) == normalized(b)
    return True


@lru_cache(maxsize=4096)
def argument_types(arguments: str) -> str:
    """The argument types of a signature (what DROP FUNCTION takes): ``a integer, b text = 'x'`` ->
    ``integer, text``; OUT arguments are left out."""
    if not arguments.strip():
        return ""
    try:
        stmt = parse_sql(f"CREATE FUNCTION f({arguments}) RETURNS void LANGUAGE sql AS ''")[0].stmt
    except Exception:  # unparsable: the text itself identifies the function
        return arguments
    return ", ".join(RawStream()(p.argType) for p in stmt.parameters or ()
                     if str(p.mode.name) not in ("FUNC_PARAM_OUT", "FUNC_PARAM_TABLE"))


def trigger_function(schema: str, trigger: Trigger) -> tuple[str, str]:
    """(schema, name) of a trigger's function (``Trigger.function`` is qualified when elsewhere)."""
    fn_schema, _, fn_name = trigger.function.rpartition(".")
    return (fn_schema or schema, fn_name)
