"""The supplier error tree: what can go wrong when disty talks to a distributor.

Every adapter raises only these (or disty.errors.ApiTypeNotAvailable), whatever the
distributor's own error shape; each keeps the distributor's message and HTTP status::

    SupplierError (DistyError)
    ├── AuthenticationFailed     wrong client id / secret, or the token was refused
    ├── AppNotApproved           the app is In Review, revoked, or not subscribed to this API
    ├── BadCustomerNumber        customer number or country not accepted for this app
    ├── RequestRejected          the distributor refused the request; field_errors say why
    ├── NotFound                 no such product / order / invoice
    ├── RateLimited              429; retry_after says when to try again
    ├── Unavailable              5xx or unreachable
    │   └── Maintenance          the distributor's maintenance window
    └── Timeout                  no answer in time (the request may still have been processed)
"""

from __future__ import annotations

from dataclasses import dataclass

from disty.errors import DistyError


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str
    message: str
    value: str | None = None


class SupplierError(DistyError):
    retryable = False

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        supplier_message: str | None = None,
        correlation_id: str | None = None,
        console: str | None = None,
    ) -> None:
        super().__init__(message, console=console)
        self.status = status
        self.supplier_message = supplier_message
        self.correlation_id = correlation_id


class AuthenticationFailed(SupplierError):
    pass


class AppNotApproved(SupplierError):
    pass


class BadCustomerNumber(SupplierError):
    pass


class RequestRejected(SupplierError):
    def __init__(
        self, message: str, *, field_errors: tuple[FieldError, ...] = (), **kwargs: object
    ) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.field_errors = field_errors


class NotFound(SupplierError):
    pass


class RateLimited(SupplierError):
    retryable = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.retry_after = retry_after


class Unavailable(SupplierError):
    retryable = True


class Maintenance(Unavailable):
    pass


class Timeout(SupplierError):
    retryable = True
