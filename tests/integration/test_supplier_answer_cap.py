"""An answer larger than any disty asks for is refused before it is all in memory, its
decompressed bytes counted: a distributor (or anything posing as one) cannot make disty hold
gigabytes by sending a small gzip bomb. Every supplier's calls go through this one layer."""

from __future__ import annotations

import gzip
import json

import httpx
import pytest

from disty.suppliers.errors import SupplierError, Unavailable
from disty.suppliers.http import MAX_ANSWER_BYTES, RetryPolicy, send

MIB = 1024 * 1024


def _classify(response: httpx.Response) -> SupplierError:
    return Unavailable(f"status {response.status_code}")


def _server(body: bytes, *, gzipped: bool, calls: list[int]) -> httpx.AsyncClient:
    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        headers = {"content-type": "application/json"}
        if gzipped:
            headers["content-encoding"] = "gzip"
        return httpx.Response(200, headers=headers, content=body)

    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


async def _get(client: httpx.AsyncClient, *, safe: bool, max_bytes: int = MAX_ANSWER_BYTES):  # type: ignore[no-untyped-def]
    async def build() -> httpx.Request:
        return client.build_request("GET", "https://distributor.example/answer")

    return await send(
        client, build, safe=safe, policy=RetryPolicy(base_delay_s=0), classify=_classify,
        describe="Distributor at https://distributor.example", supplier="test", max_bytes=max_bytes,
    )  # fmt: skip


async def test_a_gzip_bomb_is_refused_by_its_unpacked_size_and_not_asked_again() -> None:
    bomb = gzip.compress(b"0" * (MAX_ANSWER_BYTES + MIB))  # about 33 kB on the wire
    assert len(bomb) < MIB
    calls: list[int] = []
    async with _server(bomb, gzipped=True, calls=calls) as client:
        with pytest.raises(Unavailable, match="more than 32 MiB, more than any answer") as err:
            await _get(client, safe=True)
    assert len(calls) == 1  # a bigger answer will not shrink on a second ask
    assert "may still have been processed" not in str(err.value)


async def test_an_order_answered_too_large_may_have_landed() -> None:
    calls: list[int] = []
    async with _server(b"x" * (2 * MIB), gzipped=False, calls=calls) as client:
        with pytest.raises(Unavailable, match="may still have been processed"):
            await _get(client, safe=False, max_bytes=MIB)


async def test_an_answer_within_the_cap_reads_as_sent_gzip_or_not() -> None:
    payload = {"products": [{"sku": str(n)} for n in range(2000)]}
    raw = json.dumps(payload).encode()
    for body, gzipped in ((raw, False), (gzip.compress(raw), True)):
        async with _server(body, gzipped=gzipped, calls=[]) as client:
            response = await _get(client, safe=True)
        assert response.json() == payload
        assert "content-encoding" not in response.headers  # read once, not decoded twice
