"""Secrets at rest: Fernet tokens under a list of keys (MultiFernet).

The first key of DISTY_SECRET_KEYS encrypts; every key decrypts, so a new key can be put first
and ``disty keys rotate`` then re-encrypts every stored secret under it before the old key is
dropped. Nothing here touches files or the database.
"""

from __future__ import annotations

import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from disty.errors import ConfigurationError, SecretKeyError


def generate_key() -> str:
    return Fernet.generate_key().decode("ascii")


def parse_keys(raw: str) -> list[Fernet]:
    """Keys from a comma-separated string; the message names a bad key by position only."""
    parts = [part.strip() for part in raw.split(",") if part.strip()]
    if not parts:
        raise ConfigurationError(
            "DISTY_SECRET_KEYS is empty: set it to one or more Fernet keys separated by commas "
            "(make one with: disty keys generate)"
        )
    keys = []
    for position, part in enumerate(parts, start=1):
        try:
            keys.append(Fernet(part.encode("ascii")))
        except (ValueError, UnicodeEncodeError):
            raise ConfigurationError(
                f"key {position} of DISTY_SECRET_KEYS is not a Fernet key (32 url-safe base64 "
                "bytes): make one with: disty keys generate"
            ) from None
    return keys


class SecretBox:
    """Encrypts and decrypts secrets with the configured keys; the first key is current."""

    def __init__(self, keys: list[Fernet], *, derivation_key: bytes | None = None) -> None:
        if not keys:
            raise ConfigurationError("no secret key configured: set DISTY_SECRET_KEYS")
        self._fernet = MultiFernet(keys)
        self._derivation_key = derivation_key

    @classmethod
    def from_string(cls, raw: str) -> SecretBox:
        """The box for DISTY_SECRET_KEYS's value; its first key also seeds derived keys."""
        keys = parse_keys(raw)
        first = raw.split(",")[0].strip().encode("ascii")
        return cls(keys, derivation_key=first)

    def derive(self, purpose: str) -> bytes:
        """A key for one purpose (signing cookies, say), derived from the current key, so no
        other secret needs keeping; a new first key changes it, as it should."""
        if self._derivation_key is None:
            raise ConfigurationError("this secret box was made without a key to derive from")
        return hmac.new(self._derivation_key, purpose.encode(), hashlib.sha256).digest()

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken:
            raise SecretKeyError(
                "a stored secret cannot be decrypted with DISTY_SECRET_KEYS: add the key it was "
                "encrypted with (keep old keys after the first until 'disty keys rotate' has run)"
            ) from None

    def rotate(self, token: str) -> str:
        """The same secret re-encrypted under the current key."""
        try:
            return self._fernet.rotate(token.encode("ascii")).decode("ascii")
        except InvalidToken:
            raise SecretKeyError(
                "a stored secret cannot be decrypted with DISTY_SECRET_KEYS, so it cannot be "
                "rotated: add the key it was encrypted with, then run 'disty keys rotate' again"
            ) from None
