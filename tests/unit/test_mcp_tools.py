"""What an AI assistant reads before it calls anything: each MCP tool's name, description and
input schema, as the SDK's own client lists them from the server in-process (no database, no
network). An assistant chooses and fills a tool from these alone, so none may be missing or
empty, and what a tool needs must be marked required."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client

from disty.mcp import server
from disty.services.tokens import Principal

# Each tool and the arguments it cannot do without.
REQUIRED = {
    "search_catalog": ["keyword"],
    "price_list": ["skus"],
    "source_list": ["lines"],
    "create_draft_po": ["lines", "po_number", "ship_to", "supplier"],
    "create_requisition": ["choices", "po_prefix", "ship_to"],
    "submit_po": ["po_number"],
    "show_po": ["po_number"],
    "list_open_pos": [],
    "run_connection_test": ["supplier"],
    "list_webhook_events": [],
}
# The tools that change something; every other one only answers questions.
WRITES = {"create_draft_po", "create_requisition", "submit_po", "run_connection_test"}


async def _no_caller() -> Principal:
    raise AssertionError("listing tools calls no tool")


async def listed() -> tuple[list[Any], list[Any]]:
    """The tools and resource templates, from a client opened and closed in the test's task
    (the SDK's client must be: a fixture's teardown runs in another)."""
    built = server.build(lambda: pytest.fail("listing tools needs no runtime"), _no_caller)
    async with Client(built) as client:
        tools = (await client.list_tools()).tools
        templates = (await client.list_resource_templates()).resource_templates
    return list(tools), list(templates)


def _properties(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every property, at the top and in every model the schema refers to."""
    found = [(name, p) for name, p in schema.get("properties", {}).items()]
    for model, definition in schema.get("$defs", {}).items():
        found += [(f"{model}.{n}", p) for n, p in definition.get("properties", {}).items()]
    return found


async def test_every_tool_says_what_it_does_and_what_it_needs() -> None:
    tools, _ = await listed()
    assert {t.name for t in tools} == set(REQUIRED)
    for tool in tools:
        description = " ".join((tool.description or "").split())
        # A sentence or more, not the function's name restated.
        assert len(description) >= 80, (tool.name, description)
        assert description[0].isupper(), tool.name
        assert description.endswith("."), tool.name
        schema = tool.input_schema
        assert schema["type"] == "object", tool.name
        assert sorted(schema.get("required", [])) == REQUIRED[tool.name], tool.name
        for name, prop in _properties(schema):
            described = prop.get("description", "")
            assert len(described) >= 8, f"{tool.name}: {name} has no description"
        for model, definition in schema.get("$defs", {}).items():
            assert definition.get("description"), f"{tool.name}: {model} is not described"
            assert definition.get("required"), f"{tool.name}: {model} requires nothing"


async def test_bounds_and_hints_keep_an_assistant_on_the_rails() -> None:
    tools, templates = await listed()
    for tool in tools:
        hints = tool.annotations
        assert hints is not None, tool.name
        # Asking never orders: only the writing tools say they may change anything.
        assert hints.read_only_hint is (tool.name not in WRITES), tool.name
        for name, prop in _properties(tool.input_schema):
            if prop.get("type") == "array":
                assert prop.get("maxItems"), f"{tool.name}: {name} has no bound"
            if prop.get("type") == "string":
                assert prop.get("maxLength") or prop.get("pattern"), f"{tool.name}: {name}"
    country = next(t for t in tools if t.name == "price_list").input_schema["properties"]
    assert country["country_id"]["enum"] == [1, 29]
    assert {t.uri_template for t in templates} == {
        "disty://po/{po_number}",
        "disty://product/{supplier}/{country_id}/{sku}",
        "disty://connection/{supplier}/{country_id}",
    }
    assert all(t.description for t in templates)
