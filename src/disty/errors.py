"""The one error tree of disty.

Every error a person can see derives from :class:`DistyError`; its message is one sentence that
says what failed and what to do next, safe to print (it never carries a secret)::

    DistyError
    ├── InvalidInput          a value was refused: bad shortcut, customer number, country id ...
    ├── NotFound              the named tenant or connection does not exist
    ├── ConfigurationError    settings are unsafe or incomplete (e.g. production without keys)
    ├── SecretKeyError        a stored secret cannot be decrypted with the configured keys
    └── ApiTypeNotAvailable   the connection's API type has no adapter yet

Supplier errors (authentication, rate limits, maintenance ...) join this tree under
``disty.suppliers.errors`` as subclasses of DistyError.
"""

from __future__ import annotations


class DistyError(Exception):
    """Base of every error disty reports to a person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InvalidInput(DistyError):
    """A value given by a person or a client was refused."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class Conflict(InvalidInput):
    """The request clashes with what exists: a PO number taken by another PO, or one being
    created or sent by another request at this moment."""


class NotFound(DistyError):
    """The named object does not exist (or is not visible to the caller)."""


class ConfigurationError(DistyError):
    """disty's own settings are missing, malformed or unsafe."""


class SecretKeyError(DistyError):
    """A stored secret cannot be decrypted with the keys in DISTY_SECRET_KEYS."""


class ApiTypeNotAvailable(DistyError):
    """The connection's API type (a supplier's legacy XML, say) has no adapter yet."""
