"""A supplier's set-up guide, in neutral terms: the steps an admin follows to connect a
supplier, each ticking itself as disty sees it done.

A supplier package writes its own steps (its portal's words) as a function of
:class:`SetupState`; services build the state from a connection and its webhook health.
The state is plain data rather than the services' ConnectionView and WebhookHealth because
supplier packages may not import services (an import-linter contract): this module is where
both sides meet.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class SetupState:
    """What disty knows of one connection's set-up (all empty before it is saved)."""

    saved: frozenset[str] = frozenset()  # the declared settings saved, by name
    checks: Mapping[str, str] = field(default_factory=dict)  # last Run Test: name -> status
    webhook_keys: int = 0  # signing keys saved (current or in their grace period)
    last_delivery_at: datetime | None = None  # the last delivery whose signature verified
    destination_url: str | None = None  # where the supplier delivers webhooks
    # POs sent through this connection that the supplier accepted (it gave an order number),
    # and invoices it sent for them: evidence of steps no Run Test check can see.
    orders_placed: int = 0
    invoices_received: int = 0

    def passed(self, check: str) -> bool:
        return self.checks.get(check) == "pass"


@dataclass(frozen=True, slots=True)
class GuideStep:
    title: str
    explain: str
    done: bool
    copy: str | None = None  # a value to copy, shown with a copy button
