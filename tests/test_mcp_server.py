"""``schemawright mcp`` end to end: the MCP SDK's own stdio client starts the server in a subprocess, lists
the tools, designs examples/ecommerce.json, verifies the folder on a real (private) PostgreSQL and reads the
findings, as an AI agent would. A bad task input comes back as a tool error naming the field."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import anyio
import pytest
from mcp import ClientSession, StdioServerParameters, stdio_client

ROOT = Path(__file__).resolve().parent.parent
EXPECTED_TOOLS = {"design", "verify", "lint", "diff", "import", "seed", "bench", "advise", "docs"}


def _structured(result) -> dict:
    assert not result.is_error, result.content
    if result.structured_content is not None:
        data = result.structured_content
        return data.get("result", data) if set(data) == {"result"} else data
    return json.loads(result.content[0].text)


async def _session_run(home: Path, body):
    params = StdioServerParameters(command=sys.executable, args=["-m", "schemawright", "mcp"],
                                   env={"SCHEMAWRIGHT_HOME": str(home)}, cwd=str(ROOT))
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            return await body(session)


def test_list_design_verify_read_findings(tmp_path):
    out = tmp_path / "shop"

    async def body(session):
        tools = (await session.list_tools()).tools
        by_name = {t.name: t for t in tools}
        assert EXPECTED_TOOLS <= set(by_name), sorted(by_name)
        # typed inputs and outputs: the schemas the client sees name the arguments and the result fields
        assert "task_input" in by_name["design"].input_schema["properties"]
        assert "folder" in by_name["verify"].input_schema["required"]
        assert by_name["verify"].output_schema and "failures" in by_name["verify"].output_schema["properties"]

        designed = _structured(await session.call_tool("design", {
            "task_input": str(ROOT / "examples" / "ecommerce.json"), "out_dir": str(out)}))
        verified = _structured(await session.call_tool("verify", {"folder": str(out)},
                                                       read_timeout_seconds=600))
        inferences = _structured(await session.call_tool("docs", {"folder": str(out),
                                                                  "name": "docs/inferences.md"}))
        bad = await session.call_tool("design", {"task_input_text": "data_model:\n  entities: []\n"})
        return designed, verified, inferences, bad

    designed, verified, inferences, bad = anyio.run(_session_run, tmp_path / "home", body)

    assert designed["out_dir"] == str(out) and (out / "agent_output.json").is_file()
    assert {"users", "products", "orders", "reviews", "payments", "order_items"} <= set(designed["tables"])
    matched = {m["pattern"]: m for m in designed["requirements"]["matched"]}
    assert matched["reviews"]["requirement"] == "Product reviews and ratings system"
    assert "table reviews" in matched["reviews"]["added"] and designed["requirements"]["not_understood"] == []
    assert designed["counts"]["tables"] == len(designed["tables"])
    # the findings, read as data: every check accounted for, none failed
    assert verified["checks"] > 20 and verified["failed"] == len(verified["failures"])
    assert verified["passed"] is True and verified["failed"] == 0, verified["failures"]
    assert json.loads((out / "verification.json").read_text())["passed"] is True
    assert "docs/inferences.md" in inferences["files"] and "key.uuid" in inferences["text"]
    # bad input: a tool error with the field and what was expected, no traceback
    assert bad.is_error
    message = bad.content[0].text
    assert "entities" in message and "Traceback" not in message


def test_verify_of_a_missing_folder_is_a_tool_error(tmp_path):
    async def body(session):
        return await session.call_tool("verify", {"folder": str(tmp_path / "nowhere")})

    result = anyio.run(_session_run, tmp_path / "home", body)
    assert result.is_error and "nowhere" in result.content[0].text
