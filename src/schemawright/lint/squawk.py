"""How squawk's rules map onto ours, for the comparison benchmark, the corpus test and users moving over.

``SQUAWK_EQUIVALENTS[squawk rule] = (our rule codes...)``: a squawk finding of that rule "agrees"
with any finding of one of those codes. Rules listed in ``NO_EQUIVALENT`` have no counterpart (see
docs/migration-lint-vs-squawk.md for why).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from schemawright.errors import SpecError
from schemawright.lint.engine import LintConfig
from schemawright.lint.migration import lint_sql

SQUAWK_EQUIVALENTS: Mapping[str, tuple[str, ...]] = {
    "adding-field-with-default": ("SW502",),
    "adding-foreign-key-constraint": ("SW507",),
    "adding-not-nullable-field": ("SW503",),
    "adding-required-field": ("SW501",),
    "adding-serial-primary-key-field": ("SW511",),
    "ban-char-field": ("SW534",),
    "ban-concurrent-index-creation-in-transaction": ("SW524",),
    "ban-drop-column": ("SW519",),
    "ban-drop-not-null": ("SW521",),
    "ban-drop-table": ("SW520",),
    "ban-truncate-cascade": ("SW522",),
    "ban-uncommitted-transaction": ("SW527",),
    "changing-column-type": ("SW513", "SW514"),
    "constraint-missing-not-valid": ("SW507", "SW508", "SW509"),
    "disallowed-unique-constraint": ("SW510",),
    "identifier-too-long": ("SW537",),
    "prefer-bigint-over-int": ("SW532",),
    "prefer-bigint-over-smallint": ("SW532",),
    "prefer-identity": ("SW536",),
    "prefer-repack": ("SW516",),
    "prefer-timestamp-tz": ("SW533",),
    "renaming-column": ("SW517",),
    "renaming-table": ("SW518",),
    "require-concurrent-index-creation": ("SW504",),
    "require-concurrent-index-deletion": ("SW505",),
    "require-concurrent-partition-detach": ("SW530",),
    "require-concurrent-reindex": ("SW506",),
    "require-lock-timeout": ("SW523",),
    "require-timeout-settings": ("SW523",),
    "transaction-nesting": ("SW526",),
}
NO_EQUIVALENT = ("ban-alter-domain-with-add-constraint", "ban-create-domain-with-constraint", "ban-drop-database",
                 "ban-duplicate-column-assignments", "prefer-robust-stmts", "prefer-text-field",
                 "require-enum-value-ordering", "require-statement-timeout", "require-table-schema")


def case_options(case: Mapping[str, Any]) -> dict[str, Any]:
    """Our options for a squawk case's settings (``pg_version: "11"``, ``assume_in_transaction``)."""
    options: dict[str, Any] = {}
    if "pg_version" in case:
        options["pg_version"] = int(str(case["pg_version"]).split(".")[0])
    if case.get("assume_in_transaction"):
        options["assume_in_transaction"] = True
    return options


def our_codes(sql: str, settings: Mapping[str, Any]) -> set[str] | None:
    """The rule codes our linter reports for a case's SQL; None when PostgreSQL's parser rejects it."""
    try:
        return {f.rule for f in lint_sql(sql, config=LintConfig(options=case_options(settings)))}
    except SpecError:
        return None


def squawk_expects(case: Mapping[str, Any]) -> bool:
    """Whether squawk's own test expects its rule to fire on the case (``violation`` and ``fix`` cases)."""
    return case["expect"] in ("violation", "fix")
