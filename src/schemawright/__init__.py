"""schemawright: design, generate and verify database schemas against a real PostgreSQL."""

__version__ = "0.1.0"
