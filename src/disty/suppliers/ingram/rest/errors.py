"""Ingram's error bodies, parsed leniently, mapped onto disty's supplier error tree.

Ingram answers in several shapes: ``{"errors": [...]}``, a list of those, an Apigee
``{"fault": {"faultstring", "detail": {"errorcode"}}}``, a bare ``{"faultcode",
"faultstring"}``, or ``{"message"}``. Whatever arrives, the distributor's own message is kept.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from disty.suppliers.errors import (
    AppNotApproved,
    AuthenticationFailed,
    BadCustomerNumber,
    FieldError,
    Maintenance,
    NotFound,
    RateLimited,
    RequestRejected,
    SupplierError,
    Unavailable,
)
from disty.suppliers.http import retry_after
from disty.suppliers.ingram.consts import MAINTENANCE_HINT, NO_API_PRODUCT, PORTAL


@dataclass(frozen=True, slots=True)
class ParsedError:
    message: str
    code: str | None
    fields: tuple[FieldError, ...]


def parse_error_body(body: bytes) -> ParsedError:
    try:
        data: Any = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        text = body.decode("utf-8", "replace").strip()
        return ParsedError(text[:300] or "no details", None, ())
    messages: list[str] = []
    fields: list[FieldError] = []
    code: str | None = None

    def walk(node: Any) -> None:
        nonlocal code
        if isinstance(node, list):
            for item in node:
                walk(item)
            return
        if not isinstance(node, dict):
            return
        if "errors" in node:
            walk(node["errors"])
        if isinstance(node.get("fault"), dict):
            walk(node["fault"])
        for key in ("message", "faultstring", "error_description"):
            if isinstance(node.get(key), str) and node[key].strip():
                messages.append(node[key].strip())
        detail = node.get("detail")
        if isinstance(detail, dict) and isinstance(detail.get("errorcode"), str):
            code = detail["errorcode"]
        if isinstance(node.get("error"), str) and code is None:
            code = node["error"]
        for item in node.get("fields") or []:
            if isinstance(item, dict):
                fields.append(
                    FieldError(
                        field=str(item.get("field", "")),
                        message=str(item.get("message", "")),
                        value=None if item.get("value") is None else str(item.get("value")),
                    )
                )

    walk(data)
    message = "; ".join(dict.fromkeys(messages)) or "no details"
    if fields:
        # "Validation failed" alone says nothing: name each refused field and why.
        message += " (" + "; ".join(f"{f.field}: {f.message}" for f in fields) + ")"
    return ParsedError(message, code, tuple(fields))


_PACIFIC = ZoneInfo("America/Los_Angeles")


def in_maintenance_window(moment: datetime) -> bool:
    """Ingram's North American windows: 23:00-04:00 Pacific on weekdays, 18:00-05:00 on
    weekends (Friday 23:00 runs into Saturday's window)."""
    local = moment.astimezone(_PACIFIC)
    weekend = local.weekday() >= 5
    if weekend:
        return local.hour >= 18 or local.hour < 5 or (local.weekday() == 5 and local.hour < 5)
    # Weekday mornings before 04:00 (Monday's belongs to Sunday night's window, until 05:00).
    if local.weekday() == 0 and local.hour < 5:
        return True
    return local.hour >= 23 or local.hour < 4


_CUSTOMER_FIELDS = {"im-customernumber", "im-countrycode"}


def classify(response: httpx.Response) -> SupplierError:
    """The error for a failed Ingram answer, with what to do next."""
    status = response.status_code
    parsed = parse_error_body(response.content)
    said = f"Ingram Micro answered {status}: {parsed.message}"
    common: dict[str, Any] = {
        "status": status,
        "supplier_message": parsed.message,
        "correlation_id": response.request.headers.get("IM-CorrelationID"),
    }
    text = f"{parsed.message} {parsed.code or ''}".lower()
    if status == 401:
        if NO_API_PRODUCT.lower() in text or "no apiproduct match" in text:
            return AppNotApproved(
                f"{said}. The app is still In Review, revoked, or not subscribed to the v6 API "
                f"products: in {PORTAL} subscribe the production app to the v6 products (a "
                "v7-only subscription fails) and wait for Ingram to approve it",
                **common,
            )
        return AuthenticationFailed(
            f"{said}. Check the client id and client secret: copy them again from the "
            f"production app in {PORTAL}",
            **common,
        )
    if status == 400:
        field_names = {f.field.lower() for f in parsed.fields}
        if "customer number" in text or field_names & _CUSTOMER_FIELDS:
            return BadCustomerNumber(
                f"{said}. Check the customer number (as Ingram shows it, e.g. 20-222222) and "
                "that the account is served in this country",
                **common,
            )
        return RequestRejected(
            f"{said}. Correct the request and send it again",
            field_errors=parsed.fields,
            **common,
        )
    if status == 404 and "identify proxy" in text:
        # Apigee's answer for a path it has no API behind: not "no records", a wrong base URL.
        return RequestRejected(
            f"{said}. This Ingram Micro API is not served at "
            f"{response.request.url.scheme}://{response.request.url.netloc.decode()}: check "
            "the base URL",
            **common,
        )
    if status == 404:
        return NotFound(f"{said}", **common)
    if status == 405:
        return RequestRejected(f"{said}. The order is not in a state that allows this", **common)
    if status == 429:
        return RateLimited(
            f"{said}. Too many calls for this app: wait a minute and try again",
            retry_after=retry_after(response),
            **common,
        )
    if status >= 500 and in_maintenance_window(datetime.now(UTC)):
        return Maintenance(
            f"{said}. Ingram Micro is in its maintenance window ({MAINTENANCE_HINT}): "
            "try again after it ends",
            **common,
        )
    if status >= 500:
        return Unavailable(
            f"{said}. Ingram Micro may be in a maintenance window ({MAINTENANCE_HINT}): "
            "try again later",
            **common,
        )
    return RequestRejected(said, field_errors=parsed.fields, **common)
