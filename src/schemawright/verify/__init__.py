"""Verification on a real PostgreSQL."""

from schemawright.verify.runner import verify_project

__all__ = ["verify_project"]
