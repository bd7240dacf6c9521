"""The outbox: messages to deliver after commit, so a rollback sends nothing and a crash loses nothing."""

from tortoise import fields
from tortoise.models import Model


class OutboxMessage(Model):
    """One message to deliver: pending -> sent, or -> dead after the last attempt, or skipped with a reason."""

    id = fields.BigIntField(primary_key=True)
    kind = fields.CharField(max_length=32)
    dedupe_key = fields.CharField(max_length=128, unique=True)
    payload: dict = fields.JSONField()  # type: ignore[assignment]
    status = fields.CharField(max_length=16, default="pending")
    attempts = fields.IntField(default=0)
    max_attempts = fields.IntField(default=8)
    next_attempt_at = fields.DatetimeField()
    last_error = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "outbox_messages"
        indexes = (("status", "next_attempt_at"),)
