"""Ingram Micro's reseller REST API ("APIS"): client, adapter, error parsing, schemas.

disty reaches it only through ``REGISTRATION`` (suppliers/registry.py)."""

from disty.suppliers.ingram.registration import REGISTRATION

__all__ = ["REGISTRATION"]
