"""How often and how long disty retries a call to a distributor (suppliers/http.py sends).

Apart from http.py so that the settings and the runtime can read it without importing the
HTTP client: a command that never calls a distributor does not load it (cli/__init__.py).
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 4  # for safe calls; unsafe calls get exactly one
    base_delay_s: float = 0.5
    max_delay_s: float = 8.0
    # Longest wait disty accepts from Retry-After / X-RateLimit-Reset before giving up waiting
    # and surfacing the RateLimited error instead.
    max_wait_s: float = 60.0
    # The most one call may take, every attempt and every wait between them included.
    deadline_s: float = 60.0

    def backoff(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(max, base * 2**attempt)] (attempt counts from 0)."""
        return random.uniform(0, min(self.max_delay_s, self.base_delay_s * 2**attempt))  # noqa: S311


def worst_send_s(timeout_s: float, policy: RetryPolicy | None = None) -> float:
    """The longest one order send can take when every wait runs out: a token fetched first
    (a safe call, so each attempt may time out, with the longest backoffs between), then the
    order itself (sent once). A PO's send lease must outlast it."""
    policy = policy or RetryPolicy()
    backoffs = sum(
        (min(policy.max_delay_s, policy.base_delay_s * 2**n) for n in range(policy.attempts - 1)),
        0.0,
    )
    return policy.attempts * timeout_s + backoffs + timeout_s
