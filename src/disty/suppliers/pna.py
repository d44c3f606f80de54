"""Price and availability as every supplier adapter asks it, whatever its wire.

The caller's list is deduplicated (case-insensitively), cut into batches that all go out at
once (each client's limiter paces them), and answered in the caller's order. A part that looks
like the supplier's own part number is asked for as one first; if the supplier does not know
it, it is asked for again as a manufacturer part number before being called unknown. A batch
that fails marks only its own rows ERROR; the other batches keep their answers.

What differs between suppliers is a few rules (``PnaRules``) and how one batch is asked and
its rows matched to the asks (``AnswerBatch``): the adapter supplies both.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from disty.domain.offers import Offer, OfferStatus
from disty.suppliers.base import ProgressCallback
from disty.suppliers.errors import SupplierError

log = logging.getLogger(__name__)

UNREADABLE = "try again; if it persists, disty's log says what it could not read"


@dataclass(frozen=True, slots=True)
class Ask:
    """One product as it is asked of the supplier."""

    sku: str  # as the caller wrote it, trimmed
    kind: str  # which number ``value`` is, in the supplier's words (its own, or the mfr's)
    value: str  # what is sent


# Asks one batch; answers one offer per ask, in the batch's order. Raises SupplierError when
# the whole batch could not be asked.
AnswerBatch = Callable[[list[Ask]], Awaitable[list[Offer]]]


@dataclass(frozen=True, slots=True)
class PnaRules:
    supplier: str  # the supplier's key, on offers made here
    name: str  # its name as people write it, in errors
    batch_size: int  # products per call
    first_ask: Callable[[str], Ask]  # how a (trimmed, non-empty) SKU is asked for first
    retry_kind: str  # the kind a SKU unknown by the supplier's own number is asked again as
    # Which answers of that second ask replace the first "unknown": one supplier keeps only a
    # found product, another also keeps an error (the product may exist; "unknown" would lie).
    keep_retried: frozenset[OfferStatus]


async def price_and_availability(
    skus: Sequence[str],
    rules: PnaRules,
    answer: AnswerBatch,
    progress: ProgressCallback | None = None,
) -> list[Offer]:
    wanted: dict[str, Ask] = {}
    for sku in skus:
        value = sku.strip()
        key = value.upper()
        if key and key not in wanted:
            wanted[key] = rules.first_ask(value)
    results = await _ask_all(list(wanted.values()), rules, answer, progress)
    retry = [
        Ask(a.sku, rules.retry_kind, a.sku)
        for key, a in wanted.items()
        if a.kind != rules.retry_kind and results[key].status is OfferStatus.UNKNOWN
    ]
    if retry:
        # No progress here: these products were counted when first answered.
        second = await _ask_all(retry, rules, answer, None)
        for key, offer in second.items():
            if offer.status in rules.keep_retried:
                results[key] = offer
    now = datetime.now(UTC)
    offers: list[Offer] = []
    for sku in skus:
        if not sku.strip():
            offers.append(Offer(rules.supplier, sku, OfferStatus.UNKNOWN, now, message="empty SKU"))
            continue
        offer = results[sku.strip().upper()]
        # Every row carries the SKU as the caller wrote it (a duplicate in another spelling
        # too): callers match offers to what they asked by it.
        offers.append(replace(offer, sku=sku) if offer.sku != sku else offer)
    return offers


async def _ask_all(
    asks: list[Ask], rules: PnaRules, answer: AnswerBatch, progress: ProgressCallback | None
) -> dict[str, Offer]:
    size = rules.batch_size
    batches = [asks[i : i + size] for i in range(0, len(asks), size)]
    answered = await asyncio.gather(*(_ask_batch(b, rules, answer, progress) for b in batches))
    return {key: offer for batch in answered for key, offer in batch.items()}


async def _ask_batch(
    batch: list[Ask], rules: PnaRules, answer: AnswerBatch, progress: ProgressCallback | None
) -> dict[str, Offer]:
    try:
        offers = await answer(batch)
        if len(offers) != len(batch):
            raise ValueError(f"{len(offers)} offers for {len(batch)} products")
    except SupplierError as exc:
        # Only this batch's rows fail; the others keep their answers.
        offers = _failed(batch, rules, str(exc))
    except Exception:
        # An answer disty could not read (a distributor sending garbage its reader did not
        # expect, or a bug there): in full in the log for the operator, and only this batch's
        # rows fail, so neither the other batches nor the other suppliers lose their answers.
        log.exception("%s: a price and availability answer could not be read", rules.name)
        offers = _failed(batch, rules, f"disty could not read {rules.name}'s answer: {UNREADABLE}")
    if progress is not None:
        progress(len(batch))
    return {a.sku.upper(): offer for a, offer in zip(batch, offers, strict=True)}


def _failed(batch: list[Ask], rules: PnaRules, error: str) -> list[Offer]:
    failed_at = datetime.now(UTC)
    return [Offer(rules.supplier, a.sku, OfferStatus.ERROR, failed_at, error=error) for a in batch]
