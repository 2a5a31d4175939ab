"""The Model Context Protocol server (``schemawright mcp``), at the CLI layer: it calls the API only."""
