"""Ingram Micro's reseller REST API ("APIS"): client, adapter, error parsing, schemas."""

from disty.suppliers.ingram.adapter import IngramSupplier
from disty.suppliers.ingram.client import IngramClient, IngramConfig

__all__ = ["IngramClient", "IngramConfig", "IngramSupplier"]
