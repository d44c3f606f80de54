"""One invoice file as TD SYNNEX drops it on the customer's FTP/SFTP folder (NOTES 7.2)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class InvoiceFile:
    name: str
    body: bytes
    written_at: float  # the invoice's time on the simulator's clock
