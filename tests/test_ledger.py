"""The ledger: every change is an entry, each cause counts once, spending takes the lots that expire first,
and concurrent spending never overdraws (proven on PostgreSQL)."""

import asyncio
import secrets
from datetime import UTC, datetime, timedelta

import pytest
from tortoise.transactions import in_transaction

from app.errors import InsufficientPoints
from app.models import LedgerEntry, Member, PointLot
from app.services import ledger, members

LATER = datetime.now(UTC) + timedelta(days=365)


async def new_member() -> Member:
    async with in_transaction():
        member, _ = await members.join_and_lock(openid="o" + secrets.token_hex(12), unionid=None,
                                                joined_via=members.JOINED_VIA_PAYMENT)
    return member


def cause(key: str, reason: str = "test") -> ledger.Cause:
    return ledger.Cause(source_type="test", source_id=key, key=key, reason=reason)


async def earn(member: Member, points: int, key: str | None = None, expires_at: datetime = LATER) -> ledger.Posting:
    async with in_transaction():
        return await ledger.credit(member_id=member.id, points=points, kind=ledger.EARN,
                                   cause=cause(key or secrets.token_hex(8)), expires_at=expires_at)


async def spend(member: Member, points: int, key: str | None = None) -> ledger.Posting:
    async with in_transaction():
        return await ledger.debit(member_id=member.id, points=points, kind=ledger.SPEND,
                                  cause=cause(key or secrets.token_hex(8)))


async def test_a_credit_with_a_used_key_changes_nothing(db):
    member = await new_member()
    first = await earn(member, 100, key=f"k-{member.id}")
    again = await earn(member, 100, key=f"k-{member.id}")
    assert first.created and not again.created
    assert again.entry.id == first.entry.id
    assert (await Member.get(id=member.id)).points_balance == 100


async def test_spending_takes_the_points_that_expire_first(db):
    member = await new_member()
    soon = datetime.now(UTC) + timedelta(days=10)
    await earn(member, 50, expires_at=LATER)
    await earn(member, 30, expires_at=soon)
    await spend(member, 40)
    lots = await PointLot.filter(member_id=member.id).order_by("expires_at")
    assert [(lot.original, lot.remaining) for lot in lots] == [(30, 0), (50, 40)]
    assert (await Member.get(id=member.id)).points_balance == 40


async def test_spending_more_than_the_balance_is_refused_and_writes_nothing(db):
    member = await new_member()
    await earn(member, 20)
    with pytest.raises(InsufficientPoints):
        await spend(member, 21)
    assert (await Member.get(id=member.id)).points_balance == 20
    assert await LedgerEntry.filter(member_id=member.id).count() == 1


async def test_a_rolled_back_cause_leaves_no_entry_and_no_balance_change(db):
    member = await new_member()
    with pytest.raises(RuntimeError):
        async with in_transaction():
            await ledger.credit(member_id=member.id, points=70, kind=ledger.EARN, cause=cause(secrets.token_hex(8)),
                                expires_at=LATER)
            raise RuntimeError("the cause failed after the credit was written")
    assert (await Member.get(id=member.id)).points_balance == 0
    assert await LedgerEntry.filter(member_id=member.id).count() == 0


async def test_expired_lots_become_one_expire_entry(db):
    member = await new_member()
    await earn(member, 30, expires_at=datetime.now(UTC) - timedelta(seconds=1))
    await earn(member, 12, expires_at=LATER)
    async with in_transaction():
        posting = await ledger.expire_lots(member_id=member.id, now=datetime.now(UTC))
    assert posting.entry.delta == -30 and posting.entry.kind == "expire"
    assert (await Member.get(id=member.id)).points_balance == 12
    async with in_transaction():
        assert await ledger.expire_lots(member_id=member.id, now=datetime.now(UTC)) is None


async def test_entries_carry_the_running_balance(db):
    member = await new_member()
    await earn(member, 10)
    await earn(member, 5)
    await spend(member, 12)
    entries = await LedgerEntry.filter(member_id=member.id).order_by("id")
    assert [(e.delta, e.balance_after) for e in entries] == [(10, 10), (5, 15), (-12, 3)]


@pytest.mark.postgres
async def test_concurrent_spending_never_overdraws(db):
    member = await new_member()
    await earn(member, 100)
    results = await asyncio.gather(*[spend(member, 10) for _ in range(25)], return_exceptions=True)
    succeeded = [r for r in results if isinstance(r, ledger.Posting)]
    refused = [r for r in results if isinstance(r, InsufficientPoints)]
    assert len(succeeded) == 10 and len(refused) == 15, results
    assert (await Member.get(id=member.id)).points_balance == 0
    assert await PointLot.filter(member_id=member.id, remaining__lt=0).count() == 0
    balances = sorted(p.entry.balance_after for p in succeeded)
    assert balances == list(range(0, 100, 10))


@pytest.mark.postgres
async def test_concurrent_credits_with_one_key_credit_once(db):
    member = await new_member()
    key = f"race-{member.id}"
    results = await asyncio.gather(*[earn(member, 10, key=key) for _ in range(10)], return_exceptions=True)
    created = [r for r in results if isinstance(r, ledger.Posting) and r.created]
    assert len(created) == 1
    assert (await Member.get(id=member.id)).points_balance == 10
