"""What a supplier with webhooks tells disty's one webhook intake: its webhook codec.

The intake (services/webhooks/ and the receiver in web/) is the same for every supplier; the
codec is the supplier's part of it: the header its signatures arrive in and the words an admin
reads in Run Test's webhook checks.
"""

from __future__ import annotations

from typing import Protocol


class WebhookCodec(Protocol):
    @property
    def signature_header(self) -> str:
        """The HTTP header a delivery's signature(s) arrive in."""
        ...

    @property
    def key_fix(self) -> str:
        """How an admin gets the webhook's signing key into disty (Run Test's fix)."""
        ...

    @property
    def test_delivery_fix(self) -> str:
        """How an admin makes the supplier send a delivery now, to see it arrive."""
        ...

    @property
    def stale_key_fix(self) -> str:
        """What to do when deliveries carry a signature that matches no saved key."""
        ...
