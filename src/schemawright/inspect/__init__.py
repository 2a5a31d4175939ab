"""Read a live database's catalog back into the canonical model."""

from schemawright.inspect.postgres import inspect_schema

__all__ = ["inspect_schema"]
