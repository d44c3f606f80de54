"""Who may call the Partner REST API: the OAuth2 client, its tokens, its rate limit and its
GetPriceAvailability entitlement (NOTES 8.1, 8.4, 8.5).

Kept apart from ``TdState``'s EC Express login: TD SYNNEX issues REST client credentials
separately (My Account → Client Credentials). Tokens live on the simulator's clock.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from disty.simulator.config import SimulatorConfig
from disty.simulator.ingram.ratelimit import RateLimiter

TOKEN_TTL_S = 7200  # NOTES 8.1: every client sees "expires_in": 7200


@dataclass
class RestAccess:
    client_id: str
    client_secret: str
    pna_entitled: bool  # GetPriceAvailability, disputed (8.4): a switch, per client
    per_minute: int
    tokens: dict[str, tuple[str, float]] = field(default_factory=dict)  # token: (client, expiry)
    limiter: RateLimiter = field(default_factory=RateLimiter)

    @classmethod
    def from_config(cls, config: SimulatorConfig) -> RestAccess:
        return cls(
            config.tdsynnex_rest_client_id,
            config.tdsynnex_rest_client_secret,
            config.tdsynnex_rest_pna,
            config.tdsynnex_rest_per_minute,
        )

    def reset(self, config: SimulatorConfig) -> None:
        """Back to the configured client, switch and limit, no tokens (``/_control/reset``)."""
        fresh = RestAccess.from_config(config)
        self.client_id, self.client_secret = fresh.client_id, fresh.client_secret
        self.pna_entitled, self.per_minute = fresh.pna_entitled, fresh.per_minute
        self.tokens.clear()
        self.limiter.clear()

    def authenticate(self, client_id: str, client_secret: str) -> bool:
        same_id = secrets.compare_digest(client_id.encode(), self.client_id.encode())
        return (
            secrets.compare_digest(client_secret.encode(), self.client_secret.encode()) and same_id
        )

    def issue(self, now: float) -> str:
        # Tokens expired a lifetime ago are dropped as new ones are issued (the map stays
        # small); a recently expired one is still told apart from a made-up one.
        self.tokens = {t: v for t, v in self.tokens.items() if v[1] > now - TOKEN_TTL_S}
        token = secrets.token_urlsafe(32)
        self.tokens[token] = (self.client_id, now + TOKEN_TTL_S)
        return token

    def holder(self, token: str, now: float) -> tuple[str | None, bool]:
        """(the client the token was issued to or None, whether it has expired)."""
        found = self.tokens.get(token)
        if found is None:
            return None, False
        return found[0], found[1] <= now
