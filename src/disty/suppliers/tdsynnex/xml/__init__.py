"""TD SYNNEX over EC Express XML: the client (wire rules) and the adapter (disty types)."""
