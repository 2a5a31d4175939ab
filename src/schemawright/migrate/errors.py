"""Moved to :mod:`schemawright.project.errors` (below every feature); kept for older imports."""

from schemawright.project.errors import MigrationError

__all__ = ["MigrationError"]
