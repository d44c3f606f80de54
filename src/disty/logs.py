"""How disty's log lines look, and the request id they carry.

Two formats (DISTY_LOG_FORMAT): ``text`` (the default, for a person at a terminal) and
``json`` (one object a line, for a log collector): time, level, logger, message, the request
id when there is one, and the traceback as text.

The request id: every HTTP request has one (web/request_id.py takes a sane X-Request-ID or
makes one, and echoes it in the answer); it sits in ``REQUEST_ID`` while the request runs, so
every line logged meanwhile carries it. Work done later on the request's behalf carries it too:
a webhook delivery's id is stored with its inbox rows (in their stored headers, as
``x-request-id``), and processing an event sets ``REQUEST_ID`` from there. A PO's send taken up
later (the outbox sweep, a price check tried again) sets it from the PO's latest sending act in
the audit log, whose entries keep the request they were made in (services/audit.py,
``ordering._common.sent_for``). That works whatever process runs the job (the in-process
worker, ``disty worker``, a procrastinate job): the stored row is the record, not this
process's memory.

Nothing secret reaches a log line through here: lines are written by disty's own code, which
logs no secret (tests/integration/test_observability.py holds it to that in both formats), and
the request id is either a short token of safe characters or one disty made.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

REQUEST_ID: ContextVar[str | None] = ContextVar("disty_request_id", default=None)
HEADER = "x-request-id"

# What a caller's X-Request-ID may be to be kept: a UUID, a proxy's hex id, a short token.
_SANE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,63}")


def new_request_id() -> str:
    return secrets.token_hex(16)


def sane_request_id(given: str | None) -> str | None:
    """The caller's request id if it is safe to keep (and log, and store), else None."""
    return given if given is not None and _SANE.fullmatch(given) else None


@contextmanager
def request_id(rid: object) -> Iterator[None]:
    """Lines logged inside carry ``rid`` (work done later for a request: a stored id; one
    that is not a sane id, or none, leaves the current one)."""
    sane = sane_request_id(rid) if isinstance(rid, str) else None
    if sane is None:
        yield
        return
    token = REQUEST_ID.set(sane)
    try:
        yield
    finally:
        REQUEST_ID.reset(token)


class _WithRequestId(logging.Filter):
    """Puts the current request id on every record (``request_id``, None outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = REQUEST_ID.get()
        return True


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        rid = getattr(record, "request_id", None)
        return f"{line} [request {rid}]" if rid else line


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = getattr(record, "request_id", None)
        if rid:
            entry["request_id"] = rid
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


FORMATS = ("text", "json")


def configure(verbosity: int = 0, fmt: str = "text") -> None:
    """Warnings and errors from everything; ``verbosity`` 1 adds disty's own debug lines, 2
    also everyone else's (every SQL statement with its parameters, every HTTP exchange).

    One level stays with disty's loggers: the database drivers, SQLAlchemy and the HTTP
    clients log each statement and packet at debug, which would bury disty's lines."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(_WithRequestId())
    logging.basicConfig(
        level=logging.DEBUG if verbosity >= 2 else logging.WARNING, handlers=[handler], force=True
    )
    logging.getLogger("disty").setLevel(logging.DEBUG if verbosity >= 1 else logging.NOTSET)
