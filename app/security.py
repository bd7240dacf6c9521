"""Tokens (pyjwt) and personal-data protection (AES-GCM at rest, keyed hash for look-up, masking)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import time
from dataclasses import dataclass

import jwt
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.errors import TokenInvalid

JWT_ALGORITHM = "HS256"


@dataclass(frozen=True)
class TokenClaims:
    """What a verified token says."""

    openid: str
    jti: str
    family: str | None
    expires_at: int


def issue_token(secret: str, *, openid: str, kind: str, ttl_s: int, family: str | None = None) -> tuple[str, TokenClaims]:
    """Sign a token of `kind` (access or refresh) for an openid."""
    now = int(time.time())
    jti = secrets.token_urlsafe(18)
    claims = {"sub": openid, "typ": kind, "iat": now, "exp": now + ttl_s, "jti": jti}
    if family:
        claims["fam"] = family
    token = jwt.encode(claims, secret, algorithm=JWT_ALGORITHM)
    return token, TokenClaims(openid=openid, jti=jti, family=family, expires_at=now + ttl_s)


def verify_token(secret: str, token: str, *, kind: str) -> TokenClaims:
    """Check signature, expiry and kind; anything wrong is TokenInvalid."""
    try:
        claims = jwt.decode(token, secret, algorithms=[JWT_ALGORITHM], options={"require": ["exp", "sub", "jti"]})
    except jwt.PyJWTError as exc:
        raise TokenInvalid() from exc
    if claims.get("typ") != kind or not isinstance(claims.get("sub"), str):
        raise TokenInvalid()
    return TokenClaims(openid=claims["sub"], jti=claims["jti"], family=claims.get("fam"), expires_at=claims["exp"])


class DataProtector:
    """Encrypts personal data at rest and derives the keyed hash used to find it again."""

    def __init__(self, data_key: str):
        root = hashlib.sha256(data_key.encode()).digest()
        self._aead = AESGCM(hmac.new(root, b"youzhan/encrypt/v1", hashlib.sha256).digest())
        self._hash_key = hmac.new(root, b"youzhan/lookup/v1", hashlib.sha256).digest()

    def encrypt(self, plaintext: str) -> str:
        """AES-256-GCM with a random nonce; the result is text for a TEXT column."""
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), b"youzhan")
        return "v1:" + base64.b64encode(nonce + sealed).decode()

    def decrypt(self, token: str) -> str:
        """The inverse of encrypt."""
        raw = base64.b64decode(token.removeprefix("v1:"))
        return self._aead.decrypt(raw[:12], raw[12:], b"youzhan").decode()

    def lookup_hash(self, value: str) -> str:
        """A keyed hash: equal values match, and the table alone does not reveal them."""
        return hmac.new(self._hash_key, value.encode(), hashlib.sha256).hexdigest()


def mask_phone(phone: str) -> str:
    """138****8000: enough for a person to recognise their number, not enough to call it."""
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
