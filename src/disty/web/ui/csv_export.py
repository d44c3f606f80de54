"""CSV exports of the console's lists: streamed as rows are read (the services read their
lists in batches), so exporting 100,000 rows holds one batch in memory, not the file.

A cell that a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage
return: OWASP's "CSV injection") is written with a leading apostrophe, which spreadsheets show
as text. Text from distributors and webhooks reaches these files, so every cell is guarded.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from fastapi.responses import StreamingResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ROWS_PER_CHUNK = 200  # rows written per chunk sent


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        text = value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    elif isinstance(value, date):
        text = value.isoformat()
    elif isinstance(value, list | tuple):
        text = " ".join(str(v) for v in value)
    else:
        text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _chunk(rows: Iterable[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows([cell(v) for v in row] for row in rows)
    return out.getvalue().encode()


async def _body(header: Sequence[str], rows: AsyncIterator[Sequence[Any]]) -> AsyncIterator[bytes]:
    yield _chunk([header])
    waiting: list[Sequence[Any]] = []
    async for row in rows:
        waiting.append(row)
        if len(waiting) >= ROWS_PER_CHUNK:
            yield _chunk(waiting)
            waiting = []
    if waiting:
        yield _chunk(waiting)


def response(
    filename: str, header: Sequence[str], rows: AsyncIterator[Sequence[Any]]
) -> StreamingResponse:
    """A download named ``filename`` (ASCII, chosen by disty), streamed as it is read."""
    return StreamingResponse(
        _body(header, rows),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
