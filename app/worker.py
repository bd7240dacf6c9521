"""`python -m app.worker`: delivers the outbox and runs the schedules (lost payments, closing, expiry).

Several workers may run against one database: outbox messages are claimed by a lease, orders by a
conditional update, expiry under the member's row lock.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from tortoise import Tortoise

from app import logs
from app.cache import create_cache
from app.handlers.common import order_policy
from app.services import ledger, orders, outbox
from app.settings import Settings, load_settings
from app.wechat import WechatGateway, messages

log = logging.getLogger("youzhan.worker")


@dataclass
class Worker:
    """One worker process's jobs, callable one pass at a time (tests do)."""

    settings: Settings
    wechat: WechatGateway
    _last_expiry: float = field(default=float("-inf"))

    async def deliver_outbox(self) -> outbox.DeliveryReport:
        """Send the subscribe messages that are due."""
        return await outbox.deliver_due(sender=self.wechat.messages, render=lambda p: messages.render(self.settings, p),
                                        retry_base_s=self.settings.outbox_retry_base_s)

    async def reconcile_orders(self) -> orders.ReconcileReport:
        """Query unpaid orders at WeChat Pay; settle or close them."""
        return await orders.reconcile_unpaid(pay=self.wechat.pay, policy=order_policy(self.settings),
                                             mchid=self.settings.pay_mchid, appid=self.settings.wechat_appid)

    async def expire_points(self) -> int:
        """Expire lots past their date."""
        return await ledger.expire_due_lots(now=datetime.now(UTC))

    async def run_once(self) -> None:
        """One pass of every job that is due; a failing job is logged and the others still run."""
        now = time.monotonic()
        jobs = [self.deliver_outbox, self.reconcile_orders]
        # points expire at midnight of a month's end: looking once a minute is plenty
        if now - self._last_expiry >= 60:
            self._last_expiry = now
            jobs.append(self.expire_points)
        for job in jobs:
            try:
                await job()
            except Exception:
                log.exception("worker job %s failed", job.__name__)


async def run(settings: Settings, stop: asyncio.Event) -> None:
    """Run passes every WORKER_INTERVAL_S until `stop` is set."""
    await Tortoise.init(config=settings.tortoise_config(), _enable_global_fallback=True)
    cache = create_cache(settings.redis_url)
    wechat = WechatGateway(settings, cache)
    await wechat.start()
    worker = Worker(settings=settings, wechat=wechat)
    log.info("worker started")
    try:
        while not stop.is_set():
            await worker.run_once()
            try:
                await asyncio.wait_for(stop.wait(), timeout=settings.worker_interval_s)
            except TimeoutError:
                pass
    finally:
        await wechat.close()
        await cache.aclose()
        await Tortoise.close_connections()
        log.info("worker stopped")


def main() -> None:
    """Entry point; SIGTERM and SIGINT stop it after the current pass."""
    logs.configure()
    settings = load_settings()

    async def _main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await run(settings, stop)

    asyncio.run(_main())


if __name__ == "__main__":
    main()
