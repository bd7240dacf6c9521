"""What a member sees of their points: the history, newest first, each entry saying why."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.errors import ValidationFailed
from app.models import LedgerEntry

KIND_LABELS = {
    "earn": "消费积分", "spend": "积分使用", "expire": "积分过期", "transfer_out": "转赠", "transfer_in": "获赠",
    "hold": "冻结", "release": "解冻", "reverse": "退款冲回", "adjust": "人工调整",
}


def parse_cursor(cursor: str | None) -> int | None:
    """A cursor we gave out is the id of an entry: a positive 64-bit integer."""
    if cursor is None:
        return None
    if not cursor.isdigit() or not 0 < int(cursor) < 2**63:
        raise ValidationFailed("The cursor is not one we gave out.", field="cursor", code="request.cursor_invalid")
    return int(cursor)


async def history(*, member_id: int, cursor: str | None, limit: int, days: int) -> dict:
    """A page of ledger entries, newest first; `next` is the cursor of the following page or None."""
    since = datetime.now(UTC) - timedelta(days=days)
    query = LedgerEntry.filter(member_id=member_id, created_at__gte=since)
    if cursor is not None:
        query = query.filter(id__lt=parse_cursor(cursor))
    entries = await query.order_by("-id").limit(limit + 1)
    items = [
        {
            "id": e.id,
            "delta": e.delta,
            "kind": e.kind,
            "kind_label": KIND_LABELS.get(e.kind, e.kind),
            "reason": e.reason,
            "balance_after": e.balance_after,
            "source_type": e.source_type,
            "source_id": e.source_id,
            "explanation": e.explanation,
            "created_at": e.created_at.isoformat(),
        }
        for e in entries[:limit]
    ]
    return {"items": items, "next": str(entries[limit - 1].id) if len(entries) > limit else None}
