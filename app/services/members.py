"""Members: finding them, creating them when they join, and what they see of themselves."""

from __future__ import annotations

import secrets
from datetime import datetime

from tortoise import connections

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


async def join_and_lock(*, openid: str, unionid: str | None, joined_via: str) -> tuple[Member, bool]:
    """The member of this openid, created if it has not joined, and locked for the rest of the transaction.

    Returns (member, created). Safe when transactions race to create the same member: the insert is
    ON CONFLICT DO NOTHING (no error to abort the caller's transaction), and the locking read that
    follows sees whichever insert won.
    """
    member = await Member.select_for_update().get_or_none(openid=openid)
    if member is not None:
        return member, False
    for _ in range(3):  # a referral code may, very rarely, be taken already: draw another
        code = new_referral_code()
        await Member.bulk_create(
            [Member(openid=openid, unionid=unionid, joined_via=joined_via, referral_code=code)], ignore_conflicts=True
        )
        member = await Member.select_for_update().get_or_none(openid=openid)
        if member is not None:
            return member, member.referral_code == code
    raise RuntimeError(f"could not create the member of {openid}")


TIER_NAMES = {"standard": "普通会员"}
_PROFILE_COLUMNS = ("id", "points_balance", "tier", "growth_value", "joined_via", "joined_at", "phone_masked",
                    "referral_code")


def profile(member: Member | None) -> dict | None:
    """What a member sees of themselves."""
    if member is None:
        return None
    return _profile_view({column: getattr(member, column) for column in _PROFILE_COLUMNS})


def _profile_view(row: dict) -> dict:
    joined_at = row["joined_at"]
    if isinstance(joined_at, str):  # SQLite hands raw rows back as text
        joined_at = datetime.fromisoformat(joined_at)
    return {
        "id": row["id"],
        "points_balance": row["points_balance"],
        "tier": row["tier"],
        "tier_name": TIER_NAMES.get(row["tier"], row["tier"]),
        "growth_value": row["growth_value"],
        "joined_via": row["joined_via"],
        "joined_at": joined_at.isoformat(),
        "phone": row["phone_masked"],
        "referral_code": row["referral_code"],
    }


async def profile_by_openid(openid: str) -> dict | None:
    """The profile of an openid in one plain query: the home page asks for it more than for anything else.

    Going around the ORM's query building and model objects doubled GET /api/me (docs/benchmarks.md).
    """
    connection = connections.get("default")
    mark = "$1" if connection.capabilities.dialect == "postgres" else "?"
    rows = await connection.execute_query_dict(
        f"SELECT {', '.join(_PROFILE_COLUMNS)} FROM members WHERE openid = {mark}", [openid]
    )
    return _profile_view(rows[0]) if rows else None
