"""Reading Ingram's official spec (../shared/ingram/XI-Resellers-API-Spec.json) for tests.

The spec is data next to the repository, never copied into it; tests that need it skip,
saying why, where it is absent. ``DISTY_SHARED_DIR`` points elsewhere.
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


def shared_dir() -> Path:
    return Path(os.environ.get("DISTY_SHARED_DIR") or REPO_ROOT.parent / "shared")


def spec_path() -> Path:
    return shared_dir() / "ingram" / "XI-Resellers-API-Spec.json"


@functools.cache
def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def load_spec() -> dict[str, Any]:
    path = spec_path()
    if not path.is_file():
        pytest.skip(f"Ingram's spec is not at {path} (set DISTY_SHARED_DIR to the shared folder)")
    return _load(path)


def operation(spec: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    op: dict[str, Any] = spec["paths"][path][method.lower()]
    return op


def resolve(spec: dict[str, Any], node: Any) -> Any:
    """Inline every ``$ref`` (the spec's are all local and acyclic for these operations)."""
    if isinstance(node, dict):
        if "$ref" in node:
            target: Any = spec
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            return resolve(spec, target)
        return {k: resolve(spec, v) for k, v in node.items()}
    if isinstance(node, list):
        return [resolve(spec, v) for v in node]
    return node


def key_paths(value: Any, prefix: str = "") -> set[str]:
    """Every key path in a JSON value: ``a.b``, ``a[].c`` (list items merged)."""
    out: set[str] = set()
    if isinstance(value, dict):
        for k, v in value.items():
            path = f"{prefix}.{k}" if prefix else k
            out.add(path)
            out |= key_paths(v, path)
    elif isinstance(value, list):
        for item in value:
            out |= key_paths(item, f"{prefix}[]")
    return out
