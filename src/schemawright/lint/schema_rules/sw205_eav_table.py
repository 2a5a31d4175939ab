from __future__ import annotations

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import SchemaRule
from schemawright.model.names import plural
from schemawright.model.schema import Table

_KEY_NAMES = {"attribute", "attr", "attribute_name", "attr_name", "property", "property_name", "key", "meta_key",
              "field", "field_name", "param", "parameter", "option_name", "setting"}
_VALUE_NAMES = {"value", "val", "attribute_value", "attr_value", "property_value", "meta_value", "field_value",
                "param_value", "value_text", "string_value", "option_value", "setting_value"}


class EavTable(SchemaRule):
    """A table stores entity / attribute / value triples (the EAV pattern).

    Seed 004: "EAV Pattern Overuse: Usually better alternatives exist". Attributes stored as rows
    cannot have types, NOT NULL, CHECK or foreign keys; every read pivots rows back into columns
    and every filter is a self-join. Use real columns for known attributes, and a `jsonb` column
    (with a GIN index) for the truly open-ended rest.

    **Bad**

    ```sql
    CREATE TABLE product_attributes (product_id bigint REFERENCES products (id),
                                     attribute text, value text);
    ```

    **Good**

    ```sql
    ALTER TABLE products ADD COLUMN color text, ADD COLUMN weight_grams integer,
                         ADD COLUMN extra jsonb NOT NULL DEFAULT '{}';
    ```
    """

    code = "SW205"
    name = "eav-table"
    severity = Severity.WARNING
    fix = ("Turn known attributes into typed columns and keep the open-ended rest in one jsonb column: "
           "ALTER TABLE products ADD COLUMN attributes jsonb NOT NULL DEFAULT '{}';")
    targets = (Table,)

    def check(self, table, ctx):
        names = {c.name for c in table.columns}
        key = sorted(names & _KEY_NAMES)
        value = sorted(names & _VALUE_NAMES)
        entity = [c for c in names if c.endswith("_id") and c != "id"] or \
            [c for fk in table.foreign_keys for c in fk.columns]
        if key and value and entity and len(table.columns) <= 8:
            owner = entity[0][:-3] if entity[0].endswith("_id") else "entity"
            yield self.report(ctx, f"Table {table.name!r} stores attribute/value rows ({key[0]}, {value[0]}) "
                                   f"per {entity[0]}: the entity-attribute-value pattern.",
                              at=ctx.table_path(table),
                              fix=f"-- on the {owner} table: one typed column per known attribute, plus\n"
                                  f"ALTER TABLE {ctx.sql_name(table.schema, plural(owner))} "
                                  "ADD COLUMN attributes jsonb NOT NULL DEFAULT '{}';")
