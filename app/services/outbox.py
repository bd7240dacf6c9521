"""The outbox: messages queued in the transaction of their cause and delivered after commit by the worker."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.expressions import F

from app.models import OutboxMessage
from app.services import subscriptions
from app.services.ports import MessagePort

PENDING, SENT, DEAD, SKIPPED = "pending", "sent", "dead", "skipped"
SUBSCRIBE_MESSAGE = "subscribe_message"
LEASE = timedelta(seconds=60)


def backoff(attempts: int, base_s: float = 10.0) -> timedelta:
    """base, 2×base, 4×base … (10 s, 20 s, 40 s by default), capped at one hour."""
    return timedelta(seconds=min(3600.0, base_s * 2 ** max(0, attempts - 1)))


async def enqueue_subscribe_message(*, openid: str, template: str, template_id: str, values: dict, dedupe_key: str,
                                    max_attempts: int) -> OutboxMessage:
    """Queue a subscribe message, spending one grant; with no grant it is recorded as skipped, with the reason.

    Runs inside the caller's transaction, so a rollback queues nothing and spends nothing.
    """
    existing = await OutboxMessage.get_or_none(dedupe_key=dedupe_key)
    if existing is not None:
        return existing
    now = datetime.now(UTC)
    payload = {"template": template, "template_id": template_id, "openid": openid, "values": values}
    if await subscriptions.spend_grant(openid=openid, template_id=template_id):
        return await OutboxMessage.create(
            kind=SUBSCRIBE_MESSAGE, dedupe_key=dedupe_key, payload=payload, status=PENDING,
            max_attempts=max_attempts, next_attempt_at=now,
        )
    return await OutboxMessage.create(
        kind=SUBSCRIBE_MESSAGE, dedupe_key=dedupe_key, payload=payload, status=SKIPPED, max_attempts=max_attempts,
        next_attempt_at=now, last_error=f"no subscribe grant for template {template_id}: nothing sent",
    )


async def _claim(message_id: int, now: datetime) -> bool:
    # A lease instead of a transaction held across the WeChat call: whoever moves next_attempt_at owns the
    # message until the lease ends; a worker that dies mid-send leaves it to be retried after the lease.
    claimed = await OutboxMessage.filter(id=message_id, status=PENDING, next_attempt_at__lte=now).update(
        next_attempt_at=now + LEASE, attempts=F("attempts") + 1
    )
    return claimed == 1


@dataclass
class DeliveryReport:
    """What one pass of the deliverer did."""

    sent: int = 0
    retried: int = 0
    dead: int = 0


async def deliver_due(*, sender: MessagePort, render, retry_base_s: float = 10.0, batch: int = 50) -> DeliveryReport:
    """Deliver the messages that are due; retries with backoff, dead-letter after the last attempt."""
    now = datetime.now(UTC)
    report = DeliveryReport()
    due = await OutboxMessage.filter(status=PENDING, next_attempt_at__lte=now).order_by("next_attempt_at").limit(batch)
    for message in due:
        if not await _claim(message.id, now):
            continue
        attempts = message.attempts + 1
        try:
            body = render(message.payload)
        except Exception as exc:  # a message we cannot render will never send
            await _finish(message.id, DEAD, f"cannot render: {exc}")
            report.dead += 1
            continue
        result = await sender.send(body)
        if result.ok:
            await OutboxMessage.filter(id=message.id).update(status=SENT, sent_at=datetime.now(UTC), last_error=None)
            report.sent += 1
        elif not result.retryable or attempts >= message.max_attempts:
            await _finish(message.id, DEAD, f"errcode {result.errcode}: {result.errmsg} (attempt {attempts})")
            if message.kind == SUBSCRIBE_MESSAGE:
                await _settle_grant(message.payload, wechat_has_none=result.no_grant)
            report.dead += 1
        else:
            await OutboxMessage.filter(id=message.id).update(
                next_attempt_at=datetime.now(UTC) + backoff(attempts, retry_base_s),
                last_error=f"errcode {result.errcode}: {result.errmsg} (attempt {attempts})",
            )
            report.retried += 1
    return report


async def _settle_grant(payload: dict, *, wechat_has_none: bool) -> None:
    """Keep our grant count in step with WeChat's after a message died: only a sent message spends a grant."""
    openid, template_id = payload["openid"], payload["template_id"]
    if wechat_has_none:
        await subscriptions.forget_grants(openid=openid, template_id=template_id)
    else:
        await subscriptions.return_grant(openid=openid, template_id=template_id)


async def _finish(message_id: int, status: str, error: str) -> None:
    await OutboxMessage.filter(id=message_id).update(status=status, last_error=error[:500])
