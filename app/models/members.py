"""Members: one driver each, keyed by the mini-program openid."""

from tortoise import fields
from tortoise.models import Model


class Member(Model):
    """A driver who joined, by logging in and binding or by paying (支付即会员)."""

    id = fields.BigIntField(primary_key=True)
    openid = fields.CharField(max_length=64, unique=True)
    unionid = fields.CharField(max_length=64, null=True, db_index=True)
    phone_enc = fields.TextField(null=True)
    phone_hash = fields.CharField(max_length=64, null=True, db_index=True)
    phone_masked = fields.CharField(max_length=16, null=True)
    tier = fields.CharField(max_length=16, default="standard")
    growth_value = fields.BigIntField(default=0)
    points_balance = fields.BigIntField(default=0)
    referral_code = fields.CharField(max_length=16, unique=True)
    joined_via = fields.CharField(max_length=16)
    joined_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "members"
