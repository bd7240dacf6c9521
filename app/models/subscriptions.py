"""One-time subscribe-message grants: each acceptance in wx.requestSubscribeMessage allows one message."""

from tortoise import fields
from tortoise.models import Model


class SubscribeGrant(Model):
    """How many unspent one-time grants an openid holds for a template."""

    id = fields.BigIntField(primary_key=True)
    openid = fields.CharField(max_length=64)
    template_id = fields.CharField(max_length=64)
    available = fields.IntField(default=0)
    accepted_total = fields.IntField(default=0)
    rejected_total = fields.IntField(default=0)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "subscribe_grants"
        unique_together = (("openid", "template_id"),)
