"""POST /api/auth/login, /api/auth/refresh, /api/auth/logout."""

from __future__ import annotations

from pydantic import Field
from sanic import Blueprint, Request
from sanic.response import json
from sanic_ext import openapi

from app.handlers.common import Body, auth_config, claims_of, parse
from app.handlers.schemas import ErrorOut, TokensOut, json_of
from app.services import auth, members

bp = Blueprint("auth", url_prefix="/api/auth")


class LoginBody(Body):
    code: str = Field(min_length=1, max_length=128, description="the code from wx.login")


class RefreshBody(Body):
    refresh_token: str = Field(min_length=1, max_length=2048)


class LogoutBody(Body):
    refresh_token: str | None = Field(default=None, max_length=2048)


def _tokens(pair: auth.TokenPair) -> dict:
    return {
        "access_token": pair.access_token,
        "refresh_token": pair.refresh_token,
        "token_type": "Bearer",
        "expires_in": pair.expires_in,
        "member": members.profile(pair.member),
    }


@bp.post("/login")
@openapi.response(200, json_of(TokensOut), "tokens, and the member or null for a guest")
@openapi.response(401, json_of(ErrorOut), "auth.wechat_code_invalid: the code is invalid or used")
@openapi.definition(summary="Log in with a wx.login code", body={"application/json": LoginBody.model_json_schema()},
                    description="Answers tokens and the member, or member null for a guest who has not joined yet.")
async def login(request: Request):
    body = parse(request, LoginBody)
    pair = await auth.login(code=body.code, wechat=request.app.ctx.wechat.login, config=auth_config(request),
                            protector=request.app.ctx.protector)
    return json(_tokens(pair))


@bp.post("/refresh")
@openapi.response(200, json_of(TokensOut), "a new pair; the old refresh token is spent")
@openapi.definition(summary="Rotate a refresh token", body={"application/json": RefreshBody.model_json_schema()})
async def refresh(request: Request):
    body = parse(request, RefreshBody)
    return json(_tokens(await auth.refresh(refresh_token=body.refresh_token, config=auth_config(request))))


@bp.post("/logout")
@openapi.definition(summary="Revoke the refresh token, or with only a bearer token every session of the driver",
                    body={"application/json": LogoutBody.model_json_schema()})
async def logout(request: Request):
    body = parse(request, LogoutBody) if request.body else LogoutBody()
    # the refresh token alone is proof enough to revoke itself: a client whose access token expired can log out
    openid = None if body.refresh_token and "authorization" not in request.headers else claims_of(request).openid
    await auth.logout(openid=openid, refresh_token=body.refresh_token, config=auth_config(request))
    return json({"ok": True})
