"""Settings, read from DISTY_* environment variables.

``load_settings()`` is the one way in: it turns pydantic's validation errors into one clear
sentence, and in production refuses what is only safe on a developer's machine (a generated
secret key, a guessed public URL).
"""

from __future__ import annotations

import ipaddress
import logging
import math
import os
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeInt,
    PositiveFloat,
    PositiveInt,
    PrivateAttr,
    SecretStr,
    ValidationError,
    field_validator,
)

from disty.crypto import SecretBox, generate_key
from disty.errors import ConfigurationError
from disty.suppliers.retry import worst_send_s

log = logging.getLogger(__name__)

DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"
KEY_FILE_NAME = "secret.key"
DB_FILE_NAME = "disty.db"
ENV_PREFIX = "disty_"


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


def _from_environment() -> dict[str, str]:
    """The DISTY_* variables by field name, as pydantic-settings read them: the prefix and name
    in any case, each value as given (pydantic converts it as it converts any string)."""
    return {
        key.lower().removeprefix(ENV_PREFIX): value
        for key, value in os.environ.items()
        if key.lower().startswith(ENV_PREFIX)
    }


class Settings(BaseModel):
    """Every field is read from DISTY_<FIELD> (any case); a value given to the constructor
    wins over the environment. A plain pydantic model rather than pydantic-settings'
    BaseSettings: every settings field here is a single value, which is all its environment
    source did for them, and importing pydantic-settings (its dotenv, cloud and command-line
    sources) cost every command ~20 ms at start-up."""

    # As BaseSettings: defaults are validated too; unknown DISTY_* variables are ignored.
    model_config = ConfigDict(extra="ignore", validate_default=True)
    # Whether the unset DISTY_PUBLIC_URL was warned of: once per settings, not on every page
    # and webhook URL that asks.
    _public_url_warned: bool = PrivateAttr(default=False)

    home: Path = Path(".disty")
    database_url: str | None = None
    public_url: str | None = None
    # Comma-separated Fernet keys, the first one current. SecretStr keeps it out of reprs.
    secret_keys: SecretStr | None = None
    env: Environment = Environment.DEVELOPMENT
    # How long a replaced webhook key keeps verifying deliveries.
    webhook_key_grace_hours: float = 24.0
    # Client-side limits per Ingram app, below Ingram's own (GET 60 a minute per endpoint,
    # price and availability 100 a minute), and how long to wait for any distributor.
    ingram_get_per_minute: int = 60
    ingram_pna_per_minute: int = 100
    supplier_timeout_s: float = 30.0
    # The most one call to a distributor may take, retries and their waits included (CLI and
    # worker), and the most a web request (console page, API call) may spend on distributors
    # in all: a person or a PSA waiting on the other end is told "try again in N s" (429/503
    # with Retry-After) rather than held for minutes in a 429 storm.
    supplier_deadline_s: float = 60.0
    web_supplier_deadline_s: float = 10.0
    # Whether a connection's base URL may be other than the supplier's own https endpoints
    # (the simulator, a sandbox): an operator's choice for the whole platform, never a
    # tenant's. Even then secrets go over plain http only to this machine (loopback).
    allow_custom_supplier_urls: bool = False
    # A PO stops for approval when a line's current price exceeds the expected one by more
    # than this fraction (0.02 = 2%).
    price_tolerance: float = 0.02
    # A price that cannot be confirmed (the distributor's price check fails) is never sent:
    # the PO waits and the worker checks again this many times, first after
    # price_check_retry_s, doubling each time; then it stops for approval.
    price_check_retries: int = 5
    price_check_retry_s: float = 30.0
    # How long a submitter holds a PO it is sending (renewed while the send is in flight): a
    # process that died mid-send is only known dead once its hold has run out, so it must
    # outlast the longest one send can take (worst_send_s: a token fetched with retries, then
    # the order), 5 x 30 s + 3.5 s with the default timeout.
    submit_lease_s: float = 180.0
    # How often the worker refreshes open POs from the supplier; 0 switches polling off
    # (webhooks alone then keep POs current).
    poll_interval_s: float = 300.0
    # The most POs one polling round asks suppliers about (the most overdue first): a backlog
    # (the worker down for a day, a thousand POs due at once) is spread over rounds rather than
    # sent to a distributor in one burst. Rounds run every few seconds (jobs/worker.py).
    poll_round_limit: PositiveInt = 20
    # The folder under which distributors' files (ship notices) are dropped, by an FTP mirror
    # the operator runs: a connection names a folder inside it, never a path of its own, so a
    # tenant admin cannot make disty read or move files elsewhere on the server. Default:
    # DISTY_HOME/drop.
    file_drop_root: Path | None = None
    # A webhook event whose processing fails is retried with backoff (this many seconds,
    # doubling each time, at most an hour) and is dead after this many tries.
    event_max_attempts: int = 8
    event_retry_base_s: float = 10.0
    # Raw bodies of processed events are dropped after this many days (the event row stays).
    event_retention_days: float = 90.0
    # Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (comma-separated
    # addresses or networks). None by default: anyone could send those headers, so the peer
    # address is the client (which sign-in and API throttling count by).
    trusted_proxies: str = ""
    # Slow and idle clients (web/server.py and the webhook receiver): a request's head must
    # arrive within http_head_timeout_s, a webhook's body within webhook_body_timeout_s, any
    # request whole within http_request_timeout_s; past http_max_connections at once, new
    # requests are answered 503 (a distributor delivers again) rather than run out of files.
    http_head_timeout_s: PositiveFloat = 10.0
    http_request_timeout_s: PositiveFloat = 60.0
    http_max_connections: PositiveInt = 1000
    webhook_body_timeout_s: PositiveFloat = 15.0
    # Log lines as text for a person (the default) or as one JSON object a line for a log
    # collector (disty/logs.py); read by the CLI before anything else, declared here too.
    log_format: Literal["text", "json"] = "text"
    # Who may read /metrics (web/metrics.py): with a token, whoever sends it as
    # "Authorization: Bearer <token>"; without one, nobody in production, and only this
    # machine (a loopback peer) in development.
    metrics_token: SecretStr | None = None
    # A `disty worker` serves /metrics of its own only when given a port (`--metrics-port`,
    # web/worker_metrics.py), on this address: this machine only unless the operator opens it.
    worker_metrics_port: int | None = Field(default=None, ge=0, le=65535)
    worker_metrics_host: str = "127.0.0.1"
    # The job queue on PostgreSQL (jobs/pgqueue.py). A worker beats every job_heartbeat_s; one
    # silent for job_stalled_after_s is taken for dead and its jobs are tried again. A job
    # holds the webhook events it claimed job_event_lease_s from any other job, a `disty
    # worker --once` or a replay, renewed every third of it while it runs (a processing may
    # wait for a supplier longer); a dead worker's events are taken up once it runs out.
    # A stopping worker lets its running jobs finish for job_shutdown_grace_s, then aborts
    # them (they are tried again; every job is safe to repeat).
    job_heartbeat_s: PositiveFloat = 2.0
    job_stalled_after_s: PositiveFloat = 10.0
    job_event_lease_s: PositiveFloat = 15.0
    job_shutdown_grace_s: PositiveFloat = 10.0
    # Each process's pool of database connections: db_pool_size kept open, db_pool_overflow
    # more at a busy moment. A request that finds them all busy waits db_pool_timeout_s for
    # one, then is answered 503 with Retry-After (a client tries again; nothing hangs). On
    # PostgreSQL, (replicas + workers) x (size + overflow) must stay under max_connections.
    db_pool_size: PositiveInt = 10
    db_pool_overflow: NonNegativeInt = 10
    db_pool_timeout_s: PositiveFloat = 5.0

    def __init__(self, **values: Any) -> None:
        super().__init__(**{**_from_environment(), **values})

    @field_validator("public_url")
    @classmethod
    def _check_public_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        url = value.strip().rstrip("/")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
            raise ValueError("use an absolute http(s) URL such as https://disty.example.com")
        return url

    @field_validator("trusted_proxies")
    @classmethod
    def _check_trusted_proxies(cls, value: str) -> str:
        for item in (part.strip() for part in value.split(",")):
            if not item:
                continue
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(
                    f"{item!r} is not an IP address or network: list the proxies' addresses, "
                    "such as 10.0.0.5,10.1.0.0/16"
                ) from None
        return value

    @property
    def trusted_proxy_list(self) -> list[str]:
        return [part.strip() for part in self.trusted_proxies.split(",") if part.strip()]

    @field_validator(
        "ingram_get_per_minute",
        "ingram_pna_per_minute",
        "supplier_timeout_s",
        "supplier_deadline_s",
        "web_supplier_deadline_s",
        "submit_lease_s",
        "event_max_attempts",
        "event_retry_base_s",
        "event_retention_days",
        "price_check_retry_s",
    )
    @classmethod
    def _check_positive(cls, value: float) -> float:
        if value <= 0:
            raise ValueError("use a number above zero")
        return value

    @field_validator("webhook_key_grace_hours", "poll_interval_s", "price_check_retries")
    @classmethod
    def _check_not_negative(cls, value: float) -> float:
        if value < 0:
            raise ValueError("use zero or more")
        return value

    @property
    def webhook_key_grace(self) -> timedelta:
        return timedelta(hours=self.webhook_key_grace_hours)

    @property
    def is_production(self) -> bool:
        return self.env is Environment.PRODUCTION

    @property
    def resolved_home(self) -> Path:
        return self.home.expanduser().resolve()

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.resolved_home / DB_FILE_NAME}"

    @property
    def effective_public_url(self) -> str:
        """DISTY_PUBLIC_URL, or the local default with a warning (distributors cannot reach it)."""
        if self.public_url:
            return self.public_url
        if self._public_url_warned:
            return DEFAULT_PUBLIC_URL
        self._public_url_warned = True
        log.warning(
            "DISTY_PUBLIC_URL is not set: webhook URLs use %s, which distributors cannot reach; "
            "set DISTY_PUBLIC_URL to disty's public https address",
            DEFAULT_PUBLIC_URL,
        )
        return DEFAULT_PUBLIC_URL

    def check(self) -> None:
        """Refuse settings that are unsafe (all of them outside development)."""
        worst = worst_send_s(self.supplier_timeout_s)
        if self.submit_lease_s <= worst:
            raise ConfigurationError(
                f"DISTY_SUBMIT_LEASE_S ({self.submit_lease_s:g}) must be longer than one send "
                f"to a distributor can take with DISTY_SUPPLIER_TIMEOUT_S "
                f"{self.supplier_timeout_s:g} ({worst:g} s: a token fetched with retries, then "
                f"the order): a PO being sent must stay held until its answer can no longer "
                f"arrive. Set it to {math.floor(worst) + 1} or more"
            )
        if self.job_stalled_after_s < 3 * self.job_heartbeat_s:
            raise ConfigurationError(
                f"DISTY_JOB_STALLED_AFTER_S ({self.job_stalled_after_s:g}) must be at least three "
                f"heartbeats (DISTY_JOB_HEARTBEAT_S {self.job_heartbeat_s:g}): a worker late by a "
                f"beat or two under load would be taken for dead and its jobs run twice. Set it "
                f"to {3 * self.job_heartbeat_s:g} or more"
            )
        if not self.is_production:
            return
        if self.secret_keys is None or not self.secret_keys.get_secret_value().strip():
            raise ConfigurationError(
                "production needs DISTY_SECRET_KEYS: set it to one or more Fernet keys "
                "separated by commas (make one with: disty keys generate)"
            )
        if not self.public_url:
            raise ConfigurationError(
                "production needs DISTY_PUBLIC_URL: set it to disty's public https address, "
                "the base of the webhook URLs pasted into distributors' portals"
            )
        if not self.public_url.startswith("https://"):
            raise ConfigurationError(
                "DISTY_PUBLIC_URL must start with https:// in production: distributors deliver "
                "webhooks to HTTPS destinations only"
            )

    @property
    def resolved_file_drop_root(self) -> Path:
        root = self.file_drop_root if self.file_drop_root is not None else self.home / "drop"
        return root.expanduser().resolve()

    def ensure_home(self) -> Path:
        home = self.resolved_home
        home.mkdir(mode=0o700, parents=True, exist_ok=True)
        return home

    def secret_box(self) -> SecretBox:
        """The keys from DISTY_SECRET_KEYS or, in development only, from DISTY_HOME/secret.key."""
        if self.secret_keys is not None and self.secret_keys.get_secret_value().strip():
            return SecretBox.from_string(self.secret_keys.get_secret_value())
        self.check()  # production stops here with a clear error
        return SecretBox.from_string(_development_key(self.ensure_home() / KEY_FILE_NAME))


def _development_key(path: Path) -> str:
    """Read the generated development key, creating it once with mode 0600."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            log.warning("%s is readable by other users: run chmod 600 on it", path)
        return path.read_text(encoding="ascii").strip()
    key = generate_key()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    log.warning(
        "generated a development secret key in %s; in production set DISTY_SECRET_KEYS instead",
        path,
    )
    return key


def load_settings() -> Settings:
    """Settings from the environment, checked; errors become one ConfigurationError."""
    try:
        settings = Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "DISTY_" + str(first["loc"][0]).upper() if first["loc"] else "a DISTY_ setting"
        raise ConfigurationError(f"{name} is invalid: {first['msg']}") from None
    settings.check()
    return settings
