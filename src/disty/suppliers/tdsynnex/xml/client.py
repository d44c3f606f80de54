"""The TD SYNNEX EC Express XML client: one method per transaction, answering parsed elements.

The wire rules live here (NOTES 2): a raw XML document POSTed with the login inside it, an
answer that is HTTP 200 with an ``ErrorMessage``/``ErrorDetail`` body for business and
validation errors (Q1, Q2), any content type, element names read without regard to case.
Answers are parsed safely (suppliers/xml.py: a DTD, an entity or an external reference is
refused, never expanded). The password goes into the document only; it is never logged, and
no error repeats the document sent.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from xml.etree.ElementTree import Element, SubElement, tostring

import httpx

from disty.suppliers import xml as safe_xml
from disty.suppliers.errors import (
    AppNotApproved,
    AuthenticationFailed,
    RateLimited,
    RequestRejected,
    SupplierError,
    Unavailable,
)
from disty.suppliers.http import Clock, RetryPolicy, Sleep, retry_after, send
from disty.suppliers.oauth import TokenCache
from disty.suppliers.ratelimit import RateLimiter
from disty.suppliers.tdsynnex import consts
from disty.suppliers.xml import child, children, local, text

# Answers are refused past this while they are read (a 50-line P&A answer is a few hundred kB).
MAX_ANSWER_BYTES = 20 * 1024 * 1024
_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'  # as every sample starts (2.3)


@dataclass(frozen=True, slots=True)
class TdSynnexConfig:
    """One connection's settings, in plaintext; repr hides the password."""

    base_url: str
    customer_number: str
    user: str
    password: str
    country: str  # ISO code: US or CA
    ship_from_warehouse: str | None = None
    # The Partner REST API's optional client (NOTES 8.1); only Run Test uses it so far.
    rest_client_id: str | None = None
    rest_client_secret: str | None = None
    ship_method: str | None = None  # None: the country's default (consts.DEFAULT_SHIP_METHOD)

    def __repr__(self) -> str:
        return (
            f"TdSynnexConfig(base_url={self.base_url!r}, customer_number="
            f"{self.customer_number!r}, user={self.user!r}, country={self.country!r}, "
            f"rest_client_id={self.rest_client_id!r})"
        )


# -- reading answers ---------------------------------------------------------------------------


def parse(body: bytes, describe: str) -> Element:
    """The answer's root element, or Unavailable saying the answer was unreadable."""
    return safe_xml.parse(body, describe, "TD SYNNEX's XML team")


def raise_for_error(
    root: Element, describe: str, tags: tuple[str, str] = ("ErrorMessage", "ErrorDetail")
) -> None:
    """Raise the error tree's error for an ``ErrorMessage``/``ErrorDetail`` answer (under the
    root or one level below it, as PO answers nest them); return for anything else. ``tags``
    name the two elements: the invoice query says ``ErrorCode``/``ErrorReason`` (NOTES 7.1)."""
    message, reason = tags
    holder = root if child(root, message) is not None else None
    if holder is None:
        holder = next((c for c in root if child(c, message) is not None), None)
    if holder is None:
        return
    code = text(holder, message) or ""
    detail = text(holder, reason) or ""
    said = f"{code}: {detail}".strip(": ")
    if code == "Client.LoginFailed" or "login" in code.lower():
        raise AuthenticationFailed(
            f"{describe} refused the login ({code}): check the customer number, the EC Express "
            "XML user and its password (it may differ from the portal login), then test again",
            supplier_message=said,
        )
    if _ip_refused(code):
        # No supplier_message: what a person is shown of it (a failed PO's reason) is then
        # this whole message, TD SYNNEX's words with the fix, not the words alone.
        raise AppNotApproved(
            f"{describe} refused this server's IP address ({said}). {consts.IP_FIX}"
        )
    if code.startswith("Server") or code == "ServerError":
        raise Unavailable(
            f"{describe} could not answer now ({said}): try again in a few minutes",
            supplier_message=said,
        )
    raise RequestRejected(f"{describe} refused the request ({said})", supplier_message=said)


def _ip_refused(code: str) -> bool:
    """NOTES 4.5: the real "IP Address Invalid", and Appendix D's "ValidateIP" / "IP Address
    has not been Validated", in any case and spacing."""
    squeezed = "".join(code.lower().split())
    return squeezed in ("ipaddressinvalid", "validateip", "ipaddresshasnotbeenvalidated")


def classify(response: httpx.Response) -> SupplierError:
    """A non-2xx answer: NOTES 2.3 says clients treat them as transport failures."""
    status = response.status_code
    describe = (
        f"TD SYNNEX at {response.request.url.scheme}://{response.request.url.netloc.decode()}"
    )
    if status == 429:
        return RateLimited(
            f"{describe} asks disty to slow down (429)",
            retry_after=retry_after(response),
            status=status,
        )
    if status in (401, 403):
        return AuthenticationFailed(
            f"{describe} refused the call ({status}): check the login and that TD SYNNEX has "
            "registered this server's IP address",
            status=status,
        )
    if status >= 500:
        return Unavailable(f"{describe} is unavailable ({status}): try again later", status=status)
    return RequestRejected(
        f"{describe} refused the call ({status}): check the base URL", status=status
    )


# -- the client --------------------------------------------------------------------------------


class TdSynnexClient:
    def __init__(
        self,
        config: TdSynnexConfig,
        *,
        http: httpx.AsyncClient,
        tokens: TokenCache,
        limiter: RateLimiter,
        policy: RetryPolicy,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = time.monotonic,
    ) -> None:
        del tokens, limiter  # EC Express XML has no tokens and no published rate limit
        self.config = config
        self._http = http
        self._policy = policy
        self._sleep = sleep
        self._clock = clock
        self.describe = f"{consts.NAME} at {config.base_url}"
        self._pna = asyncio.Semaphore(consts.PNA_CONCURRENCY)

    async def _post(
        self, path: str, document: Element, *, safe: bool, base_url: str | None = None
    ) -> Element:
        body = (_DECLARATION + tostring(document, encoding="unicode")).encode("utf-8")

        async def build() -> httpx.Request:
            return self._http.build_request(
                "POST",
                (base_url or self.config.base_url) + path,
                content=body,
                headers={"Content-Type": "application/xml; charset=utf-8"},
            )

        response = await send(
            self._http,
            build,
            safe=safe,
            policy=self._policy,
            classify=classify,
            describe=self.describe,
            supplier=consts.KEY,
            sleep=self._sleep,
            clock=self._clock,
            max_bytes=MAX_ANSWER_BYTES,
        )
        root = parse(response.content, self.describe)
        raise_for_error(root, self.describe)
        return root

    async def price_and_availability(self, lines: list[tuple[str, str]]) -> list[Element]:
        """The ``PriceAvailabilityList`` rows for ``lines`` ((``synnexSKU`` or ``mfgPN``,
        value), numbered from 1 as ``lineNumber``), in the order TD SYNNEX sent them."""
        document = Element("priceRequest", {"version": "2.1"})
        SubElement(document, "customerNo").text = self.config.customer_number
        SubElement(document, "userName").text = self.config.user
        SubElement(document, "password").text = self.config.password
        for number, (kind, value) in enumerate(lines, start=1):
            line = SubElement(document, "skuList")
            SubElement(line, kind).text = value
            SubElement(line, "lineNumber").text = str(number)
        async with self._pna:
            root = await self._post(consts.PNA_PATH, document, safe=True)
        if local(root.tag) != "priceresponse":
            raise Unavailable(
                f"{self.describe} answered price and availability with <{root.tag}>, not "
                "<priceResponse>: check the base URL"
            )
        return children(root, "PriceAvailabilityList")

    async def b2b(
        self,
        path: str,
        transaction: Element,
        *,
        safe: bool,
        version: str | None = None,
        base_url: str | None = None,
    ) -> Element:
        """Send ``transaction`` (``OrderRequest``, ``OrderStatusRequest``...) in the
        ``SynnexB2B`` envelope with the login in ``Credential`` (NOTES 2.4), and answer the
        root of TD SYNNEX's reply once it is known not to be an error. ``safe`` says whether
        the transport may send it again after a lost answer: never for a PO. ``base_url``
        names another host of the same account (the invoice query's ``ws`` host)."""
        document = Element("SynnexB2B", {"version": version} if version else {})
        credential = SubElement(document, "Credential")
        SubElement(credential, "UserID").text = self.config.user
        SubElement(credential, "Password").text = self.config.password
        document.append(transaction)
        return await self._post(path, document, safe=safe, base_url=base_url)
