"""Ingram Micro's reseller REST API ("APIS"): client, adapter, Run Test checks, error parsing,
order and document bodies, schemas. Its XML API (IM-XML) sits beside it in ``xml/``."""
