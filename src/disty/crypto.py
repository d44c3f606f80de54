"""Secrets at rest: Fernet tokens under a list of keys (MultiFernet).

The first key of DISTY_SECRET_KEYS encrypts; every key decrypts, so a new key can be put first
and ``disty keys rotate`` then re-encrypts every stored secret under it before the old key is
dropped. Nothing here touches files or the database.

cryptography is imported only when a secret is encrypted or decrypted: a command that reads no
secret (``disty order show``, say) does not pay for loading it. Keys are checked when read, as
Fernet checks them, so a bad key is still refused at start-up.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from functools import cached_property
from typing import TYPE_CHECKING

from disty.errors import ConfigurationError, SecretKeyError

if TYPE_CHECKING:
    from cryptography.fernet import MultiFernet


def generate_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode("ascii")


def _check_key(key: bytes) -> bytes:
    """The key if Fernet would take it (32 url-safe base64 bytes), else ValueError."""
    try:
        decoded = base64.urlsafe_b64decode(key)
    except binascii.Error as error:  # a ValueError, as Fernet's own
        raise ValueError("not url-safe base64") from error
    if len(decoded) != 32:
        raise ValueError("not 32 bytes")
    return key


def parse_keys(raw: str) -> list[bytes]:
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
            keys.append(_check_key(part.encode("ascii")))
        except (ValueError, UnicodeEncodeError):
            raise ConfigurationError(
                f"key {position} of DISTY_SECRET_KEYS is not a Fernet key (32 url-safe base64 "
                "bytes): make one with: disty keys generate"
            ) from None
    return keys


class SecretBox:
    """Encrypts and decrypts secrets with the configured keys; the first key is current."""

    def __init__(self, keys: list[bytes], *, derivation_key: bytes | None = None) -> None:
        """``keys``: Fernet keys as parse_keys gives them, the current one first."""
        if not keys:
            raise ConfigurationError("no secret key configured: set DISTY_SECRET_KEYS")
        self._keys = list(keys)
        self._derivation_key = derivation_key

    @cached_property
    def _fernet(self) -> MultiFernet:
        from cryptography.fernet import Fernet, MultiFernet

        return MultiFernet([Fernet(key) for key in self._keys])

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
        from cryptography.fernet import InvalidToken

        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken:
            raise SecretKeyError(
                "a stored secret cannot be decrypted with DISTY_SECRET_KEYS: add the key it was "
                "encrypted with (keep old keys after the first until 'disty keys rotate' has run)"
            ) from None

    def rotate(self, token: str) -> str:
        """The same secret re-encrypted under the current key."""
        from cryptography.fernet import InvalidToken

        try:
            return self._fernet.rotate(token.encode("ascii")).decode("ascii")
        except InvalidToken:
            raise SecretKeyError(
                "a stored secret cannot be decrypted with DISTY_SECRET_KEYS, so it cannot be "
                "rotated: add the key it was encrypted with, then run 'disty keys rotate' again"
            ) from None
