"""One-time subscribe-message grants: counted when the driver accepts, spent when a message is queued."""

from __future__ import annotations

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from app.models import SubscribeGrant

ACCEPT, REJECT = "accept", "reject"


async def record_grants(*, openid: str, grants: dict[str, str]) -> dict[str, int]:
    """Count what wx.requestSubscribeMessage answered; each acceptance allows one message of that template."""
    available: dict[str, int] = {}
    async with in_transaction():
        for template_id, answer in grants.items():
            grant, _ = await SubscribeGrant.get_or_create(openid=openid, template_id=template_id)
            if answer == ACCEPT:
                await SubscribeGrant.filter(id=grant.id).update(
                    available=F("available") + 1, accepted_total=F("accepted_total") + 1
                )
            else:
                await SubscribeGrant.filter(id=grant.id).update(rejected_total=F("rejected_total") + 1)
            available[template_id] = (await SubscribeGrant.get(id=grant.id)).available
    return available


async def spend_grant(*, openid: str, template_id: str) -> bool:
    """Take one grant if there is one (a conditional update: two messages never share a grant)."""
    spent = await SubscribeGrant.filter(openid=openid, template_id=template_id, available__gt=0).update(
        available=F("available") - 1
    )
    return spent == 1


async def return_grant(*, openid: str, template_id: str) -> None:
    """Give back a grant taken for a message that was never sent: WeChat did not spend it either."""
    await SubscribeGrant.filter(openid=openid, template_id=template_id).update(available=F("available") + 1)


async def forget_grants(*, openid: str, template_id: str) -> None:
    """WeChat says the driver holds no grant for this template: count none here either."""
    await SubscribeGrant.filter(openid=openid, template_id=template_id).update(available=0)


async def available(*, openid: str) -> dict[str, int]:
    """Unspent grants per template."""
    rows = await SubscribeGrant.filter(openid=openid).values_list("template_id", "available")
    return dict(rows)
