"""How ``disty serve`` runs uvicorn: the limits a stranger's connections cannot get past.

uvicorn times out only idle keep-alive connections (5 s). A connection that is opened and then
fed one byte at a time, in its head or its body, is held for as long as the client likes, and
each one holds an open file: 300 of them under a 256-file limit made every real delivery fail.
So, in ``GuardedProtocol`` (uvicorn's httptools protocol plus two deadlines):

- a request's head (request line and headers) must arrive within ``http_head_timeout_s``
  (10 s: any real client sends it in one packet) and be at most ``MAX_HEAD_BYTES``; otherwise
  408 or 431 and the connection is closed;
- a whole request must arrive within ``http_request_timeout_s`` (60 s: a console form or API
  call is a few KiB; the webhook receiver's own deadline on its bodies is shorter, 15 s);
  otherwise the connection is closed and the route sees the client gone;

and around it:

- ``limit_concurrency`` = ``http_max_connections`` (1,000): past that many open connections
  (or running requests), new requests are answered 503, which a distributor retries, instead
  of the process running out of open files or memory. A single process serving SQLite does a
  few thousand deliveries a second at a few dozen at once, so 1,000 is far above real use; a
  stranger needs 1,000 connections at once, each dropped within the deadlines above, and
  per-client limits belong in the reverse proxy in front;
- the open-file limit raised to its hard limit at start (``raise_open_file_limit``), so that
  those connections, the database and the logs fit; if even the hard limit is too low, the
  connection limit is lowered to fit under it;
- ``timeout_keep_alive`` stays uvicorn's 5 s (an idle kept-alive connection is closed).
"""

from __future__ import annotations

import asyncio
import logging
import resource
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from disty.config import Settings
from disty.services.throttle import ThrottledLog

log = logging.getLogger(__name__)

MAX_HEAD_BYTES = 64 * 1024  # uvicorn's h11 allows 16 KiB; a webhook's head is under 1 KiB
KEEP_ALIVE_S = 5
FILES_RESERVED = 256  # for the database, logs and the process's own files


def _plain(status: bytes, text: bytes) -> bytes:
    return (
        b"HTTP/1.1 " + status + b"\r\ncontent-type: text/plain; charset=utf-8\r\n"
        b"content-length: " + str(len(text)).encode() + b"\r\nconnection: close\r\n\r\n" + text
    )


_TIMEOUT = _plain(b"408 Request Timeout", b"the request did not arrive in time")
_TOO_LARGE = _plain(b"431 Request Header Fields Too Large", b"the request head is too large")


class GuardedProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline on each request's head and on the whole
    request, and a cap on the head's size. Deadlines are set per server through
    ``guarded_protocol``."""

    head_timeout_s = 10.0
    request_timeout_s = 60.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_timer: asyncio.TimerHandle | None = None
        self._request_timer: asyncio.TimerHandle | None = None
        self._in_head = True
        self._head_bytes = 0

    # The head: from the connection (or the request's first byte) to the end of its headers.
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head = True
        self._head_bytes = 0
        self._arm_head()
        if self._request_timer is None:
            self._request_timer = self.loop.call_later(self.request_timeout_s, self._expired)

    def data_received(self, data: bytes) -> None:
        if self._in_head:
            # Counted before the parser sees it: httptools gathers a header of any size itself.
            end = data.find(b"\r\n\r\n")
            self._head_bytes += len(data) if end < 0 else end
            if self._head_bytes > MAX_HEAD_BYTES:
                self._close_with(_TOO_LARGE)
                return
        super().data_received(data)

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._cancel_head()
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        if self._request_timer is not None:
            self._request_timer.cancel()
            self._request_timer = None

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head()
        if self._request_timer is not None:
            self._request_timer.cancel()
            self._request_timer = None
        super().connection_lost(exc)

    def _arm_head(self) -> None:
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(self.head_timeout_s, self._head_expired)

    def _cancel_head(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_expired(self) -> None:
        self._head_timer = None
        if self._in_head:
            self._close_with(_TIMEOUT)

    def _expired(self) -> None:
        """The request is still arriving: the route (if one runs) sees the client gone."""
        self._request_timer = None
        if self._in_head:
            self._close_with(_TIMEOUT)
        elif not self.transport.is_closing():
            self.transport.close()

    def _close_with(self, answer: bytes) -> None:
        if not self.transport.is_closing():
            self.transport.write(answer)
            self.transport.close()


class _OneLineAMinute(logging.Filter):
    """uvicorn warns once per malformed request ("Invalid HTTP request received."): a stranger
    sending garbage would write a line per request. One a minute per message, then how many
    were left out (the receiver's ThrottledLog decides)."""

    def __init__(self) -> None:
        super().__init__()
        self._lines = ThrottledLog(log)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.ERROR:
            return True  # a fault of the server's own: always told
        suffix = self._lines.admit(str(record.msg))
        if suffix is None:
            return False
        record.msg = f"{record.msg}{suffix}"
        return True


_THROTTLE = _OneLineAMinute()


def guarded_protocol(settings: Settings) -> type[GuardedProtocol]:
    """``GuardedProtocol`` with these settings' deadlines (a class: uvicorn makes one per
    connection)."""
    return type(
        "GuardedProtocol",
        (GuardedProtocol,),
        {
            "head_timeout_s": settings.http_head_timeout_s,
            "request_timeout_s": settings.http_request_timeout_s,
        },
    )


def raise_open_file_limit() -> int:
    """Raise this process's soft limit on open files to its hard limit; answers the limit now
    in force (the default soft limit is often 1,024, sometimes 256)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft != resource.RLIM_INFINITY and soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError) as exc:  # a container may refuse: keep what we have
            log.warning("could not raise the open-file limit from %d to %d: %s", soft, hard, exc)
    return soft if soft != resource.RLIM_INFINITY else 1 << 20


def config(app: Any, settings: Settings, *, host: str, port: int) -> uvicorn.Config:
    """uvicorn's configuration for disty: the guarded protocol and the connection limit."""
    files = raise_open_file_limit()
    connections = min(settings.http_max_connections, max(16, files - FILES_RESERVED))
    if connections < settings.http_max_connections:
        log.warning(
            "only %d open files allowed: serving at most %d connections at once "
            "(raise the hard limit, ulimit -Hn, for DISTY_HTTP_MAX_CONNECTIONS=%d)",
            files, connections, settings.http_max_connections,
        )  # fmt: skip
    chosen = uvicorn.Config(
        app,
        host=host,
        port=port,
        http=guarded_protocol(settings),
        limit_concurrency=connections,
        timeout_keep_alive=KEEP_ALIVE_S,
        # uvicorn's own access log would print every delivery; disty logs what matters itself.
        access_log=False,
        log_level="warning",
        # uvicorn would believe X-Forwarded-For from any local peer; the app believes it only
        # from DISTY_TRUSTED_PROXIES (web/security.py).
        proxy_headers=False,
        # JSON logs: uvicorn's own lines go through disty's handler (disty/logs.py) too.
        log_config=None if settings.log_format == "json" else uvicorn.config.LOGGING_CONFIG,
    )
    # After uvicorn.Config, which sets its loggers up.
    uvicorn_log = logging.getLogger("uvicorn.error")
    if _THROTTLE not in uvicorn_log.filters:
        uvicorn_log.addFilter(_THROTTLE)
    return chosen
