"""Ingram's error bodies, in the three shapes its servers use.

- ``errors[]`` (the API itself): ``{"errors": [{"id", "type", "message", "fields": [...]}]}``;
- Apigee faults (the gateway): ``{"fault": {"faultstring", "detail": {"errorcode"}}}``;
- SOAP-style faults (customer number checks): ``{"faultcode", "faultstring"}``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence

from starlette.responses import JSONResponse

from disty.simulator.ingram.consts import SYSTEM_ERROR


def _error_id(correlation_id: str | None, now: float) -> str:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now))
    return f"{correlation_id or 'SIM'}-{stamp}"


def validation_failed(
    fields: Sequence[Mapping[str, str]],
    *,
    correlation_id: str | None,
    now: float,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body = {
        "errors": [
            {
                "id": _error_id(correlation_id, now),
                "type": "/errors/validation-failed",
                "message": "Validation failed",
                "fields": [dict(f) for f in fields],
            }
        ]
    }
    return JSONResponse(body, status_code=400, headers=headers)


def not_found(
    *,
    correlation_id: str | None,
    now: float,
    headers: Mapping[str, str] | None = None,
    message: str = "No Records Found",
) -> JSONResponse:
    body = {
        "errors": [
            {
                "id": _error_id(correlation_id, now),
                "type": "Validation error",
                "message": message,
            }
        ]
    }
    return JSONResponse(body, status_code=404, headers=headers)


def refused(
    status: int,
    message: str,
    *,
    correlation_id: str | None,
    now: float,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """A request the API understood but will not do (e.g. 405: cancel an order not on hold)."""
    body = {
        "errors": [
            {
                "id": _error_id(correlation_id, now),
                "type": "/errors/validation-error",
                "message": message,
            }
        ]
    }
    return JSONResponse(body, status_code=status, headers=headers)


def system_error(
    *,
    correlation_id: str | None,
    now: float,
    message: str = SYSTEM_ERROR,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body = {
        "errors": [
            {
                "id": _error_id(correlation_id, now),
                "type": "/errors/system-errors",
                "message": message,
            }
        ]
    }
    return JSONResponse(body, status_code=500, headers=headers)


def gateway_fault(
    status: int, faultstring: str, errorcode: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    body = {"fault": {"faultstring": faultstring, "detail": {"errorcode": errorcode}}}
    return JSONResponse(body, status_code=status, headers=headers)


def customer_fault(customer_number: str, headers: Mapping[str, str] | None = None) -> JSONResponse:
    body = {
        "faultcode": "Server",
        "faultstring": f"Invalid customer number {customer_number} for this application",
    }
    return JSONResponse(body, status_code=400, headers=headers)
