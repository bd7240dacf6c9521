"""Pushing notifications to the merchant the way WeChat Pay does: signed, retried on its schedule, in the background."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import TYPE_CHECKING

import httpx
import xmltodict

from app.sandbox import wechatpay as wp

if TYPE_CHECKING:
    from app.sandbox.state import Delivery, Records

# WeChat Pay re-sends an unacknowledged notification after these delays, 15 times in all, then gives up.
RETRY_DELAYS_S = (15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600)
DELIVERY_TIMEOUT_S = 5.0


def _v2_acknowledged(response: httpx.Response) -> bool:
    try:
        parsed = xmltodict.parse(response.content, disable_entities=True)
    except Exception:  # an HTML error page, an empty body, anything that is not the XML answer
        return False
    data = parsed.get("xml") if isinstance(parsed, dict) else None
    return isinstance(data, dict) and data.get("return_code") == "SUCCESS"


class Notifier:
    """Background deliveries and other delayed work; all of it is cancelled when the sandbox stops."""

    def __init__(self, *, records: Records, platform_private_pem: bytes, public_key_id: str, retry_scale: float):
        self._records = records
        self._private_pem = platform_private_pem
        self._public_key_id = public_key_id
        self._retry_scale = retry_scale
        self._tasks: set[asyncio.Task] = set()
        self._http: httpx.AsyncClient | None = None

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=DELIVERY_TIMEOUT_S, follow_redirects=False)
        return self._http

    def spawn(self, coro: Coroutine) -> asyncio.Task:
        """Run work in the background, keeping a reference so it is neither collected nor forgotten at stop."""
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def deliver(self, delivery: Delivery) -> asyncio.Task:
        """Start delivering a notification; the caller does not wait for it."""
        return self.spawn(self._deliver(delivery))

    def delay(self, seconds: float) -> float:
        """A WeChat-time delay in sandbox time."""
        return seconds * self._retry_scale

    async def _deliver(self, delivery: Delivery) -> None:
        for attempt in range(1, len(RETRY_DELAYS_S) + 2):
            acknowledged = await self._attempt(delivery, attempt)
            if acknowledged:
                return
            if attempt > len(RETRY_DELAYS_S):
                return
            await asyncio.sleep(self.delay(RETRY_DELAYS_S[attempt - 1]))

    async def _attempt(self, delivery: Delivery, attempt: int) -> bool:
        if delivery.protocol == "v2":
            headers = {"Content-Type": "text/xml", "User-Agent": "Mozilla/4.0"}
        else:
            # a fresh timestamp and nonce on every attempt, as the merchant checks the timestamp's age
            headers = wp.notification_headers(self._private_pem, self._public_key_id, delivery.body)
            headers["User-Agent"] = "Mozilla/4.0"
        status: int | None = None
        error: str | None = None
        acknowledged = False
        try:
            response = await self._client().post(delivery.url, content=delivery.body.encode("utf-8"), headers=headers)
            status = response.status_code
            if delivery.protocol == "v2":
                acknowledged = status == 200 and _v2_acknowledged(response)
            else:
                acknowledged = status in (200, 204)
        except Exception as exc:  # refused, timed out, a bad URL: all are failed attempts, never a dead task
            error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        final = acknowledged or attempt > len(RETRY_DELAYS_S)
        self._records.add(
            "notifications", out_trade_no=delivery.out_trade_no, out_refund_no=delivery.out_refund_no,
            event_type=delivery.event_type, protocol=delivery.protocol, url=delivery.url, attempt=attempt,
            status=status, error=error, acknowledged=acknowledged,
            outcome="acknowledged" if acknowledged else ("gave_up" if final else "will_retry"),
        )
        return acknowledged

    async def aclose(self) -> None:
        """Cancel what is pending and close the HTTP pool."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        if self._http is not None:
            await self._http.aclose()
            self._http = None
