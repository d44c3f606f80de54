"""schemathesis against disty's own OpenAPI (/openapi.json of the running app), over real HTTP
with an admin token, on SQLite and PostgreSQL. A bounded number of generated requests per
operation (derandomized: the same each run). Checks: no 5xx, and every answer matches the
schema disty publishes for it (status declared, body conforming)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import requests
from hypothesis import HealthCheck, Phase, given, settings

from disty.runtime import Runtime
from tests.fixtures.disty import ServedDisty
from tests.integration.test_api import rt, served, token  # noqa: F401 (fixtures)

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.specs.openapi.checks import (  # noqa: E402
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES = 10


async def test_generated_requests_find_no_500_and_no_answer_outside_the_schema(
    rt: Runtime,  # noqa: F811
    served: ServedDisty,  # noqa: F811
) -> None:
    bearer = await token(rt, "smbi", "admin")
    async with httpx.AsyncClient() as client:
        spec = (await client.get(served.url + "/openapi.json")).json()
    schema = schemathesis.openapi.from_dict(spec).include(path_regex="^/api/v1/")
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {bearer}"
    problems: list[str] = []
    seen: dict[str, set[int]] = {}

    def check(case: Any) -> None:
        response = case.call(base_url=served.url, session=session, timeout=30)
        label = f"{case.method} {case.formatted_path} -> {response.status_code}"
        seen.setdefault(f"{case.method} {case.path}", set()).add(response.status_code)
        if response.status_code >= 500:
            problems.append(f"{label}: {response.text[:300]}")
            return
        try:
            case.validate_response(
                response, checks=[status_code_conformance, response_schema_conformance]
            )
        except (Exception, BaseExceptionGroup) as exc:
            problems.append(f"{label}: {str(exc)[:400]}")

    def run(operation: Any) -> None:
        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
            phases=[Phase.generate], suppress_health_check=list(HealthCheck),
        )  # fmt: skip
        def one(case: Any) -> None:
            check(case)

        one()

    import asyncio

    for result in schema.get_all_operations():
        await asyncio.to_thread(run, result.ok())
    print({op: sorted(codes) for op, codes in seen.items()})
    assert len(seen) >= 15, sorted(seen)
    assert not problems, "\n".join(problems[:20])
