"""Provider-neutral types and rules. No I/O here, and no imports of db/, web/ or suppliers/."""
