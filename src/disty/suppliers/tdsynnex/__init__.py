"""TD SYNNEX's EC Express XML interface: client, adapter, settings.

disty reaches it only through ``REGISTRATION`` (suppliers/registry.py)."""

from disty.suppliers.tdsynnex.registration import REGISTRATION

__all__ = ["REGISTRATION"]
