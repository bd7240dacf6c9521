"""Orders: what a driver buys and pays for with WeChat Pay."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from app.models.members import Member
    from app.models.stations import Station


class Order(Model):
    """A purchase: out_trade_no is ours, transaction_id is from WeChat Pay."""

    id = fields.BigIntField(primary_key=True)
    out_trade_no = fields.CharField(max_length=32, unique=True)
    openid = fields.CharField(max_length=64, db_index=True)
    request_id = fields.CharField(max_length=64, null=True)
    member: fields.ForeignKeyNullableRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="orders", null=True, on_delete=fields.RESTRICT
    )
    member_id: int | None
    station: fields.ForeignKeyRelation[Station] = fields.ForeignKeyField(
        "models.Station", related_name="orders", on_delete=fields.RESTRICT
    )
    station_id: int
    pump_no = fields.IntField()
    grade = fields.CharField(max_length=16)
    category = fields.CharField(max_length=16, default="fuel")
    price_fen_per_litre = fields.IntField()
    litres_milli = fields.BigIntField()
    amount_fen = fields.BigIntField()
    discount_fen = fields.BigIntField(default=0)
    payable_fen = fields.BigIntField()
    points_used = fields.BigIntField(default=0)
    points_earned = fields.BigIntField(default=0)
    status = fields.CharField(max_length=16, default="created", db_index=True)
    prepay_id = fields.CharField(max_length=64, null=True)
    transaction_id = fields.CharField(max_length=64, null=True, unique=True)
    paid_via = fields.CharField(max_length=16, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    paid_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)
    refunded_at = fields.DatetimeField(null=True)
    last_queried_at = fields.DatetimeField(null=True)

    class Meta:
        table = "orders"
        indexes = (("status", "created_at"),)
        unique_together = (("openid", "request_id"),)
