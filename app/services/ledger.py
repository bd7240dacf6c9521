"""The points ledger: every change of a balance is an entry, written with its cause (DESIGN section 3).

Callers open the transaction (the service that owns the cause); these functions must run inside it.
The member's row is locked first (`SELECT … FOR UPDATE` on PostgreSQL; SQLite serialises writers),
so balance_after is exact and no concurrent spend can overdraw.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from tortoise.expressions import F

from app.errors import InsufficientPoints, NotFound
from app.models import LedgerEntry, Member, PointLot

EARN, SPEND, EXPIRE, TRANSFER_OUT, TRANSFER_IN, HOLD, RELEASE, REVERSE, ADJUST = (
    "earn", "spend", "expire", "transfer_out", "transfer_in", "hold", "release", "reverse", "adjust",
)
CREDIT_KINDS = {EARN, TRANSFER_IN, RELEASE, ADJUST}
DEBIT_KINDS = {SPEND, EXPIRE, TRANSFER_OUT, HOLD, REVERSE, ADJUST}


@dataclass(frozen=True)
class Cause:
    """Why a balance changes: the source record, and the key that makes it count once."""

    source_type: str
    source_id: str
    key: str
    reason: str
    explanation: dict | None = None


@dataclass(frozen=True)
class Posting:
    """The result of a credit or debit: the entry, and whether this call wrote it."""

    entry: LedgerEntry
    created: bool


async def lock_member(member_id: int) -> Member:
    """Lock the member's row for the rest of the transaction."""
    member = await Member.select_for_update().get_or_none(id=member_id)
    if member is None:
        raise NotFound("No such member.", code="member.not_found")
    return member


async def _existing(key: str) -> LedgerEntry | None:
    # Safe under the member lock: a concurrent writer of the same key waits for it.
    # The unique index on idempotency_key stays the guarantee.
    return await LedgerEntry.get_or_none(idempotency_key=key)


async def credit(*, member_id: int, points: int, kind: str, cause: Cause, expires_at: datetime | None,
                 locked: Member | None = None) -> Posting:
    """Add points to a new lot. A second call with the same key changes nothing.

    `locked` is the member's row when the caller already holds its lock (one round trip less).
    """
    if points <= 0:
        raise ValueError("credit needs a positive number of points")
    if kind not in CREDIT_KINDS:
        raise ValueError(f"{kind} is not a credit")
    if expires_at is None:
        raise ValueError("every credited point belongs to a lot with an expiry")
    member = locked if locked is not None and locked.id == member_id else await lock_member(member_id)
    existing = await _existing(cause.key)
    if existing is not None:
        return Posting(existing, created=False)
    balance = member.points_balance + points
    entry = await LedgerEntry.create(
        member_id=member_id, kind=kind, delta=points, balance_after=balance,
        source_type=cause.source_type, source_id=cause.source_id, idempotency_key=cause.key,
        reason=cause.reason, explanation=cause.explanation,
    )
    await Member.filter(id=member_id).update(points_balance=balance)
    await PointLot.create(member_id=member_id, entry=entry, original=points, remaining=points, expires_at=expires_at)
    return Posting(entry, created=True)


async def debit(*, member_id: int, points: int, kind: str, cause: Cause, locked: Member | None = None) -> Posting:
    """Take points from the lots that expire first; refused (InsufficientPoints) rather than overdrawn.

    `locked` is the member's row when the caller already holds its lock.
    """
    if points <= 0:
        raise ValueError("debit needs a positive number of points")
    if kind not in DEBIT_KINDS:
        raise ValueError(f"{kind} is not a debit")
    member = locked if locked is not None and locked.id == member_id else await lock_member(member_id)
    existing = await _existing(cause.key)
    if existing is not None:
        return Posting(existing, created=False)
    if member.points_balance < points:
        raise InsufficientPoints(f"This needs {points} points; the balance is {member.points_balance}.")
    await _take_from_lots(member_id, points)
    balance = member.points_balance - points
    entry = await LedgerEntry.create(
        member_id=member_id, kind=kind, delta=-points, balance_after=balance,
        source_type=cause.source_type, source_id=cause.source_id, idempotency_key=cause.key,
        reason=cause.reason, explanation=cause.explanation,
    )
    await Member.filter(id=member_id).update(points_balance=balance)
    return Posting(entry, created=True)


async def _take_from_lots(member_id: int, points: int) -> None:
    left = points
    lots = await PointLot.filter(member_id=member_id, remaining__gt=0).order_by("expires_at", "id")
    for lot in lots:
        if left == 0:
            break
        take = min(lot.remaining, left)
        await PointLot.filter(id=lot.id).update(remaining=F("remaining") - take)
        left -= take
    if left:
        # balance and lots disagree: refuse rather than write a ledger that breaks the invariant
        raise RuntimeError(f"member {member_id}: lots hold {points - left} of the {points} points the balance shows")


async def expire_lots(*, member_id: int, now: datetime) -> Posting | None:
    """Write one expire entry for the member's lots past their expiry; nothing if none are due."""
    member = await lock_member(member_id)
    lots = await PointLot.filter(member_id=member_id, remaining__gt=0, expires_at__lte=now).order_by("id")
    if not lots:
        return None
    total = sum(lot.remaining for lot in lots)
    for lot in lots:
        await PointLot.filter(id=lot.id).update(remaining=0)
    balance = member.points_balance - total
    first, last = lots[0].id, lots[-1].id
    entry = await LedgerEntry.create(
        member_id=member_id, kind=EXPIRE, delta=-total, balance_after=balance,
        source_type="lots", source_id=f"{first}-{last}", idempotency_key=f"expire:{member_id}:{first}:{last}",
        reason="积分到期", explanation={"lots": [lot.id for lot in lots]},
    )
    await Member.filter(id=member_id).update(points_balance=balance)
    return Posting(entry, created=True)


@dataclass(frozen=True)
class Discrepancy:
    """A member for whom the invariant does not hold."""

    member_id: int
    balance: int
    entries_sum: int
    lots_sum: int
    negative_lots: int
    chain_breaks: int

    def describe(self) -> str:
        """One line for the checker's output."""
        return (f"member {self.member_id}: balance {self.balance}, entries {self.entries_sum}, "
                f"lots {self.lots_sum}, negative lots {self.negative_lots}, balance_after breaks {self.chain_breaks}")


async def check_invariant(batch: int = 1000) -> tuple[int, list[Discrepancy]]:
    """balance = Σ entries = Σ remaining of lots, no negative lot, each balance_after follows the one before.

    Returns (members checked, discrepancies).
    """
    from tortoise.functions import Sum

    checked = 0
    problems: list[Discrepancy] = []
    last_id = 0
    while True:
        page = await Member.filter(id__gt=last_id).order_by("id").limit(batch).values_list("id", "points_balance")
        if not page:
            break
        ids = [row[0] for row in page]
        last_id = ids[-1]
        entry_sums = dict(await LedgerEntry.filter(member_id__in=ids).group_by("member_id")
                          .annotate(total=Sum("delta")).values_list("member_id", "total"))
        lot_sums = dict(await PointLot.filter(member_id__in=ids).group_by("member_id")
                        .annotate(total=Sum("remaining")).values_list("member_id", "total"))
        negatives: dict[int, int] = {}
        negative_owners = cast(list[int], await PointLot.filter(member_id__in=ids, remaining__lt=0).values_list(
            "member_id", flat=True))
        for member_id in negative_owners:
            negatives[member_id] = negatives.get(member_id, 0) + 1
        breaks = await _chain_breaks(ids)
        for member_id, balance in page:
            checked += 1
            entries = int(entry_sums.get(member_id) or 0)
            lots = int(lot_sums.get(member_id) or 0)
            if balance != entries or balance != lots or negatives.get(member_id) or breaks.get(member_id):
                problems.append(Discrepancy(member_id, balance, entries, lots, negatives.get(member_id, 0),
                                            breaks.get(member_id, 0)))
    return checked, problems


async def _chain_breaks(member_ids: list[int]) -> dict[int, int]:
    rows = await LedgerEntry.filter(member_id__in=member_ids).order_by("member_id", "id").values_list(
        "member_id", "delta", "balance_after"
    )
    breaks: dict[int, int] = {}
    running: dict[int, int] = {}
    for member_id, delta, balance_after in rows:
        running[member_id] = running.get(member_id, 0) + delta
        if running[member_id] != balance_after:
            breaks[member_id] = breaks.get(member_id, 0) + 1
    return breaks


async def expire_due_lots(*, now: datetime, batch: int = 200) -> int:
    """Worker job: expire the lots past their date, one transaction per member. Returns members touched."""
    from tortoise.transactions import in_transaction

    member_ids = cast(list[int], await PointLot.filter(remaining__gt=0, expires_at__lte=now).distinct().limit(batch)
                      .values_list("member_id", flat=True))
    for member_id in member_ids:
        async with in_transaction():
            await expire_lots(member_id=member_id, now=now)
    return len(member_ids)
