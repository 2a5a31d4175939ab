"""Moved to :mod:`schemawright.project.statements` (below every feature); kept for older imports."""

from schemawright.project.statements import Statement, dropped_index, non_transactional, split_statements

__all__ = ["Statement", "dropped_index", "non_transactional", "split_statements"]
