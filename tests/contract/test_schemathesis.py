"""schemathesis over the whole spec against the simulator, over real HTTP.

Every operation but the two webhook paths (they describe deliveries, not calls) gets
``EXAMPLES`` generated requests (derandomized: the same ones each run), sent with a valid
token and identity headers so they reach the handlers rather than the gateway. Checks:
- no 5xx (nothing is injected and maintenance is off here);
- every status is one the spec declares for the operation, or one Ingram documents that the
  spec leaves out: ``UNDECLARED``;
- schemathesis's own response-schema conformance for declared statuses.

The spec is adjusted before loading, as part 1's schema tests do: fields its own examples
show as ``null`` become nullable (see ``test_spec_schemas.py``). Both allowances are rows of
``disty.simulator.ingram.spec_conflicts``, whose table docs/simulator-ingram.md must carry.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, Phase, given, settings

from disty.simulator.ingram.spec_conflicts import UNDECLARED_STATUSES, markdown
from tests.contract.spec import REPO_ROOT, load_spec, resolve
from tests.contract.test_spec_schemas import _examples_nulls
from tests.fixtures.simulator import RunningSimulator

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.specs.openapi.checks import response_schema_conformance  # noqa: E402

EXAMPLES = 12
# The one list of allowed departures, mirrored by docs/simulator-ingram.md (test_doc_table).
UNDECLARED = set(UNDECLARED_STATUSES)


def _nullable(node: Any, path: list[str]) -> None:
    for part in path:
        if not isinstance(node, dict):
            return
        if part.endswith("[]"):
            node = node.get("properties", {}).get(part[:-2], {}).get("items", {})
        elif part == "":
            node = node.get("items", {})
        else:
            node = node.get("properties", {}).get(part, {})
    if isinstance(node, dict) and "type" in node:
        node["nullable"] = True


def _adjusted(spec: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(spec)
    for ops in out["paths"].values():
        for op in ops.values():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            nulls = _examples_nulls(resolve(spec, op))
            for response in op["responses"].values():
                content = response.get("content", {}).get("application/json")
                if not content or "schema" not in content:
                    continue
                content["schema"] = resolve(spec, content["schema"])
                for path in nulls:
                    _nullable(content["schema"], _split(path))
    return out


def _split(path: str) -> list[str]:
    # "a.b[].c" -> ["a", "b[]", "c"]; "[].a" -> ["", "a"]
    parts = []
    for piece in path.split("."):
        if piece.startswith("[]"):
            parts.append("")
            piece = piece[2:]
            if not piece:
                continue
        parts.append(piece)
    return parts


def _real_ids(world: dict[str, Any]) -> dict[str, str]:
    return {
        "ordernumber": world["number"],
        "orderNumber": world["hold"],
        "OrderNumber": world["hold"],
        "invoiceNumber": world["invoice"],
        "quoteNumber": world["quote"],
        "caseRequestNumber": world["claim"]["returnsClaims"][0]["caseRequestNumber"],
        "renewalId": "4200001",
        "dealId": "SIM-DEAL-0001",
        "ingramPartNumber": world["p"].ingram_part_number,
    }


def _with_real_ids(value: Any, ids: dict[str, str]) -> Any:
    """The spec's example bodies name Ingram's own SKUs and documents: use the simulator's."""
    if isinstance(value, dict):
        return {
            k: ids[k] if k in ids and isinstance(v, str) else _with_real_ids(v, ids)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_with_real_ids(v, ids) for v in value]
    return value


def test_whole_spec(simulator: RunningSimulator, world: dict[str, Any]) -> None:
    spec = load_spec()
    schema = schemathesis.openapi.from_dict(_adjusted(spec)).exclude(path_regex="/webhooks/")
    session = requests.Session()
    token = session.get(
        simulator.base_url + "/oauth/oauth20/token",
        params={
            "grant_type": "client_credentials",
            "client_id": simulator.client_id,
            "client_secret": simulator.client_secret,
        },
    ).json()["access_token"]
    identity = {
        "Authorization": f"Bearer {token}",
        "IM-CustomerNumber": simulator.customer_number,
        "IM-CountryCode": "US",
        "IM-CorrelationID": "schemathesis",
        "IM-ApplicationID": "disty",
        "IM-ApplicationId": "disty",
        "IM-CustomerContact": "me@example.com",
    }
    problems: list[str] = []
    statuses: dict[str, set[int]] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        check = _check(operation, simulator.base_url, session, identity, problems, statuses)
        # The spec's own request examples first (schemathesis's explicit phase), naming the
        # simulator's orders, documents and products; then generated requests.
        ids = _real_ids(world)
        for strategy in operation.get_strategies_from_examples():
            _once(strategy, functools.partial(check, ids=ids))
        _generated(operation, check)
    assert len(statuses) == 25, sorted(statuses)
    # The generated requests reach the handlers: most operations answer some 2xx.
    answered = {op for op, codes in statuses.items() if any(200 <= c < 300 for c in codes)}
    print({op: sorted(codes) for op, codes in statuses.items()})
    assert len(answered) >= 20, statuses
    assert not problems, "\n".join(problems[:20])


def _once(strategy: Any, check: Any) -> None:
    @given(case=strategy)
    @settings(
        max_examples=1,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        check(case)

    run()


def _generated(operation: Any, check: Any) -> None:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        check(case)

    run()


def _check(
    operation: Any,
    base_url: str,
    session: requests.Session,
    identity: dict[str, str],
    problems: list[str],
    statuses: dict[str, set[int]],
) -> Any:
    declared = {int(s) for s in operation.definition.raw.get("responses", {}) if s.isdigit()}
    is_token = "oauth" in operation.path
    names = {k.lower() for k in identity}

    def check(case: Any, ids: dict[str, str] | None = None) -> None:
        if ids is not None:
            for name in list(case.path_parameters or {}):
                if name in ids:
                    case.path_parameters[name] = ids[name]
            for name in list(case.query or {}):
                if name in ids:
                    case.query[name] = ids[name]
            if case.body is not None and isinstance(case.body, dict | list):
                case.body = _with_real_ids(case.body, ids)
        if not is_token:
            headers = {k: v for k, v in (case.headers or {}).items() if k.lower() not in names}
            case.headers = {**headers, **identity}
        response = case.call(base_url=base_url, session=session)
        label = f"{case.method} {case.formatted_path} -> {response.status_code}"
        statuses.setdefault(f"{case.method} {operation.path}", set()).add(response.status_code)
        if response.status_code >= 500:
            problems.append(f"{label}: server error {response.text[:200]}")
            return
        if response.status_code not in declared | UNDECLARED:
            problems.append(f"{label}: status neither declared nor documented")
            return
        try:
            case.validate_response(response, checks=[response_schema_conformance])
        except (Exception, BaseExceptionGroup) as exc:  # schemathesis raises a failure group
            problems.append(f"{label}: {str(exc)[:400]}")

    return check


def test_doc_table_is_the_code() -> None:
    """docs/simulator-ingram.md carries spec_conflicts.markdown() verbatim: no drift."""
    doc = (REPO_ROOT / "docs" / "simulator-ingram.md").read_text(encoding="utf-8")
    start, end = "<!-- spec-conflicts:start -->\n", "<!-- spec-conflicts:end -->"
    table = doc[doc.index(start) + len(start) : doc.index(end)]
    assert table == markdown(), "run: python -m disty.simulator.ingram.spec_conflicts"
