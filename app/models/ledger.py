"""The points ledger: signed entries, and the lots of earned points still unspent."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from app.models.members import Member


class LedgerEntry(Model):
    """One signed change of the points of a member, its idempotency key makes each cause count once."""

    id = fields.BigIntField(primary_key=True)
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="ledger_entries", on_delete=fields.RESTRICT
    )
    member_id: int
    kind = fields.CharField(max_length=16)
    delta = fields.BigIntField()
    balance_after = fields.BigIntField()
    source_type = fields.CharField(max_length=32)
    source_id = fields.CharField(max_length=64)
    idempotency_key = fields.CharField(max_length=128, unique=True)
    reason = fields.CharField(max_length=128)
    explanation: dict | None = fields.JSONField(null=True)  # type: ignore[assignment]
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "ledger_entries"
        indexes = (("member_id", "created_at"),)


class PointLot(Model):
    """The unspent rest of one earning entry, with its expiry, spending takes those that expire first."""

    id = fields.BigIntField(primary_key=True)
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="lots", on_delete=fields.RESTRICT
    )
    member_id: int
    entry: fields.ForeignKeyRelation[LedgerEntry] = fields.ForeignKeyField(
        "models.LedgerEntry", related_name="lots", on_delete=fields.RESTRICT
    )
    entry_id: int
    original = fields.BigIntField()
    remaining = fields.BigIntField()
    expires_at = fields.DatetimeField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "point_lots"
        # spending walks a member's lots by expiry; the expiry job looks lots up by date alone
        indexes = (("member_id", "expires_at"), ("expires_at",))
