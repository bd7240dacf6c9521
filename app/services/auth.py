"""WeChat login, token refresh and logout; binding a phone number."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from app.errors import DomainError, TokenInvalid
from app.models import Member, RefreshToken, WechatIdentity
from app.security import DataProtector, issue_token, mask_phone, verify_token
from app.services import members
from app.services.ports import LoginPort


class SessionExpired(DomainError):
    code = "auth.session_expired"
    status = 401
    message = "The WeChat session has expired; log in again."


@dataclass(frozen=True)
class TokenPair:
    """What a login or a refresh answers."""

    access_token: str
    refresh_token: str
    expires_in: int
    member: Member | None


@dataclass(frozen=True)
class AuthConfig:
    """The parts of the settings that auth needs."""

    jwt_secret: str
    access_ttl_s: int
    refresh_ttl_s: int


async def _issue_pair(config: AuthConfig, openid: str, family: str) -> tuple[str, str]:
    access, _ = issue_token(config.jwt_secret, openid=openid, kind="access", ttl_s=config.access_ttl_s)
    refresh, claims = issue_token(config.jwt_secret, openid=openid, kind="refresh", ttl_s=config.refresh_ttl_s,
                                  family=family)
    await RefreshToken.create(
        jti=claims.jti, openid=openid, family=family,
        expires_at=datetime.fromtimestamp(claims.expires_at, UTC),
    )
    return access, refresh


async def login(*, code: str, wechat: LoginPort, config: AuthConfig, protector: DataProtector) -> TokenPair:
    """wx.login code -> openid (the session key stays here) -> tokens, and the member or None for a guest."""
    session = await wechat.code_to_session(code)
    async with in_transaction():
        identity = await WechatIdentity.get_or_none(openid=session.openid)
        if identity is None:
            identity, _ = await WechatIdentity.get_or_create(openid=session.openid)
        identity.unionid = session.unionid or identity.unionid
        identity.session_key_enc = protector.encrypt(session.session_key)
        await identity.save()
        access, refresh = await _issue_pair(config, session.openid, family=secrets.token_urlsafe(12))
    member = await members.get_by_openid(session.openid)
    return TokenPair(access, refresh, config.access_ttl_s, member)


async def refresh(*, refresh_token: str, config: AuthConfig) -> TokenPair:
    """Rotate a refresh token; presenting a spent one revokes its whole family (it was stolen or replayed)."""
    claims = verify_token(config.jwt_secret, refresh_token, kind="refresh")
    now = datetime.now(UTC)
    async with in_transaction():
        spent = await RefreshToken.filter(jti=claims.jti, revoked_at=None, expires_at__gt=now).update(revoked_at=now)
        if spent == 1:
            access, new_refresh = await _issue_pair(config, claims.openid, family=claims.family or claims.jti)
    if spent != 1:
        # committed on its own: the raise below must not roll the revocation back
        await RefreshToken.filter(family=claims.family, revoked_at=None).update(revoked_at=now)
        raise TokenInvalid("The refresh token was already used or revoked; log in again.")
    member = await members.get_by_openid(claims.openid)
    return TokenPair(access, new_refresh, config.access_ttl_s, member)


async def logout(*, openid: str | None, refresh_token: str | None, config: AuthConfig) -> None:
    """Revoke the refresh token's family, or every refresh token of the openid when none is given."""
    now = datetime.now(UTC)
    if refresh_token:
        claims = verify_token(config.jwt_secret, refresh_token, kind="refresh")
        if openid is not None and claims.openid != openid:
            raise TokenInvalid()
        await RefreshToken.filter(family=claims.family, revoked_at=None).update(revoked_at=now)
    elif openid is not None:
        await RefreshToken.filter(openid=openid, revoked_at=None).update(revoked_at=now)


async def bind_phone(*, openid: str, code: str | None, encrypted_data: str | None, iv: str | None,
                     wechat: LoginPort, protector: DataProtector) -> Member:
    """Read the phone number (code API, or legacy encryptedData with the stored session key) and bind it.

    A guest who binds a phone joins (joined_via = login).
    """
    if code:
        phone = await wechat.phone_number_by_code(code)
    else:
        identity = await WechatIdentity.get_or_none(openid=openid)
        if identity is None or not identity.session_key_enc:
            raise SessionExpired()
        session_key = protector.decrypt(identity.session_key_enc)
        phone = wechat.decrypt_phone(session_key=session_key, encrypted_data=encrypted_data or "", iv=iv or "")
    identity = await WechatIdentity.get_or_none(openid=openid)
    async with in_transaction():
        member, _ = await members.join_and_lock(
            openid=openid, unionid=identity.unionid if identity else None, joined_via=members.JOINED_VIA_LOGIN
        )
        await Member.filter(id=member.id).update(
            phone_enc=protector.encrypt(phone), phone_hash=protector.lookup_hash(phone), phone_masked=mask_phone(phone)
        )
    return await Member.get(id=member.id)

