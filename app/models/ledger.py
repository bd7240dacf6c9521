"""The points ledger: signed entries, and the lots of earned points still unspent."""

from tortoise import fields
from tortoise.models import Model


class LedgerEntry(Model):
    """One signed change of the points of a member, its idempotency key makes each cause count once."""

    id = fields.BigIntField(primary_key=True)
    member = fields.ForeignKeyField("models.Member", related_name="ledger_entries", on_delete=fields.RESTRICT)
    kind = fields.CharField(max_length=16)
    delta = fields.BigIntField()
    balance_after = fields.BigIntField()
    source_type = fields.CharField(max_length=32)
    source_id = fields.CharField(max_length=64)
    idempotency_key = fields.CharField(max_length=128, unique=True)
    reason = fields.CharField(max_length=128)
    explanation = fields.JSONField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "ledger_entries"
        indexes = (("member_id", "created_at"),)


class PointLot(Model):
    """The unspent rest of one earning entry, with its expiry, spending takes those that expire first."""

    id = fields.BigIntField(primary_key=True)
    member = fields.ForeignKeyField("models.Member", related_name="lots", on_delete=fields.RESTRICT)
    entry = fields.ForeignKeyField("models.LedgerEntry", related_name="lots", on_delete=fields.RESTRICT)
    original = fields.BigIntField()
    remaining = fields.BigIntField()
    expires_at = fields.DatetimeField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "point_lots"
        indexes = (("member_id", "expires_at"),)
