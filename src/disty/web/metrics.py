"""``GET /metrics``: Prometheus's text format, this process's counters (disty/metrics.py)
followed by what the database says about the work waiting (services/gauges.py, read now).

Who may read it (decided here, documented in docs/production.md): the figures name no secret,
but they tell a stranger how busy each supplier is and how many POs a platform handles.
- DISTY_METRICS_TOKEN set: only a request with "Authorization: Bearer <that token>" (compared
  in constant time), from any address: Prometheus scrapes each replica directly.
- not set: in development, only this machine (a loopback peer: a Prometheus beside it); in
  production, nobody (404, as if there were no such page), so turning production on can never
  open it to the world by accident. A reverse proxy should not pass /metrics on either way
  (the nginx example denies it).
A refused request gets 404 without saying why: a stranger learns nothing, not even that the
page exists; the operator reads this page.
"""

from __future__ import annotations

import hmac
import ipaddress

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from disty import metrics
from disty.runtime import Runtime
from disty.services import gauges

router = APIRouter(tags=["operations"])


def allowed(request: Request) -> bool:
    rt: Runtime = request.app.state.rt
    token = rt.settings.metrics_token
    if token is not None and token.get_secret_value():
        given = request.headers.get("authorization", "")
        scheme, _, value = given.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            value.strip().encode(), token.get_secret_value().encode()
        )
    if rt.settings.is_production:
        return False
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@router.get("/metrics", include_in_schema=False)
async def scrape(request: Request) -> Response:
    if not allowed(request):
        return Response(status_code=404)
    snapshot = CollectorRegistry(auto_describe=True)
    up = GaugeMetricFamily("disty_database_up", "Whether the database answered this scrape.")
    try:
        # The bounded engine (as /readyz): a database that hangs costs a scrape seconds, and
        # the counters are served all the same.
        async with AsyncSession(request.app.state.bounded_engine) as session:
            families = await gauges.read(session)
        up.add_metric([], 1)
    except (SQLAlchemyError, OSError):  # the counters still tell what this process did
        families = []
        up.add_metric([], 0)
    snapshot.register(gauges.Snapshot([up, *families]))
    body = generate_latest(metrics.REGISTRY) + generate_latest(snapshot)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
