"""Linting: the shared rule engine (``engine``) and the migration lint (``migration``)."""

from schemawright.lint.engine import LintConfig, Rule, RuleSet
from schemawright.lint.migration import (MIGRATION_RULES, LintResult, lint_migrations, lint_sql,
                                         load_migration_config)

__all__ = ["MIGRATION_RULES", "LintConfig", "LintResult", "Rule", "RuleSet", "lint_migrations", "lint_sql",
           "load_migration_config"]
