"""Earning and expiry arithmetic: plain functions a unit test calls without a database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

BUSINESS_TZ = ZoneInfo("Asia/Shanghai")

# 1 point per whole yuan paid; the configurable rule engine replaces this table in a later issue.
BASE_POINTS_PER_YUAN = 1


@dataclass(frozen=True)
class Earning:
    """Points for a payment, and why: the explanation is stored on the ledger entry."""

    points: int
    explanation: dict


def points_for_payment(*, payable_fen: int, grade: str) -> Earning:
    """Base earning: floor(paid yuan) × rate."""
    if payable_fen < 0:
        raise ValueError("payable_fen must not be negative")
    yuan = payable_fen // 100
    points = yuan * BASE_POINTS_PER_YUAN
    return Earning(
        points=points,
        explanation={"rule": "base", "grade": grade, "paid_fen": payable_fen, "per_yuan": BASE_POINTS_PER_YUAN},
    )


def expiry_for(earned_at: datetime, months: int) -> datetime:
    """Points earned in a month expire when the month `months` later ends (Asia/Shanghai), in UTC."""
    local = earned_at.astimezone(BUSINESS_TZ)
    month_index = local.year * 12 + (local.month - 1) + months + 1
    year, month = divmod(month_index, 12)
    return datetime(year, month + 1, 1, tzinfo=BUSINESS_TZ).astimezone(UTC)
