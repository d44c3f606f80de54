"""Every distributor disty knows, and what the rest of disty needs to know about each.

A supplier package (``suppliers/<name>/``) declares one :class:`Registration`: its key and
display name, the countries it serves, its own endpoints, its connection settings (the fields
an admin fills in, secret or not, with their validators), its API types with the adapter
factory for each, its capabilities, the names of its Run Test checks, its webhook codec where
it has webhooks, and the set-up steps the console shows. The middle of disty (services, web,
CLI, jobs) asks this module, never a package, so adding a distributor is adding a package and
one line to suppliers/__init__.py's ``PACKAGES``. A package is imported the first time a
registration is asked for: knowing the default supplier's key (a command line's default,
``disty.suppliers.default_key``) imports none, nor this module.

This is the only module outside the packages that imports them (an import-linter contract in
.ci/run keeps it so).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from disty.domain.connections import ApiType, mask, validate_secret, validate_text
from disty.errors import ApiTypeNotAvailable, InvalidInput
from disty.formatting import humanize
from disty.suppliers import PACKAGES
from disty.suppliers.base import Capability

if TYPE_CHECKING:
    from disty.config import Settings
    from disty.domain.guide import GuideStep, SetupState
    from disty.suppliers.base import Supplier
    from disty.suppliers.hub import SupplierHub
    from disty.suppliers.ship_notices import ShipNoticeCodec
    from disty.suppliers.webhooks import WebhookCodec


NO_CAPABILITY = Capability(0)
EVERY_CAPABILITY = ~NO_CAPABILITY


@dataclass(frozen=True, slots=True)
class Setting:
    """One connection setting a supplier needs, as an admin fills it in.

    ``name`` is the key everywhere: the stored settings, the API's field, ``--name`` on the
    CLI (unless ``flag`` says otherwise) and the console's form field. Secrets are stored
    encrypted, accepted but never shown back except masked (``••••`` and their last 4)."""

    name: str
    label: str  # as a person names it: "client secret"
    help: str  # one line: where to find it
    secret: bool = False
    # Which calls need it: EVERY_CAPABILITY for credentials, NO_CAPABILITY for an optional one.
    required_for: Capability = NO_CAPABILITY
    # The API types that use it (empty: all of them).
    api_types: frozenset[ApiType] = frozenset()
    max_len: int = 200
    validate: Callable[[str], str] | None = None  # None: one printable line of max_len
    flag: str | None = None  # the CLI option, when it is not --<name with dashes>
    example: str | None = None

    @property
    def cli_flag(self) -> str:
        return self.flag or "--" + self.name.replace("_", "-")

    def clean(self, value: str) -> str:
        """The value to store, or InvalidInput naming the field (never repeating a secret)."""
        if self.secret:
            return validate_secret(value, label=self.label, field=self.name)
        if self.validate is not None:
            return self.validate(value)
        return validate_text(value, field=self.name, label=self.label, max_len=self.max_len)

    def applies_to(self, api_type: ApiType) -> bool:
        return not self.api_types or api_type in self.api_types


class AdapterFactory(Protocol):
    def __call__(
        self, connection: ConnectionSettings, hub: SupplierHub, settings: Settings
    ) -> Supplier: ...


@dataclass(frozen=True)
class ConnectionSettings:
    """One connection's plaintext settings, for its adapter factory. Never printed whole: its
    repr masks the secrets."""

    supplier: str
    api_type: ApiType
    base_url: str
    country_id: int
    country_iso: str
    values: Mapping[str, str]  # every saved setting by name, secrets decrypted
    secrets: frozenset[str] = frozenset()

    def get(self, name: str) -> str | None:
        return self.values.get(name)

    def require(self, name: str) -> str:
        """A setting the registration marks required; Run Test and ``adapter_for`` refuse a
        connection that lacks one before any factory runs."""
        value = self.values.get(name)
        if value is None:  # pragma: no cover - refused before the factory is called
            raise InvalidInput(f"the connection has no {name} saved", field=name)
        return value

    def __repr__(self) -> str:
        shown = {k: (mask(v) if k in self.secrets else v) for k, v in self.values.items()}
        return (
            f"ConnectionSettings(supplier={self.supplier!r}, api_type={self.api_type.value!r}, "
            f"base_url={self.base_url!r}, country={self.country_iso!r}, values={shown!r})"
        )


# Run Test's checks that disty makes itself, whatever the supplier (services/run_test.py).
HUB_CHECK_TITLES: Mapping[str, str] = {
    "api_type": "API type",
    "base_url": "Base URL",
    "webhook_key": "Webhook key",
    "webhook_seen": "Webhook deliveries arriving",
}

# What a connection itself is called by (its view, its changes, the CLI's fixed options).
RESERVED_NAMES = frozenset(
    {
        "api_type", "api_type_label", "base_url", "country", "country_id", "created_at",
        "currency", "last_test_at", "last_test_result", "supplier", "supplier_name", "tenant",
        "updated_at", "values", "webhook_key", "webhook_keys", "webhook_label", "webhook_url",
    }
)  # fmt: skip
_KEY = re.compile(r"[a-z][a-z0-9]{1,31}")
_SETTING_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")


@dataclass(frozen=True)
class Registration:
    key: str  # "ingram": in URLs, the CLI and the database; never changes
    name: str  # "Ingram Micro"
    countries: tuple[int, ...]  # disty country ids it serves
    # Its own https endpoints, production first: the only base URLs a tenant may give a
    # connection (suppliers/endpoints.py); anything else is the operator's choice.
    endpoints: tuple[str, ...]
    settings: tuple[Setting, ...]
    adapters: Mapping[ApiType, AdapterFactory]  # the API types disty can use today
    api_types: Mapping[ApiType, str]  # every API type the supplier offers -> its own label
    capabilities: Capability
    # Run Test's checks that talk to the supplier, in order: (name, required). The first is
    # the credentials check, which a connection with settings missing fails without a call.
    checks: tuple[tuple[str, bool], ...]
    credentials_fix: str  # where an admin finds the missing settings
    webhooks: WebhookCodec | None = None
    # Files the supplier drops saying what it shipped (read by the worker from a folder a
    # connection setting names); None: it drops none.
    ship_notices: ShipNoticeCodec | None = None
    # Order APIs an admin may choose per PO, the default first ("v6", "v7" for Ingram); a
    # supplier with one order API leaves this empty.
    order_apis: tuple[str, ...] = ()
    quote_order_api: str | None = None  # the order API that orders a quote
    # The steps the console shows an admin setting up a connection, ticking as disty sees
    # each done. It takes plain data (domain/guide.py), not the services' ConnectionView and
    # WebhookHealth: supplier packages may not import services.
    setup_guide: Callable[[SetupState], list[GuideStep]] | None = None
    # The Run Test check that fails while the supplier still reviews the account (the
    # dashboard then says "in review" rather than "failing"); None: no such review.
    review_check: str | None = None
    # When a placed order may still be modified, released or cancelled: told to a person whose
    # change the supplier refused.
    # Whether an order may ship to an address stored at the supplier, named only by its id.
    stored_addresses: bool = True
    hold_rule: str = (
        "The supplier modifies, releases or cancels an order only while it is on customer hold"
    )
    # Its own limits on a PO's ship-to and end-user address fields, where stricter than
    # disty's (Address field -> most characters): checked before a PO is saved.
    address_limits: Mapping[str, int] = field(default_factory=dict)
    # Run Test's checks as a person reads them (check name -> title: "price_availability" ->
    # "Price and availability"); the hub's own checks are titled in HUB_CHECK_TITLES.
    check_titles: Mapping[str, str] = field(default_factory=dict)
    # The supplier's webhook event types as a person reads them ("im::order_invoiced" ->
    # "Order invoiced"); an event type missing here is shown in words made from its name.
    event_labels: Mapping[str, str] = field(default_factory=dict)
    # Run Test's checks of an API type whose checks differ from ``checks`` (another transport
    # with other transactions); an API type missing here runs ``checks``.
    api_checks: Mapping[ApiType, tuple[tuple[str, bool], ...]] = field(default_factory=dict)
    # What an API type can do where it is less than ``capabilities`` (the supplier's best);
    # its adapter's ``capabilities`` and optional parts say the same.
    api_capabilities: Mapping[ApiType, Capability] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # A setting's name becomes a stored key, an API field, a form field and a CLI option
        # beside the connection's own: a second one, or one of those, would overwrite it.
        names = [s.name for s in self.settings]
        if not _KEY.fullmatch(self.key):
            raise ValueError(f"supplier key {self.key!r}: use lowercase letters and digits")
        for name in names:
            if not _SETTING_NAME.fullmatch(name) or name in RESERVED_NAMES:
                raise ValueError(f"{self.key}: {name!r} cannot name a setting")
        if len(set(names)) != len(names):
            raise ValueError(f"{self.key}: a setting is declared twice")
        if not self.endpoints or not self.adapters:
            raise ValueError(f"{self.key}: declare at least one endpoint and one adapter")

    @property
    def default_base_url(self) -> str:
        return self.endpoints[0]

    @property
    def default_api_type(self) -> ApiType:
        return next(iter(self.adapters))

    def capabilities_for(self, api_type: ApiType) -> Capability:
        return self.api_capabilities.get(api_type, self.capabilities)

    def checks_for(self, api_type: ApiType) -> tuple[tuple[str, bool], ...]:
        """Run Test's checks that talk to the supplier over this API type, in order."""
        return self.api_checks.get(api_type, self.checks)

    def setting(self, name: str) -> Setting:
        for declared in self.settings:
            if declared.name == name:
                return declared
        known = ", ".join(s.name for s in self.settings)
        raise InvalidInput(f"{self.name} has no setting {name!r}: use {known}", field=name)

    def check_title(self, name: str) -> str:
        """A Run Test check's title, for the console and the CLI's table."""
        return self.check_titles.get(name) or HUB_CHECK_TITLES.get(name) or humanize(name)

    def event_label(self, event_type: str) -> str:
        """A webhook event type as a person reads it."""
        return self.event_labels.get(event_type) or humanize(event_type)

    def api_type_label(self, api_type: ApiType) -> str:
        return self.api_types.get(api_type, api_type.value)

    def parse_api_type(self, value: str) -> ApiType:
        choices = ", ".join(f"{t.value} ({label})" for t, label in self.api_types.items())
        try:
            api_type = ApiType(value.strip().lower())
        except ValueError:
            api_type = None
        if api_type is None or api_type not in self.api_types:
            raise InvalidInput(
                f"unknown API type {value!r} for {self.name}: use {choices}", field="api_type"
            )
        return api_type

    def factory(self, api_type: ApiType) -> AdapterFactory:
        """The adapter factory for an API type, or ApiTypeNotAvailable saying what to pick."""
        try:
            return self.adapters[api_type]
        except KeyError:
            usable = " or ".join(self.api_type_label(t) for t in self.adapters)
            raise ApiTypeNotAvailable(
                f"the {self.api_type_label(api_type)} API type is not available yet: "
                f"switch to {usable}"
            ) from None

    def missing(
        self,
        api_type: ApiType,
        saved: Collection[str],
        need: Capability = EVERY_CAPABILITY,
        *,
        console: bool = False,
    ) -> list[str]:
        """The settings still to save (``saved`` names those saved) before calls needing
        ``need`` can be made, as a person names them (label and CLI flag; the label alone for
        the console, whose form shows it)."""
        return [
            s.label if console else f"{s.label} ({s.cli_flag})"
            for s in self.settings
            if s.applies_to(api_type) and s.required_for & need and s.name not in saved
        ]


_registry: dict[str, Registration] = {}
_loaded = False


def _load() -> dict[str, Registration]:
    global _loaded
    if not _loaded:
        for key in PACKAGES:
            package = importlib.import_module(f"disty.suppliers.{key}")
            registration: Registration = package.REGISTRATION
            if registration.key != key:  # default_key() reads the key off the package's name
                raise ValueError(f"suppliers/{key}/ registers {registration.key!r}: name it {key}")
            _registry.setdefault(key, registration)
        _loaded = True
    return _registry


def register(registration: Registration) -> None:
    """Add a supplier from outside disty's own packages (a plug-in, or a test's own fake)."""
    registry = _load()
    if registration.key in registry and registry[registration.key] is not registration:
        raise ValueError(f"a supplier {registration.key!r} is registered already")
    registry[registration.key] = registration


def unregister(key: str) -> None:
    """Remove a supplier added with :func:`register` (tests clean up with it)."""
    _load().pop(key, None)


def registrations() -> tuple[Registration, ...]:
    return tuple(_load().values())


def keys() -> tuple[str, ...]:
    return tuple(_load())


def get(key: str) -> Registration:
    """The registration for a supplier key, or InvalidInput listing the known ones."""
    registry = _load()
    try:
        return registry[key]
    except KeyError:
        known = ", ".join(registry)
        raise InvalidInput(f"unknown supplier {key!r}: use {known}", field="supplier") from None


def with_webhooks() -> tuple[Registration, ...]:
    return tuple(r for r in _load().values() if r.webhooks is not None)


def with_ship_notices() -> tuple[Registration, ...]:
    return tuple(r for r in _load().values() if r.ship_notices is not None)
