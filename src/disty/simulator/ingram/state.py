"""Everything the simulated Ingram remembers: apps, tokens, faults, counters; in memory.

All of it is touched from uvicorn's single event loop (routes and the control API alike), so
plain dicts are enough: no handler awaits between reading and writing a piece of state.
Part 2 adds orders, stock taken by orders, quotes, returns, queued v7 orders and webhooks
here, reading the same injectable clock; ``life.py`` moves them on.
"""

from __future__ import annotations

import asyncio
import random
import secrets
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from disty.simulator.clock import SimClock
from disty.simulator.config import SimulatorConfig
from disty.simulator.ingram.catalog import Catalog
from disty.simulator.ingram.orders import Inventory, OrderBook
from disty.simulator.ingram.ratelimit import RateLimiter
from disty.simulator.ingram.webhooks import EVENT_KINDS, Dispatcher
from disty.simulator.ingram.xml.accounts import XmlLogin, demo_login

AppState = Literal["approved", "in_review", "v7_only", "revoked"]
FaultKind = Literal["latency", "error", "timeout", "drop", "drop_after"]


@dataclass(frozen=True, slots=True)
class App:
    client_id: str
    client_secret: str
    customer_number: str
    countries: tuple[str, ...]
    state: AppState = "approved"
    token_ttl_s: int = 86_400

    def public(self) -> dict[str, object]:
        """What the control API shows: never the secret, only its last 4 characters."""
        return {
            "client_id": self.client_id,
            "client_secret": "****" + self.client_secret[-4:],
            "customer_number": self.customer_number,
            "countries": list(self.countries),
            "state": self.state,
            "token_ttl_s": self.token_ttl_s,
        }


@dataclass(frozen=True, slots=True)
class Token:
    value: str
    client_id: str
    issued_at: float
    expires_at: float


@dataclass(slots=True)
class FaultRule:
    """One injected misbehaviour.

    ``distributor`` is the side it hits (``ingram``, ``tdsynnex``); ``endpoint`` one of its
    endpoints (an Ingram spec operation id such as ``post-priceandavailability``, a TD SYNNEX
    path such as ``/SynnexXML/PriceAvailability``) or ``*``; ``rate`` the share of matching
    requests hit (drawn from a seeded RNG, so runs repeat); ``times`` how many more requests
    it may hit (None: unlimited); ``message`` the error a TD SYNNEX XML document names.
    """

    kind: FaultKind
    endpoint: str = "*"
    rate: float = 1.0
    latency_ms: int = 0
    status: int = 500
    timeout_s: float = 30.0
    times: int | None = None
    distributor: str = "ingram"
    message: str | None = None
    id: int = 0


@dataclass
class SimState:
    config: SimulatorConfig
    clock: SimClock
    catalog: Catalog
    apps: dict[str, App] = field(default_factory=dict)
    tokens: dict[str, Token] = field(default_factory=dict)
    faults: list[FaultRule] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    maintenance: bool = False
    latency_ms: int = 0
    pna_per_minute: int = 100
    get_per_minute: int = 60
    limiter: RateLimiter = field(default_factory=RateLimiter)
    rng: random.Random = field(default_factory=random.Random)
    _next_fault_id: int = 1
    # -- part 2 ---------------------------------------------------------------------------
    orders: OrderBook = field(default_factory=lambda: OrderBook(1))
    inventory: Inventory = field(default_factory=Inventory)
    webhooks: Dispatcher = field(default_factory=lambda: Dispatcher(SimClock()))
    quotes: dict[str, dict[str, Any]] = field(default_factory=dict)
    returns: dict[str, dict[str, Any]] = field(default_factory=dict)
    v7_queue: list[dict[str, Any]] = field(default_factory=list)
    ship_after_s: float = 60.0
    next_stock_at: float = 0.0
    background: set[asyncio.Task[None]] = field(default_factory=set)
    ticker: asyncio.Task[None] | None = None
    # IM-XML logins by upper-cased LoginID, each an account's second door (xml/accounts.py)
    xml_logins: dict[str, XmlLogin] = field(default_factory=dict)

    @classmethod
    def create(cls, config: SimulatorConfig, clock: SimClock | None = None) -> SimState:
        sim_clock = clock or SimClock(config.frozen_clock_at)
        state = cls(
            config=config,
            clock=sim_clock,
            catalog=Catalog(config.products, config.seed),
            orders=OrderBook(config.seed),
            webhooks=Dispatcher(sim_clock),
        )
        state.reset()
        return state

    def reset(self) -> None:
        """Back to the configured start: the demo app only, no faults, zeroed counters."""
        cfg = self.config
        self.apps = {
            cfg.client_id: App(
                cfg.client_id,
                cfg.client_secret,
                cfg.customer_number,
                cfg.countries,
                _app_state(cfg.app_state),
                cfg.token_ttl_s,
            )
        }
        self.tokens.clear()
        self.faults.clear()
        self.counts.clear()
        self.limiter.clear()
        self.maintenance = False
        self.catalog.price_overrides.clear()
        self.latency_ms = cfg.latency_ms
        self.pna_per_minute = cfg.pna_per_minute
        self.get_per_minute = cfg.get_per_minute
        self.rng = random.Random(cfg.seed)  # noqa: S311 - fault dice, not cryptography
        self.clock.reset()
        self.orders.clear()
        self.inventory.clear()
        self.webhooks.clear()
        self.quotes.clear()
        self.returns.clear()
        self.v7_queue.clear()
        login = demo_login(cfg)
        self.xml_logins = {login.login_id.upper(): login}
        self.ship_after_s = cfg.ship_after_s
        self.next_stock_at = self.clock.now() + 900.0
        if cfg.webhook_url:
            # The demo's one destination URL names one country: the app's first.
            self.webhooks.subscribe(
                cfg.client_id,
                cfg.webhook_url,
                EVENT_KINDS,
                cfg.webhook_secret or None,
                country=cfg.countries[0] if cfg.countries else None,
            )

    # -- apps and tokens ------------------------------------------------------------------

    def put_app(self, app: App) -> App:
        self.apps[app.client_id] = app
        return app

    def update_app(self, client_id: str, **changes: object) -> App:
        app = replace(self.apps[client_id], **changes)  # type: ignore[arg-type]
        self.apps[client_id] = app
        return app

    def authenticate(self, client_id: str, client_secret: str) -> App | None:
        app = self.apps.get(client_id)
        if app is None or not secrets.compare_digest(app.client_secret, client_secret):
            return None
        return app

    def issue_token(self, app: App) -> Token:
        now = self.clock.now()
        token = Token(secrets.token_urlsafe(21), app.client_id, now, now + app.token_ttl_s)
        self.tokens[token.value] = token
        return token

    def revoke_tokens(self, client_id: str) -> int:
        doomed = [v for v, t in self.tokens.items() if t.client_id == client_id]
        for v in doomed:
            del self.tokens[v]
        return len(doomed)

    # -- faults ---------------------------------------------------------------------------

    def add_fault(self, rule: FaultRule) -> FaultRule:
        rule.id = self._next_fault_id
        self._next_fault_id += 1
        self.faults.append(rule)
        return rule

    def draw_faults(self, distributor: str, endpoint: str) -> list[FaultRule]:
        """The rules that hit this request (spending one of their ``times``). Every
        distributor's rules live here, so one seeded RNG and one reset cover them all."""
        hit = []
        for rule in self.faults:
            if rule.distributor != distributor or rule.endpoint not in ("*", endpoint):
                continue
            if rule.times is not None and rule.times <= 0:
                continue
            if rule.rate < 1.0 and self.rng.random() >= rule.rate:
                continue
            if rule.times is not None:
                rule.times -= 1
            hit.append(rule)
        return hit


def _app_state(value: str) -> AppState:
    if value not in ("approved", "in_review", "v7_only", "revoked"):
        raise ValueError(f"unknown app state {value!r}")
    return value  # type: ignore[return-value]
