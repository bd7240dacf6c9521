"""Who logged in through WeChat, and the refresh tokens we issued them."""

from tortoise import fields
from tortoise.models import Model


class WechatIdentity(Model):
    """An openid that logged in: the guest identity, and where its session_key stays (never sent out)."""

    id = fields.BigIntField(primary_key=True)
    openid = fields.CharField(max_length=64, unique=True)
    unionid = fields.CharField(max_length=64, null=True)
    session_key_enc = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_login_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "wechat_identities"


class RefreshToken(Model):
    """One refresh token, rotating it revokes it, logging out revokes the whole family."""

    jti = fields.CharField(max_length=64, primary_key=True)
    openid = fields.CharField(max_length=64, db_index=True)
    family = fields.CharField(max_length=64, db_index=True)
    expires_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "refresh_tokens"
