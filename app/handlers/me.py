"""The driver's own data: GET /api/me, GET /api/me/points, POST /api/me/phone, POST /api/me/subscriptions."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator
from sanic import Blueprint, Request
from sanic.response import json
from sanic_ext import openapi

from app.errors import ValidationFailed
from app.handlers.common import Body, claims_of, int_arg, parse
from app.handlers.schemas import ErrorOut, MeOut, PointsPageOut, json_of
from app.services import auth, members, points, subscriptions

bp = Blueprint("me", url_prefix="/api/me")


class PhoneBody(Body):
    code: str | None = Field(default=None, min_length=1, max_length=256)
    encrypted_data: str | None = Field(default=None, min_length=1, max_length=8192)
    iv: str | None = Field(default=None, min_length=1, max_length=64)

    @model_validator(mode="after")
    def one_form(self):
        if not self.code and not (self.encrypted_data and self.iv):
            raise ValueError("give code, or encrypted_data and iv")
        return self


class SubscriptionsBody(Body):
    grants: dict[str, Literal["accept", "reject", "ban", "filter"]] = Field(max_length=20)


@bp.get("")
@openapi.response(200, json_of(MeOut), "the profile, or member null for a guest")
@openapi.response(401, json_of(ErrorOut), "no, an invalid or an expired access token")
@openapi.definition(summary="My profile: balance, tier, joined date; member null for a guest", secured={"bearer": []})
async def me(request: Request):
    claims = claims_of(request)
    return json({"member": await members.profile_by_openid(claims.openid), "openid": claims.openid})


@bp.get("/points")
@openapi.response(200, json_of(PointsPageOut), "a page of entries; next is the cursor of the following page")
@openapi.definition(summary="My points history, newest first (default the last 3 months)", secured={"bearer": []})
@openapi.parameter("cursor", str, "query")
@openapi.parameter("limit", int, "query")
@openapi.parameter("days", int, "query")
async def my_points(request: Request):
    claims = claims_of(request)
    limit = int_arg(request, "limit", 20, 1, 100)
    days = int_arg(request, "days", 92, 1, 3660)
    cursor = request.args.get("cursor")
    points.parse_cursor(cursor)
    member = await members.get_by_openid(claims.openid)
    if member is None:
        return json({"items": [], "next": None, "balance": 0, "days": days})
    page = await points.history(member_id=member.id, cursor=cursor, limit=limit, days=days)
    return json({**page, "balance": member.points_balance, "days": days})


@bp.post("/phone")
@openapi.response(200, json_of(MeOut), "the member with the masked phone number")
@openapi.definition(summary="Bind my phone number (getPhoneNumber code, or legacy encrypted_data + iv)",
                    secured={"bearer": []}, body={"application/json": PhoneBody.model_json_schema()})
async def bind_phone(request: Request):
    claims = claims_of(request)
    body = parse(request, PhoneBody)
    member = await auth.bind_phone(
        openid=claims.openid, code=body.code, encrypted_data=body.encrypted_data, iv=body.iv,
        wechat=request.app.ctx.wechat.login, protector=request.app.ctx.protector,
    )
    return json({"member": members.profile(member)})


@bp.post("/subscriptions")
@openapi.definition(summary="Report what wx.requestSubscribeMessage answered", secured={"bearer": []},
                    body={"application/json": SubscriptionsBody.model_json_schema()})
async def report_subscriptions(request: Request):
    claims = claims_of(request)
    body = parse(request, SubscriptionsBody)
    grants = {tid: ("accept" if answer == "accept" else "reject") for tid, answer in body.grants.items()}
    for template_id in grants:
        if not 1 <= len(template_id) <= 64:
            raise ValidationFailed("template ids are 1 to 64 characters.", field="grants")
    return json({"available": await subscriptions.record_grants(openid=claims.openid, grants=grants)})

