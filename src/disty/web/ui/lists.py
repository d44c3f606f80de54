"""What the console's lists share: reading their filters from the query string and the links
to the next page and to the CSV export, which carry the same filters."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import Response

from disty.services import keyset


def kept(request: Request, *names: str, limit: int = 40) -> dict[str, str]:
    """The named filters as given (trimmed, cut to ``limit``), "" for those not given."""
    return {name: request.query_params.get(name, "").strip()[:limit] for name in names}


def day(filters: dict[str, str], name: str) -> date | None:
    """A ``YYYY-MM-DD`` filter; InvalidInput (said on the page) for anything else."""
    return keyset.parse_day(filters[name], name)


def invalid(message: object, status: int = 422) -> Response:
    """An export that cannot start (a filter the list page would refuse, no supplier): said
    as plain text, as the download's answer."""
    return Response(f"{message}\n", status_code=status, media_type="text/plain; charset=utf-8")


def link(path: str, filters: dict[str, str], **more: str | None) -> str:
    """``path`` with the filters that are set (and ``more``), e.g. the next page's link."""
    given = {k: v for k, v in {**filters, **more}.items() if v}
    return f"{path}?{urlencode(given)}" if given else path
