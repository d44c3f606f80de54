"""Every answer (console, API, receiver, static files) carries the browser-side protections:
a Content-Security-Policy without inline script, no framing, nosniff, a Referrer-Policy that
keeps sign-in link tokens on disty, and HSTS when disty's public URL is https. /docs has a
policy of its own that allows exactly its one inline script (by hash), and loads Swagger UI
from disty alone."""

from __future__ import annotations

import base64
import hashlib
import logging
import re

import httpx
import pytest

from disty.config import Settings
from disty.web.app import create_app
from tests.fixtures.disty import serve_disty

PATHS = [
    "/login",  # a console page
    "/t/smbi",  # a redirect to sign in
    "/static/console.js",
    "/api/v1/pos",  # 401 problem document
    "/healthz",
    "/supplierapi/distributorWebhook/nobody/1",  # GET on the receiver: 405
    "/nowhere",  # 404
]


def _directives(policy: str) -> dict[str, list[str]]:
    found = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            found[words[0]] = words[1:]
    return found


def test_every_answer_carries_the_protections(settings: Settings) -> None:
    plain = settings.model_copy(update={"public_url": "http://127.0.0.1:8000"})
    with serve_disty(plain, run_worker=False) as served, httpx.Client(base_url=served.url) as c:
        for path in PATHS:
            answer = c.get(path)
            policy = _directives(answer.headers.get("content-security-policy", ""))
            assert policy.get("script-src") == ["'self'"], (path, policy)
            assert "'unsafe-inline'" not in policy.get("style-src", []), path
            assert policy.get("frame-ancestors") == ["'none'"], path
            assert answer.headers.get("x-frame-options") == "DENY", path
            assert answer.headers.get("x-content-type-options") == "nosniff", path
            assert answer.headers.get("referrer-policy") in ("same-origin", "no-referrer"), path
            # Served over plain http with an http public URL: no HSTS (it would be ignored).
            assert "strict-transport-security" not in answer.headers, path

        docs = c.get("/docs")
        assert docs.status_code == 200
        policy = _directives(docs.headers["content-security-policy"])
        [inline] = re.findall(r"<script>(.*?)</script>", docs.text, re.DOTALL)
        digest = base64.b64encode(hashlib.sha256(inline.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy["script-src"]
        assert "'unsafe-inline'" not in policy["script-src"]
        assert policy["frame-ancestors"] == ["'none'"]
        # Swagger UI comes from disty itself (a machine without internet shows it too): every
        # file the page names is local and served with its type; the policy names no other host.
        assert not [v for vs in policy.values() for v in vs if "://" in v], policy
        named = re.findall(r'(?:src|href)="([^"]+)"', docs.text)
        assert named, docs.text
        types = {".js": "javascript", ".css": "text/css", ".ico": "image/svg+xml"}
        for url in named:
            assert url.startswith("/"), url
            asset = c.get(url)
            assert asset.status_code == 200, url
            kind = next(t for ending, t in types.items() if url.endswith(ending))
            assert kind in asset.headers["content-type"], (url, asset.headers["content-type"])
        assert c.get("/openapi.json").status_code == 200
        assert c.get("/redoc").status_code == 404  # one documentation page, not two


def test_hsts_when_the_public_url_is_https(settings: Settings) -> None:
    assert settings.public_url == "https://disty.example.com"
    with serve_disty(settings, run_worker=False) as served, httpx.Client(base_url=served.url) as c:
        for path in ("/login", "/api/v1/pos", "/healthz"):
            hsts = c.get(path).headers.get("strict-transport-security", "")
            assert hsts.startswith("max-age="), path
            assert int(hsts.split("=")[1]) >= 15552000, path  # half a year at least


def test_the_receivers_own_answers_carry_them_and_the_request_id(settings: Settings) -> None:
    """Deliveries are answered at the app's edge, ahead of the middleware (web/webhooks.py):
    its answers still carry every protection and the request's id, and a path with a control
    character is still the guard's 400."""
    receiver = "/supplierapi/distributorWebhook"
    with serve_disty(settings, run_worker=False) as served, httpx.Client(base_url=served.url) as c:
        refused = c.post(
            f"{receiver}/nobody/1", content=b"{}", headers={"X-Request-ID": "proxy-rq-42"}
        )
        assert refused.status_code == 404, refused.text
        assert refused.headers["x-request-id"] == "proxy-rq-42"  # a sane one is kept
        assert refused.headers["x-frame-options"] == "DENY"
        assert refused.headers["x-content-type-options"] == "nosniff"
        assert refused.headers["referrer-policy"] == "same-origin"
        assert _directives(refused.headers["content-security-policy"])["frame-ancestors"] == [
            "'none'"
        ]
        assert refused.headers["strict-transport-security"].startswith("max-age=")
        insane = c.post(f"{receiver}/nobody/1", content=b"{}", headers={"X-Request-ID": "a b"})
        assert insane.headers["x-request-id"] not in ("", "a b")  # a new one instead

        for path in (f"{receiver}/no%00body/1", f"{receiver}/nobody/1?x=%01"):
            guarded = c.post(path, content=b"{}")
            assert guarded.status_code == 400, (path, guarded.text)
            assert guarded.headers["content-type"].startswith("application/problem+json"), path
            assert guarded.headers["x-frame-options"] == "DENY", path
            assert guarded.headers["x-request-id"], path


async def test_an_unexpected_failure_at_the_receiver_is_a_500_with_the_protections(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """The door catches what nothing else does: here the app was never started (no lifespan,
    so no intake to hand the delivery to). The sender gets a JSON 500, to send again later,
    with the headers every answer carries; the log gets the one traceback."""
    app = create_app(settings, run_worker=False)  # not served: its lifespan never runs
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://disty") as client:
        with caplog.at_level(logging.ERROR, logger="disty.web.webhooks"):
            answer = await client.post(
                "/supplierapi/distributorWebhook/smbi/1", content=b"{}",
                headers={"X-Request-ID": "proxy-rq-500"},
            )  # fmt: skip
    assert answer.status_code == 500
    assert answer.json()["error"] == "internal"
    assert answer.headers["x-request-id"] == "proxy-rq-500"
    assert answer.headers["x-frame-options"] == "DENY"
    failures = [r for r in caplog.records if r.name == "disty.web.webhooks"]
    assert len(failures) == 1
    assert failures[0].exc_info is not None
