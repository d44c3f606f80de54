"""Response bodies against the spec's own JSON schemas, for every declared status code.

The spec is OpenAPI 3.0: ``nullable`` becomes a ``null`` type here. Where the spec's own
response example shows ``null`` for a field its schema types as non-nullable (details'
``ciscoFields.*``, ``additionalInformation.netWeight``), the
example is taken as evidence of the wire and the field as nullable; those fields are listed
by ``test_example_nulls_are_the_known_ones``.

Status codes Ingram documents but the spec does not declare for an operation are allowed
and listed in ``UNDECLARED``: 401 (gateway token and API-product checks), 404 (no records),
429 (rate limits). The simulator's 504 (injected timeouts) is not provoked here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import jsonschema_rs
import pytest

from tests.contract.spec import load_spec, operation, resolve
from tests.fixtures.simulator import RunningSimulator

UNDECLARED = {401, 404, 429}
PNA = "/resellers/v6/catalog/priceandavailability"
PNA_Q = {"includeAvailability": "true", "includePricing": "true"}
TOKEN = "/oauth/oauth20/token"

Call = Callable[[httpx.Client, dict[str, str]], httpx.Response]


def _null_paths(example: Any, prefix: str = "") -> set[str]:
    out: set[str] = set()
    if isinstance(example, dict):
        for k, v in example.items():
            p = f"{prefix}.{k}" if prefix else k
            out |= {p} if v is None else _null_paths(v, p)
    elif isinstance(example, list):
        for item in example:
            out |= _null_paths(item, prefix + "[]")
    return out


def to_json_schema(node: Any, nullable_paths: set[str], path: str = "") -> Any:
    """OpenAPI 3.0 schema -> JSON Schema (draft 7)."""
    if isinstance(node, list):
        return [to_json_schema(n, nullable_paths, path) for n in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("example", "examples", "format", "nullable", "description", "default"):
            continue
        if key == "properties":
            out[key] = {
                name: to_json_schema(sub, nullable_paths, f"{path}.{name}" if path else name)
                for name, sub in value.items()
            }
        elif key == "items":
            out[key] = to_json_schema(value, nullable_paths, path + "[]")
        else:
            out[key] = to_json_schema(value, nullable_paths, path)
    if "type" in out and (node.get("nullable") or path in nullable_paths):
        out["type"] = [out["type"], "null"]
    return out


def _examples_nulls(op: dict[str, Any]) -> set[str]:
    nulls: set[str] = set()
    for response in op["responses"].values():
        for example in (
            response.get("content", {}).get("application/json", {}).get("examples", {}).values()
        ):
            nulls |= _null_paths(example.get("value"))
    return nulls


def _check(spec: dict[str, Any], method: str, path: str, response: httpx.Response) -> None:
    op = operation(spec, method, path)
    declared = op["responses"].get(str(response.status_code))
    if declared is None:
        assert response.status_code in UNDECLARED, (path, response.status_code)
        return
    content = declared.get("content", {}).get("application/json")
    if content is None or "schema" not in content:
        return  # declared without a body schema (P&A's 401)
    schema = to_json_schema(resolve(spec, content["schema"]), _examples_nulls(op))
    errors = [
        f"{e.instance_path}: {e.message}"
        for e in jsonschema_rs.Draft7Validator(schema).iter_errors(response.json())
    ]
    assert not errors, (path, response.status_code, errors[:5])


@pytest.fixture
def h(simulator: RunningSimulator) -> dict[str, str]:
    r = httpx.get(
        simulator.base_url + TOKEN,
        params={
            "grant_type": "client_credentials",
            "client_id": simulator.client_id,
            "client_secret": simulator.client_secret,
        },
    )
    return {
        "Authorization": f"Bearer {r.json()['access_token']}",
        "IM-CustomerNumber": simulator.customer_number,
        "IM-CountryCode": "US",
        "IM-CorrelationID": "schema-test",
    }


def _control(sim: RunningSimulator, method: str, path: str, body: dict[str, Any]) -> None:
    httpx.request(method, sim.control_url + path, json=body).raise_for_status()


def _cases(sim: RunningSimulator) -> list[tuple[str, str, str, dict[str, Any]]]:
    product = sim.state.catalog.product(999)
    # (method, spec path, concrete path, request kwargs)
    return [
        ("get", "/resellers/v6/catalog", "/resellers/v6/catalog", {"params": {"keyword": "ssd"}}),
        ("get", "/resellers/v6/catalog", "/resellers/v6/catalog", {"params": {"pageSize": "500"}}),
        (
            "get",
            "/resellers/v6/catalog",
            "/resellers/v6/catalog",
            {"params": {"keyword": "no-such-thing"}},
        ),
        (
            "get",
            "/resellers/v6/catalog/details/{ingramPartNumber}",
            f"/resellers/v6/catalog/details/{product.ingram_part_number}",
            {},
        ),
        (
            "get",
            "/resellers/v6/catalog/details/{ingramPartNumber}",
            "/resellers/v6/catalog/details/QQ0202",
            {},
        ),
        (
            "get",
            "/resellers/v6/catalog/details/{ingramPartNumber}",
            "/resellers/v6/catalog/details/TOOLONG1",
            {},
        ),
        (
            "get",
            "/resellers/v6/catalog/details/{ingramPartNumber}",
            "/resellers/v6/catalog/details/ZZZZZ0",
            {},
        ),
        (
            "get",
            "/resellers/v6/catalog/details",
            "/resellers/v6/catalog/details",
            {"params": {"vendorPartNumber": product.vendor_part_number}},
        ),
        ("get", "/resellers/v6/catalog/details", "/resellers/v6/catalog/details", {}),
        (
            "get",
            "/resellers/v6/catalog/details",
            "/resellers/v6/catalog/details",
            {"params": {"vendorPartNumber": "NOPE"}},
        ),
        (
            "post",
            PNA,
            PNA,
            {
                "params": PNA_Q,
                "json": {
                    "products": [
                        {"ingramPartNumber": "123512"},
                        {"ingramPartNumber": product.ingram_part_number},
                        {"ingramPartNumber": "QQ0202"},
                        {"ingramPartNumber": "3N7314"},
                    ]
                },
            },
        ),
        (
            "post",
            PNA,
            PNA,
            {
                "params": PNA_Q,
                "json": {
                    "products": [{"ingramPartNumber": "123512"}, {"ingramPartNumber": "12351211"}]
                },
            },
        ),
        ("post", PNA, PNA, {"params": PNA_Q, "json": {"products": []}}),
    ]


def test_business_answers_conform(simulator: RunningSimulator, h: dict[str, str]) -> None:
    spec = load_spec()
    seen: dict[str, set[int]] = {}
    with httpx.Client(base_url=simulator.base_url) as c:
        for method, spec_path, path, kwargs in _cases(simulator):
            r = c.request(method, path, headers=h, **kwargs)
            _check(spec, method, spec_path, r)
            seen.setdefault(spec_path, set()).add(r.status_code)
        # Missing headers: 400 on every operation.
        bare = {"Authorization": h["Authorization"]}
        for method, spec_path, path, kwargs in _cases(simulator)[::3]:
            r = c.request(method, path, headers=bare, **kwargs)
            assert r.status_code == 400
            _check(spec, method, spec_path, r)
        # Maintenance: 500 on every operation.
        _control(simulator, "PUT", "/maintenance", {"on": True})
        for method, spec_path, path, kwargs in _cases(simulator):
            r = c.request(method, path, headers=h, **kwargs)
            assert r.status_code == 500
            _check(spec, method, spec_path, r)
            seen[spec_path].add(500)
        _control(simulator, "PUT", "/maintenance", {"on": False})
        # Undeclared but documented: 401 and 429.
        r = c.get("/resellers/v6/catalog", headers={**h, "Authorization": "Bearer nope"})
        _check(spec, "get", "/resellers/v6/catalog", r)
        _control(simulator, "PUT", "/limits", {"get_per_minute": 1})
        c.get("/resellers/v6/catalog", headers=h)
        r = c.get("/resellers/v6/catalog", headers=h)
        assert r.status_code == 429
        _check(spec, "get", "/resellers/v6/catalog", r)
    for spec_path, statuses in seen.items():
        declared = {
            int(s)
            for s in operation(spec, "get" if "price" not in spec_path else "post", spec_path)[
                "responses"
            ]
        }
        # Every declared status but P&A's bodiless 401 was provoked and checked.
        assert declared - {401} <= statuses, (spec_path, declared - statuses)


def test_token_answers_conform(simulator: RunningSimulator) -> None:
    spec = load_spec()
    good = {
        "grant_type": "client_credentials",
        "client_id": simulator.client_id,
        "client_secret": simulator.client_secret,
    }
    with httpx.Client(base_url=simulator.base_url) as c:
        for params, status in (
            (good, 200),
            ({"grant_type": "client_credentials"}, 400),
            ({**good, "client_secret": "wrong"}, 401),
        ):
            r = c.get(TOKEN, params=params)
            assert r.status_code == status
            _check(spec, "get", TOKEN, r)
        _control(simulator, "POST", "/faults", {"kind": "error", "endpoint": "get-accesstoken"})
        r = c.get(TOKEN, params=good)
        assert r.status_code == 500
        assert "faultstring" in r.json()["fault"]
        _check(spec, "get", TOKEN, r)


def test_example_nulls_are_the_known_ones() -> None:
    spec = load_spec()
    op = operation(spec, "get", "/resellers/v6/catalog/details/{ingramPartNumber}")
    schema = resolve(spec, op["responses"]["200"]["content"]["application/json"]["schema"])
    contradicted = set()
    for path in _examples_nulls(op):
        node: Any = schema
        for part in path.split("."):
            node = node.get("properties", {}).get(part, {}) if isinstance(node, dict) else {}
        if node.get("type") and not node.get("nullable"):
            contradicted.add(path)
    assert contradicted == {
        f"ciscoFields.{f}"
        for f in (
            "productSubGroup",
            "serviceProgramName",
            "itemCatalogCategory",
            "configurationIndicator",
            "internalBusinessEntity",
            "itemType",
            "globalListPrice",
        )
    } | {"additionalInformation.netWeight"}
