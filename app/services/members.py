"""Members: finding them, creating them when they join, and what they see of themselves."""

from __future__ import annotations

import secrets

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from app.models import Member

JOINED_VIA_LOGIN = "login"
JOINED_VIA_PAYMENT = "payment"

_REFERRAL_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def new_referral_code() -> str:
    """8 characters nobody misreads (no 0/O, 1/I)."""
    return "".join(secrets.choice(_REFERRAL_ALPHABET) for _ in range(8))


async def get_by_openid(openid: str) -> Member | None:
    """The member of this openid, or None for a guest."""
    return await Member.get_or_none(openid=openid)


async def get_or_create_by_openid(*, openid: str, unionid: str | None, joined_via: str) -> tuple[Member, bool]:
    """The member of this openid, created if it has not joined; safe when two transactions race to create it."""
    member = await Member.get_or_none(openid=openid)
    if member is not None:
        return member, False
    try:
        # a savepoint: losing the race to the unique openid must not abort the caller's transaction
        async with in_transaction():
            member = await Member.create(
                openid=openid, unionid=unionid, joined_via=joined_via, referral_code=new_referral_code()
            )
        return member, True
    except IntegrityError:
        return await Member.get(openid=openid), False


def profile(member: Member | None) -> dict | None:
    """What a member sees of themselves."""
    if member is None:
        return None
    return {
        "id": member.id,
        "points_balance": member.points_balance,
        "tier": member.tier,
        "tier_name": "普通会员",
        "growth_value": member.growth_value,
        "joined_via": member.joined_via,
        "joined_at": member.joined_at.isoformat(),
        "phone": member.phone_masked,
        "referral_code": member.referral_code,
    }
