"""Relationships: explicit ones, references inferred from *_id names, junctions, child tables,
lookup tables, ON DELETE choices, and the check that foreign keys form no uncreatable cycle."""

from __future__ import annotations

import difflib
import re

from schemawright.design.columns import (
    CHILD_COLLECTIONS, OPTIONAL_ROLES, SHARED_VOCABULARY, USER_ROLES, ColumnGuess, guess_column,
)
from schemawright.design.context import DesignContext, column_name_for, table_name_for
from schemawright.model import names
from schemawright.model.names import plural, shorten, singular
from schemawright.model.schema import (
    CheckConstraint, Column, Expression, FkAction, ForeignKey, PrimaryKey, Table, UniqueConstraint, convention,
    given, inferred,
)
from schemawright.model.types import DataType, Kind, UnknownTypeError, parse_type
from schemawright.spec.expressions import parse_check
from schemawright.spec.load import format_path
from schemawright.spec.models import Attribute

UUID = DataType(Kind.UUID)
_ACTIONS = {"cascade": FkAction.CASCADE, "restrict": FkAction.RESTRICT, "set_null": FkAction.SET_NULL,
            "set_default": FkAction.SET_DEFAULT, "no_action": FkAction.NO_ACTION}


def _pk_type(table: Table) -> DataType:
    if table.primary_key and len(table.primary_key.columns) == 1:
        col = table.column(table.primary_key.columns[0])
        if col is not None:
            return col.type
    return UUID


def choose_on_delete(child: Table, parent: Table, nullable: bool, kind: str) -> tuple[FkAction, str]:
    """ON DELETE for a foreign key from child to parent, with the reason."""
    if kind in ("junction", "child", "one_to_one"):
        return FkAction.CASCADE, ("the rows are part of their parent and mean nothing without it"
                                  if kind != "one_to_one" else "the dependent side of a one-to-one lives and dies "
                                  "with its owner")
    if parent.kind == "lookup":
        return FkAction.RESTRICT, "a lookup value still in use must not disappear"
    if child.kind == "transactional":
        return FkAction.RESTRICT, ("transactional history (orders, payments) must survive: archive or "
                                   "soft-delete the parent instead")
    if nullable:
        return FkAction.SET_NULL, "the link is optional: deleting the parent clears it"
    return FkAction.RESTRICT, "required link: deleting a parent with children is refused rather than silent"


def add_foreign_key(ctx: DesignContext, child: Table, column: str, parent: Table, *, nullable: bool,
                    kind: str, origin, on_delete: str | None = None, unique: bool = False,
                    comment: str | None = None) -> ForeignKey:
    """Add (or reuse) the FK column on ``child`` and its constraint to ``parent``'s primary key."""
    col = child.column(column)
    if col is None:
        col = Column(name=column, type=_pk_type(parent), nullable=nullable, origin=origin,
                     comment=comment or f"References {parent.name}")
        child.columns.append(col)
    else:
        col.type = _pk_type(parent)
        if col.comment is None:
            col.comment = comment or f"References {parent.name}"
    if on_delete:
        action, why = _ACTIONS[on_delete], "given in the input"
    else:
        action, why = choose_on_delete(child, parent, col.nullable, kind)
        ctx.infer("fk.on_delete", f"{child.name}.{column}", f"ON DELETE {action}", why)
    fk = ForeignKey(name=names.fk_name(child.name, [column]), columns=(column,), ref_table=parent.name,
                    ref_columns=parent.primary_key.columns, on_delete=action, origin=origin)
    child.foreign_keys = [f for f in child.foreign_keys if f.columns != (column,)]
    child.foreign_keys.append(fk)
    if unique and not any(u.columns == (column,) for u in child.uniques):
        child.uniques.append(UniqueConstraint(name=names.uq_name(child.name, [column]), columns=(column,),
                                              origin=origin))
    return fk


def apply_explicit(ctx: DesignContext) -> None:
    for i, rel in enumerate(ctx.spec.data_model.relationships):
        if rel.columns:
            continue  # over declared columns: apply_spelled_out, once the columns exist
        path = ("data_model", "relationships", i)
        a = _resolve(ctx, rel.from_, path + ("from",))
        b = _resolve(ctx, rel.to, path + ("to",))
        if a is None or b is None:
            continue
        origin = given(format_path(path))
        if rel.type == "many_to_many":
            _junction(ctx, a, b, rel.through, origin, path)
            continue
        child, parent = (b, a) if rel.type == "one_to_many" else (a, b)
        column = rel.foreign_key or shorten(f"{singular(parent.name)}_id")
        required = True if rel.required is None else rel.required
        if parent.primary_key is None or len(parent.primary_key.columns) != 1:
            ctx.problem(path, f"{parent.name} has a composite primary key; reference it with a constraint instead")
            continue
        add_foreign_key(ctx, child, column, parent, nullable=not required, on_delete=rel.on_delete,
                        kind="one_to_one" if rel.type == "one_to_one" else rel.type, origin=origin,
                        unique=rel.type == "one_to_one", comment=rel.description)
        if rel.type == "one_to_one":
            ctx.infer("fk.one_to_one", f"{child.name}.{column}", "UNIQUE foreign key",
                      "a one-to-one relationship is a foreign key that can appear only once")


def apply_spelled_out(ctx: DesignContext) -> None:
    """Relationships that name their columns: a foreign key over declared columns of ``from`` to ``to``'s
    primary key (or ``references_columns``), with the name and actions given; nothing is inferred."""
    for i, rel in enumerate(ctx.spec.data_model.relationships):
        if not rel.columns:
            continue
        path = ("data_model", "relationships", i)
        child, parent = _resolve(ctx, rel.from_, path + ("from",)), _resolve(ctx, rel.to, path + ("to",))
        if child is None or parent is None:
            continue
        if rel.type not in ("many_to_one", "one_to_one"):
            ctx.problem(path + ("type",), "a relationship with columns is a foreign key from 'from' to 'to'",
                        expected="many_to_one or one_to_one")
            continue
        ref_columns = tuple(rel.references_columns) or (parent.primary_key.columns if parent.primary_key else ())
        missing = [c for c in rel.columns if not child.has_column(c)]
        missing += [c for c in ref_columns if not parent.has_column(c)]
        if missing or len(ref_columns) != len(rel.columns):
            ctx.problem(path + ("columns",), f"unknown column(s) {', '.join(missing)}" if missing else
                        f"{len(rel.columns)} column(s) cannot reference {len(ref_columns)}",
                        expected=f"columns of {child.name} referencing as many columns of {parent.name}")
            continue
        name = rel.name or names.fk_name(child.name, rel.columns)
        child.foreign_keys = [f for f in child.foreign_keys if f.name != name]
        child.foreign_keys.append(ForeignKey(
            name=name, columns=tuple(rel.columns), ref_table=parent.name, ref_columns=ref_columns,
            ref_schema=None if parent.schema == child.schema == "public" else parent.schema,  # qualifies the DDL
            on_delete=_ACTIONS[rel.on_delete or "no_action"], on_update=_ACTIONS[rel.on_update or "no_action"],
            deferrable=rel.deferrable, initially_deferred=rel.initially_deferred, origin=given(format_path(path))))
        if rel.type == "one_to_one" and not any(u.columns == tuple(rel.columns) for u in child.uniques):
            child.uniques.append(UniqueConstraint(name=names.uq_name(child.name, rel.columns),
                                                  columns=tuple(rel.columns), origin=given(format_path(path))))


def _resolve(ctx: DesignContext, entity: str, path) -> Table | None:
    table = ctx.table(table_name_for(entity)) or ctx.table(entity)
    if table is None:
        close = difflib.get_close_matches(table_name_for(entity), [t.name for t in ctx.schema.tables], n=1)
        ctx.problem(path, f"relationship to unknown entity {entity!r}",
                    expected="an entity declared in data_model.entities",
                    hint=f"did you mean {close[0]!r}?" if close else None)
    return table


def _junction(ctx: DesignContext, a: Table, b: Table, through: str | None, origin, path) -> Table:
    name = through or shorten(f"{singular(a.name)}_{b.name}")
    ca, cb = shorten(f"{singular(a.name)}_id"), shorten(f"{singular(b.name)}_id")
    declared = ctx.table(name)
    attributes = {column_name_for(attr.name) for e in ctx.spec.data_model.entities
                  if table_name_for(e.name) == name for attr in e.attributes}
    if declared is not None and through and ca != cb and {ca, cb} <= attributes:
        # the junction is an entity of the input, with attributes of its own (exhibition_objects: gallery,
        # display position): its a_id and b_id attributes are the two required foreign keys (what the
        # attributes state still applies to them); no composite key is forced on it (the same pair may appear
        # twice unless a rule says otherwise)
        # as the entity's own *_id attributes would be (not a bare junction's CASCADE: its rows hold data)
        add_foreign_key(ctx, declared, ca, a, nullable=False, kind="many_to_one", origin=origin)
        add_foreign_key(ctx, declared, cb, b, nullable=False, kind="many_to_one", origin=origin)
        ctx.infer("relationship.junction_declared", name, f"declared entity links {a.name} and {b.name}",
                  f"the many-to-many relationship names the declared entity {name} as its junction; its {ca} and "
                  f"{cb} are its foreign keys to the two sides")
        return declared
    if declared is not None:
        ctx.problem(path + ("through",), f"junction table {name!r} clashes with an entity of that name"
                    + (f" that has no {ca} and {cb} attributes" if through and ca != cb else ""),
                    hint=f"give {name} the attributes {ca} and {cb}" if through and ca != cb else None)
        return declared
    if ca == cb:  # self many-to-many, e.g. users following users
        ca, cb = shorten(f"{singular(a.name)}_id"), shorten(f"related_{singular(b.name)}_id")
    table = Table(name=name, kind="junction", origin=origin,
                  comment=f"Links {a.name} and {b.name} (many-to-many)",
                  estimated_rows=max(a.estimated_rows or 0, b.estimated_rows or 0))
    ctx.schema.tables.append(table)
    add_foreign_key(ctx, table, ca, a, nullable=False, kind="junction", origin=origin)
    add_foreign_key(ctx, table, cb, b, nullable=False, kind="junction", origin=origin)
    table.primary_key = PrimaryKey(name=names.pk_name(name, [ca, cb]), columns=(ca, cb), origin=origin)
    ctx.infer("relationship.junction", name, f"junction table with composite primary key ({ca}, {cb})",
              "a many-to-many relationship needs its own table; the composite key forbids duplicate links")
    return table


def defer_reference(ctx: DesignContext, table: Table, attr: Attribute, col: str, path) -> None:
    """Remember an attribute that references another table; resolved once every table exists."""
    ctx.references.append((table.name, attr, col, path))


def _reference_target(ctx: DesignContext, table: Table, attr: Attribute, col: str):
    if attr.references:
        target, _, _ = attr.references.partition(".")
        return table_name_for(target), "given in the input"
    stem = col[:-3]
    if stem == "parent" or stem == singular(table.name):
        return table.name, "parent_id points at a row of the same table (a hierarchy)"
    if stem in USER_ROLES and ctx.users_table is not None:
        return "users", f"{stem} is a role a user plays"
    return plural(stem), f"{col} names the {plural(stem)} table"


# a reference named as a preference or a fallback (members.preferred_pickup_site_id): optional by nature
_PREFERENCE = re.compile(r"^(?:preferred|favou?rite|backup|fallback|alternate|alternative|secondary|"
                         r"usual)_\w+_id$")


def apply_inferred(ctx: DesignContext) -> None:
    """Resolve *_id and ``references`` attributes into foreign keys, creating missing parents."""
    references, ctx.references = ctx.references, []
    marking = _marking_required(ctx)
    for table_name, attr, col, path in references:
        table = ctx.table(table_name)
        target, why = _reference_target(ctx, table, attr, col)
        parent = ctx.table(target)
        origin = given(format_path(path)) if attr.references else inferred("fk.from_name", why, format_path(path))
        if parent is None:
            if attr.references:
                close = difflib.get_close_matches(target, [t.name for t in ctx.schema.tables], n=1)
                ctx.problem(path + ("references",), f"reference to unknown entity {attr.references!r}",
                            hint=f"did you mean {close[0]!r}?" if close else None)
                continue
            parent = _create_missing_parent(ctx, target, table, col)
            invented = True
        else:
            invented = parent.origin.rule == "entity.missing_parent"
        optional_role = col[:-3] in OPTIONAL_ROLES
        preference = _PREFERENCE.match(col) is not None
        # the entity says which of its attributes are required: a reference it leaves unmarked is optional
        unmarked = bool(attr.references) and attr.nullable is None and table_name in marking
        nullable = attr.nullable if attr.nullable is not None else (parent is table or optional_role or preference
                                                                    or invented or unmarked)
        if unmarked and not (parent is table or optional_role or preference or invented):
            ctx.infer("fk.optional_unmarked", f"{table.name}.{col}", "nullable",
                      f"{table.name} marks the attributes it requires (required: true) and not this reference: a "
                      f"row may have no {col.removesuffix('_id').replace('_', ' ')} (set required: true to require it)")
        if invented and attr.nullable is None:
            ctx.infer("fk.optional_invented", f"{table.name}.{col}", "nullable",
                      f"{parent.name} is a table the input does not declare: a row may have no {col[:-3]} "
                      "(a hand-entered one), so the link is optional (set required: true to require it)")
        if optional_role and attr.nullable is None:
            ctx.infer("fk.optional_role", f"{table.name}.{col}", "nullable",
                      f"a {col[:-3]} is usually set after the row is created, so the link starts empty")
        elif preference and attr.nullable is None and parent is not table:
            ctx.infer("fk.optional_preference", f"{table.name}.{col}", "nullable",
                      f"{col[:-3].replace('_', ' ')!r} names a preference or a fallback, not something every row "
                      "has: the link may stay empty (set nullable: false to require it)")
        if not attr.references:
            ctx.infer("fk.from_name", f"{table.name}.{col}", f"foreign key to {parent.name}", why)
        add_foreign_key(ctx, table, col, parent, nullable=nullable, kind="many_to_one", origin=origin,
                        comment=attr.description)
        column = table.column(col)
        if attr.pii is not None:
            column.pii = attr.pii
        if attr.unique:
            table.uniques.append(UniqueConstraint(name=names.uq_name(table.name, [col]), columns=(col,),
                                                  origin=origin))


def _marking_required(ctx: DesignContext) -> set[str]:
    """The tables whose entity in the input marks some attribute required (or not nullable)."""
    return {table_name_for(e.name) for e in ctx.spec.data_model.entities if any(a.nullable is False for a in e.attributes)}


def _create_missing_parent(ctx: DesignContext, name: str, child: Table, col: str) -> Table:
    parent = Table(name=name, kind="core", estimated_rows=max(1, (child.estimated_rows or 0) // 100),
                   comment=f"Created because {child.name}.{col} refers to it",
                   origin=inferred("entity.missing_parent", f"{child.name}.{col} refers to {name}"))
    parent.columns.append(Column(name="id", type=UUID, nullable=False, default=Expression("gen_random_uuid()"),
                                 comment="Primary key", origin=convention("key.uuid", "standard template")))
    parent.primary_key = PrimaryKey(name=names.pk_name(name, ["id"]), columns=("id",),
                                    origin=convention("key.uuid", "standard template"))
    guess = guess_column("name")
    parent.columns.append(Column(name="name", type=guess.type, nullable=False, comment="Display name",
                                 origin=inferred("entity.missing_parent", "a referenced entity needs a label")))
    parent.checks.append(CheckConstraint(name=names.chk_name(name, "name_not_blank"),
                                         expression=Expression("length(btrim(name)) > 0"), columns=("name",),
                                         origin=inferred("type.name", guess.reason)))
    ctx.schema.tables.append(parent)
    ctx.infer("entity.missing_parent", name, f"created table {name} (id, name)",
              f"{child.name}.{col} references an entity the input does not declare; declare it to add columns")
    ctx.infer("warning.invented_table", name, f"table {name} (id, name) created for {child.name}.{col}",
              f"the input declares no entity {name}: declare it (with its attributes), or give {col} a type or "
              "'references' if it is not a link")
    return parent


def lookup(ctx: DesignContext, table: Table, attr: Attribute, col: str, path) -> None:
    """A free-text categorical attribute becomes a lookup table and a foreign key (seed 004)."""
    name = plural(col)
    parent = ctx.table(name)
    if parent is None:
        parent = Table(name=name, kind="lookup", estimated_rows=100,
                       comment=f"Allowed values of {table.name}.{col}",
                       origin=inferred("normalize.lookup", f"{table.name}.{col} is a category"))
        parent.columns.append(Column(name="id", type=UUID, nullable=False, default=Expression("gen_random_uuid()"),
                                     comment="Primary key", origin=convention("key.uuid", "standard template")))
        parent.primary_key = PrimaryKey(name=names.pk_name(name, ["id"]), columns=("id",),
                                        origin=convention("key.uuid", "standard template"))
        parent.columns.append(Column(name="name", type=DataType(Kind.VARCHAR, length=100), nullable=False,
                                     comment="The value", origin=inferred("normalize.lookup", "the value")))
        parent.uniques.append(UniqueConstraint(name=names.uq_name(name, ["name"]), columns=("name",),
                                               origin=inferred("normalize.lookup", "each value once")))
        parent.checks.append(CheckConstraint(name=names.chk_name(name, "name_not_blank"),
                                             expression=Expression("length(btrim(name)) > 0"),
                                             columns=("name",), origin=inferred("normalize.lookup", "no blanks")))
        ctx.schema.tables.append(parent)
    fk_col = shorten(f"{col}_id")
    ctx.infer("normalize.lookup", f"{table.name}.{col}", f"lookup table {name} + foreign key {fk_col}",
              "seed 004: hard-coded categories belong in a lookup table (rename and add values without a "
              "migration, no spelling variants)")
    add_foreign_key(ctx, table, fk_col, parent, nullable=attr.nullable if attr.nullable is not None else True,
                    kind="many_to_one", origin=inferred("normalize.lookup", "category", format_path(path)),
                    comment=attr.description or f"The {col} (lookup table {name})")


def _value_guess(ctx: DesignContext, table: Table, attr: Attribute, col: str, value_col: str, path):
    """The type of one value of a multi-valued attribute: the attribute's own type (``text[]`` or
    ``varchar(5)``: the element type), else what the lexicon reads from the noun of one value
    (``target_languages`` -> ``target_language``), never from the child column's generic name ``value``
    (which reads as a measurement). Its checks are kept only when they are about that very column name."""
    subject = f"{table.name}.{col}"
    if attr.type is not None:
        try:
            given_type = parse_type(attr.type)
        except UnknownTypeError:
            given_type = None  # the column path reports it
        if given_type is not None:
            return ColumnGuess("type.given", "type given in the input",
                               DataType(given_type.kind, given_type.length, given_type.precision, given_type.scale,
                                        given_type.name))
    noun = singular(col)
    guess = guess_column(value_col) if value_col != "value" else guess_column(noun, attr.description)
    if value_col == "value":
        if guess.rule == "type.fallback":
            ctx.infer("warning.type_unknown", subject, "text (type unknown)",
                      f"no lexicon entry tells the type of one of {attr.name!r} ({noun!r}): it is text; set 'type' "
                      f"at {format_path(path)} to be exact")
        guess.checks = [(suffix, re.sub(rf"\b{re.escape(noun)}\b", value_col, expr)) for suffix, expr in guess.checks
                        if re.search(rf"\b{re.escape(noun)}\b", expr)]
    return guess


def collection(ctx: DesignContext, table: Table, attr: Attribute, col: str, path) -> None:
    """A multi-valued attribute becomes rows (1NF): shared vocabulary -> M:N, otherwise a child table."""
    origin = inferred("normalize.multi_valued", f"{table.name}.{col} holds several values", format_path(path))
    if col in SHARED_VOCABULARY:
        vocab = ctx.table(col)
        if vocab is None:
            vocab = Table(name=col, kind="lookup", estimated_rows=1000, origin=origin,
                          comment=f"Vocabulary of {col} shared by every row that uses them")
            vocab.columns.append(Column(name="id", type=UUID, nullable=False, comment="Primary key",
                                        default=Expression("gen_random_uuid()"), origin=origin))
            vocab.primary_key = PrimaryKey(name=names.pk_name(col, ["id"]), columns=("id",), origin=origin)
            vocab.columns.append(Column(name="name", type=DataType(Kind.VARCHAR, length=100), nullable=False,
                                        comment="The value", origin=origin))
            vocab.uniques.append(UniqueConstraint(name=names.uq_name(col, ["name"]), columns=("name",),
                                                  origin=origin))
            vocab.checks.append(CheckConstraint(name=names.chk_name(col, "name_not_blank"),
                                                expression=Expression("length(btrim(name)) > 0"), columns=("name",),
                                                origin=inferred("type.name", "a vocabulary value is never blank")))
            ctx.schema.tables.append(vocab)
        junction = _junction(ctx, table, vocab, None, origin, path)
        ctx.infer("normalize.multi_valued", f"{table.name}.{col}", f"table {col} + junction {junction.name}",
                  "1NF: a list in one column cannot be constrained or indexed per value; shared values "
                  "(tags) are a vocabulary linked many-to-many")
        return
    value_col, noun = CHILD_COLLECTIONS.get(col, ("value", singular(col)))
    name = shorten(f"{singular(table.name)}_{plural(noun)}")
    child = Table(name=name, kind="child", origin=origin, estimated_rows=(table.estimated_rows or 0) * 2,
                  comment=f"The {col} of each {singular(table.name)} (one row per value)")
    child.columns.append(Column(name="id", type=UUID, nullable=False, comment="Primary key",
                                default=Expression("gen_random_uuid()"), origin=origin))
    child.primary_key = PrimaryKey(name=names.pk_name(name, ["id"]), columns=("id",), origin=origin)
    ctx.schema.tables.append(child)
    parent_col = shorten(f"{singular(table.name)}_id")
    add_foreign_key(ctx, child, parent_col, table, nullable=False, kind="child", origin=origin)
    guess = _value_guess(ctx, table, attr, col, value_col, path)
    child.columns.append(Column(name=value_col, type=guess.type, nullable=False, pii=guess.pii or bool(attr.pii),
                                comment=f"One of the {col}", origin=origin))
    for suffix, expr in guess.checks:
        checked, used = parse_check(expr, {value_col})
        child.checks.append(CheckConstraint(name=names.chk_name(name, suffix), expression=checked, columns=used,
                                            origin=origin))
    child.columns.append(Column(name="position", type=DataType(Kind.INTEGER), nullable=False,
                                default=Expression("0"), comment="Display order", origin=origin))
    child.checks.append(CheckConstraint(name=names.chk_name(name, "position_non_negative"),
                                        expression=Expression('"position" >= 0'), columns=("position",),
                                        origin=origin))
    child.uniques.append(UniqueConstraint(name=names.uq_name(name, [parent_col, value_col]),
                                          columns=(parent_col, value_col), origin=origin))
    ctx.infer("normalize.multi_valued", f"{table.name}.{col}", f"child table {name} ({parent_col}, {value_col}, "
              "position)", "1NF: one row per value, so each can be constrained, indexed and ordered; "
              "the same value twice for one parent is refused")


def check_cycles(ctx: DesignContext) -> None:
    """Required foreign keys that form a cycle make every insert impossible: refuse them."""
    graph: dict[str, list[tuple[str, ForeignKey]]] = {t.name: [] for t in ctx.schema.tables}
    spelled_out = {f"data_model.relationships[{i}]" for i, rel in enumerate(ctx.spec.data_model.relationships)
                   if rel.columns}
    for table, fk in ctx.schema.all_foreign_keys():
        required = all(not table.column(c).nullable for c in fk.columns)
        if fk.origin.path in spelled_out:  # stated column by column: kept as given (the DDL defers it)
            continue
        if required and not fk.deferrable:
            graph[table.name].append((fk.ref_table, fk))
    for table in ctx.schema.tables:
        for target, fk in graph[table.name]:
            if target == table.name:
                _cycle_problem(ctx, [table.name, table.name], fk)
    for cycle in _cycles(graph):
        first = ctx.table(cycle[0])
        fk = next(f for t, f in graph[first.name] if t in cycle)
        _cycle_problem(ctx, cycle, fk)


def _cycle_problem(ctx: DesignContext, cycle: list[str], fk: ForeignKey) -> None:
    path = tuple(_parse_path(fk.origin.path)) if fk.origin.path else ("data_model",)
    ctx.problem(path, f"required foreign keys form a cycle {' -> '.join(cycle)}: no row could ever be inserted "
                "first", expected="at least one optional link in the cycle",
                hint="set required: false (or nullable: true) on one of the relationships")


def _parse_path(text: str):
    for part in re.findall(r"[A-Za-z_]+|\[\d+\]", text):
        yield int(part[1:-1]) if part.startswith("[") else part


def _cycles(graph: dict[str, list[tuple[str, ForeignKey]]]) -> list[list[str]]:
    """Cycles of length >= 2 (one per strongly connected component), via Tarjan's algorithm."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w, _ in graph[v]:
            if w == v or w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                component.reverse()
                found.append(component + [component[0]])

    for v in graph:
        if v not in index:
            visit(v)
    return found


__all__ = ["add_foreign_key", "apply_explicit", "apply_inferred", "apply_spelled_out", "check_cycles",
           "choose_on_delete", "collection", "defer_reference", "lookup"]
