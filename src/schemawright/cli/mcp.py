"""``schemawright mcp``: serve the capabilities as MCP tools over stdio (for AI coding agents)."""

from __future__ import annotations

import typer


def mcp_cmd() -> None:
    """Serve design, verify, lint, diff, advise, import, seed, bench and docs as MCP tools over stdio."""
    from schemawright.mcp.server import serve

    serve()


def register(app: typer.Typer) -> None:
    app.command("mcp")(mcp_cmd)
