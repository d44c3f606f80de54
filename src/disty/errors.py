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

The CLI speaks of commands and options, the web console of pages, buttons and fields: an
error whose next step names one of them carries both wordings, ``message`` (the CLI's and the
API's) and ``console_message`` (the console's, where it differs). The logic stays one.
"""

from __future__ import annotations


class DistyError(Exception):
    """Base of every error disty reports to a person."""

    console_message: str | None = None  # the same sentence as the web console says it

    def __init__(self, message: str, *, console: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if console is not None:
            self.console_message = console

    def __str__(self) -> str:
        return self.message


class InvalidInput(DistyError):
    """A value given by a person or a client was refused."""

    def __init__(
        self, message: str, *, field: str | None = None, console: str | None = None
    ) -> None:
        super().__init__(message, console=console)
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
