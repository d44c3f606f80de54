"""The pure parts of talking to distributors: error parsing, Retry-After, windows, limits."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx
import pytest

from disty.domain.checks import Check, CheckStatus, RunTestReport
from disty.suppliers.errors import (
    AppNotApproved,
    AuthenticationFailed,
    BadCustomerNumber,
    NotFound,
    RateLimited,
    RequestRejected,
    Unavailable,
)
from disty.suppliers.http import RetryPolicy, retry_after
from disty.suppliers.ingram.rest.errors import classify, in_maintenance_window, parse_error_body
from disty.suppliers.oauth import InProcessTokenCache, Token, get_token
from disty.suppliers.ratelimit import InProcessRateLimiter


def answer(status: int, body: object, headers: dict[str, str] | None = None) -> httpx.Response:
    request = httpx.Request("GET", "https://api.example/resellers/v6/catalog")
    return httpx.Response(status, json=body, headers=headers, request=request)


@pytest.mark.parametrize(
    ("body", "message", "fields"),
    [
        (
            {
                "errors": [
                    {
                        "id": "x",
                        "type": "/errors/validation-failed",
                        "message": "Validation failed",
                        "fields": [{"field": "IM-CorrelationID", "value": "", "message": "blank"}],
                    }
                ]
            },
            "Validation failed (IM-CorrelationID: blank)",
            [("IM-CorrelationID", "blank")],
        ),
        ([{"errors": [{"message": "wrapped"}]}], "wrapped", []),
        (
            {
                "fault": {
                    "faultstring": "Invalid access token",
                    "detail": {"errorcode": "oauth.v2.InvalidAccessToken"},
                }
            },
            "Invalid access token",
            [],
        ),
        (
            {"faultcode": "Server", "faultstring": "Invalid customer number 1"},
            "Invalid customer number 1",
            [],
        ),
        ({"message": "bad grant"}, "bad grant", []),
        ("not an object", "no details", []),
    ],
)
def test_every_ingram_error_shape_keeps_its_message(
    body: object, message: str, fields: list[tuple[str, str]]
) -> None:
    parsed = parse_error_body(httpx.Response(400, json=body).content)
    assert parsed.message == message
    assert [(f.field, f.message) for f in parsed.fields] == fields


def test_non_json_error_body() -> None:
    assert parse_error_body(b"<html>Bad gateway</html>").message == "<html>Bad gateway</html>"


def test_classification() -> None:
    no_product = {
        "fault": {
            "faultstring": "Invalid API call as no apiproduct match found",
            "detail": {"errorcode": "keymanagement.service.InvalidAPICallAsNoApiProductMatchFound"},
        }
    }
    assert isinstance(classify(answer(401, no_product)), AppNotApproved)
    assert isinstance(
        classify(answer(401, {"fault": {"faultstring": "Invalid access token"}})),
        AuthenticationFailed,
    )
    customer = classify(
        answer(400, {"faultcode": "Server", "faultstring": "Invalid customer number"})
    )
    assert isinstance(customer, BadCustomerNumber)
    rejected = classify(
        answer(
            400,
            {
                "errors": [
                    {
                        "message": "Validation failed",
                        "fields": [{"field": "pageSize", "message": "max 100"}],
                    }
                ]
            },
        )
    )
    assert isinstance(rejected, RequestRejected)
    assert rejected.field_errors[0].field == "pageSize"
    assert isinstance(
        classify(answer(404, {"errors": [{"message": "No Records Found"}]})), NotFound
    )
    limited = classify(answer(429, {}, {"Retry-After": "7"}))
    assert isinstance(limited, RateLimited)
    assert limited.retry_after == 7
    assert isinstance(classify(answer(503, {})), Unavailable)
    assert "Ingram Micro answered 500" in str(classify(answer(500, {"errors": [{"message": "x"}]})))


def test_retry_after_forms() -> None:
    now = 1_000_000.0
    assert retry_after(answer(429, {}, {"Retry-After": "12"}), now) == 12
    assert retry_after(answer(429, {}, {"X-RateLimit-Reset": str(now + 30)}), now) == 30
    assert retry_after(answer(429, {}, {"X-RateLimit-Reset": str(now - 30)}), now) == 0
    date = "Mon, 12 Jan 1970 13:46:50 GMT"  # 1,000,010 seconds after the epoch
    assert retry_after(answer(429, {}, {"Retry-After": date}), now) == pytest.approx(10)
    assert retry_after(answer(429, {}), now) is None


def test_backoff_has_full_jitter_under_its_cap() -> None:
    policy = RetryPolicy(base_delay_s=1, max_delay_s=4)
    waits = [policy.backoff(attempt) for attempt in range(6) for _ in range(50)]
    assert all(0 <= w <= 4 for w in waits)
    assert len({round(w, 6) for w in waits}) > 100


@pytest.mark.parametrize(
    ("utc", "inside"),
    [
        ("2026-11-24T08:00:00", True),  # Monday 00:00 Pacific: weekday window
        ("2026-11-24T13:00:00", False),  # Tuesday 05:00 Pacific
        ("2026-11-24T20:00:00", False),  # Tuesday 12:00 Pacific
        ("2026-11-25T07:30:00", True),  # Tuesday 23:30 Pacific
        ("2026-11-29T03:00:00", True),  # Saturday 19:00 Pacific: weekend window
        ("2026-11-28T20:00:00", False),  # Saturday 12:00 Pacific
    ],
)
def test_maintenance_windows(utc: str, inside: bool) -> None:
    moment = datetime.fromisoformat(utc).replace(tzinfo=UTC)
    assert in_maintenance_window(moment) is inside


async def test_token_cache_shares_one_refresh() -> None:
    cache = InProcessTokenCache()
    fetched = 0

    async def fetch() -> Token:
        nonlocal fetched
        fetched += 1
        await asyncio.sleep(0.01)
        return Token(f"t{fetched}", expires_at=2_000.0, lifetime_s=1_000)

    tokens = await asyncio.gather(
        *(get_token(cache, "k", fetch, clock=lambda: 1_000.0) for _ in range(50))
    )
    assert fetched == 1
    assert {t.access_token for t in tokens} == {"t1"}
    # Close to expiry (within a tenth of its life) it is renewed.
    renewed = await get_token(cache, "k", fetch, clock=lambda: 1_950.0)
    assert renewed.access_token == "t2"
    assert "t2" not in repr(renewed)


async def test_rate_limiter_waits_for_the_window() -> None:
    now = [0.0]
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    limiter = InProcessRateLimiter(clock=lambda: now[0], sleep=sleep)
    for _ in range(5):
        await limiter.acquire("app", 5)
    assert waits == []
    await limiter.acquire("app", 5)
    assert waits == [60.0]
    await limiter.acquire("other", 5)  # keys are independent
    assert waits == [60.0]


def test_report_ok_counts_only_required_checks() -> None:
    now = datetime.now(UTC)
    checks = [
        Check("credentials", CheckStatus.PASS, True, "ok"),
        Check("quote_to_order", CheckStatus.WARN, False, "no v7", "subscribe"),
    ]
    assert RunTestReport(now, checks).ok
    failing = [*checks, Check("orders", CheckStatus.FAIL, True, "no", "fix")]
    report = RunTestReport(now, failing)
    assert not report.ok
    assert report.to_json()["checks"][2] == {
        "name": "orders",
        "status": "fail",
        "required": True,
        "detail": "no",
        "fix": "fix",
    }
