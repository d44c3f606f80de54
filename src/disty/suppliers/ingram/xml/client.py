"""The IM-XML client (../shared/ingram/XML-NOTES.md): one document POSTed per transaction to
one URL, the login inside its ``TransactionHeader``; the answer is HTTP 200 whatever happened.

Errors travel in the answer: ``TransactionHeader/ErrorStatus@ErrorNumber`` (20007 bad login,
20002 transaction not enabled for the login, 20086/20035 order not found; 3.5) or, for a
document that failed Ingram's schema validation, a bare ``<ERROR Number=...>`` (3.4). Requests
are declared ISO-8859-1, the encoding Ingram answers in; a character outside it is sent as a
character reference, so nothing is lost. Answers are parsed safely (suppliers/xml.py). The
password goes into the document only: never logged, never repeated by an error.
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
    NotFound,
    RateLimited,
    RequestRejected,
    SupplierError,
    Unavailable,
)
from disty.suppliers.http import Clock, RetryPolicy, Sleep, retry_after, send
from disty.suppliers.ingram import consts
from disty.suppliers.oauth import TokenCache
from disty.suppliers.ratelimit import RateLimiter
from disty.suppliers.xml import child, local, text

MAX_ANSWER_BYTES = 10 * 1024 * 1024
_DECLARATION = b'<?xml version="1.0" encoding="ISO-8859-1"?>\n'
# IM-XML's own country codes (XML-NOTES 3.1: MD is the USA, FT Canada).
COUNTRY_CODES = {"US": "MD", "CA": "FT"}
TEAM = "Ingram Micro's e-commerce (IM-XML) team"

BAD_LOGIN = "20007"
NOT_ENTITLED = "20002"
NOT_FOUND = frozenset({"20086", "20035"})


@dataclass(frozen=True, slots=True)
class IngramXmlConfig:
    """One connection's IM-XML settings, in plaintext; repr hides the password."""

    base_url: str  # the host; documents go to <base_url>/mustang
    login_id: str
    password: str
    country: str  # ISO: US or CA
    sender_id: str = "DISTY"

    @property
    def country_code(self) -> str:
        return COUNTRY_CODES.get(self.country, self.country)

    def __repr__(self) -> str:
        return (
            f"IngramXmlConfig(base_url={self.base_url!r}, login_id={self.login_id!r}, "
            f"country={self.country!r})"
        )


def add(parent: Element, tag: str, value: object = None) -> Element:
    element = SubElement(parent, tag)
    if value is not None:
        element.text = str(value)
    return element


def classify(response: httpx.Response) -> SupplierError:
    """A non-200 answer: IM-XML answers 200 to everything it processed (XML-NOTES Q3)."""
    status = response.status_code
    describe = (
        f"{consts.NAME} at {response.request.url.scheme}://{response.request.url.netloc.decode()}"
    )
    if status == 429:
        return RateLimited(
            f"{describe} asks disty to slow down (429)",
            retry_after=retry_after(response),
            status=status,
        )
    if status >= 500:
        return Unavailable(
            f"{describe} is unavailable ({status}): IM-XML is down while Ingram's mainframe is "
            f"({consts.MAINTENANCE_HINT}); try again later",
            status=status,
        )
    return RequestRejected(
        f"{describe} refused the call ({status}): check the base URL (IM-XML's is "
        f"{consts.XML_URL})",
        status=status,
    )


def raise_for_error(root: Element, describe: str) -> None:
    """Raise the error tree's error for an IM-XML error answer; return for anything else."""
    if local(root.tag) == "error":
        said = " ".join((root.text or "").split())
        raise RequestRejected(
            f"{describe} refused the document as invalid (error {root.get('Number', '')}: "
            f"{said}); this is a bug in disty: please report it",
            supplier_message=said,
        )
    header = child(root, "TransactionHeader")
    status = child(header, "ErrorStatus") if header is not None else None
    number = (status.get("ErrorNumber") or "").strip() if status is not None else ""
    if not number:
        return
    said = " ".join((status.text or "").split()) if status is not None else ""
    if number == BAD_LOGIN:
        raise AuthenticationFailed(
            f"{describe} refused the XML login ({said}): check the XML login id, its password "
            "and that the account is set up for this country",
            supplier_message=said,
        )
    if number == NOT_ENTITLED:
        raise AppNotApproved(
            f"{describe} has not enabled this transaction for the XML login ({said}): ask "
            f"{TEAM} to enable it",
            supplier_message=said,
        )
    if number in NOT_FOUND:
        raise NotFound(f"{describe} found no such order ({said})", supplier_message=said)
    raise RequestRejected(
        f"{describe} refused the request ({number}: {said})", supplier_message=said
    )


class IngramXmlClient:
    def __init__(
        self,
        config: IngramXmlConfig,
        *,
        http: httpx.AsyncClient,
        tokens: TokenCache,
        limiter: RateLimiter,
        policy: RetryPolicy,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = time.monotonic,
    ) -> None:
        del tokens, limiter  # IM-XML signs in with every document and publishes no rate limit
        self.config = config
        self._http = http
        self._policy = policy
        self._sleep = sleep
        self._clock = clock
        self.describe = f"{consts.NAME} (XML) at {config.base_url}"

    def document(self, root_name: str, transaction_id: str = "") -> Element:
        """A request's root with its ``Version`` and ``TransactionHeader`` (XML-NOTES 3.1)."""
        root = Element(root_name)
        add(root, "Version", "2.0")
        header = add(root, "TransactionHeader")
        add(header, "SenderID", self.config.sender_id)
        add(header, "ReceiverID", "INGRAM")
        add(header, "CountryCode", self.config.country_code)
        add(header, "LoginID", self.config.login_id)
        add(header, "Password", self.config.password)
        add(header, "TransactionID", transaction_id[:18])
        return root

    async def call(self, document: Element, *, safe: bool) -> Element:
        """Send one transaction and answer the root of Ingram's reply once it is known not to
        be an error. ``safe`` says whether the transport may send it again after a lost answer:
        never for an order."""
        body = _DECLARATION + tostring(document, encoding="unicode").encode(
            "iso-8859-1", "xmlcharrefreplace"
        )

        async def build() -> httpx.Request:
            return self._http.build_request(
                "POST",
                self.config.base_url.rstrip("/") + consts.XML_PATH,
                content=body,
                headers={"Content-Type": "text/xml; charset=ISO-8859-1"},
            )

        response = await send(
            self._http,
            build,
            supplier=consts.KEY,
            safe=safe,
            policy=self._policy,
            classify=classify,
            describe=self.describe,
            sleep=self._sleep,
            clock=self._clock,
            max_bytes=MAX_ANSWER_BYTES,
        )
        root = safe_xml.parse(response.content, self.describe, TEAM)
        raise_for_error(root, self.describe)
        expected = document.tag.replace("Request", "Response")
        if local(root.tag) != expected.lower():
            raise Unavailable(
                f"{self.describe} answered <{root.tag}>, not <{expected}>: check the base URL"
            )
        return root


__all__ = ["IngramXmlClient", "IngramXmlConfig", "add", "child", "text"]
