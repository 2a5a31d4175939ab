"""Input validation: every problem is reported with its file, line, column, field path, what was
expected and what was found (and a "did you mean" where one helps), all problems together, and any
malformed input ends in a SpecError, never in another exception.

Positions are 1-based. A problem about a scalar value points at the value; one about a key (unknown,
duplicate, missing) or about a nested list/mapping points at the key; a problem about a whole list
item points at the item.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from schemawright.api import design_schema
from schemawright.errors import SpecError, SpecProblem
from schemawright.spec.load import load_task_input


def write(tmp_path: Path, text: str, suffix: str = ".yaml") -> Path:
    path = tmp_path / f"input{suffix}"
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def problems_of(path: Path, *, design: bool = True) -> list[SpecProblem]:
    with pytest.raises(SpecError) as info:
        design_schema(path) if design else load_task_input(path)
    for p in info.value.problems:
        assert p.file == str(path)
    return info.value.problems


def where(p: SpecProblem) -> tuple[int | None, int | None, str | None]:
    return p.line, p.column, p.path


def only(problems: list[SpecProblem]) -> SpecProblem:
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


# --- unknown keys ------------------------------------------------------------------------------------

def test_unknown_keys_yaml_with_did_you_mean(tmp_path):
    path = write(tmp_path, """
        data_model:
          entities:
            - name: users
              atributes: [email]
          relationship: []
        """)
    first, second = problems_of(path)
    assert where(first) == (4, 7, "data_model.entities[0].atributes")
    assert first.message == "unknown key 'atributes'" and first.hint == "did you mean 'attributes'?"
    assert where(second) == (5, 3, "data_model.relationship")
    assert second.hint == "did you mean 'relationships'?"
    assert str(first) == (f"{path}:4:7: data_model.entities[0].atributes: unknown key 'atributes'; "
                          "did you mean 'attributes'?")


def test_unknown_keys_json_with_did_you_mean(tmp_path):
    path = write(tmp_path, """
        {
          "data_model": {
            "entities": [{"name": "users"}, {"name": "orders"}],
            "relationships": [
              {"from": "orders", "to": "users", "foriegn_key": "user_id"}
            ]
          }
        }
        """, ".json")
    p = only(problems_of(path))
    assert where(p) == (5, 41, "data_model.relationships[0].foriegn_key")
    assert p.hint == "did you mean 'foreign_key'?"


def test_unknown_key_far_from_any_field_lists_the_allowed_keys(tmp_path):
    path = write(tmp_path, """
        data_model:
          entities:
            - name: users
              zzz: 1
        """)
    p = only(problems_of(path))
    assert where(p) == (4, 7, "data_model.entities[0].zzz")
    assert p.hint.startswith("allowed keys: ") and "attributes" in p.hint and "estimated_rows" in p.hint


def test_unknown_key_inside_relationship_from_alias(tmp_path):
    path = write(tmp_path, """
        data_model:
          entities: [{name: users}]
          relationships:
            - form: users
              to: users
        """)
    missing, unknown = problems_of(path)
    assert where(missing) == (4, 7, "data_model.relationships[0].from")
    assert missing.message == "required field is missing"
    assert where(unknown) == (4, 7, "data_model.relationships[0].form")
    assert unknown.hint == "did you mean 'from'?"


# --- wrong types and values outside a Literal --------------------------------------------------------

def test_string_where_a_number_is_expected(tmp_path):
    path = write(tmp_path, """
        data_model:
          entities:
            - name: users
              estimated_rows: many
        """)
    p = only(problems_of(path))
    assert where(p) == (4, 23, "data_model.entities[0].estimated_rows")
    assert (p.message, p.expected, p.got) == ("wrong type", "a whole number", "'many'")


def test_string_where_a_number_is_expected_json(tmp_path):
    path = write(tmp_path, """
        {"data_model": {"entities": [
          {"name": "users", "estimated_rows": "many"}
        ]}}
        """, ".json")
    p = only(problems_of(path))
    assert where(p) == (2, 39, "data_model.entities[0].estimated_rows")
    assert (p.expected, p.got) == ("a whole number", "'many'")


def test_value_outside_literal_with_did_you_mean(tmp_path):
    path = write(tmp_path, """
        project:
          scale: huge
          type: webapp
        data_model:
          entities: [{name: users}]
          relationships:
            - {from: users, to: users, type: many_to_few}
        """)
    scale, ptype, rtype = problems_of(path)
    assert where(scale) == (2, 10, "project.scale")
    assert scale.expected == "'small', 'medium', 'large' or 'enterprise'" and scale.got == "'huge'"
    assert where(ptype) == (3, 9, "project.type")
    assert ptype.hint == "did you mean 'web_app'?"
    assert where(rtype) == (7, 38, "data_model.relationships[0].type")
    assert rtype.got == "'many_to_few'" and rtype.hint == "did you mean 'many_to_one'?"
    assert "many_to_many" in rtype.expected


def test_value_outside_literal_json(tmp_path):
    path = write(tmp_path, '{"project": {"scale": "huge"}, "data_model": {"entities": [{"name": "a"}]}}',
                 ".json")
    p = only(problems_of(path))
    assert where(p) == (1, 23, "project.scale")
    assert str(p) == (f"{path}:1:23: project.scale: value not allowed (expected 'small', 'medium', 'large' or "
                      "'enterprise', got 'huge')")


def test_wrong_container_types(tmp_path):
    path = write(tmp_path, """
        project: []
        data_model:
          entities:
            - name: users
              attributes: {email: text}
              primary_key: id
        """)
    project, attributes, pk = problems_of(path)
    assert where(project) == (1, 1, "project")
    assert project.expected == "an object (key: value pairs)" and project.got == "[]"
    assert where(attributes) == (5, 7, "data_model.entities[0].attributes")
    assert attributes.expected == "a list"
    assert where(pk) == (6, 20, "data_model.entities[0].primary_key")
    assert pk.expected == "a list" and pk.got == "'id'"


# --- missing required fields -------------------------------------------------------------------------

def test_entities_empty(tmp_path):
    path = write(tmp_path, """
        project: {name: shop}
        data_model:
          entities: []
        """)
    p = only(problems_of(path))
    assert where(p) == (3, 3, "data_model.entities")
    assert p.message == "at least one entity is required"


def test_entities_absent(tmp_path):
    path = write(tmp_path, """
        project: {name: shop}
        data_model:
          relationships: []
        """)
    p = only(problems_of(path))
    assert where(p) == (2, 1, "data_model.entities")
    assert p.message == "required field is missing"


def test_data_model_absent_json(tmp_path):
    path = write(tmp_path, """
        {
          "project": {"name": "shop"}
        }
        """, ".json")
    p = only(problems_of(path))
    assert where(p) == (1, 1, "data_model")
    assert p.message == "required field is missing"


def test_entity_without_name(tmp_path):
    path = write(tmp_path, """
        data_model:
          entities:
            - description: no name
        """)
    p = only(problems_of(path))
    assert where(p) == (3, 7, "data_model.entities[0].name")


# --- duplicate keys ----------------------------------------------------------------------------------

def test_duplicate_keys_yaml(tmp_path):
    path = write(tmp_path, """
        data_model:
          entities:
            - name: users
              name: people
        project: {name: a, name: b}
        """)
    first, second = problems_of(path)
    assert where(first) == (4, 7, "data_model.entities[0].name")
    assert first.message == "duplicate key 'name' (first at line 3)"
    assert where(second) == (5, 20, "project.name")


def test_duplicate_keys_json(tmp_path):
    path = write(tmp_path, """
        {
          "data_model": {"entities": [{"name": "users"}]},
          "project": {"name": "a"},
          "data_model": {"entities": [{"name": "orders"}]}
        }
        """, ".json")
    p = only(problems_of(path))
    assert where(p) == (4, 3, "data_model")
    assert p.message == "duplicate key 'data_model' (first at line 2)"


# --- syntax errors -----------------------------------------------------------------------------------

def test_invalid_json_syntax(tmp_path):
    path = write(tmp_path, """
        {
          "data_model": {
            "entities": [{"name": "users"},]
          }
        }
        """, ".json")
    p = only(problems_of(path))
    assert (p.line, p.column) == (3, 36)
    assert p.message.startswith("invalid JSON: ")


def test_invalid_json_missing_comma(tmp_path):
    path = write(tmp_path, '{"data_model": {"entities": []}\n "project": {}}', ".json")
    p = only(problems_of(path))
    assert (p.line, p.column) == (2, 2)
    assert p.message == "invalid JSON: Expecting ',' delimiter"


def test_invalid_yaml_syntax(tmp_path):
    path = write(tmp_path, """
        data_model:
          entities:
            - name: users
              attributes: [email, name
        project: {}
        """)
    p = only(problems_of(path))
    assert (p.line, p.column) == (5, 8)  # the ":" that cannot be in an unclosed flow list
    assert p.message.startswith("invalid YAML: ")


def test_invalid_yaml_indentation(tmp_path):
    path = write(tmp_path, """
        data_model:
          entities:
            - name: users
           bad: 1
        """)
    p = only(problems_of(path))
    assert (p.line, p.column) == (4, 4)
    assert p.message.startswith("invalid YAML: ")


# --- semantic errors ---------------------------------------------------------------------------------

def test_duplicate_entities_including_names_that_map_to_the_same_table(tmp_path):
    path = write(tmp_path, """
        data_model:
          entities:
            - name: users
            - name: User
            - name: orders
            - name: users
        """)
    first, second = problems_of(path)
    assert where(first) == (4, 13, "data_model.entities[1].name")
    assert first.message == "duplicate entity 'User': entity #1 is also table 'users'"
    assert where(second) == (6, 13, "data_model.entities[3].name")


def test_relationship_to_unknown_entity_with_did_you_mean(tmp_path):
    path = write(tmp_path, """
        {"data_model": {
          "entities": [{"name": "users"}, {"name": "orders"}],
          "relationships": [
            {"from": "orders", "to": "usres"},
            {"from": "ordrs", "to": "users"}
          ]
        }}
        """, ".json")
    to, from_ = problems_of(path)
    assert where(to) == (4, 30, "data_model.relationships[0].to")
    assert to.message == "relationship to unknown entity 'usres'" and to.hint == "did you mean 'users'?"
    assert where(from_) == (5, 14, "data_model.relationships[1].from")
    assert from_.hint == "did you mean 'orders'?"


def test_unsupported_attribute_type(tmp_path):
    path = write(tmp_path, """
        data_model:
          entities:
            - name: users
              attributes:
                - name: nick
                  type: varchr(10)
        """)
    p = only(problems_of(path))
    assert where(p) == (6, 17, "data_model.entities[0].attributes[0].type")
    assert p.message == "unsupported type 'varchr(10)'" and p.hint == "did you mean 'varchar'?"
    assert "varchar(100)" in p.expected


def test_cycle_of_required_foreign_keys(tmp_path):
    path = write(tmp_path, """
        data_model:
          entities: [{name: a}, {name: b}]
          relationships:
            - {from: a, to: b, required: true}
            - {from: b, to: a, required: true}
        """)
    p = only(problems_of(path))
    assert (p.line, p.column, p.path) == (4, 7, "data_model.relationships[0]")
    assert p.message.startswith("required foreign keys form a cycle as -> bs -> as")
    assert "required: false" in p.hint


def test_cycle_with_an_optional_link_is_accepted(tmp_path):
    path = write(tmp_path, """
        data_model:
          entities: [{name: a}, {name: b}]
          relationships:
            - {from: a, to: b, required: true}
            - {from: b, to: a, required: false}
        """)
    design_schema(path)


def test_required_self_reference(tmp_path):
    path = write(tmp_path, """
        data_model:
          entities: [{name: node}]
          relationships:
            - {from: node, to: node, foreign_key: parent_id, required: true}
        """)
    p = only(problems_of(path))
    assert where(p) == (4, 7, "data_model.relationships[0]")
    assert "cycle nodes -> nodes" in p.message


def test_bad_default_for_the_column_type(tmp_path):
    path = write(tmp_path, """
        data_model:
          entities:
            - name: users
              attributes:
                - {name: age, type: integer, default: abc}
                - {name: born, type: date, default: 2024-13-01}
                - {name: small, type: smallint, default: 40000}
                - {name: price, type: "numeric(5,2)", default: 1234.5}
                - {name: ref, type: uuid, default: not-a-uuid}
        """)
    age, born, small, price, ref = problems_of(path)
    assert where(age) == (5, 47, "data_model.entities[0].attributes[0].default")
    assert age.message == "bad default for users.age: expected a whole number" and age.got == "'abc'"
    assert where(born) == (6, 45, "data_model.entities[0].attributes[1].default")
    assert "ISO 8601" in born.message
    assert where(small) == (7, 50, "data_model.entities[0].attributes[2].default")
    assert "out of range for smallint" in small.message
    assert "does not fit numeric(5,2)" in price.message
    assert "expected a UUID" in ref.message


def test_bad_checks(tmp_path):
    path = write(tmp_path, """
        data_model:
          entities:
            - name: products
              attributes:
                - name: price
                  type: numeric(10,2)
                  check: "qty > 0"
                - name: stock
                  type: integer
                  check: "stock > (SELECT count(*) FROM products)"
                - name: weight
                  type: integer
                  check: "weight > 0; DROP TABLE products"
                - name: height
                  type: integer
                  check: "height > random()"
                - name: width
                  type: integer
                  check: "width + 1"
        """)
    unknown, subquery, two, function, value = problems_of(path)
    assert where(unknown) == (7, 18, "data_model.entities[0].attributes[0].check")
    assert unknown.message.startswith("invalid check on products: unknown column 'qty'")
    assert where(subquery) == (10, 18, "data_model.entities[0].attributes[1].check")
    assert "sub-queries are not allowed" in subquery.message
    assert where(two) == (13, 18, "data_model.entities[0].attributes[2].check")
    assert "only one expression is allowed" in two.message
    assert "function 'random' is not allowed" in function.message
    assert "must be a condition" in value.message and value.got == "'width + 1'"


def test_bad_business_rule_and_constraint_expressions(tmp_path):
    path = write(tmp_path, """
        data_model:
          entities:
            - name: orders
              attributes: [{name: total, type: "numeric(12,2)"}]
          business_rules:
            - {name: positive, entity: orders, check: "total > 0 OR pg_sleep(1) IS NULL"}
            - {name: elsewhere, entity: order_lines, check: "total > 0"}
          constraints:
            - {entity: orders, type: check, expression: "total > 0 AND (SELECT true)"}
        """)
    problems = problems_of(path)
    assert [where(p) for p in problems] == [
        (6, 47, "data_model.business_rules[0].check"),
        (7, 33, "data_model.business_rules[1].entity"),
        (9, 49, "data_model.constraints[0].expression"),
    ]
    text = "\n".join(str(p) for p in problems)
    assert "pg_sleep" in text and "unknown entity 'order_lines'" in text and "sub-queries" in text


def test_index_on_unknown_columns(tmp_path):
    path = write(tmp_path, """
        data_model:
          entities:
            - name: users
              attributes: [email, nickname]
          indexes:
            - entity: users
              columns: [nickname, emial]
            - entity: users
              columns: [email]
              where: "deleted > 0"
        """)
    columns, predicate = problems_of(path)
    assert where(columns) == (7, 7, "data_model.indexes[0].columns")
    assert columns.message == "unknown column(s) emial in users"
    assert where(predicate) == (10, 14, "data_model.indexes[1].where")
    assert "unknown column 'deleted'" in predicate.message


# --- several problems, one report --------------------------------------------------------------------

def test_all_problems_of_a_file_are_reported_together(tmp_path):
    path = write(tmp_path, """
        project: {scale: huge, nmae: shop}
        task: {priority: urgent}
        data_model:
          entities:
            - name: users
              estimated_rows: -1
              attributes: [email, "bad name", {name: age, nullable: maybe}]
            - {name: "orders; DROP TABLE users; --"}
          relationships:
            - {from: users, to: orders, type: sideways}
        """)
    problems = problems_of(path)
    assert [(p.line, p.column) for p in problems] == sorted((p.line, p.column) for p in problems)
    assert [p.path for p in problems] == [
        "project.scale", "project.nmae", "task.priority", "data_model.entities[0].estimated_rows",
        "data_model.entities[0].attributes[1]", "data_model.entities[0].attributes[2].nullable",
        "data_model.entities[1].name", "data_model.relationships[0].type",
    ]
    assert problems[1].hint == "did you mean 'name'?"
    assert (problems[4].line, problems[4].column) == (7, 27)  # the plain string "bad name" itself
    assert problems[3].expected == "a number >= 0"


def test_cli_reports_every_problem_on_stderr(tmp_path):
    from typer.testing import CliRunner

    from schemawright.cli import app

    path = write(tmp_path, """
        project: {scale: huge}
        data_model:
          entities:
            - name: users
              atributes: [email]
        """)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["design", str(path), "-o", str(out)])
    assert result.exit_code == 2
    assert "2 problem(s) in the input; nothing was written" in result.output
    flat = "".join(result.output.split())  # rich may wrap long lines on a narrow terminal
    assert f"{path}:1:18:project.scale:valuenotallowed" in flat
    assert f"{path}:5:7:data_model.entities[0].atributes:unknownkey'atributes';didyoumean'attributes'?" in flat
    assert not out.exists()


def test_cli_prints_each_problem_on_one_line(tmp_path):
    from typer.testing import CliRunner

    from schemawright.cli import app

    path = write(tmp_path, """
        project: {scale: huge}
        data_model:
          entities: [{name: users}]
        """)
    result = CliRunner().invoke(app, ["design", str(path), "-o", str(tmp_path / "out")])
    assert (f"  {path}:1:18: project.scale: value not allowed (expected 'small', 'medium', 'large' or "
            "'enterprise', got 'huge')\n") in result.output


# --- plain-string attributes and aliases --------------------------------------------------------------

def test_error_in_plain_string_attribute_points_at_the_string(tmp_path):
    path = write(tmp_path, """
        data_model:
          entities:
            - name: users
              attributes:
                - email
                - "full name"
                - name: "ok; no"
        """)
    shorthand, long_form = problems_of(path)
    assert where(shorthand) == (6, 11, "data_model.entities[0].attributes[1]")
    assert "'full name' is not a valid name: a space is not allowed" in shorthand.message
    assert where(long_form) == (7, 17, "data_model.entities[0].attributes[2].name")


def test_error_in_plain_string_attribute_json(tmp_path):
    path = write(tmp_path, """
        {"data_model": {"entities": [
          {"name": "users", "attributes": ["email", 42, "x-y"]}
        ]}}
        """, ".json")
    number, dash = problems_of(path)
    assert where(number) == (2, 45, "data_model.entities[0].attributes[1]")
    assert number.expected.startswith("an attribute name (a string) or an object")
    assert where(dash) == (2, 49, "data_model.entities[0].attributes[2]")


def test_error_in_relationship_from_alias(tmp_path):
    path = write(tmp_path, """
        data_model:
          entities: [{name: users}]
          relationships:
            - from: "users x"
              to: users
              type: one_to_many
        """)
    p = only(problems_of(path))
    assert where(p) == (4, 13, "data_model.relationships[0].from")
    assert "'users x' is not a valid name" in p.message


# --- anything malformed is a SpecError ---------------------------------------------------------------

MALFORMED_YAML = {
    "empty file": "",
    "only a comment": "# nothing\n",
    "null document": "null\n",
    "scalar document": "just text\n",
    "list document": "- a\n- b\n",
    "data_model is a list": "data_model: []\n",
    "data_model is null": "data_model:\n",
    "entities is a mapping": "data_model:\n  entities: {}\n",
    "entities is a string": "data_model:\n  entities: users\n",
    "entity is a number": "data_model:\n  entities: [1]\n",
    "entity is null": "data_model:\n  entities: [null]\n",
    "attributes are numbers": "data_model:\n  entities:\n    - {name: users, attributes: [1, 2.5, true]}\n",
    "attributes are lists": "data_model:\n  entities:\n    - {name: users, attributes: [[a], {}]}\n",
    "null everywhere": ("project: null\ntask: null\ndata_model:\n  entities:\n    - name: null\n      attributes: null\n"
                        "      primary_key: null\n  relationships: null\n  indexes: [null]\n"),
    "name is a number": "data_model:\n  entities: [{name: 12}]\n",
    "name is a bool": "data_model:\n  entities: [{name: yes}]\n",
    "name is a date": "data_model:\n  entities: [{name: 2024-01-01}]\n",
    "description is a mapping": "data_model:\n  entities: [{name: a, description: {x: 1}}]\n",
    "default is a mapping on text": "data_model:\n  entities: [{name: a, attributes: [{name: b, default: {x: 1}}]}]\n",
    "default is NaN": "data_model:\n  entities: [{name: a, attributes: [{name: b, type: real, default: .nan}]}]\n",
    "default is infinite": "data_model:\n  entities: [{name: a, attributes: [{name: b, type: numeric, default: .inf}]}]\n",
    "default is a superscript digit": "data_model:\n  entities: [{name: a, attributes: [{name: b, type: int, default: '²'}]}]\n",
    "estimated_rows is a float": "data_model:\n  entities: [{name: a, estimated_rows: 1.5}]\n",
    "nul in description": 'data_model:\n  entities: [{name: a, description: "x\\0y"}]\n',
    "nul in a name": 'data_model:\n  entities: [{name: "a\\0"}]\n',
    "nul in a check": 'data_model:\n  entities: [{name: a, attributes: [{name: b, check: "b\\0"}]}]\n',
    "duplicate enum values": "data_model:\n  entities: [{name: a, attributes: [{name: b, type: enum, values: [x, x]}]}]\n",
    "enum without values": "data_model:\n  entities: [{name: a, attributes: [{name: b, type: enum}]}]\n",
    "enum label too long": ("data_model:\n  entities: [{name: a, attributes: [{name: b, type: enum, values: [" + "x" * 64
                            + "]}]}]\n"),
    "reference with SQL": "data_model:\n  entities: [{name: a, attributes: [{name: b_id, references: 'a; drop'}]}]\n",
    "reference with three parts": "data_model:\n  entities: [{name: a, attributes: [{name: b_id, references: a.b.c}]}]\n",
    "project name with a newline": 'project: {name: "shop\\nDROP TABLE x;"}\ndata_model:\n  entities: [{name: a}]\n',
    "name ending in underscore": "data_model:\n  entities: [{name: a_}]\n",
    "name of one underscore": "data_model:\n  entities: [{name: _}]\n",
    "attribute _id": "data_model:\n  entities: [{name: a, attributes: [_id]}]\n",
    "complex key": "? [a, b]\n: 1\ndata_model:\n  entities: [{name: a}]\n",
    "numeric and boolean keys": "1: x\nyes: y\nnull: z\ndata_model:\n  entities: [{name: a}]\n",
    "recursive alias": "a: &a [*a]\n",
    "recursive alias in a mapping": "a: &a\n  b: *a\n",
    "undefined alias": "a: *nowhere\n",
    "unknown tag": "data_model: !!python/object:os.system ls\n",
    "two documents": "data_model: {}\n---\ndata_model: {}\n",
    "tab indentation": "data_model:\n\tentities: []\n",
    "unclosed quote": 'data_model: "abc\n',
    "deep nesting": "a: " + "[" * 5000 + "]" * 5000 + "\n",
    "alias bomb": "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8)),
    "raw NUL character": "data_model:\n  entities: [{name: a\x00}]\n",
    "raw escape character": "data_model:\n  entities: [{name: a, description: \"\x1b\"}]\n",
    "merge key": "base: &base {name: a}\ndata_model:\n  entities: [{<<: *base, nmae: b}]\n",
}

MALFORMED_JSON = {
    "empty object": "{}",
    "list root": "[1, 2]",
    "trailing comma": '{"data_model": {"entities": [],}}',
    "single quotes": "{'data_model': {}}",
    "NaN": '{"data_model": {"entities": [{"name": "a", "estimated_rows": NaN}]}}',
    "Infinity": '{"data_model": {"entities": [{"name": "a", "estimated_rows": Infinity}]}}',
    "comment": '{"data_model": {} // no\n}',
    "unterminated": '{"data_model": {"entities": [',
    "deep nesting": '{"a": ' + "[" * 100_000 + "]" * 100_000 + "}",
    "duplicate nested keys": '{"data_model": {"entities": [{"name": "a", "name": "b"}]}}',
    "escaped slash and unicode": '{"data_model": {"entities": [{"name": "a\\/b\\u00e9"}]}}',
    "huge number": '{"data_model": {"entities": [{"name": "a", "estimated_rows": 1e999}]}}',
    "bad surrogate": '{"data_model": {"entities": [{"name": "a", "description": "\\ud800"}]}}',
    "control character": '{"data_model": {"entities": [{"name": "a\tb"}]}}',
    "data_model null": '{"data_model": null}',
    "attributes are numbers": '{"data_model": {"entities": [{"name": "a", "attributes": [1, null, true]}]}}',
}


@pytest.mark.parametrize("text", MALFORMED_YAML.values(), ids=MALFORMED_YAML.keys())
def test_malformed_yaml_is_always_a_spec_error(tmp_path, text):
    path = tmp_path / "input.yaml"
    path.write_text(text, encoding="utf-8")
    problems = problems_of(path)
    assert problems and all(p.message for p in problems)


@pytest.mark.parametrize("text", MALFORMED_JSON.values(), ids=MALFORMED_JSON.keys())
def test_malformed_json_is_always_a_spec_error(tmp_path, text):
    path = tmp_path / "input.json"
    path.write_text(text, encoding="utf-8")
    problems = problems_of(path)
    assert problems and all(p.message for p in problems)


def test_unreadable_inputs(tmp_path):
    assert problems_of(tmp_path / "missing.yaml")[0].message == "file not found"
    assert "folder" in problems_of(tmp_path)[0].message
    binary = tmp_path / "input.yaml"
    binary.write_bytes(b"\xff\xfe\x00garbage\x80")
    assert "not UTF-8" in problems_of(binary)[0].message


def test_utf8_bom_and_yaml_flow_style_are_read(tmp_path):
    bom = tmp_path / "bom.json"
    bom.write_bytes(b"\xef\xbb\xbf" + json.dumps({"data_model": {"entities": [{"name": "users"}]}}).encode())
    design_schema(bom)
    flow = tmp_path / "flow.yaml"
    flow.write_text("{data_model: {entities: [{name: users}]}}\n", encoding="utf-8")
    design_schema(flow)


def test_yaml_dates_and_keys_stay_text(tmp_path):
    """A YAML date is the text written (a default for a date column), and ``1:`` is an unknown key '1'."""
    path = write(tmp_path, """
        data_model:
          entities:
            - name: events
              attributes:
                - {name: starts_on, type: date, default: 2024-01-31}
        """)
    _, schema = design_schema(path)
    assert str(schema.table("events").column("starts_on").default) == "'2024-01-31'"
    path = write(tmp_path, "1: x\ndata_model:\n  entities: [{name: a}]\n")
    p = only(problems_of(path))
    assert (p.line, p.column, p.path, p.message) == (1, 1, "1", "unknown key '1'")


def test_alias_bomb_is_stopped_quickly(tmp_path):
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 9):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [{', '.join(['*' + prev] * 9)}]")
    path = write(tmp_path, "\n".join(lines) + "\n")
    p = only(problems_of(path, design=False))
    assert "YAML aliases" in p.message


def test_nan_in_json_is_located(tmp_path):
    path = write(tmp_path, '{"data_model": {"entities": [\n  {"name": "a", "estimated_rows": NaN}]}}', ".json")
    p = only(problems_of(path))
    assert where(p) == (2, 35, "data_model.entities[0].estimated_rows")
    assert p.message == "invalid JSON: NaN is not a JSON number"


def test_forbidden_yaml_character_is_located(tmp_path):
    path = write(tmp_path, "data_model:\n  entities:\n    - name: a\x07b\n")
    p = only(problems_of(path))
    assert (p.line, p.column) == (3, 14)
    assert p.message == "invalid YAML: the character '\\x07' is not allowed in a YAML file"


def test_yaml_non_text_where_text_is_expected_suggests_quotes(tmp_path):
    path = write(tmp_path, """
        data_model:
          entities:
            - name: no
              description: 2024
        """)
    name, description = problems_of(path)
    assert where(name) == (3, 13, "data_model.entities[0].name")
    assert (name.expected, name.got, name.hint) == ("a string", "false", "put it in quotes to use it as text")
    assert where(description) == (4, 20, "data_model.entities[0].description")


def test_required_on_an_attribute_is_nullable_false_and_a_contradiction_is_located(tmp_path):
    """Users write `required: true` (JSON Schema, forms, tests/inputs/csa_box_scheme.yaml); it was refused as an
    unknown key. It means nullable: false; saying both ways at once is a located error."""
    ok = write(tmp_path, """
        data_model:
          entities:
            - name: members
              attributes:
                - {name: nickname, type: text, required: true}
                - {name: motto, type: text, required: false}
                - {name: bio, type: text}
        """)
    from schemawright.api import design_project

    design_project(ok, tmp_path / "out")
    v001 = next((tmp_path / "out" / "migrations").glob("V001__*.sql")).read_text()
    assert "    nickname text NOT NULL," in v001 and "    motto text," in v001 and "    bio text," in v001
    bad = tmp_path / "bad"
    bad.mkdir()
    path = write(bad, """
        data_model:
          entities:
            - name: members
              attributes:
                - {name: nickname, type: text, required: true, nullable: true}
        """)
    [p] = problems_of(path)
    assert p.path == "data_model.entities[0].attributes[0]" and p.line == 5
    assert "required: true contradicts nullable: true" in p.message


def test_query_pattern_frequency_as_a_word_is_a_relative_weight(tmp_path):
    """`frequency: high` (how users rate a query; all three inputs of docs/fresh-inputs-2026-12.md) was refused
    with "expected a number": high/medium/low are the weights 100/10/1 bench mixes the patterns with; any other
    word stays a located error."""
    ok = write(tmp_path, """
        data_model:
          entities:
            - name: members
              attributes: [email, joined_on]
        query_patterns:
          - {name: by_email, sql: "SELECT * FROM members WHERE email = $1", frequency: high}
          - {name: recent, sql: "SELECT * FROM members WHERE joined_on >= $1", frequency: low}
          - {name: exact, sql: "SELECT * FROM members WHERE id = $1", frequency: 250}
        """)
    _, schema = design_schema(ok)
    assert [(q.name, q.frequency) for q in schema.facts.query_patterns] == [("by_email", 100.0), ("recent", 1.0),
                                                                      ("exact", 250.0)]
    bad = tmp_path / "bad"
    bad.mkdir()
    path = write(bad, """
        data_model:
          entities:
            - name: members
              attributes: [email]
        query_patterns:
          - {name: by_email, sql: "SELECT * FROM members WHERE email = $1", frequency: often}
        """)
    problems = problems_of(path)
    assert problems and all(p.line == 6 and p.path.startswith("query_patterns[0].frequency") for p in problems)


def test_many_to_many_through_a_declared_entity_uses_it_as_the_junction(tmp_path, scratch_dsn):
    """An M:N relationship `through` an entity the input declares with its own attributes (museum_loans.json:
    exhibitions M:N objects through exhibition_objects, which holds a gallery and a display position) was refused
    as a clash. The declared entity is the junction: its exhibition_id and object_id reference the two sides,
    checked on PostgreSQL. Without those attributes it stays a located error saying what to add."""
    import psycopg

    from schemawright.api import apply_migrations, design_project

    ok = write(tmp_path, """
        data_model:
          entities:
            - {name: exhibitions, attributes: [title]}
            - {name: objects, attributes: [title]}
            - {name: exhibition_objects, attributes: [exhibition_id, object_id, display_position]}
          relationships:
            - {from: exhibitions, to: objects, type: many_to_many, through: exhibition_objects}
        """)
    design_project(ok, tmp_path / "out")
    apply_migrations(tmp_path / "out" / "migrations", scratch_dsn)
    with psycopg.connect(scratch_dsn, autocommit=True) as conn:
        fks = conn.execute("SELECT a.attname, c.confrelid::regclass::text FROM pg_constraint c JOIN pg_attribute a "
                           "ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] WHERE c.contype = 'f' "
                           "AND c.conrelid = 'exhibition_objects'::regclass ORDER BY 1").fetchall()
        assert fks == [("exhibition_id", "exhibitions"), ("object_id", "objects")]
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            conn.execute("INSERT INTO exhibition_objects (exhibition_id, object_id) VALUES (gen_random_uuid(), "
                         "gen_random_uuid())")
    bad = tmp_path / "bad"
    bad.mkdir()
    path = write(bad, """
        data_model:
          entities:
            - {name: exhibitions, attributes: [title]}
            - {name: objects, attributes: [title]}
            - {name: exhibition_objects, attributes: [label_text]}
          relationships:
            - {from: exhibitions, to: objects, type: many_to_many, through: exhibition_objects}
        """)
    [p] = problems_of(path)
    assert p.path == "data_model.relationships[0].through" and p.line == 7
    assert p.hint == "give exhibition_objects the attributes exhibition_id and object_id"

# --- spellings users commonly write (aliases) --------------------------------------------------------

def test_attribute_aliases_fold_into_the_canonical_keys(tmp_path):
    path = write(tmp_path, """
        data_model:
          entities:
            - name: hive
              attributes:
                - {name: code, type: text, primary_key: true}
                - {name: tag, type: text, required: true, index: true, comment: the painted tag}
                - {name: note, type: text, required: false}
                - {name: colour, type: text, optional: true, enum: [red, blue]}
                - {name: nickname, max_length: 40}
                - {name: apiary_id, type: uuid, foreign_key: apiary}
            - name: apiary
              attributes: [{name: title, type: text}]
        integration: {orm: sqlalchemy}
        """)
    spec, _ = load_task_input(path)
    hive = spec.data_model.entities[0]
    code, tag, note, colour, nickname, apiary_id = hive.attributes
    assert nickname.type == "varchar(40)" and apiary_id.references == "apiary"
    assert hive.primary_key == ["code"]
    assert tag.nullable is False and tag.indexed is True and tag.description == "the painted tag"
    assert note.nullable is True and colour.nullable is True and colour.values == ["red", "blue"]
    assert spec.integration.orm_framework == "sqlalchemy"
    table = design_schema(path)[1].table("hives")
    assert table.column("tag").nullable is False and table.column("note").nullable is True
    assert tuple(table.primary_key.columns) == ("code",)
    assert str(table.column("nickname").type) == "varchar(40)"
    assert [fk.ref_table for fk in table.foreign_keys] == ["apiaries"]


@pytest.mark.parametrize("attr, words", [
    ("{name: tag, type: text, required: true, nullable: true}", ["required: true", "nullable: true"]),
    ("{name: tag, type: text, required: false, nullable: false}", ["required: false", "nullable: false"]),
    ("{name: tag, type: text, optional: true, required: true}", ["optional: true", "nullable: false"]),
    ("{name: tag, type: text, index: false, indexed: true}", ["index: false", "indexed: true"]),
    ("{name: tag, type: text, enum: [a], values: [b]}", ["enum: ['a']", "values: ['b']"]),
    ("{name: tag, type: text, primary_key: true, nullable: true}", ["primary_key: true", "nullable: true"]),
    ("{name: tag, type: integer, max_length: 10}", ["max_length: 10", "type: 'integer'"]),
    ("{name: tag, type: uuid, foreign_key: a, references: b}", ["foreign_key: 'a'", "references: 'b'"]),
])
def test_contradicting_aliases_are_a_located_error(tmp_path, attr, words):
    path = write(tmp_path, f"""
        data_model:
          entities:
            - name: hive
              attributes:
                - {attr}
        """)
    p = only(problems_of(path, design=False))
    assert (p.line, p.path) == (5, "data_model.entities[0].attributes[0]")
    assert all(w in p.message for w in words), p.message


def test_entity_primary_key_contradicting_marked_attributes(tmp_path):
    path = write(tmp_path, """
        data_model:
          entities:
            - name: hive
              primary_key: [tag]
              attributes:
                - {name: tag, type: text}
                - {name: code, type: text, primary_key: true}
        """)
    p = only(problems_of(path, design=False))
    assert p.path == "data_model.entities[0]" and "primary_key" in p.message and "code" in p.message


def test_a_comma_inside_an_unquoted_type_in_a_yaml_flow_mapping_gets_a_quoting_hint(tmp_path):
    """`{name: fee, type: numeric(8,2)}` splits at the comma: YAML reads `type: numeric(8` and a key `2)`.
    The unknown key '2)' alone left a user of tests/inputs/parking_enforcement.yaml guessing; the hint says
    which value to quote."""
    path = write(tmp_path, """
        data_model:
          entities:
            - name: permits
              attributes:
                - {name: fee, type: numeric(8,2)}
        """)
    p = only(problems_of(path))
    assert p.message == "unknown key '2)'"
    assert p.hint == ("a comma inside a {...} mapping ends the value: put the whole value in quotes, "
                      "type: \"numeric(8,2)\"")
