"""Distributor adapters behind one protocol (base.py) and one error tree (errors.py)."""
